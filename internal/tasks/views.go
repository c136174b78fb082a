package tasks

import (
	"slices"

	"github.com/pyti/pyti/internal/report"
)

// markViews says of each finding whether it was read (static), seen (behaviour) or both: a
// static finding is both when a behaviour finding shows what it predicts (seenAs names the
// behaviour rules that do, per static rule), and that behaviour finding is then both as well.
func markViews(fs []report.Finding, seenAs func(staticRule string) []string) []report.Finding {
	seen := map[string]bool{}
	for _, f := range fs {
		if f.Source == "behavior" {
			seen[f.RuleID] = true
		}
	}
	confirmed := map[string]bool{}
	for i := range fs {
		f := &fs[i]
		switch f.Source {
		case "static":
			f.View = report.ViewRead
			for _, b := range seenAs(f.RuleID) {
				if seen[b] {
					f.View = report.ViewBoth
					confirmed[b] = true
				}
			}
		case "behavior":
			f.View = report.ViewSeen
		}
	}
	for i := range fs {
		if fs[i].Source == "behavior" && confirmed[fs[i].RuleID] {
			fs[i].View = report.ViewBoth
		}
	}
	return fs
}

// byRule is a seenAs for tests and callers holding a plain table.
func byRule(table map[string][]string) func(string) []string {
	return func(id string) []string { return slices.Clone(table[id]) }
}
