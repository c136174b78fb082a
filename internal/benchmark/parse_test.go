package benchmark

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMemTotalAndOSRelease(t *testing.T) {
	n, err := memTotal([]byte("MemFree:  100 kB\nMemTotal:       24563200 kB\n"))
	if err != nil || n != 24563200 {
		t.Errorf("memTotal = %d, %v", n, err)
	}
	if _, err := memTotal([]byte("MemFree: 1 kB\n")); err == nil {
		t.Error("memTotal without a MemTotal line: no error")
	}
	rel := []byte("NAME=\"Debian GNU/Linux\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
	if got := osReleaseField(rel, "PRETTY_NAME"); got != "Debian GNU/Linux 12 (bookworm)" {
		t.Errorf("PRETTY_NAME = %q", got)
	}
}

func TestReadMachine(t *testing.T) {
	m, err := ReadMachine()
	if err != nil {
		t.Fatal(err)
	}
	if m.CPUs < 1 || m.MemoryKiB <= 0 || m.Kernel == "" {
		t.Errorf("machine %+v", m)
	}
}

func TestReadBreakdownAndMedians(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "report.json")
	if err := os.WriteFile(path, []byte(`{"verdict":"passed","run":{"tasks":[
		{"name":"fetch","status":"ok","wall_ms":3000.5,"cpu_ms":1000},
		{"name":"build","status":"ok","wall_ms":2000,"cpu_ms":500}]}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tasks, err := readBreakdown(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readBreakdown(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("a missing report: no error")
	}
	other := []TaskTime{{Name: "fetch", Status: "ok", WallMS: 1000, CPUMS: 200}, {Name: "build", Status: "failed", WallMS: 4000, CPUMS: 700}}
	third := []TaskTime{{Name: "fetch", Status: "ok", WallMS: 2000, CPUMS: 300}, {Name: "build", Status: "ok", WallMS: 1000, CPUMS: 600}}
	got := MedianTasks([][]TaskTime{tasks, other, third})
	want := []TaskStat{
		{Name: "fetch", Wall: 2 * time.Second, CPU: 300 * time.Millisecond, Status: "ok"},
		{Name: "build", Wall: 2 * time.Second, CPU: 600 * time.Millisecond, Status: "ok"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("medians (-want +got):\n%s", d)
	}
}

func TestBiggestCostsRanksBySummedMedian(t *testing.T) {
	rows := []Row{
		{Breakdown: map[string][][]TaskTime{
			"pyti":            {{{Name: "fetch", WallMS: 10}, {Name: "build", WallMS: 30}, {Name: "lint", WallMS: 5}}},
			"pyti --no-trace": {{{Name: "fetch", WallMS: 8}, {Name: "build", WallMS: 20}, {Name: "lint", WallMS: 5}}},
		}},
		{Breakdown: map[string][][]TaskTime{
			"pyti": {{{Name: "fetch", WallMS: 40}, {Name: "build", WallMS: 1}, {Name: "lint", WallMS: 2}}},
		}},
	}
	var got []string
	costs := BiggestCosts(rows)
	for _, c := range costs {
		got = append(got, c.Task)
	}
	if d := cmp.Diff([]string{"fetch", "build", "lint"}, got); d != "" {
		t.Errorf("ranking (-want +got):\n%s", d)
	}
	if costs[0].Wall != 50*time.Millisecond || costs[0].Untraced != 8*time.Millisecond || costs[0].Remedy == "" {
		t.Errorf("fetch cost %+v", costs[0])
	}
}

func TestManualWheelhouseLeavesOutTheProjectsWheel(t *testing.T) {
	index, wh := t.TempDir(), filepath.Join(t.TempDir(), "wh")
	for _, f := range []string{
		"pyti-example-pure-1.0.0.tar.gz", "pyti_example_pure-1.0.0-py3-none-any.whl",
		"pyti_example_pure_extra-1.0-py3-none-any.whl", "pytest-7.2.1-py3-none-any.whl",
		"setuptools-66.1.1-py3-none-any.whl", "index.html",
	} {
		if err := os.WriteFile(filepath.Join(index, f), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := manualWheelhouse(index, "pyti-example-pure", wh); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(wh)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	sort.Strings(got)
	want := []string{"pytest-7.2.1-py3-none-any.whl", "pyti-example-pure-1.0.0.tar.gz",
		"pyti_example_pure_extra-1.0-py3-none-any.whl", "setuptools-66.1.1-py3-none-any.whl"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("wheelhouse (-want +got):\n%s", d)
	}
	sdist, err := sdistOf(index, "pyti-example-pure")
	if err != nil || filepath.Base(sdist) != "pyti-example-pure-1.0.0.tar.gz" {
		t.Errorf("sdistOf = %q, %v", sdist, err)
	}
	if err := manualWheelhouse(t.TempDir(), "x", filepath.Join(t.TempDir(), "w")); err == nil {
		t.Error("an empty index: no error")
	}
}
