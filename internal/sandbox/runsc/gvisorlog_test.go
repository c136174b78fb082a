package runsc_test

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/sandbox/runsc"
	"github.com/pyti/pyti/internal/trace"
)

// now is when the log lines below were read: their dates, which have no year, fall in 2026.
var now = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

func TestConvertLine(t *testing.T) {
	const pre = "I1124 04:20:28.797311   10564 strace.go:564] "
	tests := []struct {
		name, in, want string
		ok             bool
	}{
		{"open", pre + "[   1:   1] python3 X openat(AT_FDCWD /tmp/rs, 0x7fced2fa1610 /tmp/w1.txt, O_WRONLY|O_CLOEXEC|O_CREAT|O_TRUNC, 0o666) = 3 (0x3) (114.517µs)",
			`1 1795494028.797311 openat(AT_FDCWD</tmp/rs>, "/tmp/w1.txt", O_WRONLY|O_CLOEXEC|O_CREAT|O_TRUNC, 0o666) = 3`, true},
		{"error", pre + "[   1:   1] python3 X connect(0x3 socket:[1], 0x7f6aebd950e0 {Family: AF_INET, Addr: 203.0.113.7, Port: 443}, 0x10) = 0 (0x0) errno=113 (no route to host) (21.371µs)",
			`1 1795494028.797311 connect(3, {sa_family=AF_INET, sin_port=htons(443), sin_addr=inet_addr("203.0.113.7")}, 16) = -1 EHOSTUNREACH (no route to host)`, true},
		{"fd with path", pre + "[   3:   3] sh X newfstatat(0x3 /tmp/w1.txt, 0x7fced31bfdd5 , 0x7f6aebd94e50, 0x1000) = 0 (0x0) (2µs)",
			`3 1795494028.797311 newfstatat(3</tmp/w1.txt>, 140526281817557, 140097200148048, 4096) = 0`, true},
		{"thread id", pre + "[   4:   7] python3 X unlink(0x7f9a3d3cfd70 /tmp/x) = 0 (0x0) (1µs)",
			`7 1795494028.797311 unlink("/tmp/x") = 0`, true},
		{"exec start", pre + `[   2:   2] python3 E execve(0x7f9a3d5543d0 /bin/sh, 0x7f9a3d3ec630 ["/bin/sh", "-c", "x"], 0x7f28edab9780 ["PATH=/bin"])`,
			`2 1795494028.797311 execve("/bin/sh", ["/bin/sh", "-c", "x"], ["PATH=/bin"] <unfinished ...>`, true},
		{"exec end", pre + `[   2:   2] sh X execve(0x7f9a3d5543d0 /bin/sh, 0x7f9a3d3ec630 ["/bin/sh", "-c", "x"], 0x7f28edab9780 ["PATH=/bin"]) = 0 (0x0) (3ms)`,
			`2 1795494028.797311 <... execve resumed>) = 0`, true},
		{"fork refused", pre + "[   2:   2] python3 X clone(CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|0x11, 0x0, 0x0, 0x7f47, 0x0) = 0 (0x0) errno=11 (resource temporarily unavailable) (8µs)",
			`2 1795494028.797311 <... clone resumed>) = -1 EAGAIN (resource temporarily unavailable)`, true},
		{"exit", pre + "[   2:   2] sh E exit_group(0x3)", `2 1795494028.797311 +++ exited with 3 +++`, true},
		{"thread exit", pre + "[   2:   5] sh E exit(0x0)", "", false},
		{"other entry", pre + "[   2:   2] sh E openat(AT_FDCWD /, 0x1 /x, O_RDONLY, 0o0)", "", false},
		{"not strace", "D1124 03:22:12.424901   32038 client.go:400] send [sockComm 4] MountReq{}", "", false},
		{"garbage", "strace.go:1] [ x", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := runsc.ConvertLine(tc.in, now)
			if ok != tc.ok || got != tc.want {
				t.Errorf("got %q, %v\nwant %q, %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}

// The converted log reads, through trace.Parse's strace reader, as the raw log reads through
// its gVisor reader: the same events, the same times, nothing misunderstood.
// testdata/gvisor-boot.log is a real `runsc --strace --debug-log do` log (runsc 20221219) of
// a script that creates and renames a file, connects to 203.0.113.7:443 and runs /bin/sh.
func TestConvertMatchesGVisorReader(t *testing.T) {
	raw, err := os.ReadFile("testdata/gvisor-boot.log")
	if err != nil {
		t.Fatal(err)
	}
	direct, err := trace.Parse(bytes.NewReader(raw), trace.Options{Year: 2026})
	if err != nil {
		t.Fatal(err)
	}
	var conv bytes.Buffer
	if err := (runsc.Converter{Now: now}).Convert(&conv, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	via, err := trace.Parse(&conv, trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if via.BadLines != 0 {
		t.Errorf("%d converted lines not understood", via.BadLines)
	}
	// The strace reader dates a call written unfinished (exec, fork) by its start, the gVisor
	// reader by its end: those times differ, every other one is equal.
	startDated := func(evs []trace.Event) []trace.Event {
		out := append([]trace.Event(nil), evs...)
		for i, e := range out {
			switch e.Syscall {
			case "execve", "execveat", "clone", "clone3", "fork", "vfork":
				out[i].Time = time.Time{}
			}
		}
		return out
	}
	if d := cmp.Diff(startDated(direct.Events), startDated(via.Events)); d != "" {
		t.Errorf("events (-gVisor reader +converted)\n%s", d)
	}
	kinds := map[trace.Kind]int{}
	for _, e := range via.Events {
		kinds[e.Kind]++
	}
	for _, k := range []trace.Kind{trace.KindFileCreate, trace.KindRename, trace.KindConnect, trace.KindExec, trace.KindProcess} {
		if kinds[k] == 0 {
			t.Errorf("no %s event in %v", k, kinds)
		}
	}
}

func TestConvertFromFirstExec(t *testing.T) {
	const pre = "I1124 04:20:28.797311   10564 strace.go:564] "
	log := strings.Join([]string{
		pre + "[   1:   1] init E clone(0x50f00, 0x0, 0x0, 0x0, 0x0)",
		pre + "[   1:   1] init X connect(0x3 socket:[1], 0x7f {Family: AF_UNIX, Addr: \"/.pyti/chan/report.sock\"}, 0x10) = 0 (0x0) (1µs)",
		pre + "[   1:   1] init E execve(0x7f9a3d5543d0 /.pyti/init, 0x7f9a3d3ec630 [\"/.pyti/init\"], 0x7f9a3d3ec640 [])",
		pre + "[   1:   1] init X clone(0x50f00, 0x0, 0x0, 0x0, 0x0) = 2 (0x2) (1µs)",
		pre + "[   1:   1] init X execve(0x7f9a3d5543d0 /.pyti/init, 0x7f9a3d3ec630 [\"/.pyti/init\"], 0x7f9a3d3ec640 []) = 0 (0x0) (1µs)",
		pre + "[   1:   1] init E vfork()",
		pre + "[   1:   1] init X vfork() = 0 (0x0) errno=11 (resource temporarily unavailable) (1µs)",
		pre + "[   1:   1] init E exit_group(0x0)",
	}, "\n") + "\n"
	refused := 0
	var out bytes.Buffer
	c := runsc.Converter{Now: now, FromFirstExec: true, ForkRefused: func() { refused++ }}
	if err := c.Convert(&out, strings.NewReader(log)); err != nil {
		t.Fatal(err)
	}
	want := `1 1795494028.797311 execve("/.pyti/init", ["/.pyti/init"], [] <unfinished ...>
1 1795494028.797311 <... execve resumed>) = 0
1 1795494028.797311 vfork( <unfinished ...>
1 1795494028.797311 <... vfork resumed>) = -1 EAGAIN (resource temporarily unavailable)
1 1795494028.797311 +++ exited with 0 +++
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	if refused != 1 {
		t.Errorf("ForkRefused called %d times, want 1", refused)
	}
}
