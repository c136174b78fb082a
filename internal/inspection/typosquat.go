package inspection

import (
	"bufio"
	"bytes"
	_ "embed"
	"regexp"
	"slices"
	"strings"
	"sync"
)

//go:embed data/popular.txt
var popularList []byte

// knownList names the established projects (data/known.txt), which imitate no one.
//
//go:embed data/known.txt
var knownList []byte

var known = sync.OnceValue(func() map[string]bool {
	set := map[string]bool{}
	for _, n := range ParseNameList(knownList) {
		set[n] = true
	}
	return set
})

var sepRe = regexp.MustCompile(`[-_.]+`)

func normalize(name string) string { return sepRe.ReplaceAllString(strings.ToLower(name), "-") }

// Popular returns the shipped list of well-known project names, normalised.
func Popular() []string { return ParseNameList(popularList) }

// ParseNameList reads a list of names, one a line, with # comments.
func ParseNameList(data []byte) []string {
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names = append(names, normalize(line))
	}
	return names
}

// Imitation says which well-known project a name imitates, and how.
type Imitation struct {
	Project string // the popular name imitated; "" for none
	How     string // "is one edit away from", ...
	// Misspelt: the name is a misspelling (edits, look-alike characters), not the same name with
	// an affix or other separators, which is often the project's own older name.
	Misspelt bool
}

// Imitated is the popular name that name imitates; the zero Imitation when it imitates none (or
// is one). Imitating is being one edit (insertion, deletion, substitution or swap of neighbours)
// away from a name of at least five characters, two edits from one of at least ten (outside a
// shared namespace), the same name with its separators dropped or moved, a look-alike digit, a
// "python-"/"py" affix added, or the same three or more words in another order. Names that differ
// only in their digits (rfc3986, rfc3987) are a family, not an imitation.
func Imitated(name string, popular []string) Imitation {
	n := normalize(name)
	if known()[n] {
		return Imitation{} // an established project of its own (persistent, beside pyrsistent)
	}
	for _, p := range popular {
		if n == p {
			return Imitation{}
		}
	}
	for _, p := range popular {
		if im := imitates(n, p); im.How != "" {
			im.Project = p
			return im
		}
	}
	return Imitation{}
}

var lookalike = strings.NewReplacer("0", "o", "1", "l", "3", "e", "5", "s", "rn", "m", "vv", "w")

func imitates(n, p string) Imitation {
	bare := func(s string) string { return strings.NewReplacer("-", "").Replace(s) }
	switch {
	case bare(n) == bare(p):
		return Imitation{How: "differs only in separators from"}
	case lookalike.Replace(n) == p:
		return Imitation{How: "uses look-alike characters for", Misspelt: true}
	case n == "python-"+p || n == p+"-python" || n == "py"+p || n == "py-"+p || n == p+"-py" || n == p+"2" || n == p+"3":
		return Imitation{How: "adds a common affix to"}
	case sameWords(n, p):
		return Imitation{How: "puts in another order the words of", Misspelt: true}
	}
	if digitsApart(n, p) {
		return Imitation{} // another number in a family of names (rfc3986, rfc3987; pyqt5, pyqt6)
	}
	d := distance(n, p, 3)
	switch {
	case d == 1 && len(p) >= 5:
		return Imitation{How: "is one edit away from", Misspelt: true}
	case d == 2 && len(p) >= 10 && !siblings(n, p):
		return Imitation{How: "is two edits away from", Misspelt: true}
	}
	return Imitation{}
}

// digitsApart reports whether two names of one length differ only where both have a digit.
func digitsApart(n, p string) bool {
	if len(n) != len(p) || n == p {
		return false
	}
	for i := range len(n) {
		if n[i] != p[i] && !(isDigit(n[i]) && isDigit(p[i])) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// sameWords reports whether two different names are made of the same three or more words
// ("python-aliyun-sdk-core" and "aliyun-python-sdk-core").
func sameWords(n, p string) bool {
	a, b := strings.Split(n, "-"), strings.Split(p, "-")
	if len(a) < 3 || len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// distance is the optimal-string-alignment distance between a and b, or limit when it is at least
// that.
func distance(a, b string, limit int) int {
	if abs(len(a)-len(b)) >= limit {
		return limit
	}
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// disposableDomains are throw-away mail services (GuardDog's deceptive-author check reads the
// same kind of list): nobody maintaining a real project publishes under one.
var disposableDomains = []string{"mailinator.com", "guerrillamail.com", "guerrillamail.net", "sharklasers.com",
	"10minutemail.com", "temp-mail.org", "tempmail.com", "tempmail.net", "yopmail.com", "yopmail.net",
	"trashmail.com", "trashmail.de", "dispostable.com", "getnada.com", "maildrop.cc", "mailnesia.com",
	"mintemail.com", "mohmal.com", "emailondeck.com", "throwawaymail.com", "fakeinbox.com", "tempr.email",
	"discard.email", "spambox.us", "mailcatch.com", "moakt.com", "tmpmail.org", "tmpmail.net", "1secmail.com",
	"1secmail.net", "1secmail.org", "burnermail.io", "inboxkitten.com", "tempinbox.com", "mail.tm", "emlpro.com"}

// disposableDomain is the throw-away mail domain of the first address at one, or "".
func disposableDomain(emails []string) string {
	for _, e := range emails {
		for _, addr := range strings.Split(e, ",") {
			_, dom, ok := strings.Cut(strings.TrimSpace(strings.Trim(addr, "<> ")), "@")
			if !ok {
				continue
			}
			dom = strings.ToLower(strings.TrimRight(strings.TrimSpace(dom), ">"))
			for _, d := range disposableDomains {
				if dom == d || strings.HasSuffix(dom, "."+d) {
					return d
				}
			}
		}
	}
	return ""
}

var repoURL = regexp.MustCompile(`(?i)^https?://(?:www\.)?(?:github\.com|gitlab\.com|bitbucket\.org|codeberg\.org)/[^/\s]+/([^/\s#?]+)`)

// borrowedRepository is the well-known project whose repository p's home page or a project URL
// points to, when p is not that project nor a name built on it (a plugin or a fork keeps the
// name in its own).
func borrowedRepository(p Project, popular []string) (repo, url string) {
	own := normalize(p.Name)
	for _, u := range p.HomeURLs {
		m := repoURL.FindStringSubmatch(strings.TrimSpace(u))
		if m == nil {
			continue
		}
		r := normalize(strings.TrimSuffix(m[1], ".git"))
		if r == own || strings.Contains(own, r) || strings.Contains(r, own) {
			continue
		}
		for _, q := range popular {
			if q == r {
				return r, strings.TrimSpace(u)
			}
		}
	}
	return "", ""
}

// siblings reports whether two names share a namespace and differ only after it, as the plugins of
// one project do ("pytest-foo" and "pytest-cov", "types-foo" and "types-six").
func siblings(n, p string) bool {
	ns, _, ok1 := strings.Cut(n, "-")
	ps, _, ok2 := strings.Cut(p, "-")
	return ok1 && ok2 && ns == ps
}
