package tasks

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
)

// TestProduce: a task's output lands in its slot whatever its error, with what its run
// collected; later tasks get their data only from a task that succeeded; once the report task
// has read the slots, a task the graph abandoned changes nothing.
func TestProduce(t *testing.T) {
	key := dag.NewKey[string]("datum")
	finding := report.Finding{RuleID: "seen", Phase: "build", Severity: report.SeverityLow, Count: 1}
	tests := []struct {
		name     string
		err      error
		sealed   bool
		want     slot[built]
		provided bool
	}{
		{name: "succeeded", want: slot[built]{Out: built{Build: &report.Build{Frontend: "pip"}},
			produced: produced{Findings: []report.Finding{finding}, CodeRan: []string{"setup.py during build"}}}, provided: true},
		{name: "failed: its part of the report and its findings are kept, nothing is provided", err: errors.New("the build failed"),
			want: slot[built]{Out: built{Build: &report.Build{Frontend: "pip"}},
				produced: produced{Findings: []report.Finding{finding}, CodeRan: []string{"setup.py during build"}}}},
		{name: "ran after the report was assembled: dropped", sealed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a assembly
			if tc.sealed {
				a.seal(&a.outs)
			}
			var s slot[built]
			run := produce(&jobEnv{}, &a.board, &s, func(j *job, ctx context.Context, d *dag.Data) (built, error) {
				j.out.finding(finding)
				j.out.codeRan("setup.py during build")
				j.out.codeRan("setup.py during build")
				return built{Build: &report.Build{Frontend: "pip"}}, tc.err
			}, func(d *dag.Data, out built) { key.Set(d, out.Build.Frontend) })
			d := dag.NewData()
			if err := run(t.Context(), d); !errors.Is(err, tc.err) {
				t.Errorf("error %v, want %v", err, tc.err)
			}
			if d := cmp.Diff(tc.want, s, cmp.AllowUnexported(slot[built]{})); d != "" {
				t.Errorf("slot (-want +got)\n%s", d)
			}
			if _, ok := key.Get(d); ok != tc.provided && !tc.sealed {
				t.Errorf("provided %v, want %v", ok, tc.provided)
			}
		})
	}
}
