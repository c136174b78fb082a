package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/testresult"
)

// testDirName is the test step's directory in a target's work space: PYTI's files of the run
// (the results, the coverage data and configuration) and the test tree, its treeName. The sandbox
// shows them at /work/pyti/sdist-tree. A project's coverage omit patterns are matched against the
// path of every file measured, and the tests report paths through it: no word a project's pattern
// or test means (a "test" directory: cycler's `omit = *test*` left out every file) may be on it.
// The tree's name is no Python identifier, as the sdist's own directory (name-version) is not:
// pytest imports a test module as part of each package above it, and stops at a directory whose
// name cannot be one; crispy-forms' sdist has an __init__.py at its top, and a tree named "tree"
// made its models tree.crispy_forms.tests.forms, which Django refused.
const (
	testDirName = "pyti"
	treeName    = "sdist-tree"
)

// treeMarker is the test tree's place, as it shows in a path inside the sandbox.
const treeMarker = "/" + testDirName + "/" + treeName + "/"

// treeRelative is p relative to the test tree when it lies inside it (a path the sandbox saw),
// else p.
func treeRelative(p string) string {
	if i := strings.Index(p, treeMarker); i >= 0 {
		return p[i+len(treeMarker):]
	}
	return p
}

// test finds how the project tests itself, adds its test dependencies (and the test tools it does
// not declare) to the environment, and runs the suite offline under coverage.py with PYTI's pytest
// plugin, from a copy of the source tree. Its part of the report is the tests, whatever became of
// them.
func (j *job) test(ctx context.Context, d *dag.Data, tg *target) (*report.Tests, error) {
	src, _ := KSource.Get(d)
	w, _ := tg.kWheel.Get(d)
	wh, _ := tg.kWheelhouse.Get(d)
	env, _ := tg.kEnv.Get(d)
	t := &report.Tests{}

	s := discover(src.Root)
	t.Found = s.found
	switch s.kind {
	case suiteNone:
		t.Phase.Outcome = "ok"
		if missing := missingTestpaths(src.Root); len(missing) > 0 && src.Kind != "wheel" {
			t.Found += fmt.Sprintf("; its pytest configuration's testpaths name %s, which the sdist does not ship", backticked(missing, 3))
		} else if len(s.tox.missing) > 0 && src.Kind != "wheel" {
			t.Found += fmt.Sprintf("; %s's pytest command names %s, which the sdist does not ship", firstNonEmpty(s.tox.source, "tox.ini"), backticked(s.tox.missing, 3))
		}
		switch repo := repositoryURL(projectMetadata(src, w)); {
		case src.Kind == "wheel":
			// A wheel seldom ships tests: its sdist is what holds them, if any.
			t.Found += "; this is a wheel, which seldom holds tests: the project's sdist may ship them"
		case repo != "" && s.script == "" && len(s.unmatched) == 0:
			t.Found += "; the project's repository (" + repo + ") may hold tests that the sdist does not ship"
		}
		return t, nil
	case suiteUnittest:
		t.Runner = "unittest (run by pytest)"
	default:
		t.Runner = string(s.kind)
	}
	if other := otherSuiteCommand(src.Root); other != "" {
		// Said last, after what the run added to the runner, however the test step ends.
		defer func() { t.Runner += ", and not `" + other + "`, another suite the project's test commands run" }()
	}
	if tox := append(slices.Clone(s.tox.args), s.tox.paths...); len(tox) > 0 {
		from := "tox.ini"
		if s.tox.source != "" {
			from = s.tox.source
		}
		t.Runner += ", with " + from + "'s " + strings.Join(tox, " ")
	}
	if len(s.tox.missing) > 0 {
		from := firstNonEmpty(s.tox.source, "tox.ini")
		t.Runner += fmt.Sprintf(", not %s, which %s's pytest command names and the sdist does not ship", backticked(s.tox.missing, 3), from)
	}

	dir := filepath.Join(tg.work, testDirName)
	tree := filepath.Join(dir, treeName)
	if err := j.copySource(tg, "test", src.Root, tree); err != nil {
		return t, err
	}
	copies, err := placeInstalled(tree, tg.work, env.SitePackages, w.Modules)
	if err != nil {
		return t, fmt.Errorf("placing the installed package in the test tree: %w", err)
	}
	t.Tested = testedCopy(copies, s, false)
	if err := makeWritable(dir); err != nil {
		return t, err
	}
	layer, err := j.installTestDeps(ctx, tg, t, w, wh, env)
	if err != nil {
		return t, err
	}
	if err := j.installLocalProjects(ctx, tg, t, wh, env, tree, localTestProjects(src.Root)); err != nil {
		return t, err
	}

	resultsFile := filepath.Join(dir, "pytest.jsonl")
	junit := filepath.Join(dir, "junit.xml")
	covData := filepath.Join(dir, ".coverage")
	covJSON := filepath.Join(dir, "coverage.json")
	covRC := filepath.Join(dir, "pyti-coveragerc")
	measured := coverageSource(copies)
	// The test files found in the tree, and those the wheel installs, which the tree's may not
	// name (regex's tree holds regex_3/test_regex.py, which it installs as regex/test_regex.py).
	// A test.py or tests.py the run does not collect is the package's own module (see
	// uncollectedModules), whatever the wheel's names say: measured.
	shippedTests := slices.DeleteFunc(slices.Clone(w.Layout.Tests), func(p string) bool { return slices.Contains(s.modules, p) })
	omit := testOmit(append(slices.Clone(s.files), shippedTests...), j.in(tree), j.in(filepath.Join(tree, "src")), j.in(env.SitePackages))
	if err := os.WriteFile(covRC, []byte(coverageRC(j.in, tree, copies, omit, projectConcurrency(src.Root))), 0o644); err != nil {
		return t, err
	}
	pytestArgs := []string{"-p", testresult.PluginModule, "--continue-on-collection-errors",
		"--junitxml=" + j.in(junit), "-o", "junit_family=xunit2"}
	if s.pythonFiles != "" {
		pytestArgs = append(pytestArgs, "-o", "python_files="+s.pythonFiles)
	}
	for _, d := range s.ignore {
		pytestArgs = append(pytestArgs, "--ignore="+d)
	}
	if others := otherCopies(tree, copies); len(others) > 0 {
		for _, d := range others {
			pytestArgs = append(pytestArgs, "--ignore="+d)
		}
		t.Runner += ", leaving out " + strings.Join(others, ", ") + ", " + map[bool]string{true: "another copy", false: "other copies"}[len(others) == 1] +
			" of the package than the one the build installed"
	}
	pytestArgs = append(pytestArgs, s.tox.args...)
	if s.kind == suiteUnittest {
		// unittest's runners run the test modules as Python compiled them: no assertion
		// rewriting, which changes what a test sees of its own module (nose2's prettyassert
		// tests read their source; a rewritten module holds pytest's helpers).
		// Nor does unittest take the exceptions raised where nothing can catch them (a
		// __del__, a thread's end): Python prints them to stderr, which greenlet 2.0.2's
		// dealloc tests read, and pytest's unraisableexception plugin would keep.
		// Nor does it call a module's setup() (pytest's nose plugin does: humanfriendly 10.0's
		// tests import humanfriendly.sphinx.setup, which pytest then called with the module,
		// and all 69 tests erred). pytest's capture of the output stays: without it, or with
		// its sys capture, capturer (humanfriendly's tests) hung or found no fileno.
		// Nor does it run a class that is no TestCase: tornado 6.2's TestReadWriteMixin, a
		// plain class its TestCase classes take their tests from, which pytest, by its name,
		// collected alone (61 tests, each an AttributeError). pytest collects TestCase classes
		// whatever their names.
		pytestArgs = append(pytestArgs, "--assert=plain", "-p", "no:unraisableexception", "-p", "no:threadexception", "-p", "no:nose",
			"-o", "python_classes=")
		t.Runner += ", with --assert=plain, without pytest's hooks for unraisable and thread exceptions and its nose support, and without classes that are no TestCase, as unittest runs the modules"
	}
	if aside := pluginsSetAside(installedProjects(libraryDirs(env.SitePackages, layer))); len(aside) > 0 {
		// After the project's options (its addopts come first, tox's above): the last one counts.
		pytestArgs = append(pytestArgs, aside...)
		t.Runner += ", with " + strings.Join(aside, " ") + " so that coverage.py measures every test in one process"
	}
	if s.kind == suiteDoctest {
		// The doctest options are the project's own: its configuration's addopts (given with
		// -c below) and tox's pytest command (tox.args above).
		if s.config != "" {
			// The targets are the installed package, outside the tree: pytest would look for
			// its configuration there, and find none of the project's (doctest_optionflags).
			pytestArgs = append(pytestArgs, "-c", j.in(filepath.Join(tree, s.config)), "--rootdir", j.in(tree))
		}
		var modules []string
		if s.doctestModules {
			modules = w.Modules
		}
		pytestArgs = append(pytestArgs, j.doctestTargets(env.SitePackages, modules, s.doctestFiles)...)
	}
	// A rerun of some tests names them: neither the paths nor the JUnit file of the whole run.
	rerunArgs := slices.DeleteFunc(slices.Clone(pytestArgs), func(a string) bool { return strings.HasPrefix(a, "--junitxml=") })
	// pytest's cache, as a maintainer's run has it (pytest-xprocess keeps its servers' state in
	// config.cache; without the cache provider Werkzeug's 24 server tests erred), in a directory
	// of the run's own, out of the tree. A rerun has another.
	pytestArgs = append(pytestArgs, "-o", "cache_dir="+j.in(filepath.Join(dir, "pytest-cache")))
	pytestArgs = append(pytestArgs, s.tox.paths...)
	argv := []string{j.in(env.Python), "-m", "coverage", "run"}
	if len(measured) == 0 {
		// Nothing of the distribution's own to measure: pytest alone, never coverage of
		// whatever else ran (pytest, plugins, conftest.py).
		argv = []string{j.in(env.Python)}
	}
	if s.kind == suiteDoctest {
		// The targets are the installed package's files: pytest's script, as installed.
		argv = append(argv, j.in(filepath.Join(env.Venv, "bin", "pytest")))
	} else {
		// As `python -m pytest` (and `coverage run -m pytest`) runs from the tree: the tree,
		// which holds the installed copy of the package, first on sys.path, so that the
		// package imports from there from the start. pytest's script would import it from
		// site-packages when it loads the package's own pytest plugin, before the tree's
		// conftest.py, and then refuse that conftest.py as another copy (pyfakefs).
		argv = append(argv, "-m", "pytest")
	}
	argv = append(argv, pytestArgs...)
	// tox's setenv first: the step's own settings after it win.
	setenv, toxFile := toxSetenv(src.Root, tg.pythonVersion)
	if len(setenv) > 0 {
		t.Runner += ", with " + toxFile + "'s setenv " + strings.Join(setenv, " ")
	}
	stepEnv := append(setenv, "PYTHONPATH="+insideScripts, "PYTI_PYTEST_REPORT="+j.in(resultsFile), "COVERAGE_FILE="+j.in(covData),
		"COVERAGE_RCFILE="+j.in(covRC),
		// As tox runs tests, and as they run in an activated virtualenv: the environment's
		// scripts first on PATH, so that a test running the package's command, or `python`,
		// by name finds the environment's.
		"PATH="+j.in(filepath.Join(env.Venv, "bin"))+":"+sandbox.SearchPath, "VIRTUAL_ENV="+j.in(env.Venv),
		"PYTI_TEST_ITEM_TIMEOUT="+strconv.FormatFloat(itemTimeout(j.opts.Limits.NoOutput).Seconds(), 'f', -1, 64),
		testresult.TestDirsEnv+"="+strings.Join(testDirNames, ","))
	if s.django != "" {
		// Django's apps and test databases, set up as the project's own runner sets them up
		// (see the plugin's _django_setup), unless pytest-django does it.
		stepEnv = append(stepEnv, "PYTI_DJANGO_SETTINGS="+s.django, "DJANGO_SETTINGS_MODULE="+s.django)
		t.Runner += ", with Django set up on " + s.django + " as the project's own runner sets it up"
	}
	if s.kind == suiteUnittest {
		// A module's load_tests() or test_suite() names its tests, as unittest's runners take
		// them (see the plugin's _SuiteModule).
		stepEnv = append(stepEnv, "PYTI_UNITTEST_PROTOCOLS=1")
	} else if s.unittestModules {
		// So do the modules that do not use pytest, beside those that do.
		stepEnv = append(stepEnv, "PYTI_UNITTEST_PROTOCOLS=unittest-modules")
	}
	if portions := namespacePortions(copies); len(portions) > 0 {
		for name, dirs := range portions {
			for i, d := range dirs {
				dirs[i] = j.in(filepath.Join(tree, filepath.FromSlash(d)))
			}
			portions[name] = dirs
		}
		data, err := json.Marshal(portions)
		if err != nil {
			return t, err
		}
		stepEnv = append(stepEnv, "PYTI_NAMESPACE_PORTIONS="+string(data))
	}
	runEnv := slices.Clone(stepEnv)
	if limit := runLimit(j.opts.TestTimeout); limit > 0 {
		// From now, as the step's wall-clock limit counts from its start, just after. The whole
		// run's: not a rerun's (see tracingOnly).
		runEnv = append(runEnv, "PYTI_TEST_DEADLINE="+strconv.FormatInt(time.Now().Add(limit).Unix(), 10))
	}
	res, err := j.run(ctx, step{t: tg, task: tg.task("test"), name: "pytest", phase: "test", dir: j.in(tree), wall: j.opts.TestTimeout,
		site: j.in(env.SitePackages), env: runEnv, argv: argv, readOnly: testLayerBind(layer)})
	if err != nil {
		return t, err
	}
	t.Phase = res.phase
	if extensionsUnused(copies, res.traced, res.extensions) {
		t.Tested = testedCopy(copies, s, true)
	}
	if why := pytestStopped(res.res.Outcome == sandbox.OutcomeExit, t.Phase.ExitCode, res.output); why != "" {
		t.Phase.Reason = why
	}
	j.limitHint(tg, res.res)
	j.copyOut(tg.task("test"), "pytest.jsonl", resultsFile, "application/x-ndjson")
	j.copyOut(tg.task("test"), "junit.xml", junit, "application/xml")

	if f, err := j.openOut(tg, "test", resultsFile); err == nil {
		run, perr := testresult.ParsePytest(f)
		f.Close()
		if perr == nil {
			keepMissingData(run, j.in(tree), tree, w.Modules)
			endedInside(run, res.res)
			run.ReachedOut(outsideTouches(res))
			if res.traced {
				// Untraced, which ports the run bound is not known: a refusal stays the test's own.
				run.ServicesNotRunning(res.bound, res.refused)
			}
			if len(measured) > 0 && s.kind != suiteDoctest {
				again := rerun{tree: tree, dir: filepath.Join(dir, "rerun"), python: env.Python, site: env.SitePackages,
					args: rerunArgs, env: stepEnv, rc: covRC, layer: layer}
				changed, err := j.tracingOnly(ctx, tg, run, again)
				if err != nil {
					return t, err
				}
				t.Runner += tracingOnlyPart(changed)
			}
			t.Results = reportTests(run)
			t.Skipped = reportSkips(run.SkipReasons())
			if run.Stopped != nil {
				// The run's own limit, short of the step's: a timeout all the same.
				why := stoppedAtLimit(run.Stopped, runLimit(j.opts.TestTimeout), j.opts.TestTimeout)
				j.out.hint(tg, report.VerdictTimeout, why)
				t.Phase.Outcome, t.Phase.Reason = string(sandbox.OutcomeTimeout), why
			}
			t.Runner += suitesPart(run.Suites) + scriptsPart(run.Scripts) + leftOutPart(run.LeftOut) + pluginItemsPart(run.Cases) +
				stoppedEarly(res.output, run.Counts.Total())
		} else if !errors.Is(perr, testresult.ErrNoReport) {
			return t, fmt.Errorf("reading the test results: %w", perr)
		}
	}
	// Coverage of whatever ran, even when the run was cut short: the data of every process
	// combined, the copies in the test tree counted as the installed files they are. None when
	// no test ran: what a conftest.py or the collection imported is no test's coverage (attrs'
	// conftest.py failed, after importing attr: 55 % of nothing).
	parts, _ := filepath.Glob(covData + ".*")
	switch {
	case len(measured) == 0 && slices.ContainsFunc(copies, func(c moduleCopy) bool { return c.extension }):
		t.CoverageNote = "the distribution's modules are compiled extension modules, which coverage.py cannot measure"
	case len(measured) == 0:
		t.CoverageNote = "the distribution installs no module of its own to measure"
	case !testsRan(t.Results):
		t.CoverageNote = "no test ran: what the collection imported is no test's coverage"
		if erredInSetUp(t.Results) {
			// Tests were collected, and each stopped in its set-up (sphinxcontrib-serializinghtml
			// 1.1.5's fixtures, "Builder name json not registered").
			t.CoverageNote = "no test got past its set-up: what the collection and the set-ups ran is no test's coverage"
		}
	case len(parts) == 0 && res.res.Outcome != sandbox.OutcomeOK && res.res.Outcome != sandbox.OutcomeExit:
		// coverage.py saves its data when the process ends; a killed run saves none (networkx
		// 2.8.8 and cffi 1.15.1 at the wall-clock limit, on a loaded machine).
		t.CoverageNote = "the test run was killed (" + describe(res.res) + ") before coverage.py saved its data"
	case len(parts) == 0:
		t.CoverageNote = "coverage.py recorded nothing"
	default:
		cov, err := j.run(ctx, step{t: tg, task: tg.task("test"), name: "coverage-json", dir: j.in(tree), wall: j.opts.ImportTimeout,
			readOnly: testLayerBind(layer), env: []string{"COVERAGE_FILE=" + j.in(covData), "COVERAGE_RCFILE=" + j.in(covRC)},
			argv: append([]string{j.in(env.Python), "-c", coverageJSONScript, j.in(covJSON), strconv.Itoa(reportParts())}, namespaceModuleFiles(j.in, tree, copies)...)})
		if err != nil {
			t.CoverageNote = "coverage.py's report could not run: " + err.Error()
			break
		}
		if !cov.ok() {
			t.CoverageNote = "coverage.py's report failed (" + describe(cov.res) + "): " + lastLine(cov.output)
			break
		}
		c, err := parseCoverage(covJSON, singleModuleNames(copies, env.SitePackages), j.in(tree), j.in(env.SitePackages))
		if err != nil {
			t.CoverageNote = "coverage.py's report could not be read: " + err.Error()
			break
		}
		c.Source, c.TestFilesLeftOut, c.Note = measuredSource(measured, c.Files), len(shippedTests), coverageConfigNote(cov.output)
		for _, cp := range copies {
			if cp.compiled && cp.dir && cp.installed != "" {
				c.CompiledUnmeasured += len(compiledFiles(cp.installed, 10000))
			} else if cp.extension {
				// A module of its own, beside the package (cbor2 5.4.6's _cbor2).
				c.CompiledUnmeasured++
			}
		}
		t.Coverage = c
		j.copyOut(tg.task("test"), "coverage.json", covJSON, "application/json")
	}
	if t.Results == nil {
		why := conftestFailure(res.output)
		if m := testresult.MissingModule(why); m != "" && !slices.Contains(w.Modules, strings.Split(m, ".")[0]) {
			t.ConftestMissing = m
		}
		if res.res.Outcome == sandbox.OutcomeExit && t.Phase.ExitCode == 3 {
			t.BrokenPlugin = internalErrorIn(res.output, w.Modules)
		}
		if why == "" {
			why = lastLine(res.output)
		}
		return t, fmt.Errorf("the test run produced no results (%s): %s", describe(res.res), why)
	}
	if res.res.Outcome != sandbox.OutcomeOK && res.res.Outcome != sandbox.OutcomeExit {
		return t, fmt.Errorf("the test run ended early (%s) while running %s", describe(res.res), t.Results.Running)
	}
	if t.Results.Stopped != nil {
		return t, fmt.Errorf("the test run ended early (%s)", t.Phase.Reason)
	}
	return t, nil
}

// runLimit is how long the plugin lets a test run go on before it stops it between two tests
// (PYTI_TEST_DEADLINE): a tenth short of the step's wall-clock limit, between 30 seconds and 2
// minutes, for pytest to end, coverage.py to save its data and a last long test to finish.
// Zero (no limit) when the step has none.
func runLimit(wall time.Duration) time.Duration {
	if wall <= 0 {
		return 0
	}
	return wall - min(max(wall/10, 30*time.Second), 2*time.Minute, wall/2)
}

// stoppedAtLimit is the reason of a run the plugin stopped at limit, of the step's wall.
func stoppedAtLimit(s *testresult.Stop, limit, wall time.Duration) string {
	tests := map[bool]string{true: " test", false: " tests"}[s.NotRun == 1]
	return fmt.Sprintf("%s: the test run reached PYTI's limit of %s (its wall-clock limit is %s) and was stopped between two tests: %s%s did not run, from `%s`",
		sandbox.OutcomeTimeout, limit, wall, comma(s.NotRun), tests, s.Next)
}

// erredInSetUp says a test of r stopped with an error before its body ran: one collected (its node
// ID names a test in its file), not a file that could not be collected.
func erredInSetUp(r *report.TestRun) bool {
	return r != nil && slices.ContainsFunc(r.Cases, func(c report.TestCase) bool {
		return c.Outcome == report.TestError && c.Class != report.ClassCollectionError && strings.Contains(c.NodeID, "::")
	})
}

// testsRan reports whether a test ran to its end: one passed, failed or was an expected
// failure. Collection errors, setup errors and skips alone ran none.
func testsRan(r *report.TestRun) bool {
	return r != nil && r.Counts.Passed+r.Counts.Failed+r.Counts.XFailed+r.Counts.XPassed > 0
}

// installTestDeps adds the project's test extras and requirements and the missing test tools to
// the environment, offline: from the cache when it can (see testLayer; the layer returned must
// then be bound in every later step), else with pip. When the project's own test dependencies
// cannot be installed, the tools alone are, and the report says so.
func (j *job) installTestDeps(ctx context.Context, tg *target, t *report.Tests, w Wheel, wh Wheelhouse, env Environment) (*buildPrefix, error) {
	layer, err := j.testLayer(ctx, tg, w, wh, env)
	if err == nil {
		t.DepsInstall = "cached"
		return layer, nil
	}
	if !errors.Is(err, errNoTestLayer) {
		return nil, err
	}
	j.log.Info("pip installs the test dependencies", "reason", err)
	t.DepsInstall, t.DepsNote = "pip", err.Error()
	wheel, binds := j.wheelInSandbox(w)
	self := "" // a wheel whose name does not parse: its test dependencies are not told apart
	if pf, err := pypi.ParseFilename(w.Filename, ""); err == nil {
		self = pf.Name
	}
	target := wheel
	if len(wh.Extras) > 0 {
		target = fmt.Sprintf("%s[%s]", wheel, strings.Join(wh.Extras, ","))
	}
	install := func(name string, reqs []string) (*stepResult, error) {
		argv := append(j.pipArgv(ctx, tg, j.in(env.Python), "install", "--no-index",
			"--find-links", j.in(wh.Dir), "--progress-bar", "off"), reqs...)
		return j.run(ctx, step{t: tg, task: tg.task("test"), name: name, phase: "test", when: whileTestDeps, dir: j.in(tg.work), wall: j.opts.InstallTimeout,
			site: j.in(env.SitePackages), testDepsOf: self, readOnly: binds, argv: argv, env: offlinePip(j.in(wh.Dir))})
	}
	reqs := append(append([]string{target}, wh.TestRequirements...), testTools...)
	res, err := install("pip-install-tests", reqs)
	if err != nil {
		return nil, err
	}
	if res.ok() {
		return nil, nil
	}
	// pip names the requirements whose dependencies conflict (flake8 4.0.1, which tox.ini
	// installs for pyflakes 3.0.1's lint, depends on pyflakes<2.5): the others are installed
	// without them, the wheel's test extras spelled out so that one of theirs can be left out.
	if all, err := testRequirementsOf(ctx, tg, w, wh); err == nil {
		var why []string
		for round := 1; round <= 3; round++ {
			left, because := conflictingRequirements(res.output, all)
			if len(left) == 0 {
				break
			}
			t.DepsLeftOut, why = append(t.DepsLeftOut, left...), append(why, because...)
			all = slices.DeleteFunc(all, func(r string) bool { return slices.Contains(left, r) })
			res, err = install(fmt.Sprintf("pip-install-tests-%d", round+1), append([]string{wheel}, all...))
			if err != nil {
				return nil, err
			}
			if res.ok() {
				t.DepsConflict = strings.Join(why, "; ")
				return nil, nil
			}
		}
		t.DepsLeftOut = nil
	}
	t.Found += "; its test dependencies could not be installed: " + lastLine(res.output)
	res, err = install("pip-install-tools", testTools)
	if err != nil {
		return nil, err
	}
	if !res.ok() {
		return nil, fmt.Errorf("the test tools (%s) could not be installed from the wheelhouse: %s", strings.Join(testTools, ", "), lastLine(res.output))
	}
	return nil, nil
}

// doctestTargets are the installed package directories (or modules), as the sandbox sees them,
// and the documentation files (relative to the test tree) to collect doctests from.
func (j *job) doctestTargets(site string, modules, docs []string) []string {
	var out []string
	for _, m := range modules {
		m = strings.ReplaceAll(m, ".", "/")
		for _, cand := range []string{m, m + ".py"} {
			if p := filepath.Join(site, cand); exists(p) {
				out = append(out, j.in(p))
				break
			}
		}
	}
	return append(out, docs...)
}

// projectMetadata is the project's metadata as the report shows it: the source's, else the built
// wheel's (nil for none).
func projectMetadata(src Source, w Wheel) *report.Metadata {
	if src.Metadata != nil {
		return reportMetadata(src.Metadata)
	}
	return w.Metadata
}

// repositoryURL is the project's source repository from its metadata, if it names one: among
// its Project-URLs, or its Home-page, the only URL of many setup.py projects (`url=`).
func repositoryURL(m *report.Metadata) string {
	if m == nil {
		return ""
	}
	if r := sourceRepository(m.ProjectURLs); r != "" || m.HomePage == "" {
		return r
	}
	return sourceRepository(map[string]string{"Home-page": m.HomePage})
}

// sourceRepository picks the source repository among a project's URLs: one labelled as its
// source or repository, else the root of a repository on a code forge that another URL points
// into (a "Changelog" at github.com/o/r/blob/main/CHANGES.md gives github.com/o/r).
func sourceRepository(urls map[string]string) string {
	keys := make([]string, 0, len(urls))
	for k := range urls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, w := range strings.FieldsFunc(strings.ToLower(k), func(r rune) bool { return r < 'a' || r > 'z' }) {
			switch w {
			case "source", "sources", "sourcecode", "repository", "repo", "code", "github", "gitlab":
				return urls[k]
			}
		}
	}
	for _, k := range keys {
		u, err := url.Parse(urls[k])
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") {
			continue
		}
		host := strings.ToLower(u.Hostname())
		if host != "github.com" && host != "gitlab.com" && host != "bitbucket.org" && host != "codeberg.org" && !strings.HasPrefix(host, "gitlab.") {
			continue
		}
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
			continue
		}
		return u.Scheme + "://" + u.Host + "/" + parts[0] + "/" + strings.TrimSuffix(parts[1], ".git")
	}
	return ""
}

// singleModuleNames maps each single module's copy in the test tree to its place in
// site-packages (typing_extensions 4.7.1's src/typing_extensions.py is typing_extensions.py):
// coverage.py's [paths] maps the packages' directories, not files.
func singleModuleNames(copies []moduleCopy, site string) map[string]string {
	names := map[string]string{}
	for _, m := range copies {
		if m.dir || m.installed == "" {
			continue
		}
		if rel, err := filepath.Rel(site, m.installed); err == nil && !strings.HasPrefix(rel, "..") {
			for _, t := range m.tree {
				names[filepath.ToSlash(t)] = filepath.ToSlash(rel)
			}
		}
	}
	return names
}

// parseCoverage reads `coverage json` output, naming each file relative to the first of roots
// that holds it, and as renamed says when it is a copy named otherwise where it is installed.
func parseCoverage(path string, renamed map[string]string, roots ...string) (*report.Coverage, error) {
	data, err := readCapped(path, 256<<20)
	if err != nil {
		return nil, err
	}
	type summary struct {
		CoveredLines    int     `json:"covered_lines"`
		NumStatements   int     `json:"num_statements"`
		PercentCovered  float64 `json:"percent_covered"`
		MissingLines    int     `json:"missing_lines"`
		NumBranches     int     `json:"num_branches"`
		CoveredBranches int     `json:"covered_branches"`
		ExcludedLines   int     `json:"excluded_lines"`
	}
	var doc struct {
		Files map[string]struct {
			Summary summary `json:"summary"`
		} `json:"files"`
		Totals summary `json:"totals"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("coverage json: %w", err)
	}
	t := doc.Totals
	c := &report.Coverage{Percent: round2(t.PercentCovered), Statements: t.NumStatements, Covered: t.CoveredLines,
		Branches: t.NumBranches, CoveredBr: t.CoveredBranches, Excluded: t.ExcludedLines}
	if t.NumStatements > 0 {
		c.LinePercent = round2(100 * float64(t.CoveredLines) / float64(t.NumStatements))
	}
	if t.NumBranches > 0 {
		b := round2(100 * float64(t.CoveredBranches) / float64(t.NumBranches))
		c.BranchPercent = &b
	}
	for name, f := range doc.Files {
		shown := name
		for _, root := range roots {
			if rel, err := filepath.Rel(root, name); err == nil && !strings.HasPrefix(rel, "..") {
				shown = rel
				break
			}
		}
		if n, ok := renamed[filepath.ToSlash(shown)]; ok {
			shown = n
		}
		c.Files = append(c.Files, report.FileCoverage{Path: shown, Percent: round2(f.Summary.PercentCovered),
			Statements: f.Summary.NumStatements, Missing: f.Summary.MissingLines})
	}
	sort.Slice(c.Files, func(a, b int) bool { return c.Files[a].Path < c.Files[b].Path })
	return c, nil
}

func round2(v float64) float64 {
	return float64(int64(v*100+0.5)) / 100
}

// pytestStopped says why pytest stopped on its own before it finished the run, from its exit
// code and output ("" when it did not: the tests ran, or failed, or none were collected).
// pytest's exit codes: 2 interrupted (pytest.exit(), a KeyboardInterrupt), 3 an internal error
// (a conftest.py or plugin hook that raised, a warning its filterwarnings turned into an error),
// 4 a usage error (an option its configuration gives that no installed plugin knows).
func pytestStopped(exited bool, code int, output string) string {
	if !exited {
		return ""
	}
	var what string
	switch code {
	case 2:
		what = "pytest was interrupted"
	case 3:
		what = "pytest stopped with an internal error"
	case 4:
		// pytest's usage error is also how it stops on a conftest.py it could not import.
		if why := conftestFailure(output); why != "" {
			return "pytest stopped: " + why
		}
		what = "pytest refused its command line or configuration"
	default:
		return ""
	}
	lines := splitLines(output)
	last, where := "", ""
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if rest, ok := strings.CutPrefix(l, "INTERNALERROR>"); ok {
			rest = strings.TrimSpace(rest)
			if m := pytestFrame.FindStringSubmatch(rest); m != nil && !strings.Contains(m[1], "-packages/") && !strings.HasPrefix(m[1], "/usr/lib/") {
				where = m[1] + ":" + m[2]
			} else if rest != "" && !strings.HasPrefix(rest, "File ") && !strings.HasPrefix(rest, "^") && !strings.HasPrefix(rest, "Traceback") {
				last = rest
			}
			continue
		}
		if code != 3 && (strings.HasPrefix(l, "ERROR: ") || strings.HasPrefix(l, "!!!")) {
			last = strings.Trim(l, "! ")
		}
	}
	if where != "" {
		last = treeRelative(where) + ": " + last
	}
	if last == "" {
		return what
	}
	if len(last) > 300 {
		last = last[:300] + "…"
	}
	return what + ": " + last
}

// internalErrorIn is the top-level module of another installed distribution in which pytest's
// internal error was raised (the innermost frame of its INTERNALERROR traceback lies in
// site-packages, outside pytest, pluggy, py and coverage.py, and outside own, the package's
// modules), or "":
// jsonpickle 3.0.1's requirements-dev.txt installed pytest-benchmark, whose Debian release 3.2.2
// calls py.io in its pytest_configure, which pytest 7's py shim lacks.
func internalErrorIn(output string, own []string) string {
	inner := ""
	for _, l := range splitLines(output) {
		rest, ok := strings.CutPrefix(strings.TrimSpace(l), "INTERNALERROR>")
		if !ok {
			continue
		}
		if m := pytestFrame.FindStringSubmatch(strings.TrimSpace(rest)); m != nil {
			inner = m[1]
		}
	}
	_, after, ok := strings.Cut(inner, "-packages/")
	if !ok {
		return ""
	}
	top, _, _ := strings.Cut(after, "/")
	top = strings.TrimSuffix(top, ".py")
	switch top {
	case "", "_pytest", "pytest", "pluggy", "py", "_distutils_hack", "coverage":
		// pytest's own, and coverage.py, which PYTI runs the tests under.
		return ""
	}
	if slices.Contains(own, top) {
		return ""
	}
	return top
}

// conftestLoadRe is pytest's word on a conftest.py whose import failed, which stops the run.
var conftestLoadRe = regexp.MustCompile(`ImportError while loading conftest '([^'\n]+)'`)

// conftestFailure says which conftest.py pytest could not load and why, from its output ("tests/
// conftest.py could not be loaded: ModuleNotFoundError: No module named 'simplejson'"), or "".
func conftestFailure(output string) string {
	loc := conftestLoadRe.FindStringSubmatchIndex(output)
	if loc == nil {
		// A plugin that a conftest.py names in pytest_plugins failed to import: pytest prints
		// only the traceback, through its _importconftest (Sphinx's sphinx.testing.fixtures,
		// whose docutils imports roman).
		if strings.Contains(output, ", in _importconftest\n") {
			return strings.TrimSuffix("a conftest.py could not be loaded: "+lastLine(output), ": ")
		}
		return ""
	}
	path := treeRelative(output[loc[2]:loc[3]])
	why := ""
	for _, l := range splitLines(output[loc[1]:]) {
		if rest, ok := strings.CutPrefix(l, "E   "); ok && strings.TrimSpace(rest) != "" {
			why = strings.TrimSpace(rest)
		} else if why != "" {
			break
		}
	}
	if why == "" {
		return path + " could not be loaded"
	}
	return path + " could not be loaded: " + why
}

// pytestFrame is a traceback frame in an INTERNALERROR block.
var pytestFrame = regexp.MustCompile(`^File "([^"]+)", line (\d+), in `)

// itemTimeout bounds one test (the plugin's PYTI_TEST_ITEM_TIMEOUT): a little under the limit
// without output that would end the whole run (noOutput, or the sandbox's default), so that a test
// that hangs fails alone and the tests after it still run.
func itemTimeout(noOutput time.Duration) time.Duration {
	if noOutput <= 0 {
		noOutput = sandbox.DefaultLimits().NoOutput
	}
	if noOutput > 2*time.Minute {
		return noOutput - 30*time.Second
	}
	return noOutput * 3 / 4
}

// suitesPart says, for the runner's description, which modules named their own tests.
func suitesPart(suites []testresult.Suite) string {
	if len(suites) == 0 {
		return ""
	}
	var names []string
	for _, su := range suites {
		if !slices.Contains(names, su.Protocol+"()") {
			names = append(names, su.Protocol+"()")
		}
	}
	return ", the tests of " + plural(len(suites), "module") + " taken from their " + strings.Join(names, " or ")
}

// scriptsPart is the runner's clause that names the test modules run as the scripts they are
// (unittest.main() at their top), or "".
func scriptsPart(scripts []string) string {
	if len(scripts) == 0 {
		return ""
	}
	return ", " + plural(len(scripts), "module") + " calling unittest.main() when imported (" + strings.Join(capList(scripts, 3), ", ") +
		morePart(len(scripts), 3) + ") run as `python FILE` runs them: their TestCase classes, each test in the module's directory"
}

// leftOutPart is the runner's clause that names the functions pytest would have run as tests
// that PYTI left out, with why, or "".
func leftOutPart(left []testresult.LeftOut) string {
	if len(left) == 0 {
		return ""
	}
	var reasons []string
	ids := map[string][]string{}
	for _, l := range left {
		if ids[l.Reason] == nil {
			reasons = append(reasons, l.Reason)
		}
		ids[l.Reason] = append(ids[l.Reason], l.NodeID)
	}
	parts := make([]string, 0, len(reasons))
	for _, r := range reasons {
		parts = append(parts, strings.Join(capList(ids[r], 3), ", ")+morePart(len(ids[r]), 3)+" ("+r+")")
	}
	return ", leaving out " + strings.Join(parts, " and ")
}

// installLocalProjects installs into the environment the projects of the tree (dirs, relative
// to it) that the project's test environment installs from a path (see localTestProjects), from
// the test tree's copies, as pip run from the project's directory does: without their
// dependencies (the fetch saw none of them) and with the environment's own setuptools as their
// build backend's (the sandbox has no index to build an isolated environment from), at most
// four. One pip could not install is named in the report's runner, and the tests run without it.
func (j *job) installLocalProjects(ctx context.Context, tg *target, t *report.Tests, wh Wheelhouse, env Environment, tree string, dirs []string) error {
	var done []string
	for i, d := range dirs {
		if i == 4 {
			break
		}
		argv := append(j.pipArgv(ctx, tg, j.in(env.Python), "install", "--no-index", "--find-links", j.in(wh.Dir),
			"--no-deps", "--no-build-isolation", "--progress-bar", "off"), j.in(filepath.Join(tree, filepath.FromSlash(d))))
		res, err := j.run(ctx, step{t: tg, task: tg.task("test"), name: fmt.Sprintf("pip-install-local-%d", i+1), phase: "test", when: whileTestDeps,
			dir: j.in(tree), wall: j.opts.InstallTimeout, site: j.in(env.SitePackages), argv: argv, env: offlinePip(j.in(wh.Dir))})
		if err != nil {
			return err
		}
		if !res.ok() {
			t.Runner += fmt.Sprintf(", without the tree's test project %s, which pip could not install (%s)", d, oneLineOf(lastLine(res.output)))
			continue
		}
		done = append(done, d)
	}
	if len(done) > 0 {
		t.Runner += ", with the tree's test " + map[bool]string{true: "project", false: "projects"}[len(done) == 1] + " " +
			strings.Join(done, ", ") + " installed, as its test requirements install " + map[bool]string{true: "it", false: "them"}[len(done) == 1]
	}
	return nil
}

// pluginItemsPart says how many of the cases pytest counted are the checks a pytest plugin adds
// beside the tests (pytest-flake8's, pytest-mypy's, as the project's configuration turns them
// on), per plugin: "", when none is.
func pluginItemsPart(cases []testresult.Case) string {
	var plugins []string
	n := map[string]int{}
	for _, c := range cases {
		if c.Plugin == "" {
			continue
		}
		if n[c.Plugin] == 0 {
			plugins = append(plugins, c.Plugin)
		}
		n[c.Plugin]++
	}
	if len(plugins) == 0 {
		return ""
	}
	parts := make([]string, 0, len(plugins))
	for _, p := range plugins {
		parts = append(parts, fmt.Sprintf("%s %s's", comma(n[p]), p))
	}
	return ", counting " + strings.Join(parts, " and ") + " checks of the files with the tests, as pytest does"
}

// pipConflictCause matches a line of pip's "The conflict is caused by:" list that names a
// distribution and what it depends on: "flake8 4.0.1 depends on pyflakes<2.5.0 and >=2.4.0".
var pipConflictCause = regexp.MustCompile(`^\s+([A-Za-z0-9][A-Za-z0-9._-]*) \S+ depends on (.+)$`)

// conflictingRequirements are the requirements of reqs (never a test tool) that pip's failed
// install output names as the cause of a conflict, with pip's words for each: what it depends on.
func conflictingRequirements(output string, reqs []string) (left, because []string) {
	for _, l := range splitLines(output) {
		m := pipConflictCause.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		name := pep440.NormalizeName(m[1])
		for _, r := range reqs {
			parsed, err := pep440.ParseRequirement(r)
			if err != nil || pep440.NormalizeName(parsed.Name) != name || slices.Contains(left, r) || slices.Contains(testTools, name) {
				continue
			}
			left = append(left, r)
			because = append(because, strings.TrimSpace(l))
		}
	}
	return left, because
}

// endedInside gives the test the run ended inside (see testresult.ParsePytest, which takes it
// for a timeout) the sandbox's reason when a limit other than time ended the run: lz4 4.3.2's
// test_huge allocates 4 GiB, past the memory limit, and read as timed out.
func endedInside(run *testresult.Run, r *sandbox.Result) {
	switch r.Outcome {
	case sandbox.OutcomeOOM, sandbox.OutcomePids, sandbox.OutcomeNoSpace, sandbox.OutcomeKilled:
	default:
		return
	}
	for i := range run.Cases {
		if c := &run.Cases[i]; c.NodeID == run.Running && c.Class == testresult.TimedOut {
			c.Class, c.Message = testresult.Exception, "the run ended inside this test: "+describe(r)
			run.CountClasses()
		}
	}
}

var (
	pytestCollected = regexp.MustCompile(`(?m)^collected (\d+) items?`)
	pytestExitFirst = regexp.MustCompile(`(?m)^!+ stopping after (\d+) failures? !+$`)
)

// stoppedEarly is the runner's clause for a run that pytest stopped after its first failures, as
// the project's -x or --maxfail asks (lz4 4.3.2's addopts: 788 of the 19,804 tests it collected
// never ran), or "": pytest's output says so, and how many it collected; ran counts the tests
// that have an outcome.
func stoppedEarly(output string, ran int) string {
	stop := pytestExitFirst.FindStringSubmatch(output)
	got := pytestCollected.FindStringSubmatch(output)
	if stop == nil || got == nil {
		return ""
	}
	collected, err := strconv.Atoi(got[1])
	failures, ferr := strconv.Atoi(stop[1])
	if err != nil || ferr != nil || collected <= ran {
		return ""
	}
	return fmt.Sprintf(", which stopped after %s, as the project's -x or --maxfail asks: %s of the %s tests collected did not run",
		plural(failures, "failure"), comma(collected-ran), comma(collected))
}

// measuredSource are the modules of source that coverage.py measured a file of: a module no test
// imported has none (pyrsistent 0.19.3's _pyrsistent_version, which the coverage line named
// beside pyrsistent's 16 files), as a run with --source names it and reports none. All of
// source when none matched (the files are named otherwise).
func measuredSource(source []string, files []report.FileCoverage) []string {
	kept := slices.DeleteFunc(slices.Clone(source), func(m string) bool {
		dir := strings.ReplaceAll(m, ".", "/")
		return !slices.ContainsFunc(files, func(f report.FileCoverage) bool {
			return f.Path == dir+".py" || strings.HasPrefix(f.Path, dir+"/")
		})
	})
	if len(kept) == 0 {
		return source
	}
	return kept
}
