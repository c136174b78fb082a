package testresult

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRerunnable(t *testing.T) {
	failed := func(id string, class Class) Case { return Case{NodeID: id, Outcome: Failed, Class: class} }
	tests := []struct {
		name  string
		run   Run
		limit int
		want  []string
	}{
		{"own failures only", Run{Cases: []Case{failed("t.py::a", Assertion), {NodeID: "t.py::b", Outcome: Error, Class: Exception},
			failed("t.py::c", MissingDependency), failed("t.py", CollectionError), failed("t.py::d", NeedsNetwork), {NodeID: "t.py::e", Outcome: Passed}}},
			10, []string{"t.py::a", "t.py::b"}},
		{"more than the limit", Run{Cases: []Case{failed("t.py::a", Assertion), failed("t.py::b", Assertion)}}, 1, nil},
		{"a test a module's load_tests named", Run{Cases: []Case{failed("t.py::TestA::test_a", Assertion)},
			Suites: []Suite{{Module: "t.py", Protocol: "load_tests", Tests: 1}}}, 10, nil},
		{"none failed", Run{Cases: []Case{{NodeID: "t.py::a", Outcome: Passed}}}, 10, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, tc.run.Rerunnable(tc.limit)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestTracingOnly(t *testing.T) {
	failed := func(id, msg string) Case { return Case{NodeID: id, Outcome: Failed, Class: Assertion, Message: msg} }
	passed := func(id string) Case { return Case{NodeID: id, Outcome: Passed} }
	suite := func() Run {
		return Run{Counts: Counts{Passed: 1, Failed: 3, Errors: 1}, Complete: true, Cases: []Case{
			passed("t.py::ok"),
			failed("t.py::leak", "LeakCheckError: refcount increased"),
			failed("t.py::own", "assert 4 == 5"),
			failed("t.py::order", "assert state is clean"),
			{NodeID: "t.py::setup", Outcome: Error, Class: Exception, Message: "RuntimeError: tracer"},
		}, Classes: map[Class]int{Assertion: 3, Exception: 1}}
	}
	tests := []struct {
		name           string
		without, again *Run
		changed        []string
		counts         Counts
		classes        map[Class]int
		// alone are the failures that passed both ways when run again alone.
		alone []string
	}{
		{"fails under coverage alone",
			&Run{Cases: []Case{passed("t.py::leak"), failed("t.py::own", "assert 4 == 5"), passed("t.py::order"), {NodeID: "t.py::setup", Outcome: Skipped}}},
			&Run{Cases: []Case{failed("t.py::leak", "LeakCheckError"), passed("t.py::order"), {NodeID: "t.py::setup", Outcome: Error, Class: Exception}}},
			[]string{"t.py::leak", "t.py::setup"}, Counts{Passed: 2, Failed: 2, Skipped: 1}, map[Class]int{Assertion: 2}, []string{"t.py::order"}},
		{"no rerun", nil, nil, nil, Counts{Passed: 1, Failed: 3, Errors: 1}, map[Class]int{Assertion: 3, Exception: 1}, nil},
		{"a test the rerun did not report", &Run{}, &Run{}, nil, Counts{Passed: 1, Failed: 3, Errors: 1}, map[Class]int{Assertion: 3, Exception: 1}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := suite()
			if d := cmp.Diff(tc.changed, run.TracingOnly(tc.without, tc.again)); d != "" {
				t.Errorf("changed (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.counts, run.Counts); d != "" {
				t.Errorf("counts (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.classes, run.Classes); d != "" {
				t.Errorf("classes (-want +got):\n%s", d)
			}
			for _, c := range run.Cases {
				if kept := c.UnderCoverage != ""; kept != slices.Contains(tc.changed, c.NodeID) {
					t.Errorf("%s: failure under coverage %q", c.NodeID, c.UnderCoverage)
				}
			}
			var alone []string
			for _, c := range run.Cases {
				if c.PassedAlone {
					alone = append(alone, c.NodeID)
				}
			}
			if d := cmp.Diff(tc.alone, alone); d != "" {
				t.Errorf("passed alone (-want +got):\n%s", d)
			}
		})
	}
}
