package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sample() *Report {
	return &Report{
		Project: "demo", Version: "1.0", Verdict: VerdictTestsFailed, Reason: "1 failed",
		TargetResults: TargetResults{Tests: &Tests{Runner: "pytest", Results: &TestRun{
			Counts: TestCounts{Passed: 3, Failed: 1},
			Cases:  []TestCase{{NodeID: "t.py::test_\u202eevil", Outcome: TestFailed, Class: ClassAssertion, Message: "assert 1 == 2\nmore"}},
		}}},
		Findings: []Finding{
			{Source: "static", Phase: "inspect", RuleID: "exec-encoded-payload", Severity: SeverityHigh, Title: "Encoded payload",
				Message: "setup.py hides code", Count: 1, Evidence: []Evidence{{Kind: "source", File: "setup.py", Line: 3, Detail: "exec(b64decode(x))"}}},
			{Source: "behavior", Phase: "install", RuleID: "dns-lookup", Severity: SeverityMedium, Title: "DNS lookup", Message: "x", Count: 2},
		},
	}
}

func TestSummary(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{"demo 1.0: TESTS-FAILED (1 failed)", "3 passed, 1 failed", `t.py::test_\u202eevil`, "assert 1 == 2 more", "high     Encoded payload (inspect): setup.py:3: exec(b64decode(x))"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsRune(out, '\u202e') {
		t.Error("a bidi control character reached the terminal")
	}
}

// TestSummaryFailureClass: a failing test's class is shown with it, an exception's as
// "exception", not as pytest's error outcome.
func TestSummaryFailureClass(t *testing.T) {
	for _, tc := range []struct {
		class   FailureClass
		message string
		want    string
	}{
		{ClassException, "ImportError: x", "failed t.py::test_x [exception] ImportError: x\n"},
		{ClassAssertion, "ImportError: x", "failed t.py::test_x [assertion] ImportError: x\n"},
		{ClassMissingService, "ImportError: x", "failed t.py::test_x [missing-service] ImportError: x\n"},
		// No message: no trailing space (python-gnupg 0.5.0's test_search_keys).
		{ClassNeedsNetwork, "", "failed t.py::test_x [needs-network]\n"},
	} {
		t.Run(string(tc.class), func(t *testing.T) {
			r := sample()
			r.Tests.Results.Cases = []TestCase{{NodeID: "t.py::test_x", Outcome: TestFailed, Class: tc.class, Message: tc.message}}
			var b bytes.Buffer
			if err := r.WriteSummary(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("summary lacks %q:\n%s", tc.want, b.String())
			}
		})
	}
}

// TestEvidenceLine: a finding's line in the summary names its file first, so that a detail cut
// short still says where; a detail that names the file already is left as it is.
func TestEvidenceLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		e    Evidence
		want string
	}{
		{"file and line", Evidence{File: "setup.py", Line: 3, Detail: "exec(b64decode(x))"}, "setup.py:3: exec(b64decode(x))"},
		{"file alone", Evidence{File: "testsuite/E10.py", Detail: "parse:tokens SyntaxError: Missing parentheses"}, "testsuite/E10.py: parse:tokens SyntaxError: Missing parentheses"},
		{"the detail names the file", Evidence{File: "/etc/passwd", Detail: "openat /etc/passwd O_RDONLY"}, "openat /etc/passwd O_RDONLY"},
		{"no file", Evidence{Detail: "connect 10.0.0.1:443"}, "connect 10.0.0.1:443"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, evidenceLine(tc.e)); d != "" {
				t.Errorf("evidence line (-want +got):\n%s", d)
			}
		})
	}
}

// TestSummaryNamesTheProjectAsItSpellsIt: the index normalises a name (zope-proxy); the summary
// shows the one the metadata gives (zope.proxy), and never another project's.
func TestSummaryNamesTheProjectAsItSpellsIt(t *testing.T) {
	for _, tc := range []struct{ project, metadata, want string }{
		{"zope-proxy", "zope.proxy", "zope.proxy 1.0: "},
		{"zope-proxy", "", "zope-proxy 1.0: "},
		{"zope-proxy", "other", "zope-proxy 1.0: "},
	} {
		r := sample()
		r.Project, r.Version = tc.project, "1.0"
		r.Metadata = nil
		if tc.metadata != "" {
			r.Metadata = &Metadata{Name: tc.metadata}
		}
		var b bytes.Buffer
		if err := r.WriteSummary(&b); err != nil {
			t.Fatal(err)
		}
		if got := b.String(); !strings.HasPrefix(got, tc.want) {
			t.Errorf("project %q, metadata %q: summary starts %q, want %q", tc.project, tc.metadata, strings.SplitN(got, "\n", 2)[0], tc.want)
		}
	}
}

func TestSummarySaysTheCodeRan(t *testing.T) {
	for _, tc := range []struct {
		name    string
		codeRan []string
		want    string
	}{
		{"setup.py and import", []string{"setup.py during fetch (pip prepared the metadata)", "import (1 by name) with stand-ins for requests"},
			"  code ran  the package's own code ran: setup.py during fetch (pip prepared the metadata); import (1 by name) with stand-ins for requests\n"},
		{"nothing ran", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			r.TargetResults.CodeRan = tc.codeRan
			if got := summaryLines(t, r, "  code ran"); got != tc.want {
				t.Errorf("code ran line %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSummaryTestsSection: skips grouped by reason, which copy was tested, and what coverage measured.
func TestSummaryTestsSection(t *testing.T) {
	r := sample()
	r.Verdict, r.Reason = VerdictTestDeps, "19,082 of 26,921 tests could not run: test dependency `pretend` is not on the index"
	r.Results().Tests.Skipped = []SkipReason{{Reason: "exceptiongroup not installed", Count: 71}, {Reason: "needs Windows", Count: 2}}
	r.Results().Tests.Tested = "the installed copy of demo"
	br := 50.0
	r.Results().Tests.Coverage = &Coverage{Percent: 60, LinePercent: 70, BranchPercent: &br, Source: []string{"demo", "ns.part"}, Files: []FileCoverage{{Path: "demo/__init__.py"}}}
	var b bytes.Buffer
	if err := r.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(b.String(), "\n")
	if want := "demo 1.0: TEST-DEPS-MISSING (19,082 of 26,921 tests could not run: test dependency `pretend` is not on the index)"; lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	for _, want := range []string{"71 skipped: exceptiongroup not installed", "2 skipped: needs Windows", "tested    the installed copy of demo",
		"coverage  60.00% (lines 70.00%, branches 50.00%) of demo, ns.part: 1 file"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	// Skip reasons: three, and the fourth shown rather than counted as one more; of five, the
	// last two counted.
	for _, tc := range []struct {
		reasons int
		want    string
	}{{4, "            1 skipped: reason 4\n"}, {5, "            … and 2 more skip reasons\n"}} {
		r.Results().Tests.Skipped = nil
		for i := 1; i <= tc.reasons; i++ {
			r.Results().Tests.Skipped = append(r.Results().Tests.Skipped, SkipReason{Reason: fmt.Sprintf("reason %d", i), Count: 1})
		}
		if got := summaryLines(t, r, "            "); !strings.Contains(got, tc.want) || strings.Contains(got, "… and 1 more skip") {
			t.Errorf("%d skip reasons: %q, want %q", tc.reasons, got, tc.want)
		}
	}
}

// TestSummarySubtests: the subtests pytest-subtests counts follow the tests' counts, as pytest's
// closing line gives them.
func TestSummarySubtests(t *testing.T) {
	for _, tc := range []struct {
		name     string
		subtests map[string]int
		want     string
	}{
		{"none", nil, "0 xpassed (pytest)"},
		{"passed (tzdata 2023.3)", map[string]int{"passed": 597}, "0 xpassed, and 597 subtests passed (pytest)"},
		{"outcomes in pytest's order, one alone", map[string]int{"skipped": 2, "failed": 1, "passed": 3}, "0 xpassed, and 3 subtests passed, 1 subtest failed, 2 subtests skipped (pytest)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			r.Results().Tests.Runner = "pytest"
			r.Results().Tests.Results.Counts.Subtests = tc.subtests
			var b bytes.Buffer
			if err := r.WriteSummary(&b); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(b.String(), tc.want) {
				t.Errorf("summary lacks %q:\n%s", tc.want, b.String())
			}
		})
	}
}

// TestSummaryCoverageLine: the coverage line gives the figures, or why there are none.
func TestSummaryCoverageLine(t *testing.T) {
	br := 50.0
	for _, tc := range []struct {
		name string
		cov  *Coverage
		note string
		want string
	}{
		{"measured", &Coverage{Percent: 60, LinePercent: 70, BranchPercent: &br, Source: []string{"demo"}, Files: []FileCoverage{{Path: "demo/__init__.py"}}}, "",
			"  coverage  60.00% (lines 70.00%, branches 50.00%) of demo: 1 file\n"},
		{"the wheel's test modules left out (traitlets/tests/)", &Coverage{Percent: 60, LinePercent: 70, BranchPercent: &br, Source: []string{"demo"},
			Files: []FileCoverage{{Path: "demo/__init__.py"}}, TestFilesLeftOut: 14}, "",
			"  coverage  60.00% (lines 70.00%, branches 50.00%) of demo: 1 file, 14 test files left out\n"},
		{"lines the project excludes (zc.lockfile 3.0's tox.ini)", &Coverage{Percent: 98, LinePercent: 100, BranchPercent: &br, Source: []string{"zc.lockfile"},
			Files: []FileCoverage{{Path: "zc/lockfile/__init__.py"}}, Excluded: 20}, "",
			"  coverage  98.00% (lines 100.00%, branches 50.00%) of zc.lockfile: 1 file, 20 lines the project excludes\n"},
		{"measured, without the project's coverage plugin", &Coverage{Percent: 60, LinePercent: 70, BranchPercent: &br, Source: []string{"demo"},
			Files: []FileCoverage{{Path: "demo/__init__.py"}}, Note: "the project's coverage plugins are not used, nor the options they set: ModuleNotFoundError: No module named 'covdefaults'"}, "",
			"  coverage  60.00% (lines 70.00%, branches 50.00%) of demo: 1 file\n" +
				"  coverage  the project's coverage plugins are not used, nor the options they set: ModuleNotFoundError: No module named 'covdefaults'\n"},
		{"none, and why (mccabe 0.7.0: its one test module failed to collect)", nil, "no test ran: what the collection imported is no test's coverage",
			"  coverage  none: no test ran: what the collection imported is no test's coverage\n"},
		{"none, no reason", nil, "", ""},
		// bleach 6.0.0 ships html5lib under bleach/_vendor: 35 of its 42 files.
		{"vendored files among those measured", &Coverage{Percent: 39.06, LinePercent: 42.04, BranchPercent: &br, Source: []string{"bleach"},
			Files: []FileCoverage{{Path: "bleach/__init__.py"}, {Path: "bleach/_vendor/html5lib/__init__.py"}, {Path: "bleach/_vendor/parse.py"}}, TestFilesLeftOut: 2}, "",
			"  coverage  39.06% (lines 42.04%, branches 50.00%) of bleach: 3 files (2 of them vendored, under bleach/_vendor), 2 test files left out\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			r.Results().Tests.Coverage, r.Results().Tests.CoverageNote = tc.cov, tc.note
			if got := summaryLines(t, r, "  coverage"); got != tc.want {
				t.Errorf("coverage line %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSummaryQualityLine: the quality line counts what was linted, or says why nothing was.
func TestSummaryQualityLine(t *testing.T) {
	for _, tc := range []struct {
		name string
		lint *Lint
		want string
	}{
		{"linted", &Lint{Quality: Quality{Files: 1, Lines: 120, StyleTotal: 3, FlakesTotal: 1, PerKLOC: PerKLOC{Pycodestyle: 25}}},
			"  quality   1 file, 120 lines of code: pycodestyle 3 (25.0/kLOC), pyflakes 1, pylint n/a\n"},
		{"pylint's score, and the check it ran without (Markdown 3.4.1)", &Lint{Quality: Quality{Files: 1, Lines: 120, StyleTotal: 3, FlakesTotal: 1, PerKLOC: PerKLOC{Pycodestyle: 25},
			Pylint: &Pylint{Score: func() *float64 { f := 7.61; return &f }(), Disabled: []string{"duplicate-code"}}}},
			"  quality   1 file, 120 lines of code: pycodestyle 3 (25.0/kLOC), pyflakes 1, pylint 7.61/10 (without its duplicate-code check)\n"},
		{"nothing to lint (mmh3 3.0.0 installs one compiled module)", &Lint{Phase: Phase{Outcome: "ok", Reason: "the wheel installs no Python source file to lint"}},
			"  quality   none: the wheel installs no Python source file to lint\n"},
		{"a tool without a result (Mako 1.2.4's pylint, past its time limit)", &Lint{Phase: Phase{Outcome: "failed", Reason: "pylint timeout: wall-clock limit of 10m0s exceeded"},
			Quality: Quality{Files: 1, Lines: 120, StyleTotal: 3, FlakesTotal: 1, PerKLOC: PerKLOC{Pycodestyle: 25}}},
			"  quality   1 file, 120 lines of code: pycodestyle 3 (25.0/kLOC), pyflakes 1, pylint n/a\n" +
				"  quality   without a result of: pylint timeout: wall-clock limit of 10m0s exceeded\n"},
		{"no lint", nil, ""},
		{"vendored files among those linted (bleach 6.0.0)", &Lint{Quality: Quality{Files: 3, Lines: 120, StyleTotal: 3, PerKLOC: PerKLOC{Pycodestyle: 25},
			Linted: []string{"bleach/__init__.py", "bleach/_vendor/html5lib/__init__.py", "bleach/_vendor/parse.py"}}},
			"  quality   3 files (2 of them vendored, under bleach/_vendor), 120 lines of code: pycodestyle 3 (25.0/kLOC), pyflakes 0, pylint n/a\n"},
		{"generated files among those linted (pycparser 2.21)", &Lint{Quality: Quality{Files: 3, Lines: 120, StyleTotal: 3, PerKLOC: PerKLOC{Pycodestyle: 25},
			Linted: []string{"pycparser/__init__.py", "pycparser/lextab.py", "pycparser/yacctab.py"}, Generated: []string{"pycparser/lextab.py", "pycparser/yacctab.py"}}},
			"  quality   3 files (2 generated: pycparser/lextab.py, pycparser/yacctab.py), 120 lines of code: pycodestyle 3 (25.0/kLOC), pyflakes 0, pylint n/a\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			r.Lint = tc.lint
			if got := summaryLines(t, r, "  quality"); got != tc.want {
				t.Errorf("quality line %q, want %q", got, tc.want)
			}
		})
	}
}

// summaryLines are the lines of r's summary that begin with prefix, each with its newline.
func summaryLines(t *testing.T, r *Report, prefix string) string {
	t.Helper()
	var b bytes.Buffer
	if err := r.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	got := ""
	for _, line := range strings.SplitAfter(b.String(), "\n") {
		if strings.HasPrefix(line, prefix) {
			got += line
		}
	}
	return got
}

// TestSummaryNamesTestDepsLeftOut: the test dependencies the index cannot satisfy are named even
// when the tests passed without them (zipp's pytest plugins, attrs' pympler).
func TestSummaryNamesTestDepsLeftOut(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		missing, unmet, leftOut []string
		relaxed                 []string
		want                    string
	}{
		{"missing and unmet", []string{"pympler"}, []string{"mypy>=1.1.1"}, nil, nil, "  left out  test dependencies the index cannot satisfy: pympler, mypy>=1.1.1\n"},
		{"conflicting with the package (pyflakes 3.0.1's flake8)", nil, nil, []string{"flake8==4.0.1"}, nil,
			"  left out  test dependencies pip could not install beside the package: flake8==4.0.1 (flake8 4.0.1 depends on pyflakes<2.5.0 and >=2.4.0)\n"},
		{"pins relaxed (immutables 0.19's mypy==0.971)", nil, []string{"pycodestyle~=2.9.1"}, nil, []string{"mypy==0.971", "pytest~=6.2.4"},
			"  left out  test dependencies the index cannot satisfy: pycodestyle~=2.9.1\n" +
				"  relaxed   test dependencies the index has no such version of, run at the version pip chose: mypy==0.971, pytest~=6.2.4\n"},
		{"none", nil, nil, nil, nil, ""},
		{"no tests (rsa 4.9's sdist): nothing they matter to", []string{"sphinx"}, nil, nil, []string{"mypy==0.971"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			r.Verdict, r.Reason = VerdictPassed, "3 passed"
			if strings.HasPrefix(tc.name, "no tests") {
				r.Verdict, r.Reason = VerdictNoTests, "no tests in the distribution"
				r.Results().Tests.Results = nil
			}
			r.TargetResults.Fetch = &Fetch{MissingTestDeps: tc.missing, UnmetTestDeps: tc.unmet, RelaxedTestDeps: tc.relaxed}
			if tc.leftOut != nil {
				r.Results().Tests.DepsLeftOut, r.Results().Tests.DepsConflict = tc.leftOut, "flake8 4.0.1 depends on pyflakes<2.5.0 and >=2.4.0"
			}
			if got := summaryLines(t, r, "  left out") + summaryLines(t, r, "  relaxed"); got != tc.want {
				t.Errorf("left out line %q, want %q", got, tc.want)
			}
		})
	}
}

// TestSummaryNamesTestDeps: the summary says what was fetched for the tests (qrcode's outcome
// hangs on whether its pil extra was), a long list capped, and nothing without tests.
func TestSummaryNamesTestDeps(t *testing.T) {
	many := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"}
	for _, tc := range []struct {
		name         string
		extras, reqs []string
		noTests      bool
		want         string
	}{
		{"extras and requirements", []string{"pil", "test"}, []string{"pytest-mock>=3"}, false, "  test deps extras [pil,test]; pytest-mock>=3\n"},
		{"a long list", nil, many, false, "  test deps a, b, c, d, e, f, g, h and 2 more\n"},
		{"none", nil, nil, false, ""},
		{"no tests", []string{"test"}, nil, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			r.Verdict, r.Reason = VerdictPassed, "3 passed"
			if tc.noTests {
				r.Verdict, r.Reason = VerdictNoTests, "no tests in the distribution"
				r.Results().Tests.Results = nil
			}
			r.TargetResults.Fetch = &Fetch{TestExtras: tc.extras, TestRequirements: tc.reqs}
			if got := summaryLines(t, r, "  test deps"); got != tc.want {
				t.Errorf("test deps line %q, want %q", got, tc.want)
			}
		})
	}
}

func TestSummaryShowsTheMatrix(t *testing.T) {
	r := sample()
	r.Matrix = []Cell{
		{Image: ImageRef{Name: "host", Python: "3.11.2"}, Verdict: VerdictImportFailed, Reason: "cannot import name 'batched'"},
		{Image: ImageRef{Name: "trixie", Python: "3.13.5", ID: "sha256:ab"}, Verdict: VerdictPassed, Reason: "2 passed, 0 skipped"},
	}
	var b bytes.Buffer
	if err := r.WriteSummary(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"on host         Python 3.11.2   IMPORT-FAILED (cannot import name 'batched')", "on trixie       Python 3.13.5   PASSED (2 passed, 0 skipped)"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}

// TestResults: a reader of one environment gets the report's own results in a run on one
// environment, and the first applicable cell's in a matrix, whichever schema wrote it.
func TestResults(t *testing.T) {
	of := func(runner string) TargetResults { return TargetResults{Tests: &Tests{Runner: runner}} }
	cell := func(name string, v Verdict) Cell {
		return Cell{Image: ImageRef{Name: name}, Verdict: v, TargetResults: of(name)}
	}
	tests := []struct {
		name string
		rep  Report
		want string // the runner of the results read, which names where they came from
	}{
		{"one environment", Report{TargetResults: of("own")}, "own"},
		{"v2 matrix", Report{Schema: Schema, Matrix: []Cell{cell("host", VerdictPassed), cell("trixie", VerdictTestsFailed)}}, "host"},
		{"v2 matrix, first cell not applicable", Report{Schema: Schema,
			Matrix: []Cell{cell("host", VerdictNotApplicable), cell("trixie", VerdictPassed)}}, "trixie"},
		{"no cell applicable", Report{Matrix: []Cell{cell("host", VerdictNotApplicable), cell("trixie", VerdictNotApplicable)}}, "host"},
		{"v1 matrix, the first applicable cell repeated", Report{Schema: SchemaV1, TargetResults: of("trixie"),
			Matrix: []Cell{cell("host", VerdictNotApplicable), cell("trixie", VerdictPassed)}}, "trixie"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.rep.Results()
			if d := cmp.Diff(of(tc.want), got); d != "" {
				t.Errorf("Results (-want +got)\n%s", d)
			}
		})
	}
}

func TestSARIF(t *testing.T) {
	var b bytes.Buffer
	if err := sample().WriteSARIF(&b); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 || len(doc.Runs[0].Results) != 2 {
		t.Fatalf("unexpected SARIF: %s", b.String())
	}
	r := doc.Runs[0].Results[0]
	got := []any{r.RuleID, r.Level, r.Locations[0].PhysicalLocation.ArtifactLocation.URI, r.Locations[0].PhysicalLocation.Region.StartLine, doc.Runs[0].Results[1].Level}
	if d := cmp.Diff([]any{"exec-encoded-payload", "error", "setup.py", 3, "warning"}, got); d != "" {
		t.Errorf("SARIF result (-want +got):\n%s", d)
	}
}

func TestSeverity(t *testing.T) {
	if _, err := ParseSeverity("dire"); err == nil {
		t.Error("an unknown severity must be refused")
	}
	if s := sample().MaxSeverity(); s != SeverityHigh {
		t.Errorf("max severity %q", s)
	}
}

// TestSummaryTestedLine: which copy the tests imported is said of tests that were collected, not
// of a run that stopped before any was (jaraco.classes 3.2.3: pytest-flake8 without flake8).
func TestSummaryTestedLine(t *testing.T) {
	// inflection 0.5.1's, whole: it was cut at 160 characters, mid-word.
	const inflection = "the installed copy of inflection: its files replace the sdist's inflection/ in the test tree, " +
		"so that the tests, which pytest runs from the tree, import what was built and installed"
	for _, tc := range []struct {
		name    string
		results bool
		want    string
	}{
		{"tests collected", true, "  tested    " + inflection + "\n"},
		{"pytest stopped before collecting", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := sample()
			r.Results().Tests.Tested = inflection
			if !tc.results {
				r.Results().Tests.Results = nil
			}
			if got := summaryLines(t, r, "  tested"); got != tc.want {
				t.Errorf("tested line %q, want %q", got, tc.want)
			}
		})
	}
}
