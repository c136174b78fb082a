package sandboxtest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/trace"
)

// AttributionScript connects out from the main process, from a thread, from a child forked
// without exec and from a double-forked daemon, each to its own port of a documentation address
// (port 9001 ... 9004), and waits for them all. Exported for the trace package's test data.
const AttributionScript = `import os, socket, threading, time
def reach(port):
    s = socket.socket()
    s.settimeout(2)
    try:
        s.connect(("203.0.113.9", port))
    except OSError:
        pass
    s.close()
reach(9001)
t = threading.Thread(target=reach, args=(9002,)); t.start(); t.join()
pid = os.fork()
if pid == 0:
    reach(9003); os._exit(0)
os.waitpid(pid, 0)
r, w = os.pipe()
pid = os.fork()
if pid == 0:
    os.setsid()
    if os.fork() == 0:
        reach(9004); os.write(w, b"x"); os._exit(0)
    os._exit(0)
os.waitpid(pid, 0)
os.read(r, 1)
print("done")
`

// testTraceAttribution: every process and thread the command makes is the job's in the trace,
// as the backend's TraceSetup draws the line, and none of the sandbox's own is.
func (s suite) testTraceAttribution(t *testing.T) {
	spec := newJob(t).spec(py(AttributionScript)...)
	spec.Trace, spec.TracePath = true, filepath.Join(t.TempDir(), "trace.txt")
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if r.TraceSetup == nil {
		t.Fatalf("a traced run without TraceSetup: the sandbox's own processes cannot be told apart")
	}
	tr := parseTrace(t, spec.TracePath, r)
	if dir := os.Getenv("PYTI_SAVE_ATTRIBUTION_TRACE"); dir != "" {
		data, _ := os.ReadFile(spec.TracePath)
		_ = os.WriteFile(filepath.Join(dir, "sandbox-"+s.b.Name()+".strace"), data, 0o644)
	}
	CheckAttribution(t, tr)
}

// parseTrace parses the trace of run r, written at path, as PYTI does: the sandbox's own
// processes set apart (r.TraceSetup).
func parseTrace(t *testing.T, path string, r *sandbox.Result) *trace.Trace {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := trace.Parse(f, trace.Options{Setup: r.TraceSetup})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// CheckAttribution checks a parsed trace of AttributionScript: the four connects, each from a
// process of the job (a distinct pid; the thread's a thread of the main process, the child's
// and the daemon's processes of their own), the job's first command the script's python, and no
// process of the sandbox's own among the job's.
func CheckAttribution(t *testing.T, tr *trace.Trace) {
	t.Helper()
	byPort := map[int]trace.Event{}
	for _, e := range tr.Events {
		if e.Kind == trace.KindConnect && e.Port >= 9001 && e.Port <= 9004 {
			byPort[e.Port] = e
		}
	}
	pids := map[int]bool{}
	for port := 9001; port <= 9004; port++ {
		e, ok := byPort[port]
		if !ok {
			t.Errorf("the connect to port %d is not in the job's events", port)
			continue
		}
		if _, ok := tr.Processes[e.PID]; !ok {
			t.Errorf("the connect to port %d came from pid %d, not a process of the job", port, e.PID)
		}
		if e.Comm == "" {
			t.Errorf("the connect to port %d does not name its program", port)
		}
		pids[e.PID] = true
	}
	if len(pids) != len(byPort) {
		t.Errorf("%d connects from %d pids; want one pid each", len(byPort), len(pids))
	}
	if e, ok := byPort[9002]; ok {
		if p := tr.Processes[e.PID]; p == nil || !p.Thread {
			t.Errorf("the thread's connect (pid %d) is not from a thread", e.PID)
		}
	}
	for _, port := range []int{9003, 9004} {
		if e, ok := byPort[port]; ok {
			if p := tr.Processes[e.PID]; p == nil || p.Thread || p.PPID == 0 {
				t.Errorf("the connect to port %d (pid %d) is not from a child process of the job", port, e.PID)
			}
		}
	}
	if len(tr.Roots) != 1 {
		t.Errorf("job roots %v; want the one command the init started", tr.Roots)
	} else if cmd := tr.Processes[tr.Roots[0]].Command(); len(cmd) == 0 || !strings.Contains(cmd[0], "python") {
		t.Errorf("the job's root ran %q; want the script's python", cmd)
	}
	if tr.SetupProcesses == 0 {
		t.Errorf("no process counted as the sandbox's own")
	}
	for pid, p := range tr.Processes {
		for _, argv := range p.Execs {
			if len(argv) > 0 && (slices.Contains(argv, sandbox.InitPath) || strings.HasSuffix(argv[0], "bwrap")) {
				t.Errorf("pid %d of the job ran the sandbox's own %q", pid, argv)
			}
		}
	}
}
