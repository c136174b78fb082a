package master

import (
	"strings"
	"testing"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/storetest"
)

// TestCheckReport: a report is accepted only as the result of the job it names.
func TestCheckReport(t *testing.T) {
	job := store.Job{ID: "j1", Spec: "Demo_Pkg==1.0"}
	good := func() *report.Report {
		r := storetest.SampleReport("demo-pkg", "1.0", storetest.Options{})
		r.Request.Spec = job.Spec
		return r
	}
	tests := []struct {
		name string
		edit func(r *report.Report)
		job  store.Job
		want string // "" accepted, else a part of the refusal
	}{
		{name: "the job's own report", edit: func(*report.Report) {}},
		{name: "not-found without a project", edit: func(r *report.Report) {
			r.Project, r.Version, r.Verdict = "", "", report.VerdictNotFound
		}},
		{name: "another project", edit: func(r *report.Report) { r.Project = "requests" }, want: "project"},
		{name: "another version", edit: func(r *report.Report) { r.Version = "2.0" }, want: "version"},
		{name: "another request", edit: func(r *report.Report) { r.Request.Spec = "demo-pkg" }, want: "the job asked for"},
		{name: "an older worker's v1 report", edit: func(r *report.Report) { r.Schema = report.SchemaV1 }},
		{name: "an unknown schema", edit: func(r *report.Report) { r.Schema = "pyti.report/v9" }, want: "schema"},
		{name: "a bare report", edit: func(r *report.Report) { *r = report.Report{Verdict: report.VerdictPassed} }, want: "schema"},
		{name: "no project, verdict passed", edit: func(r *report.Report) { r.Project = "" }, want: "names no project"},
		{name: "an unknown verdict", edit: func(r *report.Report) { r.Verdict = "great" }, want: "verdict"},
		{name: "a local path", edit: func(r *report.Report) { r.Request.Local = true }, want: "local path"},
		{name: "a huge reason", edit: func(r *report.Report) { r.Reason = strings.Repeat("x", 1<<20) }, want: "reason"},
		{name: "too many findings", edit: func(r *report.Report) { r.Findings = make([]report.Finding, maxReportFindings+1) }, want: "findings"},
		{name: "an oversized log", edit: func(r *report.Report) {
			r.Artifacts = []report.Artifact{{Name: "out.log", MediaType: "text/plain", Size: 65 << 20}}
		}, want: "limit of a log"},
		{name: "a large trace is fine", edit: func(r *report.Report) {
			r.Artifacts = []report.Artifact{{Name: "build.strace", MediaType: "text/plain", Size: 100 << 20}}
		}},
		{name: "unpinned job, any version", job: store.Job{ID: "j2", Spec: "demo-pkg"}, edit: func(r *report.Report) {
			r.Request.Spec, r.Version = "demo-pkg", "3.0rc1"
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			j := job
			if tc.job.ID != "" {
				j = tc.job
			}
			r := good()
			tc.edit(r)
			err := checkReport(j, r)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.want != "" && err == nil:
				t.Error("accepted")
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Errorf("refusal %q does not say %q", err, tc.want)
			}
		})
	}
}

func TestBlobKinds(t *testing.T) {
	tests := []struct {
		a    report.Artifact
		want blobKind
	}{
		{report.Artifact{Name: "stdout", MediaType: "text/plain"}, blobLog},
		{report.Artifact{Name: "install.strace", MediaType: "text/plain"}, blobTrace},
		{report.Artifact{Name: "coverage.json", MediaType: "application/json"}, blobData},
	}
	for _, tc := range tests {
		if got := kindOf(tc.a); got != tc.want {
			t.Errorf("kindOf(%+v) = %s, want %s", tc.a, got, tc.want)
		}
		if _, err := parseBlobKind(string(tc.want)); err != nil {
			t.Error(err)
		}
	}
	if _, err := parseBlobKind("everything"); err == nil {
		t.Error("an unknown kind was accepted")
	}
}
