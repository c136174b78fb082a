package inspection

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/report"
)

// Evaluate applies the rules to the facts: one finding per rule and file, with the most severe
// match as its evidence and the number of matches as its count.
func Evaluate(rs *Rules, facts []Fact) []Finding { return evaluate(rs, facts, false) }

// evaluate also reports hidden rules when asked (their tests).
func evaluate(rs *Rules, facts []Fact, hidden bool) []Finding {
	type hit struct {
		f   *Fact
		sev report.Severity
	}
	// matched[rule][file] lists the facts a rule's own conditions accept.
	matched := map[string]map[string][]hit{}
	texts := make([]factText, len(facts))
	for i := range facts {
		texts[i].f = &facts[i]
	}
	for _, r := range rs.list {
		for i := range facts {
			f := &facts[i]
			if !r.matches(f, &texts[i]) {
				continue
			}
			if matched[r.ID] == nil {
				matched[r.ID] = map[string][]hit{}
			}
			matched[r.ID][f.File] = append(matched[r.ID][f.File], hit{f, r.severity(f)})
		}
	}
	var out []Finding
	for _, r := range rs.list {
		if r.Hidden && !hidden {
			continue
		}
		files := make([]string, 0, len(matched[r.ID]))
		for file := range matched[r.ID] {
			files = append(files, file)
		}
		slices.Sort(files)
		for _, file := range files {
			missing := slices.ContainsFunc(r.Requires, func(q string) bool { return len(matched[q][file]) == 0 })
			if len(r.RequiresAny) > 0 && !slices.ContainsFunc(r.RequiresAny, func(q string) bool { return len(matched[q][file]) > 0 }) {
				missing = true
			}
			if !missing {
				hits := matched[r.ID][file]
				best := hits[0]
				for _, h := range hits[1:] {
					if h.sev.Rank() > best.sev.Rank() {
						best = h
					}
				}
				out = append(out, finding(r, best.f, best.sev, len(hits)))
			}
		}
	}
	return out
}

func finding(r *Rule, f *Fact, sev report.Severity, count int) Finding {
	detail := f.text()
	if f.T == "metadata" {
		detail = f.Value
	}
	detail = aroundMatch(detail, r.patterns)
	value := detail
	if len(value) > 200 {
		value = value[:200] + "…"
	}
	msg := strings.NewReplacer("{file}", Display(f.File), "{line}", strconv.Itoa(f.Line), "{name}", f.Name,
		"{value}", Display(value)).Replace(r.Message)
	when := ctxWords[f.Ctx]
	if ran, ok := notRunWords[f.Role]; ok {
		// A rule's message says when such code runs in installed code; an example's, a test's or
		// a script's runs only when someone runs it (paramiko 3.1.0's demos/demo.py).
		msg = strings.Replace(msg, "at install or import time", ran+", not at install or import time", 1)
		if f.Ctx == "module" || f.Ctx == "called" {
			when = "when the file is run"
		}
	}
	snip := Display(clip(detail, 400))
	if len(f.Layers) > 0 {
		snip = "[decoded: " + strings.Join(f.Layers, " → ") + "] " + snip
	}
	if f.Ctx != "" && f.T == "call" {
		snip += fmt.Sprintf(" (runs: %s)", when)
	}
	return Finding{RuleID: r.ID, Severity: sev, Title: r.Title, Message: msg, File: Display(f.File), Line: f.Line,
		Snippet: snip, Count: count, Layers: f.Layers}
}

// notRunWords say when a file of a role that neither installing nor importing runs does run.
var notRunWords = map[string]string{
	"example": "in an example or documentation file, which runs when someone runs it",
	"test":    "in a test file, which runs when the tests run",
	"script":  "in a script the package installs, which runs when someone runs it",
}

var ctxWords = map[string]string{
	"install":  "at install time",
	"module":   "at import",
	"called":   "at import, through a function called there",
	"main":     "when run as a script",
	"function": "when its function is called",
}

// matchContext is how much of a long text a finding shows before the pattern's match.
const matchContext = 60

// aroundMatch is text from a little before the first match of patterns on, when the match lies
// further in than a finding shows: a URL in the middle of a long string (pyparsing's sample log
// line) is then what the finding's value and evidence quote, not the string's start.
func aroundMatch(text string, patterns []pattern) string {
	if len(text) <= 200 {
		return text
	}
	for _, p := range patterns {
		loc := p.re.FindStringIndex(text)
		if loc == nil {
			continue
		}
		if loc[0] <= matchContext {
			return text
		}
		start := loc[0] - matchContext
		for start < loc[0] && (text[start]&0xC0) == 0x80 {
			start++
		}
		return "…" + text[start:]
	}
	return text
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && (s[cut]&0xC0) == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}

// MetadataFacts turns what the metadata and the file list say into facts for the metadata rules:
// typosquat, typosquat-shadows-module, dependency-imitation, deceptive-author, borrowed-homepage,
// release-zero, empty-information, single-python-file.
// modules is the top-level modules the distribution ships (TopModules).
func MetadataFacts(p Project, popular []string, pyFiles int, modules []string) []Fact {
	var out []Fact
	add := func(check, value string) {
		out = append(out, Fact{T: "metadata", Name: check, Value: value, Role: "metadata"})
	}
	if im := Imitated(p.Name, popular); im.Project != "" {
		add("typosquat", fmt.Sprintf("The name %q %s the well-known project %q: check that this is the project you meant.", p.Name, im.How, im.Project))
		// A misspelling that ships the real project's module replaces it; an affix or other
		// separators ("msgpack-python") is often the same project's older name: left at typosquat.
		own, theirs := strings.ReplaceAll(normalize(p.Name), "-", "_"), strings.ReplaceAll(im.Project, "-", "_")
		for _, m := range modules {
			if mm := strings.ReplaceAll(normalize(m), "-", "_"); im.Misspelt && mm == theirs && mm != own {
				add("typosquat-shadows-module", fmt.Sprintf("%q imitates %q and installs the module %q, which that project's users import", p.Name, im.Project, m))
			}
		}
	}
	// A dependency that misspells a well-known project brings code from whoever registered the
	// misspelling: the payload sits in the dependency, not in what is analysed.
	for _, dep := range p.Requires {
		if im := Imitated(dep, popular); im.Misspelt {
			add("dependency-imitation", fmt.Sprintf("it depends on %q, which %s the well-known project %q", dep, im.How, im.Project))
		}
	}
	if d := disposableDomain(p.Emails); d != "" {
		add("deceptive-author", "the author's address is at "+d+", a throw-away mail service")
	}
	if repo, u := borrowedRepository(p, popular); repo != "" {
		add("borrowed-homepage", fmt.Sprintf("its home page %s is the repository of the well-known project %q, not of %q", u, repo, p.Name))
	}
	v := strings.TrimSpace(p.Version)
	if v == "0.0.0" || v == "0.0" || v == "0" || strings.HasPrefix(v, "99.") || strings.HasPrefix(v, "999") {
		add("release-zero", "version "+v)
	}
	if strings.TrimSpace(p.Summary) == "" && strings.TrimSpace(p.Description) == "" {
		add("empty-information", "no summary and no description")
	}
	if pyFiles == 1 {
		add("single-python-file", "the distribution holds a single Python file")
	}
	return out
}

// TopModules is the top-level modules that the scanned files make up: the first directory of a
// module file (under src/ for a src layout), or a single file at the root, without ".py".
func TopModules(facts []Fact) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range facts {
		if f.T != "file" || f.Role != "module" || len(f.Layers) > 0 {
			continue
		}
		rel := strings.TrimPrefix(f.File, "src/")
		top, _, nested := strings.Cut(rel, "/")
		if !nested {
			top = strings.TrimSuffix(top, ".py")
		}
		if top == "" || strings.Contains(top, ".") || seen[top] {
			continue
		}
		seen[top] = true
		out = append(out, top)
	}
	sort.Strings(out)
	return out
}
