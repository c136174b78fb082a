package tasks

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/sandboxfake"
	"github.com/pyti/pyti/internal/testfs"
)

// The tests of this file run the whole pipeline on a small project with the fake sandbox
// backend: no bwrap, strace, pip or network, each sandboxed command answered with the output
// pip gives in the case under test. They check the decisions the task logic takes on those
// answers — fetch's fallbacks, a failed build or install, a limit hit — and the report and
// verdict that come out. The end-to-end tests (analyze_test.go) run the same paths for real.

// fakeProject writes a source tree of fakepkg 1.0, built by setuptools. Its pyproject.toml
// declares its requirements statically (the dependency dep, the test extra's testdep); a legacy
// project has a setup.py instead, whose requirements only pip preparing its metadata learns.
func fakeProject(t *testing.T, legacy bool) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "fakepkg")
	files := map[string]string{
		"pyproject.toml": `[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "fakepkg"
version = "1.0"
dependencies = ["dep"]

[project.optional-dependencies]
test = ["testdep"]
`,
		"fakepkg/__init__.py": "VALUE = 1\n",
	}
	if legacy {
		delete(files, "pyproject.toml")
		files["setup.py"] = "from setuptools import setup\nsetup(name='fakepkg', version='1.0', packages=['fakepkg'], install_requires=['dep'])\n"
	}
	testfs.Write(t, root, files)
	return root
}

// fakeWheel is a valid wheel of fakepkg 1.0 (its RECORD with every file's hash), as bytes.
func fakeWheel(t *testing.T) string {
	t.Helper()
	path := makeWheel(t, t.TempDir(), "fakepkg", "1.0", map[string]string{
		"fakepkg/__init__.py":                 "VALUE = 1\n",
		"fakepkg-1.0.dist-info/top_level.txt": "fakepkg\n",
		"@metadata":                           "Requires-Dist: dep\nProvides-Extra: test\nRequires-Dist: testdep; extra == \"test\"\n",
	})
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// fakePipWheel is a stand-in for Debian's pip wheel: the job unpacks it and has the sandbox
// compile it, and pip's steps name it; no pip runs.
func fakePipWheel(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "pip-24.0-py3-none-any.whl")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, name := range []string{"pip/__init__.py", "pip/__main__.py"} {
		if _, err := zw.Create(name); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// emptyIndex is a loopback index that has no project: the host's questions about test
// dependencies are answered "no such project", so that the fetch leaves testdep out of pip's
// download, whatever the fake pip would say of it.
func emptyIndex(t *testing.T) *pypi.Client {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	c, err := pypi.NewClient(pypi.Options{IndexURL: srv.URL + "/simple/", CacheDir: t.TempDir(), AllowPrivate: true, UserAgent: "pyti-test"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// pip's words for the cases under test.
const (
	noDep       = "ERROR: Could not find a version that satisfies the requirement dep (from versions: none)\nERROR: No matching distribution found for dep\n"
	noTestDep   = "ERROR: Could not find a version that satisfies the requirement testdep (from versions: none)\nERROR: No matching distribution found for testdep\n"
	brokenPip   = "ERROR: Exception:\nTraceback (most recent call last):\nOSError: [Errno 5] Input/output error\n"
	metadataErr = "Processing /work/fetch/fakepkg\n  Preparing metadata (setup.py): started\n  error: subprocess-exited-with-error\n  \n  × python setup.py egg_info did not run successfully.\n  │ exit code: 1\n  ╰─> [3 lines of output]\n      Traceback (most recent call last):\n      ModuleNotFoundError: No module named 'numpy'\n      [end of output]\nerror: metadata-generation-failed\n"
	buildErr    = "running bdist_wheel\nsrc/fast.c:1:10: fatal error: Python.h: No such file or directory\nerror: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1\n"
)

// fakeRules are the answers of one case: the pip downloads (told apart by their requirements),
// the build, and the steps every case shares.
type fakeRules struct {
	// pkg is the argv word that names the package (or its requirements) in a download, build
	// the build-system requirement's: they differ for a legacy project.
	pkg, buildReq string

	download, essential, buildOnly, tools sandboxfake.Reply
	build                                 sandboxfake.Rule // nil Has: the build is not reached
	install                               sandboxfake.Reply
}

func (f fakeRules) rules() []sandboxfake.Rule {
	ok := sandboxfake.Reply{}
	build := f.build
	build.Has = []string{"wheel", "--no-index", "--wheel-dir"}
	return []sandboxfake.Rule{
		// The first download asks for everything: the package's requirements with the test
		// extra's, the build's and the test tools.
		{Has: []string{"download", f.pkg, f.buildReq, "pytest"}, Reply: f.download},
		// Then what is essential: the package's requirements and the build's.
		{Has: []string{"download", f.pkg, f.buildReq}, Lacks: []string{"pytest"}, Reply: f.essential},
		// What the build needs and the tools, without the package's requirements.
		{Has: []string{"download", f.buildReq, "pytest"}, Lacks: []string{f.pkg}, Reply: f.buildOnly},
		// The test tools alone.
		{Has: []string{"download", "pytest"}, Lacks: []string{f.buildReq}, Reply: f.tools},
		// The build requirements alone, for PYTI to prepare the metadata on the cached build
		// environment, which the fake cannot make (below): pip prepares it.
		{Has: []string{"download", f.buildReq}, Lacks: []string{f.pkg, "pytest"}, Reply: ok},
		// PYTI's own steps: pip compiled once, the static scanner (which reads the one module),
		// the build environment (which the fake leaves empty: the build falls back to pip
		// wheel), the fresh environment.
		{Has: []string{"compileall"}, Reply: ok},
		{Has: []string{"-I"}, Do: func(spec sandbox.Spec) sandboxfake.Reply {
			// python3 -I static_scan.py ROOT OUT CONFIG, after the low-priority wrapper.
			args := spec.Argv[slices.Index(spec.Argv, "-I")+1:]
			if len(args) < 3 || !strings.HasSuffix(args[0], "/static_scan.py") {
				return sandboxfake.Reply{ExitCode: 2, Stderr: "not the static scanner: " + strings.Join(spec.Argv, " ")}
			}
			facts := `{"t":"file","file":"fakepkg/__init__.py","role":"module","parse":"ast"}` + "\n" + `{"t":"done","seconds":0.01}` + "\n"
			return sandboxfake.Reply{Files: map[string]string{args[2]: facts}}
		}},
		{Has: []string{"install", "--prefix"}, Reply: sandboxfake.Reply{ExitCode: 1, Stderr: "ERROR: no build environment in a fake\n"}},
		{Has: []string{"-m", "venv"}, Reply: ok},
		build,
		{Has: []string{"install", "--no-index"}, Reply: f.install},
		// lint's tools, once a wheel is built: nothing to say.
		{Has: []string{"pycodestyle"}, Reply: ok},
		{Has: []string{"pyflakes"}, Reply: ok},
		{Has: []string{script("pylint_alone.py")}, Reply: ok},
	}
}

// readsSSHKey is a trace (as strace writes it around PYTI's init) of a build whose setup.py reads
// the decoy SSH key.
const readsSSHKey = `100  1796288737.566576 execve("/.pyti/init", ["/.pyti/init"], 0x55ee03508500 /* 3 vars */) = 0
100  1796288737.575050 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f607d6ff990) = 101
101  1796288737.752597 execve("/usr/bin/python3", ["/usr/bin/python3", "setup.py", "bdist_wheel"], 0x30e3025803f0 /* 16 vars */) = 0
101  1796288737.800000 openat(AT_FDCWD</work/build/tree>, "/home/pyti/.ssh/id_rsa", O_RDONLY|O_CLOEXEC) = 3</home/pyti/.ssh/id_rsa>
101  1796288737.800100 read(3</home/pyti/.ssh/id_rsa>, "-----BEGIN OPENSSH PRIVATE KEY-----"..., 4096) = 411
101  1796288737.900000 exit_group(0)     = ?
101  1796288737.900100 +++ exited with 0 +++
100  1796288737.900200 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=101, si_uid=1000, si_status=0, si_utime=0, si_stime=0} ---
100  1796288737.950000 exit_group(0)     = ?
100  1796288737.950100 +++ exited with 0 +++
`

// buildsWheel is a pip wheel that leaves a valid wheel where --wheel-dir says.
func buildsWheel(t *testing.T) sandboxfake.Rule {
	whl := fakeWheel(t)
	return sandboxfake.Rule{Do: func(spec sandbox.Spec) sandboxfake.Reply {
		dir := sandboxfake.ArgAfter(spec.Argv, "--wheel-dir")
		return sandboxfake.Reply{Stdout: "Successfully built fakepkg\n", Files: map[string]string{dir + "/fakepkg-1.0-py3-none-any.whl": whl}}
	}}
}

func TestFakeBackendOutcomes(t *testing.T) {
	fail := func(out string) sandboxfake.Reply { return sandboxfake.Reply{ExitCode: 1, Stderr: out} }
	buildFails := sandboxfake.Rule{Reply: fail(buildErr)}
	// result is what a case checks of the report.
	type result struct {
		Verdict         report.Verdict
		Reason          string
		Fetch           string // outcome: reason
		MissingTestDeps []string
		Build           string // outcome (frontend)
		BuildError      []string
		Install         string // outcome
		Tasks           map[string]report.TaskStatus
		Findings        []string // rule ids, with the phase of a behaviour finding
		CodeRan         []string
	}
	// What inspect says of the project itself, in every case.
	project := []string{"empty-information@inspect", "single-python-file@inspect"}
	tests := []struct {
		name   string
		legacy bool // a setup.py project (fakeProject)
		rules  fakeRules
		want   result
	}{
		{
			name:  "a dependency the index does not have: built without it, verdict unresolvable",
			rules: fakeRules{download: fail(noDep), essential: fail(noDep), buildOnly: sandboxfake.Reply{}, build: buildFails},
			want: result{
				Verdict: report.VerdictFetch,
				Reason:  "pip could not fetch the package's dependencies (ERROR: No matching distribution found for dep)",
				Fetch:   "exit: pip could not fetch the package's dependencies (ERROR: No matching distribution found for dep): the package is still built, installed without its dependencies and imported with stand-ins for them, so that its code runs",
				Build:   "exit (pip)", BuildError: []string{"src/fast.c:1:10: fatal error: Python.h: No such file or directory", "error: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1"},
				Tasks:    map[string]report.TaskStatus{"inspect": "ok", "fetch": "ok", "build": "failed", "venv": "ok", "install": "skipped", "import": "skipped", "test": "skipped", "lint": "skipped"},
				Findings: project,
			},
		},
		{
			name:   "the package's own setup.py fails while pip prepares its metadata: the build shows it",
			legacy: true,
			rules:  fakeRules{download: fail(metadataErr), essential: fail(metadataErr), buildOnly: sandboxfake.Reply{}, build: sandboxfake.Rule{Reply: fail(metadataErr)}},
			want: result{
				Verdict: report.VerdictBuild,
				Reason:  "the build failed (exit status 1): ModuleNotFoundError: No module named 'numpy'",
				Fetch:   "exit: pip could not prepare the package's metadata, because its build code failed (ModuleNotFoundError: No module named 'numpy'): only the build requirements and the test tools were fetched, and the build shows the error",
				Build:   "exit (pip)", BuildError: []string{"  error: subprocess-exited-with-error", "      ModuleNotFoundError: No module named 'numpy'", "error: metadata-generation-failed"},
				Tasks:    map[string]report.TaskStatus{"inspect": "ok", "fetch": "ok", "build": "failed", "venv": "ok", "install": "skipped", "import": "skipped", "test": "skipped", "lint": "skipped"},
				Findings: project,
				CodeRan:  []string{"setup.py during fetch (pip's metadata preparation, in a fetch that failed)", "setup.py during build"},
			},
		},
		{
			name:  "nothing can be fetched: verdict unresolvable, from pip's error",
			rules: fakeRules{download: fail(brokenPip), essential: fail(brokenPip)},
			want: result{
				Verdict:  report.VerdictFetch,
				Reason:   "pip could not fetch the package and its dependencies (exit status 1): OSError: [Errno 5] Input/output error",
				Fetch:    "exit: ERROR: Exception:\nOSError: [Errno 5] Input/output error",
				Tasks:    map[string]report.TaskStatus{"inspect": "ok", "fetch": "failed", "build": "skipped", "venv": "skipped", "install": "skipped", "import": "skipped", "test": "skipped", "lint": "skipped"},
				Findings: project,
			},
		},
		{
			name:  "a test dependency the index does not have: the build goes on, and its failure is the verdict",
			rules: fakeRules{download: fail(noTestDep), essential: sandboxfake.Reply{}, tools: sandboxfake.Reply{}, build: buildFails},
			want: result{
				Verdict:         report.VerdictBuild,
				Reason:          "the build failed (exit status 1): src/fast.c:1:10: fatal error: Python.h: No such file or directory",
				Fetch:           "ok: the test dependencies could not be fetched: ERROR: No matching distribution found for testdep",
				MissingTestDeps: []string{"testdep"},
				Build:           "exit (pip)", BuildError: []string{"src/fast.c:1:10: fatal error: Python.h: No such file or directory", "error: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1"},
				Tasks:    map[string]report.TaskStatus{"inspect": "ok", "fetch": "ok", "build": "failed", "venv": "ok", "install": "skipped", "import": "skipped", "test": "skipped", "lint": "skipped"},
				Findings: project,
			},
		},
		{
			name:  "the build hits the wall-clock limit: verdict timeout",
			rules: fakeRules{build: sandboxfake.Rule{Reply: sandboxfake.Reply{Outcome: sandbox.OutcomeTimeout, ExitCode: 137, Stdout: "running build_ext\n", Reason: "wall-clock limit of 20m0s exceeded; every process killed"}}},
			want: result{
				Verdict:         report.VerdictTimeout,
				Reason:          "timeout: wall-clock limit of 20m0s exceeded; every process killed",
				Fetch:           "ok: the test dependencies could not be fetched: `testdep` not on the index",
				MissingTestDeps: []string{"testdep"},
				Build:           "timeout (pip)", BuildError: []string{"running build_ext"},
				Tasks:    map[string]report.TaskStatus{"inspect": "ok", "fetch": "ok", "build": "failed", "venv": "ok", "install": "skipped", "import": "skipped", "test": "skipped", "lint": "skipped"},
				Findings: project,
			},
		},
		{
			name: "the build reads a planted credential (in its canned trace): verdict harmful, beside its success",
			rules: fakeRules{build: func() sandboxfake.Rule {
				r := buildsWheel(t)
				do := r.Do
				r.Do = func(spec sandbox.Spec) sandboxfake.Reply {
					reply := do(spec)
					reply.Trace = readsSSHKey
					return reply
				}
				return r
			}(), install: sandboxfake.Reply{ExitCode: 1, Stderr: "ERROR: not installed in this case\n"}},
			want: result{
				Verdict:         report.VerdictHarmful,
				Reason:          "/home/pyti/.ssh/id_rsa — Credential file read: While the wheel was built: python3 (pid 101) opened /home/pyti/.ssh/id_rsa, a planted fake credential; it succeeded. Real code has no reason to read another user's secrets.",
				Fetch:           "ok: the test dependencies could not be fetched: `testdep` not on the index",
				MissingTestDeps: []string{"testdep"},
				Build:           "ok (pip)",
				Install:         "exit",
				Tasks:           map[string]report.TaskStatus{"inspect": "ok", "fetch": "ok", "build": "ok", "venv": "ok", "install": "failed", "import": "skipped", "test": "skipped", "lint": "ok"},
				Findings:        append([]string{"decoy-credential-read@build"}, project...),
			},
		},
		{
			name:  "the wheel is built but does not install: verdict install-failed",
			rules: fakeRules{build: buildsWheel(t), install: fail("ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device\n")},
			want: result{
				Verdict:         report.VerdictInstall,
				Reason:          "installing failed (exit status 1): ERROR: Could not install packages due to an OSError: [Errno 28] No space left on device",
				Fetch:           "ok: the test dependencies could not be fetched: `testdep` not on the index",
				MissingTestDeps: []string{"testdep"},
				Build:           "ok (pip)",
				Install:         "exit",
				Tasks:           map[string]report.TaskStatus{"inspect": "ok", "fetch": "ok", "build": "ok", "venv": "ok", "install": "failed", "import": "skipped", "test": "skipped", "lint": "ok"},
				Findings:        project,
			},
		},
	}
	pip := fakePipWheel(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rules := tc.rules
			rules.pkg, rules.buildReq = "dep", "setuptools"
			if tc.legacy {
				rules.pkg, rules.buildReq = insideWork+"/fetch/fakepkg", "setuptools>=40.8.0"
			}
			fake := sandboxfake.New(rules.rules()...)
			root := fakeProject(t, tc.legacy)
			rep, err := Analyze(context.Background(), Request{Spec: root, Path: root}, Options{
				Client: emptyIndex(t), Backend: fake, Dir: filepath.Join(t.TempDir(), "job"),
				PipWheel: pip, Logger: slog.New(slog.DiscardHandler),
			})
			if err != nil {
				t.Fatal(err)
			}
			got := result{Verdict: rep.Verdict, Reason: rep.Reason, Tasks: map[string]report.TaskStatus{}}
			if f := rep.Results().Fetch; f != nil {
				got.Fetch = f.Outcome + ": " + f.Reason
				got.MissingTestDeps = f.MissingTestDeps
			}
			if b := rep.Results().Build; b != nil {
				got.Build = fmt.Sprintf("%s (%s)", b.Outcome, b.Frontend)
				got.BuildError = b.ErrorLines
			}
			got.CodeRan = rep.Results().CodeRan
			if i := rep.Results().Install; i != nil {
				got.Install = i.Outcome
			}
			for _, f := range rep.Findings {
				id := f.RuleID
				if f.Phase != "" {
					id += "@" + f.Phase
				}
				got.Findings = append(got.Findings, id)
			}
			sort.Strings(got.Findings) // inspect and the build run side by side
			for _, tr := range rep.Run.Tasks {
				if _, ok := tc.want.Tasks[tr.Name]; ok {
					got.Tasks[tr.Name] = tr.Status
				}
			}
			// The pipeline leaves the limits it does not set to the backend's Run, the one
			// place they get their defaults: a step's wall is its phase's timeout.
			for _, r := range fake.Runs() {
				if slices.Contains(r.Spec.Argv, "--wheel-dir") {
					want := sandbox.Limits{Wall: DefaultOptions().BuildTimeout}
					if d := cmp.Diff(want, r.Spec.Limits); d != "" {
						t.Errorf("the build's limits as handed to the backend (-want +got)\n%s", d)
					}
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				var runs []string
				for _, a := range fake.Argvs() {
					runs = append(runs, strings.Join(a, " "))
				}
				sort.Strings(runs)
				t.Errorf("(-want +got)\n%s\nruns:\n%s", d, strings.Join(runs, "\n"))
			}
		})
	}
}
