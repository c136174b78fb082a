package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/humanize"
	"github.com/pyti/pyti/internal/report"
)

var funcs = template.FuncMap{
	"tone":     func(v report.Verdict) string { return verdictTone(v) },
	"sevClass": sevClass,
	"pct":      pct,
	"num":      func(p *float64) string { return optNum(p, "—") },
	"ms":       humanMS,
	"bytes":    humanize.Bytes,
	"when":     when,
	"coord":    coord,
	"add":      func(a, b int) int { return a + b },
	"intp": func(p *int) string {
		if p == nil {
			return "—"
		}
		return strconv.Itoa(*p)
	},
	"signed":      signed,
	"outcome":     outcomeClass,
	"safeHref":    safeHref,
	"deltaClass":  deltaClass,
	"percentOf":   percentOf,
	"first":       first,
	"phaseStatus": phaseClass,
	"stepClass":   stepClass,
	"diffTable": func(d []TestDiff, a, b string) testDiffTable {
		return testDiffTable{Diffs: d, A: a, B: b}
	},
}

// testDiffTable is one list of differing tests with the names of the two images compared.
type testDiffTable struct {
	Diffs []TestDiff
	A, B  string
}

// parsePages parses each page with the shared layout.
func parsePages() (map[string]*template.Template, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" || strings.HasPrefix(base, "_") {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/_*.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: parsing %s: %w", base, err)
		}
		pages[base] = t
	}
	return pages, nil
}

var sevClasses = map[string]string{
	string(report.SeverityInfo): "sev-info", string(report.SeverityLow): "sev-low", string(report.SeverityMedium): "sev-medium",
	string(report.SeverityHigh): "sev-high", string(report.SeverityCritical): "sev-critical",
	// Metadata problems grade themselves error, warning or info.
	"error": "sev-high", "warning": "sev-medium",
}

// sevClass is the CSS class of a finding's severity (report.Severity) or a metadata problem's
// (a plain string).
func sevClass(s any) string {
	if c, ok := sevClasses[fmt.Sprint(s)]; ok {
		return c
	}
	return "sev-info"
}

// pct shows a coverage percentage with the two decimals the report keeps: rounding those to one
// would err in the last digit (88.353 kept as 88.35, shown as 88.3).
func pct(p *float64) string {
	if p == nil {
		return "—"
	}
	return strconv.FormatFloat(*p, 'f', 2, 64) + "%"
}

func optNum(p *float64, none string) string {
	if p == nil {
		return none
	}
	return strconv.FormatFloat(*p, 'f', 2, 64)
}

func signed(p *float64) string {
	if p == nil {
		return "—"
	}
	v := *p
	s := strconv.FormatFloat(v, 'f', 2, 64)
	s = strings.TrimSuffix(strings.TrimSuffix(s, "0"), ".0")
	if v > 0 {
		s = "+" + s
	}
	return s
}

func deltaClass(d Delta) string {
	switch {
	case d.Good():
		return "good"
	case d.Bad():
		return "bad"
	}
	return ""
}

func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

var outcomeClasses = map[string]string{
	"passed": "good", "xfailed": "good", "ok": "good", "failed": "bad", "error": "bad", "xpassed": "bad",
	"skipped": "muted", "timeout": "bad", "oom": "bad",
}

func outcomeClass(s any) string {
	if c, ok := outcomeClasses[fmt.Sprint(s)]; ok {
		return c
	}
	return ""
}

func phaseClass(s string) string {
	switch s {
	case "ok":
		return "good"
	case "", "skipped":
		return "muted"
	}
	return "bad"
}

// percentOf is 100*a/b for meters, 0 when b is 0.
func percentOf(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// first returns at most n elements.
func first(n int, s []string) []string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
