package trace

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseLine(t *testing.T) {
	ts := time.Unix(1795489411, 947802000).UTC()
	tests := []struct {
		in   string
		want Line
	}{
		{
			`3025  1795489411.947802 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3`,
			Line{PID: 3025, Time: ts, Type: LineSyscall, Name: "openat", Args: `AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC`, Result: "3"},
		},
		{
			`3025  1795489411.947802 access("/etc/ld.so.preload", R_OK) = -1 ENOENT (No such file or directory)`,
			Line{PID: 3025, Time: ts, Type: LineSyscall, Name: "access", Args: `"/etc/ld.so.preload", R_OK`, Result: "-1 ENOENT (No such file or directory)"},
		},
		{
			`6033  1795489411.947802 vfork( <unfinished ...>`,
			Line{PID: 6033, Time: ts, Type: LineUnfinished, Name: "vfork"},
		},
		{
			`6034  1795489411.947802 execve("/usr/bin/mv", ["mv", "x.txt", "y.txt"], 0x5575435b40d8 /* 39 vars */ <unfinished ...>`,
			Line{PID: 6034, Time: ts, Type: LineUnfinished, Name: "execve", Args: `"/usr/bin/mv", ["mv", "x.txt", "y.txt"], 0x5575435b40d8 /* 39 vars */`},
		},
		{
			`6033  1795489411.947802 <... vfork resumed>) = 6034`,
			Line{PID: 6033, Time: ts, Type: LineResumed, Name: "vfork", Result: "6034"},
		},
		{
			`6033  1795489411.947802 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 6036`,
			Line{PID: 6033, Time: ts, Type: LineResumed, Name: "wait4", Args: `[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL`, Result: "6036"},
		},
		{
			`7871  1795489411.947802 <... exit resumed>) = ?`,
			Line{PID: 7871, Time: ts, Type: LineResumed, Name: "exit", Result: "?"},
		},
		{
			`6038  1795489411.947802 <... wait4 resumed> <unfinished ...>) = ?`,
			Line{PID: 6038, Time: ts, Type: LineResumed, Name: "wait4", Result: "?"},
		},
		{
			`6033  1795489411.947802 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6036, si_uid=0, si_status=0, si_utime=0, si_stime=0} ---`,
			Line{PID: 6033, Time: ts, Type: LineSignal, Name: "SIGCHLD", Text: "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=6036, si_uid=0, si_status=0, si_utime=0, si_stime=0}"},
		},
		{
			`6036  1795489411.947802 +++ exited with 3 +++`,
			Line{PID: 6036, Time: ts, Type: LineExited, Status: 3},
		},
		{
			`6033  1795489411.947802 +++ killed by SIGKILL +++`,
			Line{PID: 6033, Time: ts, Type: LineKilled, Name: "SIGKILL"},
		},
		{
			`6033  1795489411.947802 +++ killed by SIGSEGV (core dumped) +++`,
			Line{PID: 6033, Time: ts, Type: LineKilled, Name: "SIGSEGV", Text: "(core dumped)"},
		},
		{
			`6033  1795489411.947802 exit_group(0)   = ?`,
			Line{PID: 6033, Time: ts, Type: LineSyscall, Name: "exit_group", Args: "0", Result: "?"},
		},
		{
			// A string holding ") = 1" and an escaped quote must not end the call.
			`[pid   12] write(1, "a\") = 1 (\"", 9) = 9`,
			Line{PID: 12, Type: LineSyscall, Name: "write", Args: `1, "a\") = 1 (\"", 9`, Result: "9"},
		},
		{
			// -y decorations whose path holds parentheses, a comma and escaped angle brackets.
			`7 1795489411.947802 openat(3</tmp/a(b\74c\76,d>, "x)", O_RDONLY) = 4</tmp/a(b\74c\76,d/x)>`,
			Line{PID: 7, Time: ts, Type: LineSyscall, Name: "openat", Args: `3</tmp/a(b\74c\76,d>, "x)"` + `, O_RDONLY`, Result: `4</tmp/a(b\74c\76,d/x)>`},
		},
		{
			`1795489411.947802 chdir("/tmp")   = 0`,
			Line{Time: ts, Type: LineSyscall, Name: "chdir", Args: `"/tmp"`, Result: "0"},
		},
		{
			`7870  1795489411.947802 socket(AF_PACKET, SOCK_RAW|SOCK_CLOEXEC, htons(0 /* ETH_P_??? */) <unfinished ...>`,
			Line{PID: 7870, Time: ts, Type: LineUnfinished, Name: "socket", Args: `AF_PACKET, SOCK_RAW|SOCK_CLOEXEC, htons(0 /* ETH_P_??? */)`},
		},
		{
			`5 1795489411.947802 +++ superseded by execve in pid 4 +++`,
			Line{PID: 5, Time: ts, Type: LineOther, Text: "superseded by execve in pid 4"},
		},
	}
	for _, tt := range tests {
		got, err := ParseLine(tt.in)
		if err != nil {
			t.Errorf("ParseLine(%q): %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("ParseLine(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func TestParseLineRejects(t *testing.T) {
	for _, in := range []string{
		"",
		"hello world",
		"123 1.5 open(\"unterminated",
		"123 1.5 open(\"/x\") garbage",
		"12 1.5 <... openat resumed",
		"12 1.5 +++ exited with x +++",
		"12 1.5 (no name) = 1",
	} {
		if _, err := ParseLine(in); err == nil {
			t.Errorf("ParseLine(%q) = nil error, want one", in)
		}
	}
}

func TestUnquote(t *testing.T) {
	tests := []struct {
		in        string
		want      string
		truncated bool
	}{
		{`"plain"`, "plain", false},
		{`"a\nb\tc\"d\\e"`, "a\nb\tc\"d\\e", false},
		{`"\1\0\377x"`, "\x01\x00\xffx", false},
		{`"\x41\x7f\x4"`, "A\x7f\x04", false},
		{`"\3331"`, "\xdb1", false},
		{`"abc"...`, "abc", true},
		{`"cut by the line ca`, "cut by the line ca", true},
	}
	for _, tt := range tests {
		got, tr, ok := unquote(tt.in)
		if !ok || got != tt.want || tr != tt.truncated {
			t.Errorf("unquote(%q) = %q, %v, %v; want %q, %v", tt.in, got, tr, ok, tt.want, tt.truncated)
		}
	}
}

func TestParseSockaddr(t *testing.T) {
	tests := []struct {
		in   string
		want sockaddr
	}{
		{`{sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("203.0.113.7")}`, sockaddr{"AF_INET", "203.0.113.7", 443, false}},
		{`{sa_family=AF_INET6, sin6_port=htons(53), sin6_flowinfo=htonl(0), inet_pton(AF_INET6, "::1", &sin6_addr), sin6_scope_id=0}`, sockaddr{"AF_INET6", "::1", 53, false}},
		{`{sa_family=AF_UNIX, sun_path="/run/dbus/system_bus_socket"}`, sockaddr{"AF_UNIX", "/run/dbus/system_bus_socket", 0, true}},
		// A file name that begins with @ (waitress's tests' "@test_7_tmp"), not an abstract name.
		{`{sa_family=AF_UNIX, sun_path="@test_7_tmp"}`, sockaddr{"AF_UNIX", "@test_7_tmp", 0, true}},
		{`{sa_family=AF_UNIX, sun_path=@"/tmp/.X11-unix/X0"}`, sockaddr{"AF_UNIX", "@/tmp/.X11-unix/X0", 0, false}},
		{`{sa_family=AF_NETLINK, nl_pid=0, nl_groups=00000000}`, sockaddr{"AF_NETLINK", "pid=0", 0, false}},
		{`3, {msg_name={sa_family=AF_INET, sin_port=htons(53), sin_addr=inet_addr("10.0.0.2")}, msg_namelen=16, msg_iov=[{iov_base="inet_addr(\"1.1.1.1\")", iov_len=5}]}, 0`, sockaddr{"AF_INET", "10.0.0.2", 53, false}},
	}
	for _, tt := range tests {
		got, ok := parseSockaddr(tt.in)
		if !ok {
			t.Errorf("parseSockaddr(%q) failed", tt.in)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(sockaddr{})); diff != "" {
			t.Errorf("parseSockaddr(%q) mismatch (-want +got):\n%s", tt.in, diff)
		}
	}
}

func FuzzParseLine(f *testing.F) {
	for _, s := range []string{
		`3025  1795489411.947802 openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3`,
		`6033  1795489411.947802 <... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 0}], 0, NULL) = 6036`,
		`7 1.5 connect(3<socket:[1]>, {sa_family=AF_INET6, sin6_port=htons(9), inet_pton(AF_INET6, "::1", &sin6_addr)}, 28) = -1 E`,
		`7 1.5 execve("/bin/sh", ["sh", "-c", "echo \"\x41\101"...], 0x1 /* 3 vars */) = 0`,
		`7 1.5 openat(3</a\74>, "b", O_CREAT) = 4</a\74/b>`,
		`7 1.5 --- SIGSEGV {si_signo=SIGSEGV} ---`,
		`7 1.5 +++ killed by SIGKILL +++`,
		`7 1.5 sendmsg(3, {msg_name={sa_family=AF_UNIX, sun_path=@"x"}}, 0) = 1`,
		`I1124 03:22:13.000277   32038 strace.go:605] [   1:   1] python3 X connect(0x3 socket:[1], 0x7f {Family: AF_INET6, Addr: ::1, Port: 443}, 0x10) = 0 (0x0) errno=113 (no route to host) (21.371µs)`,
		`I1124 03:22:13.039427   32038 strace.go:561] [   2:   2] sh E exit_group(0x0)`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := NewParser(Options{MaxEvents: 8})
		p.Feed(s)
		p.Feed("<... " + s)
		p.Feed(s + " <unfinished ...>")
		p.Feed(s)
		tr := p.Finish()
		if tr.Total < len(tr.Events) {
			t.Fatalf("total %d < kept %d", tr.Total, len(tr.Events))
		}
		if ln, err := ParseLine(s); err == nil {
			splitArgs(ln.Args)
			parseSockaddr(ln.Args)
			parseStringArray(ln.Args)
		}
	})
}
