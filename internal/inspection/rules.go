package inspection

import (
	_ "embed"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/pyti/pyti/internal/report"
)

//go:embed rules.toml
var defaultRulesTOML []byte

// Rule is one static rule as written in rules.toml. A fact matches when every condition that is
// set holds; the values within one condition are alternatives.
type Rule struct {
	ID       string          `toml:"id"`
	Severity report.Severity `toml:"severity"`
	Title    string          `toml:"title"`
	// Message may name {file}, {line}, {name} and {value} (the first match's).
	Message string `toml:"message"`
	// Fact is the kind of fact the rule reads: call, str, layer, binary, bidi, pth, setup, file,
	// metadata.
	Fact string `toml:"fact"`
	// Calls are resolved call names ("subprocess.Popen"), prefixes ending in "*" or suffixes
	// starting with "*" ("*.urlretrieve"); for
	// metadata facts, the check's name.
	Calls []string `toml:"calls"`
	// Taint: one of the call's arguments is decoded, downloaded, decrypted, marshal or compiled.
	Taint []string `toml:"taint"`
	// Args are regular expressions; one must match the call's arguments joined by spaces.
	Args []string `toml:"args"`
	// Kw are regular expressions on keyword arguments by name; all must match.
	Kw map[string]string `toml:"kw"`
	// Patterns are regular expressions on a string, a layer's text or a fact's value.
	Patterns []string `toml:"patterns"`
	// Exclude: a fact whose text matches one of these does not match.
	Exclude []string `toml:"exclude"`
	// Roles (setup, module, test, example, script, pth) and Contexts (install, module, called,
	// main, function) restrict where the fact is.
	Roles    []string `toml:"roles"`
	Contexts []string `toml:"contexts"`
	// SeverityIn lowers or raises the severity where a fact is: keys "role:test",
	// "ctx:function"; the lowest applicable wins.
	SeverityIn map[string]report.Severity `toml:"severity_in"`
	// Requires names rules that must also match in the same file (in any layer).
	Requires []string `toml:"requires"`
	// RequiresAny: at least one of these rules must also match in the same file.
	RequiresAny []string `toml:"requires_any"`
	// Hidden rules are building blocks for Requires and are never reported.
	Hidden bool `toml:"hidden"`
	// SeenAs names behaviour rules whose finding shows the same thing happening: a static
	// finding of this rule is then both read and seen.
	SeenAs []string `toml:"seen_as"`
	// Tests are the rule's own examples (see rules_test.go).
	Tests []RuleTest `toml:"test"`

	args              []*regexp.Regexp
	patterns, exclude []pattern
	kw                map[string]*regexp.Regexp
}

// RuleTest is one example of a rule: code in a file of a small tree, and whether the rule fires
// on it (with which severity).
type RuleTest struct {
	// File is the path in the tree (default pkg/__init__.py; "setup.py" is the sdist's).
	File     string          `toml:"file"`
	Code     string          `toml:"code"`
	Fires    bool            `toml:"fires"`
	Severity report.Severity `toml:"severity"`
}

// Rules is a compiled rule set.
type Rules struct {
	list []*Rule
	byID map[string]*Rule
}

var facts = []string{"call", "str", "layer", "binary", "bidi", "pth", "setup", "file", "metadata", "obfuscation"}

// ParseRules reads and checks a rule set.
func ParseRules(data []byte) (*Rules, error) {
	var doc struct {
		Rule []*Rule `toml:"rule"`
	}
	if err := toml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("static rules: %w", err)
	}
	rs := &Rules{byID: map[string]*Rule{}}
	for _, r := range doc.Rule {
		if err := r.compile(); err != nil {
			return nil, fmt.Errorf("static rule %q: %w", r.ID, err)
		}
		if _, dup := rs.byID[r.ID]; dup {
			return nil, fmt.Errorf("static rule %q defined twice", r.ID)
		}
		rs.byID[r.ID] = r
		rs.list = append(rs.list, r)
	}
	for _, r := range rs.list {
		for _, q := range append(slices.Clone(r.Requires), r.RequiresAny...) {
			if rs.byID[q] == nil {
				return nil, fmt.Errorf("static rule %q requires unknown rule %q", r.ID, q)
			}
		}
	}
	return rs, nil
}

var defaultRules = func() *Rules {
	rs, err := ParseRules(defaultRulesTOML)
	if err != nil {
		panic(err)
	}
	return rs
}()

// DefaultRules is the embedded rule set.
func DefaultRules() *Rules { return defaultRules }

// List is the rules in file order.
func (rs *Rules) List() []*Rule { return rs.list }

// SeenAs is the behaviour rules that confirm the static rule id (nil for an unknown rule).
func (rs *Rules) SeenAs(id string) []string {
	if r := rs.byID[id]; r != nil {
		return r.SeenAs
	}
	return nil
}

// Calls is every call name and prefix the rules look at: the scanner reports only those.
func (rs *Rules) Calls() []string {
	seen := map[string]bool{}
	for _, r := range rs.list {
		if r.Fact != "call" {
			continue
		}
		for _, c := range r.Calls {
			seen[c] = true
		}
	}
	out := make([]string, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

func (r *Rule) compile() error {
	if r.ID == "" {
		return fmt.Errorf("no id")
	}
	if !slices.Contains(facts, r.Fact) {
		return fmt.Errorf("unknown fact %q", r.Fact)
	}
	if !r.Hidden && (r.Severity.Rank() == 0 || r.Title == "" || r.Message == "") {
		return fmt.Errorf("needs a severity, a title and a message")
	}
	for k, s := range r.SeverityIn {
		if s.Rank() == 0 || !(strings.HasPrefix(k, "role:") || strings.HasPrefix(k, "ctx:")) {
			return fmt.Errorf("severity_in %q = %q", k, s)
		}
	}
	var err error
	comp := func(list []string) []*regexp.Regexp {
		var out []*regexp.Regexp
		for _, p := range list {
			re, e := regexp.Compile(p)
			if e != nil && err == nil {
				err = e
			}
			out = append(out, re)
		}
		return out
	}
	withWords := func(list []string) []pattern {
		var out []pattern
		for i, re := range comp(list) {
			if re != nil {
				out = append(out, newPattern(re, list[i]))
			}
		}
		return out
	}
	r.args, r.patterns, r.exclude = comp(r.Args), withWords(r.Patterns), withWords(r.Exclude)
	r.kw = map[string]*regexp.Regexp{}
	for k, p := range r.Kw {
		re, e := regexp.Compile(p)
		if e != nil {
			return e
		}
		r.kw[k] = re
	}
	return err
}

// matches reports whether the fact satisfies the rule's own conditions (not Requires); text is
// the fact's text (see factText).
func (r *Rule) matches(f *Fact, text *factText) bool {
	if f.T != r.Fact {
		return false
	}
	if len(r.Roles) > 0 && !slices.Contains(r.Roles, f.Role) {
		return false
	}
	if len(r.Contexts) > 0 && !slices.Contains(r.Contexts, f.Ctx) {
		return false
	}
	if len(r.Calls) > 0 && !nameIn(f.Name, r.Calls) {
		return false
	}
	if len(r.Taint) > 0 && !slices.ContainsFunc(f.Taint, func(t string) bool { return slices.Contains(r.Taint, t) }) {
		return false
	}
	if len(r.args) > 0 && !anyMatch(r.args, strings.Join(f.Args, " ")) {
		return false
	}
	for k, re := range r.kw {
		v, ok := f.Kw[k]
		if !ok || !re.MatchString(v) {
			return false
		}
	}
	if len(r.patterns) > 0 && !text.anyMatch(r.patterns) {
		return false
	}
	if len(r.exclude) > 0 && text.anyMatch(r.exclude) {
		return false
	}
	return true
}

// factText is a fact's text (Fact.text), and its folded form once a pattern's prefilter asked for
// it: each is made once per fact, whatever the number of rules.
type factText struct {
	f             *Fact
	raw, folded   string
	haveRaw, fold bool
}

func (t *factText) text() string {
	if !t.haveRaw {
		t.raw, t.haveRaw = t.f.text(), true
	}
	return t.raw
}

func (t *factText) anyMatch(ps []pattern) bool {
	for _, p := range ps {
		if p.words != nil {
			if !t.fold {
				t.folded, t.fold = foldString(t.text()), true
			}
			if !p.mayMatch(t.folded) {
				continue
			}
		}
		if p.re.MatchString(t.text()) {
			return true
		}
	}
	return false
}

// severity is the rule's severity where the fact is: the lowest applicable severity_in entry,
// or the rule's own.
func (r *Rule) severity(f *Fact) report.Severity {
	var over report.Severity
	for _, k := range []string{"role:" + f.Role, "ctx:" + f.Ctx} {
		if v, ok := r.SeverityIn[k]; ok && (over == "" || v.Rank() < over.Rank()) {
			over = v
		}
	}
	if over != "" {
		return over
	}
	return r.Severity
}

func nameIn(name string, list []string) bool {
	for _, c := range list {
		if sfx, ok := strings.CutPrefix(c, "*"); ok {
			if strings.HasSuffix(name, sfx) {
				return true
			}
		} else if p, ok := strings.CutSuffix(c, "*"); ok {
			if strings.HasPrefix(name, p) {
				return true
			}
		} else if name == c {
			return true
		}
	}
	return false
}

func anyMatch(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}
