package pep440

import "cmp"

// Compare returns -1, 0 or 1 as v sorts before, equal to or after w under
// PEP 440: epoch, then release (trailing zeros ignored), then
// dev-only < pre-release < final < post-release (each ordered by their
// own dev parts), then no local label < any local label, local labels
// compared segment by segment with numbers above strings.
func (v Version) Compare(w Version) int {
	if c := cmp.Compare(v.epoch, w.epoch); c != 0 {
		return c
	}
	if c := compareRelease(v.release, w.release); c != 0 {
		return c
	}
	if c := comparePre(v, w); c != 0 {
		return c
	}
	if c := comparePost(v, w); c != 0 {
		return c
	}
	if c := compareDev(v, w); c != 0 {
		return c
	}
	return compareLocal(v.local, w.local)
}

func compareRelease(a, b []int) int {
	n := max(len(a), len(b))
	for i := range n {
		var x, y int
		if i < len(a) {
			x = a[i]
		}
		if i < len(b) {
			y = b[i]
		}
		if c := cmp.Compare(x, y); c != 0 {
			return c
		}
	}
	return 0
}

// preRank places a version's pre-release key: a bare dev release (no pre,
// no post) sorts before every pre-release, a final release after them.
func preRank(v Version) int {
	switch {
	case v.preL == "" && !v.hasPost && v.hasDev:
		return 0
	case v.preL != "":
		return 1
	default:
		return 2
	}
}

func preLabelRank(l string) int {
	switch l {
	case "a":
		return 0
	case "b":
		return 1
	default:
		return 2
	}
}

func comparePre(v, w Version) int {
	rv, rw := preRank(v), preRank(w)
	if c := cmp.Compare(rv, rw); c != 0 || rv != 1 {
		return c
	}
	if c := cmp.Compare(preLabelRank(v.preL), preLabelRank(w.preL)); c != 0 {
		return c
	}
	return cmp.Compare(v.preN, w.preN)
}

func comparePost(v, w Version) int {
	switch {
	case v.hasPost && w.hasPost:
		return cmp.Compare(v.postN, w.postN)
	case v.hasPost:
		return 1
	case w.hasPost:
		return -1
	}
	return 0
}

func compareDev(v, w Version) int {
	switch {
	case v.hasDev && w.hasDev:
		return cmp.Compare(v.devN, w.devN)
	case v.hasDev:
		return -1
	case w.hasDev:
		return 1
	}
	return 0
}

func compareLocal(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := compareLocalSegment(a[i], b[i]); c != 0 {
			return c
		}
	}
	return cmp.Compare(len(a), len(b))
}

// compareLocalSegment orders two normalised local segments: numbers by
// value (held as decimal strings without leading zeros, so any length
// works), numbers after strings, strings lexically.
func compareLocalSegment(a, b string) int {
	na, nb := isDigits(a), isDigits(b)
	switch {
	case na && nb:
		if c := cmp.Compare(len(a), len(b)); c != 0 {
			return c
		}
		return cmp.Compare(a, b)
	case na:
		return 1
	case nb:
		return -1
	}
	return cmp.Compare(a, b)
}
