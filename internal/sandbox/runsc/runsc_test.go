package runsc_test

import (
	"errors"
	"testing"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/sandbox/runsc"
	"github.com/pyti/pyti/internal/sandbox/sandboxtest"
)

// knownDeviations are the conformance cases gVisor 20221219 (Debian's runsc, on the ptrace
// platform without KVM) does not meet, and why. Each is printed as a skip in every run.
var knownDeviations = map[string]string{
	"SyscallsDeniedTraced": "gVisor's strace does not log a call its seccomp refuses: the calls are refused (SyscallsDenied), but the attempts are missing from the trace",
	"SinkholeFlood":        "no sinkhole under runsc (see Sinkhole)",
	"Sinkhole":             "gVisor's network stack (--network=none) takes no nftables rule and no local route for 198.18.0.0/15 from the host: the resolver answers NXDOMAIN and nothing redirects connections, so no contact is recorded (DNS queries still are)",
}

func TestConformance(t *testing.T) {
	if testing.Short() {
		t.Skip("the runsc conformance suite takes minutes; skipped with -short")
	}
	sandboxtest.ConformanceExcept(t, runsc.New(), knownDeviations)
}

// TestRefusesImages: runsc does not show an image's system yet; a run on one is refused, never
// run on the host's system in its place.
func TestRefusesImages(t *testing.T) {
	b := runsc.New()
	if sandbox.RunsImages(b) {
		t.Error("runsc claims to run on images")
	}
	_, err := b.Run(t.Context(), sandbox.Spec{Argv: []string{"/bin/true"}, Image: t.TempDir()})
	if !errors.Is(err, runsc.ErrNoImages) {
		t.Errorf("Run on an image: %v, want ErrNoImages", err)
	}
	if !sandbox.RunsImages(bwrap.New()) {
		t.Error("bwrap does not claim to run on images")
	}
}
