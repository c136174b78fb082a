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

// decide sets the verdict and its reason (per cell, in a matrix) from the run's record and the
// report: decideVerdict decides, from what the tasks left. Called with the job's lock held.
func (j *job) decide(res *dag.Result) {
	r := j.rep
	in := verdictInput{Tasks: res.Record.Tasks, Hints: j.hints, Findings: r.Findings}
	for _, t := range j.targets {
		in.Targets = append(in.Targets, verdictTarget{Image: t.img.Name, Python: t.pythonVersion, Matrix: t.cell >= 0, Results: *t.results(r)})
	}
	out := decideVerdict(in)
	r.Verdict, r.Reason = out.Verdict, out.Reason
	if len(out.Cells) == 0 {
		return
	}
	for i, t := range j.targets {
		c := &r.Matrix[t.cell]
		c.Verdict, c.Reason = out.Cells[i].Verdict, out.Cells[i].Reason
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
}

// verdictWeight orders cell verdicts for a matrix's overall verdict: the heaviest wins.
var verdictWeight = map[report.Verdict]int{
	report.VerdictNotApplicable: 0, report.VerdictPassed: 1, report.VerdictNoTests: 2,
	report.VerdictTestsFailed: 3, report.VerdictTestDeps: 3, report.VerdictTestsNetwork: 3, report.VerdictTestData: 3,
	report.VerdictTestCollection: 3, report.VerdictNothingToImport: 3, report.VerdictImportFailed: 4, report.VerdictInstall: 5, report.VerdictBuild: 6,
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
