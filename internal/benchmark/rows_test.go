package benchmark

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/debwheel"
	"github.com/pyti/pyti/internal/localindex"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

// checkSeries fails the test unless every series has want samples and no failure.
func checkSeries(t *testing.T, series []Series, want int) {
	t.Helper()
	for _, s := range series {
		if s.Failures != 0 || len(s.Samples) != want {
			t.Errorf("%s: %d samples, %d failures (%s); want %d samples", s.Name, len(s.Samples), s.Failures, s.LastError, want)
		}
		for _, d := range s.Samples {
			if d <= 0 {
				t.Errorf("%s: sample %v", s.Name, d)
			}
		}
	}
}

// TestEmptyRunRow runs /bin/true directly and in the real bwrap sandbox, with and without strace.
func TestEmptyRunRow(t *testing.T) {
	be := bwrap.New()
	if err := be.Check(); err != nil {
		t.Fatalf("the sandbox cannot run: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	series, ran, err := Interleave(ctx, 2, 1, time.Time{}, emptyRunVariants(be, t.TempDir()))
	if err != nil || ran != 2 {
		t.Fatalf("ran %d, err %v", ran, err)
	}
	checkSeries(t, series, 2)
}

// TestPipInstallRow installs Debian's wheel wheel with real pip, directly and in the sandbox.
func TestPipInstallRow(t *testing.T) {
	py, err := FindPython()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	series, _, err := Interleave(ctx, 1, 1, time.Time{}, pipInstallVariants(bwrap.New(), py, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	checkSeries(t, series, 1)
}

// TestManualWay does the manual analysis of examples from a real example index: a passing one, one
// whose tests fail (pytest's exit 1 is a complete run), a C extension whose package directory
// at the top of the tree would shadow the built one, and one that ships its tests inside the
// package (pytest takes them from the installed copy); each without and with lint.
func TestManualWay(t *testing.T) {
	py, err := FindPython()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	indexDir := filepath.Join(t.TempDir(), "index")
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := localindex.Build(ctx, "../../testdata/examples", indexDir, logger,
		localindex.WithCacheDir(localindex.DefaultCacheDir()), localindex.WithDebianWheels("")); err != nil {
		t.Fatal(err)
	}
	if _, err := debwheel.Build(ctx, indexDir, debwheel.TestTools); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	s := analyzeSetup{indexDir: indexDir, py: py, tmp: tmp}
	for _, project := range []string{"pyti-example-pure", "pyti-example-failing", "pyti-example-cext", "pyti-example-realistic"} {
		wh := filepath.Join(tmp, "wh-"+project)
		if err := manualWheelhouse(indexDir, project, wh); err != nil {
			t.Fatal(err)
		}
		series, _, err := Interleave(ctx, 1, 1, time.Time{}, []Variant{s.manualVariant("manual", project, wh, false), s.manualVariant("manual + lint", project, wh, true)})
		if err != nil {
			t.Fatal(err)
		}
		checkSeries(t, series, 1)
	}
	// A project the index does not have is a failed repetition, not a sample.
	series, _, err := Interleave(ctx, 1, 1, time.Time{}, []Variant{s.manualVariant("manual", "pyti-example-absent", tmp, false)})
	if err != nil || series[0].Failures != 1 {
		t.Errorf("absent project: %+v, %v", series, err)
	}
	if _, err := os.Stat(filepath.Join(tmp, "pyti-example-pure-manual-0")); !os.IsNotExist(err) {
		t.Errorf("the manual run's directory was left behind: %v", err)
	}
}
