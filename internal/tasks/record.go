package tasks

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/archive"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
)

// checkRecord verifies a wheel's RECORD against its files (archive.VerifyRecord) and reports any
// mismatch as a finding of phase: a wrong hash or size, a file RECORD does not list, a listed file
// that is missing. pip installs a wheel without looking at its RECORD, so a lying RECORD hides
// what a wheel really installs from anyone who trusts it. wheel must be PYTI's own copy (the
// download cache, or the copy taken out of the sandbox), never a path the sandbox can change.
func (j *job) checkRecord(ctx context.Context, t *target, phase, wheel, filename string) {
	mm, err := archive.VerifyRecord(ctx, wheel, archive.DefaultLimits())
	if err != nil {
		mm = []archive.RecordMismatch{{Kind: "unreadable", Actual: err.Error()}}
	}
	if len(mm) == 0 {
		return
	}
	f := report.Finding{Source: "static", Phase: phase, RuleID: "wheel-record-mismatch", Severity: report.SeverityMedium,
		Title: "Wheel RECORD does not match its files", Count: len(mm)}
	kinds := map[string]int{}
	for i, m := range mm {
		kinds[string(m.Kind)]++
		switch m.Kind {
		case archive.MismatchHash, archive.MismatchSize, archive.MismatchNotInRecord:
			// Content RECORD does not vouch for: what it says is not what gets installed.
			f.Severity = report.SeverityHigh
		}
		if i < 20 {
			detail := string(m.Kind)
			if m.Expected != "" || m.Actual != "" {
				detail += fmt.Sprintf(": RECORD says %q, the wheel has %q", m.Expected, m.Actual)
			}
			f.Evidence = append(f.Evidence, report.Evidence{Kind: "file", File: m.Path, Detail: detail})
		}
	}
	var parts []string
	for k, n := range kinds {
		parts = append(parts, fmt.Sprintf("%d %s", n, k))
	}
	sort.Strings(parts)
	f.Message = fmt.Sprintf("The RECORD of %s disagrees with the wheel's files (%s).", filename, strings.Join(parts, ", "))
	if t != nil && t.cell >= 0 {
		f.Image = t.img.Name
	}
	j.out.finding(f)
}

// checkFetchedRecords verifies the RECORD of every wheel the index proxy served (the job's
// dependencies, build and test dependencies), from PYTI's download cache.
func (j *job) checkFetchedRecords(ctx context.Context, t *target, proxy *pypi.Proxy) {
	seen := map[string]bool{}
	for _, r := range proxy.Requests() {
		if r.SHA256 == "" || r.Status != http.StatusOK || !strings.HasSuffix(r.Filename, ".whl") || seen[r.SHA256] {
			continue
		}
		seen[r.SHA256] = true
		if path, ok := j.opts.Client.BlobPath(r.SHA256); ok {
			j.checkRecord(ctx, t, "fetch", path, r.Filename)
		}
	}
}
