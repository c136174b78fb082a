package report

import "sort"

// TestOutcome is what became of one test.
type TestOutcome string

// The outcomes pytest reports.
const (
	TestPassed  TestOutcome = "passed"
	TestFailed  TestOutcome = "failed"
	TestError   TestOutcome = "error"
	TestSkipped TestOutcome = "skipped"
	TestXFailed TestOutcome = "xfailed"
	TestXPassed TestOutcome = "xpassed"
)

// FailureClass says why a test failed or errored.
type FailureClass string

// The failure classes.
const (
	ClassAssertion         FailureClass = "assertion"
	ClassException         FailureClass = "error"
	ClassCollectionError   FailureClass = "collection-error"
	ClassNeedsNetwork      FailureClass = "needs-network"
	ClassTimedOut          FailureClass = "timed-out"
	ClassMissingDependency FailureClass = "missing-dependency"
	// ClassMissingFile is a test that opened a file of the test tree that is not there: test
	// data the distribution does not ship.
	ClassMissingFile FailureClass = "missing-file"
	// ClassMissingProgram is a test that ran a program the machine does not have: a part of
	// the environment, not of the package.
	ClassMissingProgram FailureClass = "missing-program"
	// ClassMissingLocale is a test that set a locale the machine does not have.
	ClassMissingLocale FailureClass = "missing-locale"
	// ClassHiddenSystem is a test that read what the sandbox keeps out (/sys).
	ClassHiddenSystem FailureClass = "hidden-system"
	// ClassMissingService is a test refused by a server on this machine that no process of the
	// run started: a service the tests expect to find running (a Redis, a database).
	ClassMissingService FailureClass = "missing-service"
)

// TestRun is the result of the project's test run.
type TestRun struct {
	Counts TestCounts `json:"counts"`
	// Complete is false when the run ended before pytest wrote its summary (killed, timed out):
	// the counts are then derived from the tests that reported.
	Complete   bool                 `json:"complete"`
	ExitStatus int                  `json:"exit_status"`
	Cases      []TestCase           `json:"cases"`
	Classes    map[FailureClass]int `json:"failure_classes,omitempty"`
	// Running is the test that had started and not finished when the run ended, if any.
	Running string `json:"running,omitempty"`
	// Suites are the test modules whose tests were the cases their load_tests() or test_suite()
	// returned, as a unittest suite's runners take them.
	Suites []TestSuite `json:"suites,omitempty"`
	// LeftOut are the functions pytest would have run as tests that are none: a test module's
	// runner of its own tests (`def test_main(): unittest.main()`), which unittest.main() would
	// end with the run's command line as its own ("SystemExit: 2").
	LeftOut []LeftOutTest `json:"left_out,omitempty"`
	// Scripts are the test modules that call unittest.main() at their top, run as `python FILE`
	// from their directory: their TestCase classes, each test run in the module's directory.
	Scripts []string `json:"scripts,omitempty"`
	// Stopped is set when PYTI stopped the run between two tests, just before the test step's
	// wall-clock limit, so that pytest and coverage.py could end and save what ran.
	Stopped *TestStop `json:"stopped,omitempty"`
}

// TestStop is where PYTI stopped a test run at its time limit.
type TestStop struct {
	// Next is the first test that did not run; NotRun counts it and those after it.
	Next   string `json:"next"`
	NotRun int    `json:"not_run"`
}

// LeftOutTest is a function pytest collected and PYTI did not run, with why.
type LeftOutTest struct {
	NodeID string `json:"nodeid"`
	Reason string `json:"reason"`
}

// TestSuite is a test module whose tests are the cases its own function returned.
type TestSuite struct {
	// Module is the module's pytest node ID (its path).
	Module string `json:"module"`
	// Protocol is the function that named the tests: load_tests or test_suite.
	Protocol string `json:"protocol"`
	// Tests is how many cases it returned.
	Tests int `json:"tests"`
}

// TestCase is one test (or one test module that failed to collect).
type TestCase struct {
	NodeID   string       `json:"nodeid"`
	Outcome  TestOutcome  `json:"outcome"`
	Class    FailureClass `json:"class,omitempty"`
	Message  string       `json:"message,omitempty"`
	Details  string       `json:"details,omitempty"`
	Duration float64      `json:"duration_s"`
	// Missing names the module a missing-dependency failure could not import.
	Missing string `json:"missing_module,omitempty"`
	// MissingPath names the file a missing-file failure could not open.
	MissingPath string `json:"missing_path,omitempty"`
	// MissingProgram names the program a missing-program failure could not run.
	MissingProgram string `json:"missing_program,omitempty"`
	// MissingLocale names the locale a missing-locale failure could not set, when known.
	MissingLocale string `json:"missing_locale,omitempty"`
	// MissingService is the address (host:port, or unix:PATH) on this machine a missing-service
	// failure was refused by.
	MissingService string `json:"missing_service,omitempty"`
	// UnderCoverage is the failure the test had under coverage.py's tracing, when it failed
	// there and, run again alone, not without it (greenlet's leak checks): Outcome is the one it
	// had without.
	UnderCoverage string `json:"failed_under_coverage,omitempty"`
	// PassedAlone: the test failed in the suite's run and passed when run again alone, with
	// coverage.py's tracing and without it (flaky, or dependent on the tests before it). It
	// counts as it failed.
	PassedAlone bool `json:"passed_alone,omitempty"`
	// UnknownMarks are the markers of a failed test that no installed plugin (nor the project's
	// configuration) registered (pytest-freezegun's freeze_time, without pytest-freezegun).
	UnknownMarks []string `json:"unknown_marks,omitempty"`
	// Plugin is the project of the installed pytest plugin whose item this is, when it is not a
	// test but the plugin's check of a file (pytest-flake8's, pytest-mypy's), which pytest
	// counts with the tests.
	Plugin string `json:"plugin,omitempty"`
	// Defines is, for a test file pytest could not collect (one case, whatever it holds), how
	// many test functions and methods it defines by pytest's default names, read with Python's
	// ast: the least it holds, parametrisation left aside.
	Defines int `json:"defines,omitempty"`
}

// TestCounts are tests per outcome, as pytest's closing line gives them.
type TestCounts struct {
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
func (c TestCounts) Total() int {
	return c.Passed + c.Failed + c.Errors + c.Skipped + c.XFailed + c.XPassed
}

// Failing returns the cases that failed or errored, sorted by node id.
func (r *TestRun) Failing() []TestCase {
	var out []TestCase
	for _, c := range r.Cases {
		if c.Outcome == TestFailed || c.Outcome == TestError {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].NodeID < out[j].NodeID })
	return out
}

// SkipReason is how many tests were skipped for one reason. A reason "MODULE not installed" may
// group the reasons that said so in different words: Messages are those words.
type SkipReason struct {
	Reason   string   `json:"reason"`
	Count    int      `json:"count"`
	Messages []string `json:"messages,omitempty"`
}
