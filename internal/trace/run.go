package trace

import (
	"context"
	"os/exec"
)

// StraceBinary is the strace executable Command runs.
const StraceBinary = "strace"

// Command returns the command that runs argv under strace, writing the trace to out. The
// sandbox wraps its own command line the same way (strace outside, sandbox inside).
func Command(ctx context.Context, out string, argv ...string) *exec.Cmd {
	return exec.CommandContext(ctx, StraceBinary, append(StraceArgs(out), argv...)...)
}
