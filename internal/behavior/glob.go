package behavior

import (
	"path"
	"strings"
)

// glob is a compiled path pattern: "/" separated segments, each a path.Match pattern, where
// a "**" segment matches any number of segments (zero included).
type glob struct {
	raw  string
	segs []string
}

func newGlob(p string) (glob, error) {
	segs := strings.Split(p, "/")
	for _, s := range segs {
		if s == "**" {
			continue
		}
		if _, err := path.Match(s, ""); err != nil {
			return glob{}, err
		}
	}
	return glob{raw: p, segs: segs}, nil
}

func (g glob) match(name string) bool {
	if name == "" {
		return false
	}
	return matchSegs(g.segs, strings.Split(name, "/"))
}

func matchSegs(pat, name []string) bool {
	for len(pat) > 0 {
		if pat[0] == "**" {
			rest := pat[1:]
			if len(rest) == 0 {
				return true
			}
			for i := 0; i <= len(name); i++ {
				if matchSegs(rest, name[i:]) {
					return true
				}
			}
			return false
		}
		if len(name) == 0 {
			return false
		}
		if ok, _ := path.Match(pat[0], name[0]); !ok {
			return false
		}
		pat, name = pat[1:], name[1:]
	}
	return len(name) == 0
}

// expandPattern replaces the leading variable of a path pattern with each directory of the
// evaluation context: "~" (the sandbox HOME), "$WORK", "$SITE", "$TMP". A pattern whose variable
// has no directory expands to nothing.
func expandPattern(p string, ctx *EvalContext) []string {
	var dirs []string
	var rest string
	switch {
	case p == "~" || strings.HasPrefix(p, "~/"):
		if ctx.Home == "" {
			return nil
		}
		dirs, rest = []string{ctx.Home}, p[1:]
	case hasVar(p, "$WORK"):
		dirs, rest = ctx.WorkDirs, p[len("$WORK"):]
	case hasVar(p, "$SITE"):
		dirs, rest = ctx.SitePackages, p[len("$SITE"):]
	case hasVar(p, "$TMP"):
		dirs, rest = ctx.tempDirs(), p[len("$TMP"):]
	default:
		return []string{p}
	}
	out := make([]string, 0, len(dirs))
	for _, d := range dirs {
		d = strings.TrimRight(path.Clean(d), "/")
		out = append(out, escapeGlob(d)+rest)
	}
	return out
}

func hasVar(p, v string) bool {
	return p == v || strings.HasPrefix(p, v+"/")
}

// escapeGlob quotes the pattern characters of a literal directory.
func escapeGlob(s string) string {
	if !strings.ContainsAny(s, `*?[\`) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`*?[\`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}
