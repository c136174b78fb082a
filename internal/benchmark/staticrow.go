package benchmark

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/inspection"
)

// ManyFilesProject is the name of the generated project of the static-inspection row.
const ManyFilesProject = "pyti-bench-manyfiles"

// ManyFiles is how many modules the generated project holds (issue 13: static analysis of a
// 1,000-file sdist takes under 10 % of that package's analysis time).
const ManyFiles = 1000

// staticTarget is the share of the whole analysis that static inspection may take.
const staticTarget = 0.10

// moduleSource is one generated module: ordinary code of the shapes the scanner reads closely
// (imports, constants, calls with folded arguments, a subprocess call in a function, an encoded
// constant), different in every module so that nothing is read twice.
func moduleSource(i int) string {
	return fmt.Sprintf(`"""Generated module %[1]d of the static-inspection benchmark."""
import base64
import json
import os
import subprocess

NAME = "module-%[1]d"
TABLE = {"id": %[1]d, "label": "m" + str(%[1]d), "path": os.path.join("data", "m%[1]d.json")}
ENCODED = "%[2]s"


class Record%[1]d:
    """A record with a few fields."""

    def __init__(self, value):
        self.value = value
        self.label = NAME + ":" + str(value)

    def as_json(self):
        return json.dumps({"value": self.value, "label": self.label})

    def scaled(self, factor=%[1]d):
        return [self.value * factor + k for k in range(10)]


def decode():
    return base64.b64decode(ENCODED).decode()


def describe(items):
    out = []
    for k, item in enumerate(items):
        if k %% 2 == 0:
            out.append("%%s=%%s" %% (k, item))
        else:
            out.append(str(item).upper())
    return ", ".join(out)


def version_of(tool="git"):
    return subprocess.run([tool, "--version"], capture_output=True, text=True).stdout
`, i, base64.StdEncoding.EncodeToString([]byte(fmt.Sprintf("payload of module %d", i))))
}

// WriteManyFilesSdist writes the generated project as an sdist in dir and returns its path: a
// setuptools project with n modules in ten sub-packages.
func WriteManyFilesSdist(dir string, n int) (string, error) {
	base := ManyFilesProject + "-1.0.0"
	path := filepath.Join(dir, "pyti_bench_manyfiles-1.0.0.tar.gz")
	f, err := os.Create(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	gz := gzip.NewWriter(f)
	tw := tar.NewWriter(gz)
	add := func(name, body string) error {
		hdr := &tar.Header{Name: base + "/" + name, Mode: 0o644, Size: int64(len(body)), ModTime: time.Unix(1700000000, 0), Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		_, err := tw.Write([]byte(body))
		return err
	}
	meta := "Metadata-Version: 2.1\nName: " + ManyFilesProject + "\nVersion: 1.0.0\nSummary: A generated project of " +
		fmt.Sprint(n) + " modules for PYTI's static-inspection benchmark.\nRequires-Python: >=3.8\n"
	pyproject := `[build-system]
requires = ["setuptools>=61", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "` + ManyFilesProject + `"
version = "1.0.0"
description = "A generated project of many modules for PYTI's static-inspection benchmark."
requires-python = ">=3.8"

[tool.setuptools.packages.find]
where = ["src"]
`
	files := []struct{ name, body string }{{"PKG-INFO", meta}, {"pyproject.toml", pyproject},
		{"src/pyti_bench_manyfiles/__init__.py", "\"\"\"Generated: many modules, imported on demand.\"\"\"\n"}}
	const subs = 10
	for s := 0; s < subs; s++ {
		files = append(files, struct{ name, body string }{fmt.Sprintf("src/pyti_bench_manyfiles/part%d/__init__.py", s), ""})
	}
	for i := 0; i < n; i++ {
		files = append(files, struct{ name, body string }{fmt.Sprintf("src/pyti_bench_manyfiles/part%d/m%04d.py", i%subs, i), moduleSource(i)})
	}
	for _, fl := range files {
		if err := add(fl.name, fl.body); err != nil {
			return "", err
		}
	}
	if err := tw.Close(); err != nil {
		return "", err
	}
	if err := gz.Close(); err != nil {
		return "", err
	}
	return path, f.Close()
}

// staticRow measures static inspection on the generated 1,000-file sdist against the whole
// analysis of that sdist: the baseline is `pyti analyze` of the sdist, the other variant the
// static scanner alone (unsandboxed, on the tree unpacked before the clock starts). Its ratio is
// the share the issue bounds; the analysis's own inspect task is in the breakdown.
func (s analyzeSetup) staticRow(ctx context.Context, cfg Config, deadline time.Time) Row {
	row := Row{ID: "static-manyfiles", Title: fmt.Sprintf("Static inspection of a %d-file sdist, against its whole analysis (target: under %.0f %%)", ManyFiles, staticTarget*100),
		Planned: cfg.AnalyzeReps, Breakdown: map[string][][]TaskTime{}}
	dir := filepath.Join(cfg.WorkDir, "manyfiles")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		row.Skipped = err.Error()
		return row
	}
	sdist, err := WriteManyFilesSdist(dir, ManyFiles)
	if err != nil {
		row.Skipped = err.Error()
		return row
	}
	tree := filepath.Join(dir, "tree")
	if err := os.RemoveAll(tree); err != nil {
		row.Skipped = err.Error()
		return row
	}
	if err := os.MkdirAll(tree, 0o755); err != nil {
		row.Skipped = err.Error()
		return row
	}
	if out, err := exec.CommandContext(ctx, "tar", "-xzf", sdist, "-C", tree).CombinedOutput(); err != nil {
		row.Skipped = fmt.Sprintf("unpacking %s: %v: %s", sdist, err, tailOf(out))
		return row
	}
	rules, lim := inspection.DefaultRules(), inspection.DefaultLimits()
	row.Commands = []string{
		strings.Join(s.pytiArgs(sdist, "OUT", false), " "),
		fmt.Sprintf("%s -I static_scan.py %s OUT.jsonl CONFIG.json   (internal/inspection's scanner and rules, outside the sandbox)", s.py.Interpreter, tree),
	}
	traced := new([][]TaskTime)
	scan := Variant{Name: "static scan alone", Run: func(ctx context.Context, rep int) (time.Duration, error) {
		start := time.Now()
		_, stats, _, err := inspection.ScanLocal(ctx, s.py.Interpreter, tree, rules, lim)
		d := time.Since(start)
		if err != nil {
			return 0, err
		}
		if stats.Files < ManyFiles {
			return 0, fmt.Errorf("the scanner read %d files of %d", stats.Files, ManyFiles)
		}
		return d, nil
	}}
	if err := measure(ctx, cfg, &row, 1, deadline, []Variant{s.pytiVariant("pyti analyze", sdist, false, false, traced), scan}); err != nil {
		row.Skipped = err.Error()
	}
	row.Breakdown["pyti analyze"] = *traced
	return row
}

// writeStaticVerdict states the static-inspection row's share against its target.
func writeStaticVerdict(b *strings.Builder, res *Results) {
	r := rowByID(res, "static-manyfiles")
	if r.ID == "" || r.Skipped != "" {
		return
	}
	share, ok := Ratio(seriesNamed(r, "static scan alone").Median(), r.Baseline().Median())
	if !ok {
		return
	}
	inspect := ""
	for _, t := range MedianTasks(r.Breakdown["pyti analyze"]) {
		if t.Name == "inspect" {
			// The task runs beside the rest at a low priority: its wall time is mostly a wait for a
			// CPU, its CPU time (sandboxed steps only) the work.
			if s, ok := Ratio(t.CPU, r.Baseline().Median()); ok {
				inspect = fmt.Sprintf(" Inside the analysis, the inspect task (the scanner in the sandbox, the rules, the metadata\n"+
					"checks and the packaging score) ran beside the rest at a low priority, for %s, its sandboxed steps using %s of CPU, %.1f %% of the analysis' time.",
					FormatDuration(t.Wall), FormatDuration(t.CPU), 100*s)
			}
		}
	}
	verdict := "within"
	if share > staticTarget {
		verdict = "**above**"
	}
	fmt.Fprintf(b, "Static inspection of the generated %d-file sdist took %.1f %% of that package's whole analysis,\n"+
		"%s the target of %.0f %%.%s\n\n", ManyFiles, 100*share, verdict, 100*staticTarget, inspect)
}
