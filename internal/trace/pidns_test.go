package trace

import (
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestTracerPID(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"43", 43, true},
		{"43 /* 24376 in strace's PID NS */", 24376, true},
		{" 7 /* 5710 in strace's PID NS */ ", 5710, true},
		{"-1 EAGAIN (Resource temporarily unavailable)", -1, true},
		{"?", 0, false},
		{"", 0, false},
		{"43 /* 7 vars */", 43, true},
	}
	for _, tc := range tests {
		got, ok := tracerPID(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("tracerPID(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// testdata/sandbox-bwrap-forks.strace is the real trace of a traced bwrap run (strace 6.1,
// --decode-pids=pidns) of sandboxtest.AttributionScript: bwrap (5702) clones the namespaces'
// first process (5703), which executes PYTI's init; the init's Go threads, then its child 5710
// (7 inside), which executes python3. python3 connects to 203.0.113.9:9001, its thread 5721 to
// 9002, its forked child 5723 to 9003, and 5744, forked by 5738 after setsid, to 9004.
// testdata/sandbox-runsc-forks.strace is the same script's trace from the runsc backend.
func TestSandboxTraceAttribution(t *testing.T) {
	raw, err := os.ReadFile("testdata/sandbox-bwrap-forks.strace")
	if err != nil {
		t.Fatal(err)
	}
	gvisor, err := os.ReadFile("testdata/sandbox-runsc-forks.strace")
	if err != nil {
		t.Fatal(err)
	}
	// Without the annotations (an older strace): the pids clone returns are the namespace's.
	stripped := regexp.MustCompile(` /\* \d+ in strace's PID NS \*/`).ReplaceAllString(string(raw), "")
	setup := &Setup{Init: []string{"/.pyti/init"}}
	type proc struct {
		PPID   int
		Thread bool
	}
	tests := []struct {
		name  string
		in    string
		setup *Setup
		// connects: port -> pid; procs: the job's processes.
		connects map[int]int
		procs    map[int]proc
		roots    []int
		ownProcs bool // whether the sandbox's own processes are left out
	}{
		{
			name: "pidns", in: string(raw), setup: setup,
			connects: map[int]int{9001: 5710, 9002: 5721, 9003: 5723, 9004: 5744},
			procs: map[int]proc{
				5710: {PPID: 5703}, 5721: {PPID: 5710, Thread: true}, 5723: {PPID: 5710},
				5738: {PPID: 5710}, 5744: {PPID: 5738},
			},
			roots: []int{5710}, ownProcs: true,
		},
		{
			// The runsc backend's trace (gVisor's strace log converted, pids of the sandbox):
			// its pid 1 executes the init, whose thread 10 starts python3 as 12.
			name: "runsc", in: string(gvisor), setup: setup,
			connects: map[int]int{9001: 12, 9002: 13, 9003: 14, 9004: 16},
			procs: map[int]proc{
				12: {PPID: 10}, 13: {PPID: 12, Thread: true}, 14: {PPID: 12}, 15: {PPID: 12}, 16: {PPID: 15},
			},
			roots: []int{12}, ownProcs: true,
		},
		{
			// An older strace: a process whose creator cannot be told is held, then counted
			// as the job's, never dropped. Every connect is still seen; the tree is wrong (the
			// init's threads among the job, phantom pids from the namespace), which is why
			// StraceArgs asks for the annotations.
			name: "no pidns annotations", in: stripped, setup: setup,
			connects: map[int]int{9001: 5710, 9002: 5721, 9003: 5723, 9004: 5744},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var seen []Event
			tr, err := Parse(strings.NewReader(tc.in), Options{Setup: tc.setup, OnEvent: func(e Event) { seen = append(seen, e) }})
			if err != nil {
				t.Fatal(err)
			}
			if tr.BadLines != 0 {
				t.Errorf("%d bad lines", tr.BadLines)
			}
			got := map[int]int{}
			for _, e := range seen {
				if e.Kind == KindConnect {
					got[e.Port] = e.PID
				}
				if _, ok := tr.Processes[e.PID]; !ok {
					t.Errorf("event of pid %d, not a job process: %+v", e.PID, e)
				}
			}
			if d := cmp.Diff(tc.connects, got); d != "" {
				t.Errorf("connects by port (-want +got):\n%s", d)
			}
			procs := map[int]proc{}
			for pid, p := range tr.Processes {
				procs[pid] = proc{PPID: p.PPID, Thread: p.Thread}
			}
			if tc.procs == nil {
				return
			}
			if d := cmp.Diff(tc.procs, procs); d != "" {
				t.Errorf("job processes (-want +got):\n%s", d)
			}
			roots := append([]int(nil), tr.Roots...)
			sort.Ints(roots)
			if d := cmp.Diff(tc.roots, roots); d != "" {
				t.Errorf("roots (-want +got):\n%s", d)
			}
			if tc.ownProcs && (tr.SetupProcesses == 0 || tr.SetupEvents == 0) {
				t.Errorf("sandbox's own: %d processes, %d events; want some of each", tr.SetupProcesses, tr.SetupEvents)
			}
			for _, c := range tr.Summary.Commands {
				if strings.Contains(c, "bwrap") || strings.Contains(c, "/.pyti/init") {
					t.Errorf("the job's commands hold the sandbox's own %q", c)
				}
			}
		})
	}
	// Without a Setup every traced process is the job's, the sandbox's included.
	tr, err := Parse(strings.NewReader(string(raw)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := tr.Processes[5702]; !ok || tr.SetupProcesses != 0 {
		t.Errorf("without Setup: bwrap missing from the processes, or %d counted as the sandbox's", tr.SetupProcesses)
	}
}

func TestCheckStraceVersion(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{"strace -- version 6.1\nCopyright (c) 1991-2022 The strace developers <https://strace.io>.\n", true},
		{"strace -- version 6.10\n", true},
		{"strace -- version 5.10\n", false},
		{"something else\n", false},
	}
	for _, tc := range tests {
		if err := checkStraceVersion(tc.in); (err == nil) != tc.ok {
			t.Errorf("checkStraceVersion(%q) = %v; want ok %v", tc.in, err, tc.ok)
		}
	}
}

// TestSetupRoles: which processes of a sandboxed trace are the job's, on hand-written lines.
func TestSetupRoles(t *testing.T) {
	const head = `10 1.0 execve("/usr/bin/bwrap", ["bwrap"], 0x1 /* 1 var */) = 0
10 1.1 clone(child_stack=NULL, flags=CLONE_NEWPID|SIGCHLD) = 11
11 1.2 execve("/.pyti/init", ["/.pyti/init"], 0x1 /* 1 var */) = 0
11 1.3 clone(child_stack=0x1, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM) = 2 /* 12 in strace's PID NS */
12 1.4 sendto(3, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(5353), sin_addr=inet_addr("127.0.0.1")}, 16) = 1
`
	tests := []struct {
		name  string
		lines string
		job   []int // the job's processes
		ports []int // the ports of the connects the job's events hold
	}{
		{"the init's thread starts the command", head + `12 2.0 clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 3 /* 13 in strace's PID NS */
13 2.1 execve("/usr/bin/python3", ["python3"], 0x1 /* 1 var */) = 0
13 2.2 connect(3, {sa_family=AF_INET, sin_port=htons(1), sin_addr=inet_addr("192.0.2.1")}, 16) = -1 ENETUNREACH (Network is unreachable)
`, []int{13}, []int{1}},
		{"a helper the init starts from its own program", head + `11 2.0 clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 3 /* 13 in strace's PID NS */
13 2.1 execve("/.pyti/init", ["/.pyti/init", "sinkhole"], 0x1 /* 1 var */) = 0
13 2.2 bind(3, {sa_family=AF_INET, sin_port=htons(2), sin_addr=inet_addr("127.0.0.1")}, 16) = 0
`, nil, nil},
		{"the package cannot pass as a helper", head + `11 2.0 clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 3 /* 13 in strace's PID NS */
13 2.1 execve("/usr/bin/python3", ["python3"], 0x1 /* 1 var */) = 0
13 2.2 clone(child_stack=NULL, flags=SIGCHLD) = 4 /* 14 in strace's PID NS */
14 2.3 execve("/.pyti/init", ["/.pyti/init"], 0x1 /* 1 var */) = 0
14 2.4 clone(child_stack=NULL, flags=SIGCHLD) = 5 /* 15 in strace's PID NS */
15 2.5 connect(3, {sa_family=AF_INET, sin_port=htons(3), sin_addr=inet_addr("192.0.2.1")}, 16) = -1 ENETUNREACH (Network is unreachable)
`, []int{13, 14, 15}, []int{3}},
		{"a child seen before its fork returns, two forks at once", head + `12 2.0 clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD <unfinished ...>
11 2.1 clone(child_stack=0x1, flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM <unfinished ...>
13 2.2 connect(3, {sa_family=AF_INET, sin_port=htons(4), sin_addr=inet_addr("192.0.2.1")}, 16) = -1 ENETUNREACH (Network is unreachable)
16 2.3 sendto(3, "x", 1, 0, {sa_family=AF_INET, sin_port=htons(5353), sin_addr=inet_addr("127.0.0.1")}, 16) = 1
12 2.4 <... clone resumed>) = 3 /* 13 in strace's PID NS */
11 2.5 <... clone resumed>) = 6 /* 16 in strace's PID NS */
`, []int{13}, []int{4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr, err := Parse(strings.NewReader(tc.lines), Options{Setup: &Setup{Init: []string{"/.pyti/init"}}})
			if err != nil {
				t.Fatal(err)
			}
			if tr.BadLines != 0 {
				t.Errorf("%d bad lines", tr.BadLines)
			}
			var job []int
			for pid := range tr.Processes {
				job = append(job, pid)
			}
			sort.Ints(job)
			var ports []int
			for _, e := range tr.Events {
				if e.Kind == KindConnect || e.Kind == KindSend || e.Kind == KindBind {
					ports = append(ports, e.Port)
				}
			}
			if d := cmp.Diff(tc.job, job); d != "" {
				t.Errorf("job processes (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.ports, ports); d != "" {
				t.Errorf("ports of the job's network events (-want +got):\n%s", d)
			}
		})
	}
}

// TestTraceTracerPID: a pid of the sandbox's namespace, as the init's ioctl watcher reports it,
// names the process strace traced, by the clone that made it, and the one alive at the time
// when the namespace reused the pid.
func TestTraceTracerPID(t *testing.T) {
	const lines = `10 1.0 execve("/usr/bin/bwrap", ["bwrap"], 0x1 /* 1 var */) = 0
10 1.1 clone(child_stack=NULL, flags=CLONE_NEWPID|SIGCHLD) = 11
11 1.2 execve("/.pyti/init", ["/.pyti/init"], 0x1 /* 1 var */) = 0
11 2.0 clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 3 /* 13 in strace's PID NS */
13 2.1 execve("/usr/bin/python3", ["python3"], 0x1 /* 1 var */) = 0
13 2.2 clone(child_stack=NULL, flags=SIGCHLD) = 4 /* 14 in strace's PID NS */
14 2.3 +++ exited with 0 +++
13 3.0 clone(child_stack=NULL, flags=SIGCHLD) = 4 /* 15 in strace's PID NS */
15 3.1 execve("/bin/sh", ["sh"], 0x1 /* 1 var */) = 0
`
	tr, err := Parse(strings.NewReader(lines), Options{Setup: &Setup{Init: []string{"/.pyti/init"}}})
	if err != nil {
		t.Fatal(err)
	}
	type got struct {
		PID  int
		Comm string
		OK   bool
	}
	tests := []struct {
		name  string
		nsPID int
		at    float64
		want  got
	}{
		{"the command", 3, 2.5, got{13, "python3", true}},
		{"a forked child, before the namespace reused its pid", 4, 2.25, got{14, "python3", true}},
		{"the pid reused", 4, 3.5, got{15, "sh", true}},
		{"a pid the trace never saw", 9, 3.5, got{0, "", false}},
		{"before any process had the pid", 4, 1.5, got{0, "", false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pid, comm, ok := tr.TracerPID(tc.nsPID, time.Unix(0, int64(tc.at*1e9)))
			if d := cmp.Diff(tc.want, got{pid, comm, ok}); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
