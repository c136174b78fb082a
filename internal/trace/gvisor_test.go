package trace

import (
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// testdata/gvisor.log is an excerpt of a real `runsc --strace --debug do` log (runsc
// 20221219), the environment vector of its execve shortened.
func TestGVisorLog(t *testing.T) {
	f, err := os.Open("testdata/gvisor.log")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := Parse(f, Options{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	if tr.BadLines != 0 || tr.OtherLines != 3 {
		t.Errorf("bad %d other %d", tr.BadLines, tr.OtherLines)
	}
	var got []Event
	for _, e := range tr.Events {
		if e.Kind == KindFileRead {
			continue
		}
		got = append(got, e)
	}
	want := []Event{
		{PID: 1, Syscall: "openat", Kind: KindFileCreate, Result: "3", Path: "/tmp/g1.txt", Flags: "O_WRONLY|O_CLOEXEC|O_CREAT|O_TRUNC"},
		{PID: 1, Syscall: "rename", Kind: KindRename, Result: "0", Path: "/tmp/g1.txt", NewPath: "/tmp/g2.txt"},
		{PID: 1, Syscall: "unlink", Kind: KindFileDelete, Result: "0", Path: "/tmp/g2.txt"},
		{PID: 1, Syscall: "mkdir", Kind: KindMkdir, Result: "0", Path: "/tmp/gd"},
		{PID: 1, Syscall: "rmdir", Kind: KindFileDelete, Result: "0", Path: "/tmp/gd"},
		{PID: 1, Syscall: "socket", Kind: KindSocket, Result: "3", Family: "AF_INET", Detail: "SOCK_STREAM|SOCK_CLOEXEC"},
		{PID: 1, Syscall: "connect", Kind: KindConnect, Result: "-1", Errno: "EHOSTUNREACH", Family: "AF_INET", Address: "203.0.113.7", Port: 443},
		{PID: 1, Syscall: "socket", Kind: KindSocket, Result: "3", Family: "AF_INET6", Detail: "SOCK_STREAM|SOCK_CLOEXEC"},
		{PID: 1, Syscall: "connect", Kind: KindConnect, Result: "-1", Errno: "EHOSTUNREACH", Family: "AF_INET6", Address: "2001:db8::1", Port: 8443},
		{PID: 1, Syscall: "socket", Kind: KindSocket, Result: "3", Family: "AF_UNIX", Detail: "SOCK_STREAM|SOCK_CLOEXEC"},
		{PID: 1, Syscall: "connect", Kind: KindConnect, Result: "-1", Errno: "ENOENT", Family: "AF_UNIX", Address: "/run/none.sock"},
		{PID: 1, Syscall: "socket", Kind: KindSocket, Result: "3", Family: "AF_INET", Detail: "SOCK_DGRAM|SOCK_CLOEXEC"},
		{PID: 1, Syscall: "sendto", Kind: KindSend, Result: "-1", Errno: "EHOSTUNREACH", Family: "AF_INET", Address: "198.51.100.2", Port: 53},
		{PID: 1, Syscall: "vfork", Kind: KindProcess, Result: "2", ChildPID: 2},
		{PID: 2, PPID: 1, Comm: "sh", Syscall: "execve", Kind: KindExec, Result: "0", Path: "/bin/sh", Argv: []string{"/bin/sh", "-c", `echo 'a"b' > /tmp/gvx`}},
		{PID: 2, PPID: 1, Comm: "sh", Syscall: "openat", Kind: KindFileCreate, Result: "3", Path: "/tmp/gvx", Flags: "O_WRONLY|O_CREAT|O_TRUNC"},
		{PID: 2, PPID: 1, Comm: "sh", Kind: KindExit, ExitCode: intp(0)},
		{PID: 1, Syscall: "chmod", Kind: KindChmod, Result: "0", Path: "/tmp/gvx", Flags: "0o600"},
		{PID: 1, Kind: KindExit, ExitCode: intp(0)},
	}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(Event{}, "Time")); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if want := time.Date(2026, 11, 24, 3, 22, 12, 996834000, time.UTC); len(got) == 0 || !got[0].Time.Equal(want) {
		t.Errorf("first time = %v, want %v", got[0].Time, want)
	}
	if p := tr.Processes[2]; p == nil || p.PPID != 1 || len(p.Execs) != 1 {
		t.Errorf("process 2 = %+v", p)
	}
}
