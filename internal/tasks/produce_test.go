package tasks

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox/sandboxfake"
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

// TestCancelledRunStillReports: a run cancelled before its report task ran still has its report,
// assembled from what its tasks produced, and written.
func TestCancelledRunStillReports(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	root := fakeProject(t, false)
	dir := filepath.Join(t.TempDir(), "job")
	rep, err := Analyze(ctx, Request{Spec: root, Path: root}, Options{
		Client: emptyIndex(t), Backend: sandboxfake.New(), Dir: dir, PipWheel: fakePipWheel(t), Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	got := struct {
		Schema   string
		Verdict  report.Verdict
		Findings []report.Finding
		Report   report.TaskStatus
	}{Schema: rep.Schema, Verdict: rep.Verdict, Findings: rep.Findings}
	for _, tr := range rep.Run.Tasks {
		if tr.Name == "report" {
			got.Report = tr.Status
		}
	}
	want := got
	want.Schema, want.Verdict, want.Findings, want.Report = report.Schema, report.VerdictError, []report.Finding{}, report.StatusCancelled
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("report (-want +got)\n%s", d)
	}
	if _, err := os.Stat(filepath.Join(dir, "report.json")); err != nil {
		t.Errorf("no report.json: %v", err)
	}
}
