// Command pyti-bench measures PYTI against the fastest manual way to do the same work and writes
// BENCHMARKS.md (see internal/benchmark). `make bench` runs it through scripts/bench.sh.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/pyti/pyti/internal/benchmark"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

func main() {
	// The sandbox re-executes this binary as its launcher and init; then this never returns.
	sandbox.MaybeRunHelper()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, args []string) int {
	fs := flag.NewFlagSet("pyti-bench", flag.ContinueOnError)
	pyti := fs.String("pyti", "bin/pyti", "the pyti binary to measure")
	examplesDir := fs.String("examples-dir", "testdata/examples", "the example projects")
	work := fs.String("work", ".bench", "scratch directory (the example index and PYTI's data dir live here)")
	examples := fs.String("examples", "pure,failing,cext,dependent,realistic", "comma-separated examples to analyse (realistic is shaped like a real project)")
	dists := fs.String("dists", "", "also analyse projects from outside the repository: a directory of their sdists and wheels (served with pyti index serve; never commit it)")
	distNote := fs.String("dists-note", "", "one line for BENCHMARKS.md: where the -dists files came from and how they were built")
	projects := fs.String("projects", "", "comma-separated projects of -dists to analyse (e.g. toolz)")
	compare := fs.String("compare", "", "another pyti binary (say, the one before a change) to time beside -pyti in every analysis row, interleaved")
	emptyReps := fs.Int("empty-reps", 20, "repetitions of the empty sandboxed run")
	pipReps := fs.Int("pip-reps", 5, "repetitions of the pip install")
	analyzeReps := fs.Int("analyze-reps", 3, "repetitions of each analysis")
	static := fs.Bool("static", true, "also measure static inspection of a generated 1,000-file sdist against its whole analysis")
	budget := fs.Duration("budget", 18*time.Minute, "stop starting repetitions after this long (0: no limit); the first of each row always runs")
	out := fs.String("out", "BENCHMARKS.md", "the Markdown file to write")
	jsonOut := fs.String("json", "", "also write the raw results as JSON to this file")
	fromJSON := fs.String("from-json", "", "measure nothing: re-render the table and -out from results saved with -json")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *emptyReps < 1 || *pipReps < 1 || *analyzeReps < 1 || fs.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "pyti-bench: repetitions must be at least 1, and no arguments are taken")
		return 2
	}
	if *fromJSON != "" {
		return render(*fromJSON, *out)
	}
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			return p
		}
		return a
	}
	be := bwrap.New()
	if err := be.Check(); err != nil {
		fmt.Fprintf(os.Stderr, "pyti-bench: the sandbox cannot run here: %v\n", err)
		return 1
	}
	var names []string
	for _, e := range strings.Split(*examples, ",") {
		if e = strings.TrimSpace(e); e != "" {
			names = append(names, e)
		}
	}
	var extra []string
	for _, p := range strings.Split(*projects, ",") {
		if p = strings.TrimSpace(p); p != "" {
			extra = append(extra, p)
		}
	}
	if (*dists == "") != (len(extra) == 0) {
		fmt.Fprintln(os.Stderr, "pyti-bench: -dists and -projects go together")
		return 2
	}
	distDir := ""
	if *dists != "" {
		distDir = abs(*dists)
	}
	absIf := func(p string) string {
		if p == "" {
			return ""
		}
		return abs(p)
	}
	cfg := benchmark.Config{
		Pyti: abs(*pyti), ExamplesDir: abs(*examplesDir), WorkDir: abs(*work), Examples: names, DistDir: distDir, Projects: extra, DistNote: *distNote, Compare: absIf(*compare),
		EmptyReps: *emptyReps, PipReps: *pipReps, AnalyzeReps: *analyzeReps, Budget: *budget,
		StaticRow: *static, Backend: be, Progress: os.Stderr,
	}
	res, err := benchmark.Run(ctx, cfg)
	if res == nil {
		fmt.Fprintf(os.Stderr, "pyti-bench: %v\n", err)
		return 1
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyti-bench: stopped early: %v (writing what was measured)\n", err)
		if res.UptimeAfter == "" {
			res.UptimeAfter, _ = benchmark.Uptime(context.Background())
		}
		if res.Finished.IsZero() {
			res.Finished = time.Now().UTC()
		}
	}
	fmt.Print("\n" + benchmark.Table(res))
	if werr := os.WriteFile(*out, []byte(benchmark.Markdown(res)), 0o644); werr != nil {
		fmt.Fprintf(os.Stderr, "pyti-bench: %v\n", werr)
		return 1
	}
	fmt.Printf("\nwrote %s (load before: %s; after: %s)\n", *out, res.UptimeBefore, res.UptimeAfter)
	if *jsonOut != "" {
		data, jerr := json.MarshalIndent(res, "", "  ")
		if jerr == nil {
			jerr = os.WriteFile(*jsonOut, data, 0o644)
		}
		if jerr != nil {
			fmt.Fprintf(os.Stderr, "pyti-bench: %v\n", jerr)
			return 1
		}
	}
	if err != nil {
		return 1
	}
	return 0
}

// render rewrites the Markdown file from results saved earlier with -json.
func render(from, out string) int {
	data, err := os.ReadFile(from)
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyti-bench: %v\n", err)
		return 1
	}
	var res benchmark.Results
	if err := json.Unmarshal(data, &res); err != nil {
		fmt.Fprintf(os.Stderr, "pyti-bench: reading %s: %v\n", from, err)
		return 1
	}
	fmt.Print(benchmark.Table(&res))
	if err := os.WriteFile(out, []byte(benchmark.Markdown(&res)), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "pyti-bench: %v\n", err)
		return 1
	}
	fmt.Printf("\nwrote %s from %s\n", out, from)
	return 0
}
