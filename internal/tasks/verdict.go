package tasks

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/testresult"
)

// verdictInput is everything a verdict is decided from, collected once the task graph has
// finished: the tasks' records, the verdicts their failures mean (hints), the findings and each
// target's results. decideVerdict reads nothing else.
type verdictInput struct {
	Tasks []dag.TaskRecord
	// Requires are the distribution's Requires-Dist lines, its extras' among them.
	Requires []string
	// Hints are verdicts a task's failure means (not-found, unsafe-archive, a limit...), with
	// their reasons, per target image name ("" for the shared tasks).
	Hints    map[string]map[report.Verdict]string
	Findings []report.Finding
	Targets  []verdictTarget
}

// verdictTarget is one environment the per-interpreter tasks ran in.
type verdictTarget struct {
	// Image is the image's name; Matrix says the job has several targets, whose tasks are
	// then named "build@IMAGE".
	Image   string
	Python  string
	Matrix  bool
	Results report.TargetResults
}

func (t verdictTarget) task(name string) string {
	if !t.Matrix {
		return name
	}
	return name + "@" + t.Image
}

// verdictOutput is the report's verdict and reason, and one per matrix cell (in Targets' order)
// when the job has several targets.
type verdictOutput struct {
	Verdict report.Verdict
	Reason  string
	Cells   []cellVerdict
}

type cellVerdict struct {
	Verdict report.Verdict
	Reason  string
}

// decideVerdict is the one place that decides an analysis' verdict. In order: an archive PYTI
// refused or a release the index does not have; any high or critical finding, static or seen in
// a trace (harmful, its evidence first); a limit hit; the first task of the chain that failed;
// then what the tests say, by cause. A matrix's verdict is its heaviest cell's.
func decideVerdict(in verdictInput) verdictOutput {
	for _, v := range []report.Verdict{report.VerdictUnsafe, report.VerdictLimits, report.VerdictMalformed, report.VerdictNotFound, report.VerdictFetch} {
		if reason, ok := in.Hints[""][v]; ok {
			return verdictOutput{Verdict: v, Reason: reason}
		}
	}
	var cells []cellVerdict
	var matrix []report.Cell
	for _, t := range in.Targets {
		v, reason := decideTarget(in, t)
		cells = append(cells, cellVerdict{v, reason})
		matrix = append(matrix, report.Cell{Image: report.ImageRef{Name: t.Image, Python: t.Python}, Verdict: v, Reason: reason})
	}
	if len(in.Targets) == 1 && !in.Targets[0].Matrix {
		return verdictOutput{Verdict: cells[0].Verdict, Reason: cells[0].Reason}
	}
	if len(in.Targets) == 0 {
		return verdictOutput{Verdict: report.VerdictError, Reason: "no environment to run in"}
	}
	v, reason := matrixVerdict(matrix)
	return verdictOutput{Verdict: v, Reason: reason, Cells: cells}
}

// decideTarget is one target's verdict.
func decideTarget(in verdictInput, t verdictTarget) (report.Verdict, string) {
	var mine []report.Finding
	for _, f := range in.Findings {
		if !t.Matrix || f.Image == "" || f.Image == t.Image {
			mine = append(mine, f)
		}
	}
	if f := worstFinding(mine); f != nil {
		return report.VerdictHarmful, harmReason(*f)
	}
	// PYTI's own failure (its bridge, its sandbox) comes before any verdict on the package:
	// in this target's tasks, or in a shared one (the static scan's sandbox failing leaves the
	// package unread, whatever its tests say).
	for _, v := range []report.Verdict{report.VerdictError, report.VerdictPids, report.VerdictOOM, report.VerdictNoSpace, report.VerdictTimeout} {
		if reason, ok := in.Hints[t.Image][v]; ok {
			if v == report.VerdictTimeout {
				reason += testsBeforeTimeout(t.Results.Tests, t.Results.Fetch, in.Requires)
			}
			return v, reason
		}
	}
	if reason, ok := in.Hints[""][report.VerdictError]; ok {
		return report.VerdictError, reason
	}
	// A dependency could not be fetched, yet the package's code ran without it (see fetch).
	if reason, ok := in.Hints[t.Image][report.VerdictFetch]; ok {
		return report.VerdictFetch, reason
	}
	records := map[string]dag.TaskRecord{}
	for _, r := range in.Tasks {
		records[r.Name] = r
	}
	if rec, ok := records[t.task("fetch")]; ok && rec.Status == dag.StatusSkipped && rec.Cause == "" {
		return report.VerdictNotApplicable, rec.Reason
	}
	// The first task of the main chain that failed decides; PYTI's own steps mean an error.
	for _, step := range []struct {
		task    string
		verdict report.Verdict
		prefix  string
	}{
		{"resolve", report.VerdictError, "resolve: "},
		{"download", report.VerdictError, "download: "},
		{"unpack", report.VerdictError, "unpack: "},
		{t.task("fetch"), report.VerdictFetch, ""},
		{t.task("build"), report.VerdictBuild, ""},
		{t.task("venv"), report.VerdictInstall, ""},
		{t.task("install"), report.VerdictInstall, ""},
		{t.task("import"), report.VerdictImportFailed, ""},
	} {
		if rec, ok := records[step.task]; ok && rec.Status != dag.StatusOK && rec.Status != dag.StatusSkipped {
			reason := step.prefix + firstLineOf2(rec.Error, rec.Reason)
			if step.verdict == report.VerdictImportFailed {
				reason += testsBesidePart(t.Results.Tests)
			}
			return step.verdict, reason
		}
	}
	// The import proved nothing: no module is importable by name.
	if imp := t.Results.Import; imp != nil && imp.Nothing != "" {
		return report.VerdictNothingToImport, "nothing to import: " + imp.Nothing
	}
	tests := t.Results.Tests
	if rec, ok := records[t.task("test")]; ok && rec.Status != dag.StatusOK && rec.Status != dag.StatusSkipped {
		// The suite ran but pytest could not (a missing plugin its configuration asks for, a
		// broken conftest): the package's failure, not PYTI's, unless its results say more.
		// When test dependencies could not be installed, the environment was incomplete: a
		// plugin that is not there leaves its options unknown to pytest (asyncio_mode), as
		// when pytest stops on its own (see testsVerdict).
		if tests == nil || tests.Results == nil || len(tests.Results.Failing()) == 0 {
			reason := "the tests could not run: " + firstLineOf2(rec.Error, rec.Reason)
			lacking := depsNotInstalled(t.Results.Fetch)
			if tests != nil && tests.ConftestMissing != "" {
				// A conftest.py that imports what nothing installed provides: the environment
				// lacks a test dependency, as when a test module imports it.
				return report.VerdictTestDeps, fmt.Sprintf("the tests could not run: a conftest.py imports `%s`, which no installed dependency provides%s",
					tests.ConftestMissing, lacking)
			}
			if tests != nil && tests.BrokenPlugin != "" {
				// A plugin the test requirements installed stopped pytest before any test: the
				// test environment is broken, not the package (an old pytest-benchmark on a
				// newer pytest).
				why := firstLineOf2(rec.Error, rec.Reason)
				if _, after, ok := strings.Cut(why, "): "); ok {
					why = after
				}
				return report.VerdictTestDeps, fmt.Sprintf("the tests could not run: `%s`, a pytest plugin installed beside the package, stopped pytest at its start: %s%s",
					tests.BrokenPlugin, why, lacking)
			}
			if lacking != "" && lackingMayExplain(reason, t.Results.Fetch) {
				return report.VerdictTestDeps, reason + refusedPlugin(reason, t.Results.Fetch) + lacking
			}
			return report.VerdictTestsFailed, reason + lacking
		}
	}
	if tests == nil {
		return report.VerdictError, "the tests did not run"
	}
	if tests.Results == nil {
		return report.VerdictNoTests, tests.Found
	}
	stopped := ""
	if !tests.Results.Complete && tests.Outcome != "ok" && strings.HasPrefix(tests.Reason, "pytest ") {
		stopped = tests.Reason
	}
	if v, reason, ok := testsVerdict(tests.Results, t.Results.Fetch, tests.DepsLeftOut, stopped, in.Requires); ok {
		if strings.HasPrefix(tests.Runner, string(suiteDoctest)) && slices.ContainsFunc(tests.Results.Failing(), func(c report.TestCase) bool { return c.Plugin == "" }) {
			// No test file's test failed: a doctest the configuration asks for did (not only
			// a plugin's check of a file, which testsVerdict names).
			reason += " (" + doctestsOnly + ")"
		}
		return v, reason
	}
	c := tests.Results.Counts
	if c.Total() == 0 {
		return report.VerdictNoTests, "the test run collected no tests (" + tests.Found + ")"
	}
	// Each outcome as pytest counts it: an expected failure is not a pass.
	reason := fmt.Sprintf("%d passed", c.Passed)
	if c.XFailed > 0 {
		reason += fmt.Sprintf(", %d xfailed", c.XFailed)
	}
	if c.XPassed > 0 {
		reason += fmt.Sprintf(", %d xpassed", c.XPassed)
	}
	skips, relaxed := skipsPart(c.Skipped, tests.Skipped, t.Results.Fetch), withRelaxed(t.Results.Fetch)
	if skips != "" && relaxed != "" {
		// After a skip's reason, its own clause (pyrsistent 0.19.3's "1 skipped: This test only
		// applies to pvectorc, run with ..." read as the reason's words).
		relaxed = ";" + strings.TrimPrefix(relaxed, ",")
	}
	return report.VerdictPassed, fmt.Sprintf("%s, %d skipped%s%s%s", reason, c.Skipped, skips, relaxed, tracingOnlyClause(tests.Results))
}

// testsBesidePart is the clause an import failure's reason ends with when the tests ran all the
// same, with the test dependencies installed, which may provide what the import missed (soupsieve
// 2.5 leaves bs4, whose plugin it is, undeclared: the import fails, its 378 tests pass); "" when
// no test ran (a collection error is none).
func testsBesidePart(tests *report.Tests) string {
	if tests == nil || !testsRan(tests.Results) {
		return ""
	}
	c := tests.Results.Counts
	counts := fmt.Sprintf("%d passed", c.Passed)
	for _, n := range []struct {
		n    int
		what string
	}{{c.Failed, "failed"}, {c.Errors, map[bool]string{true: "error", false: "errors"}[c.Errors == 1]}, {c.Skipped, "skipped"}} {
		if n.n > 0 {
			counts += fmt.Sprintf(", %d %s", n.n, n.what)
		}
	}
	return "; with the test dependencies installed, the tests ran: " + counts
}

// tracingOnlyClause is the clause that says how many tests failed under coverage.py's tracing alone
// and count with their outcome without it, or "".
func tracingOnlyClause(run *report.TestRun) string {
	n := 0
	for _, c := range run.Cases {
		if c.UnderCoverage != "" {
			n++
		}
	}
	if n == 0 {
		return ""
	}
	if n == 1 {
		return "; 1 test failed only under coverage.py's tracing, and counts as it ran without it"
	}
	return fmt.Sprintf("; %d tests failed only under coverage.py's tracing, and count as they ran without it", n)
}

// skipsPart is the clause after a passing run's skip count that names why they were skipped:
// the most frequent reason, as the tests gave it ("114 skipped: Requires cryptography library
// installed"), with the test dependency the index could not satisfy that it names, and how many
// were skipped for other reasons, the other reason named when there is one. "" when no test was
// skipped.
func skipsPart(skipped int, groups []report.SkipReason, fetch *report.Fetch) string {
	if skipped == 0 || len(groups) == 0 {
		return ""
	}
	top := groups[0]
	// A reason over several lines is one sentence (docutils': "requires the\n  package ...").
	reason := oneLineOf(strings.Join(strings.Fields(top.Reason), " "))
	if reason == "" {
		reason = "no reason given"
	}
	if fetch != nil {
		if dep := namedDependency(top.Reason, fetch.MissingTestDeps); dep != "" {
			reason += fmt.Sprintf(" (test dependency `%s` is not on the index)", dep)
		} else if dep := namedDependency(top.Reason, fetch.UnmetTestDeps); dep != "" {
			reason += fmt.Sprintf(" (test dependency `%s` has no matching version on the index)", dep)
		} else if dep := namedDependency(top.Reason, fetch.UnfetchableTestDeps); dep != "" {
			reason += fmt.Sprintf(" (test dependency `%s` could not be fetched beside the package)", dep)
		}
	}
	if top.Count == skipped {
		return ": " + reason
	}
	others := len(groups) - 1
	if second := oneLineOf(strings.Join(strings.Fields(groups[1].Reason), " ")); others == 1 && second != "" && len(second) <= 80 {
		// One other reason: named, as the first is ("2: Windows only test; 1: Mac only test").
		return fmt.Sprintf(" (%d: %s; %d: %s)", top.Count, reason, skipped-top.Count, second)
	}
	return fmt.Sprintf(" (%d: %s; %d for %s)", top.Count, reason, skipped-top.Count, plural(others, "other reason"))
}

// askedToInstall is the test dependency the index lacks that a failure's message asks to
// install or says is required ("Do you have cryptography installed?", "pip install
// cryptography", Werkzeug's "Using ad-hoc certificates requires the cryptography library."),
// or "".
func askedToInstall(message string, missing []string) string {
	if !asksFor.MatchString(strings.ToLower(message)) {
		return ""
	}
	return namedDependency(oneLineOf(message), missing)
}

// asksFor matches the words a message uses to ask for a library.
var asksFor = regexp.MustCompile(`install|\brequires?\b|\bneeds?\b`)

// namedDependency is the requirement among deps that a skip reason (or a failure's message)
// names: the one providing the module it could not import, else one whose project name (or
// import name) it names as a word, as "Requires cryptography library installed" names
// cryptography. "" when none.
func namedDependency(reason string, deps []string) string {
	if len(deps) == 0 {
		return ""
	}
	if m := testresult.SkipModule(reason); m != "" {
		return providingDep(m, deps)
	}
	words := strings.FieldsFunc(strings.ToLower(reason), func(r rune) bool {
		return !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_' || r == '-' || r == '.')
	})
	for _, w := range words {
		if dep := providingDep(strings.Trim(w, ".-"), deps); dep != "" {
			return dep
		}
	}
	return ""
}

// doctestsOnly says, after a verdict on a suite of doctests alone, what was run.
const doctestsOnly = "the sdist ships no test files: these are the doctests its pytest configuration asks for"

// testCause is one reason why tests did not pass, with the tests it accounts for.
type testCause struct {
	verdict report.Verdict
	// what completes "N of M tests ...".
	what  string
	cases int
	// files are the cases that are whole test files pytest could not collect: each counts as one
	// test, whatever tests it holds.
	files int
	// stops are the cases, among files, that are no file at all: errors of the whole
	// collection (a conftest's pytest.exit, a plugin hook's error), counted as one test.
	stops int
	// defines are the test functions those files define (report.TestCase.Defines).
	defines int
	// paths are the test data missing from the sdist, for the "data" cause, the arguments no
	// fixture gives, for the "args" cause, and the markers no plugin registered, for the "marks"
	// cause, in node id order.
	paths []string
	// order breaks ties: the package's own failures first; then first, the cause's first
	// failing test in node id order.
	order, first int
	// undeclared says the cause is a module no installed dependency provides.
	undeclared bool
}

// declaresNoTestDeps says the fetch found no test dependency declared: no test extra, no test
// requirement (of a dependency group, tox.ini, a requirements file, ...), none left out.
func declaresNoTestDeps(fetch *report.Fetch) bool {
	return fetch != nil && len(fetch.TestExtras)+len(fetch.TestRequirements)+len(fetch.MissingTestDeps)+len(fetch.UnmetTestDeps)+len(fetch.RelaxedTestDeps) == 0
}

// weight is how many tests the cause kept from passing, for choosing the verdict: its cases, a
// test file pytest could not collect counted as the test functions it defines (python-dateutil
// 2.8.2: 3 files that import hypothesis define 4 tests, 2 that import freezegun 569).
func (c *testCause) weight() int {
	return c.cases - c.files + max(c.files, c.defines)
}

// testsVerdict sorts the failing tests by cause, as crater separates its result classes: tests
// that fail on their own, a test dependency the index does not have (or that the project does not
// declare), tests that need the network, test data the sdist does not ship, collection errors and
// timeouts. The cause with the most tests is the verdict; the reason names it with its count
// first, then the others. ok is false when nothing failed.
//
// leftOut are the test requirements pip could not install beside the package (see
// installTestDeps). stopped, when set, is why pytest stopped on its own before the end of the
// run (see pytestStopped): the tests it never reached are not counted anywhere, so that is the
// verdict, named with the test dependencies that were not installed when there are some, before
// the causes of the tests it did count.
func testsVerdict(run *report.TestRun, fetch *report.Fetch, leftOut []string, stopped string, requires []string) (report.Verdict, string, bool) {
	failing := run.Failing()
	yields := yieldTests(run)
	if len(failing) == 0 && run.Counts.Failed+run.Counts.Errors == 0 && stopped == "" && len(yields) == 0 {
		return "", "", false
	}
	var missingDeps, unmetDeps []string
	if fetch != nil {
		missingDeps, unmetDeps = fetch.MissingTestDeps, fetch.UnmetTestDeps
	}
	if stopped != "" {
		v, reason := report.VerdictTestCollection, stopped
		if lacking := depsNotInstalled(fetch); lacking != "" {
			v, reason = report.VerdictTestDeps, reason+refusedPlugin(reason, fetch)+lacking
		}
		if _, rest, ok := testsVerdict(run, fetch, leftOut, "", requires); ok {
			reason += "; before that, " + rest
		}
		return v, reason, true
	}
	causes := map[string]*testCause{}
	add := func(key string, f report.TestCase, c testCause) {
		have, ok := causes[key]
		if !ok {
			c.first = len(causes)
			have = &c
			causes[key] = have
		}
		have.cases++
		if !strings.Contains(f.NodeID, "::") {
			have.files++
			have.defines += f.Defines
		}
		if f.NodeID == "" {
			have.stops++
		}
	}
	// The missing modules are grouped by name, a module with the missing one above it (a
	// submodule of a package that is not there) under that one. Python names the first module of
	// a dotted import that is missing, so `zope.testing`, under a namespace package that is
	// there, stays `zope.testing`, apart from `zope.event`.
	var names []string
	for _, f := range failing {
		if f.Class == report.ClassMissingDependency && !slices.Contains(names, f.Missing) {
			names = append(names, f.Missing)
		}
	}
	sort.Slice(names, func(a, b int) bool {
		return len(names[a]) < len(names[b]) || (len(names[a]) == len(names[b]) && names[a] < names[b])
	})
	group := map[string]string{}
	for _, n := range names {
		group[n] = n
		for _, g := range names {
			if len(g) < len(n) && strings.HasPrefix(n, g+".") && group[g] == g {
				group[n] = g
				break
			}
		}
	}
	for _, f := range failing {
		switch f.Class {
		case report.ClassMissingDependency:
			name := group[f.Missing]
			switch dep, why := unavailableDep(f.Missing, fetch, leftOut); {
			case dep != "":
				add("dep:"+dep, f, testCause{verdict: report.VerdictTestDeps, order: 1,
					what: fmt.Sprintf("could not run: test dependency `%s` %s", dep, why)})
			case len(missingDeps)+len(unmetDeps) > 0 && fetch.OtherTestDepsFetched && anyCouldProvide(name, append(slices.Clone(missingDeps), unmetDeps...)):
				// A module of a test dependency the index could not satisfy, under another name.
				add("unmet:"+name, f, testCause{verdict: report.VerdictTestDeps, order: 1,
					what: fmt.Sprintf("could not run: `%s` was not installed, and some test dependencies were left out: %s", name, unavailable(missingDeps, unmetDeps))})
			case len(missingDeps)+len(unmetDeps) > 0 && !fetch.OtherTestDepsFetched:
				// The test dependencies were left out because one of them could not be had.
				add("dropped:"+name, f, testCause{verdict: report.VerdictTestDeps, order: 1,
					what: fmt.Sprintf("could not run: `%s` was not installed, and the test dependencies were left out: %s", name, unavailable(missingDeps, unmetDeps))})
			case testresult.IsFixtureLookup(f.Message):
				add("import:"+name, f, testCause{verdict: report.VerdictTestDeps, order: 2,
					what: fmt.Sprintf("could not run: they use a fixture of the pytest plugin `%s` (%s), which no installed dependency provides", name, f.Message)})
			case name == "py" && !strings.Contains(f.Message, "No module named"):
				// pytest 7.2 and later install a `py` module of their own, py.path and py.error
				// alone (execnet 1.9.0's tests use py.test, py.code, py.io and py.builtin).
				add("import:"+name, f, testCause{verdict: report.VerdictTestDeps, order: 2,
					what: "could not run: they use the `py` library, which no installed dependency provides (pytest's own `py` module holds py.path and py.error alone)"})
			default:
				what := fmt.Sprintf("could not run: they import `%s`, which no installed dependency provides", name)
				if extra := extraProviding(name, requires, fetch); extra != "" {
					// dnspython 2.3.0's dnssec extra declares cryptography; PYTI installs the
					// extras named for tests, and its CI every extra.
					what = fmt.Sprintf("could not run: they import `%s`, which the package's extra `%s` declares, not installed for the tests", name, extra)
				}
				add("import:"+name, f, testCause{verdict: report.VerdictTestDeps, order: 2, what: what, undeclared: true})
			}
		case report.ClassMissingProgram:
			add("program:"+f.MissingProgram, f, testCause{verdict: report.VerdictTestDeps, order: 2,
				what: fmt.Sprintf("could not run: they run the program `%s`, which is not installed", f.MissingProgram)})
		case report.ClassMissingLocale:
			what := "could not run: they set a locale this machine does not have"
			if f.MissingLocale != "" {
				what = fmt.Sprintf("could not run: they set the locale `%s`, which this machine does not have", f.MissingLocale)
			}
			add("locale:"+f.MissingLocale, f, testCause{verdict: report.VerdictTestDeps, order: 2, what: what})
		case report.ClassHiddenSystem:
			add("sys", f, testCause{verdict: report.VerdictTestDeps, order: 2,
				what: "failed reading /sys, which the sandbox keeps out"})
		case report.ClassMissingService:
			// Every address named, up to three (a project's tests may want a Redis and a
			// PostgreSQL).
			add("service", f, testCause{verdict: report.VerdictTestDeps, order: 2})
			c := causes["service"]
			if !slices.Contains(c.paths, f.MissingService) {
				c.paths = append(c.paths, f.MissingService)
			}
			c.what = "could not run: they connect to a server at " + backticked(c.paths, 3) + ", which nothing in the run started (a service the tests expect to find running)"
		case report.ClassNeedsNetwork:
			add("network", f, testCause{verdict: report.VerdictTestsNetwork, order: 3, what: "need the network, which the sandbox does not have"})
		case report.ClassMissingFile:
			// Every path missing is named, up to three (toml 0.10.2's tests read
			// toml-test/tests/valid and toml-test/tests/invalid).
			add("data", f, testCause{verdict: report.VerdictTestData, order: 4})
			c := causes["data"]
			if p := dataPath(f.MissingPath); !slices.Contains(c.paths, p) {
				c.paths = append(c.paths, p)
			}
			c.what = "could not run: test data " + backticked(c.paths, 3) + map[bool]string{true: " is", false: " are"}[len(c.paths) == 1] + " missing from the sdist"
		case report.ClassCollectionError:
			if c, ok := refusedByPytest(f, fetch); ok {
				add("pytest", f, c)
				continue
			}
			what := "could not be collected"
			if m := oneLineOf(f.Message); m != "" {
				what += ": " + m
			}
			add("collect", f, testCause{verdict: report.VerdictTestCollection, order: 5, what: what})
		case report.ClassTimedOut:
			add("timeout", f, testCause{verdict: report.VerdictTimeout, order: 6, what: "timed out"})
		default:
			if dep := askedToInstall(f.Message, missingDeps); dep != "" {
				// The package's own words: "Algorithm 'RS256' could not be found. Do you have
				// cryptography installed?" (PyJWT, under oauthlib's tests).
				add("dep:"+dep, f, testCause{verdict: report.VerdictTestDeps, order: 1,
					what: fmt.Sprintf("could not run: test dependency `%s` is not on the index", dep)})
				continue
			}
			if c, ok := refusedByPytest(f, fetch); ok {
				add("pytest", f, c)
				continue
			}
			if args := unsuppliedArguments(f.Message); len(args) > 0 {
				// PyYAML's tests/lib: test functions whose data files its own runner
				// (test_appliance.py) passes them; under pytest nothing does.
				add("args", f, testCause{verdict: report.VerdictTestCollection, order: 5})
				c := causes["args"]
				for _, a := range args {
					if !slices.Contains(c.paths, a) {
						c.paths = append(c.paths, a)
					}
				}
				c.what = "could not run: their functions take arguments that no fixture gives (" + backticked(c.paths, 3) +
					"): pytest cannot call them as they are written (the project may run them with a runner of its own)"
				continue
			}
			if plugins := pluginsLeftOut(fetch); len(f.UnknownMarks) > 0 && len(plugins) > 0 {
				// A plugin's marker, the plugin not installed: the test ran without what the
				// marker does (urllib3's @pytest.mark.freeze_time, pytest-freezegun left out).
				add("marks", f, testCause{verdict: report.VerdictTestDeps, order: 1})
				c := causes["marks"]
				for _, m := range f.UnknownMarks {
					if !slices.Contains(c.paths, m) {
						c.paths = append(c.paths, m)
					}
				}
				c.what = fmt.Sprintf("could not run as written: they carry markers no installed plugin registers (%s), and the index could not provide the pytest %s %s",
					backticked(c.paths, 3), map[bool]string{true: "plugin", false: "plugins"}[len(plugins) == 1], backticked(plugins, 3))
				continue
			}
			if f.PassedAlone {
				add("alone", f, testCause{verdict: report.VerdictTestsFailed, order: 0,
					what: "failed in the suite's run and passed when run again alone, with and without coverage (flaky, or dependent on the tests before them)"})
				continue
			}
			if f.Plugin != "" {
				// pytest-flake8's check of a module: the project's configuration turns it on,
				// and pytest counts it as a test.
				add("plugin:"+f.Plugin, f, testCause{verdict: report.VerdictTestsFailed, order: 0,
					what: fmt.Sprintf("failed: they are the checks of the files that the pytest plugin `%s` adds, not tests", f.Plugin)})
				continue
			}
			add("own", f, testCause{verdict: report.VerdictTestsFailed, order: 0, what: "failed on their own" + withRelaxed(fetch)})
		}
	}
	for _, f := range yields {
		// markdown2 2.4.8's test_cases() yields the cases of its own runner (test/test.py over
		// its data files): pytest counts it as one xfailed test, and runs none of them.
		add("yield", f, testCause{verdict: report.VerdictTestCollection, order: 5})
		c := causes["yield"]
		if name := f.NodeID[strings.LastIndex(f.NodeID, "::")+2:]; !slices.Contains(c.paths, name) {
			c.paths = append(c.paths, name)
		}
		c.what = "could not run: " + backticked(c.paths, 3) + map[bool]string{true: " is a yield test", false: " are yield tests"}[len(c.paths) == 1] +
			", which pytest no longer runs (it counts each as xfailed, none of the tests it yields run): the project may run them with a runner of its own"
	}
	if len(causes) == 0 {
		// The counts say tests failed, but no case says which (a run cut short).
		c := run.Counts
		return report.VerdictTestsFailed, fmt.Sprintf("%d failed, %d errors, %d passed", c.Failed, c.Errors, c.Passed), true
	}
	list := make([]*testCause, 0, len(causes))
	for _, c := range causes {
		list = append(list, c)
	}
	sort.Slice(list, func(i, j int) bool {
		if wi, wj := list[i].weight(), list[j].weight(); wi != wj {
			return wi > wj
		}
		if list[i].order != list[j].order {
			return list[i].order < list[j].order
		}
		return list[i].first < list[j].first
	})
	total := run.Counts.Total()
	if len(run.Cases) > 0 {
		// Each test once: pytest counts a test whose teardown failed after its call twice, an
		// error beside its outcome (mysqlclient 2.1.1's dbapi20 tests, refused by a MySQL server
		// in their set-up and their teardown: 93 tests, "74 failed, 19 passed, 19 errors").
		total = len(run.Cases)
	}
	if total < len(failing) {
		total = len(failing)
	}
	parts := make([]string, 0, len(list))
	for i, c := range list {
		if i == 0 {
			parts = append(parts, fmt.Sprintf("%s of %s %s", comma(c.cases), comma(total), testsWord(total, c.what))+filesPart(c))
			continue
		}
		parts = append(parts, fmt.Sprintf("%s %s", comma(c.cases), c.what)+definingPart(c))
	}
	reason := parts[0]
	if len(parts) > 1 {
		reason += "; also " + strings.Join(parts[1:], "; ")
	}
	if declaresNoTestDeps(fetch) && slices.ContainsFunc(list, func(c *testCause) bool { return c.undeclared }) {
		// python-dateutil 2.8.2 lists hypothesis and freezegun in requirements-dev.txt and
		// tox.ini, neither of which its sdist ships.
		reason += "; the sdist declares no test dependencies"
	}
	return list[0].verdict, reason, true
}

// testsBeforeTimeout is what the test run had recorded when it was killed at a time limit, as a
// clause after the limit's own words, or "": the test it was in, how many tests had ended, and
// the causes of their failures (urllib3 1.26.14's run went silent in a 2 GiB TLS test, after 24
// tests failed for want of pytest-freezegun). A limit another step hit leaves it "".
func testsBeforeTimeout(tests *report.Tests, fetch *report.Fetch, requires []string) string {
	if tests == nil || tests.Results == nil || (tests.Outcome != "timeout" && tests.Outcome != "no-output-timeout") {
		return ""
	}
	run := *tests.Results
	run.Cases = nil
	var in []string
	for _, c := range tests.Results.Cases {
		if c.Class == report.ClassTimedOut {
			in = append(in, c.NodeID)
			switch c.Outcome {
			case report.TestFailed:
				run.Counts.Failed--
			case report.TestError:
				run.Counts.Errors--
			}
			continue
		}
		run.Cases = append(run.Cases, c)
	}
	out := ""
	if len(in) > 0 {
		out = ", in " + backticked(in, 3)
	}
	ended := run.Counts.Total()
	if len(tests.Results.Cases) > 0 {
		ended = len(run.Cases) // each test once (see testsVerdict)
	}
	out += ", after " + comma(ended) + map[bool]string{true: " test", false: " tests"}[ended == 1]
	if _, rest, ok := testsVerdict(&run, fetch, tests.DepsLeftOut, "", requires); ok {
		out += "; before that, " + rest
	}
	return out
}

// yieldTests are the run's test functions that yield tests, which pytest 4 and later no longer
// runs: it marks each xfailed ("[NOTRUN] yield tests were removed in pytest 4.0 - test_cases will
// be ignored").
func yieldTests(run *report.TestRun) []report.TestCase {
	var out []report.TestCase
	for _, c := range run.Cases {
		if c.Outcome == report.TestXFailed && strings.Contains(c.Message, "[NOTRUN] yield tests were removed") {
			out = append(out, c)
		}
	}
	return out
}

// importNames are well-known projects whose import name is not their project name: a test that
// fails to import yaml lacks PyYAML.
var importNames = map[string]string{
	"yaml": "PyYAML", "dateutil": "python-dateutil", "PIL": "Pillow", "bs4": "beautifulsoup4", "attr": "attrs",
	"google.protobuf": "protobuf", "sklearn": "scikit-learn", "cv2": "opencv-python", "Crypto": "pycryptodome",
	"OpenSSL": "pyOpenSSL", "jwt": "PyJWT", "magic": "python-magic", "serial": "pyserial", "dotenv": "python-dotenv",
	"git": "GitPython", "zmq": "pyzmq", "MySQLdb": "mysqlclient", "nacl": "PyNaCl", "gi": "PyGObject",
	"dns": "dnspython", "slugify": "python-slugify", "multipart": "python-multipart", "jose": "python-jose",
	"_pytest": "pytest", "pkg_resources": "setuptools", "docx": "python-docx", "websocket": "websocket-client",
	"Levenshtein": "python-Levenshtein", "memcache": "python-memcached", "ldap": "python-ldap",
	"snappy": "python-snappy", "pytestqt": "pytest-qt", "pytest_lazyfixture": "pytest-lazy-fixture",
	"tidylib": "pytidylib", "skimage": "scikit-image", "socks": "PySocks", "hamcrest": "PyHamcrest",
	"github": "PyGithub", "OpenGL": "PyOpenGL", "fitz": "PyMuPDF", "usb": "pyusb", "Xlib": "python-xlib",
	"kafka": "kafka-python", "googleapiclient": "google-api-python-client", "stdnum": "python-stdnum",
	"pythonjsonlogger": "python-json-logger", "sqlalchemy_utils": "SQLAlchemy-Utils",
}

// anyCouldProvide reports whether one of deps (requirements) could be the project that provides
// module under another name: not a tool that runs no tests (black, flake8, sphinx, twine,
// coverage: see notTestModules), nor a pytest plugin, unless the module is a pytest plugin's.
// dnspython 2.3.0's Poetry dev-dependencies (black, flake8, mypy, pylint, pytest-cov, sphinx,
// twine, coverage) could not be had, and none of them is the cryptography its tests import.
func anyCouldProvide(module string, deps []string) bool {
	for _, d := range deps {
		project := d
		if r, err := pep440.ParseRequirement(d); err == nil {
			project = r.Name
		}
		mod := strings.ReplaceAll(pep440.NormalizeName(project), "-", "_")
		if notTestModules[mod] || (strings.HasPrefix(mod, "pytest_") && !strings.HasPrefix(module, "pytest")) {
			continue
		}
		return true
	}
	return false
}

// extraRe finds the extra a requirement's marker names.
var extraRe = regexp.MustCompile(`\bextra\s*==\s*['"]([^'"]+)['"]`)

// extraProviding is the extra of the distribution, not installed for the tests, whose
// requirement is the project of module's top-level name ("cryptography" of dnssec), or "".
func extraProviding(module string, requires []string, fetch *report.Fetch) string {
	top, _, _ := strings.Cut(module, ".")
	for _, line := range requires {
		r, err := pep440.ParseRequirement(line)
		if err != nil || r.Marker == nil || pep440.NormalizeName(r.Name) != pep440.NormalizeName(top) {
			continue
		}
		m := extraRe.FindStringSubmatch(r.Marker.String())
		if m == nil || (fetch != nil && slices.ContainsFunc(fetch.TestExtras, func(e string) bool { return pep440.NormalizeName(e) == pep440.NormalizeName(m[1]) })) {
			continue
		}
		return m[1]
	}
	return ""
}

// unavailableDep is the test requirement that provides module (or, for a pytest plugin, the same
// fixtures: testresult.FixtureProviders) and could not be had, and why:
// pip could not fetch it beside the package (fetch's unfetchable ones), nor install it there
// (leftOut, see installTestDeps), the index does not have it, or has no matching version of it.
func unavailableDep(module string, fetch *report.Fetch, leftOut []string) (dep, why string) {
	var f report.Fetch
	if fetch != nil {
		f = *fetch
	}
	for _, c := range []struct {
		deps []string
		why  string
	}{
		{f.UnfetchableTestDeps, "could not be fetched beside the package"},
		{leftOut, "could not be installed beside the package, their dependencies conflicting"},
		{f.MissingTestDeps, "is not on the index"},
		{f.UnmetTestDeps, "has no matching version on the index"},
	} {
		for _, m := range testresult.FixtureProviders(module) {
			if d := providingDep(m, c.deps); d != "" {
				return d, c.why
			}
		}
	}
	return "", ""
}

// providingDep is the requirement among deps whose project name is the module's or that of a
// package above it: `pretend` for pretend, `jaraco.classes` for jaraco.classes, `zope.testing`
// for zope.testing.cleanup, `pytest-mock>=3.10` for pytest_mock.
func providingDep(module string, deps []string) string {
	parts := strings.Split(module, ".")
	for i := len(parts); i >= 1; i-- {
		name := pep440.NormalizeName(strings.Join(parts[:i], "."))
		if project, ok := importNames[strings.Join(parts[:i], ".")]; ok {
			name = pep440.NormalizeName(project)
		}
		for _, d := range deps {
			project := d
			if r, err := pep440.ParseRequirement(d); err == nil {
				project = r.Name
			}
			if pep440.NormalizeName(project) == name {
				return d
			}
		}
	}
	return ""
}

// pytestRemoved matches pytest's words when it refuses an API it deprecated and then removed:
// its deprecation page, or its warning classes turned errors.
var pytestRemoved = regexp.MustCompile(`docs\.pytest\.org/en/[^/\s]+/deprecations|PytestRemovedIn\d+Warning|PytestDeprecationWarning`)

// raisedWarning matches a message whose exception is a warning class (pytest.PytestRemovedIn8Warning:
// …): a warning raised as an error by a warning filter.
var raisedWarning = regexp.MustCompile(`^(?:[\w.]+\.)?\w+Warning: `)

// refusedByPytest is the cause of a test that errs because the installed pytest refused an API
// the project's pytest pin promised it (html5lib 1.1's conftest constructs its collector
// directly, which pytest 6 refuses, and asks for `pytest>=5.4.2,<6`), when that pin is one the
// index could not satisfy: an incomplete environment, not the package's fault. ok is false
// when the error is not pytest's refusal or when the project's pytest requirement was met.
func refusedByPytest(f report.TestCase, fetch *report.Fetch) (testCause, bool) {
	if fetch == nil || !pytestRemoved.MatchString(f.Message+"\n"+f.Details) {
		return testCause{}, false
	}
	pin := providingDep("pytest", fetch.UnmetTestDeps)
	if pin == "" {
		pin = providingDep("pytest", fetch.RelaxedTestDeps)
	}
	if pin == "" {
		return testCause{}, false
	}
	installed := "the installed pytest"
	for _, w := range fetch.Wheelhouse {
		if d, err := pkgmeta.ParseDistFilename(w.Filename); err == nil && pep440.NormalizeName(d.Name) == "pytest" {
			installed = "pytest " + d.Version
		}
	}
	refuses := "refuses what they use"
	if raisedWarning.MatchString(f.Message) {
		// The error is pytest's deprecation warning itself: the project's warning filters
		// (Jinja2 3.1.2's `filterwarnings = error`) made it one, not pytest.
		refuses = "warns of what they use, a warning that the project's warning filters turn into an error"
	}
	what := fmt.Sprintf("could not run: %s %s, and the project asks for `%s`, which has no matching version on the index", installed, refuses, pin)
	if m := oneLineOf(f.Message); m != "" {
		what += " (" + m + ")"
	}
	return testCause{verdict: report.VerdictTestDeps, order: 1, what: what}, true
}

// pluginsLeftOut are the pytest plugins (pytest-*) among the test requirements the index could
// not satisfy.
func pluginsLeftOut(fetch *report.Fetch) []string {
	if fetch == nil {
		return nil
	}
	var out []string
	for _, d := range append(slices.Clone(fetch.MissingTestDeps), fetch.UnmetTestDeps...) {
		name := d
		if r, err := pep440.ParseRequirement(d); err == nil {
			name = r.Name
		}
		if n := pep440.NormalizeName(name); strings.HasPrefix(n, "pytest-") && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	return out
}

// depsNotInstalled is the clause a reason ends with when the test dependencies could not be
// installed (fetch names those the index could not satisfy), or "".
func depsNotInstalled(fetch *report.Fetch) string {
	if fetch == nil || len(fetch.MissingTestDeps)+len(fetch.UnmetTestDeps) == 0 {
		return ""
	}
	if fetch.OtherTestDepsFetched {
		return ", without the test dependencies the index could not satisfy: " + unavailable(fetch.MissingTestDeps, fetch.UnmetTestDeps)
	}
	return ", with the test dependencies not installed, because they could not be: " + unavailable(fetch.MissingTestDeps, fetch.UnmetTestDeps)
}

// lackingWords are pytest's words for what a missing plugin or module leaves it without.
var lackingWords = []string{"unrecognized arguments", "Unknown config option", "not found in `markers`",
	"No module named", "ModuleNotFoundError", "ImportError", "cannot import name", "fixture '"}

// lackingMayExplain reports whether the test dependencies the index could not satisfy may be
// why pytest could not run, as its error says: none of the others was installed, or the error
// is one that a missing plugin or module gives, or names one of them. An installed plugin's
// crash (lazy-object-proxy 1.9.0: pytest-benchmark's "INTERNALERROR> AttributeError: module
// 'py' has no attribute 'io'", beside objproxies and hunter not on the index) is not theirs.
func lackingMayExplain(reason string, fetch *report.Fetch) bool {
	if fetch == nil || !fetch.OtherTestDepsFetched {
		return true
	}
	for _, w := range lackingWords {
		if strings.Contains(reason, w) {
			return true
		}
	}
	low := strings.ToLower(reason)
	for _, d := range append(slices.Clone(fetch.MissingTestDeps), fetch.UnmetTestDeps...) {
		name := d
		if r, err := pep440.ParseRequirement(d); err == nil {
			name = r.Name
		}
		name = pep440.NormalizeName(name)
		if name != "" && (strings.Contains(low, name) || strings.Contains(low, strings.ReplaceAll(name, "-", "_"))) {
			return true
		}
	}
	return false
}

// refusedPlugin is the clause that names, among the test dependencies the index could not
// satisfy, the pytest plugin that defines the options pytest refused ("unrecognized arguments:
// --benchmark-sort=fullname ...": cattrs 23.1.2's addopts, pytest-benchmark>=3.2.3 unmet), so
// that it is not lost in the list of all of them; "" when none does.
func refusedPlugin(reason string, fetch *report.Fetch) string {
	_, args, ok := strings.Cut(reason, "unrecognized arguments: ")
	if fetch == nil || !ok {
		return ""
	}
	// Each plugin once, however many of its options pytest refused: dictdiffer 0.9.0's
	// --isort --pydocstyle --pycodestyle are three plugins' options.
	var missing, unmet []string
	for _, a := range strings.Fields(args) {
		plugin := pluginOfOption(strings.TrimRight(a, ",;"))
		if plugin == "" {
			continue
		}
		if d := providingDep(plugin, fetch.MissingTestDeps); d != "" && !slices.Contains(missing, d) {
			missing = append(missing, d)
		} else if d := providingDep(plugin, fetch.UnmetTestDeps); d != "" && !slices.Contains(unmet, d) {
			unmet = append(unmet, d)
		}
	}
	var parts []string
	if len(missing) > 0 {
		verb := "is"
		if len(missing) > 1 {
			verb = "are"
		}
		parts = append(parts, fmt.Sprintf("%s, which %s not on the index", quoteList(missing), verb))
	}
	if len(unmet) > 0 {
		verb := "has"
		if len(unmet) > 1 {
			verb = "have"
		}
		parts = append(parts, fmt.Sprintf("%s, which %s no version on the index that matches", quoteList(unmet), verb))
	}
	if len(parts) == 0 {
		return ""
	}
	plugins := "the pytest plugin"
	if len(missing)+len(unmet) > 1 {
		plugins = "the pytest plugins"
	}
	return fmt.Sprintf(" (options of %s %s)", plugins, strings.Join(parts, "; "))
}

// withRelaxed is the clause that says failing tests ran with other versions of pinned test
// dependencies than the pins (see relaxPins), or "".
func withRelaxed(fetch *report.Fetch) string {
	if fetch == nil || len(fetch.RelaxedTestDeps) == 0 {
		return ""
	}
	return ", run with the index's versions instead of " + quoteList(fetch.RelaxedTestDeps)
}

// unavailable says which test requirements the index could not satisfy.
func unavailable(missing, unmet []string) string {
	var parts []string
	if len(missing) > 0 {
		parts = append(parts, quoteList(missing)+" not on the index")
	}
	if len(unmet) > 0 {
		parts = append(parts, quoteList(unmet)+" with no matching version on it")
	}
	return strings.Join(parts, ", ")
}

// testsWord is "tests WHAT", or "test WHAT" for one.
// filesPart says, after a cause's count, how many of its tests are whole test files that could
// not be collected, which pytest counts as one test each, whatever they hold (mccabe 0.7.0's
// test_mccabe.py, 16 tests that never ran, is "1 of 1 test"); "" when none is, or when the cause
// itself is a collection error.
func filesPart(c *testCause) string {
	switch {
	case c.files == 0 || c.verdict == report.VerdictTestCollection:
		return "" // "could not be collected" says it
	case c.stops == c.cases:
		return " (an error of the whole collection, not of one test file, counted as one test)"
	case c.files == c.cases && c.files == 1:
		return " (a test file pytest could not collect, counted as one test" + definesPart(c) + ")"
	case c.files == c.cases:
		return " (test files pytest could not collect, each counted as one test" + definesPart(c) + ")"
	}
	return fmt.Sprintf(" (%s of them %s pytest could not collect, each counted as one test%s)",
		comma(c.files), map[bool]string{true: "a test file", false: "test files"}[c.files == 1], definesPart(c))
}

// definesPart says how many test functions the files pytest could not collect define, when
// they define some: python-dotenv 1.0.0's "2 of 55 tests could not run" were two files that
// hold 97 of its 150 tests.
func definesPart(c *testCause) string {
	if c.defines == 0 {
		return ""
	}
	they := map[bool]string{true: "it defines", false: "they define"}[c.files == 1]
	return fmt.Sprintf("; %s %s test %s", they, comma(c.defines), map[bool]string{true: "function", false: "functions"}[c.defines == 1])
}

// definingPart is, for a cause after the first, how many test functions its files pytest could
// not collect define, when they define some: the first cause's words (filesPart) said how such
// files count (python-dateutil 2.8.2's "also 2 could not run: they import `freezegun`" were two
// files that hold 569 of its 2,084 tests).
func definingPart(c *testCause) string {
	if c.files == 0 || c.defines == 0 {
		return ""
	}
	return fmt.Sprintf(" (%s pytest could not collect, defining %s test %s)", map[bool]string{true: "a test file", false: comma(c.files) + " test files"}[c.files == 1],
		comma(c.defines), map[bool]string{true: "function", false: "functions"}[c.defines == 1])
}

func testsWord(total int, what string) string {
	if total == 1 {
		return "test " + what
	}
	return "tests " + what
}

// dataPath shows a missing file relative to the test tree when it lies inside it.
func dataPath(p string) string {
	if rel := treeRelative(p); rel != p {
		return rel
	}
	return path.Clean(p)
}

// worstFinding is the most severe high or critical finding, static or seen in a trace; among
// equals, one seen in a trace (it happened) before one read in the source.
func worstFinding(fs []report.Finding) *report.Finding {
	var worst *report.Finding
	for i := range fs {
		f := &fs[i]
		if f.Severity.Rank() < report.SeverityHigh.Rank() {
			continue
		}
		if worst == nil || f.Severity.Rank() > worst.Severity.Rank() ||
			(f.Severity.Rank() == worst.Severity.Rank() && f.Source == "behavior" && worst.Source != "behavior") {
			worst = f
		}
	}
	return worst
}

// harmReason names a harmful finding's evidence first, then what the rule says and when.
func harmReason(f report.Finding) string {
	what := f.Title
	if f.Message != "" && f.Message != f.Title {
		what += ": " + f.Message
	}
	if !saysWhen(f.Message) {
		if f.Source == "static" {
			what += " (read in the source, not run)"
		} else {
			what += " (during " + f.Phase + ")"
		}
	}
	if len(f.Evidence) == 0 {
		return what
	}
	e := f.Evidence[0]
	ev := e.Detail
	if e.File != "" {
		loc := e.File
		if e.Line > 0 {
			loc = fmt.Sprintf("%s:%d", e.File, e.Line)
		}
		if ev == "" {
			ev = loc
		} else {
			ev = loc + ": " + ev
		}
	}
	return fmt.Sprintf("%s — %s", oneLineOf(ev), what)
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = "`" + n + "`"
	}
	return strings.Join(q, ", ")
}

// comma writes 26921 as 26,921.
func comma(n int) string {
	s := fmt.Sprint(n)
	if n < 0 || len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

func oneLineOf(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// unsuppliedArgRe is Python's complaint about a function called without its arguments, the
// failure of a test function that something other than pytest was to call with them.
var unsuppliedArgRe = regexp.MustCompile(`^TypeError: [\w.<>]+\(\) missing \d+ required positional arguments?: (.+)$`)

// unsuppliedArguments are the arguments a test function was not given, from a failure's
// message: a fixture pytest could not find by that name (the project's conftest.py and plugins
// define none), or Python's TypeError for a function called without them. nil otherwise.
func unsuppliedArguments(message string) []string {
	if m := fixtureNotFoundRe.FindStringSubmatch(message); m != nil {
		return []string{m[1]}
	}
	m := unsuppliedArgRe.FindStringSubmatch(message)
	if m == nil {
		return nil
	}
	var out []string
	for _, q := range quotedNameRe.FindAllStringSubmatch(m[1], -1) {
		out = append(out, q[1])
	}
	return out
}

var (
	fixtureNotFoundRe = regexp.MustCompile(`^fixture '([^']+)' not found$`)
	quotedNameRe      = regexp.MustCompile(`'(\w+)'`)
)

// backticked lists names in backticks, at most max of them, saying how many more there are.
func backticked(names []string, max int) string {
	var quoted []string
	for i, n := range names {
		if i == max {
			return strings.Join(quoted, ", ") + fmt.Sprintf(" and %d more", len(names)-max)
		}
		quoted = append(quoted, "`"+n+"`")
	}
	return strings.Join(quoted, ", ")
}
