package store

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/report"
)

// TestSummarizeImport: a module that does not import makes the import "failed", although the
// check itself ran fine.
func TestSummarizeImport(t *testing.T) {
	ok := report.Phase{Outcome: "ok"}
	for _, tc := range []struct {
		name string
		imp  *report.Import
		want string
	}{
		{"did not run", nil, ""},
		{"all import", &report.Import{Phase: ok, Modules: []report.Module{{Name: "a", OK: true}}}, "ok"},
		{"one does not", &report.Import{Phase: ok, Modules: []report.Module{{Name: "a", OK: true}, {Name: "b", Error: "ImportError"}}}, "failed"},
		{"the check timed out", &report.Import{Phase: report.Phase{Outcome: "timeout"}}, "timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Summarize(&report.Report{TargetResults: report.TargetResults{Import: tc.imp}}).Import
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Error(d)
			}
		})
	}
}
