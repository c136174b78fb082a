package web

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// Delta is a figure in two reports.
type Delta struct {
	Name   string   `json:"name"`
	From   *float64 `json:"from"`
	To     *float64 `json:"to"`
	Change *float64 `json:"change"`
	// Better says whether a rise is good (coverage) or bad (lint density, run time).
	HigherIsBetter bool `json:"higher_is_better"`
}

// Good tells whether the change is an improvement; Bad whether it is a regression.
func (d Delta) Good() bool {
	return d.Change != nil && (*d.Change > 0) == d.HigherIsBetter && *d.Change != 0
}

// Bad tells whether the change is a regression.
func (d Delta) Bad() bool {
	return d.Change != nil && (*d.Change > 0) != d.HigherIsBetter && *d.Change != 0
}

// FindingRef names a finding in a comparison.
type FindingRef struct {
	Rule     string          `json:"rule_id"`
	Severity report.Severity `json:"severity"`
	Phase    string          `json:"phase"`
	Title    string          `json:"title"`
	Message  string          `json:"message"`
}

// Comparison is what changed from report A to report B.
type Comparison struct {
	A store.ReportSummary `json:"a"`
	B store.ReportSummary `json:"b"`
	// New and gone behaviours, across all traced phases.
	NewNetwork     []string     `json:"new_network_attempts"`
	GoneNetwork    []string     `json:"gone_network_attempts"`
	NewDNS         []string     `json:"new_dns_queries"`
	NewProcesses   []string     `json:"new_processes"`
	GoneProcesses  []string     `json:"gone_processes"`
	FilesWritten   Delta        `json:"files_written"`
	NewFiles       []string     `json:"new_files_in_evidence"`
	NewFindings    []FindingRef `json:"new_findings"`
	GoneFindings   []FindingRef `json:"gone_findings"`
	Regressed      []string     `json:"tests_regressed"`
	Fixed          []string     `json:"tests_fixed"`
	AddedTests     []string     `json:"tests_added"`
	RemovedTests   []string     `json:"tests_removed"`
	Figures        []Delta      `json:"figures"`
	VerdictChanged bool         `json:"verdict_changed"`
	BehaviourSame  bool         `json:"behaviour_same"`
}

func (s *server) compare(ctx context.Context, a, b int64) (*Comparison, error) {
	ra, err := s.st.Report(ctx, a)
	if err != nil {
		return nil, err
	}
	rb, err := s.st.Report(ctx, b)
	if err != nil {
		return nil, err
	}
	return compareReports(ra, rb), nil
}

func phasesOf(rep *report.Report) []*report.Phase {
	r := rep.Results()
	var out []*report.Phase
	if r.Build != nil {
		out = append(out, &r.Build.Phase)
	}
	if r.Install != nil {
		out = append(out, &r.Install.Phase)
	}
	if r.Import != nil {
		out = append(out, &r.Import.Phase)
	}
	if r.Tests != nil {
		out = append(out, &r.Tests.Phase)
	}
	return out
}

type behaviour struct {
	network, dns, procs, files map[string]bool
	written                    int
	traced                     bool
}

func behaviourOf(r *report.Report) behaviour {
	b := behaviour{network: map[string]bool{}, dns: map[string]bool{}, procs: map[string]bool{}, files: map[string]bool{}}
	for _, p := range phasesOf(r) {
		if p.Behavior == nil {
			continue
		}
		b.traced = true
		b.written += p.Behavior.FilesWritten
		for _, n := range p.Behavior.NetworkAttempts {
			b.network[n] = true
		}
		for _, n := range p.Behavior.DNSQueries {
			b.dns[n] = true
		}
		for _, n := range p.Behavior.Executed {
			b.procs[stableCommand(n)] = true
		}
	}
	for _, f := range r.Findings {
		for _, e := range f.Evidence {
			if e.Kind == "file-write" || e.Kind == "file-create" {
				b.files[e.Detail] = true
			}
		}
	}
	return b
}

// tempName matches the random part of a temporary name made by Python's tempfile (tmpab12cd_x,
// pip-build-env-ab12cd_x) or by mktemp (tmp.AbC123xyZ).
var tempName = regexp.MustCompile(`\b(tmp|pip-[a-z]+(?:-[a-z]+)*-)[a-z0-9_]{8}\b|\btmp\.[A-Za-z0-9]{10}\b`)

// stableCommand is a command line with its random temporary names masked, so that two runs of
// the same package compare equal.
func stableCommand(c string) string {
	return tempName.ReplaceAllStringFunc(c, func(m string) string {
		if strings.HasPrefix(m, "tmp.") {
			return "tmp.XXXXXXXXXX"
		}
		return m[:len(m)-8] + "XXXXXXXX"
	})
}

// minus lists the keys of a not in b, sorted.
func minus(a, b map[string]bool) []string {
	out := []string{}
	for k := range a {
		if !b[k] {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

func outcomes(r *report.Report) map[string]report.TestOutcome {
	m := map[string]report.TestOutcome{}
	if t := r.Results().Tests; t != nil && t.Results != nil {
		for _, c := range t.Results.Cases {
			m[c.NodeID] = c.Outcome
		}
	}
	return m
}

func failing(o report.TestOutcome) bool {
	return o == report.TestFailed || o == report.TestError || o == report.TestXPassed
}

func passing(o report.TestOutcome) bool { return o == report.TestPassed || o == report.TestXFailed }

func fp(v float64) *float64 { return &v }

func delta(name string, a, b *float64, higherBetter bool) Delta {
	d := Delta{Name: name, From: a, To: b, HigherIsBetter: higherBetter}
	if a != nil && b != nil {
		d.Change = fp(*b - *a)
	}
	return d
}

func intp(p *int) *float64 {
	if p == nil {
		return nil
	}
	return fp(float64(*p))
}

func compareReports(a, b *store.StoredReport) *Comparison {
	c := &Comparison{A: a.ReportSummary, B: b.ReportSummary, VerdictChanged: a.Verdict != b.Verdict}
	ba, bb := behaviourOf(a.Report), behaviourOf(b.Report)
	c.NewNetwork, c.GoneNetwork = minus(bb.network, ba.network), minus(ba.network, bb.network)
	c.NewDNS = minus(bb.dns, ba.dns)
	c.NewProcesses, c.GoneProcesses = minus(bb.procs, ba.procs), minus(ba.procs, bb.procs)
	c.NewFiles = minus(bb.files, ba.files)
	c.FilesWritten = delta("Files written", fp(float64(ba.written)), fp(float64(bb.written)), false)
	key := func(f report.Finding) string { return f.RuleID + "\x00" + f.Phase + "\x00" + f.Title }
	fa, fb := map[string]report.Finding{}, map[string]report.Finding{}
	for _, f := range a.Report.Findings {
		fa[key(f)] = f
	}
	for _, f := range b.Report.Findings {
		fb[key(f)] = f
	}
	ref := func(f report.Finding) FindingRef {
		return FindingRef{Rule: f.RuleID, Severity: f.Severity, Phase: f.Phase, Title: f.Title, Message: f.Message}
	}
	c.NewFindings, c.GoneFindings = []FindingRef{}, []FindingRef{}
	for _, k := range sortedKeys(fb) {
		if _, ok := fa[k]; !ok {
			c.NewFindings = append(c.NewFindings, ref(fb[k]))
		}
	}
	for _, k := range sortedKeys(fa) {
		if _, ok := fb[k]; !ok {
			c.GoneFindings = append(c.GoneFindings, ref(fa[k]))
		}
	}
	oa, ob := outcomes(a.Report), outcomes(b.Report)
	c.Regressed, c.Fixed, c.AddedTests, c.RemovedTests = []string{}, []string{}, []string{}, []string{}
	for _, id := range sortedKeys(ob) {
		was, ok := oa[id]
		now := ob[id]
		switch {
		case !ok:
			c.AddedTests = append(c.AddedTests, id)
		case passing(was) && failing(now):
			c.Regressed = append(c.Regressed, id)
		case failing(was) && passing(now):
			c.Fixed = append(c.Fixed, id)
		}
	}
	for _, id := range sortedKeys(oa) {
		if _, ok := ob[id]; !ok {
			c.RemovedTests = append(c.RemovedTests, id)
		}
	}
	sa, sb := a.ReportSummary, b.ReportSummary
	c.Figures = []Delta{
		delta("Tests run", fp(float64(sa.Tests.Total)), fp(float64(sb.Tests.Total)), true),
		delta("Tests failed or errored", fp(float64(sa.Tests.Failed+sa.Tests.Errors)), fp(float64(sb.Tests.Failed+sb.Tests.Errors)), false),
		delta("Coverage %", sa.Coverage, sb.Coverage, true),
		delta("Lint messages per kLOC", sa.LintPerKLOC, sb.LintPerKLOC, false),
		delta("Pylint score", sa.PylintScore, sb.PylintScore, true),
		delta("Packaging score", intp(sa.PackagingScore), intp(sb.PackagingScore), true),
		delta("Findings", fp(float64(sa.Findings)), fp(float64(sb.Findings)), false),
		delta("Analysis time (s)", fp(sa.WallMS/1000), fp(sb.WallMS/1000), false),
	}
	c.BehaviourSame = len(c.NewNetwork)+len(c.GoneNetwork)+len(c.NewDNS)+len(c.NewProcesses)+len(c.GoneProcesses)+len(c.NewFiles) == 0
	return c
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
