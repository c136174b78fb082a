package sandboxtest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/sandbox"
)

// Conformance runs the whole suite against b. It needs root (cgroups, the tmpfs workspace),
// /usr/bin/python3 and, for the tracing tests, strace.
func Conformance(t *testing.T, b sandbox.Backend) { ConformanceExcept(t, b, nil) }

// ConformanceExcept runs the suite but skips the named cases, printing the reason: for a backend
// that is known to deviate in a documented way. The deviations stay visible in every test run;
// the suite itself is never weakened.
func ConformanceExcept(t *testing.T, b sandbox.Backend, known map[string]string) {
	if err := b.Check(); err != nil {
		t.Fatalf("backend %s not usable here: %v", b.Name(), err)
	}
	s := suite{b: b}
	tests := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"ExitCodes", s.testExitCodes},
		{"OutputCaptured", s.testOutputCaptured},
		{"NoNetwork", s.testNoNetwork},
		{"LoopbackOnly", s.testLoopbackOnly},
		{"ReadOnlySystem", s.testReadOnlySystem},
		{"OverBind", s.testOverBind},
		{"SecretsMasked", s.testSecretsMasked},
		{"TmpFreshPerRun", s.testTmpFresh},
		{"HomeHasOnlyDecoys", s.testHomeDecoys},
		{"Unprivileged", s.testUnprivileged},
		{"SyscallsDenied", s.testSyscallsDenied},
		{"SyscallsDeniedTraced", s.testSyscallsDeniedTraced},
		{"SyscallFilterKeepsWork", s.testSyscallFilterKeepsWork},
		{"StdinEmpty", s.testStdinEmpty},
		{"NoControllingTerminal", s.testNoTTY},
		{"CleanEnvironment", s.testCleanEnv},
		{"UserIsNamed", s.testUserNamed},
		{"HostLocales", s.testHostLocales},
		{"OnlyStandardFDs", s.testOnlyStdFDs},
		{"InitUntouchable", s.testInitUntouchable},
		{"DNSRecorded", s.testDNS},
		{"Sinkhole", s.testSinkhole},
		{"SinkholeNoRouteOut", s.testSinkholeNoRouteOut},
		{"SinkholeFlood", s.testSinkholeFlood},
		{"IndexBridge", s.testIndexBridge},
		{"IndexBridgeLargeFile", s.testIndexBridgeLargeFile},
		{"Trace", s.testTrace},
		{"TraceCapped", s.testTraceCapped},
		{"TraceAttribution", s.testTraceAttribution},
		{"TraceIoctl", s.testTraceIoctl},
		{"ForkBomb", s.testForkBomb},
		{"MemoryHog", s.testMemoryHog},
		{"DiskFiller", s.testDiskFiller},
		{"DiskFillerOverMemory", s.testDiskFillerOverMemory},
		{"FileSizeLimit", s.testFileSizeLimit},
		{"InfiniteLoop", s.testInfiniteLoop},
		{"CPULimit", s.testCPULimit},
		{"SilentHang", s.testSilentHang},
		{"OutputFlood", s.testOutputFlood},
		{"DoubleForkDaemon", s.testDaemon},
		{"KillAll", s.testKillAll},
		{"TIOCSTI", s.testTIOCSTI},
		{"BashrcPersistence", s.testBashrc},
		{"MillionFiles", s.testMillionFiles},
		{"Cancelled", s.testCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if why, ok := known[tc.name]; ok {
				t.Skipf("known deviation of the %s backend: %s", b.Name(), why)
			}
			tc.fn(t)
		})
	}
}

func (s suite) testExitCodes(t *testing.T) {
	tests := []struct {
		name    string
		argv    []string
		outcome sandbox.Outcome
		code    int
		signal  int
	}{
		{"zero", sh("exit 0"), sandbox.OutcomeOK, 0, 0},
		{"three", sh("exit 3"), sandbox.OutcomeExit, 3, 0},
		{"sigkill", sh("kill -9 $$"), sandbox.OutcomeKilled, 137, 9},
		{"sigterm", py("import os,signal; os.kill(os.getpid(), signal.SIGTERM)"), sandbox.OutcomeKilled, 143, 15},
		{"not found", []string{"pyti-no-such-command"}, sandbox.OutcomeExit, 127, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := s.run(t, newJob(t).spec(tc.argv...))
			type got struct {
				Outcome      sandbox.Outcome
				Code, Signal int
			}
			if d := cmp.Diff(got{tc.outcome, tc.code, tc.signal}, got{r.Outcome, r.ExitCode, r.Signal}); d != "" {
				t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
			}
		})
	}
}

func (s suite) testOutputCaptured(t *testing.T) {
	var live bytes.Buffer
	spec := newJob(t).spec(sh("echo to-stdout; echo to-stderr >&2")...)
	spec.Stdout = &live
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff([]string{"to-stdout\n", "to-stderr\n", "to-stdout\n"}, []string{string(r.Stdout), string(r.Stderr), live.String()}); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	if r.StdoutDropped != 0 || r.StderrDropped != 0 {
		t.Errorf("dropped %d/%d bytes of a tiny output", r.StdoutDropped, r.StderrDropped)
	}
}

// testNoNetwork: a connection anywhere outside fails at once, with the network unreachable
// from the sandbox (ENETUNREACH from Linux, EHOSTUNREACH from gVisor's netstack): not after a
// timeout, and not refused by something that answered.
func (s suite) testNoNetwork(t *testing.T) {
	code := `
import socket, errno
for addr in [("203.0.113.7", 443), ("169.254.169.254", 80), ("10.0.0.1", 22)]:
    s = socket.socket()
    s.settimeout(10)
    try:
        s.connect(addr)
        print(addr[0], "CONNECTED")
    except OSError as e:
        print(addr[0], "unreachable" if e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) else errno.errorcode.get(e.errno, e))
`
	r := s.run(t, newJob(t).spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	want := "203.0.113.7 unreachable\n169.254.169.254 unreachable\n10.0.0.1 unreachable\n"
	if d := cmp.Diff(want, string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func (s suite) testLoopbackOnly(t *testing.T) {
	r := s.run(t, newJob(t).spec(py("import socket; print([n for _, n in socket.if_nameindex()])")...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff("['lo']\n", string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func (s suite) testReadOnlySystem(t *testing.T) {
	j := newJob(t)
	code := `
import os, sys
for p in ["/pyti-x", "/usr/pyti-x", "/etc/pyti-x", "/usr/lib/python3/dist-packages/pyti-x.pth", "/bin/pyti-x"]:
    try:
        open(p, "w").close()
        print(p, "WRITABLE")
    except OSError as e:
        print(p, "refused")
open(os.path.join(sys.argv[1], "made-inside"), "w").write("hello")
print("work ok")
`
	r := s.run(t, j.spec(Python, "-c", code, sandbox.WorkPath))
	wantOutcome(t, r, sandbox.OutcomeOK)
	want := "/pyti-x refused\n/usr/pyti-x refused\n/etc/pyti-x refused\n/usr/lib/python3/dist-packages/pyti-x.pth refused\n/bin/pyti-x refused\nwork ok\n"
	if d := cmp.Diff(want, string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
	}
	got, err := os.ReadFile(filepath.Join(j.workDir, "made-inside"))
	if err != nil || string(got) != "hello" {
		t.Errorf("file written in the work dir: %q, %v", got, err)
	}
}

// testOverBind: a Spec.Over bind shows its directory in place of one inside the work directory,
// read-write, and what the run writes there goes to the copy, never to the original.
func (s suite) testOverBind(t *testing.T) {
	j := newJob(t)
	orig, cp := filepath.Join(j.workDir, "env"), filepath.Join(j.workDir, "env-copy")
	for dir, text := range map[string]string{orig: "original", cp: "copy"} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "which"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(cp, 0o777); err != nil {
		t.Fatal(err)
	}
	spec := j.spec(sh("cat " + sandbox.WorkPath + "/env/which; echo; echo new > " + sandbox.WorkPath + "/env/written && echo wrote")...)
	spec.Over = []sandbox.Bind{{Src: cp, Dst: sandbox.WorkPath + "/env"}}
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff("copy\nwrote\n", string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
	}
	if _, err := os.Stat(filepath.Join(cp, "written")); err != nil {
		t.Errorf("the write did not reach the copy: %v", err)
	}
	if _, err := os.Stat(filepath.Join(orig, "written")); err == nil {
		t.Errorf("the write reached the original")
	}
	// A copy another run replaced with a link to a host directory is never bound.
	host := t.TempDir()
	if err := os.RemoveAll(cp); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(host, cp); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	spec = j.spec(sh("echo planted > " + sandbox.WorkPath + "/env/planted")...)
	spec.Over = []sandbox.Bind{{Src: cp, Dst: sandbox.WorkPath + "/env"}}
	if r, err := s.b.Run(ctx, spec); err == nil {
		t.Errorf("a link bound over the work space: %s", describe(r))
	}
	if _, err := os.Stat(filepath.Join(host, "planted")); err == nil {
		t.Errorf("the run wrote into the host directory the link named")
	}
}

func (s suite) testSecretsMasked(t *testing.T) {
	r := s.run(t, newJob(t).spec(sh("wc -c < /etc/shadow; test -e /root && echo root-visible; test -e /sys/kernel && echo sys-visible; ls -A /etc/ssl/private 2>/dev/null; echo end")...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff("0\nend\n", string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

// testTmpFresh: every run starts with an empty /tmp, whatever the previous one left, and /tmp
// has its size cap. The listing is Python's, not coreutils' ls: this gVisor refuses the statx
// flags ls uses (a runsc limitation of its own, not of /tmp).
func (s suite) testTmpFresh(t *testing.T) {
	const list = "import os, sys; print(sorted(os.listdir('/tmp'))); sys.stdout.flush()"
	r := s.run(t, newJob(t).spec(py(list+"; open('/tmp/pyti-fresh', 'w').write('x'); print(sorted(os.listdir('/tmp')))")...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if string(r.Stdout) != "[]\n['pyti-fresh']\n" {
		t.Fatalf("first run's /tmp: %q\n%s", r.Stdout, describe(r))
	}
	r = s.run(t, newJob(t).spec(py(list)...))
	if string(r.Stdout) != "[]\n" {
		t.Errorf("a second run sees %q in /tmp", r.Stdout)
	}
	spec := newJob(t).spec(sh("dd if=/dev/zero of=/tmp/big bs=64k count=64 2>&1; echo dd-exit=$?")...)
	spec.Limits.TmpBytes = 1 << 20
	r = s.run(t, spec)
	if !strings.Contains(string(r.Stdout), "No space left on device") || r.Outcome != sandbox.OutcomeNoSpace {
		t.Errorf("a 4 MiB file fits in a 1 MiB /tmp: %s", describe(r))
	}
}

func (s suite) testHomeDecoys(t *testing.T) {
	code := `
import os
for p in os.environ["DECOYS"].split(":"):
    print(p, "CANARY" if os.environ["CANARY"] in open(p).read() else "plain")
for k in os.environ["DECOY_ENV"].split(":"):
    print(k, os.environ["CANARY"] in os.environ.get(k, ""))
print(sorted(os.listdir(os.environ["HOME"])))
print(os.path.exists("/root"))
`
	spec := newJob(t).spec(py(code)...)
	spec.Env = append(spec.Env, "DECOYS="+strings.Join(sandbox.DecoyPaths(), ":"),
		"DECOY_ENV="+strings.Join(sandbox.DecoyEnvNames(), ":"), "CANARY="+sandbox.Canary)
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	var want strings.Builder
	top := map[string]bool{}
	for _, p := range sandbox.DecoyPaths() {
		fmt.Fprintf(&want, "%s CANARY\n", p)
		top[strings.SplitN(strings.TrimPrefix(p, sandbox.Home+"/"), "/", 2)[0]] = true
	}
	for _, k := range sandbox.DecoyEnvNames() {
		fmt.Fprintf(&want, "%s True\n", k)
	}
	var names []string
	for n := range top {
		names = append(names, "'"+n+"'")
	}
	slices.Sort(names)
	fmt.Fprintf(&want, "[%s]\nFalse\n", strings.Join(names, ", "))
	if d := cmp.Diff(want.String(), string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
	}
}

// testUnprivileged: the sandbox user is SandboxUID/SandboxGID and holds no capability in any
// set, with no_new_privs, asked of the kernel itself (capget, prctl) rather than read from
// /proc/self/status, whose lines differ between kernels (gVisor has no CapAmb or NoNewPrivs);
// raw and packet sockets and new user namespaces are refused.
func (s suite) testUnprivileged(t *testing.T) {
	caps := `
import ctypes, os
libc = ctypes.CDLL(None, use_errno=True)
print(os.getuid(), os.getgid())
hdr = (ctypes.c_uint32 * 2)(0x20080522, 0)  # _LINUX_CAPABILITY_VERSION_3, this process
data = (ctypes.c_uint32 * 6)()
if libc.capget(hdr, data) != 0:
    raise OSError(ctypes.get_errno(), "capget")
print("effective", data[0] | data[3], "permitted", data[1] | data[4], "inheritable", data[2] | data[5])
def held(*args):
    out = []
    for cap in range(64):
        r = libc.prctl(*args, cap, 0, 0)
        if r < 0:
            break
        if r == 1:
            out.append(cap)
    return out
print("bounding", held(23))              # PR_CAPBSET_READ
print("ambient", held(47, 1))            # PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET
print("no_new_privs", libc.prctl(39, 0, 0, 0, 0))  # PR_GET_NO_NEW_PRIVS
`
	r := s.run(t, newJob(t).spec(py(caps)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	want := fmt.Sprintf("%d %d\neffective 0 permitted 0 inheritable 0\nbounding []\nambient []\nno_new_privs 1\n", sandbox.SandboxUID, sandbox.SandboxGID)
	if d := cmp.Diff(want, string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
	}
	code := `
import os, socket
for name, args in [("raw", (socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)),
                   ("packet", (socket.AF_PACKET, socket.SOCK_RAW, 0))]:
    try:
        socket.socket(*args)
        print(name, "allowed")
    except OSError:
        print(name, "denied")
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
print("userns", "allowed" if libc.unshare(0x10000000) == 0 else "denied")
`
	r = s.run(t, newJob(t).spec(py(code)...))
	if d := cmp.Diff("raw denied\npacket denied\nuserns denied\n", string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
	}
}

func (s suite) testStdinEmpty(t *testing.T) {
	r := s.run(t, newJob(t).spec(sh("wc -c")...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if strings.TrimSpace(string(r.Stdout)) != "0" {
		t.Errorf("stdin had %q bytes", r.Stdout)
	}
}

func (s suite) testNoTTY(t *testing.T) {
	code := `
import os
try:
    os.open("/dev/tty", os.O_RDWR)
    print("tty opened")
except OSError as e:
    print("no tty")
`
	r := s.run(t, newJob(t).spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if string(r.Stdout) != "no tty\n" {
		t.Errorf("got %q", r.Stdout)
	}
}

func (s suite) testCleanEnv(t *testing.T) {
	t.Setenv("PYTI_HOST_ONLY_MARKER", "host-secret")
	spec := newJob(t).spec(py("import os; print('\\n'.join(sorted(os.environ)))")...)
	spec.Env = append(spec.Env, "PYTI_EXTRA=1", "LANG=C.UTF-8")
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	want := append([]string{"HOME", "LANG", "LOGNAME", "PATH", "PYTI_EXTRA", "PYTI_TEST_MARKER", "SHELL", "TMPDIR", "USER"}, sandbox.DecoyEnvNames()...)
	slices.Sort(want)
	if d := cmp.Diff(want, strings.Fields(string(r.Stdout))); d != "" {
		t.Errorf("environment (-want +got)\n%s", d)
	}
}

// testUserNamed: the code learns its user's name as on a login session (pox's tests expect HOME
// to end with it), and not the host's name for the sandbox's uid: the user database agrees with
// USER (psutil's test_username compares them), and root is still root.
func (s suite) testUserNamed(t *testing.T) {
	r := s.run(t, newJob(t).spec(py("import getpass, grp, os, pwd; u = pwd.getpwuid(os.getuid()); "+
		"print(getpass.getuser(), os.path.basename(os.environ['HOME']), u.pw_name, u.pw_dir, grp.getgrgid(os.getgid()).gr_name, pwd.getpwuid(0).pw_name)")...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	want := fmt.Sprintf("%[1]s %[1]s %[1]s %[2]s %[1]s root\n", sandbox.User, sandbox.Home)
	if d := cmp.Diff(want, string(r.Stdout)); d != "" {
		t.Errorf("user, HOME, its passwd entry and group (-want +got)\n%s%s", d, describe(r))
	}
}

// testHostLocales: the sandbox has the locales this machine has, en_US.UTF-8 among them (make
// deps generates it): test suites that set it ran for want of a locale, not of the package.
func (s suite) testHostLocales(t *testing.T) {
	host, err := exec.Command("locale", "-a").Output()
	if err != nil {
		t.Fatalf("locale -a: %v", err)
	}
	if !slices.Contains(strings.Fields(string(host)), "en_US.utf8") {
		t.Errorf("this machine has no en_US.UTF-8 locale (locale -a: %q): run make deps", host)
	}
	r := s.run(t, newJob(t).spec("locale", "-a"))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff(string(host), string(r.Stdout)); d != "" {
		t.Errorf("locales in the sandbox (-host +sandbox)\n%s", d)
	}
}

func (s suite) testOnlyStdFDs(t *testing.T) {
	code := `
import os
open_fds = []
for fd in range(3, 256):
    try:
        os.fstat(fd)
        open_fds.append(fd)
    except OSError:
        pass
print(open_fds)
`
	r := s.run(t, newJob(t).spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff("[]\n", string(r.Stdout)); d != "" {
		t.Errorf("inherited fds (-want +got)\n%s", d)
	}
}

// testInitUntouchable: the user's code cannot reach through /proc anything of PYTI's init it
// does not hold already (the report channel above all), nor end the init. Opening
// /proc/1/fd/N is allowed to give back the user's own stdio (gVisor lets it: the init's
// stdin, stdout and stderr are the very /dev/null and pipes the user's code inherited), so what
// an open returns is compared with the caller's own fds 0-2.
func (s suite) testInitUntouchable(t *testing.T) {
	code := `
import os, signal
own = set()
for fd in (0, 1, 2):
    st = os.fstat(fd)
    own.add((st.st_dev, st.st_ino))
for fd in range(0, 16):
    for mode in (os.O_RDONLY, os.O_WRONLY):
        try:
            f = os.open("/proc/1/fd/%d" % fd, mode)
        except OSError:
            continue
        st = os.fstat(f)
        if (st.st_dev, st.st_ino) not in own:
            print("reached", fd)
        os.close(f)
for sig in (signal.SIGTERM, signal.SIGKILL, signal.SIGINT, signal.SIGHUP):
    try:
        os.kill(1, sig)
    except OSError:
        pass
print("still here")
`
	r := s.run(t, newJob(t).spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff("still here\n", string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
	}
}

// testDNS: PYTI's resolver answers (NXDOMAIN, or a sinkhole address where the backend has the
// sinkhole) and records every query with the answer the code got.
func (s suite) testDNS(t *testing.T) {
	code := `
import socket
try:
    print(socket.gethostbyname("x.exfil.example"))
except socket.gaierror as e:
    print("NXDOMAIN" if e.errno == socket.EAI_NONAME else e)
`
	r := s.run(t, newJob(t).spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	// EAI_NONAME is NXDOMAIN answered; a resolver that never answered gives EAI_AGAIN.
	var got []string
	for _, q := range r.DNSQueries {
		if q.Name == "x.exfil.example" && q.Type == "A" {
			got = append(got, q.Answer)
		}
	}
	if d := cmp.Diff([]string{strings.TrimSpace(string(r.Stdout))}, got); d != "" {
		t.Errorf("answers recorded for x.exfil.example/A (-code saw +recorded)\n%s\n%s", d, describe(r))
	}
}

func (s suite) testIndexBridge(t *testing.T) {
	dir, err := os.MkdirTemp("", "pyti-idx-") // short: unix socket paths are limited to 108 bytes
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "index.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	seen := make(chan string, 4)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen <- r.URL.Path
		fmt.Fprint(w, "<html>index says hello</html>")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	spec := newJob(t).spec(py("import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:3141/simple/pip/', timeout=10).read().decode())")...)
	spec.IndexSocket, spec.IndexPort = sock, 3141
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff("<html>index says hello</html>\n", string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	select {
	case p := <-seen:
		if p != "/simple/pip/" {
			t.Errorf("index server saw %q", p)
		}
	default:
		t.Errorf("the index server saw no request")
	}
	// Without IndexSocket the port is closed.
	r = s.run(t, newJob(t).spec(py("import socket\ntry:\n socket.create_connection(('127.0.0.1', 3141), timeout=5); print('open')\nexcept OSError: print('closed')")...))
	if string(r.Stdout) != "closed\n" {
		t.Errorf("without an index socket: %s", describe(r))
	}
}

// testIndexBridgeLargeFile moves a real wheel of more than a megabyte (Debian's setuptools) through
// the index bridge, several times over parallel connections, and checks every copy's sha256: a
// bridge that loses or reorders bytes makes every sdist that needs setuptools unresolvable.
func (s suite) testIndexBridgeLargeFile(t *testing.T) {
	wheels, _ := filepath.Glob("/usr/share/python-wheels/setuptools-*.whl")
	if len(wheels) == 0 {
		t.Skip("no setuptools wheel in /usr/share/python-wheels (Debian's python3-setuptools-whl)")
	}
	data, err := os.ReadFile(wheels[0])
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("%x", sha256.Sum256(data))
	dir, err := os.MkdirTemp("", "pyti-idx-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "index.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
		_, _ = w.Write(data)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	code := `
import hashlib, urllib.request, concurrent.futures
def get(i):
    return hashlib.sha256(urllib.request.urlopen('http://127.0.0.1:3141/packages/setuptools.whl?%d' % i, timeout=60).read()).hexdigest()
with concurrent.futures.ThreadPoolExecutor(4) as ex:
    for h in ex.map(get, range(8)):
        print(h)
`
	spec := newJob(t).spec(py(code)...)
	spec.IndexSocket, spec.IndexPort = sock, 3141
	spec.Limits.Wall, spec.Limits.NoOutput = 90*time.Second, 90*time.Second
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if d := cmp.Diff(strings.Repeat(want+"\n", 8), string(r.Stdout)); d != "" {
		t.Errorf("sha256 of %s through the bridge (-want +got)\n%s", filepath.Base(wheels[0]), d)
	}
}

func (s suite) testTrace(t *testing.T) {
	spec := newJob(t).spec(sh("cat /etc/hostname > /dev/null; echo traced")...)
	spec.Trace, spec.TracePath = true, filepath.Join(t.TempDir(), "trace.txt")
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if r.TracePath != spec.TracePath {
		t.Errorf("TracePath %q, want %q", r.TracePath, spec.TracePath)
	}
	data, err := os.ReadFile(spec.TracePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`execve("/bin/sh"`, `"/etc/hostname"`, "+++ exited with 0 +++"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("trace lacks %s (%d bytes)", want, len(data))
		}
	}
	if r.TraceDropped != 0 {
		t.Errorf("dropped %d bytes of a small trace", r.TraceDropped)
	}
}

func (s suite) testTraceCapped(t *testing.T) {
	// Opening is traced (a stat is not: it makes no event).
	spec := newJob(t).spec(py("for i in range(3000):\n    try: open('/nonexistent-%d' % i)\n    except OSError: pass")...)
	spec.Trace, spec.TracePath = true, filepath.Join(t.TempDir(), "trace.txt")
	spec.Limits.TraceBytes = 64 << 10
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	fi, err := os.Stat(spec.TracePath)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() > 64<<10 || r.TraceDropped <= 0 {
		t.Errorf("trace file %d bytes, dropped %d; want <= 64 KiB and dropped > 0", fi.Size(), r.TraceDropped)
	}
	data, _ := os.ReadFile(spec.TracePath)
	if !bytes.Contains(data[:4096], []byte(`execve("`)) || !bytes.HasSuffix(data, []byte("+++ exited with 0 +++\n")) {
		t.Errorf("the capped trace lost its head or its tail")
	}
}

func (s suite) testCancelled(t *testing.T) {
	c, j := plantCanaries(t), newJob(t)
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		time.Sleep(500 * time.Millisecond)
		cancel()
	}()
	_, err := s.b.Run(ctx, j.spec(sh("sleep 100")...))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run after cancel: %v, want context.Canceled", err)
	}
	s.hostUntouched(t, c, j)
}
