package benchmark

import (
	"context"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/inspection"
	"github.com/pyti/pyti/internal/report"
)

// TestManyFilesSdistIsReadWhole checks the generated project of the static row: every module is
// there, Python parses each one, and the rules find nothing high in this ordinary code.
func TestManyFilesSdistIsReadWhole(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("no python3")
	}
	tests := []struct{ modules int }{{1}, {25}}
	for _, tc := range tests {
		dir := t.TempDir()
		sdist, err := WriteManyFilesSdist(dir, tc.modules)
		if err != nil {
			t.Fatal(err)
		}
		tree := filepath.Join(dir, "tree")
		if out, err := exec.Command("sh", "-c", "mkdir -p "+tree+" && tar -xzf "+sdist+" -C "+tree).CombinedOutput(); err != nil {
			t.Fatalf("unpacking: %v: %s", err, out)
		}
		findings, stats, _, err := inspection.ScanLocal(context.Background(), "python3", tree, inspection.DefaultRules(), inspection.DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		// the modules, the package's and the ten sub-packages' __init__.py
		if diff := cmp.Diff(tc.modules+11, stats.Parsed); diff != "" {
			t.Errorf("files parsed (-want +got):\n%s", diff)
		}
		for _, f := range findings {
			if f.Severity == report.SeverityHigh || f.Severity == report.SeverityCritical {
				t.Errorf("generated code raised %s (%s): %s", f.RuleID, f.Severity, f.Message)
			}
		}
	}
}

// TestStaticVerdict checks the sentence BENCHMARKS.md gives the static row: the scanner's share of
// the whole analysis and the inspect task's CPU time, within or above the target; nothing without the row.
func TestStaticVerdict(t *testing.T) {
	sec := time.Second
	row := func(scan time.Duration) Row {
		return Row{ID: "static-manyfiles", Series: []Series{{Name: "pyti analyze", Samples: []time.Duration{20 * sec}},
			{Name: "static scan alone", Samples: []time.Duration{scan}}},
			Breakdown: map[string][][]TaskTime{"pyti analyze": {{{Name: "inspect", Status: "ok", WallMS: 4500, CPUMS: 1500}}}}}
	}
	tests := []struct {
		name string
		rows []Row
		want string
	}{
		{"within", []Row{row(sec)}, "Static inspection of the generated 1000-file sdist took 5.0 % of that package's whole analysis,\n" +
			"within the target of 10 %. Inside the analysis, the inspect task (the scanner in the sandbox, the rules, the metadata\n" +
			"checks and the packaging score) ran beside the rest at a low priority, for 4.50 s, its sandboxed steps using 1.50 s of CPU, 7.5 % of the analysis' time.\n\n"},
		{"above", []Row{row(4 * sec)}, "Static inspection of the generated 1000-file sdist took 20.0 % of that package's whole analysis,\n" +
			"**above** the target of 10 %. Inside the analysis, the inspect task (the scanner in the sandbox, the rules, the metadata\n" +
			"checks and the packaging score) ran beside the rest at a low priority, for 4.50 s, its sandboxed steps using 1.50 s of CPU, 7.5 % of the analysis' time.\n\n"},
		{"not measured", []Row{{ID: "static-manyfiles", Skipped: "no python3"}}, ""},
		{"no row", nil, ""},
	}
	for _, tc := range tests {
		var b strings.Builder
		writeStaticVerdict(&b, &Results{Rows: tc.rows})
		if diff := cmp.Diff(tc.want, b.String()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", tc.name, diff)
		}
	}
}
