package web

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// CellComparison is how two images of one matrix report differ: "passes on 3.11, fails on 3.13:
// these tests".
type CellComparison struct {
	Report store.ReportSummary `json:"report"`
	A      CellSide            `json:"a"`
	B      CellSide            `json:"b"`
	CellDiff
	// Images are every image of the report, for choosing another pair.
	Images []string `json:"images"`
}

// CellSide is one of the two cells compared.
type CellSide struct {
	Image   report.ImageRef  `json:"image"`
	Verdict report.Verdict   `json:"verdict"`
	Reason  string           `json:"reason"`
	Tests   store.TestCounts `json:"tests"`
	// Href is the cell's detail on the report page.
	Href string `json:"href"`
}

// CellDiff is what differs between the results of two cells. Every list is sorted by name and
// never nil.
type CellDiff struct {
	// Steps are fetch, build, install, import and test, on each side.
	Steps []StepDiff `json:"steps"`
	// FailOnlyOnB are tests that pass on A and fail or error on B; FailOnlyOnA the reverse.
	FailOnlyOnB []TestDiff `json:"tests_failing_only_on_b"`
	FailOnlyOnA []TestDiff `json:"tests_failing_only_on_a"`
	// OnlyOnA and OnlyOnB are tests that ran on one side only.
	OnlyOnA []TestDiff `json:"tests_only_on_a"`
	OnlyOnB []TestDiff `json:"tests_only_on_b"`
	// OtherTests ran on both sides with another difference (passed on one, skipped on the other).
	OtherTests []TestDiff `json:"tests_other_changes"`
	// Imports are the modules whose import went differently, or that were tried on one side only.
	Imports []ModuleDiff `json:"imports"`
	// Same says that nothing above differs.
	Same bool `json:"same"`
}

// StepDiff is one per-environment step on both sides.
type StepDiff struct {
	Step    string      `json:"step"`
	A       StepOutcome `json:"a"`
	B       StepOutcome `json:"b"`
	Differs bool        `json:"differs"`
}

// StepOutcome is what one step did: Outcome is "" when it did not run.
type StepOutcome struct {
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
	// Error is the first error line of a failed build or install.
	Error string `json:"error,omitempty"`
}

// TestDiff is one test whose outcome differs; an outcome is "" on the side that did not run it.
type TestDiff struct {
	NodeID string             `json:"nodeid"`
	A      report.TestOutcome `json:"a"`
	B      report.TestOutcome `json:"b"`
	// Message is the failure message of the side where it failed (B's when both did).
	Message string `json:"message,omitempty"`
}

// ModuleDiff is one import on both sides; nil on a side that did not try it.
type ModuleDiff struct {
	Name string         `json:"name"`
	A    *report.Module `json:"a"`
	B    *report.Module `json:"b"`
}

// diffCells compares the results of two cells.
func diffCells(a, b report.TargetResults) CellDiff {
	d := CellDiff{Steps: []StepDiff{}, FailOnlyOnB: []TestDiff{}, FailOnlyOnA: []TestDiff{}, OnlyOnA: []TestDiff{},
		OnlyOnB: []TestDiff{}, OtherTests: []TestDiff{}, Imports: []ModuleDiff{}}
	same := true
	for _, step := range matrixSteps {
		sd := StepDiff{Step: step, A: stepOutcome(a, step), B: stepOutcome(b, step)}
		sd.Differs = sd.A.Outcome != sd.B.Outcome
		same = same && !sd.Differs
		d.Steps = append(d.Steps, sd)
	}
	ca, cb := casesByID(a.Tests), casesByID(b.Tests)
	for _, id := range sortedKeys(union(ca, cb)) {
		x, inA := ca[id]
		y, inB := cb[id]
		td := TestDiff{NodeID: id, A: x.Outcome, B: y.Outcome}
		switch {
		case !inB:
			td.Message = x.Message
			d.OnlyOnA = append(d.OnlyOnA, td)
		case !inA:
			td.Message = y.Message
			d.OnlyOnB = append(d.OnlyOnB, td)
		case x.Outcome == y.Outcome:
			continue
		case passing(x.Outcome) && failing(y.Outcome):
			td.Message = y.Message
			d.FailOnlyOnB = append(d.FailOnlyOnB, td)
		case failing(x.Outcome) && passing(y.Outcome):
			td.Message = x.Message
			d.FailOnlyOnA = append(d.FailOnlyOnA, td)
		default:
			td.Message = y.Message
			if td.Message == "" {
				td.Message = x.Message
			}
			d.OtherTests = append(d.OtherTests, td)
		}
		same = false
	}
	ma, mb := modulesByName(a.Import), modulesByName(b.Import)
	for _, name := range sortedKeys(union(ma, mb)) {
		x, inA := ma[name]
		y, inB := mb[name]
		if inA && inB && x.OK == y.OK && x.Missing == y.Missing && (x.OK || x.Error == y.Error) {
			continue
		}
		md := ModuleDiff{Name: name}
		if inA {
			md.A = &x
		}
		if inB {
			md.B = &y
		}
		d.Imports = append(d.Imports, md)
		same = false
	}
	d.Same = same
	return d
}

// stepOutcome is what a step did on one side.
func stepOutcome(tr report.TargetResults, step string) StepOutcome {
	var so StepOutcome
	so.Outcome, so.Reason = phaseOutcome(tr, step)
	switch {
	case step == "build" && tr.Build != nil && len(tr.Build.ErrorLines) > 0:
		so.Error = oneLine(tr.Build.ErrorLines[0], 300)
	case step == "install" && tr.Install != nil && len(tr.Install.ErrorLines) > 0:
		so.Error = oneLine(tr.Install.ErrorLines[0], 300)
	}
	return so
}

func casesByID(t *report.Tests) map[string]report.TestCase {
	m := map[string]report.TestCase{}
	if t != nil && t.Results != nil {
		for _, c := range t.Results.Cases {
			m[c.NodeID] = c
		}
	}
	return m
}

func modulesByName(im *report.Import) map[string]report.Module {
	m := map[string]report.Module{}
	if im != nil {
		for _, mod := range im.Modules {
			m[mod.Name] = mod
		}
	}
	return m
}

// union is the set of keys of a and b.
func union[V any](a, b map[string]V) map[string]bool {
	out := make(map[string]bool, len(a)+len(b))
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// isCellCompare tells whether a comparison request compares two images of one matrix report.
func isCellCompare(q url.Values) bool { return q.Has("report") }

// compareCells compares the cells named a and b of the matrix report id.
func (s *server) compareCells(ctx context.Context, id int64, a, b string) (*CellComparison, error) {
	if a == "" || b == "" {
		return nil, badRequest("comparing two images of a report needs a and b, the images' names")
	}
	sr, err := s.st.Report(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := sr.Report
	if len(rep.Matrix) == 0 {
		return nil, badRequest("report %d ran on one environment: it has no images to compare", id)
	}
	c := &CellComparison{Report: sr.ReportSummary}
	ia, ib := -1, -1
	for i, cell := range rep.Matrix {
		c.Images = append(c.Images, cell.Image.Name)
		if cell.Image.Name == a && ia < 0 {
			ia = i
		}
		if cell.Image.Name == b && ib < 0 {
			ib = i
		}
	}
	for _, m := range []struct {
		name string
		i    int
	}{{a, ia}, {b, ib}} {
		if m.i < 0 {
			return nil, fmt.Errorf("report %d has no image %q (it has %s): %w", id, m.name, strings.Join(quoteAll(c.Images), ", "), store.ErrNotFound)
		}
	}
	side := func(i int) CellSide {
		cell := rep.Matrix[i]
		return CellSide{Image: cell.Image, Verdict: cell.Verdict, Reason: cell.Reason, Tests: testCounts(cell.Tests),
			Href: "/reports/" + strconv.FormatInt(id, 10) + "#cell-" + strconv.Itoa(i)}
	}
	c.A, c.B = side(ia), side(ib)
	c.CellDiff = diffCells(rep.Matrix[ia].TargetResults, rep.Matrix[ib].TargetResults)
	return c, nil
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}
