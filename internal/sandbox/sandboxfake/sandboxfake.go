package sandboxfake

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
)

// Reply is what one run returns.
type Reply struct {
	// Outcome is how the run ended; empty means sandbox.OutcomeOK for ExitCode 0, else
	// sandbox.OutcomeExit. Reason is the classification's sentence (a timeout's, an oom's).
	Outcome  sandbox.Outcome
	ExitCode int
	Signal   int
	Reason   string
	Stdout   string
	Stderr   string
	// Files are written before the run returns: each key is a path inside the sandbox below
	// sandbox.WorkPath (the only place a command can write), the value the file's content.
	Files map[string]string
	// Trace is the strace text written to Spec.TracePath when the run is traced.
	Trace string
	// Wall, CPU and PeakMemory are the run's figures.
	Wall       time.Duration
	CPU        time.Duration
	PeakMemory int64
	// Err, when set, is returned by Run instead of a result: PYTI's own failure (wrapped in
	// sandbox.ErrInfrastructure unless it is one already).
	Err error
}

// Rule answers the runs it matches.
type Rule struct {
	// Has are argv elements that must all be there; Lacks, elements that must not be (matched
	// whole, in any position).
	Has   []string
	Lacks []string
	// Reply is the answer; Do, when set, computes it from the spec instead (e.g. to write a file
	// where an argument says).
	Reply Reply
	Do    func(spec sandbox.Spec) Reply
}

func (r Rule) matches(argv []string) bool {
	for _, h := range r.Has {
		if !slices.Contains(argv, h) {
			return false
		}
	}
	for _, l := range r.Lacks {
		if slices.Contains(argv, l) {
			return false
		}
	}
	return true
}

// Run is one run the fake answered (or refused).
type Run struct {
	// Spec is the spec as the caller gave it (its limits before the defaults).
	Spec sandbox.Spec
	// Rule is the index of the rule that answered, -1 for none.
	Rule int
}

// Backend is the fake backend. Its rules are fixed at New; it is safe for concurrent runs.
type Backend struct {
	rules []Rule

	mu   sync.Mutex
	runs []Run
}

var _ sandbox.Backend = (*Backend)(nil)

// New returns a fake backend answering with rules, the first that matches a run's argv.
func New(rules ...Rule) *Backend { return &Backend{rules: slices.Clone(rules)} }

// Name implements sandbox.Backend.
func (b *Backend) Name() string { return "fake" }

// Check implements sandbox.Backend: the fake needs nothing.
func (b *Backend) Check() error { return nil }

// Runs returns the runs so far, in the order they started.
func (b *Backend) Runs() []Run {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.runs)
}

// Argvs returns the argv of every run so far.
func (b *Backend) Argvs() [][]string {
	var out [][]string
	for _, r := range b.Runs() {
		out = append(out, r.Spec.Argv)
	}
	return out
}

// Run implements sandbox.Backend.
func (b *Backend) Run(ctx context.Context, spec sandbox.Spec) (*sandbox.Result, error) {
	if len(spec.Argv) == 0 {
		return nil, errors.New("fake: empty command")
	}
	i := slices.IndexFunc(b.rules, func(r Rule) bool { return r.matches(spec.Argv) })
	b.mu.Lock()
	b.runs = append(b.runs, Run{Spec: spec, Rule: i})
	b.mu.Unlock()
	// As every backend's Run: the one place the limits get their defaults.
	spec.Limits = spec.Limits.WithDefaults()
	if err := ctx.Err(); err != nil {
		// As the real backends: a cancelled run is the caller's doing, not a sandbox failure.
		return nil, fmt.Errorf("fake: sandbox run cancelled: %w", err)
	}
	if i < 0 {
		return nil, fmt.Errorf("%w: fake: no rule for %q", sandbox.ErrInfrastructure, spec.Argv)
	}
	r := b.rules[i].Reply
	if b.rules[i].Do != nil {
		r = b.rules[i].Do(spec)
	}
	if r.Err != nil {
		if errors.Is(r.Err, sandbox.ErrInfrastructure) {
			return nil, r.Err
		}
		return nil, fmt.Errorf("%w: fake: %w", sandbox.ErrInfrastructure, r.Err)
	}
	if err := writeFiles(spec.WorkDir, r.Files); err != nil {
		return nil, fmt.Errorf("%w: fake: %w", sandbox.ErrInfrastructure, err)
	}
	res := &sandbox.Result{
		Outcome: r.Outcome, ExitCode: r.ExitCode, Signal: r.Signal, Reason: r.Reason,
		Wall: r.Wall, CPU: r.CPU, PeakMemory: r.PeakMemory,
		Stdout: []byte(r.Stdout), Stderr: []byte(r.Stderr), Limits: spec.Limits,
	}
	if res.Outcome == "" {
		res.Outcome = sandbox.OutcomeOK
		if r.ExitCode != 0 {
			res.Outcome = sandbox.OutcomeExit
		}
	}
	if spec.Trace {
		p := spec.TracePath
		if p == "" {
			f, err := os.CreateTemp("", "pyti-fake-trace-*")
			if err != nil {
				return nil, fmt.Errorf("%w: fake: %w", sandbox.ErrInfrastructure, err)
			}
			p = f.Name()
			f.Close()
		}
		if err := os.WriteFile(p, []byte(r.Trace), 0o644); err != nil {
			return nil, fmt.Errorf("%w: fake: %w", sandbox.ErrInfrastructure, err)
		}
		res.TracePath = p
		res.TraceSetup = sandbox.InitSetup("")
	}
	return res, nil
}

// writeFiles writes files (paths inside the sandbox) below workDir, which is sandbox.WorkPath
// inside.
func writeFiles(workDir string, files map[string]string) error {
	for inside, content := range files {
		rel, ok := strings.CutPrefix(path.Clean(inside), sandbox.WorkPath+"/")
		if !ok || workDir == "" || rel == ".." || strings.HasPrefix(rel, "../") {
			return fmt.Errorf("cannot write %s: only %s/... is writable (work dir %q)", inside, sandbox.WorkPath, workDir)
		}
		host := filepath.Join(workDir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(host), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(host, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// ArgAfter returns the argv element after flag ("" when flag is not there or last): where a
// command was asked to write (--wheel-dir, --dest), for a Rule's Do.
func ArgAfter(argv []string, flag string) string {
	i := slices.Index(argv, flag)
	if i < 0 || i+1 >= len(argv) {
		return ""
	}
	return argv[i+1]
}
