package sandboxfake_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/sandboxfake"
)

func TestRun(t *testing.T) {
	fake := sandboxfake.New(
		sandboxfake.Rule{Has: []string{"pip", "download"}, Lacks: []string{"pytest"},
			Reply: sandboxfake.Reply{ExitCode: 1, Stderr: "ERROR: No matching distribution found for nosuch"}},
		sandboxfake.Rule{Has: []string{"pip", "download"},
			Reply: sandboxfake.Reply{Stdout: "Saved x.whl", Files: map[string]string{"/work/wh/x.whl": "wheel"}, Wall: time.Second}},
		sandboxfake.Rule{Has: []string{"sleep"}, Reply: sandboxfake.Reply{Outcome: sandbox.OutcomeTimeout, ExitCode: 137, Reason: "wall-clock limit"}},
		sandboxfake.Rule{Has: []string{"wheel"}, Do: func(spec sandbox.Spec) sandboxfake.Reply {
			dir := sandboxfake.ArgAfter(spec.Argv, "--wheel-dir")
			return sandboxfake.Reply{Files: map[string]string{dir + "/p-1-py3-none-any.whl": "built"}}
		}},
		sandboxfake.Rule{Has: []string{"escape"}, Reply: sandboxfake.Reply{Files: map[string]string{"/etc/passwd": "x"}}},
		sandboxfake.Rule{Has: []string{"broken"}, Reply: sandboxfake.Reply{Err: errors.New("no cgroup")}},
		sandboxfake.Rule{Has: []string{"traced"}, Reply: sandboxfake.Reply{Trace: "1 execve(...) = 0\n"}},
	)
	type got struct {
		Outcome  sandbox.Outcome
		ExitCode int
		Reason   string
		Stdout   string
		Stderr   string
		Wall     time.Duration
		Files    map[string]string // below the work dir
		Trace    string
		Traced   bool // a trace setup was given
		Err      string
	}
	tests := []struct {
		name  string
		argv  []string
		trace bool
		want  got
	}{
		{name: "a failure", argv: []string{"python", "pip", "download", "nosuch"},
			want: got{Outcome: sandbox.OutcomeExit, ExitCode: 1, Stderr: "ERROR: No matching distribution found for nosuch"}},
		{name: "Lacks passes a run to the next rule", argv: []string{"python", "pip", "download", "pytest"},
			want: got{Outcome: sandbox.OutcomeOK, Stdout: "Saved x.whl", Wall: time.Second, Files: map[string]string{"wh/x.whl": "wheel"}}},
		{name: "an outcome given", argv: []string{"sleep", "100"},
			want: got{Outcome: sandbox.OutcomeTimeout, ExitCode: 137, Reason: "wall-clock limit"}},
		{name: "Do writes where the argv says", argv: []string{"pip", "wheel", "--wheel-dir", "/work/dist", "."},
			want: got{Outcome: sandbox.OutcomeOK, Files: map[string]string{"dist/p-1-py3-none-any.whl": "built"}}},
		{name: "a traced run gets its trace", argv: []string{"traced"}, trace: true,
			want: got{Outcome: sandbox.OutcomeOK, Trace: "1 execve(...) = 0\n", Traced: true}},
		{name: "no write outside the work dir", argv: []string{"escape"},
			want: got{Err: "sandbox infrastructure failure: fake: cannot write /etc/passwd: only /work/... is writable"}},
		{name: "an infrastructure failure", argv: []string{"broken"},
			want: got{Err: "sandbox infrastructure failure: fake: no cgroup"}},
		{name: "no rule is an infrastructure failure", argv: []string{"unexpected", "command"},
			want: got{Err: `sandbox infrastructure failure: fake: no rule for ["unexpected" "command"]`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			spec := sandbox.Spec{Argv: tc.argv, WorkDir: work, Trace: tc.trace, Limits: sandbox.Limits{Pids: 7}}
			if tc.trace {
				spec.TracePath = filepath.Join(t.TempDir(), "trace")
			}
			res, err := fake.Run(context.Background(), spec)
			var g got
			if err != nil {
				if !errors.Is(err, sandbox.ErrInfrastructure) {
					t.Errorf("%v is not sandbox.ErrInfrastructure", err)
				}
				g.Err = err.Error()
				if len(g.Err) > len(tc.want.Err) {
					g.Err = g.Err[:len(tc.want.Err)] // the work dir's path follows
				}
			} else {
				g = got{Outcome: res.Outcome, ExitCode: res.ExitCode, Reason: res.Reason, Stdout: string(res.Stdout),
					Stderr: string(res.Stderr), Wall: res.Wall, Traced: res.TraceSetup != nil}
				wantLimits := sandbox.DefaultLimits()
				wantLimits.Pids = 7
				if d := cmp.Diff(wantLimits, res.Limits); d != "" {
					t.Errorf("limits not completed once as a backend's Run does (-want +got)\n%s", d)
				}
				if tc.trace {
					data, err := os.ReadFile(res.TracePath)
					if err != nil {
						t.Fatal(err)
					}
					g.Trace = string(data)
				}
			}
			_ = filepath.WalkDir(work, func(p string, d os.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					data, _ := os.ReadFile(p)
					rel, _ := filepath.Rel(work, p)
					if g.Files == nil {
						g.Files = map[string]string{}
					}
					g.Files[filepath.ToSlash(rel)] = string(data)
				}
				return nil
			})
			if d := cmp.Diff(tc.want, g); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
	if n := len(fake.Runs()); n != len(tests) {
		t.Errorf("%d runs recorded, want %d", n, len(tests))
	}
}
