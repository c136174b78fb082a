package sandboxtest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/sandbox"
)

// deniedProbe is one call the sandbox must refuse, made with arguments under which it would
// visibly do something else had it run (return a descriptor or an id, EFAULT, EBADF, EINVAL,
// or ENOSPC where bwrap has disabled nested user namespaces), so that its refusal can only come
// from the sandbox's filter.
type deniedProbe struct {
	name string
	args string // Python expression of the arguments after the number
}

var deniedProbes = []deniedProbe{
	{"keyctl", "0, -3, 1"},                 // KEYCTL_GET_KEYRING_ID of the session keyring, created
	{"add_key", "0, 0, 0, 0, 0"},           // NULL type: EFAULT
	{"request_key", "0, 0, 0, 0"},          // NULL type: EFAULT
	{"userfaultfd", "1"},                   // UFFD_USER_MODE_ONLY, open to everyone: a descriptor
	{"perf_event_open", "0, 0, -1, -1, 0"}, // NULL attr: EFAULT
	{"bpf", "0, 0, 0"},                     // BPF_MAP_CREATE with a NULL attr
	{"io_uring_setup", "1, 0"},             // NULL params: EFAULT
	{"setns", "-1, 0"},                     // EBADF
	{"clone3", "0, 0"},                     // a size too small: EINVAL
	{"unshare", "0x10000000"},              // CLONE_NEWUSER, last: it would change the caller
}

// refusals are the answers that mean "refused without running": the filter's errno of the
// call (see sandbox.SeccompRules) or ENOSYS, which is how a kernel that does not implement the
// call refuses it (gVisor implements few of these) and how a seccomp stop meant for a tracer
// ends when none is attached. No other answer is accepted: on Linux every probe above would
// end otherwise had it run. The exception is a traced run's KernelRefuses calls, which the
// filter leaves to the kernel so that the attempt shows in the trace: any failure is a
// refusal there (unshare(CLONE_NEWUSER) fails with ENOSPC where nested user namespaces are
// disabled), nil is returned for them.
func refusals(name string, traced bool) []string {
	out := []string{"ENOSYS"}
	for _, r := range sandbox.SeccompRules {
		if r.Name != name {
			continue
		}
		if traced && r.KernelRefuses {
			return nil
		}
		if r.Errno != syscall.ENOSYS {
			out = append([]string{errnoName(r.Errno)}, out...)
		}
	}
	return out
}

func errnoName(e syscall.Errno) string {
	switch e {
	case syscall.EPERM:
		return "EPERM"
	case syscall.ENOSYS:
		return "ENOSYS"
	}
	return fmt.Sprintf("errno %d", int(e))
}

// probeScript is the Python program that makes every probe through libc's syscall() and prints
// "name ERRNO" (or "name ran: result") for each.
func probeScript(t *testing.T) string {
	t.Helper()
	nrs := map[string]int{}
	for _, r := range sandbox.SeccompRules {
		switch runtime.GOARCH {
		case "amd64":
			nrs[r.Name] = r.AMD64
		case "arm64":
			nrs[r.Name] = r.ARM64
		default:
			t.Skipf("no system call numbers for %s", runtime.GOARCH)
		}
	}
	var b strings.Builder
	b.WriteString("import ctypes, errno\nlibc = ctypes.CDLL(None, use_errno=True)\nlibc.syscall.restype = ctypes.c_long\n")
	b.WriteString("def probe(name, nr, *args):\n")
	b.WriteString("    ctypes.set_errno(0)\n")
	b.WriteString("    r = libc.syscall(ctypes.c_long(nr), *[ctypes.c_long(a) for a in args])\n")
	b.WriteString("    print(name, errno.errorcode.get(ctypes.get_errno(), ctypes.get_errno()) if r == -1 else 'ran: %d' % r, flush=True)\n")
	for _, p := range deniedProbes {
		nr, ok := nrs[p.name]
		if !ok || nr < 0 {
			t.Fatalf("probe %s: not in sandbox.SeccompRules for %s", p.name, runtime.GOARCH)
		}
		fmt.Fprintf(&b, "probe(%q, %d, %s)\n", p.name, nr, p.args)
	}
	return b.String()
}

// checkRefused checks the "name ERRNO" lines of probeScript's output.
func checkRefused(t *testing.T, out []byte, traced bool) {
	t.Helper()
	got := map[string]string{}
	for _, ln := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if name, res, ok := strings.Cut(ln, " "); ok {
			got[name] = res
		}
	}
	for _, p := range deniedProbes {
		res, ok := got[p.name]
		if !ok {
			t.Errorf("%s: no answer printed", p.name)
			continue
		}
		want := refusals(p.name, traced)
		if want == nil && !strings.HasPrefix(res, "E") {
			t.Errorf("%s: %s, want a failure", p.name, res)
		}
		if want != nil && !slices.Contains(want, res) {
			t.Errorf("%s: %s, want one of %v", p.name, res, want)
		}
	}
}

// testSyscallsDenied: the calls HOSTILE.md names (userfaultfd, bpf, keyctl, perf_event_open,
// nested user namespaces) and the rest of the filter's sample fail without running, and the
// process that tried them goes on.
func (s suite) testSyscallsDenied(t *testing.T) {
	code := probeScript(t) + "print('still here')\n"
	r := s.run(t, newJob(t).spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if !bytes.HasSuffix(r.Stdout, []byte("still here\n")) {
		t.Errorf("the prober did not go on:\n%s", describe(r))
	}
	checkRefused(t, r.Stdout, false)
}

// testSyscallsDeniedTraced: under the tracer the same calls are refused, and every attempt shows
// in the trace with its error, for the behaviour rules to see.
func (s suite) testSyscallsDeniedTraced(t *testing.T) {
	spec := newJob(t).spec(py(probeScript(t) + "print('still here')\n")...)
	spec.Trace, spec.TracePath = true, filepath.Join(t.TempDir(), "trace.txt")
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	checkRefused(t, r.Stdout, true)
	data, err := os.ReadFile(spec.TracePath)
	if err != nil {
		t.Fatal(err)
	}
	// The calls PYTI's trace watches (trace.Syscalls) must show, refused.
	for _, name := range []string{"keyctl", "userfaultfd", "perf_event_open", "bpf", "setns", "unshare"} {
		re := regexp.MustCompile(`(?m)\b` + name + `\(.*\) += -1 E[A-Z]+ `)
		if !re.Match(data) {
			t.Errorf("the trace lacks the refused %s (%d bytes)", name, len(data))
		}
	}
}

// testSyscallFilterKeepsWork: ordinary work still runs under the filter: threads, subprocesses,
// a C compile with gcc, pip and pytest.
func (s suite) testSyscallFilterKeepsWork(t *testing.T) {
	code := `
import subprocess, sys, threading
out = []
t = threading.Thread(target=lambda: out.append("thread"))
t.start(); t.join()
print(out[0])
print(subprocess.run([sys.executable, "-c", "print('child')"], capture_output=True, text=True, check=True).stdout.strip())
open("hello.c", "w").write('#include <pthread.h>\n#include <stdio.h>\nstatic void *f(void *a) { return a; }\nint main(void) { pthread_t t; void *r; pthread_create(&t, 0, f, "compiled"); pthread_join(t, &r); puts(r); return 0; }\n')
subprocess.run(["gcc", "-pthread", "-o", "hello", "hello.c"], check=True)
print(subprocess.run(["./hello"], capture_output=True, text=True, check=True).stdout.strip())
v = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=True).stdout
print("pip" if v.startswith("pip ") else v)
open("test_one.py", "w").write("def test_one():\n    assert 1 + 1 == 2\n")
r = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_one.py"], capture_output=True, text=True)
print("pytest", r.returncode, "1 passed" in r.stdout)
`
	for _, traced := range []bool{false, true} {
		t.Run(fmt.Sprintf("traced=%v", traced), func(t *testing.T) {
			spec := newJob(t).spec(py(code)...)
			spec.Limits.Wall = 90 * time.Second
			spec.Limits.NoOutput = 60 * time.Second
			if traced {
				spec.Trace, spec.TracePath = true, filepath.Join(t.TempDir(), "trace.txt")
			}
			r := s.run(t, spec)
			wantOutcome(t, r, sandbox.OutcomeOK)
			if d := cmp.Diff("thread\nchild\ncompiled\npip\npytest 0 True\n", string(r.Stdout)); d != "" {
				t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
			}
		})
	}
}
