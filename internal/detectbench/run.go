package detectbench

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pyti/pyti/internal/report"
)

// Result is the outcome of one target's analysis, as cached and reported.
type Result struct {
	Kind    string `json:"kind"`
	Name    string `json:"name"`
	SHA256  string `json:"sha256"`
	Version string `json:"pyti_version"`
	Outcome
	// Error says why there is no report (PYTI failed, the time limit hit); "" when there is one.
	Error    string    `json:"error,omitempty"`
	TimedOut bool      `json:"timed_out,omitempty"`
	ExitCode int       `json:"exit_code"`
	Seconds  float64   `json:"seconds"`
	Finished time.Time `json:"finished"`
	// Cached is true when this run reused an earlier result (not stored).
	Cached bool `json:"-"`
}

// Detected reports whether the analysis raised a finding of at least severity min ("" means any
// finding at all).
func (r Result) Detected(min report.Severity) bool {
	if min == "" {
		return len(r.Findings) > 0
	}
	return len(r.AtLeast(min)) > 0
}

// Runner runs `pyti analyze` on targets, a bounded number at a time, caching each result.
type Runner struct {
	// Pyti is the pyti binary.
	Pyti string
	// IndexURL is the loopback index every analysis uses (--index-url, --allow-private-index).
	IndexURL string
	// Work is the scratch directory: Work/results/VERSION/ holds the cached results,
	// Work/analyses/ each analysis' report and raw data, Work/data PYTI's data directory.
	Work string
	// Version identifies the PYTI that analyses (see PytiVersion); part of the cache key.
	Version string
	// Jobs bounds the analyses that run at once (default 2).
	Jobs int
	// Timeout bounds one analysis' wall-clock time; the harness ends it after that.
	Timeout time.Duration
	// Args are more `pyti analyze` flags (time limits of its steps, say).
	Args []string
	// Progress receives one line per analysis started from the cache or finished.
	Progress io.Writer
}

// Run analyses every target, returning one result per target in the same order. Targets
// whose result is cached for this version are not analysed again. The context's end stops
// starting new analyses and ends those under way; their results are not cached.
func (r *Runner) Run(ctx context.Context, targets []Target) ([]Result, error) {
	jobs := r.Jobs
	if jobs <= 0 {
		jobs = 2
	}
	cacheDir := filepath.Join(r.Work, "results", safeComponent(r.Version))
	for _, d := range []string{cacheDir, filepath.Join(r.Work, "analyses"), filepath.Join(r.Work, "data")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("detect: %w", err)
		}
	}
	results := make([]Result, len(targets))
	ok := make([]bool, len(targets))
	var mu sync.Mutex
	done := 0
	progress := func(res Result) {
		mu.Lock()
		defer mu.Unlock()
		done++
		if r.Progress == nil {
			return
		}
		state := res.Verdict
		if res.Error != "" {
			state = "no report: " + res.Error
		}
		from := fmt.Sprintf("%.0fs", res.Seconds)
		if res.Cached {
			from = "cached"
		}
		rules := "no findings"
		if len(res.Findings) > 0 {
			rules = strings.Join(res.Rules(), ", ")
		}
		fmt.Fprintf(r.Progress, "detect: [%d/%d] %s %s: %s; %s (%s)\n", done, len(targets), res.Kind, res.Name, state, rules, from)
	}
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i, t := range targets {
		cachePath := filepath.Join(cacheDir, t.Kind+"-"+t.SHA256+".json")
		if res, err := loadResult(cachePath); err == nil {
			res.Kind, res.Name, res.Cached = t.Kind, t.Name, true
			results[i], ok[i] = res, true
			progress(res)
			continue
		}
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res := r.analyse(ctx, t)
			if ctx.Err() != nil {
				return // interrupted: neither cached nor reported
			}
			// A failure without a report (a usage mistake) or with the verdict error (PYTI itself
			// failed: a master retries those too) is tried again next run; any other report, or
			// the time limit, is a result about the distribution.
			if (res.Verdict == "" && !res.TimedOut) || res.Verdict == "error" {
				results[i], ok[i] = res, true
				progress(res)
				return
			}
			if err := saveResult(cachePath, res); err != nil {
				res.Error = strings.TrimSpace(res.Error + "; caching: " + err.Error())
			}
			results[i], ok[i] = res, true
			progress(res)
		}()
	}
	wg.Wait()
	var out []Result
	for i := range results {
		if ok[i] {
			out = append(out, results[i])
		}
	}
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("detect: interrupted after %d of %d analyses: %w", len(out), len(targets), err)
	}
	return out, nil
}

// analyse runs one `pyti analyze`, sandboxed and offline against the loopback index.
func (r *Runner) analyse(ctx context.Context, t Target) Result {
	res := Result{Kind: t.Kind, Name: t.Name, SHA256: t.SHA256, Version: r.Version}
	out := filepath.Join(r.Work, "analyses", t.Kind+"-"+t.SHA256[:16])
	if err := os.RemoveAll(out); err != nil {
		res.Error = err.Error()
		return res
	}
	args := []string{"analyze", "--json", "--log-level", "warn", "--no-store",
		"--index-url", r.IndexURL, "--allow-private-index",
		"--data-dir", filepath.Join(r.Work, "data"), "--out", out}
	args = append(args, r.Args...)
	args = append(args, t.Arg)
	actx := ctx
	if r.Timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeout(ctx, r.Timeout)
		defer cancel()
	}
	cmd := exec.CommandContext(actx, r.Pyti, args...)
	// pyti gets SIGTERM first so that it ends its sandboxes and writes what it has; its whole
	// process group is killed if it has not ended a minute later.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }
	cmd.WaitDelay = time.Minute
	var stderr strings.Builder
	stdout, err := os.Create(out + ".json")
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer stdout.Close()
	cmd.Stdout, cmd.Stderr = stdout, &limitedWriter{w: &stderr, n: 64 << 10}
	start := time.Now()
	runErr := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // nothing of it outlives the analysis
	}
	res.Seconds = time.Since(start).Seconds()
	res.Finished = time.Now().UTC()
	res.ExitCode = cmd.ProcessState.ExitCode()
	data, _ := os.ReadFile(out + ".json")
	if len(strings.TrimSpace(string(data))) == 0 {
		// With --json the report goes to stdout; after a kill only report.json may be left.
		data, _ = os.ReadFile(filepath.Join(out, "report.json"))
	}
	o, perr := ParseReport(data)
	switch {
	case errors.Is(actx.Err(), context.DeadlineExceeded) && ctx.Err() == nil:
		res.Error = fmt.Sprintf("time limit %s reached", r.Timeout)
		res.TimedOut = true
		if perr == nil {
			res.Outcome = o
		}
	case perr != nil:
		msg := lastLine(stderr.String())
		if runErr != nil {
			msg = runErr.Error() + ": " + msg
		}
		res.Error = oneLine(msg, 300)
	default:
		res.Outcome = o
	}
	return res
}

func loadResult(path string) (Result, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Result{}, err
	}
	var res Result
	if err := json.Unmarshal(data, &res); err != nil {
		return Result{}, err
	}
	return res, nil
}

func saveResult(path string, res Result) error {
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

var unsafeChars = regexp.MustCompile(`[^A-Za-z0-9._+-]+`)

func safeComponent(s string) string {
	s = unsafeChars.ReplaceAllString(s, "_")
	if s == "" || s == "." || s == ".." {
		return "unknown"
	}
	return s
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// limitedWriter keeps the first n bytes written to it and drops the rest.
type limitedWriter struct {
	w io.Writer
	n int
}

func (l *limitedWriter) Write(p []byte) (int, error) {
	if l.n > 0 {
		k := min(len(p), l.n)
		l.n -= k
		if _, err := l.w.Write(p[:k]); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// PytiVersion is the cache key's PYTI part: `pyti version`'s first line, plus the binary's own
// sha256 when the version does not pin the code (a "dev" or "-dirty" build), so that results of
// other code are never reused.
func PytiVersion(ctx context.Context, pyti string) (string, error) {
	out, err := exec.CommandContext(ctx, pyti, "version").Output()
	if err != nil {
		return "", fmt.Errorf("%s version: %w", pyti, err)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 {
		return "", fmt.Errorf("%s version: unexpected output %q", pyti, out)
	}
	v := fields[1]
	if v == "dev" || strings.Contains(v, "dirty") {
		sum, err := FileSHA256(pyti)
		if err != nil {
			return "", err
		}
		v += "+" + sum[:12]
	}
	return v, nil
}

// LoadResults reads every result cached in work for a PYTI version, and the time the last one
// finished.
func LoadResults(work, version string) ([]Result, time.Time, error) {
	dir := filepath.Join(work, "results", safeComponent(version))
	paths, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, time.Time{}, err
	}
	var out []Result
	var last time.Time
	for _, p := range paths {
		res, err := loadResult(p)
		if err != nil {
			return nil, time.Time{}, fmt.Errorf("cached result %s: %w", p, err)
		}
		if res.Finished.After(last) {
			last = res.Finished
		}
		out = append(out, res)
	}
	return out, last, nil
}
