package tasks

import (
	"context"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/testresult"
)

// The projects in testdata/projects are shaped like real ones whose tests are hard to run right:
// tests inside a package with a C extension, a namespace package whose pytest configuration adds
// --doctest-modules, a test dependency no index has, test data the sdist does not ship. Each is
// analysed end to end (real bwrap, pip, pytest, coverage.py) from a real index on loopback.

var (
	projectsOnce sync.Once
	projects     *fixture
	projectsErr  error
)

// pytestPlugins are the Debian packages of the pytest plugins testdata/projects/plugins turns on.
var pytestPlugins = []string{"python3-pytest-cov", "python3-pytest-xdist", "python3-execnet"}

// projectIndex serves testdata/projects with Debian's wheels, the test tools and pytestPlugins.
func projectIndex(t *testing.T) *fixture {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end analyses are long; skipped with -short")
	}
	if err := bwrap.New().Check(); err != nil {
		t.Skipf("no sandbox: %v", err)
	}
	projectsOnce.Do(func() {
		projects, projectsErr = buildFixture("pyti-tasks-projects-", "testdata/projects", false, pytestPlugins)
	})
	if projectsErr != nil {
		t.Fatal(projectsErr)
	}
	return projects
}

// analyzeProject analyses a project of testdata/projects whose tests run.
func analyzeProject(t *testing.T, spec string) *report.Report {
	t.Helper()
	rep := analyzeAnyProject(t, spec)
	if rep.Results().Tests == nil || rep.Results().Tests.Results == nil {
		t.Fatalf("%s: no test results (verdict %s: %s)", spec, rep.Verdict, rep.Reason)
	}
	return rep
}

// analyzeAnyProject analyses a project of testdata/projects.
func analyzeAnyProject(t *testing.T, spec string) *report.Report {
	t.Helper()
	f := projectIndex(t)
	rep, err := Analyze(context.Background(), Request{Spec: spec}, Options{
		Client: f.client, IndexURL: f.url, Backend: bwrap.New(), Dir: filepath.Join(t.TempDir(), "job"),
		Logger: slog.New(slog.DiscardHandler), LintTimeout: 3 * time.Minute,
	})
	if err != nil {
		t.Fatalf("analyze %s: %v", spec, err)
	}
	return rep
}

// outcomes maps each test to its outcome and failure class.
func outcomes(run *report.TestRun) map[string]string {
	out := map[string]string{}
	for _, c := range run.Cases {
		out[c.NodeID] = strings.TrimSuffix(string(c.Outcome)+" "+string(c.Class), " ")
	}
	return out
}

// covFigures are a coverage's counts, to compare with a manual run's.
type covFigures struct{ Statements, Covered, Branches, CoveredBranches int }

func figuresOf(c *report.Coverage) covFigures {
	return covFigures{c.Statements, c.Covered, c.Branches, c.CoveredBr}
}

func coveredFiles(c *report.Coverage) []string {
	var out []string
	for _, f := range c.Files {
		out = append(out, f.Path)
	}
	return out
}

// passedAs checks that the analysis passed with exactly these tests and outcomes.
func passedAs(t *testing.T, rep *report.Report, want map[string]string) {
	t.Helper()
	if rep.Verdict != report.VerdictPassed {
		t.Errorf("verdict %s (%s), want passed", rep.Verdict, rep.Reason)
	}
	if d := cmp.Diff(want, outcomes(rep.Results().Tests.Results)); d != "" {
		t.Errorf("tests (-want +got):\n%s", d)
	}
}

// endedAs checks that the analysis ended with this verdict and reason, with exactly these tests
// and outcomes.
func endedAs(t *testing.T, rep *report.Report, verdict report.Verdict, reason string, want map[string]string) {
	t.Helper()
	if d := cmp.Diff(want, outcomes(rep.Results().Tests.Results)); d != "" {
		t.Errorf("tests (-want +got):\n%s", d)
	}
	if rep.Verdict != verdict || rep.Reason != reason {
		t.Errorf("verdict %s (%s), want %s (%s)", rep.Verdict, rep.Reason, verdict, reason)
	}
}

// measured returns the analysis's coverage, checking that it measured exactly these files.
func measured(t *testing.T, rep *report.Report, files ...string) *report.Coverage {
	t.Helper()
	c := rep.Results().Tests.Coverage
	if c == nil {
		t.Fatal("no coverage")
	}
	if d := cmp.Diff(files, coveredFiles(c)); d != "" {
		t.Errorf("files measured (-want +got):\n%s", d)
	}
	return c
}

// TestTestsInsideThePackageRunTheBuiltExtension: tests that live inside the package import the
// installed copy with its compiled extension, not the sdist's unbuilt one, and coverage measures
// the package without its tests.
func TestTestsInsideThePackageRunTheBuiltExtension(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-inside")
	passedAs(t, rep, map[string]string{
		"pyti_test_inside/tests/test_add.py::test_the_extension_was_built": "passed",
		"pyti_test_inside/tests/test_add.py::test_add":                     "passed",
		"pyti_test_inside/tests/test_add.py::test_add_negative":            "passed",
	})
	if !strings.Contains(rep.Results().Tests.Tested, "installed copy of pyti_test_inside") || !strings.Contains(rep.Results().Tests.Tested, "inside the package") ||
		!strings.Contains(rep.Results().Tests.Tested, "compiled extensions included") {
		t.Errorf("tested %q does not say the installed copy was tested because the tests live inside the package", rep.Results().Tests.Tested)
	}
	if strings.Contains(rep.Results().Tests.Tested, "no test loaded") {
		t.Errorf("tested %q says no test loaded the extension, which the traced tests did", rep.Results().Tests.Tested)
	}
	c := measured(t, rep, "pyti_test_inside/__init__.py")
	// The C path is the one taken (the fallback's `except`, `_c_add = None` and `return a + b`
	// never run), and mul is never called (its 3 statements): 7 of 13.
	if c.Statements != 13 || c.Covered != 7 || c.BranchPercent == nil {
		t.Errorf("coverage %d of %d statements (branches %v), want 7 of 13 with branches", c.Covered, c.Statements, c.BranchPercent)
	}
	if c.CompiledUnmeasured != 1 {
		t.Errorf("coverage counts %d compiled extension modules it cannot measure, want the package's 1", c.CompiledUnmeasured)
	}
}

// TestTestsInsideARenamedPackageDir: a package built from a directory of another name (py3/,
// installed as pyti_test_renamed/), with its tests inside: they import the installed package, and
// coverage leaves out the test file the wheel installs, which the tree's test file does not name.
// Its test_main(), which runs the module's tests with unittest.main() (regex's shape), is left
// out, and the runner says so.
func TestTestsInsideARenamedPackageDir(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-renamed")
	passedAs(t, rep, map[string]string{
		"py3/test_renamed.py::test_double":           "passed",
		"py3/test_renamed.py::TestDouble::test_zero": "passed",
	})
	if runner := rep.Results().Tests.Runner; !strings.Contains(runner, "leaving out py3/test_renamed.py::test_main (it runs the module's tests with unittest.main()") {
		t.Errorf("runner %q does not say test_main was left out", runner)
	}
	c := measured(t, rep, "pyti_test_renamed/__init__.py")
	// By hand: coverage run --branch --source=pyti_test_renamed, the test file omitted.
	if d := cmp.Diff(covFigures{Statements: 6, Covered: 3, Branches: 2, CoveredBranches: 0}, figuresOf(c)); d != "" {
		t.Errorf("coverage (-want +got):\n%s", d)
	}
}

// TestNamespacePackageWithDoctestModules: a namespace package's portion is found, its pytest
// configuration's --doctest-modules collects its doctests, and coverage measures the portion
// alone: never conftest.py, docs/conf.py, the tests, pytest or PYTI's plugin. This needs module
// discovery that finds namespace portions (the wheel's modules as dotted names).
func TestNamespacePackageWithDoctestModules(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-nsdoc")
	if rep.Verdict != report.VerdictPassed {
		t.Errorf("verdict %s (%s), want passed", rep.Verdict, rep.Reason)
	}
	got := outcomes(rep.Results().Tests.Results)
	want := map[string]string{
		"test_doc.py::test_double":                       "passed",
		"test_doc.py::test_clamp_inside":                 "passed",
		"pyti_test_ns/doc/__init__.py::doc":              "passed",
		"pyti_test_ns/doc/__init__.py::doc.clamp":        "passed",
		"pyti_test_ns/doc/__init__.py::doc.double":       "passed",
		"pyti_test_ns/doc/__init__.py::pyti_test_ns.doc": "passed",
	}
	// pytest names a doctest after the module's name as it imported it.
	for id := range want {
		if strings.HasPrefix(id, "pyti_test_ns/") {
			if _, ok := got[id]; !ok {
				delete(want, id)
			}
		}
	}
	if d := cmp.Diff(want, got); d != "" || rep.Results().Tests.Results.Counts.Passed != 5 {
		t.Errorf("tests (-want +got), want 2 tests and 3 doctests:\n%s", d)
	}
	c := rep.Results().Tests.Coverage
	if c == nil {
		t.Fatal("no coverage")
	}
	if d := cmp.Diff([]string{"pyti_test_ns/doc/__init__.py"}, coveredFiles(c)); d != "" {
		t.Errorf("files measured (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"pyti_test_ns.doc"}, c.Source); d != "" {
		t.Errorf("coverage source (-want +got):\n%s", d)
	}
}

// TestProjectPluginsDoNotTakeCoverage: a project whose pytest configuration turns on pytest-cov
// and pytest-xdist (both installed from its test extra) gets each test counted once and its
// coverage measured, as by hand with -p no:pytest_cov -n 0; left on, either plugin leaves
// coverage run with nothing recorded. Its tests that pytest-cov's no_cover marker and fixture
// leave out of pytest-cov's measurement run as the others.
func TestProjectPluginsDoNotTakeCoverage(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-plugins")
	if rep.Verdict != report.VerdictPassed {
		t.Errorf("verdict %s (%s), want passed", rep.Verdict, rep.Reason)
	}
	tests := rep.Results().Tests
	want := map[string]string{
		"tests/test_plugins.py::test_negative":       "passed",
		"tests/test_plugins.py::test_zero":           "passed",
		"tests/test_plugins.py::test_positive":       "passed",
		"tests/test_plugins.py::test_small":          "passed",
		"tests/test_plugins.py::test_large":          "passed",
		"tests/test_plugins.py::test_large_positive": "passed",
	}
	if d := cmp.Diff(want, outcomes(tests.Results)); d != "" || tests.Results.Counts.Passed != 6 || len(tests.Results.Cases) != 6 {
		t.Errorf("tests (-want +got), want each of 6 once (counts %+v, %d cases):\n%s", tests.Results.Counts, len(tests.Results.Cases), d)
	}
	c := tests.Coverage
	if c == nil {
		t.Fatal("no coverage")
	}
	if d := cmp.Diff(covFigures{10, 10, 6, 6}, figuresOf(c)); d != "" || c.Percent != 100 {
		t.Errorf("coverage %.2f %%, figures (-want +got):\n%s", c.Percent, d)
	}
	if !strings.Contains(tests.Runner, "-p no:pytest_cov -n 0") {
		t.Errorf("runner %q does not say which plugin options PYTI set aside", tests.Runner)
	}
	// pytest-cov's .pth comes with the cached test dependencies.
	if tests.DepsInstall != "cached" {
		t.Errorf("test dependencies installed by %q (%s), want cached", tests.DepsInstall, tests.DepsNote)
	}
}

// TestProjectCoverageConfiguration: the lines and files a project's coverage configuration
// leaves out of its report are left out of PYTI's too, as coverage report run in its tree leaves
// them out; and an omit pattern meant for its test files (cycler's `*test*`) leaves out its test
// files, not every file measured because PYTI's own directories, on their paths, hold such a word.
func TestProjectCoverageConfiguration(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		project string
		passed  int
		want    covFigures
	}{
		{"pyti-test-covconfig", 2, covFigures{10, 10, 2, 2}},
		{"pyti-rings", 3, covFigures{7, 7, 2, 2}},
	} {
		t.Run(tc.project, func(t *testing.T) {
			t.Parallel()
			rep := analyzeProject(t, tc.project)
			if rep.Verdict != report.VerdictPassed || rep.Results().Tests.Results.Counts.Passed != tc.passed {
				t.Errorf("verdict %s (%s), want passed with %d tests", rep.Verdict, rep.Reason, tc.passed)
			}
			c := rep.Results().Tests.Coverage
			if c == nil {
				t.Fatal("no coverage")
			}
			if d := cmp.Diff(tc.want, figuresOf(c)); d != "" || c.Percent != 100 {
				t.Errorf("coverage %.2f %%, figures (-want +got):\n%s", c.Percent, d)
			}
		})
	}
}

// TestLintOfAWrittenModule: when the build writes a module the sdist does not hold, the lint begun
// on the sdist's copies is not what the wheel ships: the wheel's own modules are linted.
func TestLintOfAWrittenModule(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-genversion")
	if rep.Verdict != report.VerdictPassed || rep.Results().Tests.Results.Counts.Passed != 2 {
		t.Errorf("verdict %s (%s), want passed with 2 tests", rep.Verdict, rep.Reason)
	}
	l := rep.Lint
	if l == nil {
		t.Fatal("no lint")
	}
	want := []string{"pyti_test_genversion/__init__.py", "pyti_test_genversion/_version.py"}
	if d := cmp.Diff(want, l.Linted, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" || l.Files != 2 {
		t.Errorf("linted %d files (-want +got):\n%s", l.Files, d)
	}
	if l.Outcome != "ok" || l.Reason != "" || l.Pylint == nil {
		t.Errorf("lint %s (%s), pylint %v: want the wheel's files linted, not the sdist's copies", l.Outcome, l.Reason, l.Pylint)
	}
}

// TestTestDependencyWithPth: a test dependency whose wheel installs a .pth file (setuptools'
// distutils-precedence.pth) still comes from the cache, and its .pth runs at start-up as pip's
// install of it would; or, where the venv holds that very setuptools already (seeded by python -m
// venv), the environment's copy serves the layer.
func TestTestDependencyWithPth(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-pthdeps")
	tests := rep.Results().Tests
	if rep.Verdict != report.VerdictPassed || tests.Results.Counts.Passed != 2 {
		t.Errorf("verdict %s (%s), want passed with 2 tests", rep.Verdict, rep.Reason)
	}
	if tests.DepsInstall != "cached" {
		t.Errorf("test dependencies installed by %q (%s), want cached", tests.DepsInstall, tests.DepsNote)
	}
}

// TestLocalTestProjectInstalled: a project inside the tree that the test requirements install
// from a path (cloudpickle's tests/cloudpickle_testpkg) is installed for the tests, which import
// its module.
func TestLocalTestProjectInstalled(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-localtestpkg")
	passedAs(t, rep, map[string]string{
		"tests/test_local.py::test_double":              "passed",
		"tests/test_local.py::test_helper_is_installed": "passed",
	})
	if runner := rep.Results().Tests.Runner; !strings.Contains(runner, "tests/helperpkg installed") {
		t.Errorf("runner %q does not say the tree's test project was installed", runner)
	}
}

// TestUnittestSuiteNotRewritten: a suite its maintainers run with unittest runs without pytest's
// assertion rewriting, as unittest runs it: its modules are as Python compiled them.
func TestUnittestSuiteNotRewritten(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-plainassert")
	passedAs(t, rep, map[string]string{
		"tests/test_plain.py::TestPlain::test_module_not_rewritten":      "passed",
		"tests/test_plain.py::TestPlain::test_check":                     "passed",
		"tests/test_plain.py::TestPlain::test_unraisable_reaches_stderr": "passed",
		"tests/test_plain.py::TestPlain::test_mixed_in":                  "passed",
	})
	if runner := rep.Results().Tests.Runner; !strings.Contains(runner, "--assert=plain") {
		t.Errorf("runner %q does not say the asserts run plain", runner)
	}
}

// TestImportBesideTests: the import check, which runs beside the tests, sees the environment as
// the install left it, not the test dependencies pip installs into it for the tests: a module
// only the test extra declares is missing at import time, and the tests still have it. The
// package's import waits before it imports that module, long enough for the tests' pip to have
// installed it: a check reading the environment rather than its copy would find it there.
func TestImportBesideTests(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-testdepimport")
	if rep.Verdict != report.VerdictImportFailed {
		t.Errorf("verdict %s (%s), want import-failed", rep.Verdict, rep.Reason)
	}
	var missing []string
	for _, m := range rep.Results().Import.Modules {
		if m.Missing != "" {
			missing = append(missing, m.Missing)
		}
	}
	if d := cmp.Diff([]string{"execnet"}, missing); d != "" {
		t.Errorf("modules the import missed (-want +got):\n%s", d)
	}
	tests := rep.Results().Tests
	if tests.DepsInstall != "pip" {
		t.Errorf("test dependencies installed by %q (%s), want pip: the case of an environment the tests change", tests.DepsInstall, tests.DepsNote)
	}
	if d := cmp.Diff(map[string]string{"tests/test_kinds.py::test_kinds": "passed"}, outcomes(tests.Results)); d != "" {
		t.Errorf("tests (-want +got):\n%s", d)
	}
}

// TestTestDependencyNotOnIndex: the verdict names the test dependency the index lacks, not the
// package.
func TestTestDependencyNotOnIndex(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-depmissing")
	if d := cmp.Diff([]string{"pyti-test-not-on-any-index"}, rep.Results().Fetch.MissingTestDeps); d != "" {
		t.Errorf("missing test dependencies (-want +got):\n%s", d)
	}
	// The test dependency the index has is installed: only the test that needs the missing one
	// cannot run.
	if !rep.Results().Fetch.OtherTestDepsFetched {
		t.Errorf("fetch %q: the other test dependencies were not fetched", rep.Results().Fetch.Reason)
	}
	// The index was asked first: one download of the rest, without the missing dependency,
	// instead of one that fails on it and more for the rest; the build requirements came before
	// it, which let the build start beside it. Both on the host, every distribution being one
	// pure wheel (or, coverage, one wheel for this Python), so no pip download ran.
	var downloads []string
	for _, a := range rep.Artifacts {
		if a.Task == "fetch" && strings.HasPrefix(a.Name, "pip-download") && strings.HasSuffix(a.Name, ".stdout.txt") {
			downloads = append(downloads, strings.TrimSuffix(a.Name, ".stdout.txt"))
		}
	}
	if d := cmp.Diff([]string{"build requirements", "dependencies"}, rep.Results().Fetch.OnHost); d != "" || len(downloads) > 0 {
		t.Errorf("fetched on the host (-want +got):\n%s\npip downloads: %q", d, downloads)
	}
	endedAs(t, rep, report.VerdictTestDeps, "1 of 4 tests could not run: test dependency `pyti-test-not-on-any-index` is not on the index "+
		"(a test file pytest could not collect, counted as one test; it defines 1 test function)", map[string]string{
		"tests/test_greet.py::test_greet":                   "passed",
		"tests/test_greet.py::test_greet_empty":             "passed",
		"tests/test_with_execnet.py::test_execnet_is_there": "passed",
		"tests/test_with_helper.py":                         "error missing-dependency",
	})
}

// TestTestDependencyConflicting: a test dependency whose own dependencies conflict with the
// package (pyflakes 3.0.1's tox.ini installs flake8 4.0.1, which depends on pyflakes<2.5) is left
// out of the test install, the others installed: only the test that needs it cannot run, and
// the report names it with pip's account of the conflict.
func TestTestDependencyConflicting(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-depconflict")
	tests := rep.Results().Tests
	if d := cmp.Diff([]string{"pyti-test-conflictplugin"}, tests.DepsLeftOut); d != "" {
		t.Errorf("test dependencies left out (-want +got):\n%s", d)
	}
	if !strings.Contains(tests.DepsConflict, "pyti-test-conflictplugin 1.0 depends on pyti-test-depconflict<2") {
		t.Errorf("the conflict: %q", tests.DepsConflict)
	}
	endedAs(t, rep, report.VerdictTestDeps, "1 of 4 tests could not run: test dependency `pyti-test-conflictplugin` could not be installed "+
		"beside the package, their dependencies conflicting (a test file pytest could not collect, counted as one test; it defines 1 test function)", map[string]string{
		"tests/test_greet.py::test_greet":                   "passed",
		"tests/test_greet.py::test_greet_empty":             "passed",
		"tests/test_with_execnet.py::test_execnet_is_there": "passed",
		"tests/test_with_plugin.py":                         "error missing-dependency",
	})
}

// TestTestDependencyWithADependencyNotOnIndex: a test dependency the index has, a dependency of
// whose dependency it lacks (PyJWT's cryptography, whose cffi's pycparser needs ply), is left out
// by name, the others fetched: pip's words name only the dependency it could not find and the one
// that asked for it.
func TestTestDependencyWithADependencyNotOnIndex(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-deepdep")
	f := rep.Results().Fetch
	if d := cmp.Diff([]string{"pyti-test-needsmissing"}, f.UnfetchableTestDeps); d != "" || !f.OtherTestDepsFetched {
		t.Errorf("unfetchable test dependencies (-want +got):\n%s\nothers fetched: %v (%s)", d, f.OtherTestDepsFetched, f.Reason)
	}
	// pip's words name pyti-test-deepmiddle, which no test requirement names: each was asked
	// for alone.
	probed := 0
	for _, a := range rep.Artifacts {
		if a.Task == "fetch" && strings.HasPrefix(a.Name, "pip-download-test-requirement-") && strings.HasSuffix(a.Name, ".stdout.txt") {
			probed++
		}
	}
	if probed != 3 {
		t.Errorf("%d test requirements asked for alone, want 3 (pytest, pyti-test-needsmissing, execnet)", probed)
	}
	endedAs(t, rep, report.VerdictTestDeps, "1 of 3 tests could not run: test dependency `pyti-test-needsmissing` could not be fetched "+
		"beside the package (a test file pytest could not collect, counted as one test; it defines 1 test function)", map[string]string{
		"tests/test_greet.py::test_greet":                   "passed",
		"tests/test_with_execnet.py::test_execnet_is_there": "passed",
		"tests/test_with_needsmissing.py":                   "error missing-dependency",
	})
}

// TestFailingOnlyUnderCoverage: tests that fail under coverage.py's tracing and pass without it
// (greenlet's leak checks, a debugger's tests) count as they ran without it, their failure under
// coverage kept, and the runner says so; a test that fails both ways stays failed.
func TestFailingOnlyUnderCoverage(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-tracing")
	tests := rep.Results().Tests
	want := map[string]string{
		"tests/test_tracing.py::test_untraced":        "passed",
		"tests/test_tracing.py::test_untraced_thread": "passed",
		"tests/test_tracing.py::test_double":          "passed",
		"tests/test_tracing.py::test_double_wrong":    "failed assertion",
	}
	if d := cmp.Diff(want, outcomes(tests.Results)); d != "" {
		t.Errorf("tests (-want +got):\n%s", d)
	}
	if d := cmp.Diff(report.TestCounts{Passed: 3, Failed: 1}, tests.Results.Counts); d != "" {
		t.Errorf("counts (-want +got):\n%s", d)
	}
	under := map[string]bool{}
	for _, c := range tests.Results.Cases {
		under[c.NodeID] = strings.Contains(c.UnderCoverage, "is None")
	}
	if d := cmp.Diff(map[string]bool{"tests/test_tracing.py::test_untraced": true, "tests/test_tracing.py::test_untraced_thread": true,
		"tests/test_tracing.py::test_double": false, "tests/test_tracing.py::test_double_wrong": false}, under); d != "" {
		t.Errorf("failures under coverage kept (-want +got):\n%s", d)
	}
	if !strings.Contains(tests.Runner, "2 tests failed under coverage.py's tracing and not without it") {
		t.Errorf("runner %q does not say which tests failed under coverage alone", tests.Runner)
	}
	if rep.Verdict != report.VerdictTestsFailed || rep.Reason != "1 of 4 tests failed on their own" {
		t.Errorf("verdict %s (%s), want tests-failed: 1 of 4", rep.Verdict, rep.Reason)
	}
	// Coverage is the whole suite's, the reruns' apart.
	if c := measured(t, rep, "pyti_test_tracing/__init__.py"); c.Statements != 12 || c.Covered != 12 {
		t.Errorf("coverage of %d of %d statements, want all 12", c.Covered, c.Statements)
	}
}

// TestTestDataMissing: a test that opens a file of the test tree the sdist does not ship is
// the sdist's missing data, not the package failing.
func TestTestDataMissing(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-datamissing")
	want := map[string]string{
		"tests/test_parse.py::test_parse":       "passed",
		"tests/test_parse.py::test_parse_cases": "failed missing-file",
	}
	if d := cmp.Diff(want, outcomes(rep.Results().Tests.Results)); d != "" {
		t.Errorf("tests (-want +got):\n%s", d)
	}
	if rep.Verdict != report.VerdictTestData ||
		rep.Reason != "1 of 2 tests could not run: test data `tests/data/cases.json` is missing from the sdist" {
		t.Errorf("verdict %s (%s), want test-data-missing naming tests/data/cases.json", rep.Verdict, rep.Reason)
	}
}

// TestProgramNeedingTheNetwork: a test that fails because a program it runs could not reach
// another machine needs the network, though its own process never touched it: the sandbox's
// resolver and trace saw the program's lookup and connection while the test ran.
func TestProgramNeedingTheNetwork(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-childnet")
	want := map[string]string{
		"tests/test_keys.py::test_search_keys": "failed needs-network",
		"tests/test_keys.py::test_version":     "passed",
	}
	if d := cmp.Diff(want, outcomes(rep.Results().Tests.Results)); d != "" {
		t.Errorf("tests (-want +got):\n%s", d)
	}
	if rep.Verdict != report.VerdictTestsNetwork || rep.Reason != "1 of 2 tests need the network, which the sandbox does not have" {
		t.Errorf("verdict %s (%s), want tests-need-network", rep.Verdict, rep.Reason)
	}
}

// TestExamplesNobodyAsksFor: an sdist without test files, whose docstrings and README hold
// examples and no pytest configuration that asks to run them, has no tests, as a manual pytest
// run in it finds none. Run as doctests, the README's example (as jmespath's, which does not
// print its result) would have made the verdict tests-failed.
func TestExamplesNobodyAsksFor(t *testing.T) {
	t.Parallel()
	rep := analyzeAnyProject(t, "pyti-test-readme")
	tests := rep.Results().Tests
	if rep.Verdict != report.VerdictNoTests || tests == nil || tests.Results != nil {
		t.Fatalf("verdict %s (%s), tests %+v: want no-tests and no test run", rep.Verdict, rep.Reason, tests)
	}
	if want := "no tests in the distribution" + noConfigNote; tests.Found != want || rep.Reason != want {
		t.Errorf("found %q, reason %q, want %q", tests.Found, rep.Reason, want)
	}
}

// TestTestsRunTheEnvironmentsCommands: tests that run the package's console script, or
// `python`, by name find the test environment's, as under tox or in an activated virtualenv.
func TestTestsRunTheEnvironmentsCommands(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-cli")
	passedAs(t, rep, map[string]string{
		"tests/test_cli.py::test_shout":                              "passed",
		"tests/test_cli.py::test_command_by_name":                    "passed",
		"tests/test_cli.py::test_python_on_path_is_the_environments": "passed",
	})
}

// TestLegacyBuildIsIsolated: a project without pyproject.toml is built as pip's PEP 517 build
// isolation builds it, with its build requirements only: never with the packages of the system
// Python that runs pip (its setup.py records which of the host's it could import). Here PYTI's
// front end builds it on a cached environment; TestLegacyBuildByPipIsIsolated has pip build it.
func TestLegacyBuildIsIsolated(t *testing.T) {
	t.Parallel()
	rep := analyzeProject(t, "pyti-test-hostpkgs")
	passedAs(t, rep, map[string]string{"tests/test_build.py::test_the_build_saw_only_its_build_requirements": "passed"})
}

// TestTestsRan: coverage is reported only when a test ran; what a conftest.py or the
// collection imported is no test's coverage.
func TestTestsRan(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  *report.TestRun
		want bool
	}{
		{"no results (conftest.py failed)", nil, false},
		{"collection errors only", &report.TestRun{Counts: report.TestCounts{Errors: 3}}, false},
		{"skips only", &report.TestRun{Counts: report.TestCounts{Skipped: 4}}, false},
		{"a failure", &report.TestRun{Counts: report.TestCounts{Failed: 1, Errors: 2}}, true},
		{"an expected failure", &report.TestRun{Counts: report.TestCounts{XFailed: 1}}, true},
		{"passes", &report.TestRun{Counts: report.TestCounts{Passed: 5}}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, testsRan(tc.run)); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestErredInSetUp: the coverage note tells tests that stopped in their set-up (collected, each
// an error before its body ran) from files that could not be collected.
func TestErredInSetUp(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  *report.TestRun
		want bool
	}{
		{"no results", nil, false},
		{"a file that could not be collected", &report.TestRun{Cases: []report.TestCase{
			{NodeID: "test_mccabe.py", Outcome: report.TestError, Class: report.ClassCollectionError}}}, false},
		{"tests whose fixtures failed (sphinxcontrib-serializinghtml 1.1.5)", &report.TestRun{Cases: []report.TestCase{
			{NodeID: "tests/test_build.py::test_json", Outcome: report.TestError, Class: report.ClassException}}}, true},
		{"a failure", &report.TestRun{Cases: []report.TestCase{{NodeID: "t.py::t", Outcome: report.TestFailed, Class: report.ClassAssertion}}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, erredInSetUp(tc.run)); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestConflictingRequirements: the requirements pip names as the cause of a conflict, never a
// test tool, each with pip's words.
func TestConflictingRequirements(t *testing.T) {
	pyflakes := `ERROR: Cannot install flake8==4.0.1 and pyflakes 3.0.1 (from /run/pyti-dist/pyflakes-3.0.1-py2.py3-none-any.whl) because these package versions have conflicting dependencies.

The conflict is caused by:
    The user requested pyflakes 3.0.1 (from /run/pyti-dist/pyflakes-3.0.1-py2.py3-none-any.whl)
    flake8 4.0.1 depends on pyflakes<2.5.0 and >=2.4.0

To fix this you could try to:
1. loosen the range of package versions you've specified
ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts
`
	for _, tc := range []struct {
		name       string
		output     string
		reqs       []string
		left, says []string
	}{
		{"a requirement that depends on another version of the package", pyflakes, []string{"flake8==4.0.1", "pytest-mock", "pytest", "coverage"},
			[]string{"flake8==4.0.1"}, []string{"flake8 4.0.1 depends on pyflakes<2.5.0 and >=2.4.0"}},
		{"names spelled otherwise", strings.ReplaceAll(pyflakes, "flake8 4.0.1 depends", "Flake8 4.0.1 depends"), []string{"flake8>=4"},
			[]string{"flake8>=4"}, []string{"Flake8 4.0.1 depends on pyflakes<2.5.0 and >=2.4.0"}},
		{"a test tool is never left out", "The conflict is caused by:\n    pytest 7.2.1 depends on pluggy<2.0 and >=0.12\n    pytest-foo 1.0 depends on pluggy>=2\n",
			[]string{"pytest-foo", "pytest>=7", "coverage"}, []string{"pytest-foo"}, []string{"pytest-foo 1.0 depends on pluggy>=2"}},
		{"a conflict of something the requirements pulled in: nothing to leave out", "The conflict is caused by:\n    attrs 22.2.0 depends on six<1\n",
			[]string{"hypothesis"}, nil, nil},
		{"another failure", "ERROR: Could not find a version that satisfies the requirement foo\n", []string{"foo"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			left, says := conflictingRequirements(tc.output, tc.reqs)
			if d := cmp.Diff(tc.left, left); d != "" {
				t.Errorf("left out (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.says, says); d != "" {
				t.Errorf("because (-want +got):\n%s", d)
			}
		})
	}
}

// TestEndedInside: the test a run ended inside is timed out only when time ended it; a memory,
// process or disk limit, or a kill, is named as what ended it (lz4 4.3.2's test_huge).
func TestEndedInside(t *testing.T) {
	for _, tc := range []struct {
		name    string
		outcome sandbox.Outcome
		reason  string
		class   testresult.Class
		message string
	}{
		{"out of memory", sandbox.OutcomeOOM, "memory limit 4096 MiB", testresult.Exception, "the run ended inside this test: oom: memory limit 4096 MiB"},
		{"too many processes", sandbox.OutcomePids, "process limit 512", testresult.Exception, "the run ended inside this test: pids: process limit 512"},
		{"the wall-clock limit", sandbox.OutcomeTimeout, "wall-clock limit 30m", testresult.TimedOut, ""},
		{"no output for too long", sandbox.OutcomeNoOutputTimeout, "no output for 10m", testresult.TimedOut, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			run := &testresult.Run{Running: "t.py::huge", Cases: []testresult.Case{
				{NodeID: "t.py::ok", Outcome: testresult.Passed},
				{NodeID: "t.py::huge", Outcome: testresult.Error, Class: testresult.TimedOut},
			}}
			run.CountClasses()
			endedInside(run, &sandbox.Result{Outcome: tc.outcome, Reason: tc.reason})
			got := run.Cases[1]
			if d := cmp.Diff([]string{string(tc.class), tc.message}, []string{string(got.Class), got.Message}); d != "" {
				t.Errorf("(-want +got) [class, message]\n%s", d)
			}
			if d := cmp.Diff(map[testresult.Class]int{tc.class: 1}, run.Classes); d != "" {
				t.Errorf("class counts (-want +got)\n%s", d)
			}
		})
	}
}

// TestStoppedEarly: a run pytest stopped after its first failures says how many collected tests
// did not run.
func TestStoppedEarly(t *testing.T) {
	lz4 := "============================= test session starts ==============================\ncollected 19804 items\n\n" +
		"!!!!!!!!!!!!!!!!!!!!!!!!!! stopping after 1 failures !!!!!!!!!!!!!!!!!!!!!!!!!!!\n================= 1 failed, 19015 passed in 371.14s (0:06:11) ==================\n"
	for _, tc := range []struct {
		name, output string
		ran          int
		want         string
	}{
		{"lz4 4.3.2's -x", lz4, 19016, ", which stopped after 1 failure, as the project's -x or --maxfail asks: 788 of the 19,804 tests collected did not run"},
		{"every test ran", strings.Replace(lz4, "19804", "19016", 1), 19016, ""},
		{"not stopped", "collected 12 items\n===== 12 passed =====\n", 10, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, stoppedEarly(tc.output, tc.ran)); d != "" {
				t.Error(d)
			}
		})
	}
}
