// Package testresult reads what a test run produced into per-test results with counts per outcome,
// and classifies every failure (assertion, error, collection error, needed network, timed out,
// missing dependency). It ships PYTI's pytest plugin, which writes one JSON line per test report so
// that PYTI's counts are pytest's own.
package testresult

import (
	"bufio"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	_ "embed"
)

// PytestPlugin is the source of the pytest plugin; write it as PluginModule+".py" into a directory
// of its own, put that directory on PYTHONPATH, and run pytest with `-p pyti_pytest` and
// PYTI_PYTEST_REPORT naming the output file.
//
//go:embed pyti_pytest.py
var PytestPlugin []byte

// PluginModule is the module name of PytestPlugin.
const PluginModule = "pyti_pytest"

// TestDirsEnv is the environment variable that tells PytestPlugin the names of directories of
// tests, comma-separated: a module under one is a test module, which the plugin leaves to pytest
// to import.
const TestDirsEnv = "PYTI_TEST_DIRS"

// Outcome is what became of one test.
type Outcome string

// The outcomes pytest reports.
const (
	Passed  Outcome = "passed"
	Failed  Outcome = "failed"
	Error   Outcome = "error"
	Skipped Outcome = "skipped"
	XFailed Outcome = "xfailed"
	XPassed Outcome = "xpassed"
)

// Class says why a test failed or errored.
type Class string

// The failure classes.
const (
	Assertion         Class = "assertion"
	Exception         Class = "error"
	CollectionError   Class = "collection-error"
	NeedsNetwork      Class = "needs-network"
	TimedOut          Class = "timed-out"
	MissingDependency Class = "missing-dependency"
	// MissingFile is a test that opened a file that is not there (FileNotFoundError): test data
	// the distribution does not ship, when the path lies in the test tree.
	MissingFile Class = "missing-file"
	// MissingProgram is a test that ran a program the machine does not have (subprocess, or
	// pexpect, could not find it): a part of the environment, not of the package.
	MissingProgram Class = "missing-program"
	// MissingLocale is a test that set a locale the machine does not have (locale.Error:
	// unsupported locale setting): a part of the environment, not of the package.
	MissingLocale Class = "missing-locale"
	// HiddenSystem is a test that read what the sandbox keeps out (/sys: the kernel's view of
	// the machine's devices, CPUs and network interfaces): the sandbox's doing, not the package's.
	HiddenSystem Class = "hidden-system"
	// MissingService is a test refused by a server on this machine that no process of the run
	// listened on (see Run.ServicesNotRunning): a service the tests expect to find running (a
	// Redis or a database, which the project's CI starts beside them), not the package's fault.
	MissingService Class = "missing-service"
)

// Case is one test (or one test module that failed to collect).
type Case struct {
	NodeID   string  `json:"nodeid"`
	Outcome  Outcome `json:"outcome"`
	Class    Class   `json:"class,omitempty"`
	Message  string  `json:"message,omitempty"`
	Details  string  `json:"details,omitempty"`
	Duration float64 `json:"duration_s"`
	// Missing names the module a missing-dependency failure could not import.
	Missing string `json:"missing_module,omitempty"`
	// MissingPath names the file a missing-file failure could not open.
	MissingPath string `json:"missing_path,omitempty"`
	// MissingProgram names the program a missing-program failure could not run.
	MissingProgram string `json:"missing_program,omitempty"`
	// MissingLocale names the locale a missing-locale failure could not set, when the traceback
	// shows it.
	MissingLocale string `json:"missing_locale,omitempty"`
	// MissingService is the address (host:port, or unix:PATH) on this machine a missing-service
	// failure was refused by.
	MissingService string `json:"missing_service,omitempty"`
	// Refused are the addresses on this machine a failure that said its connection was refused
	// had connected or sent to, and nothing outside it (see ServicesNotRunning).
	Refused []string `json:"-"`
	// Outside says the failure reached another machine, as the plugin or the trace saw it: it
	// needs the network, whatever else its words name.
	Outside bool `json:"-"`
	// UnderCoverage is the failure a test had under coverage.py's tracing, when it failed
	// there and not without it (see Run.TracingOnly): Outcome is then the one it had without.
	UnderCoverage string `json:"failed_under_coverage,omitempty"`
	// PassedAlone says a test that failed in the suite's run passed when run again alone, with
	// coverage.py's tracing and without it (see Run.TracingOnly): it is flaky, or depends on the
	// tests before it. It still counts as it failed.
	PassedAlone bool `json:"passed_alone,omitempty"`
	// UnknownMarks are the markers of a failed test that no installed plugin (nor the project's
	// configuration) registered: a plugin's marker, such as pytest-freezegun's freeze_time,
	// does nothing without that plugin.
	UnknownMarks []string `json:"unknown_marks,omitempty"`
	// Plugin is the project of the installed pytest plugin whose item this is, when it is not a
	// test but a plugin's check of a file (pytest-flake8's, pytest-mypy's), which pytest counts
	// with the tests.
	Plugin string `json:"plugin,omitempty"`
	// Defines is, for a test file pytest could not collect, how many test functions and methods
	// it defines by pytest's default names (the plugin reads them with ast).
	Defines int `json:"defines,omitempty"`
	// Start and Stop are when a failed test (or collection) started and when its failure was
	// reported, in seconds since the epoch by the run's wall clock (see ReachedOut).
	Start float64 `json:"-"`
	Stop  float64 `json:"-"`
}

// Counts are tests per outcome, as pytest's closing line gives them.
type Counts struct {
	Passed   int `json:"passed"`
	Failed   int `json:"failed"`
	Errors   int `json:"errors"`
	Skipped  int `json:"skipped"`
	XFailed  int `json:"xfailed"`
	XPassed  int `json:"xpassed"`
	Warnings int `json:"warnings"`
	// Subtests are the subtests per outcome that pytest-subtests counts beside the tests
	// ("30 passed, 597 subtests passed": tzdata 2023.3), nil without any.
	Subtests map[string]int `json:"subtests,omitempty"`
}

// Total is the number of tests and collection errors counted.
func (c Counts) Total() int {
	return c.Passed + c.Failed + c.Errors + c.Skipped + c.XFailed + c.XPassed
}

// Run is the result of one test run.
type Run struct {
	Counts Counts `json:"counts"`
	// Complete is false when the run ended before pytest wrote its summary (killed, timed out):
	// the counts are then derived from the tests that reported.
	Complete   bool          `json:"complete"`
	ExitStatus int           `json:"exit_status"`
	Cases      []Case        `json:"cases"`
	Classes    map[Class]int `json:"failure_classes,omitempty"`
	// Running is the test that had started and not finished when the run ended, if any.
	Running string `json:"running,omitempty"`
	// Suites are the test modules whose tests were taken from their load_tests(), suite() or
	// test_suite(), as a unittest suite's runners take them (see the plugin's _SuiteModule).
	Suites []Suite `json:"suites,omitempty"`
	// LeftOut are the functions pytest would have run as tests that are none: a test module's
	// runner of its own tests (see the plugin's _unittest_runner).
	LeftOut []LeftOut `json:"left_out,omitempty"`
	// Scripts are the test modules that call unittest.main() at their top, for `python FILE`:
	// collected with it made a no-op, and imported and run in their own directory (see the
	// plugin's _script_call).
	Scripts []string `json:"scripts,omitempty"`
	// Stopped is set when PYTI's plugin stopped the run between two tests at the run's deadline
	// (PYTI_TEST_DEADLINE), before the step's wall-clock limit would have killed it.
	Stopped *Stop `json:"stopped,omitempty"`
}

// Stop is where the plugin stopped a run at its time limit.
type Stop struct {
	// Next is the first test that did not run; NotRun counts it and those after it.
	Next   string `json:"next"`
	NotRun int    `json:"not_run"`
}

// LeftOut is a function pytest collected and PYTI did not run, with why.
type LeftOut struct {
	NodeID string `json:"nodeid"`
	Reason string `json:"reason"`
}

// Suite is a test module whose tests are the cases its own function returned.
type Suite struct {
	// Module is the module's pytest node ID (its path).
	Module string `json:"module"`
	// Protocol is the function that named the tests: load_tests or test_suite.
	Protocol string `json:"protocol"`
	// Tests is how many cases it returned.
	Tests int `json:"tests"`
}

type record struct {
	Type       string         `json:"type"`
	NodeID     string         `json:"nodeid"`
	When       string         `json:"when"`
	Outcome    string         `json:"outcome"`
	Duration   float64        `json:"duration"`
	WasXFail   *string        `json:"wasxfail"`
	LongRepr   string         `json:"longrepr"`
	Message    string         `json:"message"`
	ExitStatus int            `json:"exitstatus"`
	Counts     map[string]int `json:"counts"`
	Protocol   string         `json:"protocol"`
	Tests      int            `json:"tests"`
	// GuardedMissing is the module a guarded import could not find, when the failure is a
	// NameError for a name that import would have bound (see the plugin's _guarded_missing).
	GuardedMissing string `json:"guarded_missing"`
	// Network are the hosts outside the machine a failed test (or collection) looked up or
	// connected to, as the plugin's audit hook saw them.
	Network []string `json:"network"`
	// Loopback are the addresses on this machine (host:port) it connected or sent to.
	Loopback []string `json:"loopback"`
	// UnknownMarks are the markers of a failed test that nothing registered.
	UnknownMarks []string `json:"unknown_marks"`
	// Plugin is the project of the plugin whose item this is (see Case.Plugin).
	Plugin string `json:"plugin"`
	// Defines is the test functions a file that failed to collect defines (see Case.Defines).
	Defines int `json:"defines"`
	// Start and Stop span a failed test or collection (see Case.Start).
	Start float64 `json:"start"`
	Stop  float64 `json:"stop"`
}

// ErrNoReport means the plugin wrote nothing: pytest did not start, or did not load the plugin.
var ErrNoReport = errors.New("the test run wrote no report")

// ParsePytest reads the plugin's JSON lines. A truncated last line (the run was killed while writing)
// is ignored; other malformed lines are an error.
func ParsePytest(r io.Reader) (*Run, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	run := &Run{}
	byID := map[string]*Case{}
	var order []string
	phases := map[string]map[string]bool{}
	lines := 0
	var pendingErr error
	for sc.Scan() {
		if pendingErr != nil {
			return nil, pendingErr
		}
		line := sc.Bytes()
		if len(strings.TrimSpace(string(line))) == 0 {
			continue
		}
		lines++
		var rec record
		if err := json.Unmarshal(line, &rec); err != nil {
			// Only the last line may be cut short.
			pendingErr = fmt.Errorf("test report line %d: %w", lines, err)
			continue
		}
		switch rec.Type {
		case "suite":
			run.Suites = append(run.Suites, Suite{Module: rec.NodeID, Protocol: rec.Protocol, Tests: rec.Tests})
		case "left_out":
			run.LeftOut = append(run.LeftOut, LeftOut{NodeID: rec.NodeID, Reason: rec.Message})
		case "script":
			run.Scripts = append(run.Scripts, rec.NodeID)
		case "stopped":
			run.Stopped = &Stop{Next: rec.NodeID, NotRun: rec.Tests}
		case "summary":
			run.Complete = true
			run.ExitStatus = rec.ExitStatus
			run.Counts = Counts{
				Passed: rec.Counts["passed"], Failed: rec.Counts["failed"], Errors: rec.Counts["error"],
				Skipped: rec.Counts["skipped"], XFailed: rec.Counts["xfailed"], XPassed: rec.Counts["xpassed"],
				Warnings: rec.Counts["warnings"],
			}
			for k, n := range rec.Counts {
				if outcome, ok := strings.CutPrefix(k, "subtests "); ok && n > 0 {
					if run.Counts.Subtests == nil {
						run.Counts.Subtests = map[string]int{}
					}
					run.Counts.Subtests[outcome] = n
				}
			}
		case "collect":
			// A module that failed to collect, or one skipped whole (pytest.importorskip at its top).
			c := &Case{NodeID: rec.NodeID, Outcome: Skipped, Message: skipReason(rec.LongRepr)}
			if rec.Message != "" {
				c.Message = plainSkip(rec.Message)
			}
			if rec.Outcome != "skipped" {
				c = &Case{NodeID: rec.NodeID, Outcome: Error, Message: rec.Message, Details: rec.LongRepr, Defines: rec.Defines,
					Start: rec.Start, Stop: rec.Stop}
				if c.Message == "" {
					c.Message = lastErrorLine(rec.LongRepr)
				}
				if c.Message == "" {
					// pytest's own words, with no traceback: a conftest.py's collector built
					// the pre-7 way ("Direct construction of conftest.DocoptTestFile has been
					// deprecated, ...").
					c.Message = firstLine(rec.LongRepr)
				}
				c.setCause(classifyRecord(rec, true))
				if call := exitAtImport(rec.Message, rec.LongRepr); call != "" && c.Class == CollectionError {
					c.Message += " (the module calls " + call + " when imported: a script, run as `python FILE`, not a module pytest can collect)"
				}
			}
			// A file can have two collectors, each with its report: with --doctest-modules a
			// test module's DoctestModule skips on an import error that fails its Module
			// (fonttools' Tests/): both are kept, as pytest counts both.
			key := "collect:" + rec.NodeID
			for n := 2; byID[key] != nil; n++ {
				key = fmt.Sprintf("collect:%s#%d", rec.NodeID, n)
			}
			byID[key] = c
			order = append(order, key)
		case "test":
			c, ok := byID[rec.NodeID]
			if !ok {
				c = &Case{NodeID: rec.NodeID}
				byID[rec.NodeID] = c
				order = append(order, rec.NodeID)
				phases[rec.NodeID] = map[string]bool{}
			}
			phases[rec.NodeID][rec.When] = true
			c.Duration += rec.Duration
			if rec.Plugin != "" {
				c.Plugin = rec.Plugin
			}
			apply(c, rec)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading test report: %w", err)
	}
	if lines == 0 {
		return nil, ErrNoReport
	}
	for _, id := range order {
		c := byID[id]
		if c.Outcome == "" {
			// Started, never finished: the run ended inside this test.
			c.Outcome, c.Class = Error, TimedOut
			run.Running = c.NodeID
		} else if p := phases[id]; p != nil && !p["teardown"] && !run.Complete && run.Running == "" {
			run.Running = c.NodeID
		}
		run.Cases = append(run.Cases, *c)
	}
	if !run.Complete {
		run.Counts = countCases(run.Cases)
	}
	run.Classes = classCounts(run.Cases)
	return run, nil
}

// CountClasses counts the failing cases per class again, after a case's class changed.
func (r *Run) CountClasses() { r.Classes = classCounts(r.Cases) }

// classCounts are the failing cases per class, nil when none failed.
func classCounts(cases []Case) map[Class]int {
	classes := map[Class]int{}
	for _, c := range cases {
		if c.Class != "" {
			classes[c.Class]++
		}
	}
	if len(classes) == 0 {
		return nil
	}
	return classes
}

// apply folds one phase report (setup, call, teardown) into the test's case.
func apply(c *Case, rec record) {
	switch rec.Outcome {
	case "passed":
		if rec.When == "call" && c.Outcome == Failed {
			// pytest-subtests reports each subtest as a call of its test, then the test's own
			// call, which passes when only subtests failed (pytest counts "1 failed, 2 passed"
			// for two tests): the case keeps the failure and its message.
			return
		}
		if rec.When == "call" {
			if rec.WasXFail != nil {
				c.Outcome = XPassed
			} else {
				c.Outcome = Passed
			}
		}
	case "skipped":
		if rec.WasXFail != nil {
			c.Outcome = XFailed
			c.Message = *rec.WasXFail
		} else {
			c.Outcome = Skipped
			c.Message = skipReason(rec.LongRepr)
			if rec.Message != "" {
				c.Message = plainSkip(rec.Message)
			}
		}
	case "failed":
		if rec.When == "teardown" && c.Outcome == Failed {
			// pytest counts the teardown's error beside the test's failure, which caused it
			// (watchdog's inotify test timed out, then its fixture found the thread it left):
			// the case keeps the failure and its cause.
			return
		}
		if rec.When == "call" {
			c.Outcome = Failed
		} else {
			// A failing fixture (setup or teardown) is an error, as pytest counts it.
			c.Outcome = Error
		}
		c.Message, c.Details = rec.Message, rec.LongRepr
		c.UnknownMarks = rec.UnknownMarks
		c.Start, c.Stop = rec.Start, rec.Stop
		if _, line := missingFixture(rec.LongRepr); c.Message == "" && line != "" {
			c.Message = line // pytest reports a fixture lookup without an exception
		}
		c.setCause(classifyRecord(rec, false))
	}
}

var skipRe = regexp.MustCompile(`(?s)^\(.*, \d+, ['"](?:Skipped: )?(.*)['"]\)$`)

// skipReason is the reason of a skip from pytest's (file, line, reason) report.
func skipReason(longrepr string) string {
	if m := skipRe.FindStringSubmatch(strings.TrimSpace(longrepr)); m != nil {
		return plainSkip(m[1])
	}
	return longrepr
}

// plainSkip is a skip's reason without the words pytest puts before it: "Skipped: ", and the
// name of unittest's SkipTest when a module raised it as it was imported (docutils'
// test_recommonmark/__init__.py), so that it groups with the same reason given to a test.
func plainSkip(reason string) string {
	reason = strings.TrimPrefix(reason, "Skipped: ")
	return strings.TrimPrefix(reason, "unittest.case.SkipTest: ")
}

// ReasonCount is how many tests were skipped for one reason. Reasons that name the same missing
// module in different words are one reason, "MODULE not installed", and Messages are their words.
type ReasonCount struct {
	Reason   string   `json:"reason"`
	Count    int      `json:"count"`
	Messages []string `json:"messages,omitempty"`
}

// SkipReasons groups the skipped tests by their reason, most frequent first. Where two or more
// reasons name the same module as missing (beautifulsoup4's "lxml seems not to be present, not
// testing its tree builder.", "... its XML tree builder." and "lxml not installed, cannot parse
// XML document"), they are one cause and one group.
func (r *Run) SkipReasons() []ReasonCount {
	counts := map[string]int{}
	for _, c := range r.Cases {
		if c.Outcome == Skipped {
			counts[c.Message]++
		}
	}
	module, byModule := map[string]string{}, map[string][]string{}
	for reason := range counts {
		if m := missingInSkip(reason); m != "" {
			module[reason] = m
			byModule[m] = append(byModule[m], reason)
		}
	}
	out := make([]ReasonCount, 0, len(counts))
	for reason, n := range counts {
		if len(byModule[module[reason]]) > 1 {
			continue
		}
		out = append(out, ReasonCount{Reason: reason, Count: n})
	}
	for m, reasons := range byModule {
		if len(reasons) < 2 {
			continue
		}
		g := ReasonCount{Reason: m + " not installed"}
		for _, reason := range reasons {
			g.Count += counts[reason]
		}
		slices.SortFunc(reasons, func(a, b string) int { return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) })
		g.Messages = reasons
		out = append(out, g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Reason < out[j].Reason
	})
	if len(out) == 0 {
		return nil
	}
	return out
}

// missingSkipRes are the ways a skip's reason says a module is missing; the first group is the
// module. "not available" is not among them: "network not available" names no module. Python's
// own words come first: tqdm 4.64.1's "could not import 'tqdm.dask': No module named 'dask'"
// lacks dask, not the package under test.
var missingSkipRes = []*regexp.Regexp{
	regexp.MustCompile(`No module named '([\w.]+)'`),
	regexp.MustCompile(`could not import '([\w.]+)'`),
	regexp.MustCompile(`^([\w.]+) (?:is |was )?not (?:installed|importable)\b`),
	regexp.MustCompile(`\b([\w.]+) (?:seems|appears) not to be (?:installed|present)\b`),
	regexp.MustCompile(`\b([\w.]+) (?:is |was )?not installed\b`),
}

// SkipModule is the module a skip's reason says is missing, as it names it ("lxml.etree"), or
// "": pytest.importorskip's "could not import 'yaml'", an ImportError's "No module named 'yaml'",
// "lxml not installed", "lxml seems not to be present".
func SkipModule(reason string) string {
	for _, re := range missingSkipRes {
		if m := re.FindStringSubmatch(reason); m != nil {
			return m[1]
		}
	}
	return ""
}

// missingInSkip is the top-level module a skip's reason says is missing, or "".
func missingInSkip(reason string) string {
	mod, _, _ := strings.Cut(SkipModule(reason), ".")
	return mod
}

var (
	missingRe     = regexp.MustCompile(`(?:ModuleNotFoundError|ImportError): (?:Error importing plugin "[^"\n]+": )?No module named '([^']+)'`)
	missingFileRe = regexp.MustCompile(`(?:FileNotFoundError|IOError|OSError): \[Errno 2\] No such file or directory: '([^']+)'`)
	networkRe     = regexp.MustCompile(`Network is unreachable|Temporary failure in name resolution|Name or service not known|nodename nor servname|socket\.gaierror|gaierror|ConnectionRefusedError|Connection refused|NewConnectionError|MaxRetryError|ConnectTimeout|URLError|\[Errno 101\]|\[Errno 111\]|\[Errno -[23]\]|No route to host|Cannot assign requested address|ProxyError|ConnectionError: HTTP|SSLEOFError|UNEXPECTED_EOF_WHILE_READING|EOF occurred in violation of protocol|RemoteDisconnected|DID NOT RAISE <class '[\w.]*(?:ConnectionError|ConnectTimeout|ProxyError|gaierror|URLError|NewConnectionError)'>`)
)

// fixtureRe finds a fixture pytest could not provide: not found, or a fixture of the project's
// conftest.py that takes a plugin's fixture of the same name (requests' httpbin(httpbin)) when
// that plugin is not installed.
var fixtureRe = regexp.MustCompile(`(?m)^E\s+` + fixtureLookup)

// fixtureLookup is pytest's line for a fixture it could not provide, the message of such a case.
const fixtureLookup = `(fixture '([^']+)' not found|recursive dependency involving fixture '([^']+)' detected)`

var fixtureMessage = regexp.MustCompile(`^` + fixtureLookup + `$`)

// IsFixtureLookup reports whether a case's message says that pytest could not provide a fixture;
// a missing-dependency case with one lacks the pytest plugin its Missing module names.
func IsFixtureLookup(message string) bool {
	return fixtureMessage.MatchString(message)
}

// pyShimRe finds a name taken from the py library that the `py` module pytest 7.2 and later
// ship in its place (py.path and py.error alone) lacks: the py library itself, which pytest no
// longer installs, is missing (cffi 1.15.1's tests call py.test.raises and py.code; Werkzeug
// 2.2.3's pytest-xprocess imports py.std).
var pyShimRe = regexp.MustCompile(`AttributeError: module 'py' has no attribute '\w+'|ImportError: cannot import name '\w+' from 'py'`)

// pytestAttributeRe is a name a test took from the pytest module that pytest itself lacks.
var pytestAttributeRe = regexp.MustCompile(`AttributeError: module '?pytest'? has no attribute '?([A-Za-z_][A-Za-z0-9_]*)'?`)

// pluginAttributes are the names well-known pytest plugins add to the pytest module, with the
// module each plugin is imported as: a test that uses one (prettytable's
// @pytest.mark.parametrize(..., [pytest.lazy_fixture(...)])) lacks that plugin, a test dependency.
var pluginAttributes = map[string]string{
	"lazy_fixture": "pytest_lazyfixture", "helpers": "pytest_helpers_namespace",
}

// PluginIniOptions are the ini options of well-known pytest plugins, with the project that
// defines each: a pytest configuration that sets one (blinker's asyncio_mode = "auto") needs that
// plugin, and pytest without it warns of an unknown option, an error under filterwarnings =
// error; a test that runs pytest itself on such a configuration (pytest-mock's pytester tests)
// sees that warning where it expects none.
var PluginIniOptions = map[string]string{
	"asyncio_mode": "pytest-asyncio", "asyncio_default_fixture_loop_scope": "pytest-asyncio",
	"timeout": "pytest-timeout", "timeout_method": "pytest-timeout", "timeout_func_only": "pytest-timeout",
	"mock_use_standalone_module": "pytest-mock", "mock_traceback_monkeypatch": "pytest-mock",
	"env": "pytest-env", "trio_mode": "pytest-trio", "trio_run": "pytest-trio",
	"DJANGO_SETTINGS_MODULE": "pytest-django", "django_find_project": "pytest-django",
	"qt_api": "pytest-qt", "reruns": "pytest-rerunfailures", "reruns_delay": "pytest-rerunfailures",
	"script_launch_mode": "pytest-console-scripts", "bdd_features_base_dir": "pytest-bdd",
}

// pluginModule is the module a plugin of PluginIniOptions is imported as.
func pluginModule(project string) string {
	if project == "pytest-qt" {
		return "pytestqt"
	}
	return strings.ReplaceAll(project, "-", "_")
}

// unknownOptionRe is pytest's warning about an ini option that no installed plugin defines.
var unknownOptionRe = regexp.MustCompile(`Unknown config option: ([A-Za-z_][A-Za-z0-9_]*)`)

// pluginFixtures are the fixtures of well-known pytest plugins, with the module each plugin is
// imported as: a test that asks for one lacks that plugin, a test dependency. A fixture of no
// plugin named here stays the test's own error (it may come from a conftest.py the sdist left out).
var pluginFixtures = map[string]string{
	"mocker": "pytest_mock", "class_mocker": "pytest_mock", "module_mocker": "pytest_mock", "package_mocker": "pytest_mock", "session_mocker": "pytest_mock",
	"httpbin": "pytest_httpbin", "httpbin_secure": "pytest_httpbin", "httpbin_both": "pytest_httpbin",
	"benchmark": "pytest_benchmark", "freezer": "pytest_freezer", "requests_mock": "requests_mock", "httpx_mock": "pytest_httpx",
	"httpserver": "pytest_httpserver", "event_loop": "pytest_asyncio", "unused_tcp_port": "pytest_asyncio",
	"aiohttp_client": "pytest_aiohttp", "aiohttp_server": "pytest_aiohttp", "qtbot": "pytestqt", "qapp": "pytestqt",
	"fs": "pyfakefs", "snapshot": "syrupy", "subtests": "pytest_subtests", "datadir": "pytest_datadir",
	"shared_datadir": "pytest_datadir", "original_datadir": "pytest_datadir", "data_regression": "pytest_regressions",
	"file_regression": "pytest_regressions", "num_regression": "pytest_regressions", "respx_mock": "respx",
	"xprocess": "xprocess", "time_machine": "time_machine", "faker": "faker", "vcr": "pytest_recording", "vcr_config": "pytest_recording",
	"datafiles": "pytest_datafiles", "postgresql": "pytest_postgresql", "redisdb": "pytest_redis", "nursery": "pytest_trio",
	"django_db_setup": "pytest_django", "django_user_model": "pytest_django", "admin_client": "pytest_django", "rf": "pytest_django",
	"celery_app": "celery", "celery_worker": "celery", "lazy_fixture": "pytest_lazyfixture", "caplog_json": "pytest_structlog",
}

// fixtureTwins are plugin modules of pluginFixtures whose fixtures another plugin provides too,
// under the same names: pytest-freezer forked pytest-freezegun, and either gives `freezer`.
var fixtureTwins = map[string][]string{"pytest_freezer": {"pytest_freezegun"}, "pytest_freezegun": {"pytest_freezer"}}

// FixtureProviders are the modules that provide the fixtures of the plugin imported as module:
// module itself, then the plugins that give the same fixtures (tempora 5.2.1 declares
// pytest-freezegun for the `freezer` that pytest_freezer also gives).
func FixtureProviders(module string) []string {
	return append([]string{module}, fixtureTwins[module]...)
}

// doctestFixtureRe finds the fixture a doctest's getfixture() could not have: doctest catches
// pytest's FixtureLookupError and prints "UNEXPECTED EXCEPTION: FixtureLookupError('freezer', ...)"
// (tempora 5.2.1, without pytest-freezegun), never pytest's "fixture 'freezer' not found" line.
var doctestFixtureRe = regexp.MustCompile(`UNEXPECTED EXCEPTION: FixtureLookupError\('([^']+)'`)

// missingFixture is the fixture a failure could not have, with pytest's line saying so.
func missingFixture(longrepr string) (fixture, line string) {
	if m := fixtureRe.FindStringSubmatch(longrepr); m != nil {
		return m[2] + m[3], m[1]
	}
	if m := doctestFixtureRe.FindStringSubmatch(longrepr); m != nil {
		return m[1], "fixture '" + m[1] + "' not found"
	}
	return "", ""
}

// lastErrorLine is the last of pytest's "E" lines in a report, the exception it ends with: what
// a collection error says when pytest gives no crash message (a module that does not compile:
// "SyntaxError: invalid decimal literal"), or "".
func lastErrorLine(longrepr string) string {
	last := ""
	for _, l := range strings.Split(longrepr, "\n") {
		if rest, ok := strings.CutPrefix(l, "E "); ok && strings.TrimSpace(rest) != "" {
			last = strings.TrimSpace(rest)
		}
	}
	return last
}

// firstLine is the first line of text that is not blank, trimmed.
func firstLine(text string) string {
	for _, l := range strings.Split(text, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			return l
		}
	}
	return ""
}

// moduleExitRe finds, in a collection error's traceback, the module-level call that ended it:
// "FILE:LINE: in <module>" and the call on the next line.
var moduleExitRe = regexp.MustCompile(`: in <module>\n\s+((?:unittest\.)?main\(|sys\.exit\(|exit\()`)

// exitAtImport is the module-level call (unittest.main(), sys.exit()) that ended a collection
// with SystemExit, or "": ply's test scripts run unittest.main() at their top level, and importing
// one exits.
func exitAtImport(message, longrepr string) string {
	if !strings.HasPrefix(message, "SystemExit") {
		return ""
	}
	if m := moduleExitRe.FindStringSubmatch(longrepr); m != nil {
		return m[1] + ")"
	}
	return ""
}

// cause is why a failed test failed: its class, with what it found missing.
type cause struct {
	Class                         Class
	Module, Path, Program, Locale string
	// Refused are the addresses on this machine it was refused by (see Case.Refused).
	Refused []string
	// Outside says it reached another machine (see Case.Outside).
	Outside bool
}

func (c *Case) setCause(k cause) {
	c.Class, c.Missing, c.MissingPath, c.MissingProgram, c.MissingLocale = k.Class, k.Module, k.Path, k.Program, k.Locale
	c.Refused, c.Outside = k.Refused, k.Outside
}

// MissingModule is the module an ImportError in text could not find ("No module named 'x'"),
// or "".
func MissingModule(text string) string {
	if m := missingRe.FindStringSubmatch(text); m != nil {
		return m[1]
	}
	return ""
}

// classifyRecord decides the class of a failed report: the missing module the plugin found behind
// a guarded import's NameError first, then what its message and traceback say (classify), where
// a failure the plugin saw reach out to another machine needs the network, and one that reached
// only this machine does not, whatever its words.
func classifyRecord(rec record, collecting bool) cause {
	if rec.GuardedMissing != "" {
		return cause{Class: MissingDependency, Module: rec.GuardedMissing}
	}
	c := classify(rec.Message, rec.LongRepr, collecting)
	if c.Class == NeedsNetwork && len(rec.Network) == 0 && len(rec.Loopback) > 0 {
		// It reached only this machine (a server of its own that is not running: "Connection
		// refused" from 127.0.0.1): the sandbox has loopback, and a machine with the network
		// would answer the same.
		c = classifyOffline(rec.Message, rec.LongRepr, collecting)
		c.Refused = rec.Loopback
	}
	if len(rec.Network) > 0 && (c.Class == Assertion || c.Class == Exception || c.Class == CollectionError) {
		// It reached out to another machine and failed: what came back was the sandbox's (no
		// network, a sinkhole), not that machine's (distlib's tests assert on PyPI's answers).
		return cause{Class: NeedsNetwork, Outside: true}
	}
	return c
}

// LocalRefusal is a connection to a server on this machine that failed, as the sandbox's trace
// saw it, whichever process made it (a C library's client: libpq connects to PostgreSQL from C,
// where the plugin's audit hook does not see it): a loopback port that refused it, or a unix
// socket whose path is not there or refused it.
type LocalRefusal struct {
	// Endpoint names it: "127.0.0.1:5432", "unix:/var/run/postgresql/.s.PGSQL.5432".
	Endpoint string
	// Port is the TCP port refused, or 0; Path is the unix socket's path, or "".
	Port int
	Path string
}

// ServicesNotRunning classifies again, as missing a service, the failures and collections that
// failed on their own (an assertion, an exception, a collection error) when refused by an address
// on this machine whose port no process of the run bound: bound are the ports the run's traced
// processes bound. A server the tests start themselves binds its port, and one that died refuses
// a test on its own account; a port no process ever bound belongs to a service the tests expect
// to find running (redis 4.5.4's tests connect to a Redis at localhost:6379, which its CI starts
// in a container), which the sandbox does not have. Only the fixed ports below the kernel's
// ephemeral range count: one above it may be a test server's that bound port 0 and was given it.
//
// refused are the refusals the trace saw (a unix socket among them only when no process of the
// run bound its path). A failure whose words name one of them, by its socket's path, or by its
// port beside words of a connection, was refused by it too (psycopg2 2.9.5's 625 failures:
// `connection to server on socket "/var/run/postgresql/.s.PGSQL.5432" failed: No such file or
// directory`, from libpq); so was one that needs the network for such words alone, having
// reached no other machine. It returns the node IDs it changed.
func (r *Run) ServicesNotRunning(bound map[int]bool, refused []LocalRefusal) []string {
	fixed := func(port int) bool { return port > 0 && port < ephemeralPorts && !bound[port] }
	var changed []string
	for i := range r.Cases {
		c := &r.Cases[i]
		eligible, own := mayWantService(c)
		if !eligible {
			continue
		}
		addr := ""
		if own {
			addr = allFixed(c.Refused, fixed)
		}
		if addr == "" && len(c.Refused) == 0 {
			// The words of a refused connection alone make a failure need the network, when the
			// plugin saw it connect nowhere (libpq's "Connection refused", from C).
			addr = refusedIn(c.Message+"\n"+c.Details, refused, fixed)
		}
		if addr != "" {
			c.Class, c.MissingService = MissingService, addr
			changed = append(changed, c.NodeID)
		}
	}
	// pytest raises a set-up's error again, cached, for every test that shares the set-up (a
	// fixture of a wider scope, a class's or a module's), with no connection of its own: PyMySQL
	// 1.0.2's 18 set-up errors have one traceback, "Can't connect to MySQL server on 'localhost'
	// ([Errno 111] Connection refused)", and only the first connected; the 17 others read as
	// needing the network. A failure that connected nowhere, with the very words and traceback
	// of one that wants a missing service, wants it too. The traceback tells the same error
	// raised again from a like one ("[Errno 111] Connection refused" alone says little).
	type failure struct{ message, details string }
	services := map[failure]string{}
	for _, c := range r.Cases {
		if c.Class == MissingService && c.Message != "" && c.Details != "" {
			services[failure{c.Message, c.Details}] = c.MissingService
		}
	}
	for i := range r.Cases {
		c := &r.Cases[i]
		if eligible, _ := mayWantService(c); !eligible || len(c.Refused) > 0 {
			continue
		}
		if addr, ok := services[failure{c.Message, c.Details}]; ok {
			c.Class, c.MissingService = MissingService, addr
			changed = append(changed, c.NodeID)
		}
	}
	if len(changed) > 0 {
		r.CountClasses()
	}
	return changed
}

// mayWantService says whether a failure may be for want of a service on this machine: one that
// failed on its own (own: an assertion, an exception, a collection error), or one that needs the
// network having reached no other machine.
func mayWantService(c *Case) (eligible, own bool) {
	own = c.Class == Assertion || c.Class == Exception || c.Class == CollectionError
	return own || (c.Class == NeedsNetwork && !c.Outside), own
}

// allFixed is the first of the addresses the plugin saw refuse a test (host:port, the host as the
// test gave it: localhost, 127.0.0.1, ::1) when fixed holds for every one's port, else "".
func allFixed(addrs []string, fixed func(int) bool) string {
	for _, a := range addrs {
		if port, err := strconv.Atoi(a[strings.LastIndex(a, ":")+1:]); err != nil || !fixed(port) {
			return ""
		}
	}
	if len(addrs) == 0 {
		return ""
	}
	return addrs[0]
}

// connectionWords are the words of a failed connection a client's error has beside the port it
// names ("connection to server at \"127.0.0.1\", port 5432 failed: Connection refused").
var connectionWords = regexp.MustCompile(`(?i)connect|refused`)

// refusedIn is the endpoint of the first of refused that text names, or "": a unix socket by its
// path, or a port that fixed says may be a service's, named as a port beside words of a
// connection.
func refusedIn(text string, refused []LocalRefusal, fixed func(int) bool) string {
	for _, f := range refused {
		switch {
		case f.Path != "" && strings.Contains(text, f.Path):
			return f.Endpoint
		case f.Port > 0 && fixed(f.Port) && connectionWords.MatchString(text) && namesPort(text, strconv.Itoa(f.Port)):
			return f.Endpoint
		}
	}
	return ""
}

// namesPort says whether text names the port n as a port: a number of its own, not a part of a
// longer one, after a host's colon ("localhost:27017") or the word port ("port 5432"), not any
// number (pyOpenSSL's "SysCallError(-1, 'Unexpected EOF')" is no port 1).
func namesPort(text, n string) bool {
	for i := 0; ; {
		k := strings.Index(text[i:], n)
		if k < 0 {
			return false
		}
		at, end := i+k, i+k+len(n)
		if (at == 0 || !isDigit(text[at-1])) && (end == len(text) || !isDigit(text[end])) {
			before := strings.ToLower(strings.TrimRight(text[max(0, at-8):at], " =:\"'"))
			if (at > 0 && text[at-1] == ':') || strings.HasSuffix(before, "port") {
				return true
			}
		}
		i = at + 1
	}
}

func isDigit(b byte) bool { return b >= '0' && b <= '9' }

// ephemeralPorts is where Linux's default range of ports given to a socket bound to port 0
// starts (net.ipv4.ip_local_port_range).
const ephemeralPorts = 32768

// ReachedOut classifies again, as needing the network, the failed tests and collections that
// failed on their own (an assertion, an exception, a collection error) while a process of the run
// reached another machine: touches are the times at which one looked up an outside name or
// connected or sent to an outside address, from the sandbox's trace and its resolver. The
// plugin's audit hook sees only the pytest process's own; a program a test runs is another
// (python-gnupg 0.5.0's test_search_keys: gpg's dirmngr looked up pgp.mit.edu, and the test
// failed on gpg's error). It returns the node IDs it changed.
func (r *Run) ReachedOut(touches []time.Time) []string {
	if len(touches) == 0 {
		return nil
	}
	sorted := slices.Clone(touches)
	slices.SortFunc(sorted, time.Time.Compare)
	var changed []string
	for i := range r.Cases {
		c := &r.Cases[i]
		if c.Class != Assertion && c.Class != Exception && c.Class != CollectionError {
			continue
		}
		// A span the clock did not give (a frozen or travelling clock in the test: freezegun,
		// time-machine) is no span.
		if c.Start <= 0 || c.Stop < c.Start {
			continue
		}
		start := time.Unix(0, int64(c.Start*1e9))
		stop := time.Unix(0, int64(c.Stop*1e9))
		k, _ := slices.BinarySearchFunc(sorted, start, time.Time.Compare)
		if k < len(sorted) && !sorted[k].After(stop) {
			c.Class, c.Outside = NeedsNetwork, true
			changed = append(changed, c.NodeID)
		}
	}
	if len(changed) > 0 {
		r.CountClasses()
	}
	return changed
}

// classify decides the class of a failure from its message and traceback, with the module, file
// or program it found missing.
func classify(message, longrepr string, collecting bool) cause {
	return classifyAs(message, longrepr, collecting, true)
}

// classifyOffline is classify for a failure known not to be for want of the network, whatever
// its words.
func classifyOffline(message, longrepr string, collecting bool) cause {
	return classifyAs(message, longrepr, collecting, false)
}

// classifyAs is classify; network says whether words of a failed connection mean the network.
func classifyAs(message, longrepr string, collecting, network bool) cause {
	text := message + "\n" + longrepr
	if m := MissingModule(text); m != "" {
		return cause{Class: MissingDependency, Module: m}
	}
	if pyShimRe.MatchString(text) {
		return cause{Class: MissingDependency, Module: "py"}
	}
	if fixture, _ := missingFixture(longrepr); pluginFixtures[fixture] != "" {
		return cause{Class: MissingDependency, Module: pluginFixtures[fixture]}
	}
	if m := pytestAttributeRe.FindStringSubmatch(text); m != nil && pluginAttributes[m[1]] != "" {
		return cause{Class: MissingDependency, Module: pluginAttributes[m[1]]}
	}
	if m := unknownOptionRe.FindStringSubmatch(text); m != nil && PluginIniOptions[m[1]] != "" {
		return cause{Class: MissingDependency, Module: pluginModule(PluginIniOptions[m[1]])}
	}
	if network && networkRe.MatchString(text) {
		return cause{Class: NeedsNetwork}
	}
	if program := missingProgram(message, longrepr); program != "" {
		return cause{Class: MissingProgram, Program: program}
	}
	if strings.Contains(text, "locale.Error: unsupported locale setting") && !strings.Contains(message, "AssertionError") {
		return cause{Class: MissingLocale, Locale: setlocaleArg(longrepr)}
	}
	if hiddenSysRe.MatchString(text) && !strings.Contains(message, "AssertionError") {
		return cause{Class: HiddenSystem}
	}
	if m := missingFileRe.FindStringSubmatch(message); m != nil {
		return cause{Class: MissingFile, Path: m[1]}
	}
	if m := missingFileRe.FindStringSubmatch(longrepr); m != nil && !strings.Contains(message, "AssertionError") {
		return cause{Class: MissingFile, Path: m[1]}
	}
	if collecting {
		return cause{Class: CollectionError}
	}
	if strings.Contains(message, "AssertionError") || strings.HasPrefix(message, "assert ") ||
		strings.Contains(longrepr, "\nE   assert ") || strings.Contains(longrepr, "AssertionError") {
		return cause{Class: Assertion}
	}
	if (strings.Contains(text, "Timeout") && strings.Contains(text, "pytest-timeout")) || pytestTimeoutRe.MatchString(message) {
		return cause{Class: TimedOut}
	}
	return cause{Class: Exception}
}

// hiddenSysRe finds a file under /sys that was not there: Python's FileNotFoundError for it, or
// a program's own words (lscpu: "/sys/devices/system/cpu/possible: No such file or directory").
var hiddenSysRe = regexp.MustCompile(`No such file or directory: '/sys/[^']*'|(?:^|[\s'"(])/sys/[^\s:'"]*: No such file or directory`)

// pytestTimeoutRe is pytest-timeout's failure of a test that ran past the project's timeout (its
// signal method; the thread method's report names pytest-timeout).
var pytestTimeoutRe = regexp.MustCompile(`^Failed: Timeout >[0-9.]+s`)

// setlocaleArgRe finds the locale argument of locale.setlocale's frame, as pytest shows a frame's
// arguments: "category = 6, locale = 'de_DE.UTF-8'".
var setlocaleArgRe = regexp.MustCompile(`(?m)^\s*category = \S+, locale = '([^'\n]+)'\s*$`)

// setlocaleArg is the locale a failed setlocale asked for, the last one the traceback shows, or "".
func setlocaleArg(longrepr string) string {
	ms := setlocaleArgRe.FindAllStringSubmatch(longrepr, -1)
	if len(ms) == 0 {
		return ""
	}
	return ms[len(ms)-1][1]
}

// pexpectNotFoundRe is pexpect's error for a command it could not find on PATH.
var pexpectNotFoundRe = regexp.MustCompile(`ExceptionPexpect: The command was not found or was not executable: (\S+)\.`)

// commandNotFoundRe is a project's own word for a program it looked for on PATH and did not find
// (python-ldap 3.4.3's slapdtest: "ValueError: Command 'ldapadd' not found. Set the BIN
// environment variable to override slapdtest's search path.").
var commandNotFoundRe = regexp.MustCompile(`(?i)\b(?:command|program|executable) ['"\x60]([\w.+/-]+)['"\x60] (?:was |is )?not found`)

// missingProgram names the program a failure could not run, or "": the FileNotFoundError that
// subprocess raises from the child's exec (its traceback passes through _execute_child), for a
// bare command name or an absolute path (a relative path with a slash is a file of the tree, the
// test's data; so is an absolute one inside the test tree, which the caller knows), pexpect's
// error, or a project's own error that says so (commandNotFoundRe). A test that asserts on the
// error expects it: not missing.
func missingProgram(message, longrepr string) string {
	if strings.Contains(message, "AssertionError") {
		return ""
	}
	if m := pexpectNotFoundRe.FindStringSubmatch(message + "\n" + longrepr); m != nil {
		return m[1]
	}
	if m := commandNotFoundRe.FindStringSubmatch(message); m != nil {
		return m[1]
	}
	if !strings.Contains(longrepr, "_execute_child") {
		return ""
	}
	m := missingFileRe.FindStringSubmatch(message)
	if m == nil {
		m = missingFileRe.FindStringSubmatch(longrepr)
	}
	if m == nil || (strings.Contains(m[1], "/") && !strings.HasPrefix(m[1], "/")) {
		return ""
	}
	return m[1]
}

func countCases(cases []Case) Counts {
	var c Counts
	for _, tc := range cases {
		c.add(tc.Outcome, 1)
	}
	return c
}

// Failing returns the cases that failed or errored, sorted by node id.
func (r *Run) Failing() []Case {
	var out []Case
	for _, c := range r.Cases {
		if c.Outcome == Failed || c.Outcome == Error {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out
}

var countRe = regexp.MustCompile(`(\d+) (passed|failed|errors?|skipped|xfailed|xpassed|warnings?)\b`)

// ParseClosingLine reads pytest's closing line ("2 failed, 4 passed, 1 warning in 0.12s"), the
// last non-empty line of its output, into counts; ok is false when there is none.
func ParseClosingLine(output string) (c Counts, ok bool) {
	lines := strings.Split(strings.TrimSpace(output), "\n")
	last := lines[len(lines)-1]
	for _, m := range countRe.FindAllStringSubmatch(last, -1) {
		n, err := strconv.Atoi(m[1])
		if err != nil {
			continue
		}
		ok = true
		switch m[2] {
		case "passed":
			c.Passed = n
		case "failed":
			c.Failed = n
		case "error", "errors":
			c.Errors = n
		case "skipped":
			c.Skipped = n
		case "xfailed":
			c.XFailed = n
		case "xpassed":
			c.XPassed = n
		case "warning", "warnings":
			c.Warnings = n
		}
	}
	return c, ok
}
