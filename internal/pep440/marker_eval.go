package pep440

import (
	"fmt"
	"strings"
)

// Evaluate reports whether the marker holds in env. As in packaging,
// "extra" defaults to "" and is compared as a PEP 503 normalised name; a
// comparison uses PEP 440 when the operator and right-hand side form a
// valid specifier and the left-hand side parses as a version (pre-releases
// allowed), and plain string comparison otherwise; "in" and "not in" test
// substrings. A variable missing from env, or "~=" between non-versions,
// is an error wrapping ErrUndefinedMarker.
func (m *Marker) Evaluate(env Environment) (bool, error) {
	if m == nil {
		return true, nil
	}
	return evalList(m.expr, env)
}

func evalList(l markerList, env Environment) (bool, error) {
	// any(all(group) for group in or-separated groups)
	result, group := false, true
	for _, e := range l {
		switch {
		case e.boolOp == "or":
			result = result || group
			group = true
		case e.boolOp == "and":
		default:
			var v bool
			var err error
			if e.cmp != nil {
				v, err = evalCmp(e.cmp, env)
			} else {
				v, err = evalList(e.group, env)
			}
			if err != nil {
				return false, err
			}
			group = group && v
		}
	}
	return result || group, nil
}

func lookup(v markerValue, env Environment) (string, error) {
	if !v.variable {
		return v.text, nil
	}
	s, ok := env[v.text]
	if !ok {
		if v.text == "extra" {
			return "", nil
		}
		return "", fmt.Errorf("%w: %s is not defined in the environment", ErrUndefinedMarker, quote(v.text))
	}
	if v.text == "python_full_version" && strings.HasSuffix(s, "+") {
		// A Python built from a development checkout reports "3.13.0+".
		s += "local"
	}
	return s, nil
}

func evalCmp(c *markerCmp, env Environment) (bool, error) {
	lhs, err := lookup(c.lhs, env)
	if err != nil {
		return false, err
	}
	rhs, err := lookup(c.rhs, env)
	if err != nil {
		return false, err
	}
	if (c.lhs.variable && c.lhs.text == "extra") || (c.rhs.variable && c.rhs.text == "extra") {
		lhs, rhs = NormalizeName(lhs), NormalizeName(rhs)
	}
	switch c.op {
	case "in":
		return strings.Contains(rhs, lhs), nil
	case "not in":
		return !strings.Contains(rhs, lhs), nil
	case "===":
		return strings.EqualFold(lhs, rhs), nil
	}
	if sp, err := ParseSpecifier(c.op + rhs); err == nil {
		if v, err := Parse(lhs); err == nil {
			return sp.Contains(v, true), nil
		}
	}
	switch c.op {
	case "<":
		return lhs < rhs, nil
	case "<=":
		return lhs <= rhs, nil
	case "==":
		return lhs == rhs, nil
	case "!=":
		return lhs != rhs, nil
	case ">=":
		return lhs >= rhs, nil
	case ">":
		return lhs > rhs, nil
	}
	return false, fmt.Errorf("%w: %s %s %s is not a version comparison", ErrUndefinedMarker, quote(lhs), c.op, quote(rhs))
}
