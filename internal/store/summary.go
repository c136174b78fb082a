package store

import (
	"time"

	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/report"
)

// Summarize computes the at-a-glance figures of a report. Every backend stores these in columns.
func Summarize(rep *report.Report) ReportSummary {
	s := ReportSummary{
		UID:         rep.ID,
		Project:     pep440.NormalizeName(rep.Project),
		Version:     rep.Version,
		Verdict:     rep.Verdict,
		Reason:      rep.Reason,
		CreatedAt:   rep.CreatedAt.UTC(),
		Findings:    len(rep.Findings),
		MaxSeverity: rep.MaxSeverity(),
	}
	if s.CreatedAt.IsZero() {
		s.CreatedAt = time.Now().UTC()
	}
	s.CreatedAt = s.CreatedAt.Truncate(time.Microsecond)
	res := rep.Results()
	if res.Build != nil {
		s.Build = res.Build.Outcome
		if s.Build == "" && res.Build.Skipped != "" {
			s.Build = "skipped"
		}
	}
	if res.Install != nil {
		s.Install = res.Install.Outcome
	}
	if res.Import != nil {
		s.Import = res.Import.Outcome
		// The check itself ran fine when a module does not import: that is still a failed import.
		// Only modules importable by name decide (code imported by location and the sweep of
		// other modules are informational).
		for _, m := range res.Import.Modules {
			if !m.OK && (m.How == "" || m.How == "name") {
				s.Import = "failed"
				break
			}
		}
	}
	if t := res.Tests; t != nil {
		if r := t.Results; r != nil {
			c := r.Counts
			s.Tests = TestCounts{Total: c.Total(), Passed: c.Passed + c.XFailed, Failed: c.Failed + c.XPassed, Errors: c.Errors, Skipped: c.Skipped}
		}
		if t.Coverage != nil {
			v := t.Coverage.Percent
			s.Coverage = &v
		}
	}
	if l := rep.Lint; l != nil {
		v := l.PerKLOC.Pycodestyle + l.PerKLOC.Pyflakes
		s.LintPerKLOC = &v
		if l.Pylint != nil && l.Pylint.Score != nil {
			p := *l.Pylint.Score
			s.PylintScore = &p
		}
	}
	if p := rep.Packaging; p != nil {
		score, mx := p.Score, p.Max
		s.PackagingScore, s.PackagingMax = &score, &mx
	}
	if rep.Run != nil {
		s.WallMS = rep.Run.WallMS
	}
	return s
}
