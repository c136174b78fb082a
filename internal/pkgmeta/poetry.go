package pkgmeta

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
)

// poetryGroups reads Poetry's development dependencies from [tool.poetry]: the legacy
// dev-dependencies table, as the group "dev", and each [tool.poetry.group.NAME.dependencies],
// sorted by name. Each dependency becomes a PEP 508 requirement (see poetryRequirement); one that
// names no index distribution (a path, a git URL) or whose constraint does not convert is left
// out.
func poetryGroups(tool map[string]any) []DependencyGroup {
	poetry, ok := tool["poetry"].(map[string]any)
	if !ok {
		return nil
	}
	var out []DependencyGroup
	if deps, ok := poetry["dev-dependencies"].(map[string]any); ok {
		out = append(out, DependencyGroup{Name: "dev", Requirements: poetryRequirements(deps)})
	}
	if groups, ok := poetry["group"].(map[string]any); ok {
		for _, name := range sortedKeys(groups) {
			gt, _ := groups[name].(map[string]any)
			if deps, ok := gt["dependencies"].(map[string]any); ok {
				out = append(out, DependencyGroup{Name: name, Requirements: poetryRequirements(deps)})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// poetryRequirements converts one Poetry dependencies table, in name order.
func poetryRequirements(deps map[string]any) []string {
	out := []string{}
	for _, n := range sortedKeys(deps) {
		if r, ok := poetryRequirement(n, deps[n]); ok {
			out = append(out, r)
		}
	}
	return out
}

// poetryRequirement is the PEP 508 requirement for one Poetry dependency: a constraint string,
// or a table with version, extras and markers (python becomes a python_version marker). false
// for python itself, a path, git or url dependency, a list of alternatives, or a constraint that
// does not convert.
func poetryRequirement(name string, v any) (string, bool) {
	if strings.EqualFold(name, "python") {
		return "", false
	}
	var constraint, markers string
	var extras []string
	switch d := v.(type) {
	case string:
		constraint = d
	case map[string]any:
		for _, k := range []string{"path", "git", "url", "file"} {
			if _, ok := d[k]; ok {
				return "", false
			}
		}
		constraint, _ = d["version"].(string)
		if m, ok := d["markers"].(string); ok {
			markers = m
		}
		if py, ok := d["python"].(string); ok {
			spec, ok := poetryConstraint(py)
			if !ok {
				return "", false
			}
			var ms []string
			for _, c := range strings.Split(spec, ",") {
				if c != "" {
					ms = append(ms, fmt.Sprintf("python_version %s %q", c[:opLen(c)], c[opLen(c):]))
				}
			}
			if markers != "" {
				ms = append(ms, markers)
			}
			markers = strings.Join(ms, " and ")
		}
		if es, ok := d["extras"].([]any); ok {
			for _, e := range es {
				if s, ok := e.(string); ok {
					extras = append(extras, s)
				}
			}
		}
	default:
		return "", false
	}
	spec, ok := poetryConstraint(constraint)
	if !ok {
		return "", false
	}
	req := name
	if len(extras) > 0 {
		req += "[" + strings.Join(extras, ",") + "]"
	}
	req += spec
	if markers != "" {
		req += "; " + markers
	}
	if _, err := pep440.ParseRequirement(req); err != nil {
		return "", false
	}
	return req, true
}

// opLen is the length of the comparison operator that starts a PEP 440 specifier.
func opLen(c string) int {
	for _, op := range []string{"===", "~=", "==", "!=", "<=", ">=", "<", ">"} {
		if strings.HasPrefix(c, op) {
			return len(op)
		}
	}
	return 0
}

// poetryConstraint converts a Poetry version constraint to a PEP 440 specifier set ("" for any
// version): "*", "^1.2.3" (>=1.2.3,<2.0.0; the first non-zero part is kept), "~1.2"
// (>=1.2,<1.3), "1.2.*", a bare version (==), and comparisons separated by commas or spaces.
// Alternatives ("||") do not convert.
func poetryConstraint(c string) (string, bool) {
	c = strings.TrimSpace(c)
	if c == "" || c == "*" {
		return "", true
	}
	if strings.Contains(c, "||") {
		return "", false
	}
	var parts []string
	for _, f := range strings.Fields(strings.ReplaceAll(c, ",", " ")) {
		// ">= 1.2": join an operator written apart to the version after it.
		if n := len(parts); n > 0 && opLen(parts[n-1]) == len(parts[n-1]) {
			parts[n-1] += f
			continue
		}
		parts = append(parts, f)
	}
	var out []string
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p, "^"):
			lo, hi, ok := caretBounds(p[1:])
			if !ok {
				return "", false
			}
			out = append(out, ">="+lo, "<"+hi)
		case strings.HasPrefix(p, "~") && !strings.HasPrefix(p, "~="):
			lo, hi, ok := tildeBounds(p[1:])
			if !ok {
				return "", false
			}
			out = append(out, ">="+lo, "<"+hi)
		case opLen(p) > 0:
			out = append(out, p)
		default:
			out = append(out, "=="+p)
		}
	}
	spec := strings.Join(out, ",")
	if _, err := pep440.ParseRequirement("x" + spec); err != nil {
		return "", false
	}
	return spec, true
}

// releaseParts are the numbers of a plain release version ("1.2.3"), or false.
func releaseParts(v string) ([]int, bool) {
	var out []int
	for _, s := range strings.Split(v, ".") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return nil, false
		}
		out = append(out, n)
	}
	return out, len(out) > 0
}

// caretBounds are Poetry's bounds of ^v: v up to the next change of its first non-zero part.
func caretBounds(v string) (string, string, bool) {
	ps, ok := releaseParts(v)
	if !ok {
		return "", "", false
	}
	i := 0
	for i < len(ps)-1 && ps[i] == 0 {
		i++
	}
	return v, bump(ps, i), true
}

// tildeBounds are Poetry's bounds of ~v: the next minor version, or the next major one when v
// has only a major part.
func tildeBounds(v string) (string, string, bool) {
	ps, ok := releaseParts(v)
	if !ok {
		return "", "", false
	}
	i := 1
	if len(ps) == 1 {
		i = 0
	}
	return v, bump(ps, i), true
}

// bump is the version whose part i is one more than ps's and whose later parts are 0, with as
// many parts as ps (at least i+1).
func bump(ps []int, i int) string {
	n := len(ps)
	if n < i+1 {
		n = i + 1
	}
	parts := make([]string, n)
	for k := range parts {
		switch {
		case k < i:
			parts[k] = strconv.Itoa(ps[k])
		case k == i:
			parts[k] = strconv.Itoa(ps[k] + 1)
		default:
			parts[k] = "0"
		}
	}
	return strings.Join(parts, ".")
}
