package inspection

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A rule's patterns run over every string literal of the sdist: a large project has a hundred
// thousand of them (Pygments' lexers), and running some sixty regular expressions over each cost
// seconds. Most patterns name a word that every match contains ("discord", "webhooks"), and most
// strings contain none of them: a pattern runs only on the strings that hold one of its words,
// compared case-folded, which changes no answer.

// pattern is a compiled rule pattern and the words one of which every match contains (nil: none
// known; then the pattern always runs).
type pattern struct {
	re    *regexp.Regexp
	words []string // folded (see foldString)
}

// maxWords bounds the alternatives a pattern's prefilter checks; a pattern with more runs always.
const maxWords = 16

func newPattern(re *regexp.Regexp, expr string) pattern {
	p := pattern{re: re}
	if parsed, err := syntax.Parse(expr, syntax.Perl); err == nil {
		p.words = requiredWords(parsed.Simplify())
	}
	return p
}

// mayMatch is false when the pattern cannot match the text whose folded form is folded.
func (p pattern) mayMatch(folded string) bool {
	if p.words == nil {
		return true
	}
	for _, w := range p.words {
		if strings.Contains(folded, w) {
			return true
		}
	}
	return false
}

// requiredWords are strings, folded, of which every match of re contains at least one; nil when
// none are known.
func requiredWords(re *syntax.Regexp) []string {
	switch re.Op {
	case syntax.OpLiteral:
		return []string{foldString(string(re.Rune))}
	case syntax.OpCapture, syntax.OpPlus:
		return requiredWords(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return requiredWords(re.Sub[0])
		}
	case syntax.OpConcat:
		// Any part's words will do: the most selective, by its shortest word, then by fewer words.
		var best []string
		for _, sub := range re.Sub {
			w := requiredWords(sub)
			if w != nil && (best == nil || shortest(w) > shortest(best) || shortest(w) == shortest(best) && len(w) < len(best)) {
				best = w
			}
		}
		return best
	case syntax.OpAlternate:
		var all []string
		for _, sub := range re.Sub {
			w := requiredWords(sub)
			if w == nil {
				return nil
			}
			all = append(all, w...)
		}
		slices.Sort(all)
		all = slices.Compact(all)
		if len(all) > maxWords {
			return nil
		}
		return all
	}
	return nil
}

func shortest(words []string) int {
	n := -1
	for _, w := range words {
		if l := utf8.RuneCountInString(w); n < 0 || l < n {
			n = l
		}
	}
	return n
}

// foldString maps every rune of s to the least rune of its case-folding orbit, the runes a
// case-insensitive regular expression takes for it (unicode.SimpleFold, as package regexp does):
// a match of a literal, case-folded or not, is then a substring of the folded text. Invalid
// UTF-8 becomes U+FFFD, as the regexp package reads it.
func foldString(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return strings.ToUpper(s) // an ASCII letter's orbit's least rune is its capital
	}
	return strings.Map(foldRune, s)
}

func foldRune(r rune) rune {
	least := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		least = min(least, f)
	}
	return least
}
