package tasks

import (
	"bytes"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
)

// defaultExclude is coverage.py's own exclusion pattern, which a project's exclude_lines replaces
// and its exclude_also adds to.
const defaultExclude = `#\s*(pragma|PRAGMA)[:\s]?\s*(no|NO)\s*(cover|COVER)`

// projectExclusions are the exclude_lines of coverage's report that the project's configuration
// sets (exclude_also added to coverage's default), read from the file coverage itself would read
// in the tree: .coveragerc, else the first of setup.cfg, tox.ini and pyproject.toml that holds
// coverage's settings. Nil when the project sets none: coverage's default then. PYTI writes its
// own configuration, so without them lines the maintainers exclude (raise NotImplementedError,
// if TYPE_CHECKING:) would count as missed.
func projectExclusions(root string) []string {
	var lines, also []string
	found := false
	if data, err := readCapped(filepath.Join(root, ".coveragerc"), 4<<20); err == nil {
		found = true
		for _, section := range []string{"report", "coverage:report"} {
			lines = append(lines, iniPatterns(iniValue(string(data), section, "exclude_lines"))...)
			also = append(also, iniPatterns(iniValue(string(data), section, "exclude_also"))...)
		}
	}
	for _, name := range []string{"setup.cfg", "tox.ini"} {
		if found {
			break
		}
		data, err := readCapped(filepath.Join(root, name), 4<<20)
		if err != nil || !bytes.Contains(data, []byte("[coverage:")) {
			continue
		}
		found = true
		lines = iniPatterns(iniValue(string(data), "coverage:report", "exclude_lines"))
		also = iniPatterns(iniValue(string(data), "coverage:report", "exclude_also"))
	}
	if !found {
		var pp struct {
			Tool struct {
				Coverage map[string]any `toml:"coverage"`
			} `toml:"tool"`
		}
		if data, err := readCapped(filepath.Join(root, "pyproject.toml"), 4<<20); err == nil {
			if _, err := toml.Decode(string(data), &pp); err == nil && pp.Tool.Coverage != nil {
				report, _ := pp.Tool.Coverage["report"].(map[string]any)
				lines, also = tomlStrings(report["exclude_lines"]), tomlStrings(report["exclude_also"])
			}
		}
	}
	if len(lines) == 0 && len(also) == 0 {
		return nil
	}
	if len(lines) == 0 {
		lines = []string{defaultExclude}
	}
	return append(lines, also...)
}

// iniPatterns are the non-empty lines of a multi-line INI value.
func iniPatterns(vals []string) []string {
	var out []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// tomlStrings is a TOML array of strings (or one string).
func tomlStrings(v any) []string {
	var out []string
	switch v := v.(type) {
	case string:
		out = append(out, v)
	case []any:
		for _, e := range v {
			if s, ok := e.(string); ok && strings.TrimSpace(s) != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// iniSafePattern keeps a pattern whole on a line of an INI value: a leading # or ; would make
// it a comment there, so it is written as the one-character class that matches the same.
func iniSafePattern(p string) string {
	p = strings.TrimSpace(p)
	if strings.HasPrefix(p, "#") || strings.HasPrefix(p, ";") {
		return "[" + p[:1] + "]" + p[1:]
	}
	return p
}
