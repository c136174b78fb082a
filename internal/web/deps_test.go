package web

import (
	"testing"

	"github.com/pyti/pyti/internal/deptest"
)

// TestDeps: the web UI shows reports and the store's summaries of them, and reads nothing of the
// pipeline that wrote them.
func TestDeps(t *testing.T) {
	deptest.Checker{
		Package: deptest.Module + "/internal/web",
		BadDeps: deptest.Pipeline,
		Internal: []string{deptest.Module + "/internal/report", deptest.Module + "/internal/store",
			deptest.Module + "/internal/pep440", deptest.Module + "/internal/buildinfo", deptest.Module + "/internal/humanize"},
	}.Check(t)
}
