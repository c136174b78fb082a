package runsc_test

import (
	"testing"

	"github.com/pyti/pyti/internal/sandbox/runsc"
	"github.com/pyti/pyti/internal/sandbox/sandboxtest"
)

// knownDeviations are the conformance cases gVisor 20221219 (Debian's runsc, on the ptrace
// platform without KVM) does not meet, and why. Each is printed as a skip in every run.
var knownDeviations = map[string]string{
	"SyscallsDeniedTraced": "gVisor's strace does not log a call its seccomp refuses: the calls are refused (SyscallsDenied), but the attempts are missing from the trace",
}

func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("the runsc conformance suite takes minutes; skipped with -short")
	}
	sandboxtest.ConformanceExcept(t, runsc.New(), knownDeviations)
}
