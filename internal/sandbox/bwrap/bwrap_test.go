package bwrap_test

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/sandbox/sandboxtest"
)

func TestConformance(t *testing.T) {
	sandboxtest.Conformance(t, bwrap.New())
}

// runOK runs spec with the bwrap backend and wants it to succeed.
func runOK(t *testing.T, spec sandbox.Spec) *sandbox.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := bwrap.New().Run(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != sandbox.OutcomeOK {
		t.Fatalf("outcome %s: %s", res.Outcome, res.Stderr)
	}
	return res
}

// TestTracedRunPinned checks that a traced run, strace and sandbox alike, is kept on one CPU (see
// sandbox.Plan.PinCPU) and that an untraced run keeps every CPU PYTI has.
func TestTracedRunPinned(t *testing.T) {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		t.Fatal(err)
	}
	all := set.Count()
	if all < 2 {
		t.Skipf("%d CPU: nothing to pin to", all)
	}
	tests := []struct {
		name  string
		trace bool
		want  int // CPUs the sandboxed command may run on
	}{
		{"traced", true, 1},
		{"untraced", false, all},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			spec := sandbox.Spec{
				Argv:    []string{sandboxtest.Python, "-c", "import os; print(len(os.sched_getaffinity(0)))"},
				WorkDir: dir,
				Trace:   tc.trace,
				Limits:  sandbox.Limits{Wall: 20 * time.Second, MemoryBytes: 512 << 20, Pids: 128, OutputBytes: 1 << 20, TmpBytes: 64 << 20},
			}
			if tc.trace {
				spec.TracePath = filepath.Join(t.TempDir(), "trace.txt")
			}
			res := runOK(t, spec)
			got, err := strconv.Atoi(strings.TrimSpace(string(res.Stdout)))
			if err != nil {
				t.Fatalf("the command printed %q, not a count of CPUs", res.Stdout)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CPUs (-want +got):\n%s", diff)
			}
		})
	}
}

// TestIoctlWatched checks that, where the kernel allows it, a traced run's ioctl calls never
// reach strace (Python's TCGETS on every open stopped the traced process each time) and that
// the init reports those outside the benign queries instead (sandbox.IoctlCall).
func TestIoctlWatched(t *testing.T) {
	if err := sandbox.IoctlWatchSupported(); err != nil {
		t.Skipf("the init cannot watch ioctl here: %v", err)
	}
	dir := t.TempDir()
	spec := sandbox.Spec{
		Argv: []string{sandboxtest.Python, "-c", `import fcntl, termios
for _ in range(50): open("/etc/hostname").close()
try: fcntl.ioctl(0, termios.TIOCSTI, b"x")
except OSError as e: print(e.errno)
try: fcntl.ioctl(0, 0x100005412, b"x")
except OSError as e: print(e.errno)`},
		WorkDir:   dir,
		Trace:     true,
		TracePath: filepath.Join(t.TempDir(), "trace.txt"),
		Limits:    sandbox.Limits{Wall: 20 * time.Second, MemoryBytes: 512 << 20, Pids: 128, OutputBytes: 1 << 20, TmpBytes: 64 << 20},
	}
	res := runOK(t, spec)
	// The watcher refuses both, as the kernel would (stdin is /dev/null: ENOTTY).
	if got := string(res.Stdout); got != "1\n1\n" {
		t.Errorf("stdout %q, want EPERM twice", got)
	}
	data, err := os.ReadFile(spec.TracePath)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(regexp.MustCompile(`(?m)^\d+ [\d.]+ ioctl\(`).FindAll(data, -1)); n != 0 {
		t.Errorf("the trace holds %d ioctl calls; want none", n)
	}
	type call struct {
		FD      int
		Path    string
		Request uint32
		Errno   string
	}
	var got []call
	for _, c := range res.Ioctls {
		got = append(got, call{c.FD, c.Path, c.Request, c.Errno})
	}
	// The request's high bits, which the kernel ignores, do not hide it.
	want := []call{{0, "/dev/null", unix.TIOCSTI, "EPERM"}, {0, "/dev/null", unix.TIOCSTI, "EPERM"}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("watched calls (-want +got)\n%s", d)
	}
}
