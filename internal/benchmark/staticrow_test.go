package benchmark

import (
	"context"
	"os/exec"
	"path/filepath"
	"testing"

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
