package inspection

import (
	"regexp"
	"regexp/syntax"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRequiredWords(t *testing.T) {
	for _, tc := range []struct {
		expr string
		want []string
	}{
		{`discord`, []string{"DISCORD"}},
		{`(?i)discord(app)?\.com/api/webhooks`, []string{".COM/API/WEBHOOKS"}},
		{`(?i)Mozilla[/\\]+Firefox[/\\]+Profiles`, []string{"PROFILES"}},
		{`(?i)[/\\]Login Data\b|User Data[/\\]+Default`, []string{"LOGIN DATA", "USER DATA"}},
		{`(ngrok|pipedream)\.(io|net)`, []string{"NGROK", "PIPEDREAM"}},
		{`\.(so|pyd|dylib)$`, []string{"DYLIB", "PYD", "SO"}},
		{`(?:abc){2,3}`, []string{"ABC"}},
		{`x+yz`, []string{"YZ"}},
		// Nothing every match must hold: the pattern always runs.
		{`(?i)(abc)?def|.*`, nil},
		{`[a-z]+@[a-z]+`, []string{"@"}},
		{`\d+\.\d+`, []string{"."}},
		{`(?:abc)*`, nil},
		{`^$`, nil},
		// An ASCII letter's orbit holds non-ASCII runes (K: the Kelvin sign; s: the long s).
		{`(?i)\x{212A}ey`, []string{"KEY"}},
		{`ſecret`, []string{"SECRET"}},
		{`é+`, []string{"É"}},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			re, err := syntax.Parse(tc.expr, syntax.Perl)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, requiredWords(re.Simplify())); diff != "" {
				t.Errorf("requiredWords(%q) (-want +got):\n%s", tc.expr, diff)
			}
		})
	}
}

// The prefilter never hides a match: for every pattern of the rules, on text that matches it,
// as written, in other cases, and with the non-ASCII runes that fold to ASCII letters.
func TestPrefilterKeepsMatches(t *testing.T) {
	var texts []string
	for _, r := range DefaultRules().List() {
		for _, tc := range r.Tests {
			texts = append(texts, tc.Code)
			texts = append(texts, strings.Split(tc.Code, "\n")...)
		}
	}
	texts = append(texts, "KEY=1", "\u212Aey", "ſecret", "\xff\xfediscord\xff", "")
	var variants []string
	for _, s := range texts {
		variants = append(variants, s, strings.ToUpper(s), strings.ToLower(s),
			strings.NewReplacer("s", "ſ", "k", "\u212A", "K", "\u212A").Replace(s))
	}
	checked := 0
	for _, r := range DefaultRules().List() {
		for _, p := range append(append([]pattern{}, r.patterns...), r.exclude...) {
			for _, s := range variants {
				if p.re.MatchString(s) {
					checked++
					if !p.mayMatch(foldString(s)) {
						t.Errorf("rule %s: %q matches %q, but the prefilter (%q) skips it", r.ID, p.re, s, p.words)
					}
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no text matched any pattern: the test checks nothing")
	}
	// And it does skip: a string holding none of a pattern's words is not run.
	p := newPattern(regexp.MustCompile(`(?i)discord\.com`), `(?i)discord\.com`)
	if p.mayMatch(foldString("plain text")) || !p.mayMatch(foldString("DiScOrD.com")) {
		t.Errorf("prefilter of %q: words %q", p.re, p.words)
	}
}
