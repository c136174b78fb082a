package report

import (
	"testing"

	"github.com/pyti/pyti/internal/deptest"
)

// TestDeps: the report schema is its own; the pipeline converts into it, never the reverse.
func TestDeps(t *testing.T) {
	deptest.Checker{
		Package:  deptest.Module + "/internal/report",
		BadDeps:  deptest.Pipeline,
		Internal: []string{deptest.Module + "/internal/buildinfo"},
	}.Check(t)
}
