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
	"github.com/pyti/pyti/internal/inspection"
	"github.com/pyti/pyti/internal/report"
)

// assemble is the report task: it runs whatever happened before it and puts the findings in order,
// most severe first. The verdict is decided once the run's record is complete (decide).
func (j *job) assemble(ctx context.Context, d *dag.Data) error {
	j.edit(func(r *report.Report) {
		r.Findings = markViews(mergeFindings(r.Findings), inspection.DefaultRules().SeenAs)
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

// decide sets the verdict and its reason from the tasks' records and what they found: per target,
// and for a matrix the worst cell's. Called with the job's lock held.
func (j *job) decide(res *dag.Result) {
	r := j.rep
	set := func(v report.Verdict, reason string) { r.Verdict, r.Reason = v, reason }
	for _, v := range []report.Verdict{report.VerdictUnsafe, report.VerdictLimits, report.VerdictMalformed, report.VerdictNotFound} {
		if reason, ok := j.hints[""][v]; ok {
			set(v, reason)
			return
		}
	}
	if len(j.targets) == 1 {
		set(j.decideTarget(res, j.targets[0]))
		return
	}
	for _, t := range j.targets {
		c := &r.Matrix[t.cell]
		c.Verdict, c.Reason = j.decideTarget(res, t)
	}
	// The report's own per-target fields and environment are the first applicable cell's.
	first := j.targets[0]
	for _, t := range j.targets {
		if r.Matrix[t.cell].Verdict != report.VerdictNotApplicable {
			first = t
			break
		}
	}
	r.TargetResults = r.Matrix[first.cell].TargetResults
	r.Environment = first.environment(j.opts)
	set(matrixVerdict(r.Matrix))
}

// decideTarget is one target's verdict: harmful behaviour, a limit hit, the first task of its
// chain that failed, or what its tests did.
func (j *job) decideTarget(res *dag.Result, t *target) (report.Verdict, string) {
	var mine []report.Finding
	for _, f := range j.rep.Findings {
		if t.cell < 0 || f.Image == "" || f.Image == t.img.Name {
			mine = append(mine, f)
		}
	}
	if f := worstBehavior(mine); f != nil {
		return report.VerdictHarmful, fmt.Sprintf("%s during %s: %s", f.Title, f.Phase, f.Message)
	}
	for _, v := range []report.Verdict{report.VerdictPids, report.VerdictOOM, report.VerdictNoSpace, report.VerdictTimeout} {
		if reason, ok := j.hints[t.img.Name][v]; ok {
			return v, reason
		}
	}
	if rec, ok := res.Task(t.task("fetch")); ok && rec.Status == dag.StatusSkipped && rec.Cause == "" {
		return report.VerdictNotApplicable, rec.Reason
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
		{t.task("fetch"), report.VerdictFetch, ""},
		{t.task("build"), report.VerdictBuild, ""},
		{t.task("install"), report.VerdictInstall, ""},
		{t.task("import"), report.VerdictImportFailed, ""},
		// The suite ran but pytest could not (a missing plugin its configuration asks for, a
		// broken conftest): the package's failure, not PYTI's.
		{t.task("test"), report.VerdictTestsFailed, "the tests could not run: "},
	} {
		if rec, ok := res.Task(step.task); ok && rec.Status != dag.StatusOK && rec.Status != dag.StatusSkipped {
			return step.verdict, step.prefix + firstLineOf2(rec.Error, rec.Reason)
		}
	}
	tr := t.results(j.rep)
	if tr.Tests == nil {
		return report.VerdictError, "the tests did not run"
	}
	if tr.Tests.Results == nil {
		return report.VerdictNoTests, tr.Tests.Found
	}
	c := tr.Tests.Results.Counts
	if c.Failed+c.Errors > 0 {
		return report.VerdictTestsFailed, fmt.Sprintf("%d failed, %d errors, %d passed", c.Failed, c.Errors, c.Passed)
	}
	if c.Total() == 0 {
		return report.VerdictNoTests, "the test run collected no tests (" + tr.Tests.Found + ")"
	}
	return report.VerdictPassed, fmt.Sprintf("%d passed, %d skipped", c.Passed+c.XFailed+c.XPassed, c.Skipped)
}

// verdictWeight orders cell verdicts for a matrix's overall verdict: the heaviest wins.
var verdictWeight = map[report.Verdict]int{
	report.VerdictNotApplicable: 0, report.VerdictPassed: 1, report.VerdictNoTests: 2,
	report.VerdictTestsFailed: 3, report.VerdictImportFailed: 4, report.VerdictInstall: 5, report.VerdictBuild: 6,
	report.VerdictFetch: 7, report.VerdictTimeout: 8, report.VerdictNoSpace: 8, report.VerdictOOM: 8, report.VerdictPids: 8,
	report.VerdictError: 9, report.VerdictHarmful: 10,
}

// matrixVerdict is a matrix's verdict: its heaviest cell's, with a reason naming the cell and
// what the others did (passed on one interpreter, failed on another reads as such).
func matrixVerdict(cells []report.Cell) (report.Verdict, string) {
	worst := 0
	for i, c := range cells {
		if verdictWeight[c.Verdict] > verdictWeight[cells[worst].Verdict] {
			worst = i
		}
	}
	w := cells[worst]
	reason := fmt.Sprintf("%s (Python %s): %s", w.Image.Name, w.Image.Python, w.Reason)
	var others []string
	for i, c := range cells {
		if i == worst {
			continue
		}
		if c.Verdict == w.Verdict {
			others = append(others, "also on "+c.Image.Name)
			continue
		}
		others = append(others, fmt.Sprintf("%s (Python %s): %s", c.Image.Name, c.Image.Python, c.Verdict))
	}
	if len(others) > 0 {
		reason += "; " + strings.Join(others, "; ")
	}
	return w.Verdict, reason
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
		key := f.Source + "\x00" + f.Phase + "\x00" + f.Image + "\x00" + f.RuleID + "\x00" + subject
		if i, ok := index[key]; ok {
			out[i].Count += f.Count
			continue
		}
		index[key] = len(out)
		out = append(out, f)
	}
	return out
}
