package sandbox

import (
	"bytes"
	"fmt"
	"strings"
	"syscall"
)

// runFacts is everything the classification looks at.
type runFacts struct {
	exitKnown   bool // the init reported the command's exit
	code        int
	signal      int
	timedOut    bool
	noOutput    bool
	cpuOut      bool // the run used its CPU-time limit
	oomKills    int64
	shmem       int64 // tmpfs bytes still charged to the run's memory at the end
	pidsHit     bool
	full        []string // filesystems found full at the end
	noSpaceMsg  bool     // the output says "No space left on device"
	fileSizeMsg bool     // the output says "File size limit exceeded" (a shell saw SIGXFSZ)
	limits      Limits
}

// classify names the outcome of a run and says why. Every limit hit is its own outcome, and
// the limit that explains the failure best wins: memory, then processes, then time, then space.
func classify(f runFacts) (Outcome, string) {
	failed := !f.exitKnown || f.code != 0 || f.signal != 0 || f.timedOut || f.noOutput || f.cpuOut
	switch {
	case f.oomKills > 0 && f.limits.MemoryBytes > 0 && f.shmem*2 >= f.limits.MemoryBytes:
		// Files in a tmpfs (the work space, /tmp) are charged to the memory cgroup: when they
		// hold most of the budget at the end, the files filled it, not the processes.
		return OutcomeNoSpace, fmt.Sprintf("no space: files written to tmpfs (the work space or /tmp) took %s of the %s memory limit they are charged to", size(f.shmem), size(f.limits.MemoryBytes))
	case f.oomKills > 0:
		return OutcomeOOM, fmt.Sprintf("memory limit of %s exceeded: %d process(es) killed by the OOM killer", size(f.limits.MemoryBytes), f.oomKills)
	case f.pidsHit:
		return OutcomePids, fmt.Sprintf("process limit of %d reached (fork refused)", f.limits.Pids)
	case f.cpuOut:
		return OutcomeTimeout, fmt.Sprintf("CPU-time limit of %s exceeded; every process killed", f.limits.CPU)
	case f.timedOut:
		return OutcomeTimeout, fmt.Sprintf("wall-clock limit of %s exceeded; every process killed", f.limits.Wall)
	case f.noOutput:
		return OutcomeNoOutputTimeout, fmt.Sprintf("no output for %s; every process killed", f.limits.NoOutput)
	case len(f.full) > 0:
		return OutcomeNoSpace, "no space left on " + strings.Join(f.full, ", ")
	case f.signal == int(syscall.SIGXFSZ):
		return OutcomeNoSpace, fmt.Sprintf("file size limit of %s exceeded (SIGXFSZ)", size(f.limits.FileSizeBytes))
	case failed && f.noSpaceMsg:
		return OutcomeNoSpace, "the command failed after \"No space left on device\""
	case failed && f.fileSizeMsg:
		return OutcomeNoSpace, fmt.Sprintf("file size limit of %s exceeded", size(f.limits.FileSizeBytes))
	case f.signal != 0:
		return OutcomeKilled, fmt.Sprintf("killed by signal %d (%s)", f.signal, syscall.Signal(f.signal))
	case f.code != 0:
		return OutcomeExit, fmt.Sprintf("exited with code %d", f.code)
	}
	return OutcomeOK, ""
}

func mentions(msg string, outs ...[]byte) bool {
	for _, o := range outs {
		if bytes.Contains(o, []byte(msg)) {
			return true
		}
	}
	return false
}

func size(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
