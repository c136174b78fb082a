package tasks

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/behavior"
	"github.com/pyti/pyti/internal/buildinfo"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
)

// Options configure one analysis.
type Options struct {
	// Client talks to the index (and backs the job's index proxy).
	Client *pypi.Client
	// IndexURL is shown in the report (redacted).
	IndexURL string
	// Backend is the sandbox every untrusted step runs in.
	Backend sandbox.Backend
	// Python is the interpreter of the fresh environment (default /usr/bin/python3); ToolPython
	// runs the quality tools (default /usr/bin/python3).
	Python     string
	ToolPython string
	// PipWheel is the pip wheel used to run pip without installing it into the environment
	// (default: the newest /usr/share/python-wheels/pip-*.whl).
	PipWheel string
	// Images are the environments the per-interpreter tasks run in. None: the host system (with
	// Python and PipWheel). One: that image. Two or more: a matrix, one cell per image, sharing
	// resolve, download, unpack, inspect and lint. An Image named HostImage is the host system.
	Images []Image
	// Dir is the job directory: raw data, the report, and the work space. It must not exist yet
	// or be empty.
	Dir string
	// NoTrace turns strace off (faster; no behaviour findings).
	NoTrace bool
	// Parallel bounds the tasks that run at once (default 2).
	Parallel int
	// Timeouts per phase: the wall-clock limit of each of its sandboxed steps (defaults in
	// DefaultOptions).
	FetchTimeout, BuildTimeout, InstallTimeout, ImportTimeout, TestTimeout, LintTimeout time.Duration
	// Limits bound each sandboxed step: memory, processes, file size, open files, /tmp, the
	// output and trace kept, and NoOutput, which ends a step that prints nothing for that long.
	// A step's Wall is its phase's timeout. Zero fields are sandbox.DefaultLimits, filled in by the
	// backend's Run.
	Limits sandbox.Limits
	// WorkspaceBytes bounds the job's writable space.
	WorkspaceBytes int64
	// Rules judge the traces (default behavior.DefaultRules).
	Rules []behavior.Rule
	// Logger receives progress; Observe sees every task start and end (live progress).
	Logger  *slog.Logger
	Observe func(dag.Event)

	// pythonVersion ("3.11.2") and pythonTag ("cp311") describe Python, read once.
	pythonVersion, pythonTag string
}

// DefaultOptions are the settings Analyze uses for each field an Options leaves zero, the one set
// of defaults: pyti's flags show these. The limits of a sandboxed step are the sandbox's own
// (sandbox.DefaultLimits).
func DefaultOptions() Options {
	return Options{
		Python:         "/usr/bin/python3",
		ToolPython:     "/usr/bin/python3",
		Parallel:       2,
		FetchTimeout:   15 * time.Minute,
		BuildTimeout:   20 * time.Minute,
		InstallTimeout: 10 * time.Minute,
		ImportTimeout:  3 * time.Minute,
		TestTimeout:    20 * time.Minute,
		LintTimeout:    10 * time.Minute,
		Limits:         sandbox.DefaultLimits(),
		WorkspaceBytes: 8 << 30,
	}
}

// lintWallFactor is how many times its CPU-time limit (LintTimeout) a linter may run on the wall
// clock: at a low priority on a loaded machine it gets a fraction of a CPU (pylint over Mako 1.2.4,
// at a load of 15 on two CPUs, used 20 s of CPU in 10 minutes), and the wall limit only bounds a
// starved run.
const lintWallFactor = 3

// stepLimits are the limits of one sandboxed step that may run for wall, and use cpu of CPU time
// (none when zero).
func (o Options) stepLimits(wall, cpu time.Duration, quiet bool) sandbox.Limits {
	lim := o.Limits
	lim.Wall, lim.CPU = wall, cpu
	if quiet && wall > 0 {
		lim.NoOutput = wall
	}
	return lim
}

func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions()
	if o.Python == "" {
		o.Python = d.Python
	}
	if o.ToolPython == "" {
		o.ToolPython = d.ToolPython
	}
	if o.PipWheel == "" {
		pip, err := pipWheelIn("")
		if err != nil {
			return o, err
		}
		o.PipWheel = pip
	}
	if o.Parallel <= 0 {
		o.Parallel = d.Parallel
	}
	def := func(v *time.Duration, dv time.Duration) {
		if *v <= 0 {
			*v = dv
		}
	}
	def(&o.FetchTimeout, d.FetchTimeout)
	def(&o.BuildTimeout, d.BuildTimeout)
	def(&o.InstallTimeout, d.InstallTimeout)
	def(&o.ImportTimeout, d.ImportTimeout)
	def(&o.TestTimeout, d.TestTimeout)
	def(&o.LintTimeout, d.LintTimeout)
	// o.Limits' zero fields stay zero: the backend's Run is the one place a run's limits get
	// their defaults (sandbox.Backend).
	if o.WorkspaceBytes <= 0 {
		o.WorkspaceBytes = d.WorkspaceBytes
	}
	if o.Rules == nil {
		rules, err := behavior.DefaultRules()
		if err != nil {
			return o, fmt.Errorf("behaviour rules: %w", err)
		}
		o.Rules = rules
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	// The sandbox sees the system's /usr (and the /bin, /lib links into it), nothing else of the
	// host: an interpreter elsewhere (a pyenv or a venv in a home directory) would not be there.
	for _, p := range []string{o.Python, o.ToolPython} {
		if !filepath.IsAbs(p) || !(strings.HasPrefix(p, "/usr/") || strings.HasPrefix(p, "/bin/")) {
			return o, fmt.Errorf("python %q: give an absolute path under /usr (the sandbox sees only the system directories), e.g. /usr/bin/python3", p)
		}
	}
	out, err := exec.Command(o.Python, "-I", "-c", "import sys; print('%d.%d.%d cp%d%d' % (sys.version_info[:3] + sys.version_info[:2]))").Output()
	if err != nil {
		return o, fmt.Errorf("python %s does not run: %w", o.Python, err)
	}
	if _, err := fmt.Sscan(string(out), &o.pythonVersion, &o.pythonTag); err != nil {
		return o, fmt.Errorf("python %s: unexpected version %q", o.Python, out)
	}
	if o.Client == nil {
		return o, errors.New("tasks: no index client")
	}
	if o.Backend == nil {
		return o, errors.New("tasks: no sandbox backend")
	}
	if o.Dir == "" {
		return o, errors.New("tasks: no job directory")
	}
	return o, nil
}

// jobEnv is what every task of one analysis shares, set up before the graph runs and not changed
// while it runs (like cmd/go's Builder): the settings, where things live, the work space, the
// targets and the report's fixed part. Only refused grows (under its own lock).
type jobEnv struct {
	opts Options
	log  *slog.Logger

	dir     string // the job directory
	raw     string // raw data per task, outside the sandbox's reach
	scripts string // PYTI's Python helpers, bound read-only into every sandbox
	src     string // the pristine source tree (read-only inside the sandbox)
	work    string // the sandbox-writable work space

	workspace *sandbox.Workspace
	// targets are the environments the per-interpreter tasks run in (one, or a matrix).
	targets []*target
	// base is the report before any task ran: its identity, the request, the environment and
	// the matrix's cells.
	base report.Report
	// refused are the outputs already reported as refused (see refusedOutput).
	refused *refusedSet
	// bg is the job's context for work a task starts that outlives the task (the early lint, see
	// earlyLint): Analyze cancels it when the graph has run, and waits for that work (background)
	// before the work space goes. nil: no such work is started.
	bg         context.Context
	background *sync.WaitGroup
}

// job is what one task's run sees: the job's shared environment, and the collector of what the
// run finds on the way, which fills that task's slot only (see produce).
type job struct {
	*jobEnv
	out *collector
}

// refusedSet is the set of paths already reported as refused, so that each is reported once.
type refusedSet struct {
	mu   sync.Mutex
	seen map[string]bool
}

// first reports whether path is new to the set, adding it.
func (s *refusedSet) first(path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen[path] {
		return false
	}
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	s.seen[path] = true
	return true
}

// Analyze runs the whole pipeline for req and returns the report, also written to Dir/report.json.
// An error means PYTI could not run the analysis at all; everything the package did is in the
// report.
func Analyze(ctx context.Context, req Request, opts Options) (*report.Report, error) {
	opts, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := opts.Backend.Check(); err != nil {
		return nil, fmt.Errorf("sandbox %s is not usable: %w", opts.Backend.Name(), err)
	}
	for _, im := range opts.Images {
		if im.Name != HostImage && !sandbox.RunsImages(opts.Backend) {
			return nil, fmt.Errorf("image %s: the %s sandbox does not run on images yet: use bwrap", im.Name, opts.Backend.Name())
		}
	}
	e, err := newJobEnv(req, opts)
	if err != nil {
		return nil, err
	}
	defer e.close()
	bg, stop := context.WithCancel(ctx)
	e.bg, e.background = bg, &sync.WaitGroup{}
	defer e.background.Wait()
	defer stop()

	var a assembly
	g, err := e.graph(&a)
	if err != nil {
		return nil, err
	}
	initial := dag.NewData()
	KRequest.Set(initial, req)
	runner := &dag.Runner{Parallel: opts.Parallel, Observe: opts.Observe}
	res, err := runner.Run(ctx, g, initial)
	if err != nil {
		return nil, err
	}
	// The report task ran last (it waits for every other), unless the run was cancelled first:
	// then the report is assembled here. It is complete but for the run's record and the verdict,
	// which need the graph to have finished.
	a.assemble(e)
	rep := &a.report
	rep.Run = reportRun(res.Record)
	decide(rep, res.Record.Tasks, e.targetInfo(), hintsOf(a.read))
	if err := writeReport(e.dir, rep); err != nil {
		return rep, err
	}
	return rep, nil
}

func newJobEnv(req Request, opts Options) (*jobEnv, error) {
	if err := os.MkdirAll(opts.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("job directory: %w", err)
	}
	entries, err := os.ReadDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("job directory: %w", err)
	}
	if len(entries) > 0 {
		return nil, fmt.Errorf("job directory %s is not empty: PYTI never mixes two analyses in one directory", opts.Dir)
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	// Canonical, so that reading what the job left there can refuse every link on the path
	// (readCapped) without tripping over a link of the user's above the job directory.
	if dir, err = filepath.EvalSymlinks(dir); err != nil {
		return nil, fmt.Errorf("job directory: %w", err)
	}
	j := &jobEnv{opts: opts, log: opts.Logger, dir: dir, refused: &refusedSet{},
		raw: filepath.Join(dir, "raw"), src: filepath.Join(dir, "src"), work: filepath.Join(dir, "work"),
		scripts: filepath.Join(dir, "scripts")}
	if err := os.MkdirAll(j.raw, 0o755); err != nil {
		return nil, err
	}
	if err := writeScripts(j.scripts); err != nil {
		return nil, fmt.Errorf("writing PYTI's Python helpers: %w", err)
	}
	ws, err := sandbox.NewWorkspace(j.work, opts.WorkspaceBytes)
	if err != nil {
		return nil, fmt.Errorf("work space: %w", err)
	}
	j.workspace = ws
	if j.targets, err = newTargets(opts, j.work); err != nil {
		j.close()
		return nil, err
	}
	for _, t := range j.targets {
		if err := os.MkdirAll(t.work, 0o777); err != nil {
			j.close()
			return nil, err
		}
		if err := os.Chmod(t.work, 0o777); err != nil {
			j.close()
			return nil, err
		}
	}
	first := j.targets[0]
	// The sandbox runs as an unprivileged user: it must be able to write its work space.
	if err := os.Chmod(j.work, 0o777); err != nil {
		return nil, err
	}
	j.base = report.Report{
		Schema:      report.Schema,
		ID:          newID(),
		CreatedAt:   time.Now().UTC(),
		PYTI:        buildinfo.Read(),
		Request:     report.Request{Spec: req.Spec, IndexURL: pypi.Redact(opts.IndexURL), Local: req.Path != ""},
		Environment: first.environment(opts),
		Findings:    []report.Finding{},
		Artifacts:   []report.Artifact{},
	}
	for _, t := range j.targets {
		if t.cell >= 0 {
			j.base.Matrix = append(j.base.Matrix, report.Cell{Image: t.ref()})
		}
	}
	return j, nil
}

func (j *jobEnv) close() {
	if j.workspace != nil {
		if err := j.workspace.Close(); err != nil {
			j.log.Warn("closing the work space", "err", err)
		}
	}
}

// graph wires the tasks by the data they need and provide: the shared ones once, the
// per-interpreter ones (fetch, build, install, import, test) once per target. Each task's output
// goes into its slot of a.outs; the report task assembles them.
func (j *jobEnv) graph(a *assembly) (*dag.Graph, error) {
	o := j.opts
	b, outs := &a.board, &a.outs
	outs.Targets = make([]targetOutputs, len(j.targets))
	all := []dag.AnyKey{KRelease, KArchive, KSource, KInspected, KLinted}
	tasks := []dag.Task{
		{Name: "resolve", Needs: []dag.AnyKey{KRequest}, Provides: []dag.AnyKey{KRelease}, Timeout: 5 * time.Minute,
			Run: produce(j, b, &outs.Resolve, (*job).resolve, func(d *dag.Data, out resolved) { KRelease.Set(d, out.Release) })},
		{Name: "download", Needs: []dag.AnyKey{KRequest, KRelease}, Provides: []dag.AnyKey{KArchive}, Timeout: 30 * time.Minute,
			Run: produce(j, b, &outs.Download, (*job).download, func(d *dag.Data, out downloaded) { KArchive.Set(d, out.Archive) })},
		{Name: "unpack", Needs: []dag.AnyKey{KArchive}, Provides: []dag.AnyKey{KSource}, Timeout: 10 * time.Minute,
			Run: produce(j, b, &outs.Unpack, (*job).unpack, func(d *dag.Data, out unpacked) { KSource.Set(d, out.Source) })},
		// Nothing but the report needs the inspection: its sandboxed work runs at a lower priority
		// (lowPriority) and it is Light, so that it never holds back the fetch or the build
		// (Pygments 2.17.2's build waited 1.3 s for the place the inspection's 5 s held).
		{Name: "inspect", Light: true, Needs: []dag.AnyKey{KArchive, KSource}, Provides: []dag.AnyKey{KInspected}, Timeout: 10 * time.Minute,
			Run: produce(j, b, &outs.Inspect, (*job).inspect, func(d *dag.Data, _ *report.Packaging) { KInspected.Set(d, true) })},
		// Lint reads what the first target's wheel ships; pylint sees that target's wheelhouse.
		// lint-start starts the linters on the sdist's copies of those modules beside the build,
		// and lint keeps that run when the wheel ships exactly them (see earlyLint). The run it
		// starts is the lint's: what it keeps goes into the lint's slot.
		{Name: "lint-start", Needs: []dag.AnyKey{KSource, j.targets[0].kWheelhouse}, Provides: []dag.AnyKey{kEarlyLint},
			Run: func(ctx context.Context, d *dag.Data) error {
				lj := &job{jobEnv: j, out: &collector{b: b, into: &outs.Lint.produced}}
				e, err := lj.startLint(ctx, d, j.targets[0])
				if err == nil {
					kEarlyLint.Set(d, e)
				}
				return err
			}},
		// lint mostly waits for the run lint-start began, and its own linters run at a lower
		// priority (lowPriority): it is Light, so that its wait never holds back the install,
		// import or tests of the chain (pygments 2.17.2's install waited 6 s for the inspection's
		// place, its other one being lint's).
		{Name: "lint", Light: true, Optional: []dag.AnyKey{KSource, j.targets[0].kWheel, j.targets[0].kWheelhouse, kEarlyLint}, Provides: []dag.AnyKey{KLinted}, Timeout: lintWallFactor*o.LintTimeout + time.Minute,
			Run: produce(j, b, &outs.Lint, onTarget((*job).lint, j.targets[0]), func(d *dag.Data, _ *report.Lint) { KLinted.Set(d, true) })},
	}
	for i, t := range j.targets {
		to := &outs.Targets[i]
		all = append(all, t.kWheelhouse, t.kBuildHouse, t.kWheel, t.kVenv, t.kEnv, t.kImported, t.kEnvReleased, t.kTested)
		tasks = append(tasks,
			// The build needs only the build requirements: when the fetch has them a run before
			// the rest (it prepared the metadata with them, or fetched them first for a backend
			// that asks for nothing more), it publishes them and the build starts beside it.
			dag.Task{Name: t.task("fetch"), Needs: []dag.AnyKey{KArchive, KSource}, Provides: []dag.AnyKey{t.kWheelhouse, t.kBuildHouse}, Early: []dag.AnyKey{t.kBuildHouse},
				Timeout: o.FetchTimeout + time.Minute,
				Run: produce(j, b, &to.Fetch, onTarget((*job).fetch, t), func(d *dag.Data, out fetched) {
					t.kWheelhouse.Set(d, out.Wheelhouse)
					t.kBuildHouse.Set(d, out.Wheelhouse) // unless published early
				})},
			dag.Task{Name: t.task("build"), Needs: []dag.AnyKey{KArchive, KSource, t.kBuildHouse}, Provides: []dag.AnyKey{t.kWheel}, Timeout: o.BuildTimeout + time.Minute,
				Run: produce(j, b, &to.Build, onTarget((*job).build, t), func(d *dag.Data, out built) { t.kWheel.Set(d, out.Wheel) })},
			// The environment is made beside the build (it needs none of it), so that the install
			// that follows the build only installs: once the build may start, beside the rest of
			// the fetch when it publishes the build's requirements early.
			dag.Task{Name: t.task("venv"), Needs: []dag.AnyKey{t.kBuildHouse}, Provides: []dag.AnyKey{t.kVenv}, Timeout: o.InstallTimeout + time.Minute,
				Run: produce(j, b, &to.Venv, onTarget((*job).makeVenv, t), t.kVenv.Set)},
			dag.Task{Name: t.task("install"), Needs: []dag.AnyKey{t.kWheel, t.kWheelhouse, t.kVenv}, Provides: []dag.AnyKey{t.kEnv}, Timeout: o.InstallTimeout + time.Minute,
				Run: produce(j, b, &to.Install, onTarget((*job).install, t), func(d *dag.Data, out installed) { t.kEnv.Set(d, out.Env) })},
			// The import check reads a copy of the environment as the install left it, and hands
			// the environment on once it has that copy: the tests, which add their dependencies
			// to it, run beside the check.
			dag.Task{Name: t.task("import"), Needs: []dag.AnyKey{t.kWheel, t.kEnv}, Provides: []dag.AnyKey{t.kImported, t.kEnvReleased}, Early: []dag.AnyKey{t.kEnvReleased},
				Timeout: o.ImportTimeout + time.Minute,
				Run: produce(j, b, &to.Import, onTarget((*job).importModules, t), func(d *dag.Data, _ *report.Import) {
					t.kImported.Set(d, Imported{OK: true})
					t.kEnvReleased.Set(d, true) // unless published early
				})},
			dag.Task{Name: t.task("test"), Needs: []dag.AnyKey{KSource, t.kWheel, t.kWheelhouse, t.kEnv}, Optional: []dag.AnyKey{t.kEnvReleased}, Provides: []dag.AnyKey{t.kTested}, Timeout: o.TestTimeout + 5*time.Minute,
				Run: produce(j, b, &to.Test, onTarget((*job).test, t), func(d *dag.Data, _ *report.Tests) { t.kTested.Set(d, true) })},
		)
	}
	tasks = append(tasks, dag.Task{Name: "report", Optional: all, Provides: []dag.AnyKey{KReport},
		Run: func(ctx context.Context, d *dag.Data) error {
			a.assemble(j)
			KReport.Set(d, filepath.Join(j.dir, "report.json"))
			return nil
		}})
	return dag.New([]dag.AnyKey{KRequest}, tasks...)
}

// onTarget binds a per-target task to its target.
func onTarget[O any](f func(j *job, ctx context.Context, d *dag.Data, t *target) (O, error), t *target) func(*job, context.Context, *dag.Data) (O, error) {
	return func(j *job, ctx context.Context, d *dag.Data) (O, error) { return f(j, ctx, d, t) }
}

// environment describes the target for the report's Environment.
func (t *target) environment(o Options) report.Environment {
	return report.Environment{Python: t.pythonVersion, Sandbox: o.Backend.Name(), Traced: !o.NoTrace, OS: t.img.OS,
		Image: map[bool]string{true: t.img.Name}[t.img.Root != ""], ImageID: t.img.ID}
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b[:])
}

func osRelease() string {
	data, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return "linux"
	}
	for _, line := range splitLines(string(data)) {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return trimQuotes(v)
		}
	}
	return "linux"
}
