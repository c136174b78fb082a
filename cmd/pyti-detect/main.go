// Command pyti-detect is PYTI's detection benchmark: it runs real malicious PyPI samples and a
// benign set of real projects through `pyti analyze` and writes DETECTION.md (see
// internal/detectbench). `make detect` runs it through scripts/detect.sh.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/pyti/pyti/internal/benchmark"
	"github.com/pyti/pyti/internal/detectbench"
	"github.com/pyti/pyti/internal/localindex"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stderr)
	stop()
	os.Exit(code)
}

// plan is what a run analyses, saved so that -report-only can render DETECTION.md from the
// cached results while (or after) a run goes on.
type plan struct {
	Started     time.Time            `json:"started"`
	PytiVersion string               `json:"pyti_version"`
	Command     string               `json:"command"`
	Samples     []detectbench.Target `json:"samples"`
	Benign      []detectbench.Target `json:"benign"`
}

func run(ctx context.Context, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("pyti-detect", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pyti := fs.String("pyti", "bin/pyti", "the pyti binary whose detection is measured")
	samplesDir := fs.String("samples", "../shared/malware-dev", "folder holding samples.zip and MANIFEST.tsv (\"\": no samples)")
	examplesDir := fs.String("examples", "testdata/examples", "the bundled example projects (\"\": none)")
	debianList := fs.String("debian", "testdata/detect/debian-benign.txt", "the Debian python3-* packages of the benign set, one a line (\"\": none)")
	work := fs.String("work", filepath.Join(os.TempDir(), "pyti-detect"), "scratch directory outside the repository: unpacked samples, the index, cached results, analyses")
	jobs := fs.Int("jobs", 2, "analyses run at once")
	timeout := fs.Duration("timeout", 15*time.Minute, "wall-clock limit of one analysis")
	pytiArgs := fs.String("pyti-args", "--lint-timeout 15s --test-timeout 3m", "more `pyti analyze` flags (pylint and the style tools are cut short: they judge style, not detection, and would take most of the run)")
	limit := fs.Int("limit", envInt("DETECT_LIMIT"), "analyse at most this many samples and this many benign projects (0: all; env DETECT_LIMIT)")
	only := fs.String("only", "all", "which set to analyse: all, benign or samples (the benign set runs first)")
	out := fs.String("out", "DETECTION.md", "the Markdown file to write")
	reportOnly := fs.Bool("report-only", false, "analyse nothing: write -out from the plan and the cached results of the last run in -work")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() != 0 || *jobs < 1 || *limit < 0 || (*only != "all" && *only != "benign" && *only != "samples") {
		fmt.Fprintln(stderr, "pyti-detect: takes no arguments; -jobs at least 1, -limit at least 0, -only all|benign|samples")
		return 2
	}
	workDir, err := filepath.Abs(*work)
	if err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 2
	}
	planPath := filepath.Join(workDir, "plan.json")
	if *reportOnly {
		return render(planPath, workDir, *out, stderr)
	}
	pytiBin, err := filepath.Abs(*pyti)
	if err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 2
	}
	if err := os.MkdirAll(workDir, 0o755); err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 1
	}
	version, err := detectbench.PytiVersion(ctx, pytiBin)
	if err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 1
	}
	p := plan{Started: time.Now().UTC(), PytiVersion: version, Command: "pyti-detect " + strings.Join(args, " ")}

	// The samples: unpacked into the scratch directory only, checked against the MANIFEST.
	if *samplesDir != "" {
		rows, err := detectbench.ReadManifest(filepath.Join(*samplesDir, "MANIFEST.tsv"))
		if err != nil {
			fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
			return 1
		}
		unpacked := filepath.Join(workDir, "samples")
		fmt.Fprintf(stderr, "detect: unpacking %d samples into %s (never run outside `pyti analyze`)\n", len(rows), unpacked)
		if err := detectbench.UnpackSamples(ctx, filepath.Join(*samplesDir, "samples.zip"), unpacked); err != nil {
			fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
			return 1
		}
		if p.Samples, err = detectbench.SampleTargets(rows, unpacked); err != nil {
			fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
			return 1
		}
	}

	// The benign set, and the index every analysis resolves from.
	spec := detectbench.IndexSpec{Dir: filepath.Join(workDir, "index"), CacheDir: localindex.DefaultCacheDir(),
		DebianWheelsDir: localindex.DebianWheelsDir}
	if *examplesDir != "" {
		if spec.ExamplesDir, err = filepath.Abs(*examplesDir); err != nil {
			fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
			return 2
		}
	}
	if *debianList != "" {
		if spec.Packages, err = detectbench.ReadPackageList(*debianList); err != nil {
			fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "detect: building the index in %s: the examples, Debian's wheels and %d Debian packages repackaged as wheels\n", spec.Dir, len(spec.Packages))
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	ix, err := detectbench.BuildIndex(ctx, spec, logger)
	if err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 1
	}
	if len(ix.Missing) > 0 {
		fmt.Fprintf(stderr, "detect: not installed, left out of the benign set: %s (scripts/detect.sh installs them)\n", strings.Join(ix.Missing, " "))
	}
	for _, s := range ix.Skipped {
		fmt.Fprintf(stderr, "detect: cannot be repackaged as a wheel, left out of the benign set: %s\n", s)
	}
	p.Benign = ix.Benign
	if *limit > 0 {
		p.Samples = p.Samples[:min(*limit, len(p.Samples))]
		p.Benign = p.Benign[:min(*limit, len(p.Benign))]
	}
	switch *only {
	case "benign":
		p.Samples = nil
	case "samples":
		p.Benign = nil
	}
	if err := writeJSON(planPath, p); err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 1
	}
	srv, err := localindex.Serve(spec.Dir, "127.0.0.1:0")
	if err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 1
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "detect: index at %s; pyti %s; %d benign projects then %d samples, %d at a time, each within %s\n",
		srv.SimpleURL(), version, len(p.Benign), len(p.Samples), *jobs, *timeout)

	r := &detectbench.Runner{Pyti: pytiBin, IndexURL: srv.SimpleURL(), Work: workDir, Version: version,
		Jobs: *jobs, Timeout: *timeout, Args: strings.Fields(*pytiArgs),
		Progress: &rewriter{w: stderr, rewrite: func() { _ = renderQuiet(planPath, workDir, *out) }}}
	targets := append(append([]detectbench.Target(nil), p.Benign...), p.Samples...)
	_, runErr := r.Run(ctx, targets)
	code := render(planPath, workDir, *out, stderr)
	if runErr != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v (run it again to continue: finished analyses are cached)\n", runErr)
		return 1
	}
	return code
}

// rewriter passes progress lines on and rewrites DETECTION.md after each, so that the file
// always shows the run so far.
type rewriter struct {
	w       io.Writer
	rewrite func()
}

func (r *rewriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	r.rewrite()
	return n, err
}

// render writes out from the plan and the cached results, and prints the summary lines.
func render(planPath, workDir, out string, stderr io.Writer) int {
	run, err := loadRun(planPath, workDir)
	if err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 1
	}
	if err := writeRun(run, out); err != nil {
		fmt.Fprintf(stderr, "pyti-detect: %v\n", err)
		return 1
	}
	s := detectbench.Summarise(run)
	fmt.Fprintf(stderr, "detect: samples with a payload: %d analysed, %d at high or critical, %d at any severity; benign: %d analysed, %d high or critical findings\n",
		s.Payload.N, s.Payload.High, s.Payload.Any, s.Benign, len(s.FalseAlarms))
	fmt.Fprintf(stderr, "detect: wrote %s\n", out)
	return 0
}

func renderQuiet(planPath, workDir, out string) error {
	run, err := loadRun(planPath, workDir)
	if err != nil {
		return err
	}
	return writeRun(run, out)
}

func writeRun(run detectbench.Run, out string) error {
	var buf bytes.Buffer
	if err := detectbench.WriteMarkdown(&buf, run); err != nil {
		return err
	}
	tmp := out + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, out)
}

// loadRun reads the plan and every cached result of its PYTI version.
func loadRun(planPath, workDir string) (detectbench.Run, error) {
	var p plan
	data, err := os.ReadFile(planPath)
	if err != nil {
		return detectbench.Run{}, fmt.Errorf("no run to report on: %w", err)
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return detectbench.Run{}, fmt.Errorf("%s: %w", planPath, err)
	}
	results, last, err := detectbench.LoadResults(workDir, p.PytiVersion)
	if err != nil {
		return detectbench.Run{}, err
	}
	finished := last
	if finished.IsZero() {
		finished = p.Started
	}
	machine := ""
	if m, err := benchmark.ReadMachine(); err == nil {
		machine = m.String()
	}
	return detectbench.Run{
		Started: p.Started.Format("2006-01-02 15:04"), Finished: finished.Format("2006-01-02 15:04"),
		PytiVersion: p.PytiVersion, Machine: machine, Command: p.Command,
		Samples: p.Samples, Benign: p.Benign, Results: results,
	}, nil
}

func writeJSON(path string, v any) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, data, 0o644)
}

func envInt(name string) int {
	n, err := strconv.Atoi(os.Getenv(name))
	if err != nil {
		return 0
	}
	return n
}
