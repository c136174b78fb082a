package inspection

import (
	"bufio"
	"bytes"
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/pyti/pyti/internal/report"
)

//go:embed data/popular.txt
var popularList []byte

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

// Typosquat reports whether name imitates one of the popular names: one edit (insertion, deletion,
// substitution or swap of neighbours) away from a name of at least five characters, two edits from
// one of at least ten, the same name with its separators dropped or moved, a look-alike digit, or a
// "python-"/"py" affix added. A name that is itself on the list is not reported.
func Typosquat(name string, popular []string) *Finding {
	p, why := Imitated(name, popular)
	if p == "" {
		return nil
	}
	return &Finding{
		RuleID:   "typosquat",
		Severity: report.SeverityMedium,
		Title:    "Name imitates a well-known project",
		Message:  fmt.Sprintf("The name %q %s the well-known project %q: check that this is the project you meant.", name, why, p),
		Count:    1,
	}
}

// Imitated is the popular name that name imitates, and how; "" when it imitates none (or is one).
func Imitated(name string, popular []string) (project, why string) {
	n := normalize(name)
	for _, p := range popular {
		if n == p {
			return "", ""
		}
	}
	for _, p := range popular {
		if why := imitates(n, p); why != "" {
			return p, why
		}
	}
	return "", ""
}

var lookalike = strings.NewReplacer("0", "o", "1", "l", "3", "e", "5", "s", "rn", "m", "vv", "w")

func imitates(n, p string) string {
	bare := func(s string) string { return strings.NewReplacer("-", "").Replace(s) }
	switch {
	case bare(n) == bare(p):
		return "differs only in separators from"
	case lookalike.Replace(n) == p:
		return "uses look-alike characters for"
	case n == "python-"+p || n == p+"-python" || n == "py"+p || n == "py-"+p || n == p+"-py" || n == p+"2" || n == p+"3":
		return "adds a common affix to"
	}
	d := distance(n, p, 3)
	switch {
	case d == 1 && len(p) >= 5:
		return "is one edit away from"
	case d == 2 && len(p) >= 10:
		return "is two edits away from"
	}
	return ""
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
