package pep440

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
)

// ErrInvalidVersion is wrapped by every error Parse returns.
var ErrInvalidVersion = errors.New("invalid version")

// Version is a parsed PEP 440 version. The zero value is not a valid version;
// obtain one from Parse or MustParse.
type Version struct {
	epoch   int
	release []int
	preL    string // "", "a", "b" or "rc"
	preN    int
	hasPost bool
	postN   int
	hasDev  bool
	devN    int
	local   []string // normalised local segments, lower case, numeric ones without leading zeros
}

// versionPattern is packaging's VERSION_PATTERN, matched against a string
// already stripped of surrounding white space and lower-cased in ASCII only
// (so that no non-ASCII letter can fold into a valid version).
var versionPattern = regexp.MustCompile(`^v?` +
	`(?:([0-9]+)!)?` + // 1 epoch
	`([0-9]+(?:\.[0-9]+)*)` + // 2 release
	`(?:[-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?([0-9]+)?)?` + // 3 pre label, 4 pre number
	`(?:-([0-9]+)|[-_.]?(post|rev|r)[-_.]?([0-9]+)?)?` + // 5 implicit post, 6 post label, 7 post number
	`(?:[-_.]?(dev)[-_.]?([0-9]+)?)?` + // 8 dev label, 9 dev number
	`(?:\+([a-z0-9]+(?:[-_.][a-z0-9]+)*))?$`) // 10 local

// Parse reads a PEP 440 version, accepting the same lenient spellings as
// packaging.version.Version: a leading "v", any case, "-", "_" or "."
// separators, alternative pre-release names (alpha, beta, c, pre, preview),
// alternative post-release names (rev, r), implicit post releases ("1.0-1")
// and implicit numbers ("1.0a" is "1.0a0"). Surrounding white space is ignored.
func Parse(s string) (Version, error) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	m := versionPattern.FindStringSubmatch(asciiLower(t))
	if m == nil {
		return Version{}, fmt.Errorf("%w: %s", ErrInvalidVersion, quote(s))
	}
	var v Version
	var err error
	num := func(field, what string) int {
		if err != nil || field == "" {
			return 0
		}
		n, e := strconv.Atoi(field)
		if e != nil {
			err = fmt.Errorf("%w: %s: %s number %s is too large", ErrInvalidVersion, quote(s), what, quote(field))
		}
		return n
	}
	v.epoch = num(m[1], "epoch")
	parts := strings.Split(m[2], ".")
	v.release = make([]int, len(parts))
	for i, p := range parts {
		v.release[i] = num(p, "release")
	}
	if m[3] != "" {
		switch m[3] {
		case "a", "alpha":
			v.preL = "a"
		case "b", "beta":
			v.preL = "b"
		default: // c, rc, pre, preview
			v.preL = "rc"
		}
		v.preN = num(m[4], "pre-release")
	}
	switch {
	case m[5] != "":
		v.hasPost = true
		v.postN = num(m[5], "post-release")
	case m[6] != "":
		v.hasPost = true
		v.postN = num(m[7], "post-release")
	}
	if m[8] != "" {
		v.hasDev = true
		v.devN = num(m[9], "dev-release")
	}
	if m[10] != "" {
		v.local = splitLocal(m[10])
	}
	if err != nil {
		return Version{}, err
	}
	return v, nil
}

// asciiLower lower-cases A-Z only.
func asciiLower(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'A' && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// splitLocal normalises a local version label into its segments.
func splitLocal(s string) []string {
	segs := strings.FieldsFunc(s, func(r rune) bool {
		return r == '-' || r == '_' || r == '.'
	})
	for i, seg := range segs {
		if isDigits(seg) {
			segs[i] = trimLeadingZeros(seg)
		}
	}
	return segs
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func trimLeadingZeros(s string) string {
	t := strings.TrimLeft(s, "0")
	if t == "" {
		return "0"
	}
	return t
}

// MustParse is Parse for constants known to be valid; it panics on an
// invalid version and must never be given untrusted input.
func MustParse(s string) Version {
	v, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return v
}

// IsValid reports whether v came from a successful Parse (the zero Version is not valid).
func (v Version) IsValid() bool { return len(v.release) > 0 }

// String returns the normalised form of v, e.g. "1!2.0rc1.post2.dev3+ubuntu.1".
func (v Version) String() string {
	var b strings.Builder
	if v.epoch != 0 {
		b.WriteString(strconv.Itoa(v.epoch))
		b.WriteByte('!')
	}
	for i, r := range v.release {
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(strconv.Itoa(r))
	}
	if v.preL != "" {
		b.WriteString(v.preL)
		b.WriteString(strconv.Itoa(v.preN))
	}
	if v.hasPost {
		b.WriteString(".post")
		b.WriteString(strconv.Itoa(v.postN))
	}
	if v.hasDev {
		b.WriteString(".dev")
		b.WriteString(strconv.Itoa(v.devN))
	}
	if len(v.local) > 0 {
		b.WriteByte('+')
		b.WriteString(strings.Join(v.local, "."))
	}
	return b.String()
}

// Equal reports whether v and w are the same version under PEP 440 ordering
// ("1.0" equals "1.0.0", but not "1.0+local").
func (v Version) Equal(w Version) bool { return v.Compare(w) == 0 }

// IsPrerelease reports whether v is a pre-release or a development release.
func (v Version) IsPrerelease() bool { return v.preL != "" || v.hasDev }

// IsPostrelease reports whether v has a post-release segment.
func (v Version) IsPostrelease() bool { return v.hasPost }

// IsDevrelease reports whether v has a development-release segment.
func (v Version) IsDevrelease() bool { return v.hasDev }

// Epoch returns the epoch, 0 when none was given.
func (v Version) Epoch() int { return v.epoch }

// Release returns a copy of the release segment, e.g. [1 4 2] for "1.4.2rc1".
func (v Version) Release() []int { return append([]int(nil), v.release...) }

// Pre returns the normalised pre-release label ("a", "b", "rc") and number;
// the label is "" when v is not a pre-release.
func (v Version) Pre() (string, int) { return v.preL, v.preN }

// Post returns the post-release number and whether there is one.
func (v Version) Post() (int, bool) { return v.postN, v.hasPost }

// Dev returns the development-release number and whether there is one.
func (v Version) Dev() (int, bool) { return v.devN, v.hasDev }

// Local returns the normalised local version label, "" if none.
func (v Version) Local() string { return strings.Join(v.local, ".") }

// Public returns v without its local version label.
func (v Version) Public() Version {
	w := v
	w.local = nil
	return w
}

// BaseVersion returns the epoch and release segment of v only.
func (v Version) BaseVersion() Version {
	return Version{epoch: v.epoch, release: v.release}
}
