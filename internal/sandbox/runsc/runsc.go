package runsc

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/cgroup"
)

// Backend runs specs under gVisor's runsc.
type Backend struct {
	// Layout overrides the detected cgroup layout (nil: detect).
	Layout *cgroup.Layout

	probeOnce sync.Once
	probeErr  error
}

// New returns a runsc backend using the machine's cgroup layout.
func New() *Backend { return &Backend{} }

var _ sandbox.Backend = (*Backend)(nil)

// Name implements sandbox.Backend.
func (b *Backend) Name() string { return "runsc" }

// Check implements sandbox.Backend. Beyond what is installed, it starts one tiny gVisor
// sandbox (once per Backend) to learn whether gVisor can run on this machine at all.
func (b *Backend) Check() error {
	var errs []error
	runsc, err := exec.LookPath("runsc")
	if err != nil {
		errs = append(errs, errors.New("runsc not found: apt-get install runsc"))
	}
	if os.Geteuid() != 0 {
		errs = append(errs, errors.New("the runsc backend needs root (runsc run without --rootless)"))
	}
	if _, err := os.Executable(); err != nil {
		errs = append(errs, fmt.Errorf("cannot find the pyti binary to use as the sandbox init: %w", err))
	}
	if b.Layout == nil {
		if _, err := cgroup.Detect(); err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	b.probeOnce.Do(func() { b.probeErr = probe(runsc) })
	return b.probeErr
}

// probe runs /bin/true in a throw-away gVisor sandbox.
func probe(runsc string) error {
	dir, err := os.MkdirTemp("", "pyti-runsc-probe-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, runsc, "--root", dir, "--network=none", "--ignore-cgroups", "do", "/bin/true")
	out, err := cmd.CombinedOutput()
	if err != nil {
		msg := strings.TrimSpace(string(out))
		if len(msg) > 1000 {
			msg = msg[len(msg)-1000:]
		}
		return fmt.Errorf("runsc cannot run a sandbox on this machine (%v): %s", err, msg)
	}
	return nil
}

// ErrNoImages says this backend cannot run on an image (sandbox.Spec.Image) yet.
var ErrNoImages = errors.New("the runsc backend does not run on images yet: use --sandbox bwrap with --image")

// Run implements sandbox.Backend.
func (b *Backend) Run(ctx context.Context, spec sandbox.Spec) (*sandbox.Result, error) {
	if len(spec.Argv) == 0 {
		return nil, errors.New("runsc: empty command")
	}
	if spec.Image != "" {
		// Refused rather than run on the host's system: a result must say what it ran on.
		return nil, fmt.Errorf("runsc: %w", ErrNoImages)
	}
	// The one place a runsc run's limits get their defaults (see sandbox.Backend): Config and
	// Supervise read them as they are.
	spec.Limits = spec.Limits.WithDefaults()
	if spec.IndexSocket == "" {
		spec.IndexPort = 0
	} else if spec.IndexPort <= 0 || spec.IndexPort > 65535 {
		return nil, fmt.Errorf("runsc: IndexSocket set but IndexPort %d is not a port", spec.IndexPort)
	}
	infra := func(err error) error { return fmt.Errorf("%w: runsc: %w", sandbox.ErrInfrastructure, err) }
	runsc, err := exec.LookPath("runsc")
	if err != nil {
		return nil, fmt.Errorf("%w: runsc not found: apt-get install runsc", sandbox.ErrInfrastructure)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, infra(err)
	}
	runDir, err := os.MkdirTemp("", "pyti-runsc-*")
	if err != nil {
		return nil, infra(err)
	}
	defer os.RemoveAll(runDir)
	if spec.WorkDir != "" {
		if err := ownTree(spec.WorkDir); err != nil {
			return nil, infra(err)
		}
	}
	cfg, err := Config(spec, runDir, self)
	if err != nil {
		return nil, err
	}
	if err := writeBundle(runDir, cfg); err != nil {
		return nil, infra(err)
	}
	host := hostConfig{
		Runsc:        runsc,
		Args:         runscArgs(runDir, spec.Trace),
		ReportSocket: filepath.Join(runDir, chanDirName, reportSockName),
		RunscLog:     filepath.Join(runDir, runscLogName),
		DebugFIFO:    filepath.Join(runDir, debugFIFOName),
		Trace:        spec.Trace,
		PidsMarker:   filepath.Join(runDir, pidsMarkName),
	}
	if spec.IndexSocket != "" {
		host.IndexSocket, host.IndexRelay = spec.IndexSocket, filepath.Join(runDir, chanDirName, indexSockName)
	}
	env, err := roleEnv(roleHost, host)
	if err != nil {
		return nil, err
	}
	// The resolver and the bridge live inside gVisor: the launcher binds nothing on the host.
	sup := spec
	sup.IndexSocket, sup.IndexPort = "", 0
	sup.Limits.Pids = HostPids(spec.Limits.Pids)
	sup.Limits.NoOutput = spec.Limits.NoOutput + StartAllowance
	var full []string
	if spec.WorkDir != "" {
		full = append(full, spec.WorkDir)
	}
	res, err := sandbox.Supervise(ctx, sandbox.Plan{
		Spec: sup, Exec: []string{self}, Env: env, DNS: false, Layout: b.Layout, FullPaths: full,
	})
	_, statErr := os.Stat(host.PidsMarker)
	forkRefused := statErr == nil
	if err != nil {
		if forkRefused && errors.Is(err, sandbox.ErrInfrastructure) && ctx.Err() == nil {
			// The process limit also binds PYTI's init (same user): when it could not make a
			// thread it died without reporting. The limit, not PYTI, ended the run.
			return &sandbox.Result{
				Outcome: sandbox.OutcomePids, PidsLimitHit: true, Limits: spec.Limits,
				Reason: fmt.Sprintf("process limit of %d reached (fork refused); the sandbox's init could not continue (%v)", spec.Limits.Pids, err),
				Stdout: []byte{}, Stderr: []byte{}, DNSQueries: []sandbox.DNSQuery{},
			}, nil
		}
		return nil, err
	}
	res.Limits = spec.Limits
	if spec.Trace {
		// The converted trace begins with the exec of PYTI's init (Converter.FromFirstExec).
		res.TraceSetup = sandbox.InitSetup("")
	}
	if forkRefused {
		res.PidsLimitHit = true
	}
	switch {
	case res.Outcome == sandbox.OutcomeOOM:
	case res.PidsLimitHit:
		res.Outcome = sandbox.OutcomePids
		res.Reason = fmt.Sprintf("process limit of %d reached (fork refused)", spec.Limits.Pids)
	case res.Outcome == sandbox.OutcomeNoOutputTimeout:
		res.Reason = fmt.Sprintf("no output for %s (and %s allowed for gVisor to start); every process killed",
			spec.Limits.NoOutput, StartAllowance)
	}
	return res, nil
}

// StartAllowance is added to the no-output limit: gVisor takes seconds to start, during which
// the command cannot have written anything.
const StartAllowance = 10 * time.Second

// The process limit proper is RLIMIT_NPROC inside gVisor (set by the guest stage), where the
// sandbox user's tasks are exactly the sandbox's. The host cgroup only backs it up: it counts
// gVisor's own tasks, the sentry's and the gofer's threads (about 150 for an idle sandbox) and,
// on the ptrace platform, a stub process with several threads for every process inside (about
// 12 host tasks each).
const (
	pidsBase    = 256
	pidsPerTask = 12
)

// HostPids returns the host cgroup's pids limit that backs a limit of pids tasks inside.
func HostPids(pids int) int { return pidsBase + pidsPerTask*pids }

// runscArgs returns runsc's command line for the bundle in runDir.
func runscArgs(runDir string, traced bool) []string {
	a := []string{
		"--root", filepath.Join(runDir, stateDirName),
		"--network=none",   // gVisor's netstack with loopback only
		"--oci-seccomp",    // apply the bundle's seccomp filter inside the sandbox
		"--host-uds=open",  // reach the host stage's sockets bound at chanPath
		"--ignore-cgroups", // the run's cgroup is Supervise's, which runsc already sits in
		"--log", filepath.Join(runDir, runscLogName),
	}
	// gVisor's strace always watches the fork calls (a refused fork is the process limit);
	// a traced run watches everything PYTI traces.
	calls := "clone,fork,vfork,execve"
	if traced {
		calls = TraceSyscalls()
		a = append(a, "--strace-log-size=4096")
	}
	a = append(a, "--strace", "--strace-syscalls="+calls,
		"--debug-log="+filepath.Join(runDir, debugLogName), "--debug-command=boot")
	return append(a, "run", "--bundle", filepath.Join(runDir, bundleDirName), "pyti")
}
