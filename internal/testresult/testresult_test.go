package testresult

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/testfs"
)

func TestParseMixedRun(t *testing.T) {
	run := parseTestdata(t, "mixed.jsonl")
	wantCounts := Counts{Passed: 1, Failed: 3, Errors: 3, Skipped: 1, XFailed: 1, XPassed: 1}
	if d := cmp.Diff(wantCounts, run.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	got := map[string][2]string{}
	for _, c := range run.Cases {
		got[c.NodeID] = [2]string{string(c.Outcome), string(c.Class)}
	}
	want := map[string][2]string{
		"tests/test_coll.py":           {"error", "missing-dependency"},
		"tests/test_syntax.py":         {"error", "collection-error"},
		"tests/test_x.py::test_ok":     {"passed", ""},
		"tests/test_x.py::test_assert": {"failed", "assertion"},
		"tests/test_x.py::test_err":    {"error", "error"},
		"tests/test_x.py::test_skip":   {"skipped", ""},
		"tests/test_x.py::test_xfail":  {"xfailed", ""},
		"tests/test_x.py::test_xpass":  {"xpassed", ""},
		"tests/test_x.py::test_net":    {"failed", "needs-network"},
		"tests/test_x.py::test_dns":    {"failed", "needs-network"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cases (-want +got):\n%s", d)
	}
	if !run.Complete || run.ExitStatus != 1 {
		t.Errorf("complete=%v exit=%d, want a complete run with exit status 1", run.Complete, run.ExitStatus)
	}
	for _, c := range run.Cases {
		if c.NodeID == "tests/test_coll.py" && c.Missing != "notinstalledmod" {
			t.Errorf("missing module = %q, want notinstalledmod", c.Missing)
		}
		if c.NodeID == "tests/test_x.py::test_skip" && c.Message != "not today" {
			t.Errorf("skip reason = %q", c.Message)
		}
		// pytest gives no crash message for a module that does not compile: its last E line.
		if c.NodeID == "tests/test_syntax.py" && c.Message != "SyntaxError: invalid syntax" {
			t.Errorf("collection error's message = %q, want the SyntaxError", c.Message)
		}
	}
}

// TestSubtests: a test whose subtest failed (pytest-subtests' reports, as its plugin wrote them
// for tzdata-shaped tests) is a failed case, with the failure's message, though its own call
// passed; the counts are pytest's.
func TestSubtests(t *testing.T) {
	run := parseTestdata(t, "subtests.jsonl")
	if d := cmp.Diff(Counts{Passed: 2, Failed: 1, Subtests: map[string]int{"passed": 2}}, run.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	var got []string
	for _, c := range run.Cases {
		got = append(got, fmt.Sprintf("%s %s %s", c.NodeID, c.Outcome, c.Class))
	}
	want := []string{"tests/test_sub.py::test_subs failed assertion", "tests/test_sub.py::test_plain passed "}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cases (-want +got):\n%s", d)
	}
	if m := run.Cases[0].Message; !strings.Contains(m, "assert") {
		t.Errorf("the failed subtest's message %q is lost", m)
	}
}

// parseTestdata parses a report of the plugin's kept in testdata.
func parseTestdata(t *testing.T, name string) *Run {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	run, err := ParsePytest(f)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

func TestKilledRunIsIncomplete(t *testing.T) {
	in := `{"type": "test", "nodeid": "t.py::a", "when": "setup", "outcome": "passed", "duration": 0.1}
{"type": "test", "nodeid": "t.py::a", "when": "call", "outcome": "passed", "duration": 0.1}
{"type": "test", "nodeid": "t.py::a", "when": "teardown", "outcome": "passed", "duration": 0.1}
{"type": "test", "nodeid": "t.py::hang", "when": "setup", "outcome": "passed", "duration": 0.1}
{"type": "test", "nodeid": "t.py::ha`
	run, err := ParsePytest(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if run.Complete {
		t.Error("a run without a summary must not be complete")
	}
	if d := cmp.Diff(Counts{Passed: 1, Errors: 1}, run.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	if run.Running != "t.py::hang" || run.Classes[TimedOut] != 1 {
		t.Errorf("running=%q classes=%v: want the hanging test timed out", run.Running, run.Classes)
	}
}

func TestMalformedAndEmpty(t *testing.T) {
	if _, err := ParsePytest(strings.NewReader("")); err != ErrNoReport {
		t.Errorf("empty report: err = %v, want ErrNoReport", err)
	}
	if _, err := ParsePytest(strings.NewReader("garbage\n{\"type\":\"summary\"}\n")); err == nil {
		t.Error("a malformed line before the end must be an error")
	}
}

// TestCountsMatchPytest runs the real pytest with the plugin on a small suite and compares PYTI's
// counts with the numbers in pytest's own closing line.
func TestCountsMatchPytest(t *testing.T) {
	src := `import pytest
def test_a(): pass
def test_b(): assert [1] == [2]
@pytest.mark.parametrize("n", range(5))
def test_p(n): assert n % 2 == 0
@pytest.fixture
def bad(): raise KeyError("x")
def test_c(bad): pass
@pytest.mark.skip
def test_d(): pass
@pytest.mark.xfail
def test_e(): raise ValueError
def test_warn():
    import warnings; warnings.warn("careful")
`
	// A module skipped whole: one skipped test, with its reason.
	skipped := "import pytest\npytest.importorskip(\"pyti_no_such_module\")\ndef test_never(): pass\n"
	run, out := runPytest(t, map[string]string{"test_s.py": src, "test_skipmod.py": skipped})
	want := closingLine(t, out)
	got := Counts{Passed: run.Counts.Passed, Failed: run.Counts.Failed, Errors: run.Counts.Errors,
		Skipped: run.Counts.Skipped, XFailed: run.Counts.XFailed, XPassed: run.Counts.XPassed, Warnings: run.Counts.Warnings}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("PYTI counts differ from pytest's closing line (-pytest +pyti):\n%s\n%s", d, out)
	}
	if got.Total() == 0 {
		t.Fatal("no tests counted")
	}
	// Every skip is a case with its reason, the skipped module's too.
	want2 := []ReasonCount{{"could not import 'pyti_no_such_module': No module named 'pyti_no_such_module'", 1, nil}, {"unconditional skip", 1, nil}}
	if d := cmp.Diff(want2, run.SkipReasons()); d != "" {
		t.Errorf("skip reasons (-want +got):\n%s", d)
	}
}

// TestPluginItems: the items an installed pytest plugin adds beside the tests (a check of each
// file, as pytest-flake8's) carry the plugin's project; tests, and the items of the project's own
// conftest.py, carry none.
func TestPluginItems(t *testing.T) {
	plugin := `import pytest
class CheckItem(pytest.Item):
    def runtest(self):
        if "bad" in self.path.read_text("utf-8"):
            raise AssertionError("bad file")
    def reportinfo(self):
        return self.path, None, "check"
class CheckFile(pytest.File):
    def collect(self):
        yield CheckItem.from_parent(self, name="CHECK")
def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".py" and file_path.name.startswith("test_"):
        return CheckFile.from_parent(parent, path=file_path)
`
	conftest := `import pytest
class DataItem(pytest.Item):
    def runtest(self):
        pass
class DataFile(pytest.File):
    def collect(self):
        yield DataItem.from_parent(self, name="data")
def pytest_collect_file(file_path, parent):
    if file_path.suffix == ".dat":
        return DataFile.from_parent(parent, path=file_path)
`
	run, out := runPytest(t, map[string]string{
		"site/fileplug.py": plugin,
		"site/pytest_fileplug-1.0.dist-info/METADATA":         "Metadata-Version: 2.1\nName: pytest-fileplug\nVersion: 1.0\n",
		"site/pytest_fileplug-1.0.dist-info/entry_points.txt": "[pytest11]\nfileplug = fileplug\n",
		"conftest.py": conftest,
		"cases.dat":   "x\n",
		"test_a.py":   "def test_ok():\n    pass\n",
		"test_b.py":   "# bad\ndef test_x():\n    pass\n",
	})
	got := map[string]string{}
	for _, c := range run.Cases {
		got[c.NodeID] = string(c.Outcome) + " " + c.Plugin
	}
	want := map[string]string{
		"cases.dat::data":    "passed ",
		"test_a.py::CHECK":   "passed pytest-fileplug",
		"test_a.py::test_ok": "passed ",
		"test_b.py::CHECK":   "failed pytest-fileplug",
		"test_b.py::test_x":  "passed ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cases, outcome and plugin (-want +got):\n%s\n%s", d, out)
	}
}

// TestTeardownErrorAfterFailure: a test that failed, whose fixture then failed in its teardown
// (watchdog's inotify test timed out, and its fixture found the thread left behind), is one case
// that keeps its failure and its cause; pytest counts both, as its closing line says.
func TestTeardownErrorAfterFailure(t *testing.T) {
	src := `import pytest
left = []
@pytest.fixture
def no_leak():
    yield
    assert not left, "a thread left behind"
def test_waits(no_leak):
    left.append(1)
    raise TimeoutError("no event came")
`
	run, out := runPytest(t, map[string]string{"test_w.py": src})
	if d := cmp.Diff(Counts{Failed: 1, Errors: 1}, closingLine(t, out)); d != "" {
		t.Errorf("pytest's closing line (-want +got)\n%s", d)
	}
	var got []string
	for _, c := range run.Cases {
		got = append(got, fmt.Sprintf("%s %s %s %s", c.NodeID, c.Outcome, c.Class, c.Message))
	}
	want := []string{"test_w.py::test_waits failed error TimeoutError: no event came"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cases (-want +got)\n%s\n%s", d, out)
	}
}

// runPytest runs /usr/bin/python3's pytest with PYTI's plugin on a suite of these files, and
// returns what the plugin reported and pytest's output.
func runPytest(t *testing.T, files map[string]string, args ...string) (*Run, string) {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	dir := t.TempDir()
	plugdir := filepath.Join(dir, "plugin")
	suite := filepath.Join(dir, "suite")
	for _, d := range []string{plugdir, suite} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(plugdir, PluginModule+".py"), PytestPlugin, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, src := range files {
		// A name under site/ is installed beside the plugin, on PYTHONPATH.
		path := filepath.Join(suite, name)
		if rest, ok := strings.CutPrefix(name, "site/"); ok {
			path = filepath.Join(plugdir, rest)
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	report := filepath.Join(dir, "report.jsonl")
	argv := append([]string{"-m", "pytest", "-p", PluginModule, "-p", "no:cacheprovider", "--rootdir", suite}, args...)
	cmd := exec.Command("/usr/bin/python3", append(argv, suite)...)
	cmd.Env = append(os.Environ(), "PYTHONPATH="+plugdir, "PYTI_PYTEST_REPORT="+report)
	out, _ := cmd.CombinedOutput()
	return readReport(t, report, out), string(out)
}

// readReport parses the plugin's report of a pytest run whose output was out.
func readReport(t *testing.T, report string, out []byte) *Run {
	t.Helper()
	f, err := os.Open(report)
	if err != nil {
		t.Fatalf("no report: %v\n%s", err, out)
	}
	defer f.Close()
	run, err := ParsePytest(f)
	if err != nil {
		t.Fatal(err)
	}
	return run
}

// closingLine parses pytest's closing line, failing the test when there is none.
func closingLine(t *testing.T, out string) Counts {
	t.Helper()
	c, ok := ParseClosingLine(out)
	if !ok {
		t.Fatalf("no pytest closing line in:\n%s", out)
	}
	return c
}

func TestParseClosingLine(t *testing.T) {
	tests := []struct {
		in   string
		want Counts
		ok   bool
	}{
		{"=== 2 failed, 4 passed, 1 warning in 0.12s ===", Counts{Failed: 2, Passed: 4, Warnings: 1}, true},
		{"collected\n\n1 error in 0.5s", Counts{Errors: 1}, true},
		{"3 failed, 1 passed, 1 skipped, 1 xfailed, 1 xpassed, 3 errors in 1.02s", Counts{Failed: 3, Passed: 1, Skipped: 1, XFailed: 1, XPassed: 1, Errors: 3}, true},
		{"no tests ran in 0.01s", Counts{}, false},
	}
	for _, tc := range tests {
		got, ok := ParseClosingLine(tc.in)
		if d := cmp.Diff(tc.want, got); d != "" || ok != tc.ok {
			t.Errorf("%q: ok=%v (-want +got):\n%s", tc.in, ok, d)
		}
	}
}

func TestClassify(t *testing.T) {
	type got = cause
	for _, tc := range []struct {
		name, message, longrepr string
		collecting              bool
		want                    got
	}{
		{"missing module", "ModuleNotFoundError: No module named 'pretend'", "", true, got{Class: MissingDependency, Module: "pretend"}},
		{"a plugin's missing module", `ImportError: Error importing plugin "sphinx.testing.fixtures": No module named 'roman'`, "", true,
			got{Class: MissingDependency, Module: "roman"}},
		{"missing data file", "FileNotFoundError: [Errno 2] No such file or directory: 'tests/data/a.json'", "", false,
			got{Class: MissingFile, Path: "tests/data/a.json"}},
		{"missing data while collecting", "FileNotFoundError: [Errno 2] No such file or directory: '/t/tree/toml-test'", "", true,
			got{Class: MissingFile, Path: "/t/tree/toml-test"}},
		{"network", "OSError: [Errno 101] Network is unreachable", "", false, got{Class: NeedsNetwork}},
		{"a file under /sys, which the sandbox keeps out (psutil)", "FileNotFoundError: [Errno 2] No such file or directory: '/sys/class/net/lo/mtu'", "", false,
			got{Class: HiddenSystem}},
		{"a program's own words about /sys (lscpu, under psutil)", "RuntimeError: lscpu: failed to determine number of CPUs: /sys/devices/system/cpu/possible: No such file or directory", "", false,
			got{Class: HiddenSystem}},
		{"a test's own file named like /sys is test data", "FileNotFoundError: [Errno 2] No such file or directory: 'tests/sys/block'", "", false,
			got{Class: MissingFile, Path: "tests/sys/block"}},
		{"an assertion about /sys stays an assertion", "AssertionError: assert os.path.exists('/sys/block')",
			"E   FileNotFoundError: [Errno 2] No such file or directory: '/sys/block'", false, got{Class: Assertion}},
		{"assertion about a missing file stays an assertion", "AssertionError: assert False",
			"E   FileNotFoundError: [Errno 2] No such file or directory: 'x'", false, got{Class: Assertion}},
		{"the py library, which pytest's py no longer is (cffi)", "AttributeError: module 'py' has no attribute 'test'", "", false,
			got{Class: MissingDependency, Module: "py"}},
		{"the py library's std, while collecting (pytest-xprocess)", "ImportError: cannot import name 'std' from 'py' (/venv/lib/python3.11/site-packages/py.py)", "", true,
			got{Class: MissingDependency, Module: "py"}},
		{"a plugin's fixture a test asks for", "", "file tests/test_a.py, line 3\n  def test_a(benchmark):\nE       fixture 'benchmark' not found", false,
			got{Class: MissingDependency, Module: "pytest_benchmark"}},
		{"a plugin's fixture a doctest asks for (tempora's getfixture('freezer'))", "",
			"041     >>> freezer = getfixture('freezer')\nUNEXPECTED EXCEPTION: FixtureLookupError('freezer', <FixtureRequest for <DoctestItem tempora.get_nearest_year_for_day>>)\nTraceback (most recent call last):", false,
			got{Class: MissingDependency, Module: "pytest_freezer"}},
		{"syntax error while collecting", "SyntaxError: invalid syntax", "", true, got{Class: CollectionError}},
		{"other exception", "ValueError: bad", "", false, got{Class: Exception}},
		{"pytest-timeout's limit (tqdm's timeout = 30)", "Failed: Timeout >30.0s",
			"tqdm/_monitor.py:44: in exit\n    self.join()\nE   Failed: Timeout >30.0s", false, got{Class: TimedOut}},
		{"a plugin's fixture", "", "file /t/tests/test_help.py, line 14\n  def test_idna(mocker):\nE       fixture 'mocker' not found\n>       available fixtures: capfd", false,
			got{Class: MissingDependency, Module: "pytest_mock"}},
		{"a conftest fixture over a plugin's that is not there (requests' httpbin)", "",
			"file /t/tests/conftest.py, line 25\n  @pytest.fixture\n  def httpbin(httpbin):\nE       recursive dependency involving fixture 'httpbin' detected", false,
			got{Class: MissingDependency, Module: "pytest_httpbin"}},
		{"a program subprocess could not find", "FileNotFoundError: [Errno 2] No such file or directory: 'git'",
			"/usr/lib/python3.11/subprocess.py:1901: in _execute_child\n    raise child_exception_type(errno_num, err_msg, err_filename)\nE   FileNotFoundError: [Errno 2] No such file or directory: 'git'", false,
			got{Class: MissingProgram, Program: "git"}},
		{"a script of the tree subprocess could not find is test data", "FileNotFoundError: [Errno 2] No such file or directory: 'tests/run.sh'",
			"/usr/lib/python3.11/subprocess.py:1901: in _execute_child\nE   FileNotFoundError: [Errno 2] No such file or directory: 'tests/run.sh'", false,
			got{Class: MissingFile, Path: "tests/run.sh"}},
		{"pexpect's command not found (pexpect's test_zsh)", "pexpect.exceptions.ExceptionPexpect: The command was not found or was not executable: zsh.", "", false,
			got{Class: MissingProgram, Program: "zsh"}},
		{"a missing file opened without subprocess stays a file", "FileNotFoundError: [Errno 2] No such file or directory: 'git'", "", false,
			got{Class: MissingFile, Path: "git"}},
		{"a locale the machine lacks", "locale.Error: unsupported locale setting",
			"    def test_locale():\n>       locale.setlocale(locale.LC_ALL, 'de_DE.UTF-8')\n\ncategory = 6, locale = 'de_DE.UTF-8'\n\n    def setlocale(category, locale=None):\n>       return _setlocale(category, locale)\nE       locale.Error: unsupported locale setting", false,
			got{Class: MissingLocale, Locale: "de_DE.UTF-8"}},
		{"a locale the machine lacks, by a name the traceback does not show", "locale.Error: unsupported locale setting", "", false, got{Class: MissingLocale}},
		{"a fixture no known plugin provides stays the test's error", "", "E       fixture 'my_thing' not found", false, got{Class: Exception}},
		{"a name a plugin adds to pytest (prettytable's pytest.lazy_fixture)", "AttributeError: module 'pytest' has no attribute 'lazy_fixture'", "", true,
			got{Class: MissingDependency, Module: "pytest_lazyfixture"}},
		{"a name no known plugin adds stays a collection error", "AttributeError: module 'pytest' has no attribute 'lazyfixture'", "", true,
			got{Class: CollectionError}},
		{"pytest run by a test warns of a plugin's ini option (pytest-mock's pytester tests without pytest-asyncio)", "Failed: nomatch: '* 1 passed in *'",
			"E           and: '  /work/venv/lib/python3.11/site-packages/_pytest/config/__init__.py:1294: PytestConfigWarning: Unknown config option: asyncio_mode'\n" +
				"E           and: '========================= 1 passed, 1 warning in 0.01s ========================='\nE       remains unmatched: '* 1 passed in *'", false,
			got{Class: MissingDependency, Module: "pytest_asyncio"}},
		{"an ini option no known plugin defines stays the test's failure", "Failed: nomatch",
			"E           and: 'PytestConfigWarning: Unknown config option: my_option'", false, got{Class: Exception}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, classify(tc.message, tc.longrepr, tc.collecting)); d != "" {
				t.Errorf("classify (-want +got):\n%s", d)
			}
		})
	}
}

// TestClassifyNetwork: the ways a test fails when the network it wants is the sandbox's
// sinkhole (TLS closed after the ClientHello) or absent are all "needs network".
func TestClassifyNetwork(t *testing.T) {
	tests := []struct {
		name, message string
		want          Class
	}{
		{"no name", "socket.gaierror: [Errno -2] Name or service not known", NeedsNetwork},
		{"tls to the sinkhole (ssl)", "ssl.SSLEOFError: [SSL: UNEXPECTED_EOF_WHILE_READING] EOF occurred in violation of protocol (_ssl.c:992)", NeedsNetwork},
		{"tls to the sinkhole (requests)", "requests.exceptions.SSLError: HTTPSConnectionPool(host='x.example', port=443): Max retries exceeded with url: / (Caused by SSLError(SSLEOFError(8, 'EOF occurred in violation of protocol (_ssl.c:992)')))", NeedsNetwork},
		{"server closed", "http.client.RemoteDisconnected: Remote end closed connection without response", NeedsNetwork},
		{"no route", "OSError: [Errno 101] Network is unreachable", NeedsNetwork},
		{"a connection that was to fail got the sinkhole (requests' doesnotexist.google.com)", "Failed: DID NOT RAISE <class 'requests.exceptions.ConnectionError'>", NeedsNetwork},
		{"another exception that did not come", "Failed: DID NOT RAISE <class 'ValueError'>", Exception},
		{"plain assertion", "AssertionError: assert 1 == 2", Assertion},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.message, "", false).Class; got != tc.want {
				t.Errorf("classify(%q) = %s, want %s", tc.message, got, tc.want)
			}
		})
	}
}

func TestSkipReasons(t *testing.T) {
	skip := func(msg string) Case { return Case{Outcome: Skipped, Message: msg} }
	for _, tc := range []struct {
		name  string
		cases []Case
		want  []ReasonCount
	}{
		{"one reason each", []Case{
			{NodeID: "a", Outcome: Skipped, Message: skipReason("('/t/a.py', 3, 'Skipped: exceptiongroup not installed')")},
			{NodeID: "b", Outcome: Skipped, Message: skipReason(`("/t/b.py", 9, "Skipped: could not import 'yaml': No module named 'yaml'")`)},
			{NodeID: "c", Outcome: Skipped, Message: skipReason("('/t/c.py', 4, 'Skipped: exceptiongroup not installed')")},
			{NodeID: "d", Outcome: Passed},
		}, []ReasonCount{{"exceptiongroup not installed", 2, nil}, {"could not import 'yaml': No module named 'yaml'", 1, nil}}},
		// beautifulsoup4 4.12.2 without lxml: three sentences, one cause.
		{"a missing module in other words", []Case{
			skip("html5lib seems not to be present, not testing its tree builder."),
			skip("html5lib seems not to be present, not testing its tree builder."),
			skip("html5lib seems not to be present, not testing its tree builder."),
			skip("lxml seems not to be present, not testing its tree builder."),
			skip("lxml seems not to be present, not testing its tree builder."),
			skip("lxml seems not to be present, not testing its XML tree builder."),
			skip("lxml not installed, cannot parse XML document"),
			skip("could not import 'lxml.etree': No module named 'lxml'"),
			skip("Skipping doctype test for old version of lxml to avoid segfault."),
			skip("html5lib problems"),
		}, []ReasonCount{
			{"lxml not installed", 5, []string{
				"lxml seems not to be present, not testing its tree builder.",
				"could not import 'lxml.etree': No module named 'lxml'",
				"lxml not installed, cannot parse XML document",
				"lxml seems not to be present, not testing its XML tree builder.",
			}},
			{"html5lib seems not to be present, not testing its tree builder.", 3, nil},
			{"Skipping doctype test for old version of lxml to avoid segfault.", 1, nil},
			{"html5lib problems", 1, nil},
		}},
		// tqdm 4.64.1: its submodules for other libraries, each importorskip'd.
		{"the module Python says is missing, not the one importorskip asked for", []Case{
			skip("could not import 'tqdm.dask': No module named 'dask'"), skip("could not import 'tqdm.keras': No module named 'keras'"),
			skip("could not import 'tqdm.rich': No module named 'rich'"), skip("could not import 'numpy': No module named 'numpy'"),
			skip("could not import 'numpy.random': No module named 'numpy'"),
		}, []ReasonCount{
			{"numpy not installed", 2, []string{"could not import 'numpy': No module named 'numpy'", "could not import 'numpy.random': No module named 'numpy'"}},
			{"could not import 'tqdm.dask': No module named 'dask'", 1, nil},
			{"could not import 'tqdm.keras': No module named 'keras'", 1, nil},
			{"could not import 'tqdm.rich': No module named 'rich'", 1, nil},
		}},
		{"not a module", []Case{skip("network is not available"), skip("network not available: offline"), skip("requires Python 3.12")},
			[]ReasonCount{{"network is not available", 1, nil}, {"network not available: offline", 1, nil}, {"requires Python 3.12", 1, nil}}},
		{"none skipped", []Case{{Outcome: Passed}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := &Run{Cases: tc.cases}
			if d := cmp.Diff(tc.want, run.SkipReasons()); d != "" {
				t.Errorf("skip reasons (-want +got):\n%s", d)
			}
		})
	}
}

// TestTreePortionsFirst: tests inside a pkg_resources-style namespace package, run from the test
// tree, import the tree's copy of the package (which PYTI fills with the installed files) when
// PYTI_NAMESPACE_PORTIONS names the tree's portion; without it, setuptools' -nspkg.pth leaves
// site-packages alone on the namespace's path and the test module is found twice.
func TestTreePortionsFirst(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	// What setuptools 66 writes into acme.core-1-nspkg.pth for namespace package "acme".
	const nspkg = `import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('acme',));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and sys.modules.setdefault('acme', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('acme', [os.path.dirname(p)])));m = m or sys.modules.setdefault('acme', types.ModuleType('acme'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)`
	const test = "import acme.core\nfrom acme.core import WHERE\n\ndef test_where():\n    assert WHERE == 'tree', acme.core.__file__\n"
	tests := []struct {
		name     string
		portions bool
		// stub installs a namespace package's __init__.py beside the .pth, as Debian's
		// zope.interface does: the module the .pth makes then has a __file__.
		stub bool
		want Counts
	}{
		{"the tree's portion first: the tree's copy is tested", true, false, Counts{Passed: 1}},
		{"site-packages alone on the namespace's path", false, false, Counts{Errors: 1}},
		{"the tree's portion first, a namespace __init__.py installed too", true, true, Counts{Passed: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"plugin/" + PluginModule + ".py":         string(PytestPlugin),
				"site/acme.core-1-nspkg.pth":             nspkg + "\n",
				"site/acme/core/__init__.py":             "WHERE = 'site'\n",
				"site/acme/core/tests/__init__.py":       "",
				"site/acme/core/tests/test_where.py":     test,
				"tree/src/acme/__init__.py":              "__import__('pkg_resources').declare_namespace(__name__)\n",
				"tree/src/acme/core/__init__.py":         "WHERE = 'tree'\n",
				"tree/src/acme/core/tests/__init__.py":   "",
				"tree/src/acme/core/tests/test_where.py": test,
			}
			if tc.stub {
				files["site/acme/__init__.py"] = "__import__('pkg_resources').declare_namespace(__name__)\n"
			}
			testfs.Write(t, dir, files)
			report := filepath.Join(dir, "report.jsonl")
			// site.addsitedir runs the .pth as interpreter start-up runs those of site-packages.
			cmd := exec.Command("/usr/bin/python3", "-c", "import site, sys; site.addsitedir(sys.argv[1]); import pytest; sys.exit(pytest.main(sys.argv[2:]))",
				filepath.Join(dir, "site"), "-p", PluginModule, "-p", "no:cacheprovider", "src")
			cmd.Dir = filepath.Join(dir, "tree")
			cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(dir, "plugin"), "PYTI_PYTEST_REPORT="+report)
			if tc.portions {
				cmd.Env = append(cmd.Env, `PYTI_NAMESPACE_PORTIONS={"acme": ["`+filepath.Join(dir, "tree", "src", "acme")+`"]}`)
			}
			out, _ := cmd.CombinedOutput()
			if d := cmp.Diff(tc.want, closingLine(t, string(out))); d != "" {
				t.Errorf("counts (-want +got):\n%s\n%s", d, out)
			}
		})
	}
}

// TestCovOptionsAccepted: a project whose pytest configuration passes pytest-cov's options runs its
// tests with PYTI's plugin when pytest-cov is not there; without the plugin pytest refuses its
// command line and runs none. With pytest-cov there, its own options are used (no clash).
func TestCovOptionsAccepted(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	const test = "import pytest\n\ndef test_a():\n    pass\n\n@pytest.mark.no_cover\ndef test_b():\n    pass\n\ndef test_c(no_cover):\n    pass\n"
	type covCase struct {
		name    string
		ini     string
		plugin  bool
		want    Counts
		refused bool
		// covThere leaves pytest-cov registered, when it is installed.
		covThere bool
	}
	tests := []covCase{
		{name: "addopts with --cov=PKG, reports, append", ini: "[pytest]\naddopts = --cov-append --cov-report=html --cov=pkg --cov-report term-missing --strict-markers\n",
			plugin: true, want: Counts{Passed: 3}},
		{name: "a bare --cov, a branch and a threshold", ini: "[pytest]\naddopts = --cov --cov-branch --cov-fail-under=90 --cov-config=setup.cfg --no-cov-on-fail\n",
			plugin: true, want: Counts{Passed: 3}},
		{name: "no pytest-cov option", ini: "[pytest]\naddopts = --strict-markers\n", plugin: true, want: Counts{Passed: 3}},
		{name: "without PYTI's plugin pytest refuses --cov", ini: "[pytest]\naddopts = --cov=pkg\n", refused: true},
	}
	if exec.Command("/usr/bin/python3", "-c", "import pytest_cov").Run() == nil {
		tests = append(tests, covCase{name: "pytest-cov installed and registered", ini: "[pytest]\naddopts = --cov=pkg --cov-report= --strict-markers\n",
			plugin: true, want: Counts{Passed: 3}, covThere: true})
		// frozenlist 1.4.1's addopts load pytest-cov by name before PYTI's -p no:pytest_cov
		// unregisters it: its options stay declared, and declaring them again crashed pytest.
		tests = append(tests, covCase{name: "addopts load pytest-cov, PYTI blocks it", ini: "[pytest]\naddopts = -p pytest_cov --cov=pkg --cov-report=term --strict-markers\n",
			plugin: true, want: Counts{Passed: 3}})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			files := map[string]string{
				"plugin/" + PluginModule + ".py": string(PytestPlugin),
				"tree/pytest.ini":                tc.ini,
				"tree/tests/test_a.py":           test,
			}
			testfs.Write(t, dir, files)
			args := []string{"-m", "pytest", "-p", "no:cacheprovider"}
			if !tc.covThere {
				// Blocked, pytest-cov is not registered, as when it is not installed.
				args = append(args, "-p", "no:pytest_cov")
			}
			if tc.plugin {
				args = append(args, "-p", PluginModule)
			}
			cmd := exec.Command("/usr/bin/python3", args...)
			cmd.Dir = filepath.Join(dir, "tree")
			cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(dir, "plugin"), "PYTI_PYTEST_REPORT="+filepath.Join(dir, "report.jsonl"))
			out, _ := cmd.CombinedOutput()
			if tc.refused {
				if !strings.Contains(string(out), "unrecognized arguments: --cov") {
					t.Errorf("pytest did not refuse --cov:\n%s", out)
				}
				return
			}
			if d := cmp.Diff(tc.want, closingLine(t, string(out))); d != "" {
				t.Errorf("counts (-want +got):\n%s\n%s", d, out)
			}
		})
	}
}

// runWithPlugin runs pytest with PYTI's plugin, unittest's python_files and args over a tree of
// files, with PYTI_UNITTEST_PROTOCOLS set to protocols when it is not "", and returns what the plugin
// reported (warnings not counted) and pytest's output.
func runWithPlugin(t *testing.T, tree map[string]string, protocols string, args ...string) (*Run, []byte) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{"plugin/" + PluginModule + ".py": string(PytestPlugin)}
	for name, text := range tree {
		files["tree/"+name] = text
	}
	testfs.Write(t, dir, files)
	report := filepath.Join(dir, "report.jsonl")
	cmd := exec.Command("/usr/bin/python3", append([]string{"-m", "pytest", "-p", PluginModule, "-p", "no:cacheprovider",
		"-o", "python_files=test*.py *_test.py"}, args...)...)
	cmd.Dir = filepath.Join(dir, "tree")
	cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(dir, "plugin"), "PYTI_PYTEST_REPORT="+report)
	if protocols != "" {
		cmd.Env = append(cmd.Env, "PYTI_UNITTEST_PROTOCOLS="+protocols)
	}
	out, _ := cmd.CombinedOutput()
	run := readReport(t, report, out)
	run.Counts.Warnings = 0
	return run, out
}

// TestGuardedImportNameError: a NameError for a name that a guarded import (try: import X /
// except ImportError) would have bound is a missing dependency, named by the first module of
// that try block that is not installed, at collection (mccabe's @settings from hypothesis) and
// in a test. Any other NameError stays the code's own.
func TestGuardedImportNameError(t *testing.T) {
	run, out := runPytest(t, map[string]string{
		// mccabe's shape: the first import fails, the name comes from the next one.
		"test_collect.py": "try:\n    import pyti_missing_first\n    from json import dumps as settings\nexcept ImportError:\n    pyti_missing_first = None\n\n@settings\ndef test_never():\n    pass\n",
		"test_call.py": "import pytest\ntry:\n    import os\n    if os.sep:\n        from pyti_missing_pkg.sub import helper\nexcept (ValueError, ImportError):\n    pass\n\n" +
			"def test_helper():\n    assert helper() == 1\n\ndef test_typo():\n    assert hepler() == 1\n\ndef test_bound_before():\n    assert undefined_name\n",
		"test_present.py": "try:\n    import json\nexcept ImportError:\n    json = None\n\ndef test_present():\n    assert jsn.dumps(1)\n",
	}, "--continue-on-collection-errors")
	got := failures(run, func(c Case) string { return c.Missing })
	want := map[string]string{
		"test_collect.py":                 "missing-dependency pyti_missing_first",
		"test_call.py::test_helper":       "missing-dependency pyti_missing_pkg",
		"test_call.py::test_typo":         "error ",
		"test_call.py::test_bound_before": "error ",
		"test_present.py::test_present":   "error ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("failures (-want +got):\n%s\n%s", d, out)
	}
}

// TestMissingProgram: a test that runs a program the machine lacks fails for its environment,
// whether subprocess runs it by name or by absolute path, and so does one that sets a locale the
// machine lacks; a script of the tree that is not there is test data, and a test that expects
// the error is not failing for it.
func TestMissingProgram(t *testing.T) {
	run, out := runPytest(t, map[string]string{
		"test_programs.py": "import subprocess, pytest\n\n" +
			"def test_by_name():\n    subprocess.run(['pyti-no-such-program', '--version'], check=True)\n\n" +
			"def test_by_path():\n    subprocess.check_output(['/opt/pyti-none/bin/tool'])\n\n" +
			"def test_tree_script():\n    subprocess.run(['data/pyti-run.sh'])\n\n" +
			"def test_locale():\n    import locale\n    locale.setlocale(locale.LC_ALL, 'xx_PYTI.UTF-8')\n\n" +
			"def test_expects_it():\n    with pytest.raises(FileNotFoundError):\n        subprocess.run(['pyti-no-such-program'])\n    assert False, 'then fails on its own'\n" +
			"def test_own_lookup():\n    import shutil\n    if shutil.which('pyti-no-such-program') is None:\n" +
			"        raise ValueError(\"Command 'pyti-no-such-program' not found. Set the BIN environment variable to override the search path.\")\n\n" +
			"def test_other_not_found():\n    raise KeyError('key not found')\n",
	})
	got := failures(run, func(c Case) string { return c.MissingProgram + c.MissingPath + c.MissingLocale })
	want := map[string]string{
		"test_programs.py::test_by_name":         "missing-program pyti-no-such-program",
		"test_programs.py::test_by_path":         "missing-program /opt/pyti-none/bin/tool",
		"test_programs.py::test_tree_script":     "missing-file data/pyti-run.sh",
		"test_programs.py::test_locale":          "missing-locale xx_PYTI.UTF-8",
		"test_programs.py::test_expects_it":      "assertion ",
		"test_programs.py::test_own_lookup":      "missing-program pyti-no-such-program",
		"test_programs.py::test_other_not_found": "error ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("failures (-want +got):\n%s\n%s", d, out)
	}
}

// failures maps each failing case of run to its class and what (the missing thing it names).
func failures(run *Run, what func(Case) string) map[string]string {
	got := map[string]string{}
	for _, c := range run.Failing() {
		got[c.NodeID] = string(c.Class) + " " + what(c)
	}
	return got
}

// TestTwoCollectorsOfOneFile: with --doctest-modules --doctest-ignore-import-errors, a test
// module that cannot import is collected twice, its doctests skipped and the module an error
// (fonttools' Tests/). Both reports are cases, as pytest counts both.
func TestTwoCollectorsOfOneFile(t *testing.T) {
	run, out := runPytest(t, map[string]string{
		"test_needs.py": "import pyti_no_such_module\n\ndef test_x():\n    pass\n",
		"test_ok.py":    "def test_y():\n    pass\n",
	}, "--doctest-modules", "--doctest-ignore-import-errors", "--continue-on-collection-errors")
	got := map[string]int{}
	for _, c := range run.Cases {
		got[c.NodeID+" "+string(c.Outcome)+" "+string(c.Class)]++
	}
	want := map[string]int{
		"test_needs.py skipped ":                 1,
		"test_needs.py error missing-dependency": 1,
		"test_ok.py::test_y passed ":             1,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cases (-want +got):\n%s\n%s", d, out)
	}
	if d := cmp.Diff(Counts{Passed: 1, Errors: 1, Skipped: 1}, run.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
}

// TestExitAtImport: a collection that ended in SystemExit from a module-level unittest.main() or
// sys.exit() names that call in the case's message; another SystemExit, or another error, does not.
func TestExitAtImport(t *testing.T) {
	const plyTrace = "test/testlex.py:680: in <module>\n    unittest.main()\n/usr/lib/python3.11/unittest/main.py:101: in __init__\n    self.parseArgs(argv)\nE   SystemExit: 2"
	for _, tc := range []struct {
		name, message, longrepr, want string
	}{
		{"ply's unittest.main() at import", "SystemExit: 2", plyTrace, "unittest.main()"},
		{"sys.exit at import", "SystemExit: 1", "t.py:3: in <module>\n    sys.exit(run())\nE   SystemExit: 1", "sys.exit()"},
		{"exit deep in a fixture", "SystemExit: 1", "conftest.py:9: in setup\n    sys.exit(1)\nE   SystemExit: 1", ""},
		{"another error at import", "ImportError: x", "t.py:1: in <module>\n    main()\nE   ImportError: x", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			line, err := json.Marshal(map[string]any{"type": "collect", "nodeid": "test/t.py", "outcome": "failed", "message": tc.message, "longrepr": tc.longrepr})
			if err != nil {
				t.Fatal(err)
			}
			run, err := ParsePytest(bytes.NewReader(append(line, '\n')))
			if err != nil || len(run.Cases) != 1 {
				t.Fatalf("ParsePytest: %v, %+v", err, run)
			}
			got := ""
			if _, after, ok := strings.Cut(run.Cases[0].Message, "(the module calls "); ok {
				got, _, _ = strings.Cut(after, " ")
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("the call named in %q (-want +got):\n%s", run.Cases[0].Message, d)
			}
		})
	}
}

// closedPort is a test module's helper (after `import socket`): a port on loopback that nothing
// listens on, one the kernel gave from its ephemeral range.
const closedPort = `

def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port
`

// TestFailureThatReachedOut: the plugin's audit hook names the hosts outside the machine a failed
// test looked up or connected to, and such a failure needs the network whatever its assertion
// says (distlib's tests assert on PyPI's answers); a failure that reached only this machine stays
// the test's own.
func TestFailureThatReachedOut(t *testing.T) {
	run, out := runPytest(t, map[string]string{"test_net.py": `import socket

def test_asks_another_machine():
    socket.getaddrinfo("203.0.113.9", 80)
    assert False, "no release found"

def test_asks_this_machine():
    socket.getaddrinfo("127.0.0.1", 80)
    socket.getaddrinfo("localhost", 80)
    assert False, "no release found"

def test_reaches_out_and_passes():
    socket.getaddrinfo("203.0.113.9", 80)
` + closedPort + `

def test_local_server_not_running():
    socket.create_connection(("127.0.0.1", closed_port()))


def test_refused_here_after_asking_another_machine():
    socket.getaddrinfo("203.0.113.9", 80)
    socket.create_connection(("127.0.0.1", closed_port()))
`, "test_collect_local.py": `import socket

s = socket.socket()
s.bind(("127.0.0.1", 0))
port = s.getsockname()[1]
s.close()
socket.create_connection(("127.0.0.1", port))
`}, "--continue-on-collection-errors")
	got := map[string]Class{}
	for _, c := range run.Cases {
		got[c.NodeID] = c.Class
	}
	want := map[string]Class{
		"test_net.py::test_asks_another_machine":   NeedsNetwork,
		"test_net.py::test_asks_this_machine":      Assertion,
		"test_net.py::test_reaches_out_and_passes": "",
		// "Connection refused" from a server of its own on loopback: not the network's want.
		"test_net.py::test_local_server_not_running":                  Exception,
		"test_net.py::test_refused_here_after_asking_another_machine": NeedsNetwork,
		"test_collect_local.py":                                       CollectionError,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("classes (-want +got):\n%s\n%s", d, out)
	}
}

// TestServicesNotRunning: a failure refused by a port on this machine that no process of the run
// bound wants a service the tests expect to find running (redis 4.5.4's Redis at
// localhost:6379); one refused by a port the run bound (a server of its own, which died), or by
// an ephemeral port (one a server bound as port 0 may have had), stays the test's own. A refusal
// the trace saw (libpq's, from C) counts for a failure whose words name its socket's path, or its
// port beside words of a connection.
func TestServicesNotRunning(t *testing.T) {
	run, out := runPytest(t, map[string]string{"test_service.py": `import socket

import pytest
` + closedPort + `

def test_needs_a_redis():
    socket.create_connection(("127.0.0.1", 6399))


def test_own_server_died():
    socket.create_connection(("127.0.0.1", 6398))


def test_ephemeral_port():
    socket.create_connection(("127.0.0.1", closed_port()))


def test_fails_on_its_own():
    assert False


def test_libpq_socket():
    raise Exception('connection to server on socket "/run/pyti-none/.s.PGSQL.5432" failed: No such file or directory')


def test_libpq_port():
    raise Exception('connection to server at "127.0.0.1", port 5433 failed: Connection refused')


def test_longer_number():
    raise Exception('connection failed after 154330 bytes')


def test_bound_port():
    raise Exception('connection to port 6398 refused')


def test_number_alone():
    assert 5433 == 5434


def test_number_not_a_port():
    raise Exception("connect: SysCallError(-1, 'Unexpected EOF')")


def test_reached_outside():
    try:
        socket.create_connection(("192.0.2.1", 9), timeout=0.05)
    except OSError:
        pass
    raise Exception("connection to port 5433 failed")


class OperationalError(Exception):
    pass


@pytest.fixture(scope="module")
def db():
    try:
        socket.create_connection(("127.0.0.1", 6397))
    except OSError as e:
        raise OperationalError("Can't connect to MySQL server on 'localhost' (%s)" % e)


def test_db_first(db):
    pass


def test_db_cached(db):
    pass


def test_refused_alone():
    raise ConnectionRefusedError(111, "Connection refused")
`})
	// What the trace saw refused, beside what the plugin saw.
	refused := []LocalRefusal{
		{Endpoint: "unix:/run/pyti-none/.s.PGSQL.5432", Path: "/run/pyti-none/.s.PGSQL.5432"},
		{Endpoint: "127.0.0.1:5433", Port: 5433},
		{Endpoint: "127.0.0.1:15433", Port: 15433},
		{Endpoint: "127.0.0.1:6398", Port: 6398},
		{Endpoint: "127.0.0.1:1", Port: 1},
	}
	changed := run.ServicesNotRunning(map[int]bool{6398: true}, refused)
	type got struct {
		Class   Class
		Service string
	}
	gotCases := map[string]got{}
	for _, c := range run.Cases {
		gotCases[c.NodeID[strings.LastIndex(c.NodeID, ":")+1:]] = got{c.Class, c.MissingService}
	}
	want := map[string]got{
		"test_needs_a_redis":     {MissingService, "127.0.0.1:6399"},
		"test_own_server_died":   {Exception, ""},
		"test_ephemeral_port":    {Exception, ""},
		"test_fails_on_its_own":  {Assertion, ""},
		"test_libpq_socket":      {MissingService, "unix:/run/pyti-none/.s.PGSQL.5432"},
		"test_libpq_port":        {MissingService, "127.0.0.1:5433"},
		"test_longer_number":     {Exception, ""},
		"test_bound_port":        {Exception, ""},
		"test_number_alone":      {Assertion, ""},
		"test_number_not_a_port": {Exception, ""},
		"test_reached_outside":   {NeedsNetwork, ""},
		// pytest raises a module fixture's error again for each test that uses it, with no
		// connection of its own (PyMySQL 1.0.2's tests, set up by a class that connects).
		"test_db_first":      {MissingService, "127.0.0.1:6397"},
		"test_db_cached":     {MissingService, "127.0.0.1:6397"},
		"test_refused_alone": {NeedsNetwork, ""},
	}
	if d := cmp.Diff(want, gotCases); d != "" {
		t.Errorf("classes (-want +got):\n%s\n%s", d, out)
	}
	if d := cmp.Diff([]string{"test_service.py::test_needs_a_redis", "test_service.py::test_libpq_socket", "test_service.py::test_libpq_port",
		"test_service.py::test_db_first", "test_service.py::test_db_cached"}, changed); d != "" {
		t.Errorf("changed (-want +got):\n%s", d)
	}
}

// TestReachedOut: a failure whose span holds another process's use of the network (which the
// sandbox's trace and resolver saw) needs the network; one whose span does not, or whose cause is
// already another, keeps its class; a replaced time.time does not move the plugin's clock.
func TestReachedOut(t *testing.T) {
	run, out := runPytest(t, map[string]string{"test_child.py": `import time

def test_child_reached_out():
    time.sleep(0.2)
    assert False, "gpg: keyserver search failed"

def test_fails_on_its_own():
    time.sleep(0.2)
    assert False

def test_missing_module():
    time.sleep(0.2)
    import pyti_no_such_module

def test_replaced_clock(monkeypatch):
    monkeypatch.setattr(time, "time", lambda: 1.0)
    assert False

def test_passes():
    time.sleep(0.2)
`})
	spans := map[string][2]float64{}
	for _, c := range run.Cases {
		spans[c.NodeID[strings.LastIndex(c.NodeID, ":")+1:]] = [2]float64{c.Start, c.Stop}
	}
	mid := func(name string) time.Time {
		s := spans[name]
		if s[0] <= 1e9 || s[1] < s[0]+0.1 {
			t.Fatalf("%s spans %v, want the real clock's start and stop, 0.2 s apart:\n%s", name, s, out)
		}
		return time.Unix(0, int64((s[0]+s[1])/2*1e9))
	}
	touches := []time.Time{mid("test_missing_module"), mid("test_child_reached_out"), time.Unix(0, 0), time.Unix(1, 0)}
	if s := spans["test_replaced_clock"]; s[0] <= 1e9 || s[1] < s[0] {
		t.Errorf("test_replaced_clock spans %v: the plugin's clock moved with time.time", s)
	}
	changed := run.ReachedOut(touches)
	got := map[string]Class{}
	for _, c := range run.Cases {
		got[c.NodeID] = c.Class
	}
	want := map[string]Class{
		"test_child.py::test_child_reached_out": NeedsNetwork,
		"test_child.py::test_fails_on_its_own":  Assertion,
		"test_child.py::test_missing_module":    MissingDependency,
		"test_child.py::test_replaced_clock":    Assertion,
		"test_child.py::test_passes":            "",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("classes (-want +got):\n%s\n%s", d, out)
	}
	if d := cmp.Diff([]string{"test_child.py::test_child_reached_out"}, changed); d != "" {
		t.Errorf("changed (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[Class]int{NeedsNetwork: 1, Assertion: 2, MissingDependency: 1}, run.Classes); d != "" {
		t.Errorf("classes counted (-want +got):\n%s", d)
	}
	// A span the clock did not give is none.
	frozen := &Run{Cases: []Case{{NodeID: "t::frozen", Outcome: Failed, Class: Assertion, Start: 5, Stop: 4}}}
	if got := frozen.ReachedOut([]time.Time{time.Unix(4, 500)}); got != nil {
		t.Errorf("a span that ends before it starts took a touch: %v", got)
	}
}

// TestUnittestProtocols: with PYTI_UNITTEST_PROTOCOLS (a suite its maintainers run with
// unittest), a test module's tests are those its load_tests() or test_suite() returns, each run
// by unittest with its outcome (class fixtures, skips, expected failures, zope.testrunner's
// layers); pytest alone collects the module's own classes and runs test_suite() as a test.
func TestUnittestProtocols(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	// isodate's shape: cases made from a table, one class per row.
	const table = `import unittest

ROWS = [(1, 1), (2, 4), (3, 9)]


def make(n, square):
    class TestSquare(unittest.TestCase):
        def test_square(self):
            self.assertEqual(n * n, square)

        def test_positive(self):
            self.assertGreater(square, 0)
    return unittest.defaultTestLoader.loadTestsFromTestCase(TestSquare)


def load_tests(loader, tests, pattern):
    suite = unittest.TestSuite()
    for n, square in ROWS:
        suite.addTests(make(n, square))
    return suite
`
	// zope's shape: the module's classes and the doctests of another module.
	const zope = `import doctest
import unittest

import shapes


class TestArea(unittest.TestCase):
    def test_square(self):
        self.assertEqual(shapes.area(2), 4)


def test_suite():
    return unittest.TestSuite((
        unittest.defaultTestLoader.loadTestsFromName(__name__),
        doctest.DocTestSuite(shapes),
    ))
`
	const shapes = "def area(side):\n    \"\"\"\n    >>> area(3)\n    9\n    \"\"\"\n    return side * side\n\n\n" +
		"def perimeter(side):\n    \"\"\"\n    >>> perimeter(3)\n    12\n    \"\"\"\n    return 4 * side\n"
	// Every outcome, and a class whose set-up fails.
	const outcomes = `import unittest


class TestOutcomes(unittest.TestCase):
    def test_pass(self):
        pass

    def test_fail(self):
        self.assertEqual(1, 2)

    def test_error(self):
        raise KeyError("x")

    @unittest.skip("not today")
    def test_skip(self):
        pass

    @unittest.expectedFailure
    def test_xfail(self):
        self.assertEqual(1, 2)


class TestBroken(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        raise RuntimeError("no database")

    def test_a(self):
        pass

    def test_b(self):
        pass


def load_tests(loader, tests, pattern):
    return tests
`
	// zope.testrunner's layers: set up once, bases first, testSetUp around each case.
	const layers = `import unittest

STATE = []


class Base:
    @classmethod
    def setUp(cls):
        STATE.append("base")

    @classmethod
    def tearDown(cls):
        STATE.remove("base")


class Database(Base):
    @classmethod
    def setUp(cls):
        STATE.append("db")

    @classmethod
    def tearDown(cls):
        STATE.remove("db")

    @classmethod
    def testSetUp(cls):
        STATE.append("tx")

    @classmethod
    def testTearDown(cls):
        STATE.remove("tx")


class TestWithLayer(unittest.TestCase):
    layer = Database

    def test_state(self):
        self.assertEqual(STATE, ["base", "db", "tx"])

    def test_again(self):
        self.assertEqual(STATE, ["base", "db", "tx"])


def test_suite():
    return unittest.defaultTestLoader.loadTestsFromName(__name__)
`
	// docutils' shape: suite() builds the cases from a table, with an argument their class
	// requires, and unittest.main(defaultTest='suite') runs it.
	const built = `import unittest

TOTEST = {"upper": [("a", "A"), ("b", "B")], "lower": [("C", "c")]}


class TransformCase(unittest.TestCase):
    def __init__(self, *args, **kwargs):
        self.input = kwargs.pop("input")
        self.expected = kwargs.pop("expected")
        unittest.TestCase.__init__(self, *args, **kwargs)

    def test(self):
        self.assertIn(self.expected, (self.input.upper(), self.input.lower()))


def suite():
    s = unittest.TestSuite()
    for name, cases in TOTEST.items():
        for given, expected in cases:
            s.addTest(TransformCase("test", input=given, expected=expected))
    return s


if __name__ == "__main__":
    unittest.main(defaultTest="suite")
`
	// python-gnupg 0.5.0's shape: suite() takes its test groups from the command line, the
	// script's own when it runs alone.
	const groups = `import sys
import unittest


class TestA(unittest.TestCase):
    def test_one(self):
        pass

    def test_two(self):
        pass


def suite(args=None):
    if args is None:
        args = sys.argv[1:]
    result = unittest.TestSuite()
    for name in args or ["one", "two"]:
        if name in ("one", "two"):
            result.addTest(TestA("test_" + name))
        else:
            print("Ignoring unknown test group %r" % name)
    return result
`
	// defusedxml 0.7.1's shape: its __main__ block runs the suite test_main() returns, which
	// leaves out an abstract base class and the tests of what is not installed.
	const mainSuite = `import sys
import unittest
import warnings

warnings.filterwarnings("error", category=DeprecationWarning)

try:
    import not_installed_here
except ImportError:
    not_installed_here = None


class BaseTests(unittest.TestCase):
    module = None

    def test_parse(self):
        self.assertIsNotNone(self.module)


class TestJson(BaseTests):
    module = sys


class TestOptional(unittest.TestCase):
    def test_optional(self):
        self.assertIsNotNone(not_installed_here)


class TestWarns(unittest.TestCase):
    def test_deprecated(self):
        with self.assertRaises(DeprecationWarning):
            warnings.warn("old", DeprecationWarning)


def test_main():
    suite = unittest.TestSuite()
    suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(TestJson))
    suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(TestWarns))
    if not_installed_here is not None:
        suite.addTests(unittest.defaultTestLoader.loadTestsFromTestCase(TestOptional))
    return suite


if __name__ == "__main__":
    suite = test_main()
    result = unittest.TextTestRunner(verbosity=1).run(suite)
    sys.exit(not result.wasSuccessful())
`
	// pycryptodome 3.18.0's shape: get_tests() lists the cases, a base class left out, cases
	// made with arguments; the __main__ block's own suite() hands them to unittest.main().
	const getTests = `import unittest


class HashBase(unittest.TestCase):
    name = None

    def test_name(self):
        self.assertIsNotNone(self.name)


class TestSHA(HashBase):
    name = "sha"


class TestVector(unittest.TestCase):
    def __init__(self, vector):
        unittest.TestCase.__init__(self)
        self.vector = vector

    def runTest(self):
        self.assertTrue(self.vector)


def get_tests(config={}):
    tests = unittest.defaultTestLoader.loadTestsFromTestCase(TestSHA)._tests
    tests += [TestVector(v) for v in ("a", "b")]
    return tests


if __name__ == "__main__":
    suite = lambda: unittest.TestSuite(get_tests())
    unittest.main(defaultTest="suite")
`
	const broken = "import unittest\n\n\ndef load_tests(loader, tests, pattern):\n    raise ValueError('no table')\n"
	// A load_tests that discovers the modules of another directory with discovery's pattern.
	const discovering = "import os\n\n\ndef load_tests(loader, tests, pattern):\n" +
		"    here = os.path.dirname(__file__)\n    return loader.discover(os.path.join(here, 'cases'), pattern=pattern, top_level_dir=here)\n"
	tests := []struct {
		name      string
		files     map[string]string
		protocols string
		want      Counts
		suites    []Suite
	}{
		{"load_tests makes cases from a table", map[string]string{"test_table.py": table}, "1", Counts{Passed: 6},
			[]Suite{{Module: "test_table.py", Protocol: "load_tests", Tests: 6}}},
		{"pytest alone: no class at the module's top", map[string]string{"test_table.py": table}, "", Counts{}, nil},
		{"test_suite adds the doctests", map[string]string{"tests.py": zope, "shapes.py": shapes}, "1", Counts{Passed: 3},
			[]Suite{{Module: "tests.py", Protocol: "test_suite", Tests: 3}}},
		{"pytest alone runs test_suite as a test", map[string]string{"tests.py": zope, "shapes.py": shapes}, "", Counts{Passed: 2}, nil},
		{"every outcome", map[string]string{"test_outcomes.py": outcomes}, "1",
			Counts{Passed: 1, Failed: 2, Skipped: 1, XFailed: 1, Errors: 2},
			[]Suite{{Module: "test_outcomes.py", Protocol: "load_tests", Tests: 7}}},
		{"layers", map[string]string{"tests.py": layers}, "1", Counts{Passed: 2},
			[]Suite{{Module: "tests.py", Protocol: "test_suite", Tests: 2}}},
		{"suite builds cases whose class takes arguments", map[string]string{"test_built.py": built}, "1", Counts{Passed: 3},
			[]Suite{{Module: "test_built.py", Protocol: "suite", Tests: 3}}},
		{"pytest alone cannot make that class", map[string]string{"test_built.py": built}, "", Counts{Errors: 1}, nil},
		{"suite reads the command line a script run alone has", map[string]string{"test_groups.py": groups}, "1", Counts{Passed: 2},
			[]Suite{{Module: "test_groups.py", Protocol: "suite", Tests: 2}}},
		{"the suite the __main__ block runs, under the warning filters of the module's import", map[string]string{"tests.py": mainSuite}, "1", Counts{Passed: 2},
			[]Suite{{Module: "tests.py", Protocol: "test_main", Tests: 2}}},
		{"pytest alone collects the base class and what is not installed, runs test_main as a test, and shows the warnings", map[string]string{"tests.py": mainSuite}, "", Counts{Passed: 2, Failed: 3}, nil},
		{"the list get_tests() returns, which the __main__ block's suite hands to unittest.main()", map[string]string{"test_hash.py": getTests}, "1", Counts{Passed: 3},
			[]Suite{{Module: "test_hash.py", Protocol: "get_tests", Tests: 3}}},
		{"pytest alone collects the base class, and makes a case of its own", map[string]string{"test_hash.py": getTests}, "", Counts{Passed: 2, Failed: 1}, nil},
		{"load_tests fails", map[string]string{"test_broken.py": broken}, "1", Counts{Errors: 1}, nil},
		{"load_tests discovers with the pattern", map[string]string{"sub/test_all.py": discovering, "sub/cases/__init__.py": "", "sub/cases/test_table.py": table},
			"1", Counts{Passed: 12},
			[]Suite{{Module: "sub/test_all.py", Protocol: "load_tests", Tests: 6}, {Module: "sub/cases/test_table.py", Protocol: "load_tests", Tests: 6}}},
		{"unittest-modules: a module that imports pytest stays pytest's, beside one taken from its load_tests",
			map[string]string{"test_table.py": table, "test_plug.py": "import pytest\n\n\ndef load_tests(loader, tests, pattern):\n    return tests\n\n\ndef test_x():\n    pass\n"},
			"unittest-modules", Counts{Passed: 7}, []Suite{{Module: "test_table.py", Protocol: "load_tests", Tests: 6}}},
		{"a test of pytest's named test_suite stays one", map[string]string{"test_plain.py": "def test_suite():\n    assert True\n\n\ndef test_other():\n    pass\n",
			"test_fixture.py": "def test_suite(tmp_path):\n    assert tmp_path\n"}, "1", Counts{Passed: 3}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run, out := runWithPlugin(t, tc.files, tc.protocols, "--continue-on-collection-errors")
			if d := cmp.Diff(tc.want, run.Counts); d != "" {
				t.Errorf("counts (-want +got):\n%s\n%s", d, out)
			}
			if d := cmp.Diff(tc.suites, run.Suites); d != "" {
				t.Errorf("suites (-want +got):\n%s", d)
			}
		})
	}
}

// TestUnittestRunnersLeftOut: a test module's function that runs the module's tests with
// unittest (regex's `def test_main(): unittest.main(verbosity=2)`, CPython's
// `support.run_unittest(...)`) is no test: pytest, which collects it by its name, would fail it
// with unittest.main()'s "SystemExit: 2" or run the classes twice. The plugin leaves it out and
// says so; a test of unittest.main(exit=False) stays a test. In a unittest suite, a function in a
// module that only unittest's discovery pattern names is run by no runner of the project's.
func TestUnittestRunnersLeftOut(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	const cases = "import unittest\n\n\nclass TestA(unittest.TestCase):\n    def test_one(self):\n        pass\n\n    def test_two(self):\n        pass\n"
	const main = "\n\ndef test_main():\n    unittest.main(verbosity=2)\n"
	const imported = "from unittest import main as run\n" + cases + "\n\ndef test_main():\n    run()\n"
	const support = "def run_unittest(*classes):\n    import unittest\n    for c in classes:\n        unittest.TextTestRunner().run(unittest.defaultTestLoader.loadTestsFromTestCase(c))\n"
	const cpython = "import support\n" + cases + "\n\ndef test_main():\n    support.run_unittest(TestA)\n"
	const subject = cases + "\n\ndef test_program():\n    prog = unittest.main(module=None, argv=['x', 'test_a.TestA'], exit=False)\n    assert prog.result.wasSuccessful()\n"
	const plain = cases + "\n\ndef test_main():\n    assert sum([1, 2]) == 3\n"
	const why = "it runs the module's tests with %s, as `python FILE` would: a runner, not a test"
	// asn1crypto's dev/tests.py: a module only unittest's discovery pattern names, which imports
	// a function named like a test.
	const helper = "import unittest\n\nfrom test_a import test_classes\n\n\nclass TestB(unittest.TestCase):\n    def test_b(self):\n        pass\n"
	const classes = cases + "\n\ndef test_classes():\n    return [TestA]\n"
	tests := []struct {
		name      string
		files     map[string]string
		protocols string
		want      Counts
		leftOut   []LeftOut
	}{
		{"a function in a module only unittest's pattern names", map[string]string{"test_a.py": classes, "tests.py": helper}, "1", Counts{Passed: 4},
			[]LeftOut{{NodeID: "tests.py::test_classes", Reason: "a function in tests.py, which only unittest's discovery collects, and unittest runs no function"}}},
		{"pytest's own pattern", map[string]string{"test_a.py": classes, "tests.py": helper}, "", Counts{Passed: 5}, nil},
		{"a helper named like a test, taking an argument no fixture gives (jsonschema 4.10.3's test_suite_bug)",
			map[string]string{"test_a.py": classes + "\n\ndef test_suite_bug(issue):\n    return 'bug %s' % issue\n\n\ndef test_plain(tmp_path, request):\n    assert tmp_path and request\n"}, "1", Counts{Passed: 4},
			[]LeftOut{{NodeID: "test_a.py::test_suite_bug", Reason: "a function taking issue, which no fixture gives, and unittest runs no function"}}},
		{"the same under pytest alone: an error", map[string]string{"test_a.py": classes + "\n\ndef test_suite_bug(issue):\n    return 'bug %s' % issue\n"}, "", Counts{Passed: 3, Errors: 1}, nil},
		{"unittest.main() at the end of the module", map[string]string{"test_a.py": cases + main}, "", Counts{Passed: 2},
			[]LeftOut{{NodeID: "test_a.py::test_main", Reason: fmt.Sprintf(why, "unittest.main()")}}},
		{"main imported from unittest", map[string]string{"test_a.py": imported}, "", Counts{Passed: 2},
			[]LeftOut{{NodeID: "test_a.py::test_main", Reason: fmt.Sprintf(why, "unittest.main()")}}},
		{"CPython's run_unittest", map[string]string{"test_a.py": cpython, "support.py": support}, "", Counts{Passed: 2},
			[]LeftOut{{NodeID: "test_a.py::test_main", Reason: fmt.Sprintf(why, "run_unittest()")}}},
		{"unittest.main(exit=False) is the test's subject", map[string]string{"test_a.py": subject}, "", Counts{Passed: 3}, nil},
		{"a test named test_main", map[string]string{"test_a.py": plain}, "", Counts{Passed: 3}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run, out := runWithPlugin(t, tc.files, tc.protocols)
			if d := cmp.Diff(tc.want, run.Counts); d != "" {
				t.Errorf("counts (-want +got):\n%s\n%s", d, out)
			}
			if d := cmp.Diff(tc.leftOut, run.LeftOut); d != "" {
				t.Errorf("left out (-want +got):\n%s", d)
			}
		})
	}
}

// TestScriptModules: a test module that calls unittest.main() among its top statements is a
// script, run as `python FILE` from its directory (ply's `cd test && python testlex.py`), that
// reads the files beside it. The plugin collects its TestCase classes with unittest.main() made a
// no-op, and imports it and runs each test in its directory; the report names the module. Without
// that, its import ends with "SystemExit: 2" and none of its tests runs. A module that calls it
// under `if __name__ == "__main__"` is no script.
func TestScriptModules(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	const script = "import sys\nsys.path.insert(0, '..')\nimport unittest\nimport lex_data\n\n\n" +
		"class LexTests(unittest.TestCase):\n    def test_reads_beside(self):\n        with open('lex_data.py') as f:\n" +
		"            self.assertIn('TOKENS', f.read())\n\n    def test_tokens(self):\n        self.assertEqual(lex_data.TOKENS, ['A'])\n\n\n"
	const guarded = "import unittest\n\n\nclass T(unittest.TestCase):\n    def test_one(self):\n        pass\n\n\n" +
		"if __name__ == '__main__':\n    unittest.main()\n"
	data := map[string]string{"test/lex_data.py": "TOKENS = ['A']\n"}
	with := func(files map[string]string) map[string]string {
		all := map[string]string{"test/test_guarded.py": guarded}
		for k, v := range data {
			all[k] = v
		}
		for k, v := range files {
			all[k] = v
		}
		return all
	}
	tests := []struct {
		name    string
		files   map[string]string
		want    Counts
		scripts []string
	}{
		{"unittest.main() at the top", with(map[string]string{"test/testlex.py": script + "unittest.main()\n"}), Counts{Passed: 3},
			[]string{"test/testlex.py"}},
		{"main imported from unittest, with arguments", with(map[string]string{"test/testlex.py": "from unittest import main\n" + script + "main(verbosity=2)\n"}),
			Counts{Passed: 3}, []string{"test/testlex.py"}},
		{"no script", with(nil), Counts{Passed: 1}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run, out := runWithPlugin(t, tc.files, "")
			if d := cmp.Diff(tc.want, run.Counts); d != "" {
				t.Errorf("counts (-want +got):\n%s\n%s", d, out)
			}
			if d := cmp.Diff(tc.scripts, run.Scripts); d != "" {
				t.Errorf("scripts (-want +got):\n%s", d)
			}
		})
	}
}

// TestCollectionErrorWithoutTraceback: a collection error pytest reports in its own words, with
// no traceback (docopt 0.6.2's conftest.py builds its collector the way pytest 7 refuses), keeps
// those words as its message, for the verdict to name.
func TestCollectionErrorWithoutTraceback(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	files := map[string]string{
		"conftest.py": "import pytest\n\n\ndef pytest_collect_file(path, parent):\n    if path.ext == '.cases':\n        return CasesFile(path, parent)\n\n\n" +
			"class CasesFile(pytest.File):\n    def collect(self):\n        return []\n",
		"test.cases": "x\n",
		"test_a.py":  "def test_a():\n    pass\n",
	}
	run, out := runWithPlugin(t, files, "")
	var got []string
	for _, c := range run.Cases {
		if c.Outcome == Error {
			got = append(got, string(c.Class)+": "+c.Message)
		}
	}
	want := []string{"collection-error: Direct construction of conftest.CasesFile has been deprecated, please use conftest.CasesFile.from_parent."}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("errors (-want +got):\n%s\n%s", d, out)
	}
}

// TestModuleSkipReason: a module skipped whole as it is imported (docutils' test_recommonmark/
// package raises unittest's SkipTest) has the skip's own words as its reason, its line breaks
// kept and no exception name, as a test skipped for the same reason has.
func TestModuleSkipReason(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	files := map[string]string{
		"tests/__init__.py":        "",
		"tests/md/__init__.py":     "import unittest\nraise unittest.SkipTest('needs the\\n  package md')\n",
		"tests/md/test_blocks.py":  "def test_a():\n    pass\n",
		"tests/test_other.py":      "import pytest\n\n\ndef test_b():\n    pytest.skip('needs the\\n  package md')\n",
		"tests/test_importskip.py": "import pytest\n\npytest.importorskip('nosuchmodule_md')\n",
	}
	run, out := runWithPlugin(t, files, "")
	got := map[string]string{}
	for _, c := range run.Cases {
		got[c.NodeID] = string(c.Outcome) + ": " + c.Message
	}
	want := map[string]string{
		"tests/md/test_blocks.py":     "skipped: needs the\n  package md",
		"tests/test_other.py::test_b": "skipped: needs the\n  package md",
		"tests/test_importskip.py":    "skipped: could not import 'nosuchmodule_md': No module named 'nosuchmodule_md'",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("skips (-want +got):\n%s\n%s", d, out)
	}
}

// TestItemTimeout: a test that hangs fails alone when PYTI_TEST_ITEM_TIMEOUT bounds each test,
// as pytest-timeout's limit words it, and the tests after it still run; without the bound the
// run would end at the sandbox's limit with them lost. A test that sets its own SIGALRM handler
// keeps it.
func TestItemTimeout(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	t.Setenv("PYTI_TEST_ITEM_TIMEOUT", "1")
	files := map[string]string{
		// Bounded, so that without the alarm it passes (3 passed) instead of hanging the test.
		"test_a.py": "import signal\nimport time\n\n\ndef test_hangs():\n    for _ in range(50):\n        time.sleep(0.1)\n\n\n" +
			"def test_own_alarm():\n    fired = []\n    signal.signal(signal.SIGALRM, lambda *a: fired.append(1))\n    signal.setitimer(signal.ITIMER_REAL, 0.05)\n" +
			"    time.sleep(0.3)\n    signal.signal(signal.SIGALRM, signal.SIG_DFL)\n    assert fired\n\n\ndef test_after():\n    time.sleep(0.2)\n",
	}
	run, out := runWithPlugin(t, files, "")
	if d := cmp.Diff(Counts{Passed: 2, Failed: 1}, run.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s\n%s", d, out)
	}
	for _, c := range run.Cases {
		if c.NodeID == "test_a.py::test_hangs" && c.Class != TimedOut {
			t.Errorf("test_hangs: class %q (%s), want %q", c.Class, c.Message, TimedOut)
		}
	}
}

// TestDeadline: past PYTI_TEST_DEADLINE the plugin stops the run between two tests, as -x does,
// and says where: pytest then ends on its own, writing its summary of the tests that ran (and
// coverage.py, around it, its data), where the step's wall-clock limit would have killed it inside
// a test with both lost.
func TestDeadline(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	files := map[string]string{
		"test_a.py": "def test_one():\n    pass\n\n\ndef test_two():\n    pass\n",
		"test_b.py": "def test_three():\n    pass\n\n\ndef test_four():\n    pass\n",
	}
	epoch := func(d time.Duration) string { return strconv.FormatInt(time.Now().Add(d).Unix(), 10) }
	for _, tc := range []struct {
		name, deadline string
		counts         Counts
		stopped        *Stop
	}{
		{"passed", epoch(-time.Minute), Counts{Passed: 1}, &Stop{Next: "test_a.py::test_two", NotRun: 3}},
		{"ahead", epoch(time.Hour), Counts{Passed: 4}, nil},
		{"none", "", Counts{Passed: 4}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("PYTI_TEST_DEADLINE", tc.deadline)
			run, out := runWithPlugin(t, files, "")
			if d := cmp.Diff(tc.counts, run.Counts); d != "" || !run.Complete {
				t.Errorf("counts (-want +got):\n%s\ncomplete %v\n%s", d, run.Complete, out)
			}
			if d := cmp.Diff(tc.stopped, run.Stopped); d != "" {
				t.Errorf("stopped (-want +got):\n%s\n%s", d, out)
			}
		})
	}
}

// TestOwnAlarm: a test's own alarm with no handler of its own (tornado 6.2's test_multi_process
// sets signal.alarm(5)) re-arms the timer PYTI's limit uses: its signal is the test's, and the
// failure says so, not that PYTI's limit was reached.
func TestOwnAlarm(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	t.Setenv("PYTI_TEST_ITEM_TIMEOUT", "30")
	files := map[string]string{
		"test_a.py": "import signal\nimport time\n\n\ndef test_own_alarm():\n    signal.setitimer(signal.ITIMER_REAL, 0.2)\n    time.sleep(2)\n\n\n" +
			"def test_after():\n    time.sleep(0.1)\n",
	}
	run, out := runWithPlugin(t, files, "")
	if d := cmp.Diff(Counts{Passed: 1, Failed: 1}, run.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s\n%s", d, out)
	}
	for _, c := range run.Cases {
		if c.NodeID == "test_a.py::test_own_alarm" && (c.Class != Exception || !strings.Contains(c.Message, "the test's own alarm")) {
			t.Errorf("test_own_alarm: class %q (%s), want %q naming the test's own alarm", c.Class, c.Message, Exception)
		}
	}
}

// TestRemovedWorkingDirectory: a test that leaves pytest in a directory it removed (nose2's
// junitxml chdir scenario) does not stop the run in PYTI's plugin: the tests after it run, as
// under pytest alone.
func TestRemovedWorkingDirectory(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	files := map[string]string{
		"test_a.py": "import os\nimport tempfile\n\n\ndef test_gone():\n    d = tempfile.mkdtemp()\n    os.chdir(d)\n    os.rmdir(d)\n",
		"test_b.py": "def test_next():\n    pass\n\n\ndef test_last():\n    pass\n",
	}
	run, out := runWithPlugin(t, files, "")
	if d := cmp.Diff(Counts{Passed: 3}, run.Counts); d != "" || !run.Complete {
		t.Errorf("counts (-want +got):\n%s\ncomplete %v\n%s", d, run.Complete, out)
	}
}

// TestDjangoSetUp: a Django application's tests, which its runtests.py runs with Django's test
// runner on tests.settings, run under pytest when PYTI_DJANGO_SETTINGS names that module: the
// plugin sets up the apps and the test database as that runner does. Without it every test
// module fails to import (ImproperlyConfigured).
func TestDjangoSetUp(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest, django").Run(); err != nil {
		t.Skip("pytest and Django are not installed for /usr/bin/python3 (make test installs python3-django)")
	}
	files := map[string]string{
		"tests/__init__.py": "",
		"tests/settings.py": "SECRET_KEY = 'x'\nINSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', 'tests']\n" +
			"DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': ':memory:'}}\nUSE_TZ = True\n",
		"tests/models.py": "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=20)\n",
		"tests/test_books.py": "from django.test import TestCase\n\nfrom tests.models import Book\n\n\nclass BookTests(TestCase):\n" +
			"    def test_create(self):\n        Book.objects.create(title='a')\n        self.assertEqual(Book.objects.count(), 1)\n\n" +
			"    def test_empty(self):\n        self.assertEqual(Book.objects.count(), 0)\n",
		"runtests.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tests.settings')\n",
		// django-filter's settings name rest_framework, a test dependency the index may lack.
		"tests/settings_drf.py": "from tests.settings import *\nINSTALLED_APPS = INSTALLED_APPS + ['rest_framework_nosuch']\n",
	}
	tests := []struct {
		name     string
		settings string
		want     Counts
		missing  []string
	}{
		{"set up on the project's settings", "tests.settings", Counts{Passed: 2}, nil},
		{"pytest alone", "", Counts{Errors: 1}, nil},
		{"settings that fail to import leave the tests to say so", "tests.nosuchsettings", Counts{Errors: 1}, []string{"tests.nosuchsettings"}},
		{"an app the settings name is not installed: the apps are not ready for want of it", "tests.settings_drf", Counts{Errors: 1},
			[]string{"rest_framework_nosuch"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			all := map[string]string{"plugin/" + PluginModule + ".py": string(PytestPlugin)}
			for name, text := range files {
				all["tree/"+name] = text
			}
			testfs.Write(t, dir, all)
			report := filepath.Join(dir, "report.jsonl")
			// -p no:django: pytest-django, when the machine has it, would set Django up itself.
			cmd := exec.Command("/usr/bin/python3", "-m", "pytest", "-p", PluginModule, "-p", "no:cacheprovider", "-p", "no:django")
			cmd.Dir = filepath.Join(dir, "tree")
			cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(dir, "plugin"), "PYTI_PYTEST_REPORT="+report)
			if tc.settings != "" {
				cmd.Env = append(cmd.Env, "PYTI_DJANGO_SETTINGS="+tc.settings, "DJANGO_SETTINGS_MODULE="+tc.settings)
			}
			out, _ := cmd.CombinedOutput()
			got := closingLine(t, string(out))
			got.Warnings = 0 // Django's own deprecation warnings, which depend on its version
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("counts (-want +got):\n%s\n%s", d, out)
			}
			var missing []string
			for _, c := range readReport(t, report, out).Cases {
				if c.Class == MissingDependency {
					missing = append(missing, c.Missing)
				}
			}
			if d := cmp.Diff(tc.missing, missing); d != "" {
				t.Errorf("missing modules (-want +got):\n%s\n%s", d, out)
			}
		})
	}
}

// TestReportFileClosed checks that the plugin closes its report when pytest ends: a suite whose
// warning filters show ResourceWarning (python-dateutil's filterwarnings=error) saw Python warn
// at exit of the report left open.
func TestReportFileClosed(t *testing.T) {
	t.Setenv("PYTHONWARNINGS", "always::ResourceWarning")
	run, out := runPytest(t, map[string]string{"test_a.py": "def test_a(): pass\n"})
	if run.Counts.Passed != 1 {
		t.Fatalf("counts %+v, want 1 passed:\n%s", run.Counts, out)
	}
	if strings.Contains(out, "ResourceWarning") {
		t.Errorf("pytest's output warns of a file left open:\n%s", out)
	}
}

// TestUnknownMarks: a failed test's markers that nothing registered are reported (a plugin's
// marker without its plugin: pytest-freezegun's freeze_time); registered ones, pytest's own and
// a passing test's are not.
func TestUnknownMarks(t *testing.T) {
	src := `import pytest

@pytest.mark.freeze_time("2020-01-01")
@pytest.mark.slow
@pytest.mark.skipif(False, reason="never")
def test_frozen():
    assert False

@pytest.mark.freeze_time("2020-01-01")
def test_passes():
    pass
`
	run, out := runPytest(t, map[string]string{"test_m.py": src, "pytest.ini": "[pytest]\nmarkers =\n    slow: a slow test\n"})
	got := map[string][]string{}
	for _, c := range run.Cases {
		got[c.NodeID] = c.UnknownMarks
	}
	want := map[string][]string{"test_m.py::test_frozen": {"freeze_time"}, "test_m.py::test_passes": nil}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("unknown marks (-want +got):\n%s\n%s", d, out)
	}
}

// TestDoctestsOfInstalledModule: the doctests of an installed single module of a namespace package,
// collected from outside the rootdir, run in the module Python imports by its name, which
// coverage.py measures by that name. pytest 7 alone names it by its whole path in importlib import
// mode (jaraco.itertools 6.4.1), and by its base name in the default mode (jaraco.path 3.5.0).
func TestDoctestsOfInstalledModule(t *testing.T) {
	if err := exec.Command("/usr/bin/python3", "-c", "import pytest").Run(); err != nil {
		t.Skip("pytest is not installed for /usr/bin/python3")
	}
	mod := func(name string) string {
		return "def double(x):\n    \"\"\"\n    >>> __name__\n    '" + name + "'\n    >>> double(2)\n    4\n    \"\"\"\n    return 2 * x\n"
	}
	tests := []struct {
		name   string
		mode   string
		where  string // the module's directory: site (installed) or tree (the test tree, the rootdir)
		file   string // below nsx/
		plugin bool
		dirs   string // TestDirsEnv
		want   Counts
	}{
		{"importlib mode, with PYTI's plugin", "importlib", "site", "mod", true, "tests", Counts{Passed: 1}},
		{"importlib mode, pytest alone", "importlib", "site", "mod", false, "tests", Counts{Failed: 1}},
		{"default mode, with PYTI's plugin", "prepend", "site", "mod", true, "tests", Counts{Passed: 1}},
		{"default mode, pytest alone", "prepend", "site", "mod", false, "tests", Counts{Failed: 1}},
		{"in the tree, default mode, with PYTI's plugin", "prepend", "tree", "mod", true, "tests", Counts{Passed: 1}},
		{"in the tree, default mode, pytest alone", "prepend", "tree", "mod", false, "tests", Counts{Failed: 1}},
		// pytest imports it as test_mod for its tests too: imported by another name, it would run twice.
		{"a test module in the tree stays pytest's", "prepend", "tree", "test_mod", true, "tests", Counts{Failed: 1}},
		{"a module in a directory of tests stays pytest's", "prepend", "tree", "tests/helper", true, "test,tests", Counts{Failed: 1}},
		{"a module in a directory not named as one of tests", "prepend", "tree", "tests/helper", true, "test", Counts{Passed: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			testfs.Write(t, dir, map[string]string{
				"plugin/" + PluginModule + ".py": string(PytestPlugin),
				// The module is installed; in the tree case PYTI placed a copy in the test tree.
				"site/nsx/" + tc.file + ".py":        mod("nsx." + strings.ReplaceAll(tc.file, "/", ".")),
				tc.where + "/nsx/" + tc.file + ".py": mod("nsx." + strings.ReplaceAll(tc.file, "/", ".")),
				"tree/pytest.ini":                    "[pytest]\naddopts = --doctest-modules --import-mode " + tc.mode + "\n",
			})
			args := []string{"-m", "pytest", "-p", "no:cacheprovider", "-c", filepath.Join(dir, "tree", "pytest.ini"), "--rootdir", filepath.Join(dir, "tree"), filepath.Join(dir, tc.where, "nsx", tc.file+".py")}
			if tc.plugin {
				args = append([]string{"-m", "pytest", "-p", PluginModule}, args[2:]...)
			}
			cmd := exec.Command("/usr/bin/python3", args...)
			cmd.Dir = filepath.Join(dir, "tree")
			cmd.Env = append(os.Environ(), "PYTHONPATH="+filepath.Join(dir, "plugin")+":"+filepath.Join(dir, "site"), "PYTI_PYTEST_REPORT="+filepath.Join(dir, "report.jsonl"),
				TestDirsEnv+"="+tc.dirs)
			out, _ := cmd.CombinedOutput()
			if d := cmp.Diff(tc.want, closingLine(t, string(out))); d != "" {
				t.Errorf("counts (-want +got):\n%s\n%s", d, out)
			}
		})
	}
}

// TestUncollectedFileDefines: a test file pytest could not collect says how many test functions
// and methods it defines (python-dotenv 1.0.0's test_main.py, which imports sh), those of a class
// whose base is named as a test's (PyMySQL 1.0.2's test_MySQLdb(capabilities.DatabaseTest)) or
// is one of the file's test classes among them.
func TestUncollectedFileDefines(t *testing.T) {
	src := `import pyti_no_such_module
import unittest
def test_a(): pass
async def test_b(): pass
def helper(): pass
class TestC:
    def test_d(self): pass
    def test_e(self): pass
    def setup_method(self): pass
class Case(unittest.TestCase):
    def test_f(self): pass
class Other:
    def test_g(self): pass
class test_MySQLdb(capabilities.DatabaseTest):
    def test_h(self): pass
class Derived(Case):
    def test_i(self): pass
`
	run, _ := runPytest(t, map[string]string{"test_m.py": src})
	var got []Case
	for _, c := range run.Cases {
		if c.Outcome == Error {
			got = append(got, Case{NodeID: c.NodeID, Defines: c.Defines})
		}
	}
	if d := cmp.Diff([]Case{{NodeID: "test_m.py", Defines: 7}}, got); d != "" {
		t.Errorf("uncollected files (-want +got):\n%s", d)
	}
}

// TestScriptsImportable: a script the package installs as a module file in the environment's
// bin/ is importable by the tests, as under the project's `pytest` command (portpicker 1.5.2's
// tests import its portserver.py), and shadows nothing: colorsys, which nothing imports before
// the tests, is the standard library's.
func TestScriptsImportable(t *testing.T) {
	venv := t.TempDir()
	if err := os.MkdirAll(filepath.Join(venv, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, src := range map[string]string{"portserver.py": "PORT = 1\n", "colorsys.py": "raise SystemExit('shadowed')\n"} {
		if err := os.WriteFile(filepath.Join(venv, "bin", name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("VIRTUAL_ENV", venv)
	run, out := runPytest(t, map[string]string{"test_server.py": "import colorsys\nimport portserver\n\n\ndef test_port():\n    assert portserver.PORT == 1\n    assert colorsys.rgb_to_hsv(0, 0, 0) == (0, 0, 0)\n"})
	if d := cmp.Diff(Counts{Passed: 1}, run.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s\n%s", d, out)
	}
}
