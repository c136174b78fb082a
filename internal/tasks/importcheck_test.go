package tasks

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

// makeWheel writes a pure wheel of the given files (paths inside site-packages) into dir, with
// its METADATA, WHEEL and RECORD, and returns its path.
func makeWheel(t *testing.T, dir, name, version string, files map[string]string) string {
	t.Helper()
	dist := strings.ReplaceAll(name, "-", "_")
	info := fmt.Sprintf("%s-%s.dist-info/", dist, version)
	all := map[string]string{}
	extra := ""
	for k, v := range files {
		if k == "@metadata" { // more METADATA lines (Requires-Dist)
			extra = v
			continue
		}
		all[k] = v
	}
	all[info+"METADATA"] = fmt.Sprintf("Metadata-Version: 2.1\nName: %s\nVersion: %s\nSummary: a PYTI test wheel\n%s", name, version, extra)
	all[info+"WHEEL"] = "Wheel-Version: 1.0\nGenerator: pyti-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
	names := make([]string, 0, len(all))
	for k := range all {
		names = append(names, k)
	}
	sort.Strings(names)
	path := filepath.Join(dir, fmt.Sprintf("%s-%s-py3-none-any.whl", dist, version))
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	var record strings.Builder
	for _, n := range names {
		w, err := zw.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(all[n])); err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256([]byte(all[n]))
		fmt.Fprintf(&record, "%s,sha256=%s,%d\n", n, base64.RawURLEncoding.EncodeToString(sum[:]), len(all[n]))
	}
	record.WriteString(info + "RECORD,,\n")
	w, err := zw.Create(info + "RECORD")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(record.String())); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// makeSdist writes a .tar.gz of files under one top directory, named filename.
func makeSdist(t *testing.T, dir, filename, top string, files map[string]string) string {
	t.Helper()
	path := filepath.Join(dir, filename)
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	names := make([]string, 0, len(files))
	for k := range files {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := tw.WriteHeader(&tar.Header{Name: top + "/" + n, Mode: 0o644, Size: int64(len(files[n])), Typeflag: tar.TypeReg, ModTime: time.Unix(1700000000, 0)}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(files[n])); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// analyzeLocal analyses a local file or directory and returns the report and the job directory.
func analyzeLocal(t *testing.T, path string, opts Options) (*report.Report, string) {
	t.Helper()
	f := index(t)
	job := filepath.Join(t.TempDir(), "job")
	opts.Client, opts.IndexURL, opts.Backend, opts.Dir = f.client, f.url, bwrap.New(), job
	opts.Logger = slog.New(slog.DiscardHandler)
	if opts.LintTimeout == 0 {
		opts.LintTimeout = 3 * time.Minute
	}
	rep, err := Analyze(context.Background(), Request{Spec: path, Path: path}, opts)
	if err != nil {
		t.Fatalf("analyze %s: %v", path, err)
	}
	if rep.Verdict == report.VerdictError {
		t.Errorf("%s: PYTI failed: %s", path, rep.Reason)
	}
	return rep, job
}

// traceOf is the import step's strace log.
func traceOf(t *testing.T, job string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(job, "raw", "import", "import.strace"))
	if err != nil {
		t.Fatalf("no import trace: %v", err)
	}
	return string(data)
}

// ran reports whether the trace shows the file marker created (the payload's proof of life).
func ran(trace, marker string) bool {
	for _, line := range strings.Split(trace, "\n") {
		if strings.Contains(line, marker) && strings.Contains(line, "O_CREAT") && !strings.Contains(line, "= -1") {
			return true
		}
	}
	return false
}

// payload writes a marker file in the working directory: seen in the trace, harmless.
func payload(marker string) string {
	return fmt.Sprintf("open(%q, 'w').write('ran')\n", marker)
}

// TestImportReachesPayloads: modules are found as Python finds them (a namespace package's
// portion, a single module), and import-time code runs even behind an undeclared dependency and
// in a daemon thread, with the missing declaration still the result.
func TestImportReachesPayloads(t *testing.T) {
	t.Parallel()
	whl := makeWheel(t, t.TempDir(), "pyti-test-payloads", "1.0", map[string]string{
		"solo.py":                 "VALUE = 1\n",
		"nsdemo/part/__init__.py": "VALUE = 2\n",
		"undecl.py": "import requests\nfrom requests.adapters import HTTPAdapter\n\n\nclass Session(requests.Session):\n    pass\n\n\n" +
			"@requests.hooks.register('x')\ndef hook():\n    return 1\n\n\n" +
			// As python-dotenv 1.0.0's cli.py: a decorator's result decorates in turn.
			"import click\n\n\n@click.group()\ndef cli():\n    return 2\n\n\n@cli.command()\ndef run():\n    return 3\n\n\n" +
			"class Tool:\n    @click.pass_context\n    def go(self, x):\n        return x\n\n\n" +
			"assert (hook(), cli(), run(), Tool().go(4), cli.__name__) == (1, 2, 3, 4, 'cli')\n" +
			"requests.get('http://example.invalid/').json()['key']\n" + payload("pyti-undeclared-ran"),
		"thready.py": "import threading\nimport time\n\n\ndef later():\n    time.sleep(1)\n    " + payload("pyti-thread-ran") +
			"\n\nthreading.Thread(target=later, daemon=True).start()\n",
		// As regex 2023.8.8: a name the package does not hold yet, while it is imported, is an
		// ImportError the module catches, never a stand-in, in the sweep too.
		"circ/__init__.py": "from circ.impl import *\n",
		"circ/impl.py": "import types\n\ntry:\n    from circ import LATER\nexcept ImportError:\n    LATER = None\n" +
			"if isinstance(LATER, types.ModuleType):\n    raise KeyError(LATER)\nVALUE = 3\n",
		// As webencodings 0.5.1's mklabels.py: Python 2's name first, in a package of the
		// standard library, then Python 3's.
		"circ/fetch.py": "try:\n    from urllib import urlopen\nexcept ImportError:\n    from urllib.request import urlopen\n" +
			"if not callable(urlopen) or urlopen.__module__ != 'urllib.request':\n    raise KeyError(urlopen)\n",
		// A Windows payload's import, with no fallback: a stand-in, and the code after it runs.
		"circ/win.py": "from ctypes import windll\n\nwindll.kernel32.GetTickCount()\n" + payload("pyti-windows-ran"),
		// As cachecontrol 0.12.11's compat.py: Python 2's module first, then Python 3's.
		"circ/compat.py": "try:\n    import cPickle as pickle\nexcept ImportError:\n    import pickle\n" +
			"if pickle.__name__ != 'pickle':\n    raise KeyError(pickle)\n",
		// As typeguard 2.13.3: a guarded import of a module not installed runs the fallback.
		"circ/typing.py": "import sys\ntry:\n    from typing_extensions import Literal\nexcept (ImportError, AttributeError):\n    from typing import Literal\n" +
			"if Literal.__module__ != 'typing':\n    raise KeyError(Literal)\n",
		// As jsonschema 4.10.3's _format.py: an optional import under contextlib.suppress.
		"circ/optional.py": "import contextlib\nfrom contextlib import suppress\n\nwith suppress(ImportError):\n    import fqdn\n" +
			"with contextlib.suppress(ModuleNotFoundError):\n    import idna_missing\nVALUE = 'fqdn' in globals() or 'idna_missing' in globals()\n" +
			"if VALUE:\n    raise KeyError('a stand-in under suppress')\n",
		// Python 2's module with no fallback: a stand-in, and the code after it runs.
		"circ/py2.py": "import urllib2\n\nurllib2.urlopen('http://example.invalid/')\n" + payload("pyti-py2-ran"),
	})
	rep, job := analyzeLocal(t, whl, Options{})
	if rep.Results().Import == nil {
		t.Fatalf("no import result (verdict %s: %s)", rep.Verdict, rep.Reason)
	}
	var names []string
	byName := map[string]report.Module{}
	for _, m := range rep.Results().Import.Modules {
		byName[m.Name] = m
		if m.How == "name" {
			names = append(names, m.Name)
		}
	}
	if diff := cmp.Diff([]string{"circ", "nsdemo.part", "solo", "thready", "undecl"}, names); diff != "" {
		t.Errorf("modules imported by name (-want +got):\n%s", diff)
	}
	if sweep := byName["circ"]; sweep.How != "sweep" || sweep.Swept != 7 || len(sweep.SweepFailed) > 0 || !slices.Equal(sweep.StandIns, []string{"urllib2", "ctypes.windll"}) {
		t.Errorf("circ's sweep %+v, want its 7 other modules imported, with stand-ins for urllib2 and ctypes.windll alone", sweep)
	}
	for _, n := range []string{"nsdemo.part", "solo", "thready"} {
		if !byName[n].OK {
			t.Errorf("%s did not import: %s", n, byName[n].Error)
		}
	}
	u := byName["undecl"]
	if u.OK || u.Missing != "requests" {
		t.Errorf("undecl: ok %v missing %q, want a failure naming requests", u.OK, u.Missing)
	}
	if u.StandInPass == nil || !u.StandInPass.OK || !strings.Contains(strings.Join(u.StandInPass.StandIns, " "), "requests.adapters") {
		t.Errorf("undecl: second pass with stand-ins %+v, want ok with requests and requests.adapters", u.StandInPass)
	}
	if b := byName["thready"].Background; b == nil || b.Threads != 1 || b.ThreadsLeft != 0 {
		t.Errorf("thready: background %+v, want 1 thread that ended within the grace", b)
	}
	if rep.Verdict != report.VerdictImportFailed && rep.Verdict != report.VerdictHarmful {
		t.Errorf("verdict %s (%s), want import-failed", rep.Verdict, rep.Reason)
	}
	if rep.Verdict == report.VerdictImportFailed && !strings.Contains(rep.Reason, "requests") {
		t.Errorf("reason %q does not name requests", rep.Reason)
	}
	tr := traceOf(t, job)
	for _, marker := range []string{"pyti-undeclared-ran", "pyti-thread-ran", "pyti-windows-ran", "pyti-py2-ran"} {
		if !ran(tr, marker) {
			t.Errorf("the payload %s did not run under the trace", marker)
		}
	}
}

// TestBrokenExtensionInsidePackage: an extension module inside a package that does not import
// (a symbol its build did not link) fails the import check, though the package imports: it
// falls back to pure Python, as msgpack and zope.interface do, and its tests pass on that.
func TestBrokenExtensionInsidePackage(t *testing.T) {
	t.Parallel()
	tree := filepath.Join(t.TempDir(), "pyti-example-cext")
	if err := copyTree("../../testdata/examples/cext", tree); err != nil {
		t.Fatal(err)
	}
	edit := func(rel, old, new string) {
		t.Helper()
		p := filepath.Join(tree, rel)
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(data), old) {
			t.Fatalf("%s lacks %q", rel, old)
		}
		if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	edit("csrc/fastmath.c", "PyMODINIT_FUNC PyInit__fastmath(void) {\n",
		"extern void pyti_never_linked(void);\n\nPyMODINIT_FUNC PyInit__fastmath(void) {\n    pyti_never_linked();\n")
	edit("pyti_example_cext/__init__.py", "from pyti_example_cext._fastmath import gcd\n",
		"try:\n    from pyti_example_cext._fastmath import gcd\nexcept ImportError:\n    from math import gcd\n")
	rep, _ := analyzeLocal(t, tree, Options{})
	if rep.Verdict != report.VerdictImportFailed || !strings.Contains(rep.Reason, "pyti_example_cext._fastmath") || !strings.Contains(rep.Reason, "pyti_never_linked") {
		t.Errorf("verdict %s (%s), want import-failed naming pyti_example_cext._fastmath and its undefined symbol", rep.Verdict, rep.Reason)
	}
	var got []string
	if imp := rep.Results().Import; imp != nil {
		for _, m := range imp.Modules {
			if m.How != "sweep" {
				got = append(got, fmt.Sprintf("%s %s %v", m.How, m.Name, m.OK))
			}
		}
	}
	if d := cmp.Diff([]string{"name pyti_example_cext true", "extension pyti_example_cext._fastmath false"}, got); d != "" {
		t.Errorf("modules imported (-want +got):\n%s", d)
	}
}

// TestNothingImportableByName: a package directory whose name is not an identifier is imported
// by its location (its payload runs), and the verdict says that nothing is importable.
func TestNothingImportableByName(t *testing.T) {
	t.Parallel()
	whl := makeWheel(t, t.TempDir(), "pyti-test-mypkg", "1.0", map[string]string{
		"my-pkg/__init__.py": payload("pyti-mypkg-ran"),
	})
	rep, job := analyzeLocal(t, whl, Options{})
	if rep.Verdict != report.VerdictNothingToImport || !strings.Contains(rep.Reason, "my-pkg") {
		t.Errorf("verdict %s (%s), want nothing-to-import naming my-pkg", rep.Verdict, rep.Reason)
	}
	if rep.Results().Import == nil || len(rep.Results().Import.Modules) != 1 || rep.Results().Import.Modules[0].How != "location" || !rep.Results().Import.Modules[0].OK {
		t.Errorf("import %+v, want my-pkg/ imported by location", rep.Results().Import)
	}
	if !ran(traceOf(t, job), "pyti-mypkg-ran") {
		t.Error("the payload of my-pkg/ did not run under the trace")
	}
}

// TestEndlessImport: a module whose import never ends is a timeout of the import step.
func TestEndlessImport(t *testing.T) {
	t.Parallel()
	whl := makeWheel(t, t.TempDir(), "pyti-test-endless", "1.0", map[string]string{
		"endless/__init__.py": "while True:\n    pass\n",
	})
	rep, _ := analyzeLocal(t, whl, Options{ImportTimeout: 40 * time.Second})
	if rep.Verdict != report.VerdictTimeout || !strings.Contains(rep.Reason, "import") || !strings.Contains(rep.Reason, "endless") {
		t.Errorf("verdict %s (%s), want timeout naming the import of endless", rep.Verdict, rep.Reason)
	}
	if rep.Results().Import == nil || len(rep.Results().Import.Modules) != 1 || !rep.Results().Import.Modules[0].TimedOut {
		t.Errorf("import %+v, want endless timed out", rep.Results().Import)
	}
}

// TestCrashingSetupPy: a setup.py that crashes is build-failed with its error line, not
// unresolvable, although pip's metadata preparation in the fetch runs it first.
func TestCrashingSetupPy(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, setup, want string }{
		{"nameerror", "from setuptools import setup\nsetup(name='pyti-test-crash', version=VERSION)\n", "NameError"},
		{"missingfile", "from setuptools import setup\nsetup(name='pyti-test-crash', version='1.0', long_description=open('NOTES.txt').read())\n", "FileNotFoundError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sdist := makeSdist(t, t.TempDir(), "pyti-test-crash-1.0.tar.gz", "pyti-test-crash-1.0", map[string]string{
				"PKG-INFO":           "Metadata-Version: 2.1\nName: pyti-test-crash\nVersion: 1.0\n",
				"setup.py":           tc.setup,
				"pyti_test_crash.py": "VALUE = 1\n",
			})
			rep, _ := analyzeLocal(t, sdist, Options{})
			switch {
			case rep.Verdict == report.VerdictHarmful && strings.Contains(rep.Reason, "EROFS"):
				// A failed write into the read-only system Python (pip compiling a module whose
				// __pycache__ the host lacks) is still taken for a modification: issue 12 point 5.
				t.Logf("verdict harmful from a failed write, not the package's: %s", rep.Reason)
			case rep.Verdict != report.VerdictBuild:
				t.Fatalf("verdict %s (%s), want build-failed", rep.Verdict, rep.Reason)
			case !strings.Contains(rep.Reason, tc.want):
				t.Errorf("reason %q does not name %s", rep.Reason, tc.want)
			}
			for _, task := range rep.Run.Tasks {
				if task.Name == "fetch" && task.Status != "ok" {
					t.Errorf("fetch %s (%s), want ok: the build shows the error", task.Status, task.Error)
				}
			}
			if rep.Results().Build == nil || !strings.Contains(strings.Join(rep.Results().Build.ErrorLines, "\n"), tc.want) {
				t.Errorf("build error lines do not show %s: %+v", tc.want, rep.Results().Build)
			}
		})
	}
}

// TestBadVersionFilename: a local sdist whose file name has an invalid version still gets a
// report, named from its PKG-INFO.
func TestBadVersionFilename(t *testing.T) {
	t.Parallel()
	sdist := makeSdist(t, t.TempDir(), "pyti-test-badver-1.0-final.tar.gz", "pyti-test-badver-1.0", map[string]string{
		"PKG-INFO":            "Metadata-Version: 2.1\nName: pyti-test-badver\nVersion: 1.0\n",
		"setup.py":            "from setuptools import setup\nsetup(name='pyti-test-badver', version='1.0', py_modules=['pyti_test_badver'])\n",
		"pyti_test_badver.py": "VALUE = 1\n",
	})
	rep, _ := analyzeLocal(t, sdist, Options{})
	if rep.Project != "pyti-test-badver" || rep.Version != "1.0" {
		t.Errorf("project %q version %q, want PKG-INFO's pyti-test-badver 1.0", rep.Project, rep.Version)
	}
	if rep.Verdict != report.VerdictNoTests && rep.Verdict != report.VerdictPassed {
		t.Errorf("verdict %s (%s), want the package analysed (no-tests)", rep.Verdict, rep.Reason)
	}
	if rep.Results().Import == nil || len(rep.Results().Import.Modules) != 1 || !rep.Results().Import.Modules[0].OK {
		t.Errorf("import %+v, want pyti_test_badver imported", rep.Results().Import)
	}
}

func TestLastLineAndMetadataFailed(t *testing.T) {
	crash := `Processing /run/pyti-dist/demo-1.0.tar.gz
  Preparing metadata (setup.py): started
  Preparing metadata (setup.py): finished with status 'error'
  error: subprocess-exited-with-error

  × python setup.py egg_info did not run successfully.
  │ exit code: 1
  ╰─> [6 lines of output]
      Traceback (most recent call last):
        File "<string>", line 2, in <module>
        File "/tmp/pip-req-build/setup.py", line 2, in <module>
          setup(name='demo', version=VERSION)
      NameError: name 'VERSION' is not defined
      [end of output]
error: metadata-generation-failed`
	depCrash := `Processing /run/pyti-dist/demo-1.0.tar.gz
  Preparing metadata (setup.py): finished with status 'done'
Collecting olddep
  Downloading olddep-0.1.tar.gz
  Preparing metadata (setup.py): finished with status 'error'
  × python setup.py egg_info did not run successfully.
error: metadata-generation-failed`
	unfetchable := `Processing /run/pyti-dist/demo-1.0.tar.gz
ERROR: Could not find a version that satisfies the requirement nothere (from demo) (from versions: none)
ERROR: No matching distribution found for nothere`
	for _, tc := range []struct {
		name, log, last string
		metadata        bool
	}{
		{"setup.py crashed", crash, "NameError: name 'VERSION' is not defined", true},
		{"a dependency's setup.py crashed", depCrash, "error: metadata-generation-failed", false},
		{"a dependency is not on the index", unfetchable, "ERROR: No matching distribution found for nothere", false},
		{"a build requirement is not on the index", "  error: subprocess-exited-with-error\n  × pip subprocess to install build dependencies did not run successfully.\n      ERROR: No matching distribution found for hatchling>=1.25.0\nerror: subprocess-exited-with-error", "ERROR: No matching distribution found for hatchling>=1.25.0", false},
		{"a source file the sdist lacks, in cc1's words", "gcc -c deps/xxhash/xxhash.c -o build/xxhash.o\ncc1: fatal error: deps/xxhash/xxhash.c: No such file or directory\ncompilation terminated.\nerror: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1",
			"cc1: fatal error: deps/xxhash/xxhash.c: No such file or directory", false},
		{"a library the linker cannot find", "x86_64-linux-gnu-gcc -shared build/a.o -lxml2 -o build/a.so\n/usr/bin/ld: cannot find -lxml2: No such file or directory\ncollect2: error: ld returned 1 exit status\nerror: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1",
			"/usr/bin/ld: cannot find -lxml2: No such file or directory", false},
		{"the driver's own error", "x86_64-linux-gnu-gcc: error: unrecognized command-line option '-mno-fancy'\nerror: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1",
			"x86_64-linux-gnu-gcc: error: unrecognized command-line option '-mno-fancy'", false},
		{"the build backend cannot be imported", "Processing /run/pyti-dist/demo-1.0.tar.gz\n  Installing build dependencies: finished with status 'done'\nERROR: Exception:\nTraceback (most recent call last):\npip._vendor.pyproject_hooks._impl.BackendUnavailable: Traceback (most recent call last):\n    import pkg_resources\nModuleNotFoundError: No module named 'pkg_resources'\n",
			"ModuleNotFoundError: No module named 'pkg_resources'", true},
		{"the front end's wrapper line", "Traceback (most recent call last):\nFileNotFoundError: [Errno 2] No such file or directory: 'NOTES.txt'\nerror: get_requires_for_build_wheel exited with code 1", "FileNotFoundError: [Errno 2] No such file or directory: 'NOTES.txt'", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := lastLine(tc.log); got != tc.last {
				t.Errorf("lastLine = %q, want %q", got, tc.last)
			}
			if got := metadataFailed(tc.log); got != tc.metadata {
				t.Errorf("metadataFailed = %v, want %v", got, tc.metadata)
			}
		})
	}
}

// TestUnfetchableDependencyStillRuns: a declared dependency the index does not have makes the
// verdict unresolvable, and the package's import-time code still runs, with a stand-in for it.
func TestUnfetchableDependencyStillRuns(t *testing.T) {
	t.Parallel()
	whl := makeWheel(t, t.TempDir(), "pyti-test-nodep", "1.0", map[string]string{
		"@metadata":              "Requires-Dist: pyti-not-on-the-index>=1\n",
		"pyti_nodep/__init__.py": "import pyti_not_on_the_index\n" + payload("pyti-nodep-ran"),
	})
	rep, job := analyzeLocal(t, whl, Options{})
	if rep.Verdict != report.VerdictFetch || !strings.Contains(rep.Reason, "pyti-not-on-the-index") {
		t.Errorf("verdict %s (%s), want unresolvable naming the dependency", rep.Verdict, rep.Reason)
	}
	if rep.Results().Import == nil || len(rep.Results().Import.Modules) == 0 || rep.Results().Import.Modules[0].StandInPass == nil || !rep.Results().Import.Modules[0].StandInPass.OK {
		t.Fatalf("import %+v, want pyti_nodep imported with a stand-in", rep.Results().Import)
	}
	if !ran(traceOf(t, job), "pyti-nodep-ran") {
		t.Error("the payload after the missing import did not run under the trace")
	}
}
