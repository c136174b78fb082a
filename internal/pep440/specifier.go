package pep440

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// ErrInvalidSpecifier is wrapped by every error ParseSpecifier and
// ParseSpecifiers return.
var ErrInvalidSpecifier = errors.New("invalid specifier")

// Specifier is one PEP 440 version clause such as ">=1.0", "==1.4.*" or
// "===foobar". It keeps the version as written (for String) and its parsed form.
type Specifier struct {
	op       string
	version  string  // as written, white space trimmed
	parsed   Version // not set for "==="
	wildcard bool    // "==V.*" or "!=V.*"
}

// operators is ordered so that a longer operator is tried before its prefix.
var operators = []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"}

// ParseSpecifier parses one version clause, white space tolerant, with the
// same restrictions as packaging: wildcards and local labels only with ==
// and !=, at least two release numbers with ~=, and anything but white
// space, ";" and ")" after ===.
func ParseSpecifier(s string) (Specifier, error) {
	t := strings.TrimFunc(s, unicode.IsSpace)
	var sp Specifier
	for _, op := range operators {
		if strings.HasPrefix(t, op) {
			sp.op = op
			break
		}
	}
	if sp.op == "" {
		return Specifier{}, fmt.Errorf("%w: %s: no operator (one of ~= == != <= >= < > ===)", ErrInvalidSpecifier, quote(s))
	}
	sp.version = strings.TrimFunc(t[len(sp.op):], unicode.IsSpace)
	if strings.ContainsFunc(sp.version, unicode.IsSpace) {
		return Specifier{}, fmt.Errorf("%w: %s: white space inside the version", ErrInvalidSpecifier, quote(s))
	}
	if sp.op == "===" {
		if strings.ContainsAny(sp.version, ";)") {
			return Specifier{}, fmt.Errorf("%w: %s: arbitrary version may not contain ';' or ')'", ErrInvalidSpecifier, quote(s))
		}
		return sp, nil
	}
	vs := sp.version
	if (sp.op == "==" || sp.op == "!=") && strings.HasSuffix(vs, ".*") {
		sp.wildcard = true
		vs = vs[:len(vs)-2]
	}
	v, err := Parse(vs)
	if err != nil {
		return Specifier{}, fmt.Errorf("%w: %s: %w", ErrInvalidSpecifier, quote(s), err)
	}
	switch {
	case sp.wildcard && (v.preL != "" || v.hasPost || v.hasDev || len(v.local) > 0):
		return Specifier{}, fmt.Errorf("%w: %s: a wildcard may only follow a release segment", ErrInvalidSpecifier, quote(s))
	case sp.op != "==" && sp.op != "!=" && len(v.local) > 0:
		return Specifier{}, fmt.Errorf("%w: %s: a local version label is only allowed with == and !=", ErrInvalidSpecifier, quote(s))
	case sp.op == "~=" && len(v.release) < 2:
		return Specifier{}, fmt.Errorf("%w: %s: ~= needs at least two release numbers", ErrInvalidSpecifier, quote(s))
	}
	sp.parsed = v
	return sp, nil
}

// MustParseSpecifier is ParseSpecifier for constants; it panics on error.
func MustParseSpecifier(s string) Specifier {
	sp, err := ParseSpecifier(s)
	if err != nil {
		panic(err)
	}
	return sp
}

// Operator returns the comparison operator, e.g. ">=".
func (s Specifier) Operator() string { return s.op }

// Version returns the version as written in the specifier, e.g. "1.4.*".
func (s Specifier) Version() string { return s.version }

// String returns operator and version as written, without white space.
func (s Specifier) String() string { return s.op + s.version }

// Equal reports whether s and o are the same clause: same operator and the
// same version (compared as PEP 440 versions, so ">=1.0" equals ">=1";
// "~=" and wildcards keep their release length; "===" compares
// case-insensitively).
func (s Specifier) Equal(o Specifier) bool { return s.key() == o.key() }

// key is the canonical form Equal compares, as packaging's _canonical_spec.
func (s Specifier) key() string {
	switch {
	case s.op == "===":
		return s.op + strings.ToLower(s.version)
	case s.wildcard:
		return s.op + s.parsed.String() + ".*"
	case s.op == "~=":
		return s.op + s.parsed.String()
	}
	v := s.parsed
	n := len(v.release)
	for n > 1 && v.release[n-1] == 0 {
		n--
	}
	v.release = v.release[:n]
	return s.op + v.String()
}

// Prereleases reports whether the clause itself names a pre-release, which
// lets pre-releases match. As in packaging, "!=" and wildcard "==" never do;
// "===" does when its string parses as a pre-release.
func (s Specifier) Prereleases() bool {
	switch {
	case s.op == "!=" || s.wildcard:
		return false
	case s.op == "===":
		v, err := Parse(s.version)
		return err == nil && v.IsPrerelease()
	}
	return s.parsed.IsPrerelease()
}

// Contains reports whether v satisfies the clause. With prereleases false a
// pre-release or dev release never matches.
func (s Specifier) Contains(v Version, prereleases bool) bool {
	if v.IsPrerelease() && !prereleases {
		return false
	}
	return s.match(v)
}

// match applies the operator to v, ignoring the pre-release policy.
func (s Specifier) match(v Version) bool {
	switch s.op {
	case "===":
		return strings.EqualFold(v.String(), s.version)
	case "==":
		return s.equal(v)
	case "!=":
		return !s.equal(v)
	case "~=":
		return v.Public().Compare(s.parsed) >= 0 && compatiblePrefix(s.parsed, v)
	case "<=":
		return v.Public().Compare(s.parsed) <= 0
	case ">=":
		return v.Public().Compare(s.parsed) >= 0
	case "<":
		return s.lessThan(v)
	case ">":
		return s.greaterThan(v)
	}
	return false
}

func (s Specifier) equal(v Version) bool {
	if s.wildcard {
		return prefixMatch(s.parsed.epoch, s.parsed.release, v)
	}
	if len(s.parsed.local) == 0 {
		v = v.Public()
	}
	return v.Compare(s.parsed) == 0
}

// prefixMatch is "==E!R.*": same epoch, and v's release, padded with
// zeros, starts with R.
func prefixMatch(epoch int, release []int, v Version) bool {
	if v.epoch != epoch {
		return false
	}
	for i, r := range release {
		x := 0
		if i < len(v.release) {
			x = v.release[i]
		}
		if x != r {
			return false
		}
	}
	return true
}

// compatiblePrefix is the "==" half of "~=V": V's release without its last
// number, used as a prefix.
func compatiblePrefix(spec, v Version) bool {
	return prefixMatch(spec.epoch, spec.release[:len(spec.release)-1], v)
}

// lessThan is the exclusive "<V": it never matches a pre-release of V
// itself unless V is a pre-release. The pre-releases of a final V are its
// a/b/rc and dev releases; those of V.postN are V.postN.devM.
func (s Specifier) lessThan(v Version) bool {
	spec := s.parsed
	if v.Compare(spec) >= 0 {
		return false
	}
	if spec.IsPrerelease() || !v.IsPrerelease() || !sameBase(v, spec) {
		return true
	}
	if spec.hasPost {
		return !(v.preL == "" && v.hasPost && v.postN == spec.postN)
	}
	return false
}

// greaterThan is the exclusive ">V": it never matches a post-release of V
// unless V is one (the post-releases of V are V.postN, so V.devN has
// none), nor a local version of V.
func (s Specifier) greaterThan(v Version) bool {
	spec := s.parsed
	if v.Compare(spec) <= 0 {
		return false
	}
	if !spec.hasPost && !spec.hasDev && v.hasPost && sameBase(v, spec) &&
		v.preL == spec.preL && v.preN == spec.preN {
		return false
	}
	if len(v.local) > 0 && v.Public().Equal(spec) {
		return false
	}
	return true
}

// sameBase reports whether v and w have the same epoch and release.
func sameBase(v, w Version) bool {
	return v.epoch == w.epoch && compareRelease(v.release, w.release) == 0
}

// SpecifierSet is a comma-separated conjunction of specifiers; the empty set
// matches every version.
type SpecifierSet []Specifier

// ParseSpecifiers parses a comma-separated list of clauses. Empty input (or
// only commas and white space) gives the empty set, which matches everything.
func ParseSpecifiers(s string) (SpecifierSet, error) {
	var set SpecifierSet
	seen := map[string]bool{}
	for part := range strings.SplitSeq(s, ",") {
		if strings.TrimFunc(part, unicode.IsSpace) == "" {
			continue
		}
		sp, err := ParseSpecifier(part)
		if err != nil {
			return nil, err
		}
		set = set.add(sp, seen)
	}
	return set, nil
}

// add appends sp unless an equal clause (by key, recorded in seen) is there.
func (s SpecifierSet) add(sp Specifier, seen map[string]bool) SpecifierSet {
	k := sp.key()
	if seen[k] {
		return s
	}
	seen[k] = true
	return append(s, sp)
}

// MustParseSpecifiers is ParseSpecifiers for constants; it panics on error.
func MustParseSpecifiers(s string) SpecifierSet {
	set, err := ParseSpecifiers(s)
	if err != nil {
		panic(err)
	}
	return set
}

// String joins the clauses with "," in sorted order, as packaging does.
func (s SpecifierSet) String() string {
	parts := make([]string, len(s))
	for i, sp := range s {
		parts[i] = sp.String()
	}
	slices.Sort(parts)
	return strings.Join(parts, ",")
}

// Equal reports whether both sets hold the same clauses, in any order.
func (s SpecifierSet) Equal(o SpecifierSet) bool {
	if len(s) != len(o) {
		return false
	}
	keys := make(map[string]bool, len(o))
	for _, sp := range o {
		keys[sp.key()] = true
	}
	for _, sp := range s {
		if !keys[sp.key()] {
			return false
		}
	}
	return true
}

// Prereleases reports whether some clause names a pre-release, which makes
// the set accept pre-releases even when the caller did not ask for them.
func (s SpecifierSet) Prereleases() bool {
	return slices.ContainsFunc(s, Specifier.Prereleases)
}

// Contains reports whether v satisfies every clause. With prereleases false,
// pre-releases and dev releases match only if a clause names a pre-release.
func (s SpecifierSet) Contains(v Version, prereleases bool) bool {
	allow := prereleases || s.Prereleases()
	if v.IsPrerelease() && !allow {
		return false
	}
	for _, sp := range s {
		if !sp.match(v) {
			return false
		}
	}
	return true
}

// Filter returns the versions of vs the set contains, in their order. With
// prereleases false, pre-releases are left out unless a clause names one or
// no final release matches at all, in which case the matching pre-releases
// are returned (PEP 440's and pip's rule).
func (s SpecifierSet) Filter(vs []Version, prereleases bool) []Version {
	allow := prereleases || s.Prereleases()
	var finals, pres []Version
	for _, v := range vs {
		if !s.Contains(v, true) {
			continue
		}
		if v.IsPrerelease() && !allow {
			pres = append(pres, v)
			continue
		}
		finals = append(finals, v)
	}
	if len(finals) == 0 && !allow {
		return pres
	}
	return finals
}

// ContainsString matches a version as written. "===" clauses compare the
// raw string case-insensitively; every other clause needs v to parse as a
// PEP 440 version and match it, pre-releases following Contains with
// prereleases false.
func (s SpecifierSet) ContainsString(v string) bool {
	t := strings.TrimFunc(v, unicode.IsSpace)
	parsed, err := Parse(t)
	ok := err == nil
	if ok && parsed.IsPrerelease() && !s.Prereleases() {
		return false
	}
	if !ok && !slices.ContainsFunc(s, func(sp Specifier) bool { return sp.op == "===" }) {
		return false
	}
	for _, sp := range s {
		if sp.op == "===" {
			if !strings.EqualFold(t, sp.version) {
				return false
			}
			continue
		}
		if !ok || !sp.match(parsed) {
			return false
		}
	}
	return true
}
