package web

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// VerdictCount is one bar of the dashboard's counts.
type VerdictCount struct {
	Verdict report.Verdict `json:"verdict"`
	Count   int            `json:"count"`
}

// Dashboard is what the dashboard shows.
type Dashboard struct {
	Counts  []VerdictCount        `json:"counts"`
	Total   int                   `json:"total"`
	Recent  []store.ReportSummary `json:"recent"`
	Queued  []store.Job           `json:"queued"`
	Running []store.Job           `json:"running"`
}

// verdictOrder lists the verdicts as the dashboard shows them: the good first, PYTI's own last.
var verdictOrder = []report.Verdict{
	report.VerdictPassed, report.VerdictNoTests, report.VerdictTestsFailed, report.VerdictTestDeps, report.VerdictTestsNetwork,
	report.VerdictTestData, report.VerdictTestCollection, report.VerdictNothingToImport, report.VerdictImportFailed,
	report.VerdictInstall, report.VerdictBuild, report.VerdictFetch, report.VerdictNotFound, report.VerdictHarmful,
	report.VerdictUnsafe, report.VerdictLimits, report.VerdictMalformed, report.VerdictTimeout, report.VerdictOOM,
	report.VerdictPids, report.VerdictNoSpace, report.VerdictNotApplicable, report.VerdictError,
}

func (s *server) dashboard(ctx context.Context) (*Dashboard, error) {
	counts, err := s.st.CountsByVerdict(ctx)
	if err != nil {
		return nil, err
	}
	d := &Dashboard{Counts: []VerdictCount{}}
	for _, v := range verdictOrder {
		if n := counts[v]; n > 0 {
			d.Counts = append(d.Counts, VerdictCount{v, n})
		}
		d.Total += counts[v]
	}
	var other []VerdictCount
	for v, n := range counts {
		if !slices.Contains(verdictOrder, v) && n > 0 {
			other = append(other, VerdictCount{v, n})
			d.Total += n
		}
	}
	sort.Slice(other, func(i, j int) bool { return other[i].Verdict < other[j].Verdict })
	d.Counts = append(d.Counts, other...)
	recent, err := s.st.Reports(ctx, store.ReportQuery{Limit: 20})
	if err != nil {
		return nil, err
	}
	d.Recent = recent.Reports
	if d.Queued, d.Running, err = s.activeJobs(ctx); err != nil {
		return nil, err
	}
	return d, nil
}

func (s *server) activeJobs(ctx context.Context) (queued, running []store.Job, err error) {
	q, err := s.st.Jobs(ctx, store.JobQuery{States: []store.JobState{store.JobQueued}, Limit: 20})
	if err != nil {
		return nil, nil, err
	}
	r, err := s.st.Jobs(ctx, store.JobQuery{States: []store.JobState{store.JobRunning}, Limit: 20})
	if err != nil {
		return nil, nil, err
	}
	return q.Jobs, r.Jobs, nil
}

// Point is one release's value in a trend.
type Point struct {
	Version string  `json:"version"`
	Value   float64 `json:"value"`
}

// Trend is one figure across releases, oldest release first.
type Trend struct {
	Name   string  `json:"name"`
	Unit   string  `json:"unit"`
	Points []Point `json:"points"`
}

// ProjectView is what the project page shows.
type ProjectView struct {
	Project store.Project `json:"project"`
	// Releases are newest version first.
	Releases []ReleaseView `json:"releases"`
	// Trends are tests, failures, coverage, lint density and run time, oldest version first.
	Trends []Trend  `json:"trends"`
	Charts []*Chart `json:"-"`
}

// sortReleases orders releases by PEP 440, newest first; unparsable versions go last, by text.
func sortReleases(rels []store.Release) {
	parsed := make(map[string]pep440.Version, len(rels))
	for _, r := range rels {
		if v, err := pep440.Parse(r.Version); err == nil {
			parsed[r.Version] = v
		}
	}
	sort.SliceStable(rels, func(i, j int) bool {
		a, aok := parsed[rels[i].Version]
		b, bok := parsed[rels[j].Version]
		switch {
		case aok && bok:
			return a.Compare(b) > 0
		case aok != bok:
			return aok
		default:
			return rels[i].Version > rels[j].Version
		}
	})
}

func (s *server) projectView(ctx context.Context, name string) (*ProjectView, error) {
	p, err := s.st.Project(ctx, name)
	if err != nil {
		return nil, err
	}
	rels, err := s.st.Releases(ctx, name)
	if err != nil {
		return nil, err
	}
	sortReleases(rels)
	views, err := s.releaseViews(ctx, rels)
	if err != nil {
		return nil, err
	}
	v := &ProjectView{Project: p, Releases: views}
	v.Trends = trends(rels)
	for _, t := range v.Trends {
		v.Charts = append(v.Charts, lineChart(t))
	}
	return v, nil
}

// trends extracts the figures charted on the project page.
func trends(newestFirst []store.Release) []Trend {
	tests := Trend{Name: "Tests run", Unit: ""}
	failed := Trend{Name: "Tests failed or errored", Unit: ""}
	cov := Trend{Name: "Coverage", Unit: "%"}
	lint := Trend{Name: "Lint messages per kLOC", Unit: ""}
	wall := Trend{Name: "Analysis time", Unit: "s"}
	for i := len(newestFirst) - 1; i >= 0; i-- {
		r := newestFirst[i]
		l := r.Latest
		tests.Points = append(tests.Points, Point{r.Version, float64(l.Tests.Total)})
		failed.Points = append(failed.Points, Point{r.Version, float64(l.Tests.Failed + l.Tests.Errors)})
		if l.Coverage != nil {
			cov.Points = append(cov.Points, Point{r.Version, *l.Coverage})
		}
		if l.LintPerKLOC != nil {
			lint.Points = append(lint.Points, Point{r.Version, *l.LintPerKLOC})
		}
		wall.Points = append(wall.Points, Point{r.Version, l.WallMS / 1000})
	}
	out := []Trend{tests, failed, cov, lint, wall}
	for i := range out {
		if out[i].Points == nil {
			out[i].Points = []Point{}
		}
	}
	return out
}

// Link is a link built from package data: Href is empty unless the URL is http(s).
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
	Href  string `json:"href,omitempty"`
}

// safeHref returns u when it is an absolute http or https URL, and "" otherwise (javascript:,
// data:, relative or malformed URLs are never linked).
func safeHref(u string) string {
	p, err := url.Parse(strings.TrimSpace(u))
	if err != nil || p.Host == "" {
		return ""
	}
	if s := strings.ToLower(p.Scheme); s != "http" && s != "https" {
		return ""
	}
	return p.String()
}

// ArtifactLink is an artifact with the address of its raw data.
type ArtifactLink struct {
	report.Artifact
	Href string `json:"href"`
}

// CodeCount is one lint code with its count.
type CodeCount struct {
	Code  string `json:"code"`
	Count int    `json:"count"`
}

// PhaseView is the behaviour of one traced phase with its findings.
type PhaseView struct {
	Name     string           `json:"name"`
	Phase    *report.Phase    `json:"phase"`
	Findings []report.Finding `json:"findings"`
}

// ReportView is what the report page shows.
type ReportView struct {
	Summary store.ReportSummary `json:"summary"`
	Report  *report.Report      `json:"report"`
	// TargetView is the per-environment part: in a matrix report, the first applicable cell's
	// (report.Results).
	TargetView
	Links     []Link         `json:"links"`
	Artifacts []ArtifactLink `json:"artifacts"`
	// Findings are sorted most severe first.
	Findings    []report.Finding `json:"findings"`
	StyleCodes  []CodeCount      `json:"pycodestyle_codes"`
	PylintCodes []CodeCount      `json:"pylint_symbols"`
	// Matrix has one row per image of a matrix report; empty for a report of one environment.
	Matrix   []MatrixCell `json:"matrix,omitempty"`
	Timeline *Timeline    `json:"-"`
}

const maxCasesShown = 500

func (s *server) reportView(ctx context.Context, id int64) (*ReportView, error) {
	sr, err := s.st.Report(ctx, id)
	if err != nil {
		return nil, err
	}
	rep := sr.Report
	v := &ReportView{Summary: sr.ReportSummary, Report: rep, Links: []Link{}, Artifacts: []ArtifactLink{},
		StyleCodes: []CodeCount{}, PylintCodes: []CodeCount{}}
	if m := rep.Metadata; m != nil {
		labels := make([]string, 0, len(m.ProjectURLs))
		for k := range m.ProjectURLs {
			labels = append(labels, k)
		}
		sort.Strings(labels)
		for _, k := range labels {
			v.Links = append(v.Links, Link{Label: k, URL: m.ProjectURLs[k], Href: safeHref(m.ProjectURLs[k])})
		}
	}
	for i, a := range rep.Artifacts {
		v.Artifacts = append(v.Artifacts, ArtifactLink{Artifact: a, Href: fmt.Sprintf("/reports/%d/artifacts/%d", id, i)})
	}
	v.Findings = slices.Clone(rep.Findings)
	if v.Findings == nil {
		v.Findings = []report.Finding{}
	}
	sort.SliceStable(v.Findings, func(i, j int) bool { return v.Findings[i].Severity.Rank() > v.Findings[j].Severity.Rank() })
	if l := rep.Lint; l != nil {
		v.StyleCodes = countsOf(l.Pycodestyle)
		if l.Pylint != nil {
			v.PylintCodes = countsOf(l.Pylint.BySymbol)
		}
	}
	v.TargetView = targetView(rep.Results(), v.Findings, "", "", rep.Environment.Traced)
	v.Matrix = matrixCells(id, rep, v.Findings)
	v.Timeline = timeline(rep.Run)
	return v, nil
}

type namedPhase struct {
	name string
	p    *report.Phase
}

func countsOf(m map[string]int) []CodeCount {
	out := make([]CodeCount, 0, len(m))
	for k, n := range m {
		out = append(out, CodeCount{k, n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Code < out[j].Code
	})
	return out
}

func parseID(s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest("%q is not a report id", s)
	}
	return id, nil
}
