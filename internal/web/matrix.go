package web

import (
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// matrixSteps are the tasks that run once per environment, in the order the matrix table shows
// them; a matrix run names them TASK@IMAGE.
var matrixSteps = []string{"fetch", "build", "install", "import", "test"}

// TargetView is what the report page shows of one environment's steps: the test suite with its
// failing tests, and every per-environment phase with the findings its run showed. A report of one
// environment has one; a matrix report has one per cell.
type TargetView struct {
	// Anchor prefixes the ids of this environment's sections ("" for a report of one environment).
	Anchor string `json:"-"`
	// Image names the matrix cell ("" for a report of one environment).
	Image   string               `json:"-"`
	Results report.TargetResults `json:"-"`
	Traced  bool                 `json:"-"`
	// Failing are the failed and errored tests, with their output.
	Failing []report.TestCase `json:"failing"`
	Phases  []PhaseView       `json:"phases"`
	// CasesShown bounds the tests listed on the page; the API lists them all in the report.
	CasesShown []report.TestCase `json:"-"`
	CasesMore  int               `json:"-"`
}

// targetView derives what the page shows of one environment's results. findings are the report's
// findings, most severe first; image keeps only those a matrix cell's run showed ("" keeps all).
func targetView(tr report.TargetResults, findings []report.Finding, image, anchor string, traced bool) TargetView {
	v := TargetView{Anchor: anchor, Image: image, Results: tr, Traced: traced, Failing: []report.TestCase{}, Phases: []PhaseView{}}
	if t := tr.Tests; t != nil && t.Results != nil {
		for _, c := range t.Results.Cases {
			if failing(c.Outcome) {
				v.Failing = append(v.Failing, c)
			}
		}
		v.CasesShown = t.Results.Cases
		if len(v.CasesShown) > maxCasesShown {
			v.CasesMore = len(v.CasesShown) - maxCasesShown
			v.CasesShown = v.CasesShown[:maxCasesShown]
		}
	}
	for _, ph := range targetPhases(tr) {
		pv := PhaseView{Name: ph.name, Phase: ph.p, Findings: []report.Finding{}}
		for _, f := range findings {
			if f.Phase == ph.name && (image == "" || f.Image == image) {
				pv.Findings = append(pv.Findings, f)
			}
		}
		v.Phases = append(v.Phases, pv)
	}
	return v
}

// targetPhases lists the phases that ran, named as the tasks are.
func targetPhases(tr report.TargetResults) []namedPhase {
	var phases []namedPhase
	if tr.Fetch != nil {
		phases = append(phases, namedPhase{"fetch", &tr.Fetch.Phase})
	}
	if tr.Build != nil {
		phases = append(phases, namedPhase{"build", &tr.Build.Phase})
	}
	if tr.Install != nil {
		phases = append(phases, namedPhase{"install", &tr.Install.Phase})
	}
	if tr.Import != nil {
		phases = append(phases, namedPhase{"import", &tr.Import.Phase})
	}
	if tr.Tests != nil {
		phases = append(phases, namedPhase{"test", &tr.Tests.Phase})
	}
	return phases
}

// MatrixCell is one row of a matrix report's table: an image, the status of each of its tasks,
// its verdict, and the detail of its results.
type MatrixCell struct {
	Image   report.ImageRef `json:"image"`
	Verdict report.Verdict  `json:"verdict"`
	Reason  string          `json:"reason"`
	// Steps are fetch, build, install, import and test, in that order.
	Steps []StepStatus     `json:"steps"`
	Tests store.TestCounts `json:"tests"`
	// Detail is the cell's tests and phases as the page shows them.
	Detail TargetView `json:"detail"`
	// Anchor is the id of the cell's section on the page.
	Anchor string `json:"-"`
	// ShortID is the start of the image's content hash; ReasonLine the reason's first line, capped.
	ShortID    string `json:"-"`
	ReasonLine string `json:"-"`
	// CompareHref compares the first cell with this one ("" on the first).
	CompareHref string `json:"-"`
}

// StepStatus is one per-environment task of a matrix cell.
type StepStatus struct {
	Step string `json:"step"`
	// Task is the task's name in the run, TASK@IMAGE.
	Task string `json:"task"`
	// Status is the task's status in the run, or its phase's outcome when the run does not list
	// it; "" when it did not run at all.
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	// Href points at the section of the page that shows the step's results.
	Href string `json:"-"`
}

// matrixCells builds the matrix table of a report; nil for a report of one environment.
func matrixCells(id int64, rep *report.Report, findings []report.Finding) []MatrixCell {
	if len(rep.Matrix) == 0 {
		return nil
	}
	tasks := map[string]report.TaskRecord{}
	if rep.Run != nil {
		for _, t := range rep.Run.Tasks {
			tasks[t.Name] = t
		}
	}
	cells := make([]MatrixCell, 0, len(rep.Matrix))
	for i, c := range rep.Matrix {
		anchor := "cell-" + strconv.Itoa(i)
		mc := MatrixCell{Anchor: anchor, Image: c.Image, Verdict: c.Verdict, Reason: c.Reason, ShortID: shortID(c.Image.ID),
			ReasonLine: oneLine(c.Reason, 160), Tests: testCounts(c.Tests),
			Detail: targetView(c.TargetResults, findings, c.Image.Name, anchor+"-", rep.Environment.Traced)}
		for _, step := range matrixSteps {
			st := StepStatus{Step: step, Task: step + "@" + c.Image.Name}
			if t, ok := tasks[st.Task]; ok {
				st.Status, st.Reason = string(t.Status), t.Reason
			} else {
				st.Status, st.Reason = phaseOutcome(c.TargetResults, step)
			}
			switch {
			case step == "test" && c.Tests != nil:
				st.Href = "#" + anchor + "-tests"
			case len(mc.Detail.Phases) > 0:
				st.Href = "#" + anchor + "-behaviour"
			default:
				st.Href = "#" + anchor
			}
			mc.Steps = append(mc.Steps, st)
		}
		if i > 0 {
			mc.CompareHref = cellCompareHref(id, rep.Matrix[0].Image.Name, c.Image.Name)
		}
		cells = append(cells, mc)
	}
	return cells
}

// cellCompareHref is the address of the comparison of two cells of a matrix report.
func cellCompareHref(id int64, a, b string) string {
	return "/compare?" + url.Values{"report": {strconv.FormatInt(id, 10)}, "a": {a}, "b": {b}}.Encode()
}

// phaseOutcome is a step's outcome as its phase recorded it: "" when the phase did not run.
func phaseOutcome(tr report.TargetResults, step string) (outcome, reason string) {
	switch step {
	case "fetch":
		if tr.Fetch != nil {
			return tr.Fetch.Outcome, tr.Fetch.Reason
		}
	case "build":
		if b := tr.Build; b != nil {
			if b.Outcome == "" && b.Skipped != "" {
				return "skipped", b.Skipped
			}
			return b.Outcome, b.Reason
		}
	case "install":
		if tr.Install != nil {
			return tr.Install.Outcome, tr.Install.Reason
		}
	case "import":
		if tr.Import != nil {
			return tr.Import.Outcome, tr.Import.Reason
		}
	case "test":
		if tr.Tests != nil {
			return tr.Tests.Outcome, tr.Tests.Reason
		}
	}
	return "", ""
}

// testCounts counts a test run as the summaries do: xfailed with passed, xpassed with failed.
func testCounts(t *report.Tests) store.TestCounts {
	if t == nil || t.Results == nil {
		return store.TestCounts{}
	}
	c := t.Results.Counts
	return store.TestCounts{Total: c.Total(), Passed: c.Passed + c.XFailed, Failed: c.Failed + c.XPassed, Errors: c.Errors, Skipped: c.Skipped}
}

// shortID shortens a content hash "sha256:0123…" to its first 12 hex digits.
func shortID(id string) string {
	hex := strings.TrimPrefix(id, "sha256:")
	if len(hex) > 12 {
		hex = hex[:12]
	}
	return hex
}

// oneLine returns the first line of s, at most limit runes, with an ellipsis when cut.
func oneLine(s string, limit int) string {
	s = strings.TrimSpace(s)
	cut := false
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s, cut = strings.TrimSpace(s[:i]), true
	}
	if utf8.RuneCountInString(s) > limit {
		r := []rune(s)
		s, cut = string(r[:limit]), true
	}
	if cut {
		s += "…"
	}
	return s
}

// CellVerdict is one image's verdict of a matrix report, as lists show it.
type CellVerdict struct {
	Image   string         `json:"image"`
	Verdict report.Verdict `json:"verdict"`
}

// cellVerdicts lists the per-image verdicts of a report; nil for a report of one environment.
func cellVerdicts(rep *report.Report) []CellVerdict {
	if len(rep.Matrix) == 0 {
		return nil
	}
	out := make([]CellVerdict, 0, len(rep.Matrix))
	for _, c := range rep.Matrix {
		out = append(out, CellVerdict{Image: c.Image.Name, Verdict: c.Verdict})
	}
	return out
}

// stepClass is the CSS class of a task status or phase outcome in the matrix table.
func stepClass(s string) string {
	switch s {
	case "ok":
		return "good"
	case "", "skipped", "cancelled":
		return "muted"
	}
	return "bad"
}
