package web

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
)

// results builds a cell's results: build outcome, import modules and test cases.
func results(build string, modules []report.Module, cases ...report.TestCase) report.TargetResults {
	tr := report.TargetResults{
		Fetch:   &report.Fetch{Phase: report.Phase{Outcome: "ok"}},
		Build:   &report.Build{Phase: report.Phase{Outcome: build}},
		Install: &report.Install{Phase: report.Phase{Outcome: "ok"}},
	}
	if build != "ok" {
		tr.Build.ErrorLines = []string{"error: command 'gcc' failed", "second line"}
		tr.Install = nil
		return tr
	}
	tr.Import = &report.Import{Phase: report.Phase{Outcome: "ok"}, Modules: modules}
	if cases != nil {
		tr.Tests = &report.Tests{Phase: report.Phase{Outcome: "ok"}, Results: &report.TestRun{Cases: cases}}
	}
	return tr
}

func tc(id string, o report.TestOutcome, msg string) report.TestCase {
	return report.TestCase{NodeID: id, Outcome: o, Message: msg}
}

func steps(differs map[string][2]string) []StepDiff {
	var out []StepDiff
	for _, s := range matrixSteps {
		d, ok := differs[s]
		if !ok {
			d = [2]string{"ok", "ok"}
		}
		out = append(out, StepDiff{Step: s, A: StepOutcome{Outcome: d[0]}, B: StepOutcome{Outcome: d[1]}, Differs: d[0] != d[1]})
	}
	return out
}

func empty() CellDiff {
	return CellDiff{Steps: steps(nil), FailOnlyOnB: []TestDiff{}, FailOnlyOnA: []TestDiff{}, OnlyOnA: []TestDiff{},
		OnlyOnB: []TestDiff{}, OtherTests: []TestDiff{}, Imports: []ModuleDiff{}, Same: true}
}

func TestDiffCells(t *testing.T) {
	pkg := []report.Module{{Name: "pkg", OK: true}}
	tests := []struct {
		name string
		a, b report.TargetResults
		want func() CellDiff
	}{
		{
			name: "the same results",
			a:    results("ok", pkg, tc("t::a", report.TestPassed, ""), tc("t::b", report.TestFailed, "boom")),
			b:    results("ok", pkg, tc("t::b", report.TestFailed, "boom"), tc("t::a", report.TestPassed, "")),
			want: empty,
		},
		{
			name: "passes on a, fails on b, and the reverse",
			a: results("ok", pkg, tc("t::a", report.TestPassed, ""), tc("t::b", report.TestFailed, "old"),
				tc("t::c", report.TestXFailed, ""), tc("t::d", report.TestPassed, "")),
			b: results("ok", pkg, tc("t::a", report.TestError, "ImportError: distutils"), tc("t::b", report.TestPassed, ""),
				tc("t::c", report.TestXPassed, "unexpected pass"), tc("t::d", report.TestPassed, "")),
			want: func() CellDiff {
				d := empty()
				d.Same = false
				d.FailOnlyOnB = []TestDiff{
					{NodeID: "t::a", A: report.TestPassed, B: report.TestError, Message: "ImportError: distutils"},
					{NodeID: "t::c", A: report.TestXFailed, B: report.TestXPassed, Message: "unexpected pass"},
				}
				d.FailOnlyOnA = []TestDiff{{NodeID: "t::b", A: report.TestFailed, B: report.TestPassed, Message: "old"}}
				return d
			},
		},
		{
			name: "tests run on one side only, and other changes",
			a:    results("ok", pkg, tc("t::old", report.TestPassed, ""), tc("t::s", report.TestPassed, "")),
			b:    results("ok", pkg, tc("t::new", report.TestFailed, "new fails"), tc("t::s", report.TestSkipped, "needs 3.13")),
			want: func() CellDiff {
				d := empty()
				d.Same = false
				d.OnlyOnA = []TestDiff{{NodeID: "t::old", A: report.TestPassed}}
				d.OnlyOnB = []TestDiff{{NodeID: "t::new", B: report.TestFailed, Message: "new fails"}}
				d.OtherTests = []TestDiff{{NodeID: "t::s", A: report.TestPassed, B: report.TestSkipped, Message: "needs 3.13"}}
				return d
			},
		},
		{
			name: "imports that differ",
			a: results("ok", []report.Module{{Name: "pkg", OK: true}, {Name: "pkg_c", OK: true}, {Name: "same_fail", Error: "E"}, {Name: "gone", OK: true}},
				tc("t::a", report.TestPassed, "")),
			b: results("ok", []report.Module{{Name: "pkg", OK: true}, {Name: "pkg_c", Error: "ModuleNotFoundError: No module named 'distutils'", Missing: "distutils"},
				{Name: "same_fail", Error: "E"}, {Name: "added", OK: true}}, tc("t::a", report.TestPassed, "")),
			want: func() CellDiff {
				d := empty()
				d.Same = false
				d.Imports = []ModuleDiff{
					{Name: "added", B: &report.Module{Name: "added", OK: true}},
					{Name: "gone", A: &report.Module{Name: "gone", OK: true}},
					{Name: "pkg_c", A: &report.Module{Name: "pkg_c", OK: true}, B: &report.Module{Name: "pkg_c", Error: "ModuleNotFoundError: No module named 'distutils'", Missing: "distutils"}},
				}
				return d
			},
		},
		{
			name: "builds on a, not on b",
			a:    results("ok", pkg, tc("t::a", report.TestPassed, "")),
			b:    results("failed", nil),
			want: func() CellDiff {
				d := empty()
				d.Same = false
				d.Steps = steps(map[string][2]string{"build": {"ok", "failed"}, "install": {"ok", ""}, "import": {"ok", ""}, "test": {"ok", ""}})
				d.Steps[1].B.Error = "error: command 'gcc' failed"
				d.OnlyOnA = []TestDiff{{NodeID: "t::a", A: report.TestPassed}}
				d.Imports = []ModuleDiff{{Name: "pkg", A: &report.Module{Name: "pkg", OK: true}}}
				return d
			},
		},
		{
			name: "a cell that did not run at all",
			a:    report.TargetResults{},
			b:    report.TargetResults{},
			want: func() CellDiff {
				d := empty()
				d.Steps = steps(map[string][2]string{"fetch": {"", ""}, "build": {"", ""}, "install": {"", ""}, "import": {"", ""}, "test": {"", ""}})
				return d
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want(), diffCells(tt.a, tt.b)); diff != "" {
				t.Errorf("diffCells (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	for _, tt := range []struct {
		in    string
		limit int
		want  string
	}{
		{"short", 10, "short"},
		{"  first line\nsecond", 40, "first line…"},
		{"ééééé", 3, "ééé…"},
		{"", 5, ""},
	} {
		if got := oneLine(tt.in, tt.limit); got != tt.want {
			t.Errorf("oneLine(%q, %d) = %q, want %q", tt.in, tt.limit, got, tt.want)
		}
	}
}

func TestShortID(t *testing.T) {
	for in, want := range map[string]string{"": "", "sha256:0123456789abcdef": "0123456789ab", "abc": "abc"} {
		if got := shortID(in); got != want {
			t.Errorf("shortID(%q) = %q, want %q", in, got, want)
		}
	}
}
