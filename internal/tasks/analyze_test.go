package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pyti/pyti/internal/debwheel"
	"github.com/pyti/pyti/internal/localindex"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/testfs"
	"github.com/pyti/pyti/internal/testresult"
)

func TestMain(m *testing.M) {
	sandbox.MaybeRunHelper()
	os.Exit(m.Run())
}

// fixture is a real index on loopback serving the example projects, Debian's wheels and the test
// tools, shared by the tests of this file.
type fixture struct {
	dir    string
	url    string
	client *pypi.Client
	cache  string
}

var (
	fixtureOnce sync.Once
	shared      *fixture
	fixtureErr  error
)

func index(t *testing.T) *fixture {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end analyses are long; skipped with -short")
	}
	b := bwrap.New()
	if err := b.Check(); err != nil {
		t.Skipf("no sandbox: %v", err)
	}
	fixtureOnce.Do(func() {
		shared, fixtureErr = buildFixture("pyti-tasks-test-", "../../testdata/examples", true, nil,
			localindex.WithOnly("pure", "failing", "badactor", "forker", "buildfail", "missingdep", "base", "dependent", "newpython", "cext", "netneed", "doctests"))
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return shared
}

// buildFixture builds an index of the projects under src (with Debian's wheels, the test tools
// and the Debian packages debs as wheels; with the test image's own test tools too when image is
// set), serves it on loopback and returns a client for it.
func buildFixture(prefix, src string, image bool, debs []string, opts ...localindex.Option) (*fixture, error) {
	root, err := os.MkdirTemp("", prefix)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(root, "index")
	ctx := context.Background()
	opts = append([]localindex.Option{localindex.WithCacheDir(localindex.DefaultCacheDir()), localindex.WithDebianWheels("")}, opts...)
	if _, err := localindex.Build(ctx, src, dir, nil, opts...); err != nil {
		return nil, err
	}
	// A package not installed is an error (scripts/install-deps.sh installs them all).
	if _, err := debwheel.Build(ctx, dir, append(slices.Clone(debwheel.TestTools), debs...)); err != nil {
		return nil, err
	}
	// The matrix tests' image gets the test tools its own Debian release ships (a coverage
	// built for its Python), as PyPI would serve wheels for every interpreter.
	if root := testImageRoot(); image && root != "" {
		tools, err := debwheel.Dependencies(root, debwheel.TestTools)
		if err != nil {
			return nil, err
		}
		if _, err := debwheel.BuildFrom(ctx, root, dir, tools); err != nil {
			return nil, err
		}
	}
	srv, err := localindex.Start(dir)
	if err != nil {
		return nil, err
	}
	cache := filepath.Join(root, "cache")
	client, err := pypi.NewClient(pypi.Options{IndexURL: srv.SimpleURL(), CacheDir: cache, AllowPrivate: true, UserAgent: "pyti-test"})
	if err != nil {
		return nil, err
	}
	return &fixture{dir: dir, url: srv.SimpleURL(), client: client, cache: cache}, nil
}

func analyze(t *testing.T, spec string) *report.Report {
	t.Helper()
	f := index(t)
	dir := filepath.Join(t.TempDir(), "job")
	rep, err := Analyze(context.Background(), Request{Spec: spec}, Options{
		Client: f.client, IndexURL: f.url, Backend: bwrap.New(), Dir: dir,
		Logger: slog.New(slog.DiscardHandler),
		// pylint over pip's or setuptools' sources takes minutes; its time-out is a result too.
		LintTimeout: 3 * time.Minute,
	})
	if err != nil {
		t.Fatalf("analyze %s: %v", spec, err)
	}
	if rep.Verdict == report.VerdictError {
		t.Errorf("%s: PYTI failed: %s", spec, rep.Reason)
	}
	// Every artifact the report names is kept in the job directory (the store imports them all),
	// not in the work space that is removed when the analysis ends.
	for _, a := range rep.Artifacts {
		if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(a.Path))); err != nil {
			t.Errorf("%s: artifact %s/%s: %v", spec, a.Task, a.Name, err)
		}
	}
	return rep
}

func ruleIDs(rep *report.Report) map[string]bool {
	ids := map[string]bool{}
	for _, f := range rep.Findings {
		ids[f.RuleID] = true
	}
	return ids
}

// TestCleanExampleMatchesManualRun analyses a clean example and compares every figure with the
// same tools run by hand.
func TestCleanExampleMatchesManualRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		example string
		verdict report.Verdict
		// earlyLint: the lint begun on the sdist's copies beside the build is kept; not when a
		// module imports the extension module the build makes (cext), which pylint resolves.
		earlyLint bool
	}{
		{"pure", report.VerdictPassed, true},
		{"failing", report.VerdictTestsFailed, true},
		{"cext", report.VerdictPassed, false},
	} {
		t.Run(tc.example, func(t *testing.T) {
			t.Parallel()
			rep := analyze(t, "pyti-example-"+tc.example)
			if rep.Verdict != tc.verdict {
				t.Fatalf("verdict %s (%s), want %s", rep.Verdict, rep.Reason, tc.verdict)
			}
			if len(rep.Findings) != 0 {
				t.Errorf("a clean example has findings: %+v", rep.Findings)
			}
			// The examples' static pyproject.toml spared fetch preparing their metadata, and every
			// distribution they need is one pure wheel on the index (coverage one platform wheel):
			// fetched on the host, without a pip download (see TestLegacySetupRequires for one).
			if d := cmp.Diff([]string{"build requirements", "dependencies"}, rep.Results().Fetch.OnHost); d != "" || len(rep.Results().Fetch.Command) > 0 {
				t.Errorf("fetched on the host (-want +got):\n%s\npip ran as %q", d, rep.Results().Fetch.Command)
			}
			// pip ran from the unpacked, compiled copy (not the zipped wheel it falls back to),
			// through pip_main.py.
			wantPipMain(t, rep.Results().Install.Command)
			// The build ran the backend on a cached build environment, and the test dependencies
			// came from the cache: the fast paths are taken, not fallen back from silently.
			if rep.Results().Build.Frontend != "pyti" {
				t.Errorf("build frontend %q (%s), want pyti", rep.Results().Build.Frontend, rep.Results().Build.FrontendNote)
			}
			if rep.Results().Tests.DepsInstall != "cached" {
				t.Errorf("test dependencies installed by %q (%s), want cached", rep.Results().Tests.DepsInstall, rep.Results().Tests.DepsNote)
			}
			if !rep.Results().Fetch.StaticMetadata {
				t.Error("fetch prepared the metadata of a project whose pyproject.toml declares it statically")
			}
			// setuptools with wheel among its requirements asks for nothing more: they are
			// fetched first, and the build starts beside the download of the rest.
			checkBuildBesideFetch(t, rep)
			hand := manualRun(t, index(t).dir, "pyti-example-"+tc.example, rep)
			got := testresult.Counts(rep.Results().Tests.Results.Counts)
			got.Warnings = 0
			if d := cmp.Diff(hand.counts, got); d != "" {
				t.Errorf("test counts differ from pytest run by hand (-hand +pyti):\n%s", d)
			}
			if rep.Results().Tests.Coverage == nil || math.Abs(rep.Results().Tests.Coverage.Percent-hand.coverage) > 1 {
				t.Errorf("coverage %+v, by hand %.2f%%", rep.Results().Tests.Coverage, hand.coverage)
			}
			if rep.Lint == nil || rep.Lint.StyleTotal != hand.style {
				t.Errorf("pycodestyle total %v, by hand %d", rep.Lint, hand.style)
			} else if rep.Lint.Outcome != "ok" || rep.Lint.Scope == "" || len(rep.Lint.Linted) != rep.Lint.Files || rep.Lint.Files == 0 {
				// Messages found are a result: the phase is ok, and it says what it linted.
				t.Errorf("lint phase %q (%s), scope %q, linted %v of %d files", rep.Lint.Outcome, rep.Lint.Reason, rep.Lint.Scope, rep.Lint.Linted, rep.Lint.Files)
			} else if kept := strings.HasPrefix(rep.Lint.Reason, "linted while the wheel was built"); kept != tc.earlyLint {
				// The wheel ships the sdist's modules as they are: the lint begun beside the
				// build is kept.
				t.Errorf("lint phase %q: the lint of the sdist's copies kept %v, want %v", rep.Lint.Reason, kept, tc.earlyLint)
			}
			var pylint []string
			if rep.Lint != nil && rep.Lint.Pylint != nil {
				for _, m := range rep.Lint.Pylint.Messages {
					pylint = append(pylint, fmt.Sprintf("%s:%d:%s", m.Path, m.Line, m.Code))
				}
			}
			if d := cmp.Diff(hand.pylint, pylint, cmpopts.SortSlices(func(a, b string) bool { return a < b }), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("pylint messages differ from pylint run by hand in site-packages (-hand +pyti):\n%s", d)
			}
		})
	}
}

type manual struct {
	counts   testresult.Counts
	coverage float64
	style    int
	// pylint are pylint's messages (path:line:code) on the installed modules, run in site-packages.
	pylint []string
}

// manualRun does by hand what a maintainer would: a fresh venv, pip install offline, pytest under
// coverage in the unpacked sdist, pycodestyle on the installed modules. The examples it runs are our own,
// benign ones.
func manualRun(t *testing.T, indexDir, project string, rep *report.Report) manual {
	t.Helper()
	dir := t.TempDir()
	var sdist string
	for _, f := range rep.Files {
		if f.Kind == "sdist" {
			sdist = filepath.Join(indexDir, f.Filename)
		}
	}
	if sdist == "" {
		t.Fatal("no sdist in the report")
	}
	run := func(cwd string, name string, args ...string) string {
		cmd := exec.Command(name, args...)
		cmd.Dir = cwd
		cmd.Env = append(os.Environ(), "PIP_CONFIG_FILE=/dev/null", "PIP_NO_CACHE_DIR=1", "PIP_DISABLE_PIP_VERSION_CHECK=1")
		out, _ := cmd.CombinedOutput()
		return string(out)
	}
	run(dir, "tar", "xzf", sdist)
	entries, _ := filepath.Glob(filepath.Join(dir, "*", "PKG-INFO"))
	if len(entries) != 1 {
		t.Fatalf("unpacking %s by hand: %v", sdist, entries)
	}
	tree := filepath.Dir(entries[0])
	venv := filepath.Join(dir, "venv")
	run(dir, "/usr/bin/python3", "-m", "venv", "--without-pip", venv)
	pips, _ := filepath.Glob("/usr/share/python-wheels/pip-*.whl")
	py := filepath.Join(venv, "bin", "python")
	if out := run(dir, py, filepath.Join(pips[0], "pip"), "install", "--no-index", "--find-links", indexDir, project, "pytest", "coverage"); !strings.Contains(out, "Successfully installed") {
		t.Fatalf("pip install by hand:\n%s", out)
	}
	// Measure the installed package, named by its directory in site-packages.
	sites, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages"))
	var mods []string
	for _, m := range rep.Results().Import.Modules {
		if p := filepath.Join(sites[0], m.Name); exists(p) {
			mods = append(mods, p)
		} else {
			mods = append(mods, m.Name)
		}
	}
	out := run(tree, py, "-m", "coverage", "run", "--branch", "--source="+strings.Join(mods, ","), filepath.Join(venv, "bin", "pytest"), "-p", "no:cacheprovider")
	if i := strings.LastIndex(out, "=\n"); i >= 0 {
		out = out[:i+1] // coverage's warnings after pytest's closing line (cext: module-not-measured)
	}
	var m manual
	m.counts = closingLine(t, out)
	run(tree, py, "-m", "coverage", "json", "-o", filepath.Join(dir, "cov.json"))
	data, err := os.ReadFile(filepath.Join(dir, "cov.json"))
	if err != nil {
		t.Fatalf("coverage by hand: %v\n%s", err, out)
	}
	var cov struct {
		Totals struct {
			Percent float64 `json:"percent_covered"`
		} `json:"totals"`
	}
	if err := json.Unmarshal(data, &cov); err != nil {
		t.Fatal(err)
	}
	m.coverage = cov.Totals.Percent
	// pycodestyle on what the package ships, as installed: its modules in site-packages (the
	// examples ship no test files inside their packages).
	var shipped []string
	for _, mod := range rep.Results().Import.Modules {
		if mod.How != "" && mod.How != "name" {
			continue // a sweep of submodules or an import by location: the top-level entries cover it
		}
		p := filepath.Join(sites[0], filepath.FromSlash(strings.ReplaceAll(mod.Name, ".", "/")))
		if exists(p) {
			shipped = append(shipped, p)
		} else if exists(p + ".py") {
			shipped = append(shipped, p+".py")
		}
	}
	if len(shipped) == 0 {
		t.Fatalf("no installed module of %v in %s", rep.Results().Import.Modules, sites[0])
	}
	style := strings.TrimSpace(run(dir, "/usr/bin/python3", append([]string{"-m", "pycodestyle"}, shipped...)...))
	if style != "" {
		m.style = len(strings.Split(style, "\n"))
	}
	var rel []string
	for _, p := range shipped {
		rel = append(rel, strings.TrimPrefix(p, sites[0]+"/"))
	}
	lint := run(sites[0], "/usr/bin/python3", append([]string{"-m", "pylint", "--disable=duplicate-code", "--score=n", "--persistent=n", "--msg-template={path}:{line}:{msg_id}"}, rel...)...)
	for _, line := range strings.Split(lint, "\n") {
		// Informational messages (c-extension-no-member) are not counted, by pylint's score or PYTI.
		if strings.Count(line, ":") == 2 && !strings.HasPrefix(line, "*") && !strings.Contains(line, ":I") {
			m.pylint = append(m.pylint, line)
		}
	}
	return m
}

// closingLine reads pytest's "2 failed, 4 passed in 0.1s" line.
func closingLine(t *testing.T, out string) testresult.Counts {
	t.Helper()
	c, ok := testresult.ParseClosingLine(out)
	if !ok {
		t.Fatalf("no pytest closing line in:\n%s", out)
	}
	c.Warnings = 0
	return c
}

// TestBadActorIsReported: the example that misbehaves at install time is reported harmful, with
// the evidence of each thing it did, and the host is untouched.
func TestBadActorIsReported(t *testing.T) {
	t.Parallel()
	canaries := []string{"/root/.bashrc", "/root/.ssh", "/etc/passwd"}
	before := map[string]string{}
	for _, c := range canaries {
		before[c] = stamp(c)
	}
	rep := analyze(t, "pyti-example-badactor")
	if rep.Verdict != report.VerdictHarmful {
		t.Fatalf("verdict %s (%s), want harmful", rep.Verdict, rep.Reason)
	}
	ids := ruleIDs(rep)
	for _, want := range []string{"decoy-credential-read", "network-attempt", "persistence", "shell-command", "dns-lookup"} {
		if !ids[want] {
			t.Errorf("no %s finding; got %v", want, ids)
		}
	}
	// The upload to a collector by name reached PYTI's sinkhole: the finding names the URL, the
	// DNS name, and the data decoded.
	var upload *report.Finding
	for i, f := range rep.Findings {
		if f.RuleID == "sinkhole-credentials" && upload == nil {
			upload = &rep.Findings[i]
		}
	}
	if upload == nil {
		t.Errorf("no sinkhole-credentials finding; got %v", ids)
	} else {
		for _, m := range []string{"http://collect.pyti-canary.test/u?h=", "aws_access_key_id = AKIA" + sandbox.Canary, `"pyti-sandbox"`, "looked up collect.pyti-canary.test (PYTI's sinkhole answered 198.18."} {
			if !strings.Contains(upload.Message, m) {
				t.Errorf("sinkhole-credentials message does not mention %q: %s", m, upload.Message)
			}
		}
		if upload.Severity != report.SeverityCritical {
			t.Errorf("sinkhole-credentials is %s", upload.Severity)
		}
	}
	static := 0
	for _, f := range rep.Findings {
		if f.Source == "behavior" && len(f.Evidence) == 0 {
			t.Errorf("finding %s has no evidence", f.RuleID)
		}
		if f.Source == "behavior" && f.View != report.ViewSeen && f.View != report.ViewBoth ||
			f.Source == "static" && f.View != report.ViewRead && f.View != report.ViewBoth {
			t.Errorf("finding %s (%s) has view %q", f.RuleID, f.Source, f.View)
		}
		if f.Source == "static" && f.Severity.Rank() >= report.SeverityHigh.Rank() {
			static++
		}
	}
	if static == 0 {
		t.Errorf("reading the bad actor's code raised no high finding: %v", ids)
	}
	for _, c := range canaries {
		if stamp(c) != before[c] {
			t.Errorf("%s changed on the host", c)
		}
	}
}

// TestNetworkNeedingTests: a test suite that uses the network sees names resolve (to PYTI's
// sinkhole) and an outside address unreachable; its failures need the network, the sinkhole
// records its HTTPS contact, and nothing of it is more than a low finding.
func TestNetworkNeedingTests(t *testing.T) {
	t.Parallel()
	rep := analyze(t, "pyti-example-netneed")
	if rep.Verdict != report.VerdictTestsNetwork {
		t.Fatalf("verdict %s (%s), want tests-need-network", rep.Verdict, rep.Reason)
	}
	got := map[string]string{}
	for _, c := range rep.Results().Tests.Results.Cases {
		got[c.NodeID[strings.LastIndex(c.NodeID, "::")+2:]] = string(c.Outcome) + " " + string(c.Class)
	}
	want := map[string]string{
		"test_connect_outside":         "failed needs-network",
		"test_resolve_example_org":     "passed ",
		"test_fetch_https_example_org": "failed needs-network",
		"test_parse_host_port_offline": "passed ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("test cases (-want +got)\n%s", d)
	}
	ids := ruleIDs(rep)
	for _, id := range []string{"network-attempt-test", "dns-lookup-test", "sinkhole-request-test"} {
		if !ids[id] {
			t.Errorf("no %s finding; got %v", id, ids)
		}
	}
	for _, f := range rep.Findings {
		if f.Severity.Rank() > report.SeverityLow.Rank() {
			t.Errorf("finding %s is %s: %s", f.RuleID, f.Severity, f.Message)
		}
	}
	var contacts []string
	for _, c := range rep.Results().Tests.Behavior.Contacts {
		contacts = append(contacts, c.Protocol+" "+c.SNI+" "+c.Name)
	}
	if !slices.Contains(contacts, "tls example.org example.org") {
		t.Errorf("contacts %v, want the TLS one to example.org", contacts)
	}
}

func stamp(path string) string {
	info, err := os.Stat(path)
	if err != nil {
		return "absent"
	}
	return info.ModTime().String() + "/" + strconv.FormatInt(info.Size(), 10)
}

// TestFailuresAreNamed: a build that fails and a missing dependency get their verdicts and say why.
func TestFailuresAreNamed(t *testing.T) {
	t.Parallel()
	t.Run("buildfail", func(t *testing.T) {
		t.Parallel()
		rep := analyze(t, "pyti-example-buildfail")
		if rep.Verdict != report.VerdictBuild {
			t.Fatalf("verdict %s (%s), want build-failed", rep.Verdict, rep.Reason)
		}
		if rep.Results().Build == nil || !strings.Contains(strings.Join(rep.Results().Build.ErrorLines, "\n"), "error:") {
			t.Errorf("build error lines do not show the compiler error: %+v", rep.Results().Build)
		}
		if len(rep.Results().Build.Compilers) == 0 {
			t.Error("no compiler call recorded")
		}
		for _, task := range rep.Run.Tasks {
			if task.Name == "install" && (task.Status != "skipped" || !strings.Contains(task.Reason, "build")) {
				t.Errorf("install: %s %q, want skipped naming build", task.Status, task.Reason)
			}
		}
	})
	t.Run("missingdep", func(t *testing.T) {
		t.Parallel()
		rep := analyze(t, "pyti-example-missingdep")
		if rep.Verdict != report.VerdictImportFailed {
			t.Fatalf("verdict %s (%s), want import-failed", rep.Verdict, rep.Reason)
		}
		missing := ""
		for _, m := range rep.Results().Import.Modules {
			missing += m.Missing
		}
		if missing == "" {
			t.Errorf("no missing module named: %+v", rep.Results().Import.Modules)
		}
	})
}

// TestDependencyResolution: the dependent example pulls its dependency through the index proxy.
func TestDependencyResolution(t *testing.T) {
	t.Parallel()
	rep := analyze(t, "pyti-example-dependent")
	if rep.Verdict != report.VerdictPassed {
		t.Fatalf("verdict %s (%s), want passed", rep.Verdict, rep.Reason)
	}
	found := false
	for _, p := range rep.Results().Install.Packages {
		if p.Name == "pyti-example-base" || p.Name == "pyti_example_base" {
			found = p.Version == "1.1.0" || p.Version == "1.1"
		}
	}
	if !found {
		t.Errorf("base 1.1 not installed: %+v", rep.Results().Install.Packages)
	}
}

// TestDebianWheels: the real wheels Debian ships analyse end to end without an error in PYTI.
func TestDebianWheels(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"wheel", "setuptools", "pip"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			rep := analyze(t, name)
			for _, task := range rep.Run.Tasks {
				if task.Status == "failed" && task.Name != "test" && task.Name != "lint" {
					t.Errorf("%s: task %s failed: %s", name, task.Name, task.Error)
				}
			}
			if rep.Results().Import == nil || len(rep.Results().Import.Modules) == 0 {
				t.Errorf("%s: nothing imported", name)
			}
		})
	}
}

// TestSourceTreeWithSetupPy analyses a source directory (as a repository checkout is): a
// setup.py project with no PKG-INFO, whose name and version only the built wheel tells, and whose
// metadata preparation writes into the tree (so fetch must not use the read-only pristine one).
func TestSourceTreeWithSetupPy(t *testing.T) {
	t.Parallel()
	f := index(t)
	tree := filepath.Join(t.TempDir(), "checkout")
	if err := copyTree("../../testdata/examples/legacy", tree); err != nil {
		t.Fatal(err)
	}
	rep, _ := analyzeTreeOn(t, f, tree, bwrap.New())
	if rep.Verdict != report.VerdictPassed {
		t.Fatalf("verdict %s (%s), want passed", rep.Verdict, rep.Reason)
	}
	if rep.Results().Fetch.StaticMetadata {
		t.Error("a setup.py project's requirements were taken as static")
	}
	// PYTI prepared the metadata, on the cached build environment the build then used: no pip
	// filled one for the fetch, and the build did not ask the backend again what it needs.
	if !rep.Results().Fetch.PreparedMetadata {
		t.Error("the fetch did not prepare the metadata on the cached build environment")
	}
	if b := rep.Results().Fetch.Behavior; b == nil {
		t.Error("the fetch has no behaviour")
	} else {
		var hooks []string
		for _, cmd := range b.Executed {
			if strings.Contains(cmd, "lsb_release") || strings.Contains(cmd, script("pip_main.py")+" install") {
				t.Errorf("the fetch ran %q", cmd)
			}
			if _, hook, ok := strings.Cut(cmd, "_in_process.py "); ok {
				hooks = append(hooks, strings.Fields(hook)[0])
			}
		}
		if want := []string{"get_requires_for_build_wheel", "prepare_metadata_for_build_wheel"}; !slices.Equal(hooks, want) {
			t.Errorf("the fetch called the hooks %q, want %q", hooks, want)
		}
	}
	if b := rep.Results().Build; b == nil || b.Frontend != "pyti" || b.Behavior == nil {
		t.Errorf("build %+v, want PYTI's front end, traced", b)
	} else if cmds := strings.Join(b.Behavior.Executed, "\n"); strings.Contains(cmds, "get_requires_for_build_wheel") || !strings.Contains(cmds, "_in_process.py build_wheel") {
		t.Errorf("the build asked the backend again for its requirements, or did not build: %s", cmds)
	}
	if rep.Project != "pyti-example-legacy" || rep.Version != "1.0.0" {
		t.Errorf("project %q version %q, want the wheel's name and version", rep.Project, rep.Version)
	}
}

// TestCachedEnvironmentsFallBack: the build and test environments from the cache give way where
// pip's own answer could differ. A backend asking for more than build-system.requires gets a
// second environment, as pip's "normal" prefix. Test dependencies that share a project with the
// installed environment at the same version (pytest needs packaging, which the project depends
// on) still come from the cache; at another version pip installs them (see TestSharedDists).
// Either way the results are pip's.
func TestCachedEnvironmentsFallBack(t *testing.T) {
	t.Parallel()
	f := index(t)
	// setuptools 66's get_requires_for_build_wheel asks for wheel.
	tree := pureDependingOn(t, `requires = ["setuptools>=61"]`, `"packaging"`)
	out := filepath.Join(t.TempDir(), "job")
	rep, err := Analyze(context.Background(), Request{Spec: tree, Path: tree}, Options{
		Client: f.client, IndexURL: f.url, Backend: bwrap.New(), Dir: out,
		Logger: slog.New(slog.DiscardHandler), LintTimeout: 3 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != report.VerdictPassed {
		t.Fatalf("verdict %s (%s), want passed", rep.Verdict, rep.Reason)
	}
	if rep.Results().Build.Frontend != "pyti" {
		t.Errorf("build frontend %q (%s), want pyti", rep.Results().Build.Frontend, rep.Results().Build.FrontendNote)
	}
	second, err := os.ReadFile(filepath.Join(out, "raw", "build", "pep517-build-2.strace"))
	if err != nil {
		t.Errorf("no second front-end run with the backend's own requirements: %v", err)
	}
	// As pip does, the backend is asked for its requirements once: the second run builds.
	if s := string(second); err == nil && (strings.Contains(s, "get_requires_for_build_wheel") || !strings.Contains(s, "build_wheel")) {
		t.Errorf("the second front-end run asked the backend again, or did not build")
	}
	// pytest needs packaging, which the project depends on: the same distribution in both, so
	// the cached test dependencies serve (TestSharedDists has the versions that differ).
	if rep.Results().Tests.DepsInstall != "cached" {
		t.Errorf("test dependencies: %q (%s), want cached: packaging is shared at one version", rep.Results().Tests.DepsInstall, rep.Results().Tests.DepsNote)
	}
	if c := rep.Results().Tests.Results.Counts; c.Passed == 0 || c.Failed != 0 {
		t.Errorf("test counts %+v, want all passed", c)
	}
}

// TestConfiguredDoctests: a project whose only tests are doctests, which its pytest configuration
// asks for (--doctest-modules --doctest-glob=*.rst), has them run from the installed package and
// its documentation, and measured.
func TestConfiguredDoctests(t *testing.T) {
	t.Parallel()
	rep := analyze(t, "pyti-example-doctests")
	tests := rep.Results().Tests
	if tests == nil || tests.Results == nil {
		t.Fatalf("verdict %s (%s): no test results", rep.Verdict, rep.Reason)
	}
	if want := "doctests in the modules and in docs/usage.rst, as its pytest configuration asks"; tests.Found != want {
		t.Errorf("found %q, want %q", tests.Found, want)
	}
	passedAs(t, rep, map[string]string{
		"__init__.py::pyti_example_doctests":                              "passed",
		"convert.py::pyti_example_doctests.convert.celsius_to_fahrenheit": "passed",
		"convert.py::pyti_example_doctests.convert.fahrenheit_to_celsius": "passed",
		"docs/usage.rst::usage.rst":                                       "passed",
	})
	// The doctests run every line of the installed modules, and only those are measured.
	if c := measured(t, rep, "pyti_example_doctests/__init__.py", "pyti_example_doctests/convert.py"); c.Percent != 100 {
		t.Errorf("coverage %.2f%%, want 100%%", c.Percent)
	}
}

// TestLegacySetupRequires: a dependency that the index has only as an sdist declaring
// setup_requires (execnet 1.9's setuptools_scm) is built while the package is installed, offline:
// setuptools runs `pip wheel` for what setup_requires names, and that pip finds it in the
// wheelhouse, where the fetch put it.
func TestLegacySetupRequires(t *testing.T) {
	t.Parallel()
	dir := copyOfIndex(t)
	makeSdist(t, dir, "legacydep-1.0.tar.gz", "legacydep-1.0", map[string]string{
		"PKG-INFO":     "Metadata-Version: 2.1\nName: legacydep\nVersion: 1.0\n",
		"setup.py":     "from setuptools import setup\nsetup(name='legacydep', version='1.0', py_modules=['legacydep'], setup_requires=['iniconfig'])\n",
		"legacydep.py": "VALUE = 1\n",
	})
	url, client := serveIndex(t, dir)
	tree := pureDependingOn(t, `requires = ["setuptools>=61", "wheel"]`, `"legacydep"`)
	rep, _ := analyzeTreeOn(t, &fixture{url: url, client: client}, tree, bwrap.New())
	if rep.Verdict != report.VerdictPassed {
		t.Fatalf("verdict %s (%s), want passed", rep.Verdict, rep.Reason)
	}
	var names []string
	for _, p := range rep.Results().Install.Packages {
		names = append(names, p.Name)
	}
	if !slices.Contains(names, "legacydep") {
		t.Errorf("installed %v, want legacydep among them", names)
	}
	// legacydep is only an sdist: pip downloads the dependencies (the build requirements, pure
	// wheels, came from the host), without site, so that it does not read the metadata of every
	// distribution on the system's sys.path.
	if d := cmp.Diff([]string{"build requirements"}, rep.Results().Fetch.OnHost); d != "" {
		t.Errorf("fetched on the host (-want +got):\n%s", d)
	}
	fetch := rep.Results().Fetch.Command
	if len(fetch) < 2 || fetch[1] != "-S" {
		t.Errorf("pip download ran as %q, want the interpreter's -S", fetch)
	} else {
		wantPipMain(t, slices.Delete(slices.Clone(fetch), 1, 2))
	}
}

// wantPipMain checks that pip ran from the unpacked, compiled copy (not the zipped wheel it falls
// back to), through pip_main.py.
func wantPipMain(t *testing.T, cmd []string) {
	t.Helper()
	if len(cmd) < 3 || cmd[1] != script("pip_main.py") || cmd[2] != insidePip {
		t.Errorf("pip ran as %q, want pip_main.py with %s", cmd, insidePip)
	}
}

// TestLegacyBuildByPipIsIsolated: where pip builds the wheel (what the backend asks for beyond
// the build requirements, setup.py's setup_requires, is only a source distribution on the index,
// so no cached build environment can be proved to be the one pip would make), a project without
// pyproject.toml is built in pip's isolation too: its setup.py, which records which of the host's
// Debian packages it could import, sees none (fonttools' setup.py compiled its extensions with
// the host's Cython).
func TestLegacyBuildByPipIsIsolated(t *testing.T) {
	t.Parallel()
	dir := copyOfIndex(t)
	makeSdist(t, dir, "tomli_w-1.0.0.tar.gz", "tomli_w-1.0.0", map[string]string{
		"PKG-INFO":   "Metadata-Version: 2.1\nName: tomli_w\nVersion: 1.0.0\n",
		"setup.py":   "from setuptools import setup\nsetup(name='tomli_w', version='1.0.0', py_modules=['tomli_w'])\n",
		"tomli_w.py": "def dumps(obj):\n    return ''\n",
	})
	url, client := serveIndex(t, dir)
	tree := filepath.Join(t.TempDir(), "checkout")
	if err := copyTree("testdata/projects/hostpkgs", tree); err != nil {
		t.Fatal(err)
	}
	setupPy := filepath.Join(tree, "setup.py")
	data, err := os.ReadFile(setupPy)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(setupPy, []byte(strings.Replace(string(data), "setup(\n", "setup(\n    setup_requires=['tomli_w'],\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	rep, dir := analyzeTreeOn(t, &fixture{url: url, client: client}, tree, bwrap.New())
	b := rep.Results().Build
	if b == nil || b.Frontend != "pip" {
		t.Fatalf("build %+v, want pip's: the backend asks for a source distribution", b)
	}
	// pip's build isolation filled its environment with a second pip: that one ran through
	// pip_main.py too, without the lsb_release probe.
	if b.Behavior == nil {
		t.Error("the build has no behaviour")
	} else {
		children := 0
		for _, cmd := range b.Behavior.Executed {
			if strings.Contains(cmd, "lsb_release") {
				t.Errorf("the build ran %q", cmd)
			}
			if strings.Contains(cmd, script("pip_main.py")+" install") {
				children++
			}
		}
		if children == 0 {
			t.Errorf("no pip ran through pip_main.py to fill the build environment: %q", b.Behavior.Executed)
		}
	}
	// That pip ignores what is installed, and left the interpreter's site-packages alone.
	if n := childPipMetadataReads(t, filepath.Join(dir, "raw", "build", "pip-wheel.strace")); n != 0 {
		t.Errorf("the pip filling the build environment read %d metadata files of the interpreter's site-packages", n)
	}
	if rep.Verdict != report.VerdictPassed {
		t.Fatalf("verdict %s (%s), want passed: the build saw the host's packages", rep.Verdict, rep.Reason)
	}
}

// TestSetupPyTestsRequire: setup.py's tests_require, which setuptools keeps out of the metadata,
// names what the tests run with, before tox.ini's deps: pyrsistent 0.20.0 declares hypothesis
// there alone, and its tox.ini runs `setup.py test`, which installs it (its deps: setuptools).
// The tests also see tox.ini's setenv, as tox runs them (zipp's PYTHONWARNDEFAULTENCODING).
func TestSetupPyTestsRequire(t *testing.T) {
	t.Parallel()
	dir := copyOfIndex(t)
	makeWheel(t, dir, "trdep", "1.0", map[string]string{"trdep.py": "VALUE = 42\n"})
	url, client := serveIndex(t, dir)
	tree := filepath.Join(t.TempDir(), "checkout")
	testfs.Write(t, tree, map[string]string{
		"setup.py":  "from setuptools import setup\n\nTESTS = ['trdep']\nsetup(name='usestr', version='1.0', py_modules=['usestr'], tests_require=TESTS)\n",
		"usestr.py": "def value():\n    return 42\n",
		"tests/test_usestr.py": "import os\n\nimport trdep\nimport usestr\n\n\ndef test_value():\n    assert usestr.value() == trdep.VALUE\n\n\n" +
			"def test_setenv():\n    assert os.environ.get('USESTR_MODE') == 'strict'\n",
		"tox.ini": "[testenv]\ncommands = python setup.py test\ndeps = setuptools\nsetenv =\n    USESTR_MODE = strict\n    PATH = {toxinidir}/bin\n",
	})
	rep, _ := analyzeTreeOn(t, &fixture{url: url, client: client}, tree, bwrap.New())
	if rep.Verdict != report.VerdictPassed {
		t.Fatalf("verdict %s (%s), want passed: trdep, which setup.py's tests_require names, was not installed", rep.Verdict, rep.Reason)
	}
	if f := rep.Results().Fetch; !f.PreparedMetadata {
		t.Errorf("fetch %+v: PYTI did not prepare the metadata, so it could not read tests_require", f)
	}
	if got := rep.Results().Tests.Results.Counts.Passed; got != 2 {
		t.Errorf("%d passed, want 2", got)
	}
	// With the metadata prepared, the build requirements are there a run before the rest: the
	// build starts then, beside the fetch's download of the dependencies and the test tools.
	checkBuildBesideFetch(t, rep)
}

// checkBuildBesideFetch checks that the build ran beside the fetch, which published its
// requirements before fetching the rest: when the inspection, which holds the analysis' other
// place, ended before the fetch, the build started before the fetch ended.
func checkBuildBesideFetch(t *testing.T, rep *report.Report) {
	t.Helper()
	tasks := map[string]report.TaskRecord{}
	for _, task := range rep.Run.Tasks {
		tasks[task.Name] = task
	}
	fetch, build, inspect := tasks["fetch"], tasks["build"], tasks["inspect"]
	if inspect.End.Before(fetch.End) && !build.Start.Before(fetch.End) {
		t.Errorf("the build started at %v, after the fetch ended (%v), the inspection ended at %v", build.Start, fetch.End, inspect.End)
	}
}

// childPipMetadataReads counts the distribution metadata files of a site-packages directory
// that the pips started through pip_main.py to fill a build environment opened, in a trace.
func childPipMetadataReads(t *testing.T, path string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	children := map[string]bool{}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		pid, _, _ := strings.Cut(line, " ")
		if strings.Contains(line, "execve(") && strings.Contains(line, `pip_main.py", "install", "--ignore-installed"`) {
			children[pid] = true
		}
		if children[pid] && strings.Contains(line, "openat(") && strings.Contains(line, "-packages/") &&
			(strings.Contains(line, `/METADATA"`) || strings.Contains(line, `/PKG-INFO"`)) && !strings.Contains(line, "ENOENT") &&
			!strings.Contains(line, "/pip-build-env-") {
			n++
		}
	}
	return n
}

// copyOfIndex copies the shared example index's files into a directory of the test's own, for
// a test that adds distributions to it.
func copyOfIndex(t *testing.T) string {
	t.Helper()
	shared := index(t)
	dir := filepath.Join(t.TempDir(), "index")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(shared.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			if err := copyFile(filepath.Join(shared.dir, e.Name()), filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// pureDependingOn is a copy of the pure example whose build-system requires line is requires and
// whose project depends on deps (a TOML list's items), for an analysis of a source tree.
func pureDependingOn(t *testing.T, requires, deps string) string {
	t.Helper()
	tree := filepath.Join(t.TempDir(), "checkout")
	if err := copyTree("../../testdata/examples/pure", tree); err != nil {
		t.Fatal(err)
	}
	pyproject := filepath.Join(tree, "pyproject.toml")
	data, err := os.ReadFile(pyproject)
	if err != nil {
		t.Fatal(err)
	}
	const license = `license = {text = "MIT"}`
	if !strings.Contains(string(data), `requires = ["setuptools>=61", "wheel"]`) || !strings.Contains(string(data), license) {
		t.Fatal("the example's pyproject.toml changed: update this test")
	}
	text := strings.Replace(string(data), `requires = ["setuptools>=61", "wheel"]`, requires, 1)
	text = strings.Replace(text, license, license+"\ndependencies = ["+deps+"]", 1)
	if err := os.WriteFile(pyproject, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return tree
}

// serveIndex serves the distributions in dir as an index on loopback for the test, and returns
// its URL and a client of it.
func serveIndex(t *testing.T, dir string) (string, *pypi.Client) {
	t.Helper()
	srv, err := localindex.Start(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	client, err := pypi.NewClient(pypi.Options{IndexURL: srv.SimpleURL(), CacheDir: t.TempDir(), AllowPrivate: true, UserAgent: "pyti-test"})
	if err != nil {
		t.Fatal(err)
	}
	return srv.SimpleURL(), client
}
