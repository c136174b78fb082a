package tasks

import (
	"archive/zip"
	"context"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
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
	q, output := runPylint(t, j, dir, deps)
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

// TestPylintNamesNamespaceModules: a namespace package's module is linted under its dotted name,
// as Python imports it, not as a top-level module of its own directory: jaraco.functools 3.6.0's
// jaraco/functools.py, linted as `functools`, imported itself where it imports the standard
// library's functools (import-self, and a no-member error for each of its attributes). A regular
// package beside it is linted as before. When a dependency makes the namespace a regular package
// (a pkg_resources-style __init__.py, as Debian's zope.interface wheel ships), the portion's
// package cannot be found under that name: pylint still lints every module, named as pylint 2.16
// names them, rather than stopping.
func TestPylintNamesNamespaceModules(t *testing.T) {
	files := map[string]string{
		"ns/functools.py":    "\"\"\"A namespace package's module named as a standard library one.\"\"\"\nimport functools\n\nWRAPS = functools.wraps\n",
		"ns/sub/__init__.py": "\"\"\"A regular package inside the namespace package.\"\"\"\nfrom ns import functools\n\nVALUE = functools.WRAPS\n",
		"ns/sub/more.py":     "\"\"\"Its module.\"\"\"\n",
		"pkg/__init__.py":    "\"\"\"A regular package.\"\"\"\nimport functools\n\nPARTIAL = functools.partial\n",
	}
	for _, tc := range []struct {
		name string
		deps map[string]string
		want []string // nil: not compared, pylint rated the files
	}{
		{"named from the linted directory", nil, []string{}},
		{"a dependency's __init__.py for the namespace", map[string]string{
			"ns/__init__.py":       "\"\"\"A pkg_resources namespace.\"\"\"\n__import__('pkg_resources').declare_namespace(__name__)\n",
			"ns/other/__init__.py": "\"\"\"Another portion.\"\"\"\n",
		}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := lintEnv(t, "ns.functools")
			dir := filepath.Join(e.work, "lint", "src")
			testfs.Write(t, dir, files)
			var deps []string
			if tc.deps != nil {
				d := filepath.Join(e.work, "lint", "deps")
				testfs.Write(t, d, tc.deps)
				deps = append(deps, d)
			}
			j, _ := collecting(e)
			q, output := runPylint(t, j, dir, deps...)
			got := []string{}
			for _, m := range q.Pylint.Messages {
				got = append(got, m.Path+": "+m.Code)
			}
			if q.Pylint.Score == nil {
				t.Fatalf("pylint gave no score:\n%s", output)
			}
			if d := cmp.Diff(tc.want, got); tc.want != nil && d != "" {
				t.Errorf("pylint's messages (-want +got)\n%s\noutput:\n%s", d, output)
			}
		})
	}
}

// runPylint runs the linters over dir with the dependencies deps (host paths) on pylint's
// sys.path, and returns what pylint reported, and its output.
func runPylint(t *testing.T, j *job, dir string, deps ...string) (quality.Report, string) {
	t.Helper()
	inside := make([]string, len(deps))
	for i, d := range deps {
		inside[i] = j.in(d)
	}
	results, err := j.runLinters(t.Context(), "", j.in(dir), inside, nil)
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
	return q, output
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

// TestPylintAloneForgetsNestedNamespaces: pylint_alone.py drops the namespace packages a host's
// -nspkg.pth files made, a nested one (repoze.sphinx, beside repoze.lru) included, whose __path__
// is computed from its parent's in sys.modules (it raised KeyError: 'repoze', and pylint gave no
// result, on any package, once python3-repoze.sphinx.autointerface was installed).
func TestPylintAloneForgetsNestedNamespaces(t *testing.T) {
	// setuptools' -nspkg.pth lines, as Debian installs them for repoze.sphinx.autointerface.
	line := func(parts ...string) string {
		name, quoted := strings.Join(parts, "."), "'"+strings.Join(parts, "', '")+"',"
		l := "import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], *(" + quoted + "));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and sys.modules.setdefault('" + name + "', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('" + name + "', [os.path.dirname(p)])));m = m or sys.modules.setdefault('" + name + "', types.ModuleType('" + name + "'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)"
		if len(parts) > 1 {
			l += ";m and setattr(sys.modules['" + parts[0] + "'], '" + parts[1] + "', m)"
		}
		return l + "\n"
	}
	host := t.TempDir()
	testfs.Write(t, host, map[string]string{
		"nsa.sub.thing-1.0-nspkg.pth": line("nsa") + line("nsa", "sub"),
		"nsa/sub/thing/__init__.py":   "",
	})
	scripts, err := filepath.Abs("python")
	if err != nil {
		t.Fatal(err)
	}
	driver := `import site, sys
site.addsitedir(sys.argv[1])
assert "nsa.sub" in sys.modules, sorted(sys.modules)
sys.path.insert(0, sys.argv[2])
import pylint_alone
pylint_alone.forget([sys.argv[1]])
print(sorted(n for n in sys.modules if n.split(".")[0] == "nsa"))
`
	out, err := exec.Command("/usr/bin/python3", "-c", driver, host, scripts).CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != "[]" {
		t.Errorf("left in sys.modules: %s", got)
	}
}

// TestFinishLintTellsACrash: pylint's exit status 1 with its messages is a result; exit status
// 1 with a Python traceback is pylint crashing, which leaves no pylint figures and says why.
func TestFinishLintTellsACrash(t *testing.T) {
	const messages = "pkg/__init__.py:1:0: C0114 missing-module-docstring Missing module docstring\npkg/__init__.py:2:0: F0002 astroid-error pkg/__init__.py: Fatal error while checking\n\n-----------------------------------\nYour code has been rated at 5.00/10\n"
	ok := func(stdout string) *stepResult {
		return &stepResult{res: &sandbox.Result{Outcome: sandbox.OutcomeExit, ExitCode: 0, Stdout: []byte(stdout)}}
	}
	tests := []struct {
		name        string
		pylint      *sandbox.Result
		wantOutcome string
		wantReason  string
		wantTotal   int
	}{
		{"messages, a fatal one among them", &sandbox.Result{Outcome: sandbox.OutcomeExit, ExitCode: 17, Stdout: []byte(messages)}, "ok", "", 2},
		{"a traceback", &sandbox.Result{Outcome: sandbox.OutcomeExit, ExitCode: 1, Stderr: []byte("Traceback (most recent call last):\n  File \"pylint_alone.py\", line 170, in forget\nKeyError: 'repoze'\n")},
			"failed", "pylint exit status 1 (KeyError: 'repoze')", -1},
		{"a usage error", &sandbox.Result{Outcome: sandbox.OutcomeExit, ExitCode: 32, Stderr: []byte("usage: pylint [options]\n")}, "failed", "pylint exit status 32", -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			results := []*stepResult{ok(""), ok(""), {res: tt.pylint}}
			l, err := finishLint(&report.Lint{}, quality.Report{Files: 1, Lines: 2}, results, "/work/lint/src", "")
			if err != nil {
				t.Fatal(err)
			}
			total := -1
			if l.Pylint != nil {
				total = l.Pylint.Total
			}
			if d := cmp.Diff([]any{tt.wantOutcome, tt.wantTotal}, []any{l.Outcome, total}); d != "" || !strings.HasPrefix(l.Reason, tt.wantReason) {
				t.Errorf("outcome and pylint total (-want +got):\n%s\nreason %q, want it to start %q", d, l.Reason, tt.wantReason)
			}
			if tt.wantTotal < 0 && l.PerKLOC.Pylint != nil {
				t.Errorf("per_kloc.pylint = %v for no pylint result", *l.PerKLOC.Pylint)
			}
		})
	}
}
