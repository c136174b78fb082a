package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pyti/pyti/internal/sandbox/cgroup"
)

// Plan is what a backend hands the supervisor: the command line the launcher execs once it
// has joined the run's cgroup and network namespace (strace, bwrap, the init, the user's argv).
type Plan struct {
	Spec Spec     // Limits must already be complete (the backend's Run applied Limits.WithDefaults)
	Exec []string // absolute path first
	Env  []string // environment of Exec
	// DNS makes the launcher bind PYTI's resolver sockets for the init.
	DNS bool
	// Sinkhole makes the launcher set up the sinkhole in the run's network namespace (the
	// local route, the nftables redirect and the sockets) for an init run with
	// InitConfig.Sinkhole.
	Sinkhole bool
	// Layout is the cgroup layout; nil detects it.
	Layout *cgroup.Layout
	// FullPaths are host paths checked for "no space" at the end (e.g. the workspace).
	FullPaths []string
	// ExtraFiles are handed to Exec at descriptors FirstExtraFD, FirstExtraFD+1, ... (e.g.
	// bwrap's --seccomp program). Supervise does not close them.
	ExtraFiles []*os.File
	// PinCPU keeps the run (the launcher and everything it starts) on one CPU, the one with the
	// fewest pinned runs at the moment. A tracer and its tracee stop and wake each other at
	// every traced call: on one CPU that is a plain switch, while waking another CPU costs an
	// interprocessor interrupt, which in a virtual machine is an exit to the hypervisor. Pinned,
	// a traced pip wheel build of toolz took 1.4x its untraced time instead of 2.9x, and make
	// bench's traced pip install went from 1.65x to 1.44x. The price: a run that starts parallel
	// work (make -j, pytest -n) gets one CPU.
	PinCPU bool
}

// FirstExtraFD is the descriptor at which Exec finds Plan.ExtraFiles[0]: after the trace pipe
// and the report channel, below the sockets the launcher places at fixed descriptors.
const FirstExtraFD = fdReport + 1

// Supervise runs plan: it creates the run's cgroup, starts the launcher in a fresh network
// namespace, captures output (capped), the trace (capped) and the init's reports, enforces the
// wall-clock and no-output limits, kills everything left at the end, reads the cgroup's figures
// and classifies the run.
func Supervise(ctx context.Context, plan Plan) (res *Result, err error) {
	spec := plan.Spec
	lim := spec.Limits
	if err := lim.Complete(); err != nil {
		return nil, err
	}
	layout := plan.Layout
	if layout == nil {
		if layout, err = cgroup.Detect(); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
		}
	}
	cg, err := cgroup.New(layout, cgroup.Limits{MemoryBytes: lim.MemoryBytes, Pids: lim.Pids})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
	}
	defer func() {
		kerr := cg.Kill()
		rerr := cg.Remove()
		if err == nil && (kerr != nil || rerr != nil) {
			res, err = nil, fmt.Errorf("%w: cleanup: %w", ErrInfrastructure, errors.Join(kerr, rerr))
		}
	}()

	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
	}
	if FirstExtraFD+len(plan.ExtraFiles) > fdDNSUDP {
		return nil, fmt.Errorf("%w: %d extra files would reach the launcher's fixed descriptors", ErrInfrastructure, len(plan.ExtraFiles))
	}
	cpu, release := -1, func() {}
	if plan.PinCPU {
		cpu, release = pinnedCPUs().acquire()
	}
	defer release()
	cfg, err := encodeConfig(LaunchConfig{
		ProcsFiles: cg.ProcsFiles(), Exec: plan.Exec, Env: plan.Env, DNS: plan.DNS, IndexPort: spec.IndexPort,
		Sinkhole: plan.Sinkhole, CPU: cpu,
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
	}

	var closers []io.Closer
	defer func() {
		for _, c := range closers {
			c.Close()
		}
	}()
	pipe := func() (*os.File, *os.File, error) {
		r, w, err := os.Pipe()
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
		}
		closers = append(closers, r, w)
		return r, w, nil
	}
	outR, outW, err := pipe()
	if err != nil {
		return nil, err
	}
	errR, errW, err := pipe()
	if err != nil {
		return nil, err
	}
	repR, repW, err := pipe()
	if err != nil {
		return nil, err
	}
	devnull, err := os.Open(os.DevNull)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
	}
	closers = append(closers, devnull)
	traceW := devnull
	var traceR *os.File
	res = &Result{Limits: lim}
	if spec.Trace {
		if traceR, traceW, err = pipe(); err != nil {
			return nil, err
		}
		res.TracePath = spec.TracePath
		if res.TracePath == "" {
			f, err := os.CreateTemp("", "pyti-trace-*.txt")
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
			}
			res.TracePath = f.Name()
			f.Close()
		}
	}

	cmd := &exec.Cmd{
		Path:       self,
		Args:       []string{self},
		Env:        []string{envRole + "=" + roleLaunc, envConfig + "=" + cfg},
		Stdin:      devnull,
		Stdout:     outW,
		Stderr:     errW,
		ExtraFiles: launcherFiles(traceW, repW, devnull, plan.ExtraFiles),
		SysProcAttr: &syscall.SysProcAttr{
			Cloneflags: syscall.CLONE_NEWNET,
			Pdeathsig:  syscall.SIGKILL,
		},
	}
	if os.Geteuid() != 0 {
		// Without root, the launcher owns its network namespace through a user namespace of its own.
		cmd.SysProcAttr.Cloneflags |= syscall.CLONE_NEWUSER
		cmd.SysProcAttr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}}
		cmd.SysProcAttr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}}
	}

	stdout, stderr := NewHeadTail(lim.OutputBytes), NewHeadTail(lim.OutputBytes)
	var lastOutput atomic.Int64
	var readers sync.WaitGroup
	copyOut := func(r io.Reader, keep *HeadTail, live io.Writer) {
		defer readers.Done()
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Read(buf)
			if n > 0 {
				lastOutput.Store(time.Now().UnixNano())
				_, _ = keep.Write(buf[:n])
				if live != nil {
					_, _ = live.Write(buf[:n]) // a failing live copy must not stop the capture
				}
			}
			if err != nil {
				return
			}
		}
	}
	var reports reportReader
	var traceErr error

	start := time.Now()
	lastOutput.Store(start.UnixNano())
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%w: start launcher: %w", ErrInfrastructure, err)
	}
	outW.Close()
	errW.Close()
	repW.Close()
	if traceR != nil {
		traceW.Close()
	}
	readers.Add(3)
	go copyOut(outR, stdout, spec.Stdout)
	go copyOut(errR, stderr, spec.Stderr)
	go func() { defer readers.Done(); reports.read(repR) }()
	if traceR != nil {
		readers.Add(1)
		go func() {
			defer readers.Done()
			res.TraceDropped, traceErr = CappedFile(res.TracePath, newBatchedPipe(traceR), lim.TraceBytes)
		}()
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()

	var timedOut, noOutput, cpuOut, cancelled bool
	var cpuChecked time.Time
	wall := time.NewTimer(lim.Wall)
	defer wall.Stop()
	tick := time.NewTicker(min(lim.NoOutput/10+time.Millisecond, 250*time.Millisecond))
	defer tick.Stop()
	var waitErr error
wait:
	for {
		select {
		case waitErr = <-done:
			break wait
		case <-wall.C:
			timedOut = true
		case <-tick.C:
			if time.Since(time.Unix(0, lastOutput.Load())) >= lim.NoOutput {
				noOutput = true
			}
			if lim.CPU > 0 && time.Since(cpuChecked) >= time.Second {
				cpuChecked = time.Now()
				if st, err := cg.Stats(); err == nil && st.CPU >= lim.CPU {
					cpuOut = true
				}
			}
		case <-ctx.Done():
			cancelled = true
		}
		if timedOut || noOutput || cpuOut || cancelled {
			if err := cg.Kill(); err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
			}
			waitErr = <-done
			break wait
		}
	}
	res.Wall = time.Since(start)
	// The init is gone, so is its PID namespace; kill anything else the cgroup still holds
	// (a process that left the namespace cannot exist, but the cgroup is the proof).
	if err := cg.Kill(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
	}
	if !waitReaders(&readers, 5*time.Second) {
		outR.Close()
		errR.Close()
		repR.Close()
		if traceR != nil {
			traceR.Close()
		}
		readers.Wait()
	}
	if cancelled {
		return nil, fmt.Errorf("sandbox run cancelled: %w", ctx.Err())
	}
	if traceErr != nil {
		return nil, fmt.Errorf("%w: trace: %w", ErrInfrastructure, traceErr)
	}
	st, err := cg.Stats()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInfrastructure, err)
	}
	res.CPU, res.PeakMemory, res.OOMKills, res.PidsLimitHit = st.CPU, st.PeakMemory, st.OOMKills, st.PidsHit
	res.Stdout, res.Stderr = stdout.Bytes(), stderr.Bytes()
	res.StdoutDropped, res.StderrDropped = stdout.Dropped(), stderr.Dropped()
	res.DNSQueries, res.DNSDropped = reports.queries, reports.dropped
	if res.DNSQueries == nil {
		res.DNSQueries = []DNSQuery{}
	}
	res.Contacts, res.ContactsDropped = reports.contacts, reports.contactsDropped
	if res.Contacts == nil {
		res.Contacts = []Contact{}
	}
	res.Ioctls, res.IoctlsDropped = reports.ioctls, reports.ioctlsDropped

	f := runFacts{timedOut: timedOut, noOutput: noOutput, cpuOut: cpuOut, oomKills: st.OOMKills, pidsHit: st.PidsHit, shmem: st.Shmem, limits: lim}
	if reports.exit != nil {
		f.exitKnown, f.code, f.signal, f.full = true, reports.exit.Code, reports.exit.Signal, reports.exit.Full
	}
	for _, p := range plan.FullPaths {
		if isFull(p) {
			f.full = append(f.full, p)
		}
	}
	f.noSpaceMsg = mentions("No space left on device", res.Stdout, res.Stderr)
	f.fileSizeMsg = mentions("File size limit exceeded", res.Stdout, res.Stderr)
	if !f.exitKnown && !timedOut && !noOutput && !cpuOut && st.OOMKills == 0 && !st.PidsHit {
		msg := reports.err
		if msg == "" {
			msg = fmt.Sprintf("the sandbox ended (%v) without reporting the command's exit", waitErr)
		}
		return nil, fmt.Errorf("%w: %s; stderr: %q", ErrInfrastructure, msg, tailOf(res.Stderr, 2000))
	}
	res.Outcome, res.Reason = classify(f)
	res.ExitCode, res.Signal = f.code, f.signal
	return res, nil
}

// launcherFiles lays out the launcher's descriptors from 3: the trace pipe, the report pipe,
// the plan's extra files from FirstExtraFD, nothing up to the first fixed descriptor, and a
// placeholder at each fixed one (see fixedFDs).
func launcherFiles(trace, rep, placeholder *os.File, extra []*os.File) []*os.File {
	files := append([]*os.File{trace, rep}, extra...)
	for fd := 3 + len(files); fd <= slices.Max(fixedFDs); fd++ {
		if slices.Contains(fixedFDs, fd) {
			files = append(files, placeholder)
		} else {
			files = append(files, nil) // closed in the launcher
		}
	}
	return files
}

func waitReaders(wg *sync.WaitGroup, d time.Duration) bool {
	ch := make(chan struct{})
	go func() { wg.Wait(); close(ch) }()
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}

func tailOf(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

// reportReader collects the init's JSON lines.
type reportReader struct {
	queries []DNSQuery
	dropped int64
	// contacts are the sinkhole's records, bounded again here: the init is trusted, but its
	// channel is the one place a flood would reach the host.
	contacts        []Contact
	contactsDropped int64
	ioctls          []IoctlCall
	ioctlsDropped   int64
	exit            *exitReport
	err             string
}

// appendBounded appends v to s unless s holds max already; then it counts v as dropped.
func appendBounded[T any](s []T, v T, max int, dropped *int64) []T {
	if len(s) >= max {
		*dropped++
		return s
	}
	return append(s, v)
}

func (rr *reportReader) read(r io.Reader) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var rep report
		if json.Unmarshal(sc.Bytes(), &rep) != nil {
			continue
		}
		switch {
		case rep.DNS != nil:
			rr.queries = appendBounded(rr.queries, *rep.DNS, maxDNSRecords, &rr.dropped)
		case rep.DNSDropped > 0:
			rr.dropped += rep.DNSDropped
		case rep.Contact != nil:
			rr.contacts = appendBounded(rr.contacts, *rep.Contact, maxContacts, &rr.contactsDropped)
		case rep.ContactsDropped > 0:
			rr.contactsDropped += rep.ContactsDropped
		case rep.Ioctl != nil:
			rr.ioctls = appendBounded(rr.ioctls, *rep.Ioctl, maxIoctlRecords, &rr.ioctlsDropped)
		case rep.IoctlsDropped > 0:
			rr.ioctlsDropped += rep.IoctlsDropped
		case rep.Exit != nil:
			rr.exit = rep.Exit
		case rep.Error != "":
			rr.err = rep.Error
		}
	}
	_, _ = io.Copy(io.Discard, r)
}
