package tasks

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/testresult"
)

// okTasks are the records of a run in which every task succeeded.
func okTasks(suffix string) []dag.TaskRecord {
	var out []dag.TaskRecord
	for _, n := range []string{"resolve", "download", "unpack", "inspect", "style", "lint", "report"} {
		out = append(out, dag.TaskRecord{TaskSpec: dag.TaskSpec{Name: n}, Status: dag.StatusOK})
	}
	for _, n := range []string{"fetch", "build", "venv", "install", "import", "test"} {
		out = append(out, dag.TaskRecord{TaskSpec: dag.TaskSpec{Name: n + suffix}, Status: dag.StatusOK})
	}
	return out
}

// with changes one task's record.
func with(recs []dag.TaskRecord, name string, status dag.Status, errText, reason, cause string) []dag.TaskRecord {
	out := append([]dag.TaskRecord(nil), recs...)
	for i := range out {
		if out[i].Name == name {
			out[i].Status, out[i].Error, out[i].Reason, out[i].Cause = status, errText, reason, cause
		}
	}
	return out
}

func cases(cs ...report.TestCase) *report.TestRun {
	run := &report.TestRun{Complete: true, Cases: cs}
	for _, c := range cs {
		switch c.Outcome {
		case report.TestPassed:
			run.Counts.Passed++
		case report.TestFailed:
			run.Counts.Failed++
		case report.TestError:
			run.Counts.Errors++
		case report.TestSkipped:
			run.Counts.Skipped++
		case report.TestXFailed:
			run.Counts.XFailed++
		case report.TestXPassed:
			run.Counts.XPassed++
		}
	}
	return run
}

// stopped is a run pytest ended on its own (exit code code, why) before its summary.
func stopped(code int, why string, cs ...report.TestCase) *report.Tests {
	run := cases(cs...)
	run.Complete = false
	return &report.Tests{Phase: report.Phase{Outcome: "exit", ExitCode: code, Reason: why}, Found: "13 test files", Results: run}
}

func passed(n int) []report.TestCase {
	var out []report.TestCase
	for range n {
		out = append(out, report.TestCase{NodeID: "t.py::ok", Outcome: report.TestPassed})
	}
	return out
}

func one(v verdictInput, tests *report.Tests, fetch *report.Fetch) verdictInput {
	v.Targets = []verdictTarget{{Image: "host", Python: "3.11.2", Results: report.TargetResults{Tests: tests, Fetch: fetch}}}
	if v.Tasks == nil {
		v.Tasks = okTasks("")
	}
	return v
}

func TestDecideVerdict(t *testing.T) {
	missing := func(id, mod string) report.TestCase {
		return report.TestCase{NodeID: id, Outcome: report.TestError, Class: report.ClassMissingDependency, Missing: mod,
			Message: "ModuleNotFoundError: No module named '" + mod + "'"}
	}
	withDefines := func(c report.TestCase, n int) report.TestCase {
		c.Defines = n
		return c
	}
	suite := func(cs ...report.TestCase) *report.Tests {
		return &report.Tests{Found: "2 test files", Results: cases(cs...)}
	}
	// skips counts the skipped tests of a passing suite, grouped by their reason.
	skips := func(t *report.Tests, groups ...report.SkipReason) *report.Tests {
		t.Skipped = groups
		for _, g := range groups {
			t.Results.Counts.Skipped += g.Count
		}
		return t
	}
	connect := report.Finding{Source: "behavior", Phase: "install", RuleID: "network-connect", Severity: report.SeverityHigh,
		Title: "Connects to the network", Message: inPhase("install", "a connection out of the sandbox"),
		Evidence: []report.Evidence{{Kind: "connect", Detail: "connect 203.0.113.9:4444"}}}
	static := report.Finding{Source: "static", Phase: "inspect", RuleID: "exec-base64", Severity: report.SeverityCritical,
		Title: "Runs decoded code", Evidence: []report.Evidence{{Kind: "source", File: "setup.py", Line: 12, Detail: "exec(b64decode(...))"}}}
	for _, tc := range []struct {
		name string
		in   verdictInput
		want verdictOutput
	}{
		{"passed", one(verdictInput{}, suite(append(passed(3),
			report.TestCase{NodeID: "t.py::a", Outcome: report.TestSkipped, Message: "exceptiongroup not installed"},
			report.TestCase{NodeID: "t.py::b", Outcome: report.TestSkipped, Message: "exceptiongroup not installed"})...), nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "3 passed, 2 skipped"}},
		{"passed, skips named by their reason", one(verdictInput{}, skips(suite(passed(3)...), report.SkipReason{Reason: "exceptiongroup not installed", Count: 2}), nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "3 passed, 2 skipped: exceptiongroup not installed"}},
		{"passed, a skip reason over two lines is one sentence", one(verdictInput{}, skips(suite(passed(3)...),
			report.SkipReason{Reason: "Parsing requires the\n  package recommonmark.", Count: 2}), nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "3 passed, 2 skipped: Parsing requires the package recommonmark."}},
		{"passed, skips for a test dependency the index does not have", one(verdictInput{}, skips(suite(passed(147)...),
			report.SkipReason{Reason: "Requires cryptography library installed", Count: 114}, report.SkipReason{Reason: "slow", Count: 4}, report.SkipReason{Reason: "win32 only", Count: 2}),
			&report.Fetch{MissingTestDeps: []string{"cryptography"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "147 passed, 120 skipped (114: Requires cryptography library installed (test dependency `cryptography` is not on the index); 6 for 2 other reasons)"}},
		{"passed, one other skip reason named (setproctitle 1.3.2)", one(verdictInput{}, skips(suite(passed(25)...),
			report.SkipReason{Reason: "Windows only test", Count: 2}, report.SkipReason{Reason: "Mac only test", Count: 1}), nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "25 passed, 3 skipped (2: Windows only test; 1: Mac only test)"}},
		{"passed, a skip that names the import name of a project spelled otherwise", one(verdictInput{}, skips(suite(passed(5)...),
			report.SkipReason{Reason: "Tidylib not available", Count: 3}),
			&report.Fetch{MissingTestDeps: []string{"pytidylib"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "5 passed, 3 skipped: Tidylib not available (test dependency `pytidylib` is not on the index)"}},
		{"passed, importorskip of a module of a dependency with no matching version", one(verdictInput{}, skips(suite(passed(2)...),
			report.SkipReason{Reason: "could not import 'yaml': No module named 'yaml'", Count: 3}),
			&report.Fetch{MissingTestDeps: []string{"pretend"}, UnmetTestDeps: []string{"PyYAML>=9"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "2 passed, 3 skipped: could not import 'yaml': No module named 'yaml' (test dependency `PyYAML>=9` has no matching version on the index)"}},
		{"passed, tests failing only under coverage's tracing", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "t.py::leak", Outcome: report.TestPassed, UnderCoverage: "LeakCheckError: refcount increased"})...), nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "3 passed, 0 skipped; 1 test failed only under coverage.py's tracing, and counts as it ran without it"}},
		{"passed, a skip that names no missing dependency", one(verdictInput{}, skips(suite(passed(2)...),
			report.SkipReason{Reason: "needs the library's Windows build", Count: 1}),
			&report.Fetch{MissingTestDeps: []string{"pywin32"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "2 passed, 1 skipped: needs the library's Windows build"}},
		{"no tests shipped", one(verdictInput{}, &report.Tests{Found: "no tests in the distribution"}, nil),
			verdictOutput{Verdict: report.VerdictNoTests, Reason: "no tests in the distribution"}},
		{"no tests collected", one(verdictInput{}, suite(), nil),
			verdictOutput{Verdict: report.VerdictNoTests, Reason: "the test run collected no tests (2 test files)"}},
		{"tests fail on their own", one(verdictInput{}, suite(append(passed(8),
			report.TestCase{NodeID: "t.py::f", Outcome: report.TestFailed, Class: report.ClassAssertion},
			report.TestCase{NodeID: "t.py::e", Outcome: report.TestError, Class: report.ClassException})...), nil),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "2 of 10 tests failed on their own"}},
		{"a failure that asks for a test dependency the index does not have", one(verdictInput{}, suite(append(passed(7),
			report.TestCase{NodeID: "t.py::rsa", Outcome: report.TestError, Class: report.ClassException,
				Message: "NotImplementedError: Algorithm 'RS256' could not be found. Do you have cryptography installed?"},
			report.TestCase{NodeID: "t.py::rsa2", Outcome: report.TestError, Class: report.ClassException,
				Message: "NotImplementedError: Algorithm 'RS512' could not be found. Do you have cryptography installed?"},
			report.TestCase{NodeID: "t.py::f", Outcome: report.TestFailed, Class: report.ClassAssertion, Message: "AssertionError: cryptography != crypto"})...),
			&report.Fetch{MissingTestDeps: []string{"cryptography"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 10 tests could not run: test dependency `cryptography` is not on the index; also 1 failed on their own"}},
		// urllib3 1.26.14's retry tests, pytest-freezegun not on the index.
		{"failures marked with a plugin's marker, the plugin left out", one(verdictInput{}, suite(append(passed(6),
			report.TestCase{NodeID: "t.py::sleep1", Outcome: report.TestFailed, Class: report.ClassAssertion, UnknownMarks: []string{"freeze_time"}},
			report.TestCase{NodeID: "t.py::sleep2", Outcome: report.TestFailed, Class: report.ClassAssertion, UnknownMarks: []string{"freeze_time", "slow"}},
			report.TestCase{NodeID: "t.py::date", Outcome: report.TestFailed, Class: report.ClassAssertion})...),
			&report.Fetch{MissingTestDeps: []string{"win-inet-pton", "pytest-freezegun"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 9 tests could not run as written: they carry markers no installed plugin registers " +
				"(`freeze_time`, `slow`), and the index could not provide the pytest plugin `pytest-freezegun`; also 1 failed on their own"}},
		{"a marker nothing registered, no plugin left out", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "t.py::f", Outcome: report.TestFailed, Class: report.ClassAssertion, UnknownMarks: []string{"slow"}})...),
			&report.Fetch{MissingTestDeps: []string{"win-inet-pton"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "1 of 3 tests failed on their own"}},
		// psutil 5.9.4's test_leak_mem failed in the suite's run and passed alone.
		{"a failure that passed when run again alone", one(verdictInput{}, suite(append(passed(8),
			report.TestCase{NodeID: "t.py::leak", Outcome: report.TestFailed, Class: report.ClassAssertion, PassedAlone: true},
			report.TestCase{NodeID: "t.py::f", Outcome: report.TestFailed, Class: report.ClassAssertion})...), nil),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "1 of 10 tests failed on their own; also 1 failed in the suite's run and passed when run again alone, " +
				"with and without coverage (flaky, or dependent on the tests before them)"}},
		// Werkzeug 2.2.3's test_ssl_dev_cert, cryptography not on the index.
		{"a failure that says it requires a test dependency the index does not have", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "t.py::cert", Outcome: report.TestError, Class: report.ClassException,
				Message: "TypeError: Using ad-hoc certificates requires the cryptography library."})...),
			&report.Fetch{MissingTestDeps: []string{"cffi", "cryptography"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 3 tests could not run: test dependency `cryptography` is not on the index"}},
		// pyflakes 3.0.1's tox.ini installs flake8 4.0.1, which depends on pyflakes<2.5.
		{"a test dependency left out because its dependencies conflict with the package", one(verdictInput{}, &report.Tests{Found: "2 test files",
			Results: cases(append(passed(4), missing("tests/test_lint.py", "flake8"))...), DepsLeftOut: []string{"flake8==4.0.1"}}, nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 5 tests could not run: test dependency `flake8==4.0.1` could not be installed beside the package, " +
				"their dependencies conflicting (a test file pytest could not collect, counted as one test)"}},
		{"tests fail with the index's versions of a lock file's pins", one(verdictInput{}, suite(append(passed(9),
			report.TestCase{NodeID: "t.py::f", Outcome: report.TestFailed, Class: report.ClassAssertion})...),
			&report.Fetch{RelaxedTestDeps: []string{"freezegun==1.1.0"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "1 of 10 tests failed on their own, run with the index's versions instead of `freezegun==1.1.0`"}},
		{"tests pass with a relaxed pin", one(verdictInput{}, suite(passed(3)...),
			&report.Fetch{RelaxedTestDeps: []string{"freezegun==1.1.0"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "3 passed, 0 skipped, run with the index's versions instead of `freezegun==1.1.0`"}},
		{"tests pass with a relaxed pin, after a skip's reason (pyrsistent 0.19.3)", one(verdictInput{},
			skips(suite(passed(3)...), report.SkipReason{Reason: "This test only applies to pvectorc", Count: 1}),
			&report.Fetch{RelaxedTestDeps: []string{"pytest<7"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "3 passed, 1 skipped: This test only applies to pvectorc; run with the index's versions instead of `pytest<7`"}},
		{"a test dependency the index does not have", one(verdictInput{}, suite(append(passed(2),
			missing("tests/test_a.py", "pretend"), missing("tests/test_b.py", "pretend"), missing("tests/test_c.py", "hypothesis"),
			report.TestCase{NodeID: "t.py::f", Outcome: report.TestFailed, Class: report.ClassAssertion})...),
			&report.Fetch{MissingTestDeps: []string{"pretend"}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 6 tests could not run: test dependency `pretend` is not on the index (test files pytest could not collect, each counted as one test); " +
				"also 1 failed on their own; 1 could not run: `hypothesis` was not installed, and the test dependencies were left out: `pretend` not on the index"}},
		{"test dependencies left out for a version the index lacks", one(verdictInput{}, suite(append(passed(2),
			missing("tests/test_a.py", "hypothesis.strategies"), missing("tests/test_b.py", "hypothesis"), missing("tests/test_c.py", "pretend"),
			missing("tests/test_d.py", "jaraco.classes"))...),
			&report.Fetch{MissingTestDeps: []string{"pretend", "jaraco.classes"}, UnmetTestDeps: []string{"coverage[toml]>=7.2.0"}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 6 tests could not run: `hypothesis` was not installed, and the test dependencies were left out: " +
				"`pretend`, `jaraco.classes` not on the index, `coverage[toml]>=7.2.0` with no matching version on it (test files pytest could not collect, each counted as one test); " +
				"also 1 could not run: test dependency `pretend` is not on the index; 1 could not run: test dependency `jaraco.classes` is not on the index"}},
		{"a test dependency the index does not have, the others fetched", one(verdictInput{}, suite(append(passed(2),
			missing("tests/test_a.py", "pretend"), missing("tests/test_c.py", "yaml"))...),
			&report.Fetch{MissingTestDeps: []string{"pretend", "PyYAML"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 4 tests could not run: test dependency `pretend` is not on the index (a test file pytest could not collect, counted as one test); " +
				"also 1 could not run: test dependency `PyYAML` is not on the index"}},
		{"a test dependency with no matching version, the others fetched", one(verdictInput{}, suite(append(passed(210),
			missing("tests/test_android.py", "pytest_mock"), missing("tests/test_unix.py", "pytest_mock"))...),
			&report.Fetch{MissingTestDeps: []string{"covdefaults"}, UnmetTestDeps: []string{"pytest-mock>=3.10"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 212 tests could not run: test dependency `pytest-mock>=3.10` has no matching version on the index (test files pytest could not collect, each counted as one test)"}},
		// python-dotenv 1.0.0: test_cli.py and test_main.py import sh, and hold 97 tests.
		{"files pytest could not collect, with the tests they define", one(verdictInput{}, suite(append(passed(53),
			withDefines(missing("tests/test_cli.py", "sh"), 20), withDefines(missing("tests/test_main.py", "sh"), 77))...),
			&report.Fetch{MissingTestDeps: []string{"sh"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 55 tests could not run: test dependency `sh` is not on the index " +
				"(test files pytest could not collect, each counted as one test; they define 97 test functions)"}},
		{"the cause whose uncollected files define the most tests first, each cause's files counted (python-dateutil 2.8.2)", one(verdictInput{}, suite(append(passed(3),
			withDefines(missing("dateutil/test/property/test_isoparse_prop.py", "hypothesis"), 1),
			withDefines(missing("dateutil/test/property/test_parser_prop.py", "hypothesis"), 2),
			withDefines(missing("dateutil/test/property/test_tz_prop.py", "hypothesis"), 1),
			withDefines(missing("dateutil/test/test_rrule.py", "freezegun"), 562),
			withDefines(missing("dateutil/test/test_utils.py", "freezegun"), 7),
			report.TestCase{NodeID: "dateutil/test/test_internals.py::test_parser_parser_private_not_warns", Outcome: report.TestFailed, Class: report.ClassException})...), &report.Fetch{}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 9 tests could not run: they import `freezegun`, which no installed dependency provides " +
				"(test files pytest could not collect, each counted as one test; they define 569 test functions); " +
				"also 3 could not run: they import `hypothesis`, which no installed dependency provides (3 test files pytest could not collect, defining 4 test functions); " +
				"1 failed on their own; the sdist declares no test dependencies"}},
		{"one file pytest could not collect, with the test it defines", one(verdictInput{}, suite(append(passed(3),
			withDefines(missing("tests/test_cli.py", "sh"), 1))...),
			&report.Fetch{MissingTestDeps: []string{"sh"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 4 tests could not run: test dependency `sh` is not on the index " +
				"(a test file pytest could not collect, counted as one test; it defines 1 test function)"}},
		{"a module of a test dependency the index could not satisfy, under another name", one(verdictInput{}, suite(append(passed(2),
			missing("tests/test_a.py", "mocklib"))...),
			&report.Fetch{UnmetTestDeps: []string{"python-mocklib>=3.10"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 3 tests could not run: `mocklib` was not installed, and some test dependencies were left out: `python-mocklib>=3.10` with no matching version on it (a test file pytest could not collect, counted as one test)"}},
		{"a module none of the left-out tools could provide (dnspython 2.3.0's Poetry dev-dependencies)", one(verdictInput{}, suite(append(passed(2),
			missing("tests/test_dnssec.py", "cryptography"))...),
			&report.Fetch{MissingTestDeps: []string{"black", "flake8", "pytest-cov", "sphinx", "twine"}, UnmetTestDeps: []string{"coverage>=7.0,<8.0"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 3 tests could not run: they import `cryptography`, which no installed dependency provides (a test file pytest could not collect, counted as one test)"}},
		{"pytest stopped, the test dependencies the index has installed", one(verdictInput{}, stopped(1,
			"pytest refused its command line or configuration: error: unrecognized arguments: --benchmark-disable"),
			&report.Fetch{MissingTestDeps: []string{"pytest-benchmark"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "pytest refused its command line or configuration: error: unrecognized arguments: --benchmark-disable " +
				"(options of the pytest plugin `pytest-benchmark`, which is not on the index), without the test dependencies the index could not satisfy: `pytest-benchmark` not on the index"}},
		// cattrs 23.1.2: its addopts' --benchmark-* options, pytest-benchmark>=3.2.3 unmet among
		// a dozen development dependencies the index lacks.
		{"pytest refused the options of a plugin the index could not satisfy", one(verdictInput{Tasks: with(okTasks(""), "test", dag.StatusFailed,
			"the test run produced no results (exit status 4): __main__.py: error: unrecognized arguments: --benchmark-sort=fullname --benchmark-warmup=true", "", "")},
			&report.Tests{Found: "40 test files"}, &report.Fetch{MissingTestDeps: []string{"Sphinx", "black"}, UnmetTestDeps: []string{"pytest-benchmark>=3.2.3,<4.0.0"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "the tests could not run: the test run produced no results (exit status 4): __main__.py: error: unrecognized arguments: --benchmark-sort=fullname --benchmark-warmup=true " +
				"(options of the pytest plugin `pytest-benchmark>=3.2.3,<4.0.0`, which has no version on the index that matches), " +
				"without the test dependencies the index could not satisfy: `Sphinx`, `black` not on the index, `pytest-benchmark>=3.2.3,<4.0.0` with no matching version on it"}},
		// dictdiffer 0.9.0's addopts: three plugins' options, none on the index.
		{"pytest refused the options of three plugins the index lacks", one(verdictInput{Tasks: with(okTasks(""), "test", dag.StatusFailed,
			"the test run produced no results (exit status 4): __main__.py: error: unrecognized arguments: --isort --pydocstyle --pycodestyle", "", "")},
			&report.Tests{Found: "6 test files"}, &report.Fetch{MissingTestDeps: []string{"pytest-isort", "pytest-pydocstyle", "pytest-pycodestyle"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "the tests could not run: the test run produced no results (exit status 4): __main__.py: error: unrecognized arguments: --isort --pydocstyle --pycodestyle " +
				"(options of the pytest plugins `pytest-isort`, `pytest-pydocstyle`, `pytest-pycodestyle`, which are not on the index), " +
				"without the test dependencies the index could not satisfy: `pytest-isort`, `pytest-pydocstyle`, `pytest-pycodestyle` not on the index"}},
		{"pytest stopped on the options of a plugin the index lacks", one(verdictInput{}, stopped(1,
			"pytest refused its command line or configuration: error: unrecognized arguments: --benchmark-disable"),
			&report.Fetch{MissingTestDeps: []string{"pytest-benchmark", "furo"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "pytest refused its command line or configuration: error: unrecognized arguments: --benchmark-disable " +
				"(options of the pytest plugin `pytest-benchmark`, which is not on the index), without the test dependencies the index could not satisfy: `pytest-benchmark`, `furo` not on the index"}},
		{"a module the package's own extra declares, not installed for the tests (dnspython 2.3.0's dnssec)",
			one(verdictInput{Requires: []string{"idna (>=2.1,<4.0) ; extra == \"idna\"", "cryptography (>=2.6,<40.0) ; extra == \"dnssec\""}},
				suite(append(passed(3), missing("tests/test_dnssec.py", "cryptography.hazmat"))...), &report.Fetch{TestExtras: []string{"test"}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 4 tests could not run: they import `cryptography.hazmat`, which the package's extra `dnssec` declares, not installed for the tests " +
				"(a test file pytest could not collect, counted as one test)"}},
		{"the same extra installed for the tests: no word of it", one(verdictInput{Requires: []string{"cryptography; extra == 'dnssec'"}},
			suite(append(passed(3), missing("tests/test_dnssec.py", "cryptography"))...), &report.Fetch{TestExtras: []string{"DNSSEC"}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 4 tests could not run: they import `cryptography`, which no installed dependency provides " +
				"(a test file pytest could not collect, counted as one test)"}},
		{"the py library, of which pytest's py module is a shim (execnet 1.9.0)", one(verdictInput{}, suite(append(passed(1),
			report.TestCase{NodeID: "testing/test_a.py::t", Outcome: report.TestFailed, Class: report.ClassMissingDependency, Missing: "py", Message: "AttributeError: module 'py' has no attribute 'code'"})...), nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 2 tests could not run: they use the `py` library, which no installed dependency provides (pytest's own `py` module holds py.path and py.error alone)"}},
		{"a plugin's fixture, the plugin undeclared", one(verdictInput{}, suite(append(passed(1),
			report.TestCase{NodeID: "tests/test_a.py::t", Outcome: report.TestError, Class: report.ClassMissingDependency, Missing: "pytest_mock", Message: "fixture 'mocker' not found"})...), nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 2 tests could not run: they use a fixture of the pytest plugin `pytest_mock` (fixture 'mocker' not found), which no installed dependency provides"}},
		{"a plugin's fixture, another plugin that gives it declared (tempora 5.2.1's freezer, pytest-freezegun)", one(verdictInput{}, suite(append(passed(41),
			report.TestCase{NodeID: "tempora/timing.py::tempora.timing.Stopwatch", Outcome: report.TestFailed, Class: report.ClassMissingDependency, Missing: "pytest_freezer",
				Message: "fixture 'freezer' not found"})...), &report.Fetch{MissingTestDeps: []string{"pytest-freezegun"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 42 tests could not run: test dependency `pytest-freezegun` is not on the index"}},
		{"a plugin's fixture, the plugin declared at a version the index lacks (requests' pytest-httpbin==2.0.0)", one(verdictInput{}, suite(append(passed(1),
			report.TestCase{NodeID: "tests/test_a.py::t", Outcome: report.TestError, Class: report.ClassMissingDependency, Missing: "pytest_httpbin",
				Message: "recursive dependency involving fixture 'httpbin' detected"})...), &report.Fetch{UnmetTestDeps: []string{"pytest-httpbin==2.0.0"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 2 tests could not run: test dependency `pytest-httpbin==2.0.0` has no matching version on the index"}},
		{"a module no dependency provides", one(verdictInput{}, suite(append(passed(1), missing("tests/test_a.py", "yaml.constructor"))...), nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 2 tests could not run: they import `yaml.constructor`, which no installed dependency provides (a test file pytest could not collect, counted as one test)"}},
		{"a portion of a namespace package the index does not have", one(verdictInput{}, suite(append(passed(3),
			missing("tests/test_a.py::t", "zope.testing"), missing("tests/test_a.py::u", "zope.testing.cleanup"),
			missing("tests/test_b.py::t", "zope.event"))...),
			&report.Fetch{MissingTestDeps: []string{"zope.testing"}, UnmetTestDeps: []string{"Sphinx>=7"}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 6 tests could not run: test dependency `zope.testing` is not on the index; " +
				"also 1 could not run: `zope.event` was not installed, and the test dependencies were left out: `zope.testing` not on the index, `Sphinx>=7` with no matching version on it"}},
		{"a program the machine does not have (pexpect's zsh)", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "tests/test_replwrap.py::test_zsh", Outcome: report.TestFailed, Class: report.ClassMissingProgram, MissingProgram: "zsh"},
			report.TestCase{NodeID: "tests/test_replwrap.py::test_zsh_prompt", Outcome: report.TestFailed, Class: report.ClassMissingProgram, MissingProgram: "zsh"},
			report.TestCase{NodeID: "tests/test_a.py::t", Outcome: report.TestFailed, Class: report.ClassAssertion})...), nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "2 of 5 tests could not run: they run the program `zsh`, which is not installed; also 1 failed on their own"}},
		{"a locale the machine does not have (natsort's de_DE)", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "tests/test_locale.py::t", Outcome: report.TestFailed, Class: report.ClassMissingLocale, MissingLocale: "de_DE.UTF-8"},
			report.TestCase{NodeID: "tests/test_locale.py::u", Outcome: report.TestFailed, Class: report.ClassMissingLocale})...), nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 4 tests could not run: they set the locale `de_DE.UTF-8`, which this machine does not have; also 1 could not run: they set a locale this machine does not have"}},
		{"what the sandbox keeps out (psutil's /sys)", one(verdictInput{}, suite(append(passed(3),
			report.TestCase{NodeID: "psutil/tests/test_linux.py::TestSystemNetIfStats::test_mtu", Outcome: report.TestError, Class: report.ClassHiddenSystem},
			report.TestCase{NodeID: "psutil/tests/test_linux.py::TestProcess::test_exe_mocked", Outcome: report.TestFailed, Class: report.ClassAssertion},
			report.TestCase{NodeID: "psutil/tests/test_system.py::TestMiscAPIs::test_users", Outcome: report.TestFailed, Class: report.ClassAssertion})...), nil),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "2 of 6 tests failed on their own; also 1 failed reading /sys, which the sandbox keeps out"}},
		{"only what the sandbox keeps out", one(verdictInput{}, suite(append(passed(3),
			report.TestCase{NodeID: "t.py::sys", Outcome: report.TestError, Class: report.ClassHiddenSystem})...), nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 4 tests failed reading /sys, which the sandbox keeps out"}},
		{"a service the tests expect to find running (redis 4.5.4's Redis)", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "tests/test_commands.py::t", Outcome: report.TestError, Class: report.ClassMissingService, MissingService: "127.0.0.1:6379"},
			report.TestCase{NodeID: "tests/test_commands.py::u", Outcome: report.TestError, Class: report.ClassMissingService, MissingService: "127.0.0.1:6379"},
			report.TestCase{NodeID: "tests/test_pg.py::v", Outcome: report.TestError, Class: report.ClassMissingService, MissingService: "localhost:5432"},
			report.TestCase{NodeID: "tests/test_a.py::t", Outcome: report.TestFailed, Class: report.ClassAssertion})...), nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "3 of 6 tests could not run: they connect to a server at `127.0.0.1:6379`, `localhost:5432`, which nothing in the run started (a service the tests expect to find running); also 1 failed on their own"}},
		{"tests that need the network", one(verdictInput{}, suite(append(passed(5),
			report.TestCase{NodeID: "t.py::n", Outcome: report.TestFailed, Class: report.ClassNeedsNetwork})...), nil),
			verdictOutput{Verdict: report.VerdictTestsNetwork, Reason: "1 of 6 tests need the network, which the sandbox does not have"}},
		{"test data missing from the sdist", one(verdictInput{}, suite(append(passed(1),
			report.TestCase{NodeID: "t.py::d1", Outcome: report.TestFailed, Class: report.ClassMissingFile, MissingPath: "/run/pyti/work/pyti/sdist-tree/tests/data/a.json"},
			report.TestCase{NodeID: "t.py::d2", Outcome: report.TestFailed, Class: report.ClassMissingFile, MissingPath: "tests/data/b.json"})...), nil),
			verdictOutput{Verdict: report.VerdictTestData, Reason: "2 of 3 tests could not run: test data `tests/data/a.json`, `tests/data/b.json` are missing from the sdist"}},
		{"the same test data missing twice", one(verdictInput{}, suite(append(passed(1),
			report.TestCase{NodeID: "t.py::d1", Outcome: report.TestFailed, Class: report.ClassMissingFile, MissingPath: "toml-test/tests/valid"},
			report.TestCase{NodeID: "t.py::d2", Outcome: report.TestFailed, Class: report.ClassMissingFile, MissingPath: "toml-test/tests/valid"})...), nil),
			verdictOutput{Verdict: report.VerdictTestData, Reason: "2 of 3 tests could not run: test data `toml-test/tests/valid` is missing from the sdist"}},
		{"a collection error", one(verdictInput{}, suite(append(passed(4),
			report.TestCase{NodeID: "tests/test_syntax.py", Outcome: report.TestError, Class: report.ClassCollectionError, Message: "SyntaxError: invalid syntax"})...), nil),
			verdictOutput{Verdict: report.VerdictTestCollection, Reason: "1 of 5 tests could not be collected: SyntaxError: invalid syntax"}},
		// PyYAML 6.0.1's tests/lib: functions its own runner calls with data files' names.
		{"test functions whose arguments no fixture gives", one(verdictInput{}, suite(append(passed(8),
			report.TestCase{NodeID: "tests/lib/test_canonical.py::test_canonical_scanner", Outcome: report.TestError, Class: report.ClassException, Message: "fixture 'canonical_filename' not found"},
			report.TestCase{NodeID: "tests/lib/test_canonical.py::test_canonical_error", Outcome: report.TestError, Class: report.ClassException, Message: "fixture 'data_filename' not found"},
			report.TestCase{NodeID: "tests/lib/test_yaml_ext.py::test_tokens_ext", Outcome: report.TestFailed, Class: report.ClassException,
				Message: "TypeError: test_tokens() missing 2 required positional arguments: 'data_filename' and 'tokens_filename'"},
			report.TestCase{NodeID: "tests/lib/test_yaml_ext.py::test_scanner_ext", Outcome: report.TestFailed, Class: report.ClassException,
				Message: "TypeError: test_scanner() missing 1 required positional argument: 'canonical_filename'"},
			report.TestCase{NodeID: "tests/lib/test_yaml_ext.py::test_deprecate_yaml_module", Outcome: report.TestFailed, Class: report.ClassAssertion, Message: "AssertionError: assert False"})...), nil),
			verdictOutput{Verdict: report.VerdictTestCollection, Reason: "4 of 13 tests could not run: their functions take arguments that no fixture gives " +
				"(`data_filename`, `canonical_filename`, `tokens_filename`): pytest cannot call them as they are written (the project may run them with a runner of its own); " +
				"also 1 failed on their own"}},
		// html5lib 1.1's conftest exits when its git submodule's test data is not there.
		{"pytest stopped for test data missing from the sdist", one(verdictInput{}, suite(
			report.TestCase{NodeID: "", Outcome: report.TestError, Class: report.ClassMissingFile, MissingPath: "html5lib/tests/testdata",
				Message: "_pytest.outcomes.Exit: testdata not available!"}), nil),
			verdictOutput{Verdict: report.VerdictTestData, Reason: "1 of 1 test could not run: test data `html5lib/tests/testdata` is missing from the sdist " +
				"(an error of the whole collection, not of one test file, counted as one test)"}},
		// html5lib 1.1 asks for pytest>=5.4.2,<6; pytest 6 refuses its collector's construction.
		{"a collection error from a newer pytest than the project's pin", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "", Outcome: report.TestError, Class: report.ClassCollectionError,
				Message: "Direct construction of SanitizerFile has been deprecated, please use SanitizerFile.from_parent.",
				Details: "See https://docs.pytest.org/en/stable/deprecations.html#node-construction-changed-to-node-from-parent for more details."})...),
			&report.Fetch{UnmetTestDeps: []string{"pytest>=5.4.2,<6"}, OtherTestDepsFetched: true,
				Wheelhouse: []report.File{{Filename: "pytest-7.2.1-py3-none-any.whl"}}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 3 tests could not run: pytest 7.2.1 refuses what they use, and the project asks for " +
				"`pytest>=5.4.2,<6`, which has no matching version on the index (Direct construction of SanitizerFile has been deprecated, please use SanitizerFile.from_parent.) " +
				"(an error of the whole collection, not of one test file, counted as one test)"}},
		// markdown2 2.4.8's test_cases() yields its own runner's cases.
		{"a yield test pytest no longer runs", one(verdictInput{}, suite(append(passed(7),
			report.TestCase{NodeID: "test/test_markdown2.py::test_cases", Outcome: report.TestXFailed,
				Message: "reason: [NOTRUN] yield tests were removed in pytest 4.0 - test_cases will be ignored"})...), nil),
			verdictOutput{Verdict: report.VerdictTestCollection, Reason: "1 of 8 tests could not run: `test_cases` is a yield test, which pytest no longer runs " +
				"(it counts each as xfailed, none of the tests it yields run): the project may run them with a runner of its own"}},
		{"an ordinary xfail passes", one(verdictInput{}, suite(append(passed(7),
			report.TestCase{NodeID: "test/test_a.py::test_b", Outcome: report.TestXFailed, Message: "reason: issue 12"})...), nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "7 passed, 1 xfailed, 0 skipped"}},
		// Jinja2 3.1.2 pins pytest==7.1.2 and sets `filterwarnings = error`; pytest 7.2 warns of
		// its nose-style teardown.
		{"a newer pytest's warning that the project's filters make an error", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "tests/test_loader.py::TestModuleLoader::test_log", Outcome: report.TestError, Class: report.ClassException,
				Message: "pytest.PytestRemovedIn8Warning: Support for nose tests is deprecated and will be removed in a future release.\n" +
					"See docs: https://docs.pytest.org/en/stable/deprecations.html#support-for-tests-written-for-nose"})...),
			&report.Fetch{RelaxedTestDeps: []string{"pytest==7.1.2"}, Wheelhouse: []report.File{{Filename: "pytest-7.2.1-py3-none-any.whl"}}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "1 of 3 tests could not run: pytest 7.2.1 warns of what they use, a warning that the project's warning filters turn into an error, " +
				"and the project asks for `pytest==7.1.2`, which has no matching version on the index " +
				"(pytest.PytestRemovedIn8Warning: Support for nose tests is deprecated and will be removed in a future release.)"}},
		{"a newer pytest's refusal, the project's pytest pin met", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "tests/test_a.py", Outcome: report.TestError, Class: report.ClassCollectionError,
				Message: "Direct construction of F has been deprecated, please use F.from_parent.",
				Details: "See https://docs.pytest.org/en/stable/deprecations.html for more details."})...),
			&report.Fetch{UnmetTestDeps: []string{"pytest-expect>=9"}}),
			verdictOutput{Verdict: report.VerdictTestCollection, Reason: "1 of 3 tests could not be collected: Direct construction of F has been deprecated, please use F.from_parent."}},
		{"a collection error without a message", one(verdictInput{}, suite(append(passed(4),
			report.TestCase{NodeID: "tests/test_odd.py", Outcome: report.TestError, Class: report.ClassCollectionError})...), nil),
			verdictOutput{Verdict: report.VerdictTestCollection, Reason: "1 of 5 tests could not be collected"}},
		{"pytest stopped with an internal error, its test dependencies not installed", one(verdictInput{}, stopped(3,
			"pytest stopped with an internal error: tests/conftest.py:20: pytest.PytestUnknownMarkWarning: Unknown pytest.mark.no_cover",
			missing("tests/property/test_a.py", "hypothesis"), missing("tests/test_b.py", "freezegun")),
			&report.Fetch{MissingTestDeps: []string{"pytest-cov", "hypothesis"}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "pytest stopped with an internal error: tests/conftest.py:20: pytest.PytestUnknownMarkWarning: Unknown pytest.mark.no_cover, " +
				"with the test dependencies not installed, because they could not be: `pytest-cov`, `hypothesis` not on the index; " +
				"before that, 1 of 2 tests could not run: test dependency `hypothesis` is not on the index (a test file pytest could not collect, counted as one test); also 1 could not run: `freezegun` was not installed, and the test dependencies were left out: `pytest-cov`, `hypothesis` not on the index"}},
		{"pytest stopped before any test, everything installed", one(verdictInput{}, stopped(4, "pytest refused its command line or configuration: error: unrecognized arguments: --cov"), nil),
			verdictOutput{Verdict: report.VerdictTestCollection, Reason: "pytest refused its command line or configuration: error: unrecognized arguments: --cov"}},
		{"a run that completed with exit code 3 is judged by its tests", one(verdictInput{}, &report.Tests{Phase: report.Phase{Outcome: "exit", ExitCode: 3, Reason: "pytest stopped with an internal error"},
			Found: "1 test file", Results: cases(passed(2)...)}, nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "2 passed, 0 skipped"}},
		{"doctests alone, one failing", one(verdictInput{}, &report.Tests{Phase: report.Phase{Outcome: "exit", ExitCode: 1}, Runner: "doctest", Found: "doctests in the modules",
			Results: cases(report.TestCase{NodeID: "docopt.py::docopt.docopt", Outcome: report.TestFailed, Class: report.ClassException})}, nil),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "1 of 1 test failed on their own (" + doctestsOnly + ")"}},
		{"doctests pass, a plugin's checks of the files fail", one(verdictInput{}, &report.Tests{Phase: report.Phase{Outcome: "exit", ExitCode: 1}, Runner: "doctest", Found: "doctests in the modules",
			Results: cases(report.TestCase{NodeID: "jaraco/classes/meta.py::jaraco.classes.meta", Outcome: report.TestPassed},
				report.TestCase{NodeID: "jaraco/classes/meta.py::flake-8::FLAKE8", Outcome: report.TestFailed, Class: report.ClassException, Plugin: "pytest-flake8"},
				report.TestCase{NodeID: "jaraco/classes/ancestry.py::flake-8::FLAKE8", Outcome: report.TestFailed, Class: report.ClassException, Plugin: "pytest-flake8"})}, nil),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "2 of 3 tests failed: they are the checks of the files that the pytest plugin `pytest-flake8` adds, not tests"}},
		{"a test and a plugin's check fail", one(verdictInput{}, suite(append(passed(1),
			report.TestCase{NodeID: "t.py::x", Outcome: report.TestFailed, Class: report.ClassException},
			report.TestCase{NodeID: "t.py::mypy", Outcome: report.TestFailed, Class: report.ClassException, Plugin: "pytest-mypy"},
			report.TestCase{NodeID: "u.py::mypy", Outcome: report.TestFailed, Class: report.ClassException, Plugin: "pytest-mypy"})...), nil),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "2 of 4 tests failed: they are the checks of the files that the pytest plugin `pytest-mypy` adds, not tests; also 1 failed on their own"}},
		{"expected failures are counted apart", one(verdictInput{}, suite(append(passed(2),
			report.TestCase{NodeID: "t.py::x", Outcome: report.TestXFailed}, report.TestCase{NodeID: "t.py::y", Outcome: report.TestXFailed})...), nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "2 passed, 2 xfailed, 0 skipped"}},
		{"a test that timed out", one(verdictInput{}, suite(append(passed(1),
			report.TestCase{NodeID: "t.py::slow", Outcome: report.TestError, Class: report.ClassTimedOut})...), nil),
			verdictOutput{Verdict: report.VerdictTimeout, Reason: "1 of 2 tests timed out"}},
		{"the test run hit its time limit", one(verdictInput{Hints: map[string]map[report.Verdict]string{"host": {report.VerdictTimeout: "the test step ran out of time (20m0s)"}}},
			suite(passed(1)...), nil),
			verdictOutput{Verdict: report.VerdictTimeout, Reason: "the test step ran out of time (20m0s)"}},
		{"a test whose call and teardown failed counts once, as one failing test", one(verdictInput{}, &report.Tests{Found: "1 test file", Results: func() *report.TestRun {
			run := cases(append(passed(1), report.TestCase{NodeID: "t.py::db", Outcome: report.TestFailed, Class: report.ClassException})...)
			run.Counts.Errors++ // pytest's count of its teardown's error
			return run
		}()}, nil),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "1 of 2 tests failed on their own"}},
		{"the test run went silent, after failures of other causes", one(verdictInput{Hints: map[string]map[report.Verdict]string{"host": {report.VerdictTimeout: "no-output-timeout: no output for 5m0s; every process killed"}}},
			&report.Tests{Phase: report.Phase{Outcome: "no-output-timeout"}, Found: "1 test file", Results: cases(append(passed(2),
				report.TestCase{NodeID: "t.py::fails", Outcome: report.TestFailed, Class: report.ClassException},
				report.TestCase{NodeID: "t.py::big", Outcome: report.TestError, Class: report.ClassTimedOut})...)}, nil),
			verdictOutput{Verdict: report.VerdictTimeout, Reason: "no-output-timeout: no output for 5m0s; every process killed, in `t.py::big`, after 3 tests; before that, 1 of 3 tests failed on their own"}},
		{"the plugin stopped the run at its time limit, after failures of other causes", one(verdictInput{Hints: map[string]map[report.Verdict]string{"host": {report.VerdictTimeout: stoppedAtLimit(&testresult.Stop{Next: "t.py::next", NotRun: 1200}, runLimit(20*time.Minute), 20*time.Minute)}}},
			&report.Tests{Phase: report.Phase{Outcome: "timeout"}, Found: "1 test file", Results: cases(append(passed(2),
				report.TestCase{NodeID: "t.py::fails", Outcome: report.TestFailed, Class: report.ClassException})...)}, nil),
			verdictOutput{Verdict: report.VerdictTimeout, Reason: "timeout: the test run reached PYTI's limit of 18m0s (its wall-clock limit is 20m0s) and was stopped between two tests: 1,200 tests did not run, from `t.py::next`, after 3 tests; before that, 1 of 3 tests failed on their own"}},
		{"the build hit its time limit, the tests never ran", one(verdictInput{Hints: map[string]map[report.Verdict]string{"host": {report.VerdictTimeout: "timeout: wall-clock limit of 20m0s exceeded; every process killed"}}},
			&report.Tests{Found: "1 test file"}, nil),
			verdictOutput{Verdict: report.VerdictTimeout, Reason: "timeout: wall-clock limit of 20m0s exceeded; every process killed"}},
		{"pytest could not run at all", one(verdictInput{Tasks: with(okTasks(""), "test", dag.StatusFailed, "the test run produced no results (exit status 4): ERROR: usage", "", "")},
			&report.Tests{Found: "1 test file"}, nil),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "the tests could not run: the test run produced no results (exit status 4): ERROR: usage"}},
		{"pytest could not run at all, its test dependencies not installed", one(verdictInput{Tasks: with(okTasks(""), "test", dag.StatusFailed,
			"the test run produced no results (exit status 3): INTERNALERROR> pytest.PytestConfigWarning: Unknown config option: asyncio_mode", "", "")},
			&report.Tests{Found: "3 test files"}, &report.Fetch{MissingTestDeps: []string{"pytest-asyncio"}, UnmetTestDeps: []string{"pytest==8.3.3"}}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "the tests could not run: the test run produced no results (exit status 3): INTERNALERROR> pytest.PytestConfigWarning: Unknown config option: asyncio_mode, " +
				"with the test dependencies not installed, because they could not be: `pytest-asyncio` not on the index, `pytest==8.3.3` with no matching version on it"}},
		// lazy-object-proxy 1.9.0: an installed plugin crashed (pytest-benchmark without the py
		// library its metadata did not name); objproxies and hunter, not on the index, are
		// nothing to it.
		{"pytest could not run for a reason its missing test dependencies do not give", one(verdictInput{Tasks: with(okTasks(""), "test", dag.StatusFailed,
			"the test run produced no results (exit status 3): INTERNALERROR> AttributeError: module 'py' has no attribute 'io'", "", "")},
			&report.Tests{Found: "3 test files"}, &report.Fetch{MissingTestDeps: []string{"objproxies", "hunter"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestsFailed, Reason: "the tests could not run: the test run produced no results (exit status 3): INTERNALERROR> AttributeError: module 'py' has no attribute 'io', " +
				"without the test dependencies the index could not satisfy: `objproxies`, `hunter` not on the index"}},
		{"pytest could not run, its error naming a test dependency the index lacks", one(verdictInput{Tasks: with(okTasks(""), "test", dag.StatusFailed,
			"the test run produced no results (exit status 3): INTERNALERROR> RuntimeError: pytest_timeout needs a newer pytest", "", "")},
			&report.Tests{Found: "3 test files"}, &report.Fetch{UnmetTestDeps: []string{"pytest-timeout>=2"}, OtherTestDepsFetched: true}),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "the tests could not run: the test run produced no results (exit status 3): INTERNALERROR> RuntimeError: pytest_timeout needs a newer pytest, " +
				"without the test dependencies the index could not satisfy: `pytest-timeout>=2` with no matching version on it"}},
		{"a conftest.py importing what nothing installed provides", one(verdictInput{Tasks: with(okTasks(""), "test", dag.StatusFailed,
			"the test run produced no results (exit status 4): tests/conftest.py could not be loaded: ModuleNotFoundError: No module named 'sortedcontainers'", "", "")},
			&report.Tests{Found: "17 test files", ConftestMissing: "sortedcontainers"}, nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "the tests could not run: a conftest.py imports `sortedcontainers`, which no installed dependency provides"}},
		{"a plugin installed beside the package stopped pytest (jsonpickle's pytest-benchmark 3.2.2)", one(verdictInput{Tasks: with(okTasks(""), "test", dag.StatusFailed,
			"the test run produced no results (exit status 3): INTERNALERROR> AttributeError: module 'py' has no attribute 'io'", "", "")},
			&report.Tests{Found: "40 test files", BrokenPlugin: "pytest_benchmark"}, nil),
			verdictOutput{Verdict: report.VerdictTestDeps, Reason: "the tests could not run: `pytest_benchmark`, a pytest plugin installed beside the package, stopped pytest at its start: " +
				"INTERNALERROR> AttributeError: module 'py' has no attribute 'io'"}},
		{"PYTI's sandbox failed in a shared task", one(verdictInput{Hints: map[string]map[report.Verdict]string{"": {report.VerdictError: "static-scan: sandbox: cgroup gone"}},
			Tasks: with(okTasks(""), "inspect", dag.StatusFailed, "static-scan: sandbox: cgroup gone", "", "")}, suite(passed(1)...), nil),
			verdictOutput{Verdict: report.VerdictError, Reason: "static-scan: sandbox: cgroup gone"}},
		{"harmful behaviour names its evidence first", one(verdictInput{Findings: []report.Finding{connect}}, suite(passed(1)...), nil),
			verdictOutput{Verdict: report.VerdictHarmful, Reason: "connect 203.0.113.9:4444 — Connects to the network: While the package was installed: a connection out of the sandbox"}},
		{"a critical static finding is harmful too", one(verdictInput{Findings: []report.Finding{
			{Source: "static", Phase: "inspect", Severity: report.SeverityMedium, Title: "Runs programs at install time"}, static}}, suite(passed(1)...), nil),
			verdictOutput{Verdict: report.VerdictHarmful, Reason: "setup.py:12: exec(b64decode(...)) — Runs decoded code (read in the source, not run)"}},
		{"medium findings are not harmful", one(verdictInput{Findings: []report.Finding{{Source: "static", Severity: report.SeverityMedium}}}, suite(passed(1)...), nil),
			verdictOutput{Verdict: report.VerdictPassed, Reason: "1 passed, 0 skipped"}},
		{"out of memory", one(verdictInput{Hints: map[string]map[report.Verdict]string{"host": {report.VerdictOOM: "the build ran out of memory (4 GiB)"}},
			Tasks: with(okTasks(""), "build", dag.StatusFailed, "oom", "", "")}, nil, nil),
			verdictOutput{Verdict: report.VerdictOOM, Reason: "the build ran out of memory (4 GiB)"}},
		{"unresolvable", one(verdictInput{Tasks: with(okTasks(""), "fetch", dag.StatusFailed, "pip could not fetch the package: ERROR: No matching distribution found for nosuch", "", "")}, nil, nil),
			verdictOutput{Verdict: report.VerdictFetch, Reason: "pip could not fetch the package: ERROR: No matching distribution found for nosuch"}},
		{"build failed", one(verdictInput{Tasks: with(okTasks(""), "build", dag.StatusFailed, "the wheel did not build\nmore", "", "")}, nil, nil),
			verdictOutput{Verdict: report.VerdictBuild, Reason: "the wheel did not build"}},
		{"install failed", one(verdictInput{Tasks: with(okTasks(""), "install", dag.StatusFailed, "pip install failed", "", "")}, nil, nil),
			verdictOutput{Verdict: report.VerdictInstall, Reason: "pip install failed"}},
		{"venv failed", one(verdictInput{Tasks: with(with(okTasks(""), "venv", dag.StatusFailed, "venv: no space", "", ""), "install", dag.StatusSkipped, "", "needs venv", "venv")}, nil, nil),
			verdictOutput{Verdict: report.VerdictInstall, Reason: "venv: no space"}},
		{"import failed", one(verdictInput{Tasks: with(okTasks(""), "import", dag.StatusFailed, "1 of 2 modules did not import", "", "")}, nil, nil),
			verdictOutput{Verdict: report.VerdictImportFailed, Reason: "1 of 2 modules did not import"}},
		{"import failed on what the tests had (soupsieve 2.5 leaves bs4 undeclared)", one(verdictInput{Tasks: with(okTasks(""), "import", dag.StatusFailed,
			"1 of 1 modules do not import: soupsieve needs bs4, which is not installed (an undeclared dependency?)", "", "")}, suite(append(passed(3), report.TestCase{NodeID: "tests/test_x.py::test_win", Outcome: report.TestSkipped, Message: "needs Windows"})...), nil),
			verdictOutput{Verdict: report.VerdictImportFailed, Reason: "1 of 1 modules do not import: soupsieve needs bs4, which is not installed (an undeclared dependency?); " +
				"with the test dependencies installed, the tests ran: 3 passed, 1 skipped"}},
		{"PYTI failed to resolve", one(verdictInput{Tasks: with(okTasks(""), "resolve", dag.StatusFailed, "index unreachable", "", "")}, nil, nil),
			verdictOutput{Verdict: report.VerdictError, Reason: "resolve: index unreachable"}},
		{"not found", verdictInput{Hints: map[string]map[report.Verdict]string{"": {report.VerdictNotFound: "no release matches nosuch==9"}}},
			verdictOutput{Verdict: report.VerdictNotFound, Reason: "no release matches nosuch==9"}},
		{"an index that led to a refused address", verdictInput{Hints: map[string]map[report.Verdict]string{"": {report.VerdictFetch: "the index led to an address PYTI does not contact: 169.254.169.254"}}},
			verdictOutput{Verdict: report.VerdictFetch, Reason: "the index led to an address PYTI does not contact: 169.254.169.254"}},
		{"unsafe archive", verdictInput{Hints: map[string]map[report.Verdict]string{"": {report.VerdictUnsafe: "member ../x escapes"}}},
			verdictOutput{Verdict: report.VerdictUnsafe, Reason: "member ../x escapes"}},
		{"a matrix: the heaviest cell, the others named", verdictInput{
			Tasks: append(okTasks("@host"), with(okTasks("@trixie"), "import@trixie", dag.StatusFailed, "cannot import name 'batched'", "", "")[7:]...),
			Targets: []verdictTarget{
				{Image: "host", Python: "3.11.2", Matrix: true, Results: report.TargetResults{Tests: suite(passed(2)...)}},
				{Image: "trixie", Python: "3.13.5", Matrix: true},
			}},
			verdictOutput{Verdict: report.VerdictImportFailed, Reason: "trixie (Python 3.13.5): cannot import name 'batched'; host (Python 3.11.2): passed",
				Cells: []cellVerdict{{report.VerdictPassed, "2 passed, 0 skipped"}, {report.VerdictImportFailed, "cannot import name 'batched'"}}}},
		{"a matrix cell the release does not support", verdictInput{
			Tasks: append(okTasks("@host"), with(with(okTasks("@old"), "fetch@old", dag.StatusSkipped, "", "Requires-Python >=3.12 excludes 3.11", ""),
				"build@old", dag.StatusSkipped, "", "needs wheelhouse", "fetch@old")[7:]...),
			Targets: []verdictTarget{
				{Image: "host", Python: "3.13.5", Matrix: true, Results: report.TargetResults{Tests: suite(passed(1)...)}},
				{Image: "old", Python: "3.11.2", Matrix: true},
			}},
			verdictOutput{Verdict: report.VerdictPassed, Reason: "host (Python 3.13.5): 1 passed, 0 skipped; old (Python 3.11.2): not-applicable",
				Cells: []cellVerdict{{report.VerdictPassed, "1 passed, 0 skipped"}, {report.VerdictNotApplicable, "Requires-Python >=3.12 excludes 3.11"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, decideVerdict(tc.in)); d != "" {
				t.Errorf("verdict (-want +got):\n%s", d)
			}
		})
	}
}

func TestComma(t *testing.T) {
	got := []string{comma(7), comma(123), comma(1234), comma(26921), comma(1234567)}
	if d := cmp.Diff([]string{"7", "123", "1,234", "26,921", "1,234,567"}, got); d != "" {
		t.Error(d)
	}
}
