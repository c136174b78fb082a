package tasks

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/sandbox/runsc"
)

// hostCanary writes a file only the host can see (the sandbox has a fresh /tmp) with a unique
// content, and returns its path and content.
func hostCanary(t *testing.T) (string, string) {
	t.Helper()
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	secret := "PYTI-HOST-CANARY-" + hex.EncodeToString(b[:])
	p := filepath.Join(t.TempDir(), "secret.txt")
	if err := os.WriteFile(p, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return p, secret
}

// backends are the sandboxes the hostile end-to-end cases run on: bwrap always, runsc where it
// runs.
func backends(t *testing.T) map[string]sandbox.Backend {
	out := map[string]sandbox.Backend{"bwrap": bwrap.New()}
	if r := runsc.New(); r.Check() == nil {
		out["runsc"] = r
	} else {
		t.Logf("runsc not usable here: %v", r.Check())
	}
	return out
}

// analyzeTree analyses a source directory on backend b with the shared example index, in a job
// directory it returns.
func analyzeTree(t *testing.T, tree string, b sandbox.Backend) (*report.Report, string) {
	t.Helper()
	return analyzeTreeOn(t, index(t), tree, b)
}

// analyzeTreeOn analyses a source directory, as `pyti analyze DIR` does, with the index f on
// backend b, in a job directory it returns.
func analyzeTreeOn(t *testing.T, f *fixture, tree string, b sandbox.Backend) (*report.Report, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "job")
	rep, err := Analyze(context.Background(), Request{Spec: tree, Path: tree}, Options{
		Client: f.client, IndexURL: f.url, Backend: b, Dir: dir,
		Logger: slog.New(slog.DiscardHandler), LintTimeout: 3 * time.Minute,
	})
	if err != nil {
		t.Fatalf("analyze %s: %v", tree, err)
	}
	return rep, dir
}

// canaryNowhere fails when the canary's content is in the report or in any file of the job
// directory (the raw data the worker uploads to the store, which the UI serves).
func canaryNowhere(t *testing.T, rep *report.Report, dir, secret string) {
	t.Helper()
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, []byte(secret)) {
		t.Errorf("the host canary is in the report")
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if b, _ := os.ReadFile(p); bytes.Contains(b, []byte(secret)) {
				t.Errorf("the host canary is in %s", p)
			}
		}
		return nil
	})
}

func hasFinding(rep *report.Report, rule, file string) bool {
	for _, f := range rep.Findings {
		if f.RuleID == rule && (file == "" || len(f.Evidence) > 0 && strings.HasSuffix(f.Evidence[0].File, file)) {
			return true
		}
	}
	return false
}

// exampleTree copies an example project into a fresh directory and writes extra files into it.
func exampleTree(t *testing.T, example string, files map[string]string) string {
	t.Helper()
	tree := filepath.Join(t.TempDir(), "checkout")
	if err := copyTree("../../testdata/examples/"+example, tree); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(tree, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return tree
}

// TestOutputLinksAreNotFollowed: a test suite that replaces its results (junit.xml, pytest.jsonl)
// with links to a host file, and a build backend that replaces its wheel with one, get findings;
// the results and the wheel are missing, and the host file is nowhere in the report or the raw
// data (issue 17).
func TestOutputLinksAreNotFollowed(t *testing.T) {
	t.Parallel()
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			t.Run("results", func(t *testing.T) {
				t.Parallel()
				canary, secret := hostCanary(t)
				tree := exampleTree(t, "pure", map[string]string{"tests/conftest.py": `
import atexit, os, sys

def _swap():
    targets = [os.environ.get("PYTI_PYTEST_REPORT")]
    targets += [a.split("=", 1)[1] for a in sys.argv if a.startswith("--junitxml=")]
    for p in targets:
        if p:
            try:
                os.remove(p)
            except OSError:
                pass
            os.symlink(` + "'" + canary + "'" + `, p)

atexit.register(_swap)
`})
				rep, dir := analyzeTree(t, tree, b)
				for _, f := range []string{"junit.xml", "pytest.jsonl"} {
					if !hasFinding(rep, "output-link", f) {
						t.Errorf("no output-link finding for %s: %v", f, ruleIDs(rep))
					}
				}
				if rep.Results().Tests != nil && rep.Results().Tests.Results != nil {
					t.Errorf("results taken through a link: %+v", rep.Results().Tests.Results.Counts)
				}
				if rep.Verdict != report.VerdictHarmful {
					t.Errorf("verdict %s (%s), want harmful", rep.Verdict, rep.Reason)
				}
				canaryNowhere(t, rep, dir, secret)
			})
			t.Run("wheel", func(t *testing.T) {
				t.Parallel()
				canary, secret := hostCanary(t)
				tree := exampleTree(t, "pure", map[string]string{"linkback.py": `
import os
from setuptools import build_meta as _real
from setuptools.build_meta import *

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name = _real.build_wheel(wheel_directory, config_settings, metadata_directory)
    os.remove(os.path.join(wheel_directory, name))
    os.symlink(` + "'" + canary + "'" + `, os.path.join(wheel_directory, name))
    return name
`})
				pp := filepath.Join(tree, "pyproject.toml")
				data, err := os.ReadFile(pp)
				if err != nil {
					t.Fatal(err)
				}
				text := strings.Replace(string(data), `build-backend = "setuptools.build_meta"`, "build-backend = \"linkback\"\nbackend-path = [\".\"]", 1)
				if err := os.WriteFile(pp, []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
				rep, dir := analyzeTree(t, tree, b)
				if !hasFinding(rep, "output-link", ".whl") {
					t.Errorf("no output-link finding for the wheel: %v", ruleIDs(rep))
				}
				if rep.Results().Install != nil && rep.Results().Install.Phase.Outcome == "ok" {
					t.Errorf("a linked wheel was installed")
				}
				canaryNowhere(t, rep, dir, secret)
			})
		})
	}
}

// TestDuplicateMemberDiffering: an sdist whose second copy of setup.py differs from the first
// (the second would write a marker into the work space) is refused as unsafe before
// anything runs: no step sees a tree PYTI did not check.
func TestDuplicateMemberDiffering(t *testing.T) {
	t.Parallel()
	f := index(t)
	dir := t.TempDir()
	var buf bytes.Buffer
	gw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gw)
	add := func(name, body string) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	add("dup-1.0/PKG-INFO", "Metadata-Version: 2.1\nName: dup\nVersion: 1.0\n")
	add("dup-1.0/setup.py", "from setuptools import setup\nsetup(name='dup', version='1.0', py_modules=[])\n")
	add("dup-1.0/setup.py", "open('/work/second-copy-ran', 'w').write('ran')\nfrom setuptools import setup\nsetup(name='dup', version='1.0', py_modules=[])\n")
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gw.Close(); err != nil {
		t.Fatal(err)
	}
	sdist := filepath.Join(dir, "dup-1.0.tar.gz")
	if err := os.WriteFile(sdist, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	job := filepath.Join(dir, "job")
	rep, err := Analyze(context.Background(), Request{Spec: sdist, Path: sdist}, Options{
		Client: f.client, IndexURL: f.url, Backend: bwrap.New(), Dir: job, Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Verdict != report.VerdictUnsafe || !strings.Contains(rep.Reason, "setup.py") {
		t.Errorf("verdict %s (%s), want unsafe-archive naming setup.py", rep.Verdict, rep.Reason)
	}
	for _, task := range rep.Run.Tasks {
		if (task.Name == "fetch" || task.Name == "build") && task.Status != "skipped" {
			t.Errorf("%s ran (%s) on a refused archive", task.Name, task.Status)
		}
	}
}

// TestFillingTheJobDirectoryIsNoSpace: a test suite that fills the job directory (a tmpfs larger
// than the memory limit, whose pages count against it) is no-space, and one that allocates far
// more memory than the limit is out-of-memory, on every backend (issue 17).
func TestFillingTheJobDirectoryIsNoSpace(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("the work space is a tmpfs only as root")
	}
	for name, b := range backends(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, c := range []struct {
				name, test string
				want       report.Verdict
			}{
				{"fill", "def test_fill():\n    with open('fill.bin', 'wb') as f:\n        for _ in range(4096):\n            f.write(b'\\0' * (1 << 20))\n", report.VerdictNoSpace},
				{"allocate", "def test_allocate():\n    x = []\n    for _ in range(160):\n        x.append(b'x' * (64 << 20))\n", report.VerdictOOM},
			} {
				t.Run(c.name, func(t *testing.T) {
					t.Parallel()
					tree := exampleTree(t, "pure", map[string]string{"tests/test_limit.py": c.test})
					f := index(t)
					rep, err := Analyze(context.Background(), Request{Spec: tree, Path: tree}, Options{
						Client: f.client, IndexURL: f.url, Backend: b, Dir: filepath.Join(t.TempDir(), "job"),
						Logger: slog.New(slog.DiscardHandler), LintTimeout: 3 * time.Minute,
						Limits: sandbox.Limits{MemoryBytes: 512 << 20}, WorkspaceBytes: 6 << 30,
					})
					if err != nil {
						t.Fatal(err)
					}
					if rep.Verdict != c.want {
						t.Errorf("verdict %s (%s), want %s", rep.Verdict, rep.Reason, c.want)
					}
				})
			}
		})
	}
}

// TestLyingRecordIsReported: a wheel whose RECORD lies (a hash that is not its module's, a module
// it does not list) is analysed with a wheel-record-mismatch finding naming both.
func TestLyingRecordIsReported(t *testing.T) {
	t.Parallel()
	f := index(t)
	dir := t.TempDir()
	meta := "Metadata-Version: 2.1\nName: pyti-liar\nVersion: 1.0\n"
	wheelMeta := "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
	files := map[string]string{
		"pyti_liar/__init__.py":            "VALUE = 2\n",
		"pyti_liar/hidden.py":              "HIDDEN = True\n",
		"pyti_liar-1.0.dist-info/METADATA": meta,
		"pyti_liar-1.0.dist-info/WHEEL":    wheelMeta,
	}
	files["pyti_liar-1.0.dist-info/RECORD"] = recordLine("pyti_liar/__init__.py", "VALUE = 1\n") +
		recordLine("pyti_liar-1.0.dist-info/METADATA", meta) + recordLine("pyti_liar-1.0.dist-info/WHEEL", wheelMeta) +
		"pyti_liar-1.0.dist-info/RECORD,,\n"
	wheel := filepath.Join(dir, "pyti_liar-1.0-py3-none-any.whl")
	writeZipWheel(t, wheel, files, []string{"pyti_liar/__init__.py", "pyti_liar/hidden.py", "pyti_liar-1.0.dist-info/METADATA",
		"pyti_liar-1.0.dist-info/WHEEL", "pyti_liar-1.0.dist-info/RECORD"})
	rep, err := Analyze(context.Background(), Request{Spec: wheel, Path: wheel}, Options{
		Client: f.client, IndexURL: f.url, Backend: bwrap.New(), Dir: filepath.Join(dir, "job"), Logger: slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range rep.Findings {
		if f.RuleID == "wheel-record-mismatch" {
			for _, e := range f.Evidence {
				got = append(got, e.File+" "+strings.SplitN(e.Detail, ":", 2)[0])
			}
		}
	}
	want := []string{"pyti_liar/__init__.py hash-mismatch", "pyti_liar/hidden.py not-in-record"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("RECORD findings (-want +got)\n%s\nverdict %s (%s)", d, rep.Verdict, rep.Reason)
	}
}

// TestHangingBuildCodeRunsOnceInFetch: a setup.py that waits forever (a payload on a connection
// that never answers) hangs PYTI's metadata preparation until the no-output limit; pip, which
// would run it again twice (preparing the metadata of everything, then of the package alone),
// is not asked to, and the build shows what the code does.
func TestHangingBuildCodeRunsOnceInFetch(t *testing.T) {
	t.Parallel()
	tree := filepath.Join(t.TempDir(), "checkout")
	files := map[string]string{
		"pyproject.toml": "[build-system]\nrequires = [\"setuptools>=61\", \"wheel\"]\nbuild-backend = \"setuptools.build_meta\"\n",
		"setup.py":       "import time\ntime.sleep(3600)\n",
		"hangs.py":       "VALUE = 1\n",
	}
	for name, text := range files {
		if err := os.MkdirAll(tree, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tree, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	f := index(t)
	rep, err := Analyze(context.Background(), Request{Spec: tree, Path: tree}, Options{
		Client: f.client, IndexURL: f.url, Backend: bwrap.New(), Dir: filepath.Join(t.TempDir(), "job"),
		Logger: slog.New(slog.DiscardHandler), Limits: sandbox.Limits{NoOutput: 3 * time.Second},
	})
	if err != nil {
		t.Fatal(err)
	}
	fetch := rep.Results().Fetch
	if fetch == nil || fetch.Outcome != string(sandbox.OutcomeNoOutputTimeout) || !strings.Contains(fetch.Reason, "did not end while PYTI prepared its metadata") {
		t.Fatalf("fetch %+v, want the preparation's no-output time-out, named", fetch)
	}
	for _, a := range rep.Artifacts {
		if a.Task == "fetch" && strings.HasPrefix(a.Name, "pip-download") && strings.HasSuffix(a.Name, ".strace") {
			t.Errorf("pip ran the hanging code again: %s", a.Name)
		}
	}
	if b := rep.Results().Build; b == nil || b.Outcome != string(sandbox.OutcomeNoOutputTimeout) {
		t.Errorf("build %+v, want it run, to the same no-output time-out", b)
	}
	if rep.Verdict == report.VerdictError {
		t.Errorf("verdict %s (%s)", rep.Verdict, rep.Reason)
	}
}
