package benchmark

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
)

// emptyRunVariants time /bin/true run directly, in the sandbox, and in the traced sandbox.
func emptyRunVariants(be sandbox.Backend, tmp string) []Variant {
	sandboxed := func(trace bool) func(ctx context.Context, rep int) (time.Duration, error) {
		return func(ctx context.Context, rep int) (time.Duration, error) {
			return timedRun(ctx, be, sandbox.Spec{Argv: []string{"/bin/true"}}, trace, filepath.Join(tmp, fmt.Sprintf("true-%d.strace", rep)), "/bin/true")
		}
	}
	return []Variant{
		{Name: "direct", Run: func(ctx context.Context, rep int) (time.Duration, error) {
			start := time.Now()
			if err := exec.CommandContext(ctx, "/bin/true").Run(); err != nil {
				return 0, fmt.Errorf("running /bin/true: %w", err)
			}
			return time.Since(start), nil
		}},
		{Name: "sandbox", Run: sandboxed(false)},
		{Name: "sandbox+trace", Run: sandboxed(true)},
	}
}

// tailOf is the last 300 bytes of output, for an error message.
func tailOf(b []byte) string {
	if len(b) > 300 {
		b = b[len(b)-300:]
	}
	return string(b)
}

// timedRun times one sandboxed run of spec, traced into tracePath (removed afterwards) when
// trace is set; a run that does not end ok is an error naming what.
func timedRun(ctx context.Context, be sandbox.Backend, spec sandbox.Spec, trace bool, tracePath, what string) (time.Duration, error) {
	if trace {
		spec.Trace, spec.TracePath = true, tracePath
		defer os.Remove(tracePath)
	}
	start := time.Now()
	res, err := be.Run(ctx, spec)
	d := time.Since(start)
	if err != nil {
		return 0, err
	}
	if res.Outcome != sandbox.OutcomeOK {
		return 0, fmt.Errorf("%s in the sandbox ended %s (exit %d): %s %s", what, res.Outcome, res.ExitCode, res.Reason, tailOf(res.Stderr))
	}
	return d, nil
}
