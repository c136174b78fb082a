package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
)

// assemble is the report task: it runs whatever happened before it and puts the findings in order,
// most severe first. The verdict is decided once the run's record is complete (decide).
func (j *job) assemble(ctx context.Context, d *dag.Data) error {
	j.edit(func(r *report.Report) {
		r.Findings = mergeFindings(r.Findings)
		sort.SliceStable(r.Findings, func(a, b int) bool {
			return r.Findings[a].Severity.Rank() > r.Findings[b].Severity.Rank()
		})
		sort.SliceStable(r.Artifacts, func(a, b int) bool {
			if r.Artifacts[a].Task != r.Artifacts[b].Task {
				return r.Artifacts[a].Task < r.Artifacts[b].Task
			}
			return r.Artifacts[a].Name < r.Artifacts[b].Name
		})
	})
	KReport.Set(d, filepath.Join(j.dir, "report.json"))
	return nil
}

// decide sets the verdict and its reason from the tasks' records and what they found. Called with
// the job's lock held.
func (j *job) decide(res *dag.Result) {
	r := j.rep
	set := func(v report.Verdict, reason string) { r.Verdict, r.Reason = v, reason }
	for _, v := range []report.Verdict{report.VerdictUnsafe, report.VerdictLimits, report.VerdictMalformed, report.VerdictNotFound} {
		if reason, ok := j.hints[v]; ok {
			set(v, reason)
			return
		}
	}
	if f := worstBehavior(r.Findings); f != nil {
		set(report.VerdictHarmful, fmt.Sprintf("%s during %s: %s", f.Title, f.Phase, f.Message))
		return
	}
	for _, v := range []report.Verdict{report.VerdictPids, report.VerdictOOM, report.VerdictNoSpace, report.VerdictTimeout} {
		if reason, ok := j.hints[v]; ok {
			set(v, reason)
			return
		}
	}
	// The first task of the main chain that failed decides; PYTI's own steps mean an error.
	for _, step := range []struct {
		task    string
		verdict report.Verdict
		prefix  string
	}{
		{"resolve", report.VerdictError, "resolve: "},
		{"download", report.VerdictError, "download: "},
		{"unpack", report.VerdictError, "unpack: "},
		{"fetch", report.VerdictFetch, ""},
		{"build", report.VerdictBuild, ""},
		{"install", report.VerdictInstall, ""},
		{"import", report.VerdictImportFailed, ""},
		// The suite ran but pytest could not (a missing plugin its configuration asks for, a
		// broken conftest): the package's failure, not PYTI's.
		{"test", report.VerdictTestsFailed, "the tests could not run: "},
	} {
		if rec, ok := res.Task(step.task); ok && rec.Status != dag.StatusOK && rec.Status != dag.StatusSkipped {
			set(step.verdict, step.prefix+firstLineOf2(rec.Error, rec.Reason))
			return
		}
	}
	if r.Tests == nil {
		set(report.VerdictError, "the tests did not run")
		return
	}
	if r.Tests.Results == nil {
		set(report.VerdictNoTests, r.Tests.Found)
		return
	}
	c := r.Tests.Results.Counts
	if c.Failed+c.Errors > 0 {
		set(report.VerdictTestsFailed, fmt.Sprintf("%d failed, %d errors, %d passed", c.Failed, c.Errors, c.Passed))
		return
	}
	if c.Total() == 0 {
		set(report.VerdictNoTests, "the test run collected no tests ("+r.Tests.Found+")")
		return
	}
	set(report.VerdictPassed, fmt.Sprintf("%d passed, %d skipped", c.Passed+c.XFailed+c.XPassed, c.Skipped))
}

// worstBehavior is the most severe high or critical finding seen in a trace.
func worstBehavior(fs []report.Finding) *report.Finding {
	var worst *report.Finding
	for i := range fs {
		f := &fs[i]
		if f.Source != "behavior" || f.Severity.Rank() < report.SeverityHigh.Rank() {
			continue
		}
		if worst == nil || f.Severity.Rank() > worst.Severity.Rank() {
			worst = f
		}
	}
	return worst
}

func firstLineOf2(a, b string) string {
	s := a
	if s == "" {
		s = b
	}
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}

// writeReport writes report.json into the job directory. Called with the job's lock held.
func (j *job) writeReport() error {
	data, err := json.MarshalIndent(j.rep, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	path := filepath.Join(j.dir, "report.json")
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	return os.Rename(tmp, path)
}

// mergeFindings folds findings of the same rule about the same subject in the same phase (one
// phase may run several steps, e.g. two pip downloads that both run setup.py) into one, adding
// their counts.
func mergeFindings(fs []report.Finding) []report.Finding {
	index := map[string]int{}
	var out []report.Finding
	for _, f := range fs {
		subject := ""
		if len(f.Evidence) > 0 {
			subject = f.Evidence[0].Detail + "\x00" + f.Evidence[0].File
		}
		key := f.Source + "\x00" + f.Phase + "\x00" + f.RuleID + "\x00" + subject
		if i, ok := index[key]; ok {
			out[i].Count += f.Count
			continue
		}
		index[key] = len(out)
		out = append(out, f)
	}
	return out
}
