package detectbench

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/localindex"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

// CISubset are the benign projects `make test` analyses, so that a false alarm (a high or
// critical finding on a real benign project) fails CI: packages scripts/install-deps.sh installs
// anyway, real and non-trivial, and cheap to analyse.
var CISubset = []string{"python3-pytest", "python3-coverage", "python3-pycodestyle", "python3-pyflakes", "python3-docutils"}

// TestBenignSubsetRaisesNoFalseAlarm runs the real `pyti analyze` (built from this tree,
// sandboxed, traced, offline) through the benchmark's own runner on CISubset, served from PYTI's
// loopback index like `make detect` serves its benign set, and fails on any high or critical
// finding. A second run must come entirely from the cache.
func TestBenignSubsetRaisesNoFalseAlarm(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end analyses are long; skipped with -short")
	}
	if err := bwrap.New().Check(); err != nil {
		t.Skipf("no sandbox: %v", err)
	}
	list, err := ReadPackageList("../../testdata/detect/debian-benign.txt")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range CISubset {
		if !slices.Contains(list, p) {
			t.Errorf("%s is in the CI subset but not in the benchmark's benign set", p)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	work := t.TempDir()
	pyti := filepath.Join(work, "pyti")
	build := exec.CommandContext(ctx, "go", "build", "-o", pyti, "../../cmd/pyti")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building pyti: %v\n%s", err, out)
	}
	ix, err := BuildIndex(ctx, IndexSpec{Dir: filepath.Join(work, "index"), Packages: CISubset}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(ix.Missing)+len(ix.Skipped) > 0 || len(ix.Benign) != len(CISubset) {
		t.Fatalf("benign targets %d of %d; not installed: %v; not repackaged: %v (run scripts/install-deps.sh)",
			len(ix.Benign), len(CISubset), ix.Missing, ix.Skipped)
	}
	// The build backends pip would need are served as for make detect.
	for _, w := range mustGlob(t, filepath.Join(localindex.DebianWheelsDir, "*.whl")) {
		if err := os.Link(w, filepath.Join(ix.Dir, filepath.Base(w))); err != nil && !os.IsExist(err) {
			data, rerr := os.ReadFile(w)
			if rerr != nil {
				t.Fatal(rerr)
			}
			if err := os.WriteFile(filepath.Join(ix.Dir, filepath.Base(w)), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	srv, err := localindex.Serve(ix.Dir, "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	version, err := PytiVersion(ctx, pyti)
	if err != nil {
		t.Fatal(err)
	}
	var progress strings.Builder
	r := &Runner{Pyti: pyti, IndexURL: srv.SimpleURL(), Work: filepath.Join(work, "run"), Version: version,
		Jobs: 2, Timeout: 10 * time.Minute, Args: []string{"--lint-timeout", "15s", "--test-timeout", "3m"}, Progress: &progress}
	results, err := r.Run(ctx, ix.Benign)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("analyses:\n%s", progress.String())
	if len(results) != len(ix.Benign) {
		t.Fatalf("%d results for %d projects", len(results), len(ix.Benign))
	}
	for _, res := range results {
		if res.Verdict == "" || res.Error != "" {
			t.Errorf("%s: no usable report: %s", res.Name, res.Error)
			continue
		}
		if res.Verdict == "harmful" {
			t.Errorf("%s: verdict harmful on a benign project: %s", res.Name, res.Reason)
		}
		for _, f := range res.AtLeast("high") {
			t.Errorf("false alarm on benign %s: %s (%s, %s/%s): %s", res.Name, f.RuleID, f.Severity, f.Source, f.Phase, f.Evidence)
		}
	}
	again, err := r.Run(ctx, ix.Benign)
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range again {
		if !res.Cached {
			t.Errorf("%s: analysed again; the result of the first run should have been reused", res.Name)
		}
	}
}

func mustGlob(t *testing.T, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(pattern)
	if err != nil || len(m) == 0 {
		t.Fatalf("nothing matches %s: %v", pattern, err)
	}
	return m
}
