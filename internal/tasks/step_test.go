package tasks

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/behavior"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/sandboxfake"
	"github.com/pyti/pyti/internal/testresult"
	"github.com/pyti/pyti/internal/trace"
)

// TestSideBySide checks that a phase of steps run side by side takes its timing from the
// sandbox's figures of those steps, the one clock of a step.
func TestSideBySide(t *testing.T) {
	step := func(wall, cpu time.Duration, peak int64) *stepResult {
		return &stepResult{res: &sandbox.Result{Wall: wall, CPU: cpu, PeakMemory: peak}}
	}
	tests := []struct {
		name  string
		steps []*stepResult
		want  report.Phase
	}{
		{"none", nil, report.Phase{}},
		{"one step is its own figures", []*stepResult{step(1500*time.Millisecond, 700*time.Millisecond, 10)},
			report.Phase{WallMS: 1500, CPUMS: 700, PeakMemory: 10}},
		{"the longest wall, the CPU summed, the highest peak",
			[]*stepResult{step(2*time.Second, time.Second, 30), step(5*time.Second, 3*time.Second, 20), step(time.Second, 250*time.Microsecond, 40)},
			report.Phase{WallMS: 5000, CPUMS: 4000.25, PeakMemory: 40}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, sideBySide(tc.steps)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

// TestRunInfrastructureFailure: a sandbox failure makes the verdict error, unless the run was
// stopped on purpose (the early lint when the wheel differs, the job's end): then it failed
// because it was stopped, and the analysis is not an error for it.
func TestRunInfrastructureFailure(t *testing.T) {
	tests := []struct {
		name    string
		stopped bool
		want    []verdictHint
	}{
		{"a failure of the sandbox", false, []verdictHint{{Verdict: report.VerdictError, Reason: "lint: sandbox infrastructure failure: fake: no cgroup"}}},
		{"a failure of a run stopped on purpose", true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			fake := sandboxfake.New(sandboxfake.Rule{Do: func(sandbox.Spec) sandboxfake.Reply {
				if tc.stopped {
					cancel()
				}
				return sandboxfake.Reply{Err: errors.New("no cgroup")}
			}})
			j, p := collecting(&jobEnv{opts: Options{Backend: fake}, raw: t.TempDir(), work: t.TempDir()})
			if _, err := j.run(ctx, step{task: "lint", name: "lint", argv: []string{"python3"}}); !errors.Is(err, sandbox.ErrInfrastructure) {
				t.Fatalf("run: %v, want the sandbox's failure", err)
			}
			if d := cmp.Diff(tc.want, p.Hints, cmp.AllowUnexported(verdictHint{})); d != "" {
				t.Errorf("verdict hints (-want +got)\n%s", d)
			}
		})
	}
}

// TestBehaviorFindingSaysWhen checks that a finding's message says when its behaviour happened:
// the test phase installs the test dependencies before the tests run (python-dateutil's
// pytest-cov.pth was written by pip, not by its tests).
func TestBehaviorFindingSaysWhen(t *testing.T) {
	for _, tc := range []struct {
		name, phase, when, message, want string
	}{
		{"the phase's words", "test", "", "python wrote x.pth", "While its tests ran: python wrote x.pth"},
		{"the step's own words", "test", whileTestDeps, "python wrote x.pth", "While the test dependencies were installed: python wrote x.pth"},
		{"a phase without words", "lint", "", "python wrote x.pth", "During lint: python wrote x.pth"},
		{"a message that says it already", "build", "", "While the wheel was built: gcc ran", "While the wheel was built: gcc ran"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := behaviorFinding(tc.phase, tc.when, behavior.Finding{RuleID: "r", Message: tc.message})
			if d := cmp.Diff(tc.want, got.Message); d != "" {
				t.Errorf("message (-want +got):\n%s", d)
			}
			if !saysWhen(got.Message) {
				t.Errorf("saysWhen(%q) = false", got.Message)
			}
		})
	}
}

// TestLocalRefusal: a connection to this machine that a server's absence failed (a loopback port
// refusing it, a unix socket that is not there) is a refusal; one that got through, one to another
// machine, and a socket in the work space (a test's own server's) are not.
func TestLocalRefusal(t *testing.T) {
	connect := func(family, addr string, port int, errno string) trace.Event {
		return trace.Event{Kind: trace.KindConnect, Syscall: "connect", Family: family, Address: addr, Port: port, Errno: errno}
	}
	for _, tc := range []struct {
		name string
		e    trace.Event
		want testresult.LocalRefusal
		ok   bool
	}{
		{"libpq's socket, not there", connect("AF_UNIX", "/var/run/postgresql/.s.PGSQL.5432", 0, "ENOENT"),
			testresult.LocalRefusal{Endpoint: "unix:/var/run/postgresql/.s.PGSQL.5432", Path: "/var/run/postgresql/.s.PGSQL.5432"}, true},
		{"a socket refusing", connect("AF_UNIX", "/run/mysqld/mysqld.sock", 0, "ECONNREFUSED"),
			testresult.LocalRefusal{Endpoint: "unix:/run/mysqld/mysqld.sock", Path: "/run/mysqld/mysqld.sock"}, true},
		{"a loopback port refusing", connect("AF_INET", "127.0.0.1", 5432, "ECONNREFUSED"),
			testresult.LocalRefusal{Endpoint: "127.0.0.1:5432", Port: 5432}, true},
		{"IPv6 loopback refusing", connect("AF_INET6", "::1", 6379, "ECONNREFUSED"),
			testresult.LocalRefusal{Endpoint: "[::1]:6379", Port: 6379}, true},
		{"a loopback port answering", connect("AF_INET", "127.0.0.1", 5432, ""), testresult.LocalRefusal{}, false},
		{"another machine refusing", connect("AF_INET", "192.0.2.1", 5432, "ECONNREFUSED"), testresult.LocalRefusal{}, false},
		{"a socket in the work space", connect("AF_UNIX", insideWork+"/tmp/server.sock", 0, "ENOENT"), testresult.LocalRefusal{}, false},
		{"an abstract socket", connect("AF_UNIX", "@/tmp/.X11-unix/X0", 0, "ECONNREFUSED"), testresult.LocalRefusal{}, false},
		{"a bind", trace.Event{Kind: trace.KindBind, Family: "AF_INET", Address: "127.0.0.1", Port: 5432, Errno: "EADDRINUSE"}, testresult.LocalRefusal{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := localRefusal(tc.e)
			if ok != tc.ok {
				t.Errorf("ok = %v, want %v", ok, tc.ok)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("refusal (-want +got)\n%s", d)
			}
		})
	}
}
