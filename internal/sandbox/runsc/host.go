package runsc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
)

// traceFD is the trace pipe Supervise hands the launcher's command (sandbox.TraceFDPath).
const traceFD = 3

// drainWait bounds how long the host stage waits, once runsc is gone, for the report channel
// and the debug log to reach their end.
const drainWait = 5 * time.Second

// runHost runs on the host in the run's cgroup and network namespace, exec'd by the launcher
// with stdin, stdout, stderr, the trace pipe (fd 3) and the report pipe (fd 4). It serves the
// sockets the sandbox reaches, runs runsc, relays the init's report lines to fd 4 and the
// converted strace log to fd 3, and exits with runsc's status.
func runHost() int {
	// The pipes are this stage's alone: runsc and its sandbox must not hold them open.
	syscall.CloseOnExec(traceFD)
	syscall.CloseOnExec(sandbox.InitReportFD)
	rep := os.NewFile(uintptr(sandbox.InitReportFD), "report")
	fail := func(err error) int {
		_ = sandbox.ReportError(rep, "runsc host: "+err.Error())
		return 125
	}
	var cfg hostConfig
	if err := decodeConfig(&cfg); err != nil {
		return fail(err)
	}
	ln, err := listenUnix(cfg.ReportSocket)
	if err != nil {
		return fail(err)
	}
	defer ln.Close()
	if cfg.IndexSocket != "" {
		iln, err := listenUnix(cfg.IndexRelay)
		if err != nil {
			return fail(err)
		}
		defer iln.Close()
		go relayIndex(iln, cfg.IndexSocket)
	}

	// gVisor's strace always runs, on the fork calls at least: a fork refused inside is how
	// the process limit shows (see Backend.Run).
	traceDone := make(chan struct{})
	go func() {
		defer close(traceDone)
		var out io.Writer = io.Discard
		if cfg.Trace {
			f := os.NewFile(traceFD, "trace")
			defer f.Close()
			out = f
		}
		// Blocks until runsc opens the other end for the sandbox.
		f, err := os.OpenFile(cfg.DebugFIFO, os.O_RDONLY, 0)
		if err != nil {
			return
		}
		defer f.Close()
		var once sync.Once
		conv := Converter{Now: time.Now(), FromFirstExec: true, ForkRefused: func() {
			once.Do(func() {
				if m, err := os.Create(cfg.PidsMarker); err == nil {
					m.Close()
				}
			})
		}}
		_ = conv.Convert(out, f) // a broken trace pipe must not stop the run
	}()

	cmd := exec.Command(cfg.Runsc, cfg.Args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return fail(fmt.Errorf("start runsc: %w", err))
	}

	var (
		mu        sync.Mutex
		conn      net.Conn
		connected bool
	)
	reportDone := make(chan struct{})
	go func() {
		defer close(reportDone)
		c, err := ln.Accept()
		// One connection only, the guest's, made before any untrusted code exists: nothing
		// else may reach the report channel later.
		ln.Close()
		_ = os.Remove(cfg.ReportSocket)
		if err != nil {
			return
		}
		mu.Lock()
		conn, connected = c, true
		mu.Unlock()
		_, _ = io.Copy(rep, c)
	}()

	waitErr := cmd.Wait()
	ln.Close()
	select {
	case <-reportDone:
	case <-time.After(drainWait):
		mu.Lock()
		if conn != nil {
			conn.Close()
		}
		mu.Unlock()
		<-reportDone
	}
	// If the sandbox never opened its log, open the writing end here so that the reader
	// sees the end of it.
	if w, err := os.OpenFile(cfg.DebugFIFO, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
	select {
	case <-traceDone:
	case <-time.After(drainWait):
	}
	mu.Lock()
	ok := connected
	mu.Unlock()
	if !ok {
		return fail(fmt.Errorf("runsc ended (%v) before the sandbox started%s", waitErr, logTail(cfg.RunscLog)))
	}
	var ee *exec.ExitError
	if errors.As(waitErr, &ee) {
		return ee.ExitCode()
	}
	if waitErr != nil {
		return fail(fmt.Errorf("runsc: %w", waitErr))
	}
	return 0
}

// listenUnix listens on a fresh unix socket at path that the sandbox user may connect to (the
// socket lives in the run's private directory).
func listenUnix(path string) (net.Listener, error) {
	ln, err := net.Listen("unix", path)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	if err := os.Chmod(path, 0o666); err != nil {
		ln.Close()
		return nil, fmt.Errorf("listen: %w", err)
	}
	return ln, nil
}

// relayIndex forwards every connection on ln to the index proxy's socket, at most 64 at a time.
func relayIndex(ln net.Listener, target string) {
	slots := make(chan struct{}, 64)
	for {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		select {
		case slots <- struct{}{}:
		default:
			c.Close()
			continue
		}
		go func() {
			defer func() { <-slots }()
			sandbox.RelayToUnix(c, target)
		}()
	}
}

// logTail returns the last lines of runsc's log, for an error message.
func logTail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return ""
	}
	if len(data) > 2000 {
		data = data[len(data)-2000:]
	}
	return "; runsc log: " + string(bytes.TrimSpace(data))
}
