package detectbench

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/report"
)

// Finding is what the benchmark keeps of one finding of a report.
type Finding struct {
	RuleID   string          `json:"rule_id"`
	Severity report.Severity `json:"severity"`
	Source   string          `json:"source"` // static or behavior (or whatever the report says)
	Phase    string          `json:"phase"`
	Title    string          `json:"title,omitempty"`
	// Evidence is the first piece of evidence, in one line: file:line or the detail.
	Evidence string `json:"evidence,omitempty"`
}

// Outcome is what one analysis reported.
type Outcome struct {
	Verdict  string    `json:"verdict"`
	Reason   string    `json:"reason,omitempty"`
	Findings []Finding `json:"findings,omitempty"`
}

// ParseReport reads the fields the benchmark needs from a `pyti analyze --json` report. It
// relies only on the documented schema (docs/report-schema.md): verdict, reason, and each
// finding's rule_id, severity, source, phase, title and evidence.
func ParseReport(data []byte) (Outcome, error) {
	var r struct {
		Verdict  string `json:"verdict"`
		Reason   string `json:"reason"`
		Findings []struct {
			RuleID   string          `json:"rule_id"`
			Severity report.Severity `json:"severity"`
			Source   string          `json:"source"`
			Phase    string          `json:"phase"`
			Title    string          `json:"title"`
			Evidence []struct {
				Detail string `json:"detail"`
				File   string `json:"file"`
				Line   int    `json:"line"`
			} `json:"evidence"`
		} `json:"findings"`
	}
	if err := json.Unmarshal(data, &r); err != nil {
		return Outcome{}, fmt.Errorf("reading the report: %w", err)
	}
	if r.Verdict == "" {
		return Outcome{}, fmt.Errorf("reading the report: no verdict")
	}
	o := Outcome{Verdict: r.Verdict, Reason: r.Reason}
	for _, f := range r.Findings {
		nf := Finding{RuleID: f.RuleID, Severity: f.Severity, Source: f.Source, Phase: f.Phase, Title: f.Title}
		if len(f.Evidence) > 0 {
			e := f.Evidence[0]
			var parts []string
			if e.File != "" {
				loc := e.File
				if e.Line > 0 {
					loc += fmt.Sprintf(":%d", e.Line)
				}
				parts = append(parts, loc)
			}
			if e.Detail != "" {
				parts = append(parts, e.Detail)
			}
			nf.Evidence = oneLine(strings.Join(parts, ": "), 160)
		}
		o.Findings = append(o.Findings, nf)
	}
	return o, nil
}

// MaxSeverity is the most severe finding's severity, "" when there is none.
func (o Outcome) MaxSeverity() report.Severity {
	var best report.Severity
	for _, f := range o.Findings {
		if f.Severity.Rank() > best.Rank() {
			best = f.Severity
		}
	}
	return best
}

// AtLeast returns the findings of at least severity min, most severe first.
func (o Outcome) AtLeast(min report.Severity) []Finding {
	var out []Finding
	for _, f := range o.Findings {
		if f.Severity.Rank() >= min.Rank() && f.Severity.Rank() > 0 {
			out = append(out, f)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity.Rank() > out[j].Severity.Rank() })
	return out
}

// Rules lists the distinct rules that fired as "rule (severity)", most severe first, then by
// name; a rule seen at two severities is listed at its highest.
func (o Outcome) Rules() []string {
	best := map[string]report.Severity{}
	for _, f := range o.Findings {
		if f.Severity.Rank() > best[f.RuleID].Rank() || best[f.RuleID] == "" {
			best[f.RuleID] = f.Severity
		}
	}
	ids := make([]string, 0, len(best))
	for id := range best {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		ri, rj := best[ids[i]].Rank(), best[ids[j]].Rank()
		if ri != rj {
			return ri > rj
		}
		return ids[i] < ids[j]
	})
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = id + " (" + string(best[id]) + ")"
	}
	return out
}

// oneLine squeezes s onto one line of at most n runes.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}
