package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/tasks"
)

// Exit codes of analyze, beyond ExitOK, ExitError and ExitUsage.
const (
	// ExitPackageFailed: the analysis ran and the package did not pass (build, install, import or
	// tests failed, a limit was hit, the archive was refused, ...).
	ExitPackageFailed = 3
	// ExitFindings: a finding at or above --fail-on was reported.
	ExitFindings = 4
)

type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }
func (e *exitError) ExitCode() int { return e.code }

func analyzeCommand() command {
	return command{
		name:    "analyze",
		args:    "NAME[SPEC] | PATH ...",
		summary: "analyse distributions: fetch, unpack, inspect, build, install, import, test and lint them in the sandbox",
		setup: func(fs *flag.FlagSet) runFunc {
			var f analyzeFlags
			f.register(fs)
			return f.run
		},
	}
}

// analyzeFlags are analyze's flags: how to analyse, and what to do with the reports.
type analyzeFlags struct {
	analysis *analysisConfig
	out      string
	dataDir  string
	asJSON   bool
	sarif    string
	junit    string
	failOn   string
	noStore  bool
	images   imageList
}

func (f *analyzeFlags) register(fs *flag.FlagSet) {
	f.analysis = registerAnalysis(fs)
	fs.StringVar(&f.out, "out", "", "directory for the raw data and report.json (default: DATA-DIR/analyses/TIME-NAME)")
	fs.StringVar(&f.dataDir, "data-dir", defaultDataDir(), "PYTI's data directory")
	fs.BoolVar(&f.asJSON, "json", false, "print the JSON report on stdout instead of the summary")
	fs.StringVar(&f.sarif, "sarif", "", "write the findings as SARIF 2.1.0 to this file")
	fs.StringVar(&f.junit, "junit", "", "write the test results as JUnit XML to this file")
	fs.StringVar(&f.failOn, "fail-on", "", "exit 4 when a finding has at least this severity (info, low, medium, high, critical)")
	fs.BoolVar(&f.noStore, "no-store", false, "do not add the analyses to the store in DATA-DIR (which pyti serve shows)")
	fs.Var(&f.images, "image", "run fetch, build, install, import and test on this image (pyti image build); repeat for a matrix; \"host\" is this system (default)")
}

// analyzeRun is what one pyti analyze works with once its arguments are checked.
type analyzeRun struct {
	flags     *analyzeFlags
	reqs      []tasks.Request
	threshold report.Severity
	backend   sandbox.Backend
	images    []tasks.Image
	client    *pypi.Client
	store     store.Store // nil with --no-store
}

// run checks the arguments, prepares the sandbox, images, index and store, then analyses each
// request in turn; the exit code is the worst of theirs.
func (f *analyzeFlags) run(ctx context.Context, env *Env, args []string) error {
	r, err := f.parse(args)
	if err != nil {
		return err
	}
	if err := r.prepare(env); err != nil {
		return err
	}
	if !f.noStore {
		s, err := sqlite.Open(ctx, f.dataDir)
		if err != nil {
			return fmt.Errorf("opening the store in %s (or pass --no-store): %w", f.dataDir, err)
		}
		defer s.Close()
		r.store = s
	}
	reclaimWorkspaces(env, f.dataDir, f.out)
	worst := ExitOK
	for _, req := range r.reqs {
		code, err := r.analyzeOne(ctx, env, req)
		if err != nil {
			return err
		}
		worst = max(worst, code)
	}
	if worst != ExitOK {
		return &exitError{code: worst, msg: exitMessage(worst, f.asJSON)}
	}
	return nil
}

// parse checks the arguments and the flags that need no outside resource.
func (f *analyzeFlags) parse(args []string) (*analyzeRun, error) {
	if len(args) == 0 {
		return nil, usagef("name a distribution: a requirement like requests or requests==2.31.0, or a path to an sdist, a wheel or a source directory")
	}
	r := &analyzeRun{flags: f}
	if f.failOn != "" {
		s, err := report.ParseSeverity(f.failOn)
		if err != nil {
			return nil, usagef("--fail-on: %v", err)
		}
		r.threshold = s
	}
	for _, a := range args {
		req, err := parseRequest(a)
		if err != nil {
			return nil, usagef("%v", err)
		}
		r.reqs = append(r.reqs, req)
	}
	if len(args) > 1 && (f.sarif != "" || f.junit != "") {
		return nil, usagef("--sarif and --junit take one distribution at a time")
	}
	return r, nil
}

// prepare finds the sandbox backend, the images and the index client.
func (r *analyzeRun) prepare(env *Env) error {
	f := r.flags
	b, err := backend(f.analysis.sandbox)
	if err != nil {
		return err
	}
	imgs, err := resolveImages(image.NewStore(f.dataDir), f.images)
	if err != nil {
		return err
	}
	for _, im := range imgs {
		if im.Root != "" && !sandbox.RunsImages(b) {
			return usagef("--image %s: the %s sandbox does not run on images yet: use --sandbox bwrap", im.Name, b.Name())
		}
	}
	client, err := f.analysis.index.client(env)
	if err != nil {
		return err
	}
	r.backend, r.images, r.client = b, imgs, client
	return nil
}

// reclaimWorkspaces detaches the tmpfs work spaces that analyses killed with SIGKILL left
// mounted. --out DIR is the job directory (or, for several, their parent): its own parent holds
// the work spaces of earlier runs given the same kind of --out.
func reclaimWorkspaces(env *Env, dataDir, out string) {
	roots := []string{filepath.Join(dataDir, "analyses")}
	if out != "" {
		roots = append(roots, filepath.Dir(filepath.Clean(out)))
	}
	for _, root := range roots {
		gone, err := sandbox.ReclaimWorkspaces(root)
		if err != nil {
			fmt.Fprintf(env.Stderr, "pyti analyze: %v\n", err)
		}
		for _, g := range gone {
			fmt.Fprintf(env.Stderr, "pyti analyze: detached %s, the work space of an analysis that was killed\n", g)
		}
	}
}

// jobDir is where one request's raw data and report go.
func (r *analyzeRun) jobDir(req tasks.Request) string {
	out := r.flags.out
	if out != "" && len(r.reqs) == 1 {
		return out
	}
	base := out
	if base == "" {
		base = filepath.Join(r.flags.dataDir, "analyses")
	}
	return filepath.Join(base, time.Now().UTC().Format("20060102-150405")+"-"+safeName(req.Spec))
}

// analyzeOne analyses one request, prints its summary or report, writes the files asked for and
// stores the report; it returns the request's exit code. An error ends the whole command.
func (r *analyzeRun) analyzeOne(ctx context.Context, env *Env, req tasks.Request) (int, error) {
	f := r.flags
	dir := r.jobDir(req)
	prog := newProgress(env, req.Spec)
	opts := f.analysis.options(env, r.backend, r.client, f.analysis.index.url, dir)
	opts.Observe = prog.observe
	opts.Images = r.images
	rep, err := tasks.Analyze(ctx, req, opts)
	prog.stop()
	if err != nil {
		return 0, fmt.Errorf("%s: %w", req.Spec, err)
	}
	if msg, ok := resolveFailure(rep); ok {
		// No such project or version, an unreachable index: one line, not a report.
		fmt.Fprintf(env.Stderr, "pyti analyze: %s: %s\n", req.Spec, msg)
		return ExitError, nil
	}
	if err := emit(env, rep, dir, f.asJSON, f.sarif, f.junit); err != nil {
		return 0, err
	}
	code := exitFor(rep, r.threshold)
	if r.store != nil {
		if _, err := store.ImportReport(ctx, r.store, rep, dir); err != nil {
			// The report and raw data are on disk whatever happens here.
			fmt.Fprintf(env.Stderr, "pyti analyze: storing the report of %s: %v (it is kept in %s)\n", req.Spec, err, dir)
			code = max(code, ExitError)
		}
	}
	return code, nil
}

// emit prints the summary or the JSON report and writes the requested files.
func emit(env *Env, rep *report.Report, dir string, asJSON bool, sarif, junit string) error {
	if asJSON {
		data, err := os.ReadFile(filepath.Join(dir, "report.json"))
		if err != nil {
			return err
		}
		if _, err := env.Stdout.Write(data); err != nil {
			return err
		}
	} else {
		if err := rep.WriteSummary(env.Stdout); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "  report    %s\n", filepath.Join(dir, "report.json"))
	}
	if sarif != "" {
		f, err := os.Create(sarif)
		if err != nil {
			return err
		}
		if err := rep.WriteSARIF(f); err != nil {
			f.Close()
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
	}
	if junit != "" {
		src := filepath.Join(dir, "raw", "test", "junit.xml")
		data, err := os.ReadFile(src)
		if errors.Is(err, os.ErrNotExist) {
			data = []byte(`<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="0" errors="0" failures="0" skipped="0"></testsuite></testsuites>` + "\n")
		} else if err != nil {
			return err
		}
		if err := os.WriteFile(junit, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// exitFor maps a report to analyze's exit code.
func exitFor(rep *report.Report, threshold report.Severity) int {
	if threshold != "" {
		for _, f := range rep.Findings {
			if f.Severity.Rank() >= threshold.Rank() {
				return ExitFindings
			}
		}
	}
	switch rep.Verdict {
	case report.VerdictPassed, report.VerdictNoTests:
		return ExitOK
	case report.VerdictError:
		return ExitError
	default:
		return ExitPackageFailed
	}
}

// exitMessage is analyze's last word on stderr. With --json the verdict is in the report on
// stdout, not above.
func exitMessage(code int, asJSON bool) string {
	switch code {
	case ExitFindings:
		return "a finding reached the --fail-on severity"
	case ExitPackageFailed:
		if asJSON {
			return "the package did not pass (the report's verdict and reason, on stdout, say why)"
		}
		return "the package did not pass (see the verdict above)"
	default:
		return "PYTI could not complete the analysis (see above)"
	}
}

// resolveFailure says why the request could not even be resolved, when that is what happened.
func resolveFailure(rep *report.Report) (string, bool) {
	if rep.Run == nil {
		return "", false
	}
	for _, t := range rep.Run.Tasks {
		if t.Name == "resolve" && t.Status != report.StatusOK {
			msg := t.Error
			if msg == "" {
				msg = t.Reason
			}
			return strings.TrimPrefix(msg, "pypi: "), true
		}
	}
	return "", false
}
