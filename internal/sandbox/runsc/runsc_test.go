package runsc_test

import (
	"testing"

	"github.com/pyti/pyti/internal/sandbox/runsc"
	"github.com/pyti/pyti/internal/sandbox/sandboxtest"
)

func TestConformance(t *testing.T) {
	sandboxtest.Conformance(t, runsc.New())
}
