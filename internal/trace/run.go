package trace

import (
	"context"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
)

// StraceBinary is the strace executable Command runs.
const StraceBinary = "strace"

// Command returns the command that runs argv under strace, writing the trace to out. The
// sandbox wraps its own command line the same way (strace outside, sandbox inside).
func Command(ctx context.Context, out string, argv ...string) *exec.Cmd {
	return exec.CommandContext(ctx, StraceBinary, append(StraceArgs(out), argv...)...)
}

// CheckStrace reports whether the strace on PATH can write the traces PYTI reads: version 6.0
// or later, for --decode-pids=pidns (see StraceArgs).
func CheckStrace() error {
	out, err := exec.Command(StraceBinary, "-V").Output()
	if err != nil {
		return fmt.Errorf("strace not usable (needed for traced runs): %w: apt-get install strace", err)
	}
	return checkStraceVersion(string(out))
}

// checkStraceVersion reads the first line of `strace -V` ("strace -- version 6.1").
func checkStraceVersion(v string) error {
	first, _, _ := strings.Cut(v, "\n")
	i := strings.LastIndex(first, "version ")
	if i < 0 {
		return fmt.Errorf("strace -V printed %q: cannot tell its version", first)
	}
	major, _, _ := strings.Cut(strings.TrimSpace(first[i+len("version "):]), ".")
	n, err := strconv.Atoi(major)
	if err != nil {
		return fmt.Errorf("strace -V printed %q: cannot tell its version", first)
	}
	if n < 6 {
		return fmt.Errorf("strace %s is too old: PYTI needs 6.0 or later (--decode-pids=pidns) to attribute the sandbox's processes", strings.TrimSpace(first[i+len("version "):]))
	}
	return nil
}
