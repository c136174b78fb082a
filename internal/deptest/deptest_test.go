package deptest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProblems(t *testing.T) {
	const (
		report = Module + "/internal/report"
		dag    = Module + "/internal/dag"
		store  = Module + "/internal/store"
	)
	for _, tc := range []struct {
		name string
		c    Checker
		deps []string
		want []string
	}{
		{"clean", Checker{Package: report, BadDeps: map[string]string{dag: "pipeline"}, Internal: []string{}},
			[]string{"fmt", report}, nil},
		{"bad dep", Checker{Package: report, BadDeps: map[string]string{dag: "pipeline"}},
			[]string{"fmt", dag, report}, []string{report + " depends on " + dag + ": pipeline"}},
		{"internal not allowed", Checker{Package: report, Internal: []string{store}},
			[]string{store, dag, report, "github.com/google/go-cmp/cmp"},
			[]string{report + " depends on " + dag + ", which is not among the internal packages it may use (" + store + ")"}},
		{"no allowlist", Checker{Package: report}, []string{dag, report}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, tc.c.problems(tc.deps)); d != "" {
				t.Errorf("problems (-want +got):\n%s", d)
			}
		})
	}
}

// TestDeps runs go list for real: the dag package depends on the standard library only.
func TestDeps(t *testing.T) {
	deps, err := Deps(Module + "/internal/dag")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range deps {
		if d == Module+"/internal/dag" {
			found = true
		}
	}
	if !found || len(deps) < 5 {
		t.Errorf("go list -deps of internal/dag gave %v", deps)
	}
}
