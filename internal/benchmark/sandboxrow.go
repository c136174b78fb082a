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
			spec := sandbox.Spec{Argv: []string{"/bin/true"}, Trace: trace}
			if trace {
				spec.TracePath = filepath.Join(tmp, fmt.Sprintf("true-%d.strace", rep))
				defer os.Remove(spec.TracePath)
			}
			start := time.Now()
			res, err := be.Run(ctx, spec)
			d := time.Since(start)
			if err != nil {
				return 0, err
			}
			if res.Outcome != sandbox.OutcomeOK {
				return 0, fmt.Errorf("/bin/true in the sandbox ended %s: %s %s", res.Outcome, res.Reason, tailOf(res.Stderr))
			}
			return d, nil
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
