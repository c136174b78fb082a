package store

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pyti/pyti/internal/report"
)

// LocalWorker names the worker of analyses run by `pyti analyze` on this machine.
const LocalWorker = "local"

// ImportReport stores a local analysis: its artifact files (paths relative to artifactsDir) go
// into blobs, and the report is saved under a new job that is done at once. The stored report's
// artifacts carry the sha256 and size of the bytes actually stored; rep itself is not changed.
func ImportReport(ctx context.Context, st Store, rep *report.Report, artifactsDir string) (ReportSummary, error) {
	if rep == nil {
		return ReportSummary{}, fmt.Errorf("importing a report: no report: %w", ErrInvalid)
	}
	stored := *rep
	stored.Artifacts = make([]report.Artifact, len(rep.Artifacts))
	for i, a := range rep.Artifacts {
		if !filepath.IsLocal(a.Path) {
			return ReportSummary{}, fmt.Errorf("importing artifact %q: the path leaves the artifacts directory: %w", a.Path, ErrInvalid)
		}
		b, err := putFile(ctx, st, filepath.Join(artifactsDir, a.Path))
		if err != nil {
			return ReportSummary{}, fmt.Errorf("importing artifact %q: %w", a.Path, err)
		}
		a.SHA256, a.Size = b.SHA256, b.Size
		stored.Artifacts[i] = a
	}
	spec := rep.Request.Spec
	if spec == "" {
		spec = rep.Project + "==" + rep.Version
	}
	job, err := st.CreateJob(ctx, NewJob{Spec: spec, Index: rep.Request.IndexURL})
	if err != nil {
		return ReportSummary{}, fmt.Errorf("importing a report: %w", err)
	}
	att, err := st.StartAttempt(ctx, job.ID, LocalWorker, time.Now().Add(time.Minute))
	if err != nil {
		return ReportSummary{}, fmt.Errorf("importing a report: %w", err)
	}
	sum, err := st.SaveReport(ctx, job.ID, att.Number, &stored)
	if err != nil {
		return ReportSummary{}, fmt.Errorf("importing a report: %w", err)
	}
	return sum, nil
}

func putFile(ctx context.Context, st Store, path string) (Blob, error) {
	f, err := os.Open(path)
	if err != nil {
		return Blob{}, err
	}
	defer f.Close()
	return st.PutBlob(ctx, f)
}
