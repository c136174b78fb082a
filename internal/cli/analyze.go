package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/master"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/buildinfo"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/sandbox/runsc"
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

// indexFlags are the flags of every command that talks to an index.
type indexFlags struct {
	indexURL     string
	allowPrivate bool
	cacheDir     string
}

func (f *indexFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.indexURL, "index-url", pypi.DefaultIndexURL, "PEP 503/691 index to use (credentials may be given in the URL, ~/.netrc or PYTI_INDEX_USERNAME/PASSWORD)")
	fs.BoolVar(&f.allowPrivate, "allow-private-index", false, "allow an index on loopback or a private network (refused by default)")
	fs.StringVar(&f.cacheDir, "cache-dir", "", "shared download cache (default: the user cache directory)")
}

func (f *indexFlags) client(env *Env) (*pypi.Client, error) {
	c, err := pypi.NewClient(pypi.Options{IndexURL: f.indexURL, CacheDir: f.cacheDir, UserAgent: buildinfo.UserAgent(),
		AllowPrivate: f.allowPrivate, Logger: env.Logger})
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", pypi.Redact(f.indexURL), err)
	}
	return c, nil
}

// backend returns the named sandbox backend, or says what is missing.
func backend(name string) (sandbox.Backend, error) {
	var b sandbox.Backend
	switch name {
	case "bwrap":
		b = bwrap.New()
	case "runsc":
		b = runsc.New()
	default:
		return nil, usagef("--sandbox %q: want bwrap or runsc", name)
	}
	if err := b.Check(); err != nil {
		return nil, fmt.Errorf("sandbox %s is not available: %w", name, err)
	}
	return b, nil
}

func analyzeCommand() command {
	return command{
		name:    "analyze",
		args:    "NAME[SPEC] | PATH ...",
		summary: "analyse distributions: fetch, unpack, inspect, build, install, import, test and lint them in the sandbox",
		setup: func(fs *flag.FlagSet) runFunc {
			var af analysisFlags
			af.register(fs)
			out := fs.String("out", "", "directory for the raw data and report.json (default: DATA-DIR/analyses/TIME-NAME)")
			dataDir := fs.String("data-dir", defaultDataDir(), "PYTI's data directory")
			asJSON := fs.Bool("json", false, "print the JSON report on stdout instead of the summary")
			sarif := fs.String("sarif", "", "write the findings as SARIF 2.1.0 to this file")
			junit := fs.String("junit", "", "write the test results as JUnit XML to this file")
			failOn := fs.String("fail-on", "", "exit 4 when a finding has at least this severity (info, low, medium, high, critical)")
			noStore := fs.Bool("no-store", false, "do not add the analyses to the store in DATA-DIR (which pyti serve shows)")
			var images imageList
			fs.Var(&images, "image", "run fetch, build, install, import and test on this image (pyti image build); repeat for a matrix; \"host\" is this system (default)")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) == 0 {
					return usagef("name a distribution: a requirement like requests or requests==2.31.0, or a path to an sdist, a wheel or a source directory")
				}
				var threshold report.Severity
				if *failOn != "" {
					s, err := report.ParseSeverity(*failOn)
					if err != nil {
						return usagef("--fail-on: %v", err)
					}
					threshold = s
				}
				reqs := make([]tasks.Request, 0, len(args))
				for _, a := range args {
					r, err := parseRequest(a)
					if err != nil {
						return usagef("%v", err)
					}
					reqs = append(reqs, r)
				}
				if len(args) > 1 && (*sarif != "" || *junit != "") {
					return usagef("--sarif and --junit take one distribution at a time")
				}
				b, err := backend(af.sandboxName)
				if err != nil {
					return err
				}
				imgs, err := resolveImages(image.NewStore(*dataDir), images)
				if err != nil {
					return err
				}
				for _, im := range imgs {
					if im.Root != "" && !sandbox.RunsImages(b) {
						return usagef("--image %s: the %s sandbox does not run on images yet: use --sandbox bwrap", im.Name, b.Name())
					}
				}
				client, err := af.idx.client(env)
				if err != nil {
					return err
				}
				var st store.Store
				if !*noStore {
					s, err := sqlite.Open(ctx, *dataDir)
					if err != nil {
						return fmt.Errorf("opening the store in %s (or pass --no-store): %w", *dataDir, err)
					}
					defer s.Close()
					st = s
				}
				// An analysis killed with SIGKILL leaves its tmpfs work space mounted: detach those.
				// --out DIR is the job directory (or, for several, their parent): its own parent
				// holds the work spaces of earlier runs given the same kind of --out.
				roots := []string{filepath.Join(*dataDir, "analyses")}
				if *out != "" {
					roots = append(roots, filepath.Dir(filepath.Clean(*out)))
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
				worst := ExitOK
				for _, req := range reqs {
					dir := *out
					if dir == "" || len(reqs) > 1 {
						base := *out
						if base == "" {
							base = filepath.Join(*dataDir, "analyses")
						}
						dir = filepath.Join(base, time.Now().UTC().Format("20060102-150405")+"-"+safeName(req.Spec))
					}
					prog := newProgress(env, req.Spec)
					opts := af.options(env, b, client, af.idx.indexURL, dir)
					opts.Observe = prog.observe
					opts.Images = imgs
					rep, err := tasks.Analyze(ctx, req, opts)
					prog.stop()
					if err != nil {
						return fmt.Errorf("%s: %w", req.Spec, err)
					}
					if msg, ok := resolveFailure(rep); ok {
						// No such project or version, an unreachable index: one line, not a report.
						fmt.Fprintf(env.Stderr, "pyti analyze: %s: %s\n", req.Spec, msg)
						worst = max(worst, ExitError)
						continue
					}
					if err := emit(env, rep, dir, *asJSON, *sarif, *junit); err != nil {
						return err
					}
					if st != nil {
						if _, err := store.ImportReport(ctx, st, rep, dir); err != nil {
							// The report and raw data are on disk whatever happens here.
							fmt.Fprintf(env.Stderr, "pyti analyze: storing the report of %s: %v (it is kept in %s)\n", req.Spec, err, dir)
							worst = max(worst, ExitError)
						}
					}
					code := exitFor(rep, threshold)
					worst = max(worst, code)
				}
				if worst != ExitOK {
					return &exitError{code: worst, msg: exitMessage(worst, *asJSON)}
				}
				return nil
			}
		},
	}
}

// imageList is a repeatable --image flag.
type imageList []string

func (l *imageList) String() string { return strings.Join(*l, ",") }

// Set adds an image, checked by the rule jobs follow (master.CheckImages).
func (l *imageList) Set(s string) error {
	next := append(slices.Clone(*l), s)
	if err := master.CheckImages(next); err != nil {
		return err
	}
	*l = next
	return nil
}

// parseRequest tells a local path from a requirement and checks the requirement's syntax.
func parseRequest(arg string) (tasks.Request, error) {
	looksLikeURL := strings.Contains(arg, "://") || strings.Contains(arg, " @ ")
	looksLikePath := strings.ContainsAny(arg, "/\\") || strings.HasSuffix(arg, ".whl") || strings.HasSuffix(arg, ".tar.gz") ||
		strings.HasSuffix(arg, ".zip") || arg == "."
	if looksLikePath && !looksLikeURL {
		abs, err := filepath.Abs(arg)
		if err != nil {
			return tasks.Request{}, err
		}
		if _, err := os.Stat(abs); err != nil {
			return tasks.Request{}, fmt.Errorf("%s: no such file or directory", arg)
		}
		return tasks.Request{Spec: arg, Path: abs}, nil
	}
	r, err := pep440.ParseRequirement(arg)
	if err != nil {
		return tasks.Request{}, fmt.Errorf("%q is neither a path nor a requirement: %v", arg, err)
	}
	if r.URL != "" {
		return tasks.Request{}, fmt.Errorf("%q: direct URLs are not supported; download the file and give its path", arg)
	}
	return tasks.Request{Spec: arg}, nil
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

func safeName(s string) string {
	s = unsafeChars.ReplaceAllString(filepath.Base(s), "_")
	if len(s) > 60 {
		s = s[:60]
	}
	return s
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "pyti")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".pyti"
	}
	return filepath.Join(home, ".local", "share", "pyti")
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

// progress shows one line per task while an analysis runs: redrawn in place on a terminal, one
// line per start and end otherwise (only with --log-level debug).
type progress struct {
	env     *Env
	spec    string
	start   time.Time
	order   []string
	state   map[string]dag.TaskRecord
	started map[string]time.Time
	drawn   int
	done    chan struct{}
	events  chan dag.Event
}

func newProgress(env *Env, spec string) *progress {
	p := &progress{env: env, spec: spec, start: time.Now(), state: map[string]dag.TaskRecord{}, started: map[string]time.Time{},
		done: make(chan struct{}), events: make(chan dag.Event, 64)}
	go p.loop()
	return p
}

func (p *progress) observe(e dag.Event) { p.events <- e }

func (p *progress) stop() {
	close(p.events)
	<-p.done
}

func (p *progress) loop() {
	defer close(p.done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case e, ok := <-p.events:
			if !ok {
				if p.env.Terminal {
					p.draw()
				}
				return
			}
			if _, seen := p.state[e.Task.Name]; !seen {
				p.order = append(p.order, e.Task.Name)
			}
			p.state[e.Task.Name] = e.Task
			if e.Kind == dag.EventStarted {
				p.started[e.Task.Name] = time.Now()
			}
			if p.env.Terminal {
				p.draw()
			} else {
				p.env.Logger.Debug("task", "task", e.Task.Name, "status", e.Task.Status, "wall_ms", e.Task.WallMS)
			}
		case <-tick.C:
			if p.env.Terminal {
				p.draw()
			}
		}
	}
}

// draw rewrites the task lines in place.
func (p *progress) draw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	lines := 0
	fmt.Fprintf(&b, "\x1b[2K%s  %.0fs\n", p.spec, time.Since(p.start).Seconds())
	lines++
	for _, name := range p.order {
		t := p.state[name]
		elapsed := t.WallMS / 1000
		if t.Status == dag.StatusRunning {
			elapsed = time.Since(p.started[name]).Seconds()
		}
		fmt.Fprintf(&b, "\x1b[2K  %-14s %-9s %6.1fs\n", name, t.Status, elapsed)
		lines++
	}
	p.drawn = lines
	fmt.Fprint(p.env.Stderr, b.String())
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
