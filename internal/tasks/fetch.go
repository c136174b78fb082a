package tasks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/jobfs"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
)

// testTools are what PYTI runs a test suite with; added when the project does not declare them.
var testTools = []string{"pytest", "coverage"}

// testExtraNames are the extras (and dependency groups) that conventionally hold test dependencies.
var testExtraNames = []string{"test", "tests", "testing"}

// devExtraNames are the extras that conventionally hold the development tools, the test
// dependencies among them (tzlocal's devenv: pytest, pytest-mock, …): read only when the project
// names its test dependencies nowhere else, as requirements-dev.txt is.
var devExtraNames = []string{"dev", "devenv", "develop", "development"}

// fetch fills the job's wheelhouse with everything the offline steps will need: the package's
// dependencies, its build dependencies (including those its build backend asks for at run time),
// its test dependencies and the test tools. pip does the resolving, inside the sandbox, reaching
// only PYTI's index proxy; every file the proxy served goes into the wheelhouse.
func (j *job) fetch(ctx context.Context, d *dag.Data, t *target) (fetched, error) {
	a, _ := KArchive.Get(d)
	src, _ := KSource.Get(d)
	if reason := notApplicable(a, src, t); reason != "" {
		return fetched{Fetch: &report.Fetch{Phase: report.Phase{Outcome: "skipped", Reason: reason}}}, dag.Skip(reason)
	}
	proxy, sock, stop, err := j.startProxy(t)
	if err != nil {
		return fetched{}, err
	}
	defer stop()
	wh := filepath.Join(t.work, "wheelhouse")
	if err := os.MkdirAll(wh, 0o777); err != nil {
		return fetched{}, err
	}
	main, binds, err := j.mainRequirement(a, src, t)
	if err != nil {
		return fetched{}, err
	}
	download := func(name string, reqs []string) (*stepResult, error) {
		// -S: pip download ignores what is installed, yet its resolver reads the metadata of
		// every distribution on the interpreter's sys.path first (the hundreds of a distribution's
		// dist-packages, a sixth of the fetch). Without site they are not on it; pip itself runs
		// from its own directory, and the build environments it makes for sdists are
		// subprocesses of their own, with site.
		argv := append(j.pipArgv(ctx, t, t.python, "download", "--dest", j.in(wh),
			"--index-url", fmt.Sprintf("http://127.0.0.1:%d/simple/", indexPort), "--progress-bar", "off"), reqs...)
		argv = slices.Insert(argv, 1, "-S")
		// PIP_NO_COMPILE: the build environment pip installs to prepare an sdist's metadata
		// (setuptools: a thousand modules) lives for two hook calls, which import a tenth of
		// it; byte-compiling the rest was a third of that install, traced.
		return j.run(ctx, step{t: t, task: t.task("fetch"), name: name, phase: "fetch", argv: argv, dir: j.in(t.work), wall: j.opts.FetchTimeout,
			indexSock: sock, readOnly: binds, env: []string{"PIP_NO_COMPILE=1"}})
	}
	// Everything at once first: the package with its test extras, its build requirements, its
	// test requirements and the tools. Only when that fails, fetch what is essential (the package
	// and its build requirements) and the tools separately, so that a broken test extra costs the
	// tests, not the analysis.
	buildReqs := buildRequirements(src)
	extras := j.testExtras(src, t.pythonVersion)
	withPlugins := func(reqs []string) []string {
		return append(reqs, undeclared(src, reqs, append(configuredPlugins(src.Root), markedPlugins(src.Root)...))...)
	}
	testReqs := withPlugins(testRequirements(src, nil))
	used := Wheelhouse{Dir: wh, Extras: extras, TestRequirements: testReqs, Tools: missingTools(src, testReqs)}
	// pip learns what the package needs by preparing its metadata, which for an sdist means a
	// build environment and running the backend: needless when pyproject.toml declares the
	// dependencies statically (PEP 621 forbids a backend to change them). pip then resolves
	// those requirements themselves.
	pkg, pkgPlain := []string{main.withExtras(extras)}, []string{main.plain}
	static := false
	if a.Kind != "wheel" {
		if reqs, plain, ok := staticRequirements(src, extras); ok {
			pkg, pkgPlain, static = reqs, plain, true
		}
	}
	// What the index cannot satisfy of the test requirements, asked from the host while the
	// metadata is prepared: pip's download of everything at once would fail on it, after which
	// the package and the rest are fetched again, each a traced pip run of a second or two.
	check := make(chan unavailableTests, 1)
	go func() { check <- j.unavailableTestsOnIndex(ctx, t, src, main.name, extras, testReqs) }()
	// The build needs only its requirements; when they are all it needs (a backend that asks
	// for nothing more), fetched first, they let it start beside the download of the rest.
	builtOnHost := false
	if static && j.opts.Client.CacheDir() != "" && asksNothingMore(src) {
		ok, host, err := j.fetchBuildRequirements(ctx, t, wh, buildReqs, download)
		builtOnHost = host
		if err != nil {
			<-check
			return fetched{}, err
		}
		if ok {
			if err := j.publishBuildHouse(d, t, wh, Wheelhouse{}); err != nil {
				<-check
				return fetched{}, err
			}
		}
	}
	// Otherwise PYTI prepares the metadata as pip would, but on the cached build environment
	// that the build will use, which spares pip's installing one for each preparation.
	var prepared *preparedMetadata
	if a.Kind != "wheel" && !static && j.opts.Client.CacheDir() != "" {
		ok, host, err := j.fetchBuildRequirements(ctx, t, wh, buildReqs, download)
		builtOnHost = host
		if err == nil && ok {
			prepared, err = j.preparedRequirements(ctx, t, src, main.name, extras, download)
		}
		if hung := (*hungPreparing)(nil); errors.As(err, &hung) {
			<-check
			return j.fetchAfterHang(ctx, t, a, src, proxy, wh, buildReqs, used, hung.step, download)
		}
		if err != nil {
			<-check
			return fetched{}, err
		}
		if prepared != nil {
			pkg, pkgPlain = prepared.all, prepared.plain
			used.BackendAsked, used.BackendMissing = true, prepared.missing
			// The build needs nothing the rest of the fetch brings: it starts now, beside it.
			if err := j.publishBuildHouse(d, t, wh, Wheelhouse{BackendAsked: true, BackendMissing: prepared.missing}); err != nil {
				<-check
				return fetched{}, err
			}
		}
	}
	pre := <-check
	if prepared != nil && len(prepared.testsRequire) > 0 {
		// setup.py's tests_require, which only the metadata's preparation read, outranks the
		// test requirements found before it: the index is asked again about them.
		if reqs := withPlugins(testRequirements(src, prepared.testsRequire)); !slices.Equal(reqs, testReqs) {
			testReqs = reqs
			used.TestRequirements, used.Tools = testReqs, missingTools(src, testReqs)
			pre = j.unavailableTestsOnIndex(ctx, t, src, main.name, extras, testReqs)
		}
	}
	all := append(append(append(slices.Clone(pkg), buildReqs...), testReqs...), testTools...)
	var others []string
	if pre.any() {
		// Everything at once still, but without what the index cannot satisfy, as below when
		// pip's own download finds it.
		others = otherTestRequirements(t, src, main.name, extras, testReqs, pre.missing, pre.unmet, pre.relaxed)
		all = append(append(append(slices.Clone(pkgPlain), buildReqs...), others...), testTools...)
	}
	var onHost []string
	if builtOnHost {
		onHost = append(onHost, "build requirements")
	}
	res, err := j.fetchOnHost(ctx, t, wh, "dependencies", all)
	if err != nil {
		return fetched{}, err
	}
	if res != nil {
		onHost = append(onHost, "dependencies")
	} else if res, err = download("pip-download", all); err != nil {
		return fetched{}, err
	}
	if a.Kind != "wheel" && !static {
		for _, c := range buildCode(src) {
			switch {
			case prepared != nil:
				j.out.codeRan(c + " during fetch (PYTI prepared the metadata)")
			case res.ok():
				j.out.codeRan(c + " during fetch (pip prepared the metadata)")
			default:
				// pip ran it and the fetch failed, maybe there (editdistance 0.6.2's sdist
				// lacks the .pyx its setup.py builds from): it prepared nothing.
				j.out.codeRan(c + " during fetch (pip's metadata preparation, in a fetch that failed)")
			}
		}
	}
	fetch := &report.Fetch{Phase: res.phase, Tools: used.Tools, StaticMetadata: static, PreparedMetadata: prepared != nil, OnHost: onHost}
	if prepared != nil {
		fetch.Phase.Behavior = mergeBehavior(prepared.step.phase.Behavior, fetch.Phase.Behavior)
	}
	// Whatever becomes of the rest, the report says what pip fetched.
	defer func() {
		fetch.IndexRequests = len(proxy.Requests())
		fetch.Wheelhouse = listWheelhouse(wh)
	}()
	if res.ok() && pre.any() {
		used.Extras, used.TestRequirements = nil, others
		fetch.MissingTestDeps, fetch.UnmetTestDeps, fetch.RelaxedTestDeps = pre.missing, pre.unmet, pre.relaxed
		fetch.OtherTestDepsFetched = len(others) > 0
		if len(others) > 0 {
			fetch.Phase.Reason = othersFetched(fetch, others)
		} else {
			fetch.Phase.Reason = "the test dependencies could not be fetched: " + unavailable(pre.missing, pre.unmet)
		}
	}
	if !res.ok() {
		essential, err := download("pip-download-package", append(slices.Clone(pkgPlain), buildReqs...))
		if err != nil {
			return fetched{Fetch: fetch}, err
		}
		fetch.Phase = essential.phase
		if !essential.ok() && a.Kind != "wheel" && metadataFailed(essential.output) {
			// The package's own build code (setup.py, the backend's hooks) crashed while pip
			// prepared its metadata: a build failure, not a dependency that cannot be fetched.
			// Fetch what the build needs, and let the build show the error.
			buildOnly, err := download("pip-download-build", buildOnlyRequirements(a, buildReqs))
			if err != nil {
				return fetched{Fetch: fetch}, err
			}
			if buildOnly.ok() {
				fetch.Phase.Reason = "pip could not prepare the package's metadata, because its build code failed (" +
					lastLine(essential.output) + "): only the build requirements and the test tools were fetched, and the build shows the error"
				if err := j.collectProxied(proxy, wh); err != nil {
					return fetched{Fetch: fetch}, err
				}
				return fetched{Fetch: fetch, Wheelhouse: Wheelhouse{Dir: wh, Tools: used.Tools}}, nil
			}
		}
		if missing := unfetchable(essential.output); !essential.ok() && len(missing) > 0 {
			// A dependency the index does not have: the verdict is unresolvable, but the package's
			// own code still runs, as it would for a user who has the dependency: fetch what the
			// build needs, install the package without its dependencies, and let the import give
			// stand-ins for the missing ones.
			buildOnly, err := download("pip-download-build", buildOnlyRequirements(a, buildReqs))
			if err != nil {
				return fetched{Fetch: fetch}, err
			}
			if buildOnly.ok() {
				why := fmt.Sprintf("pip could not fetch the package's dependencies (%s)", lastLine(essential.output))
				fetch.Phase.Reason = why + ": the package is still built, installed without its dependencies and imported with stand-ins for them, so that its code runs"
				j.out.hint(t, report.VerdictFetch, why)
				if err := j.collectProxied(proxy, wh); err != nil {
					return fetched{Fetch: fetch}, err
				}
				return fetched{Fetch: fetch, Wheelhouse: Wheelhouse{Dir: wh, Tools: used.Tools, Unfetchable: missing}}, nil
			}
		}
		if !essential.ok() {
			fetch.Phase.Reason = strings.Join(errorLines(essential.output, 20), "\n")
			if sum := corruptedInTransit(proxy.Requests(), essential.output); sum != "" {
				// Not the package's fault: PYTI's own bridge changed a file on its way.
				reason := "a file the index proxy served intact (sha256 " + sum + ") reached pip with another hash: the bridge into the sandbox corrupted it"
				j.out.hint(t, report.VerdictError, reason)
				return fetched{Fetch: fetch}, fmt.Errorf("%w: %s", sandbox.ErrInfrastructure, reason)
			}
			return fetched{Fetch: fetch}, errors.New(fetchFailure(essential.res, essential.output))
		}
		used.Extras, used.TestRequirements = nil, nil
		fetch.Phase.Reason = "the test dependencies could not be fetched: " + lastLine(res.output)
		// The index's answers from before the download; when it named nothing, pip's own words
		// name the requirement it could not satisfy.
		u := pre
		if !u.any() {
			u.relaxed, u.unmet = j.relaxPins(ctx, notOnIndex(res.output))
		}
		fetch.MissingTestDeps, fetch.UnmetTestDeps, fetch.RelaxedTestDeps = u.missing, u.unmet, u.relaxed
		// A user without the test dependencies the index cannot satisfy still has the others:
		// fetch them, so that only the tests that need the missing ones cannot run.
		others := otherTestRequirements(t, src, main.name, extras, testReqs, fetch.MissingTestDeps, fetch.UnmetTestDeps, fetch.RelaxedTestDeps)
		if !u.any() {
			// pip named nothing the index lacks among them: what failed lies deeper (a
			// dependency of one of them, or a conflict with the package's own), found below.
			others = testRequirementsLess(t, src, main.name, extras, testReqs, nil, nil, nil)
		}
		fetchedOthers := false
		fetchedAlone, probes := map[string]bool{}, 0
		for round := 1; len(others) > 0 && round <= 3; round++ {
			name := "pip-download-other-tests"
			if round > 1 {
				name += fmt.Sprint("-", round)
			}
			rest, err := download(name, append(slices.Clone(others), testTools...))
			if err != nil {
				return fetched{Fetch: fetch}, err
			}
			if rest.ok() {
				fetchedOthers = true
				used.TestRequirements = others
				fetch.OtherTestDepsFetched = true
				fetch.Phase.Reason = othersFetched(fetch, others)
				break
			}
			// A dependency of theirs the index lacks (pytest-xdist[psutil] needs psutil): without
			// what asked for it, the rest may still be had.
			trimmed, missing, unmet := withoutUnfetchable(others, rest.output)
			if slices.Equal(trimmed, others) {
				// pip names none of them: each is asked for alone, beside the package, and
				// those pip cannot fetch so are left out.
				unasked := slices.DeleteFunc(slices.Clone(others), func(r string) bool { return fetchedAlone[r] })
				bad, because, err := probeTestRequirements(unasked, func(r string) (*stepResult, error) {
					probes++
					res, err := download(fmt.Sprintf("pip-download-test-requirement-%d", probes), append(append(slices.Clone(pkgPlain), r), testTools...))
					if err == nil && res.ok() {
						fetchedAlone[r] = true
					}
					return res, err
				})
				if err != nil {
					return fetched{Fetch: fetch}, err
				}
				if len(bad) == 0 {
					break
				}
				fetch.UnfetchableTestDeps = append(fetch.UnfetchableTestDeps, bad...)
				fetch.UnfetchableBecause = append(fetch.UnfetchableBecause, because...)
				trimmed = slices.DeleteFunc(slices.Clone(others), func(r string) bool { return slices.Contains(bad, r) })
			} else {
				// A requirement taken out for a dependency of its own the index cannot satisfy
				// (pyti-test-needsmissing, for pyti-test-not-on-any-index) is named as such.
				for _, r := range others {
					if !slices.ContainsFunc(trimmed, func(k string) bool { return sameProject(k, r) }) &&
						!slices.ContainsFunc(append(slices.Clone(missing), unmet...), func(k string) bool { return sameProject(k, r) }) {
						fetch.UnfetchableTestDeps = append(fetch.UnfetchableTestDeps, r)
						fetch.UnfetchableBecause = append(fetch.UnfetchableBecause, r+": "+lastLine(rest.output))
					}
				}
			}
			others = trimmed
			for _, m := range missing {
				if !slices.Contains(fetch.MissingTestDeps, m) {
					fetch.MissingTestDeps = append(fetch.MissingTestDeps, m)
				}
				// Not on the index at all, which says more than no matching version.
				fetch.UnmetTestDeps = slices.DeleteFunc(fetch.UnmetTestDeps, func(u string) bool { return sameProject(u, m) })
			}
			for _, u := range unmet {
				if !slices.Contains(fetch.UnmetTestDeps, u) {
					fetch.UnmetTestDeps = append(fetch.UnmetTestDeps, u)
				}
			}
		}
		if !fetchedOthers {
			tools, err := download("pip-download-tools", testTools)
			if err != nil {
				return fetched{Fetch: fetch}, err
			}
			if !tools.ok() {
				used.Tools = nil
				fetch.Phase.Reason += "; nor could the test tools (" + strings.Join(testTools, ", ") + "): " + lastLine(tools.output)
			}
		}
	}
	// pip (and the package's setup.py preparing metadata) ran there: no link may redirect PYTI's
	// copies.
	if err := j.realDir(t, "fetch", wh); err != nil {
		return fetched{Fetch: fetch}, err
	}
	if err := j.collectProxied(proxy, wh); err != nil {
		return fetched{Fetch: fetch}, err
	}
	j.checkFetchedRecords(ctx, t, proxy)
	fetch.TestExtras, fetch.TestRequirements = used.Extras, applying(used.TestRequirements, t.pythonVersion)
	return fetched{Fetch: fetch, Wheelhouse: used}, nil
}

// applying are the requirements whose markers hold on pythonVersion, those pip installs: the
// report's list of test requirements leaves out python-ecdsa's tox.ini deps for Python 3.3
// (`py<1.5; python_version == "3.3"`). One that cannot be read is kept.
func applying(reqs []string, pythonVersion string) []string {
	env := pep440.DefaultEnvironment(pythonVersion)
	return slices.DeleteFunc(slices.Clone(reqs), func(s string) bool {
		r, err := pep440.ParseRequirement(s)
		if err != nil || r.Marker == nil {
			return false
		}
		ok, err := r.Marker.Evaluate(env)
		return err == nil && !ok
	})
}

// fetchBuildRequirements puts the build requirements, and what they need, into the wheelhouse
// wh: from the host when its resolution is certain to be pip's (see fetchOnHost), otherwise with
// pip download in the traced sandbox. ok is false when pip could not fetch them.
func (j *job) fetchBuildRequirements(ctx context.Context, t *target, wh string, reqs []string,
	download func(string, []string) (*stepResult, error)) (ok, onHost bool, err error) {
	res, err := j.fetchOnHost(ctx, t, wh, "build requirements", reqs)
	if err != nil || res != nil {
		return err == nil, err == nil, err
	}
	if res, err = download("pip-download-build", reqs); err != nil {
		return false, false, err
	}
	return res.ok(), false, nil
}

// fetchOnHost puts reqs, and what they need, into the wheelhouse wh from the host, when
// resolveOnHost is certain of pip's answer: the wheels come from the download cache, verified
// against the index's hashes, and their RECORDs are checked as those pip fetched. The step it
// returns stands for the pip download it spared; nil, with nothing fetched, when pip must run.
// The raw data keep what was fetched and why pip ran otherwise.
func (j *job) fetchOnHost(ctx context.Context, t *target, wh, what string, reqs []string) (*stepResult, error) {
	name := strings.ReplaceAll(what, " ", "-") + "-on-host.json"
	picks, why := resolveOnHost(ctx, j.opts.Client, t.pythonVersion, reqs)
	if why != "" {
		j.keepJSON(t.task("fetch"), name, map[string]any{"requirements": reqs, "pip_resolves_because": why})
		j.log.Debug("pip resolves", "what", what, "reason", why)
		return nil, nil
	}
	if err := j.realDir(t, "fetch", wh); err != nil {
		return nil, err
	}
	for _, p := range picks {
		// PYTI's verified copy, whatever lies there (the build requirements fetched before, or
		// what code run in this phase left): a link is removed, never followed.
		dst := filepath.Join(wh, p.Filename)
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("wheelhouse: %w", err)
		}
		if err := copyFile(p.path, dst); err != nil {
			return nil, fmt.Errorf("wheelhouse: %w", err)
		}
		j.checkRecord(ctx, t, "fetch", p.path, p.Filename)
	}
	j.keepJSON(t.task("fetch"), name, map[string]any{"requirements": reqs, "fetched": picks})
	j.log.Debug("fetched on the host", "what", what, "wheels", len(picks))
	return &stepResult{res: &sandbox.Result{Outcome: sandbox.OutcomeOK}, phase: report.Phase{Outcome: "ok"}}, nil
}

// publishBuildHouse hands the build its wheelhouse before the fetch ends: a copy of the
// wheelhouse wh as it is, which no later download changes, with what house says of the backend.
func (j *job) publishBuildHouse(d *dag.Data, t *target, wh string, house Wheelhouse) error {
	house.Dir = filepath.Join(t.work, "wheelhouse-build")
	if err := j.snapshotWheelhouse(t, wh, house.Dir); err != nil {
		return err
	}
	t.kBuildHouse.Publish(d, house)
	return nil
}

// asksNothingMore reports whether the sdist's build backend needs nothing beyond its build
// requirements (get_requires_for_build_wheel answers nothing of its own): hatchling without
// build hooks (whose dependencies it asks for), flit_core, poetry-core and pdm-backend, and
// setuptools without setup_requires when the requirements name wheel, which setuptools before
// 70.1 asks for. Others may ask for more (scikit-build-core for cmake and ninja), which only the
// full wheelhouse may hold.
func asksNothingMore(src Source) bool {
	backend, path, ok := backendOf(src)
	if !ok || len(path) > 0 {
		return false
	}
	mentions := func(file, word string) bool {
		data, err := readCapped(filepath.Join(src.Root, file), 1<<20)
		return err == nil && strings.Contains(string(data), word)
	}
	switch backend {
	case "flit_core.buildapi", "poetry.core.masonry.api", "pdm.backend":
		return true
	case "hatchling.build":
		return !mentions("pyproject.toml", "hooks")
	case "setuptools.build_meta":
		if mentions("setup.py", "setup_requires") || mentions("setup.cfg", "setup_requires") {
			return false
		}
		for _, r := range buildRequirements(src) {
			if req, err := pep440.ParseRequirement(r); err == nil && pep440.NormalizeName(req.Name) == "wheel" {
				return true
			}
		}
	}
	return false
}

// snapshotWheelhouse copies the distributions of the wheelhouse src, as they are now, into dst,
// a fresh directory that no later download of the fetch writes to.
func (j *job) snapshotWheelhouse(t *target, src, dst string) error {
	if err := j.realDir(t, "fetch", src); err != nil {
		return err
	}
	if err := j.freshDir(t, "fetch", dst); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return fmt.Errorf("wheelhouse: %w", err)
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		if _, err := jobfs.CopyFile("/", filepath.Join(src, e.Name()), filepath.Join(dst, e.Name()), 1<<32); err != nil {
			return fmt.Errorf("wheelhouse: copying %s: %w", e.Name(), err)
		}
	}
	return nil
}

// preparedMetadata is what preparing the package's metadata told: its requirements with and
// without the extras, the step that ran the backend, and what the backend asked for beyond the
// build requirements.
type preparedMetadata struct {
	all, plain []string
	step       *stepResult
	missing    []string
	// testsRequire is setup.py's tests_require (see python/build_wheel.py).
	testsRequire []string
}

// preparedRequirements learns the package's own requirements (with and without the extras) as
// pip's resolver would, by preparing its metadata, but with PYTI's front end on the cached build
// environment that the build will use: pip installs a build environment afresh for every
// preparation, most of a traced fetch, and again for each retry. The build requirements are in
// the wheelhouse already (fetchBuildRequirements); download fetches what the backend asks for
// beyond them. The answer is nil when pip must prepare the metadata itself: no cached
// environment, a requirement the backend asks for that cannot be fetched, a backend that fails
// (pip then shows its error), or a requirement naming the package itself.
func (j *job) preparedRequirements(ctx context.Context, t *target, src Source, self string, extras []string,
	download func(string, []string) (*stepResult, error)) (*preparedMetadata, error) {
	wh := filepath.Join(t.work, "wheelhouse")
	dir := filepath.Join(t.work, "fetch")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	tree, out := filepath.Join(dir, "metadata-tree"), filepath.Join(dir, "metadata")
	if err := j.copySource(t, "fetch", src.Root, tree); err != nil {
		return nil, err
	}
	if err := j.freshDir(t, "fetch", out); err != nil {
		return nil, err
	}
	if err := makeWritable(dir); err != nil {
		return nil, err
	}
	more := func(reqs []string) error {
		r, err := download("pip-download-build-2", reqs)
		if err == nil && !r.ok() {
			err = fmt.Errorf("%w: %s could not be fetched: %s", errNoCachedEnv, strings.Join(reqs, " "), lastLine(r.output))
		}
		return err
	}
	res, ans, missing, err := j.runHooks(ctx, t, src, frontendCall{task: t.task("fetch"), phase: "fetch", name: "pep517-metadata",
		tree: tree, out: out, metadata: true, wall: j.opts.FetchTimeout}, wh, more)
	if errors.Is(err, errNoCachedEnv) {
		j.log.Info("pip prepares the metadata", "reason", err)
		return nil, nil
	}
	if err == nil && res != nil && (res.res.Outcome == sandbox.OutcomeTimeout || res.res.Outcome == sandbox.OutcomeNoOutputTimeout) {
		return nil, &hungPreparing{step: res}
	}
	if err != nil || !res.ok() || !filepath.IsLocal(ans.Metadata) || strings.ContainsAny(ans.Metadata, `/\`) {
		return nil, err
	}
	data, err := j.readOut(t, "fetch", filepath.Join(out, ans.Metadata, "METADATA"), 4<<20)
	if err != nil {
		return nil, nil
	}
	md, err := pkgmeta.ParseCoreMetadata(strings.NewReader(string(data)), 4<<20)
	if err != nil {
		return nil, nil
	}
	all, plain, ok := metadataRequirements(md, self, extras)
	if !ok {
		return nil, nil
	}
	return &preparedMetadata{all: all, plain: plain, step: res, missing: missing, testsRequire: ans.TestsRequire}, nil
}

// hungPreparing: the package's build code, run to prepare its metadata, did not end within its
// limits (a payload that waits on a connection, a sleep): pip, preparing the metadata itself,
// would run the same code and wait as long again, and once more for the package alone.
type hungPreparing struct{ step *stepResult }

func (h *hungPreparing) Error() string {
	return "the package's build code did not end while its metadata was prepared: " + h.step.phase.Reason
}

// fetchAfterHang ends a fetch whose metadata preparation hung (see hungPreparing): only what the
// build needs (the build requirements, in the wheelhouse already) and the test tools are fetched,
// and the build shows what the code does when it runs again, as where pip's preparation crashes.
func (j *job) fetchAfterHang(ctx context.Context, t *target, a Archive, src Source, proxy *pypi.Proxy, wh string,
	buildReqs []string, used Wheelhouse, step *stepResult, download func(string, []string) (*stepResult, error)) (fetched, error) {
	for _, c := range buildCode(src) {
		j.out.codeRan(c + " during fetch (PYTI prepared the metadata)")
	}
	fetch := &report.Fetch{Phase: step.phase, Tools: used.Tools, PreparedMetadata: true}
	defer func() {
		fetch.IndexRequests = len(proxy.Requests())
		fetch.Wheelhouse = listWheelhouse(wh)
	}()
	reqs := buildOnlyRequirements(a, buildReqs)
	res, err := j.fetchOnHost(ctx, t, wh, "build requirements and tools", reqs)
	if err != nil {
		return fetched{Fetch: fetch}, err
	}
	if res != nil {
		fetch.OnHost = []string{"build requirements", "test tools"}
	} else if res, err = download("pip-download-build", reqs); err != nil {
		return fetched{Fetch: fetch}, err
	}
	if !res.ok() {
		return fetched{Fetch: fetch}, fmt.Errorf("the package's build code did not end while its metadata was prepared (%s), and pip could not fetch the build requirements and the test tools: %s",
			step.phase.Reason, lastLine(res.output))
	}
	fetch.Phase.Reason = "the package's build code did not end while PYTI prepared its metadata (" + step.phase.Reason +
		"): pip, which would run it again, was not asked to; only the build requirements and the test tools were fetched, and the build shows what the code does"
	if err := j.collectProxied(proxy, wh); err != nil {
		return fetched{Fetch: fetch}, err
	}
	return fetched{Fetch: fetch, Wheelhouse: Wheelhouse{Dir: wh, Tools: used.Tools}}, nil
}

// metadataRequirements are a prepared metadata's requirements for pip's command line, as pip
// reads them from the package it resolves: plain, the dependencies; all, those and the ones of
// the extras, their markers rewritten so that pip, which evaluates a command line requirement's
// marker with extra "", keeps them (see pep440.Marker.ForExtras). ok is false when a requirement
// cannot be read or names the package itself (an extra of its own, which only pip resolving the
// package itself sees through).
func metadataRequirements(md *pkgmeta.CoreMetadata, self string, extras []string) (all, plain []string, ok bool) {
	if self == "" {
		self = md.Name
	}
	for _, rd := range md.RequiresDist {
		r, err := pep440.ParseRequirement(rd.Raw)
		if err != nil || r.URL != "" {
			return nil, nil, false
		}
		marker, mentions := r.Marker.ForExtras(extras)
		if mentions && marker.String() == r.Marker.String() {
			continue // another extra's
		}
		if pep440.NormalizeName(r.Name) == pep440.NormalizeName(self) {
			return nil, nil, false
		}
		if !mentions {
			plain = append(plain, rd.Raw)
			all = append(all, rd.Raw)
			continue
		}
		r.Marker = marker
		all = append(all, r.String())
	}
	return all, plain, true
}

// mergeBehavior sums the behaviour of two steps of one phase.
func mergeBehavior(a, b *report.Behavior) *report.Behavior {
	if a == nil || b == nil {
		if a == nil {
			return b
		}
		return a
	}
	return &report.Behavior{
		Events: a.Events + b.Events, EventsDropped: a.EventsDropped + b.EventsDropped,
		FilesRead: a.FilesRead + b.FilesRead, FilesWritten: a.FilesWritten + b.FilesWritten,
		Processes: a.Processes + b.Processes, Executed: append(slices.Clone(a.Executed), b.Executed...),
		NetworkAttempts: append(slices.Clone(a.NetworkAttempts), b.NetworkAttempts...),
		DNSQueries:      append(slices.Clone(a.DNSQueries), b.DNSQueries...),
		Contacts:        append(slices.Clone(a.Contacts), b.Contacts...), ContactsDropped: a.ContactsDropped + b.ContactsDropped,
	}
}

// expectedHash is pip's report of a file whose hash differs from the index's.
var expectedHash = regexp.MustCompile(`Expected sha256 ([0-9a-f]{64})`)

// corruptedInTransit returns the sha256 of a file the proxy served (and verified) that pip says
// arrived with another hash, or "": the infrastructure failed, not the package.
func corruptedInTransit(requests []pypi.ProxyRequest, pipOutput string) string {
	if !strings.Contains(pipOutput, "THESE PACKAGES DO NOT MATCH THE HASHES") {
		return ""
	}
	served := map[string]bool{}
	for _, r := range requests {
		if r.SHA256 != "" && r.Status == http.StatusOK {
			served[r.SHA256] = true
		}
	}
	for _, m := range expectedHash.FindAllStringSubmatch(pipOutput, -1) {
		if served[m[1]] {
			return m[1]
		}
	}
	return ""
}

// requirement is the analysed distribution as pip is asked for it.
type requirement struct {
	plain string
	name  string
	url   string
}

func (r requirement) withExtras(extras []string) string {
	if len(extras) == 0 || r.name == "" {
		return r.plain
	}
	return fmt.Sprintf("%s[%s] @ %s", r.name, strings.Join(extras, ","), r.url)
}

// mainRequirement names the archive (or tree) for pip, with the binds that make it visible. A
// source tree is copied into t's work space first: preparing its metadata writes into it (an
// egg-info), and the pristine tree is read-only.
func (j *job) mainRequirement(a Archive, src Source, t *target) (requirement, []sandbox.Bind, error) {
	name := ""
	if src.Metadata != nil {
		name = src.Metadata.Name
	} else if src.Pyproject != nil && src.Pyproject.Project != nil {
		name = src.Pyproject.Project.Name
	}
	if a.Kind == "tree" {
		tree := filepath.Join(t.work, "fetch", filepath.Base(src.Root))
		if err := j.copySource(t, "fetch", src.Root, tree); err != nil {
			return requirement{}, nil, err
		}
		if err := makeWritable(filepath.Join(t.work, "fetch")); err != nil {
			return requirement{}, nil, err
		}
		root := j.in(tree)
		return requirement{plain: root, name: name, url: "file://" + root}, nil, nil
	}
	// pip needs the file name to tell an sdist from a wheel: bind the cached file under its name,
	// or, when that name does not parse (an invalid version), under the name its metadata gives.
	inside := insideDist + "/" + a.Filename
	if _, err := pypi.ParseFilename(a.Filename, ""); err != nil && a.Kind == "sdist" && src.Metadata != nil {
		if v, err := pep440.Parse(src.Metadata.Version); err == nil && src.Metadata.Name != "" {
			inside = insideDist + "/" + strings.ReplaceAll(pep440.NormalizeName(src.Metadata.Name), "-", "_") + "-" + v.String() + distSuffix(a.Filename)
		}
	}
	return requirement{plain: inside, name: name, url: "file://" + inside}, []sandbox.Bind{{Src: a.Path, Dst: inside}}, nil
}

// staticBackends are the build backends whose get_requires_for_build_wheel asks for nothing
// beyond build-system.requires (setuptools may ask for wheel, which is added). A backend not
// listed may ask for more at build time, and only pip preparing the metadata finds out what.
var staticBackends = map[string]bool{
	"setuptools.build_meta": true, "setuptools.build_meta:__legacy__": true, "flit_core.buildapi": true,
	"poetry.core.masonry.api": true, "pdm.backend": true, "hatchling.build": true,
}

// staticRequirements are the requirements of the package itself (its dependencies, plus those of
// the given extras) read from pyproject.toml's [project] table, when they are static there and
// its build backend asks for nothing more at build time; with and without the extras. ok is
// false when pip must prepare the metadata to know them: dependencies or optional-dependencies
// dynamic, a backend not known to be static, hatchling with [tool.hatch] (its build hooks may
// add requirements), or a requirement naming the package itself.
func staticRequirements(src Source, extras []string) (all, plain []string, ok bool) {
	pp := src.Pyproject
	if pp == nil || pp.Project == nil || pp.BuildSystem == nil || pp.Project.Name == "" {
		return nil, nil, false
	}
	backend := pp.BuildSystem.BuildBackend
	if !staticBackends[backend] || (backend == "hatchling.build" && slices.Contains(pp.Tools, "hatch")) || len(pp.BuildSystem.BackendPath) > 0 {
		return nil, nil, false
	}
	for _, d := range pp.Project.Dynamic {
		if d == "dependencies" || d == "optional-dependencies" {
			return nil, nil, false
		}
	}
	self := pep440.NormalizeName(pp.Project.Name)
	check := func(reqs []string) bool {
		for _, s := range reqs {
			r, err := pep440.ParseRequirement(s)
			if err != nil || pep440.NormalizeName(r.Name) == self || r.URL != "" {
				return false
			}
		}
		return true
	}
	plain = slices.Clone(pp.Project.Dependencies)
	if !check(plain) {
		return nil, nil, false
	}
	all = slices.Clone(plain)
	for _, e := range extras {
		for name, reqs := range pp.Project.OptionalDependencies {
			if pep440.NormalizeName(name) == pep440.NormalizeName(e) {
				if !check(reqs) {
					return nil, nil, false
				}
				all = append(all, reqs...)
			}
		}
	}
	if strings.HasPrefix(backend, "setuptools.") {
		plain, all = append(plain, "wheel"), append(all, "wheel")
	}
	return all, plain, true
}

// buildRequirements are the build-system requirements of an sdist or tree (PEP 518's default for a
// project without them).
func buildRequirements(src Source) []string {
	if src.Kind == "wheel" {
		return nil
	}
	if src.Pyproject != nil && src.Pyproject.BuildSystem != nil && len(src.Pyproject.BuildSystem.Requires) > 0 {
		return src.Pyproject.BuildSystem.Requires
	}
	return []string{"setuptools>=40.8.0", "wheel"}
}

// testExtras are the project's extras named like test extras, and those tox.ini's [testenv]
// installs the project with; when there are none, and no test requirements either, its
// development extras.
func (j *job) testExtras(src Source, pythonVersion string) []string {
	provided := providedExtras(src)
	self := ""
	if src.Metadata != nil {
		self = src.Metadata.Name
	} else if src.Pyproject != nil && src.Pyproject.Project != nil {
		self = src.Pyproject.Project.Name
	}
	out := providedOf(provided, append(testNamedExtras(provided), toxExtras(src.Root, self, pythonVersion)...))
	if len(out) == 0 && len(testRequirements(src, nil)) == 0 {
		out = providedOf(provided, devExtraNames)
	}
	return out
}

// testNamedExtras are the extras of provided named like test extras: testExtraNames, in their
// order, then those that start with one and a separator, in provided's (jsonpickle 3.0.1's
// testing.libs, its tests' optional JSON backends, which its CI installs beside testing).
func testNamedExtras(provided []string) []string {
	out := providedOf(provided, testExtraNames)
	for _, p := range provided {
		n := pep440.NormalizeName(p)
		for _, t := range testExtraNames {
			if strings.HasPrefix(n, t+"-") && !slices.Contains(out, p) {
				out = append(out, p)
				break
			}
		}
	}
	return out
}

// providedExtras are the extras the project declares, in its metadata or its pyproject.toml.
func providedExtras(src Source) []string {
	var provided []string
	if src.Metadata != nil {
		provided = append(provided, src.Metadata.ProvidesExtra...)
	}
	if src.Pyproject != nil && src.Pyproject.Project != nil {
		for k := range src.Pyproject.Project.OptionalDependencies {
			provided = append(provided, k)
		}
	}
	return provided
}

// providedOf are the extras of provided that are named in wants, in the order of wants, once each.
func providedOf(provided, wants []string) []string {
	var out []string
	for _, want := range wants {
		for _, p := range provided {
			if pep440.NormalizeName(p) == pep440.NormalizeName(want) && !slices.ContainsFunc(out, func(o string) bool { return pep440.NormalizeName(o) == pep440.NormalizeName(p) }) {
				out = append(out, p)
			}
		}
	}
	return out
}

// testRequirements are the requirement strings of a test dependency group (PEP 735, Poetry's
// dev-dependencies or test group, a Hatch test environment, a PDM or uv development group), of tox.ini's [testenv] deps when they name a
// requirements file, of setup.cfg's tests_require, of setup.py's (setupPy: known only once its
// metadata is prepared, see preparedRequirements), of a conventional test requirements file, of
// tox.ini's other [testenv] deps, or of the noxfile's test session, the first found; tox's deps
// in place of a requirements file they name with -r, as they hold it and more, and in place of
// one that installs tox (see runnerRequirements).
func testRequirements(src Source, setupPy []string) []string {
	for _, deps := range pkgmeta.PyprojectTestDependencies(src.Pyproject) {
		if (deps.Kind == "dependency-group" || deps.Kind == "poetry-group" || deps.Kind == "tool-group") && len(deps.Requirements) > 0 {
			return deps.Requirements
		}
	}
	// tox's deps that name requirements files are the test environment, whatever other files
	// the tree holds: wcwidth 0.2.6's [testenv] installs requirements-tests39.txt, and its
	// requirements-tests36.txt, first by name, pins pytest 6 for Python 3.6 alone. They outrank
	// tests_require too, which only the long-gone `setup.py test` installed: requests 2.28.2's
	// names pytest-httpbin 0.0.7 and not trustme, which its tox.ini's -rrequirements-dev.txt
	// installs and its tests import.
	if len(toxDepsFiles(src.Root)) > 0 {
		if tox := toxRequirements(src.Root); len(tox) > 0 {
			return tox
		}
	}
	for _, deps := range pkgmeta.SetupCfgTestDependencies(src.SetupCfg) {
		if deps.Kind == "tests_require" && len(deps.Requirements) > 0 {
			return orRunners(src.Root, withTestFile(src.Root, deps.Requirements))
		}
	}
	if len(setupPy) > 0 {
		return orRunners(src.Root, withTestFile(src.Root, setupPy))
	}
	testExtra := len(testNamedExtras(providedExtras(src))) > 0
	for _, name := range append(slices.Clone(testRequirementsFiles), devRequirementsFiles(src.Root)...) {
		if reqs := requirementsFileIn(src.Root, name); len(reqs) > 0 {
			forDevelopment := !strings.Contains(path.Base(name), "test")
			if tox := toxRequirements(src.Root); len(tox) > 0 && forDevelopment {
				// A file named for development, not tests, is a developer's tools (pyfakefs'
				// requirements_dev.txt is pre-commit alone); tox's deps are the environment its
				// tests run in.
				return tox
			}
			if forDevelopment && testExtra {
				// So is it beside a test extra, which the tests get (jsonpickle 3.0.1's testing
				// extra, which its tox and CI install; its requirements-dev.txt adds
				// pytest-benchmark, whose old releases stop pytest at its start).
				continue
			}
			return orRunners(src.Root, reqs)
		}
	}
	if reqs := toxRequirements(src.Root); len(reqs) > 0 {
		return reqs
	}
	return noxRequirements(src.Root)
}

// testRequirementsFiles are the conventional names of a test requirements file, in the order
// testRequirements reads them.
var testRequirementsFiles = []string{"requirements-test.txt", "test-requirements.txt", "requirements-tests.txt",
	"requirements_test.txt", "requirements/test.txt", "requirements/tests.txt", "tests/requirements.txt"}

// withTestFile is a tests_require's requirements (testsRequire) with the tree's test
// requirements file, when it has one: the file's requirements first, then those of
// testsRequire whose projects it does not name. tests_require was read only by the long-gone
// `setup.py test`, and a maintainer who keeps a requirements file runs the tests with it:
// humanfriendly 10.0's tests_require is capturer and coloredlogs, its requirements-tests.txt
// those and docutils and mock, which its tests import.
//
// A development requirements file that installs pytest is the test environment too when the
// tree has no file named for tests (deepdiff 6.3.0's tests_require is mock, its
// requirements-dev.txt pytest, numpy, PyYAML, jsonpickle and the others its tests use, which
// its CI installs); one for a given Python (requirements-dev-3.7.txt) only after the general one.
func withTestFile(root string, testsRequire []string) []string {
	names := slices.Clone(testRequirementsFiles)
	if !slices.ContainsFunc(names, func(n string) bool { return len(requirementsFileIn(root, n)) > 0 }) {
		dev := devRequirementsFiles(root)
		slices.SortStableFunc(dev, func(a, b string) int {
			da, db := strings.ContainsAny(path.Base(a), "0123456789"), strings.ContainsAny(path.Base(b), "0123456789")
			switch {
			case da == db:
				return 0
			case db:
				return -1
			}
			return 1
		})
		for _, name := range dev {
			if slices.ContainsFunc(requirementsFileIn(root, name), func(r string) bool { return sameProject(r, "pytest") }) {
				names = append(names, name)
				break
			}
		}
	}
	for _, name := range names {
		file := requirementsFileIn(root, name)
		if len(file) == 0 {
			continue
		}
		out := slices.Clone(file)
		for _, r := range testsRequire {
			if !slices.ContainsFunc(file, func(f string) bool { return sameProject(f, r) }) {
				out = append(out, r)
			}
		}
		return out
	}
	return testsRequire
}

// orRunners is reqs, or, when they install tox or nox, the runner's own test environment (see
// runnerRequirements): sortedcontainers 2.4.0's setup.py has tests_require=['tox']. Without one
// (pycodestyle 2.10.0's sdist ships dev-requirements.txt, which is "tox", and no tox.ini), reqs
// but the runners: they make the environment the tests run in, and no test imports them.
func orRunners(root string, reqs []string) []string {
	if runner := runnerRequirements(root, reqs); len(runner) > 0 {
		return runner
	}
	var out []string
	for _, s := range reqs {
		if r, err := pep440.ParseRequirement(s); err == nil && testRunners[pep440.NormalizeName(r.Name)] {
			continue
		}
		out = append(out, s)
	}
	return out
}

// testRunners are the projects that run a test suite in an environment of their own making.
var testRunners = map[string]bool{"tox": true, "nox": true}

// runnerRequirements are tox's [testenv] deps, or the noxfile's test session's, when a
// requirements file installs tox or nox, the runner itself: the tests run in the environment it
// makes (pycodestyle's requirements-dev.txt is "tox", and tox.ini's deps hold covdefaults, which
// its coverage configuration loads). nil otherwise.
func runnerRequirements(root string, reqs []string) []string {
	for _, s := range reqs {
		r, err := pep440.ParseRequirement(s)
		if err != nil {
			continue
		}
		switch pep440.NormalizeName(r.Name) {
		case "tox":
			if deps := toxRequirements(root); len(deps) > 0 {
				return deps
			}
		case "nox":
			if deps := noxRequirements(root); len(deps) > 0 {
				return deps
			}
		}
	}
	return nil
}

// devRequirementsFiles are the other requirements files, at the top of the tree, in
// requirements/ or in the test directory, named for tests or development (requests'
// requirements-dev.txt, pydantic 1.10.7's tests/requirements-testing.txt), sorted, those named
// for tests first.
func devRequirementsFiles(root string) []string {
	var out []string
	for _, dir := range []string{"", "requirements", "tests", "test"} {
		entries, err := os.ReadDir(filepath.Join(root, dir))
		if err != nil {
			continue
		}
		for _, e := range entries {
			if rel := path.Join(dir, e.Name()); e.Type().IsRegular() && pkgmeta.IsTestRequirementsFile(rel) {
				out = append(out, rel)
			}
		}
	}
	// Those named for tests first (crispy-forms' requirements/testing.txt before dev.txt).
	sort.Slice(out, func(a, b int) bool {
		ta, tb := strings.Contains(path.Base(out[a]), "test"), strings.Contains(path.Base(out[b]), "test")
		if ta != tb {
			return ta
		}
		return out[a] < out[b]
	})
	return out
}

// missingTools are the test tools the project does not declare among its test requirements or
// extras.
func missingTools(src Source, testReqs []string) []string {
	declared := declaredNames(src, testReqs)
	var out []string
	for _, t := range testTools {
		if !declared[t] {
			out = append(out, t)
		}
	}
	return out
}

// startProxy serves an index proxy for t's fetch on a unix socket that the sandbox's bridge
// reaches; each target has its own, so its wheelhouse holds what its own pip asked for.
func (j *job) startProxy(t *target) (proxy *pypi.Proxy, sock string, stop func(), err error) {
	dir, err := os.MkdirTemp("", "pyti-index-")
	if err != nil {
		return nil, "", nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, "", nil, err
	}
	sock = filepath.Join(dir, "index.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, fmt.Errorf("index proxy: %w", err)
	}
	if err := os.Chmod(sock, 0o777); err != nil {
		ln.Close()
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	proxy = pypi.NewProxy(j.opts.Client, j.log)
	srv := &http.Server{Handler: proxy}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			j.log.Warn("index proxy stopped", "err", err)
		}
	}()
	return proxy, sock, func() {
		srv.Close()
		<-done
		os.RemoveAll(dir)
		j.keepJSON(t.task("fetch"), "index-requests.json", proxy.Requests())
	}, nil
}

// collectProxied copies every file the proxy served (build dependencies that pip fetched into its
// isolated build environments included) from the shared cache into the wheelhouse.
func (j *job) collectProxied(proxy *pypi.Proxy, wh string) error {
	for _, r := range proxy.Requests() {
		if r.SHA256 == "" || r.Filename == "" || strings.HasSuffix(r.Path, ".metadata") || r.Status != http.StatusOK {
			continue
		}
		dst := filepath.Join(wh, filepath.Base(r.Filename))
		if _, err := os.Stat(dst); err == nil {
			continue
		}
		path, ok := j.opts.Client.BlobPath(r.SHA256)
		if !ok {
			continue
		}
		if err := copyFile(path, dst); err != nil {
			return fmt.Errorf("wheelhouse: %w", err)
		}
	}
	return nil
}

func listWheelhouse(dir string) []report.File {
	entries, _ := os.ReadDir(dir)
	var out []report.File
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		sum, size, err := hashNoLinks(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		out = append(out, report.File{Filename: e.Name(), Kind: kindOf(e.Name()), SHA256: sum, Size: size})
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Filename < out[b].Filename })
	return out
}

// buildOnlyRequirements are what the build and the tests need when the package's own
// requirements cannot be resolved: the build requirements, wheel (setuptools' backend asks for it
// at build time, which pip would have found out while preparing the metadata) and the test tools.
func buildOnlyRequirements(a Archive, buildReqs []string) []string {
	reqs := slices.Clone(buildReqs)
	if a.Kind != "wheel" {
		reqs = append(reqs, "wheel")
	}
	return append(reqs, testTools...)
}

// unfetchable are the requirements pip said the index has no distribution for.
func unfetchable(out string) []string {
	var names []string
	for _, m := range noDistribution.FindAllStringSubmatch(out, -1) {
		if !contains(names, m[1]) {
			names = append(names, m[1])
		}
	}
	return names
}

var noDistribution = regexp.MustCompile(`No matching distribution found for ([^\s;]+)`)

// fetchFailure says what pip could not fetch: pip's last words, after the build dependencies when
// it failed installing those (colorama 0.4.6's backend hatchling requires editables, which the
// index did not have: "Installing build dependencies ... error"), with the project that required
// the requirement pip could not satisfy, when pip names one.
func fetchFailure(res *sandbox.Result, out string) string {
	what := "the package and its dependencies"
	if strings.Contains(out, "Installing build dependencies: finished with status 'error'") {
		what = "the package's build dependencies"
	}
	last := lastLine(out)
	if m := requiredBy.FindStringSubmatch(out); m != nil && strings.Contains(last, m[1]) {
		last += ", which " + m[2] + " requires"
	}
	return fmt.Sprintf("pip could not fetch %s (%s): %s", what, describe(res), last)
}

// requiredBy is pip's line for a requirement of another project it could not satisfy:
// "Could not find a version that satisfies the requirement editables>=0.3 (from hatchling)".
var requiredBy = regexp.MustCompile(`Could not find a version that satisfies the requirement (\S+) \(from ([A-Za-z0-9][A-Za-z0-9._-]*)(?:[<>=!~][^)]*)?\)`)

// metadataFailed reports whether pip's output says that preparing the analysed package's metadata
// failed in its own code (setup.py egg_info, the backend's get_requires or prepare_metadata hook,
// the import of its backend), rather than that something could not be fetched.
func metadataFailed(out string) bool {
	if !preparingFailed.MatchString(out) {
		return false
	}
	// The failure is the package's own when the last thing pip processed is the analysed file or
	// tree, not a dependency it collected.
	last := ""
	for _, l := range splitLines(out) {
		if m := processing.FindStringSubmatch(l); m != nil {
			last = m[1]
		}
	}
	return last == "" || strings.HasPrefix(last, insideDist+"/") || strings.HasPrefix(last, insideWork+"/")
}

var (
	// BackendUnavailable: the backend the package names could not be imported (its in-tree
	// backend failed, or the index's setuptools lacks pkg_resources): the build shows it too.
	preparingFailed = regexp.MustCompile(`metadata-generation-failed|(egg_info|Getting requirements to build (wheel|editable)|Preparing metadata \(pyproject\.toml\)) did not run successfully|\bBackendUnavailable\b`)
	processing      = regexp.MustCompile(`^\s*(?:Processing|Collecting) (\S+)`)
)

// lastLine picks the one line of a log that best says why a step failed: a compiler error, then
// the last Python exception (a setup.py that crashed: the "error:" lines around it only say that
// a subprocess failed), then a setuptools "error:" line, then the last line mentioning an error.
func lastLine(s string) string {
	lines := splitLines(s)
	for _, l := range lines {
		if compilerError.MatchString(l) {
			return strings.TrimSpace(l)
		}
	}
	for i := len(lines) - 1; i >= 0; i-- {
		if pythonError.MatchString(lines[i]) {
			return strings.TrimSpace(lines[i])
		}
	}
	// A requirement the index does not have, also inside pip's subprocess output.
	for _, l := range lines {
		if noDistribution.MatchString(l) {
			return strings.TrimSpace(l)
		}
	}
	for _, l := range lines {
		if setuptoolsError.MatchString(l) {
			return strings.TrimSpace(l)
		}
	}
	l := errorLines(s, 1)
	if len(l) == 0 {
		return ""
	}
	return strings.TrimSpace(l[0])
}

var (
	// compilerError is a compiler's or linker's own word on why a C build failed: an error at a
	// source line, the driver's or cc1's without one ("cc1: fatal error: deps/xxhash/xxhash.c:
	// No such file or directory", a source file the sdist lacks), or a library the linker could
	// not find ("/usr/bin/ld: cannot find -lxml2"), which the wrapper's "error: command 'gcc'
	// failed with exit code 1" only follows.
	compilerError   = regexp.MustCompile(`\S+:\d+(:\d+)?: (fatal )?error: |^\s*(\S*/)?(cc1(plus)?|[\w.-]*-?(gcc|g\+\+|clang|clang\+\+|cc|c\+\+)(-[\d.]+)?): (fatal )?error: |^\s*(\S*/)?ld(\.\w+)?: cannot find `)
	setuptoolsError = regexp.MustCompile(`^\s*error: `)
	pythonError     = regexp.MustCompile(`^\s*[A-Za-z_.]*(Error|Exception): `)
)

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// notOnIndexRe matches pip's word for a requirement that no file on the index satisfies.
var notOnIndexRe = regexp.MustCompile(`(?m)^ERROR: (?:No matching distribution found for|Could not find a version that satisfies the requirement) ([A-Za-z0-9][A-Za-z0-9._-]*)`)

// unfetchableFrom reads pip's word on a requirement it could not satisfy, what asked for it, and
// the versions the index has: "Could not find a version that satisfies the requirement
// psutil>=3.0; extra == "psutil" (from pytest-xdist[psutil]) (from versions: none)".
var unfetchableFrom = regexp.MustCompile(`(?m)^ERROR: Could not find a version that satisfies the requirement ([A-Za-z0-9][^;\s]*)[^\n]*?(?: \(from ([^()\n]+)\))? \(from versions: ([^\n]*)\)$`)

// withoutUnfetchable takes out of reqs (the requirements of one pip download) what made the
// download fail: a requirement the index cannot satisfy; or, for a dependency of one of them, the
// extras that asked for it (pytest-xdist[psutil] becomes pytest-xdist when the index lacks
// psutil), else that requirement. missing and unmet are the projects the index does not have and
// those it has no matching version of. reqs comes back as it was when pip names none of them.
func withoutUnfetchable(reqs []string, output string) (out, missing, unmet []string) {
	out = slices.Clone(reqs)
	for _, m := range unfetchableFrom.FindAllStringSubmatch(output, -1) {
		req, err := pep440.ParseRequirement(m[1])
		if err != nil {
			continue
		}
		if m[3] == "none" {
			missing = append(missing, req.Name)
		} else {
			unmet = append(unmet, m[1])
		}
		culprit := m[1]
		if m[2] != "" {
			culprit = m[2]
		}
		c, err := pep440.ParseRequirement(culprit)
		if err != nil {
			continue
		}
		for i, r := range out {
			pr, err := pep440.ParseRequirement(r)
			if err != nil || pep440.NormalizeName(pr.Name) != pep440.NormalizeName(c.Name) {
				continue
			}
			if len(c.Extras) > 0 && len(pr.Extras) > 0 {
				pr.Extras = nil
				out[i] = pr.String()
			} else {
				out = slices.Delete(out, i, i+1)
			}
			break
		}
	}
	return out, missing, unmet
}

// notOnIndex names the requirements pip's output says the index does not have.
func notOnIndex(output string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range notOnIndexRe.FindAllStringSubmatch(output, -1) {
		if name := pep440.NormalizeName(m[1]); !seen[name] {
			seen[name] = true
			out = append(out, m[1])
		}
	}
	return out
}

// unavailableTestsOnIndex asks the index, from the host, before pip has said anything, about each
// test requirement of the project (its test extras as the sdist declares them, see
// testExtraRequirements, and its test requirements) whose markers hold for t's interpreter: the
// projects it does not have at all, and the requirements no version of which it has, with the
// pins among those relaxed (see relaxPins). None when the index has them all, or when it cannot
// be asked (pip's download then tells).
func (j *job) unavailableTestsOnIndex(ctx context.Context, t *target, src Source, self string, extras, testReqs []string) unavailableTests {
	reqs := make([]extraRequirement, 0, len(testReqs))
	for _, r := range testReqs {
		reqs = append(reqs, extraRequirement{raw: r})
	}
	reqs = append(reqs, testExtraRequirements(src, self, extras, t.pythonVersion)...)
	env := pep440.DefaultEnvironment(t.pythonVersion)
	seen := map[string]bool{}
	type asked struct {
		raw, name string
		err       error
	}
	var ask []asked
	for _, req := range reqs {
		raw := req.raw
		r, err := pep440.ParseRequirement(raw)
		if err != nil || r.URL != "" || seen[pep440.NormalizeName(r.Name)] {
			continue
		}
		if r.Marker != nil {
			env["extra"] = req.extra
			if ok, err := r.Marker.Evaluate(env); err != nil || !ok {
				continue
			}
		}
		seen[pep440.NormalizeName(r.Name)] = true
		ask = append(ask, asked{raw: raw, name: r.Name})
	}
	// A few at a time: a project names dozens of test requirements, each a round trip to the
	// index, and the fetch waits for the answers before pip downloads anything.
	var wg sync.WaitGroup
	slots := make(chan struct{}, 8)
	for i := range ask {
		wg.Add(1)
		slots <- struct{}{}
		go func() {
			defer func() { <-slots; wg.Done() }()
			_, ask[i].err = j.opts.Client.Resolve(ctx, ask[i].raw)
		}()
	}
	wg.Wait()
	var u unavailableTests
	for _, a := range ask {
		switch {
		case errors.Is(a.err, pypi.ErrNoSuchProject):
			u.missing = append(u.missing, a.name)
		case errors.Is(a.err, pypi.ErrNoSuchVersion):
			u.unmet = append(u.unmet, strings.TrimSpace(strings.SplitN(a.raw, ";", 2)[0]))
		}
	}
	u.relaxed, u.unmet = j.relaxPins(ctx, u.unmet)
	return u
}

// unavailableTests are the test requirements the index cannot satisfy (see
// unavailableTestsOnIndex) and the pins relaxed among them (see relaxPins).
type unavailableTests struct{ missing, unmet, relaxed []string }

// any reports whether a test requirement is to be left out or relaxed.
func (u unavailableTests) any() bool { return len(u.missing)+len(u.unmet)+len(u.relaxed) > 0 }

// relaxPins takes out of unmet (test requirements the index has no matching version of) the
// exact pins of a project the index has other versions of (a pip-compile lock file's
// `freezegun==1.1.0` on an index with freezegun 1.2.1), and the requirements on the test tools
// PYTI installs whatever the project asks (PyJWT 2.6.0's `pytest<7`, immutables'
// `pytest~=6.2.4`): relaxed, to be installed at the version pip chooses, as a user who runs the
// tests installs them. The rest stays unmet.
func (j *job) relaxPins(ctx context.Context, unmet []string) (relaxed, still []string) {
	for _, u := range unmet {
		r, err := pep440.ParseRequirement(u)
		if err == nil && (isPin(r.Specifier) || slices.Contains(testTools, pep440.NormalizeName(r.Name))) {
			r.Specifier, r.Marker = nil, nil
			if _, err := j.opts.Client.Resolve(ctx, r.String()); err == nil {
				relaxed = append(relaxed, u)
				continue
			}
		}
		still = append(still, u)
	}
	return relaxed, still
}

// isPin says a specifier set pins one version: only == (or ===) clauses.
func isPin(s pep440.SpecifierSet) bool {
	for _, sp := range s {
		if op := sp.Operator(); op != "==" && op != "===" {
			return false
		}
	}
	return len(s) > 0
}

// othersFetched is fetch's reason when the test dependencies the index could satisfy were fetched
// without the others: which were left out, which pins were relaxed, and what was fetched.
func othersFetched(fetch *report.Fetch, others []string) string {
	var parts []string
	if len(fetch.MissingTestDeps)+len(fetch.UnmetTestDeps) > 0 {
		parts = append(parts, "the test dependencies the index cannot satisfy were left out ("+unavailable(fetch.MissingTestDeps, fetch.UnmetTestDeps)+")")
	}
	if len(fetch.RelaxedTestDeps) > 0 {
		parts = append(parts, "the test dependencies whose versions the index lacks ("+quoteList(fetch.RelaxedTestDeps)+") were fetched at the versions pip chose instead")
	}
	if len(fetch.UnfetchableTestDeps) > 0 {
		parts = append(parts, "the test dependencies pip could not fetch beside the package were left out ("+strings.Join(fetch.UnfetchableBecause, "; ")+")")
	}
	if len(parts) == 0 {
		// pip could not fetch them with the package's own dependencies, but alone it could:
		// the install says which of them cannot go beside the package.
		return "the test dependencies were fetched apart from the package's own: " + strings.Join(others, ", ")
	}
	return strings.Join(parts, "; ") + "; the others were fetched: " + strings.Join(others, ", ")
}

// sameProject reports whether two requirement strings name the same project.
func sameProject(a, b string) bool {
	ra, errA := pep440.ParseRequirement(a)
	rb, errB := pep440.ParseRequirement(b)
	return errA == nil && errB == nil && pep440.NormalizeName(ra.Name) == pep440.NormalizeName(rb.Name)
}

// probeTestRequirements asks for each requirement alone (fetch, with the package beside it) and
// returns those that failed, each with the last line of what pip said, at most 16 asked.
func probeTestRequirements(reqs []string, fetch func(r string) (*stepResult, error)) (bad, because []string, err error) {
	for i, r := range reqs {
		if i == 16 {
			break
		}
		res, err := fetch(r)
		if err != nil {
			return nil, nil, err
		}
		if !res.ok() {
			bad, because = append(bad, r), append(because, r+": "+lastLine(res.output))
		}
	}
	return bad, because, nil
}

// otherTestRequirements are the project's test requirements (its test requirements' and its test
// extras', markers evaluated for t's interpreter) but those the index cannot satisfy (missing names
// projects it does not have, unmet requirements it has no matching version of), as plain
// requirement strings for pip. The projects of relaxed pins (see relaxPins) come without a
// version. The package itself (an extra asking for another of its extras, whose requirements are
// among them) and direct references are left out. nil when nothing was left out or relaxed, or
// nothing is left.
func otherTestRequirements(t *target, src Source, self string, extras, testReqs, missing, unmet, relaxed []string) []string {
	if len(missing)+len(unmet)+len(relaxed) == 0 {
		return nil
	}
	return testRequirementsLess(t, src, self, extras, testReqs, missing, unmet, relaxed)
}

// testRequirementsLess is otherTestRequirements, whatever is left out (all of them, with nothing).
func testRequirementsLess(t *target, src Source, self string, extras, testReqs, missing, unmet, relaxed []string) []string {
	loose := map[string]bool{}
	for _, p := range relaxed {
		if r, err := pep440.ParseRequirement(p); err == nil {
			loose[pep440.NormalizeName(r.Name)] = true
		}
	}
	out := map[string]bool{}
	for _, m := range missing {
		out[pep440.NormalizeName(m)] = true
	}
	for _, u := range unmet {
		if r, err := pep440.ParseRequirement(u); err == nil {
			out[pep440.NormalizeName(r.Name)] = true
		}
	}
	reqs := make([]extraRequirement, 0, len(testReqs))
	for _, r := range testReqs {
		reqs = append(reqs, extraRequirement{raw: r})
	}
	reqs = append(reqs, testExtraRequirements(src, self, extras, t.pythonVersion)...)
	env := pep440.DefaultEnvironment(t.pythonVersion)
	var others []string
	seen := map[string]bool{}
	for _, req := range reqs {
		r, err := pep440.ParseRequirement(req.raw)
		if err != nil || r.URL != "" || out[pep440.NormalizeName(r.Name)] || (self != "" && pep440.NormalizeName(r.Name) == pep440.NormalizeName(self)) {
			continue
		}
		if r.Marker != nil {
			env["extra"] = req.extra
			if ok, err := r.Marker.Evaluate(env); err != nil || !ok {
				continue
			}
		}
		plain := r
		plain.Marker = nil
		if loose[pep440.NormalizeName(r.Name)] {
			plain.Specifier = nil
		}
		// Once per requirement, however its name is spelt (attrs' tests extra asks for
		// zope.interface, its cov extra for zope-interface).
		s := plain.String()
		key := pep440.NormalizeName(plain.Name) + strings.TrimPrefix(s, plain.Name)
		if !seen[key] {
			seen[key] = true
			others = append(others, s)
		}
	}
	return withoutBareDuplicates(others)
}

// withoutBareDuplicates is reqs without a requirement that names a project alone when another
// names it with a version or extras: it adds nothing to pip's resolution, and twice in the
// report it reads as two (Mako 1.2.4's tox.ini asks for pytest>=3.1.0, its testing extra for
// pytest).
func withoutBareDuplicates(reqs []string) []string {
	names := make([]string, len(reqs)) // a bare requirement's normalised name, "" for the others
	named := map[string]int{}
	for i, s := range reqs {
		if r, err := pep440.ParseRequirement(s); err == nil {
			n := pep440.NormalizeName(r.Name)
			named[n]++
			if len(r.Specifier) == 0 && len(r.Extras) == 0 && r.Marker == nil && r.URL == "" {
				names[i] = n
			}
		}
	}
	out := reqs[:0:0]
	for i, s := range reqs {
		if n := names[i]; n != "" && named[n] > 1 {
			named[n]--
			continue
		}
		out = append(out, s)
	}
	return out
}

// extraRequirement is one requirement of an extra, with the extra its markers are evaluated under.
type extraRequirement struct{ raw, extra string }

// testExtraRequirements are the requirements of the given extras as the sdist declares them,
// without building it: pyproject.toml's [project.optional-dependencies], the core metadata's
// Requires-Dist (its extra markers), and setuptools' egg-info requires.txt, where an sdist made
// by setuptools keeps a setup.py's extras ([test], [test:python_version < "3.12"]). An extra that
// asks for others of the project's own (attrs' tests: "attrs[tests-no-zope]", self its name)
// brings their requirements too, when its markers hold for that extra on pythonVersion (attrs'
// core metadata lists `attrs[docs,tests]; extra == 'dev'` among the lines every extra is read
// from: the docs' requirements are not the tests').
func testExtraRequirements(src Source, self string, extras []string, pythonVersion string) []extraRequirement {
	env := pep440.DefaultEnvironment(pythonVersion)
	var out []extraRequirement
	done := map[string]bool{}
	queue := slices.Clone(extras)
	for len(queue) > 0 && len(done) < 50 {
		e := queue[0]
		queue = queue[1:]
		if done[pep440.NormalizeName(e)] {
			continue
		}
		done[pep440.NormalizeName(e)] = true
		for _, req := range extraRequirements(src, e) {
			out = append(out, req)
			r, err := pep440.ParseRequirement(req.raw)
			if err != nil || self == "" || pep440.NormalizeName(r.Name) != pep440.NormalizeName(self) {
				continue
			}
			if r.Marker != nil {
				env["extra"] = req.extra
				if ok, err := r.Marker.Evaluate(env); err != nil || !ok {
					continue
				}
			}
			queue = append(queue, r.Extras...)
		}
	}
	return out
}

// extraRequirements are the requirements the sdist declares for one extra (see
// testExtraRequirements); those of the core metadata are all its extra-marked ones, which the
// caller's marker evaluation sorts out.
func extraRequirements(src Source, extra string) []extraRequirement {
	var out []extraRequirement
	want := pep440.NormalizeName(extra)
	if src.Pyproject != nil && src.Pyproject.Project != nil {
		for name, reqs := range src.Pyproject.Project.OptionalDependencies {
			if pep440.NormalizeName(name) == want {
				for _, r := range reqs {
					out = append(out, extraRequirement{raw: r, extra: extra})
				}
			}
		}
	}
	if src.Metadata != nil {
		for _, d := range src.Metadata.RequiresDist {
			if d.Marker != "" && strings.Contains(d.Marker, "extra") {
				out = append(out, extraRequirement{raw: d.Raw, extra: extra})
			}
		}
	}
	for _, r := range eggInfoRequires(src.Root) {
		if e, marker := r.Extra(), r.Marker(); e != "" && pep440.NormalizeName(e) == want {
			line := r.Line
			if marker != "" {
				line += "; " + marker
			}
			out = append(out, extraRequirement{raw: line, extra: extra})
		}
	}
	return out
}

// eggInfoRequires are the requirements of setuptools' egg-info requires.txt in an sdist (at its
// root or one level down, as a src layout has it), in file order: where an sdist made by
// setuptools keeps a setup.py's install_requires and extras_require.
func eggInfoRequires(root string) []pkgmeta.EggRequirement {
	var files []string
	for _, pattern := range []string{"*.egg-info/requires.txt", "*/*.egg-info/requires.txt"} {
		m, _ := filepath.Glob(filepath.Join(root, pattern))
		files = append(files, m...)
	}
	var out []pkgmeta.EggRequirement
	for _, f := range files {
		if data, err := readCapped(f, 1<<20); err == nil {
			out = append(out, pkgmeta.ParseEggRequires(string(data))...)
		}
	}
	return out
}
