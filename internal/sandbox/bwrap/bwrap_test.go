package bwrap_test

import (
	"testing"

	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/sandbox/sandboxtest"
)

func TestConformance(t *testing.T) {
	sandboxtest.Conformance(t, bwrap.New())
}
