package tasks

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/inspection"
	"github.com/pyti/pyti/internal/report"
)

// targetInfo is what the report says of a target besides its results: its matrix cell (-1: the
// job has one target, whose results are the report's own) and its environment.
type targetInfo struct {
	Cell        int
	Image       string
	Python      string
	Environment report.Environment
}

// targetInfo describes the job's targets for the report.
func (j *jobEnv) targetInfo() []targetInfo {
	out := make([]targetInfo, len(j.targets))
	for i, t := range j.targets {
		out[i] = targetInfo{Cell: t.cell, Image: t.img.Name, Python: t.pythonVersion, Environment: t.environment(j.opts)}
	}
	return out
}

// assembleReport is the report the tasks' outputs make, from base (the report before any task
// ran): each task's part in its place, a target's results in the report's own fields or in its
// matrix cell, and the findings merged and ordered, most severe first. targets and outs.Targets
// are in the same order. It changes neither base nor outs. The verdict is decided once the run's
// record is complete (decide).
func assembleReport(base report.Report, targets []targetInfo, outs outputs) report.Report {
	r := base
	r.Matrix = slices.Clone(base.Matrix)
	r.Files = slices.Clone(base.Files)
	r.Problems = slices.Clone(base.Problems)
	// The shared tasks, in the order they run: the name and version each gives, the files, the
	// metadata and its problems, the packaging score and the lint.
	if v := outs.Resolve.Out; v.Project != "" || v.Version != "" {
		r.Project, r.Version = v.Project, v.Version
	}
	r.Files = append(append(r.Files, outs.Resolve.Out.Files...), outs.Download.Out.Files...)
	u := outs.Unpack.Out
	r.Problems = append(r.Problems, u.Problems...)
	if u.Metadata != nil {
		r.Metadata = u.Metadata
	}
	if u.Named {
		if r.Project == "" || u.Tree {
			r.Project = u.Project
		}
		if r.Version == "" {
			r.Version = u.Version
		}
	}
	if outs.Inspect.Out != nil {
		r.Packaging = outs.Inspect.Out
	}
	if outs.Lint.Out != nil {
		r.Lint = outs.Lint.Out
	}
	for i, to := range outs.Targets {
		tr := &r.TargetResults
		if c := targets[i].Cell; c >= 0 {
			tr = &r.Matrix[c].TargetResults
		}
		tr.CodeRan = nil // a fresh list: base's (which has none) is not appended to
		for _, p := range to.collected() {
			for _, c := range p.CodeRan {
				if !slices.Contains(tr.CodeRan, c) {
					tr.CodeRan = append(tr.CodeRan, c)
				}
			}
		}
		if to.Fetch.Out.Fetch != nil {
			tr.Fetch = to.Fetch.Out.Fetch
		}
		if to.Build.Out.Build != nil {
			tr.Build = to.Build.Out.Build
		}
		if to.Install.Out.Install != nil {
			tr.Install = to.Install.Out.Install
		}
		if to.Import.Out != nil {
			tr.Import = to.Import.Out
		}
		if to.Test.Out != nil {
			tr.Tests = to.Test.Out
		}
		// The built wheel's metadata names the project when its source did not (a setup.py
		// project without PKG-INFO, e.g. a repository's tarball).
		if m := to.Build.Out.Wheel.Metadata; m != nil {
			if r.Metadata == nil {
				r.Metadata = m
			}
			if r.Project == "" {
				r.Project = m.Name
			}
			if r.Version == "" {
				r.Version = m.Version
			}
		}
	}
	r.Findings = slices.Clone(base.Findings)
	r.Artifacts = slices.Clone(base.Artifacts)
	for _, p := range outs.collected() {
		r.Findings = append(r.Findings, p.Findings...)
		r.Artifacts = append(r.Artifacts, p.Artifacts...)
	}
	// Empty lists are lists in the JSON, never null.
	r.Findings = markViews(mergeFindings(r.Findings), inspection.DefaultRules().SeenAs)
	if r.Findings == nil {
		r.Findings = []report.Finding{}
	}
	if r.Artifacts == nil {
		r.Artifacts = []report.Artifact{}
	}
	sort.SliceStable(r.Findings, func(a, b int) bool {
		return r.Findings[a].Severity.Rank() > r.Findings[b].Severity.Rank()
	})
	sort.SliceStable(r.Artifacts, func(a, b int) bool {
		if r.Artifacts[a].Task != r.Artifacts[b].Task {
			return r.Artifacts[a].Task < r.Artifacts[b].Task
		}
		return r.Artifacts[a].Name < r.Artifacts[b].Name
	})
	return r
}

// hintsOf are the verdict hints the tasks left, per target image name ("" for the shared tasks):
// where two tasks give the same verdict, the later task's reason.
func hintsOf(outs outputs) map[string]map[report.Verdict]string {
	var hints map[string]map[report.Verdict]string
	for _, p := range outs.collected() {
		for _, h := range p.Hints {
			if hints == nil {
				hints = map[string]map[report.Verdict]string{}
			}
			if hints[h.Target] == nil {
				hints[h.Target] = map[report.Verdict]string{}
			}
			hints[h.Target][h.Verdict] = h.Reason
		}
	}
	return hints
}

// decide sets the report's verdict and its reason (per cell, in a matrix) from the run's record,
// the hints and the report: decideVerdict decides, from what the tasks left.
func decide(r *report.Report, tasks []dag.TaskRecord, targets []targetInfo, hints map[string]map[report.Verdict]string) {
	in := verdictInput{Tasks: tasks, Hints: hints, Findings: r.Findings}
	if r.Metadata != nil {
		in.Requires = r.Metadata.RequiresDist
	}
	for _, t := range targets {
		res := r.TargetResults
		if t.Cell >= 0 {
			res = r.Matrix[t.Cell].TargetResults
		}
		in.Targets = append(in.Targets, verdictTarget{Image: t.Image, Python: t.Python, Matrix: t.Cell >= 0, Results: res})
	}
	out := decideVerdict(in)
	r.Verdict, r.Reason = out.Verdict, out.Reason
	if len(out.Cells) == 0 {
		return
	}
	for i, t := range targets {
		c := &r.Matrix[t.Cell]
		c.Verdict, c.Reason = out.Cells[i].Verdict, out.Cells[i].Reason
	}
	// The report's environment is the first applicable cell's; its results stay in the cells.
	first := targets[0]
	for _, t := range targets {
		if r.Matrix[t.Cell].Verdict != report.VerdictNotApplicable {
			first = t
			break
		}
	}
	r.Environment = first.Environment
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

// writeReport writes the report as report.json into the job directory dir.
func writeReport(dir string, r *report.Report) error {
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("report: %w", err)
	}
	path := filepath.Join(dir, "report.json")
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
