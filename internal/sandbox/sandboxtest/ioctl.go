package sandboxtest

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/trace"
)

// ioctlScript asks TCGETS of many files (Python does so on every open), then tries TIOCSTI on
// /dev/null and, from a forked child, on /dev/zero.
const ioctlScript = `import fcntl, os, termios
for _ in range(200):
    open("/etc/hostname").close()
def inject(fd):
    try: fcntl.ioctl(fd, termios.TIOCSTI, b"x")
    except OSError: pass
inject(os.open("/dev/null", os.O_RDONLY))
pid = os.fork()
if pid == 0:
    inject(os.open("/dev/zero", os.O_RDONLY)); os._exit(0)
os.waitpid(pid, 0)
print("done")
`

// ioctlEvents returns the ioctl events of a traced run: the trace's own and those the sandbox
// watched outside strace (sandbox.Result.Ioctls), named as the trace names their processes.
func ioctlEvents(tr *trace.Trace, r *sandbox.Result) []trace.Event {
	var out []trace.Event
	for _, e := range tr.Events {
		if e.Kind == trace.KindIoctl {
			out = append(out, e)
		}
	}
	for _, c := range r.Ioctls {
		out = append(out, c.Event(tr))
	}
	return out
}

// testTraceIoctl: a traced run shows every ioctl outside the benign queries, from the process
// that made it and with the file behind the descriptor, whether the backend's trace holds it
// or the sandbox watched it (sandbox.IoctlCall), and refused; the benign queries make no event.
func (s suite) testTraceIoctl(t *testing.T) {
	spec := newJob(t).spec(py(ioctlScript)...)
	spec.Trace, spec.TracePath = true, filepath.Join(t.TempDir(), "trace.txt")
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if string(r.Stdout) != "done\n" {
		t.Errorf("stdout %q", r.Stdout)
	}
	tr := parseTrace(t, spec.TracePath, r)
	if len(tr.Roots) != 1 {
		t.Fatalf("job roots %v; want the script's python", tr.Roots)
	}
	main := tr.Roots[0]
	type call struct {
		Request, Path        string
		Main, Child, Refused bool
	}
	var got []call
	for _, e := range ioctlEvents(tr, r) {
		p := tr.Processes[e.PID]
		got = append(got, call{e.Request, e.Path, e.PID == main, p != nil && p.PPID == main && !p.Thread, e.Failed()})
	}
	slices.SortFunc(got, func(a, b call) int { return strings.Compare(a.Path, b.Path) })
	want := []call{{"TIOCSTI", "/dev/null", true, false, true}, {"TIOCSTI", "/dev/zero", false, true, true}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("ioctl events (-want +got)\n%s", d)
	}
}
