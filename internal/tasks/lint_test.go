package tasks

import (
	"archive/zip"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/testfs"
)

// TestShippedSources lays a wheel's modules out as installed, with its extension modules for
// pylint to resolve, and leaves its tests, metadata and data out.
func TestShippedSources(t *testing.T) {
	dir := t.TempDir()
	whl := filepath.Join(dir, "pkg-1.0-py3-none-any.whl")
	members := map[string]string{
		"pkg/__init__.py":                "from .core import f\n",
		"pkg/core.py":                    "def f():\n    return 1\n",
		"pkg/tests/test_core.py":         "def test_f():\n    pass\n",
		"pkg/_fast.cpython-311.so":       "\x7fELF",
		"pkg-1.0.data/purelib/extra.py":  "X = 1\n",
		"pkg-1.0.data/scripts/tool.py":   "print()\n",
		"pkg-1.0.dist-info/METADATA":     "Name: pkg\n",
		"pkg-1.0.dist-info/RECORD":       "",
		"pkg-1.0.dist-info/top_level.py": "",
	}
	f, err := os.Create(whl)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for name, body := range members {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(body))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	root := filepath.Join(dir, "lint")
	q, err := shippedSources(context.Background(), whl, root)
	if err != nil {
		t.Fatal(err)
	}
	want := quality.Report{Scope: quality.Scope, Linted: []string{"extra.py", "pkg/__init__.py", "pkg/core.py"},
		TestsLeftOut: []string{"pkg/tests/test_core.py"}, TestFiles: 1}
	if d := cmp.Diff(want, q, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
		t.Errorf("report (-want +got):\n%s", d)
	}
	var laid []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			laid = append(laid, filepath.ToSlash(rel))
		}
		return nil
	})
	if d := cmp.Diff([]string{"src/extra.py", "src/pkg/__init__.py", "src/pkg/_fast.cpython-311.so", "src/pkg/core.py"}, laid, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
		t.Errorf("files laid out (-want +got):\n%s", d)
	}
	if got, _ := os.ReadFile(filepath.Join(root, "src", "pkg", "core.py")); string(got) != members["pkg/core.py"] {
		t.Errorf("pkg/core.py holds %q", got)
	}
}

// TestLintersAreNotTheLintedPackage: the linters run from the directory they lint, and a package
// there named as one of them (pyflakes' own project, or a hostile one) is linted, never run as the
// linter.
func TestLintersAreNotTheLintedPackage(t *testing.T) {
	e := lintEnv(t, "pyflakes")
	dir := filepath.Join(e.work, "lint", "src")
	ran := "raise SystemExit('the linted package ran as the linter')\n"
	testfs.Write(t, dir, map[string]string{
		"pyflakes/__init__.py": "", "pyflakes/__main__.py": ran, "pycodestyle.py": ran,
		"pylint/__init__.py": "", "pylint/__main__.py": ran,
		"mod.py": "import os\n",
	})
	j, _ := collecting(e)
	results, err := j.runLinters(t.Context(), "", j.in(dir), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for i, r := range results {
		if strings.Contains(r.output, "ran as the linter") {
			t.Errorf("%s ran the linted package: %s", lintTools[i].name, r.output)
		}
		got[lintTools[i].name] = strings.Contains(r.output, "mod.py:1:")
	}
	// Each tool read mod.py: pycodestyle's statistics name no file, pyflakes and pylint do.
	if d := cmp.Diff(map[string]bool{"pycodestyle": false, "pyflakes": true, "pylint": true}, got); d != "" {
		t.Errorf("tools that reported on mod.py (-want +got)\n%s", d)
	}
}

// TestPylintSeesOnlyTheWheelhouse: pylint resolves the linted package's imports against the
// paths lint gives it (the wheelhouse), not against the host's site-packages, whatever the host
// happens to have installed: pytest is there (PYTI's tests run with it), yet a package that imports
// it without it in its wheelhouse gets pylint's import-error, the same on every machine.
func TestPylintSeesOnlyTheWheelhouse(t *testing.T) {
	e := lintEnv(t, "pkg")
	dir := filepath.Join(e.work, "lint", "src")
	deps := filepath.Join(e.work, "lint", "deps")
	testfs.Write(t, dir, map[string]string{
		"pkg/__init__.py": "\"\"\"Imports.\"\"\"\nimport pytest\nimport depmod\nimport json\n\nVALUES = (pytest, depmod, json)\n",
	})
	testfs.Write(t, deps, map[string]string{"depmod.py": "\"\"\"A dependency.\"\"\"\n"})
	j, _ := collecting(e)
	results, err := j.runLinters(t.Context(), "", j.in(dir), []string{j.in(deps)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var q quality.Report
	var output string
	for i, r := range results {
		if lintTools[i].name == "pylint" {
			output = r.output
			lintTools[i].parse(&q, output, j.in(dir))
		}
	}
	got := map[string]bool{}
	for _, m := range q.Pylint.Messages {
		if m.Code == "E0401" {
			got[m.Message] = true
		}
	}
	want := map[string]bool{"Unable to import 'pytest'": true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("pylint's import errors (-want +got)\n%s\noutput:\n%s", d, output)
	}
}

// lintEnv is the environment of a job analysing spec whose linters a test runs in the sandbox
// (skipped with -short, or without a sandbox), its source directory made as unpack makes it.
func lintEnv(t *testing.T, spec string) *jobEnv {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the linters in the sandbox; skipped with -short")
	}
	if err := bwrap.New().Check(); err != nil {
		t.Skipf("no sandbox: %v", err)
	}
	client, err := pypi.NewClient(pypi.Options{IndexURL: "http://127.0.0.1:1/simple/", CacheDir: t.TempDir(), AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	opts, err := Options{Client: client, Backend: bwrap.New(), Dir: filepath.Join(t.TempDir(), "job"), Logger: slog.New(slog.DiscardHandler)}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	e, err := newJobEnv(Request{Spec: spec}, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	if err := os.MkdirAll(e.src, 0o755); err != nil {
		t.Fatal(err)
	}
	return e
}

// TestLintDepsUnpacked: pylint gets the wheelhouse's wheels unpacked, each in a directory of its
// own (astroid reads a zip on sys.path slowly: minutes for setuptools'), and lint, after
// lint-start, finds them unpacked.
func TestLintDepsUnpacked(t *testing.T) {
	e := lintEnv(t, "pkg")
	wh := t.TempDir()
	writeWheel(t, wh, "depmod", "1.0", nil, "")
	j, _ := collecting(e)
	for range 2 {
		deps := lintDeps(t.Context(), j, Wheelhouse{Dir: wh}, true)
		want := []string{j.in(filepath.Join(e.work, "lint-deps", "depmod-1.0-py3-none-any.whl"))}
		if d := cmp.Diff(want, deps); d != "" {
			t.Fatalf("deps (-want +got)\n%s", d)
		}
		entries, err := os.ReadDir(filepath.Join(e.work, "lint-deps", "depmod-1.0-py3-none-any.whl"))
		if err != nil || len(entries) == 0 {
			t.Fatalf("nothing unpacked: %v", err)
		}
	}
}
