package quality

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/testfs"
)

const python = "/usr/bin/python3"

func writeTree(t *testing.T) string {
	t.Helper()
	return writeFiles(t, map[string]string{
		"pkg/__init__.py": "import os, sys\nx=1\ndef f( a ):\n    return a+undefined_name\nclass  C:\n  pass\n",
		"pkg/m.py":        "# a comment\n\ndef g():\n    y = 1\n    return 2 # c\n",
	})
}

// writeFiles writes files (slash-separated paths and their text) into a new directory.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	testfs.Write(t, dir, files)
	return dir
}

func tool(t *testing.T, module string, args []string) string {
	t.Helper()
	if err := exec.Command(python, "-c", "import "+module).Run(); err != nil {
		t.Skipf("%s is not installed for %s", module, python)
	}
	out, err := exec.Command(python, args...).CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	return string(out)
}

func TestPycodestyleCountsEqualTheTool(t *testing.T) {
	dir := writeTree(t)
	got := ParsePycodestyle(tool(t, "pycodestyle", PycodestyleArgs(dir, nil)))
	want := map[string]int{"E111": 1, "E201": 1, "E202": 1, "E225": 1, "E261": 1, "E271": 1, "E302": 2, "E401": 1}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pycodestyle counts (-want +got):\n%s", d)
	}
	// The total equals the number of lines pycodestyle prints without --statistics.
	plain := tool(t, "pycodestyle", []string{"-m", "pycodestyle", dir})
	n := 0
	for c := range strings.SplitSeq(strings.TrimSpace(plain), "\n") {
		if c != "" {
			n++
		}
	}
	r := Report{Pycodestyle: got}
	r.Finish()
	if r.StyleTotal != n {
		t.Errorf("total %d, pycodestyle printed %d problems", r.StyleTotal, n)
	}
}

func TestPyflakes(t *testing.T) {
	dir := writeTree(t)
	msgs := ParsePyflakes(tool(t, "pyflakes", PyflakesArgs(dir)))
	var got []string
	for _, m := range msgs {
		got = append(got, filepath.Base(m.Path)+":"+m.Message)
	}
	want := []string{
		"__init__.py:'os' imported but unused",
		"__init__.py:'sys' imported but unused",
		"__init__.py:undefined name 'undefined_name'",
		"m.py:local variable 'y' is assigned to but never used",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pyflakes (-want +got):\n%s", d)
	}
}

func TestPylint(t *testing.T) {
	dir := writeTree(t)
	p := ParsePylint(tool(t, "pylint", PylintArgs(dir, nil)))
	if p.Score == nil {
		t.Fatal("no score parsed")
	}
	if p.BySymbol["undefined-variable"] != 1 || p.BySymbol["unused-variable"] != 1 {
		t.Errorf("by symbol = %v", p.BySymbol)
	}
	if p.ByCategory["error"] != 1 || p.Total < 10 {
		t.Errorf("by category = %v, total %d", p.ByCategory, p.Total)
	}
}

// TestStyleLeavesOutTooBigFiles: a generated table larger than MaxStyledBytes is left out of
// pylint and pycodestyle (it kept them busy for minutes), the files beside it are linted as
// before.
func TestStyleLeavesOutTooBigFiles(t *testing.T) {
	var table strings.Builder
	table.WriteString("import os\nTABLE = {\n")
	for i := 0; table.Len() <= MaxStyledBytes; i++ {
		fmt.Fprintf(&table, "    %d: 'entry number %d of a generated table',\n", i, i)
	}
	table.WriteString("}\n")
	files := map[string]string{"pkg/__init__.py": "", "pkg/mod.py": "import sys\n", "pkg/data/__init__.py": "", "pkg/data/table.py": "x=1\n" + table.String(),
		"pkg/data/small.py": "import json\nSMALL = {1:'one'}\n"}
	dir := writeFiles(t, files)
	leftOut, err := TooBigFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"pkg/data/table.py"}, leftOut); d != "" {
		t.Fatalf("left out (-want +got):\n%s", d)
	}
	p := ParsePylint(tool(t, "pylint", PylintArgs(dir, leftOut)))
	var unused []string
	for _, m := range p.Messages {
		if m.Code == "W0611" {
			rel, _ := filepath.Rel(dir, m.Path)
			unused = append(unused, filepath.ToSlash(rel))
		}
	}
	sort.Strings(unused)
	if d := cmp.Diff([]string{"pkg/data/small.py", "pkg/mod.py"}, unused); d != "" {
		t.Errorf("files with an unused import (-want +got):\n%s", d)
	}
	// small.py's E231; the table's E225 is not counted.
	if d := cmp.Diff(map[string]int{"E231": 1}, ParsePycodestyle(tool(t, "pycodestyle", PycodestyleArgs(dir, leftOut)))); d != "" {
		t.Errorf("pycodestyle (-want +got):\n%s", d)
	}
}

func TestParsePylintScoreForms(t *testing.T) {
	tests := []struct {
		in   string
		want *float64
	}{
		{"Your code has been rated at 7.50/10 (previous run: 7.50/10, +0.00)", ptr(7.5)},
		{"Your code has been rated at -3.33/10", ptr(-3.33)},
		{"", nil},
	}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, ParsePylint(tc.in).Score); d != "" {
			t.Errorf("%q: (-want +got)\n%s", tc.in, d)
		}
	}
}

func ptr(f float64) *float64 { return &f }

func TestCountLinesAndDensity(t *testing.T) {
	dir := writeTree(t)
	files, lines, err := CountLines(dir)
	if err != nil {
		t.Fatal(err)
	}
	if files != 2 || lines != 9 {
		t.Errorf("files=%d lines=%d, want 2 and 9", files, lines)
	}
	r := Report{Lines: 500, Pycodestyle: map[string]int{"E501": 3, "W291": 2}}
	r.Finish()
	if r.PerKLOC.Pycodestyle != 10 {
		t.Errorf("density = %v, want 10 per kLOC", r.PerKLOC.Pycodestyle)
	}
	if d := cmp.Diff([]string{"E501", "W291"}, r.TopCodes(5)); d != "" {
		t.Error(d)
	}
	// No pylint result (it timed out): no density, rather than a clean 0.
	if r.PerKLOC.Pylint != nil {
		t.Errorf("pylint density %v without a pylint result, want none", *r.PerKLOC.Pylint)
	}
	r.Pylint = &Pylint{Total: 5}
	r.Finish()
	if r.PerKLOC.Pylint == nil || *r.PerKLOC.Pylint != 10 {
		t.Errorf("pylint density %v, want 10 per kLOC", r.PerKLOC.Pylint)
	}
}

// TestPylintLeavesOutDuplicateCode: PYTI's pylint does not run the duplicate-code checker, which
// plain pylint runs on the same two modules.
func TestPylintLeavesOutDuplicateCode(t *testing.T) {
	var body strings.Builder
	for i := range 12 {
		fmt.Fprintf(&body, "    total = total + %d * value\n", i)
	}
	code := "def compute(value):\n    total = 0\n" + body.String() + "    return total\n"
	dir := writeFiles(t, map[string]string{"pkg/__init__.py": code, "pkg/a.py": code, "pkg/b.py": code})
	plain := ParsePylint(tool(t, "pylint", []string{"-m", "pylint", "--recursive=y", "--score=y", "--persistent=n", "--jobs=1", "--msg-template=" + PylintTemplate, dir}))
	ours := ParsePylint(tool(t, "pylint", PylintArgs(dir, nil)))
	got := map[string]int{"plain": plain.BySymbol["duplicate-code"], "pyti": ours.BySymbol["duplicate-code"]}
	if got["plain"] == 0 || got["pyti"] != 0 {
		t.Errorf("duplicate-code messages = %v, want some from plain pylint and none from PYTI's", got)
	}
}

// TestPylintImportsNamespacePackage: a module of a namespace package (pytizope/event/, no
// pytizope/__init__.py, as a wheel installs it; shaped as zope.event, named so that no host
// package can answer for it) that imports its own package is linted with the package
// importable, as it is installed; pylint alone puts pytizope/ on its path and reports
// import-error.
func TestPylintImportsNamespacePackage(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"pytizope/event/__init__.py":     "\"\"\"Events.\"\"\"\nsubscribers = []\n",
		"pytizope/event/classhandler.py": "\"\"\"Handlers.\"\"\"\nimport pytizope.event\n\n\ndef handlers():\n    \"\"\"The subscribers.\"\"\"\n    return pytizope.event.subscribers\n",
	})
	plain := ParsePylint(tool(t, "pylint", []string{"-m", "pylint", "--recursive=y", "--score=y", "--persistent=n", "--jobs=1", "--msg-template=" + PylintTemplate, dir}))
	ours := ParsePylint(tool(t, "pylint", PylintArgs(dir, nil)))
	got := map[string]int{"plain": plain.BySymbol["import-error"], "pyti": ours.BySymbol["import-error"]}
	if d := cmp.Diff(map[string]int{"plain": 1, "pyti": 0}, got); d != "" {
		t.Errorf("import-error messages (-want +got):\n%s\nPYTI's: %+v", d, ours.Messages)
	}
}
