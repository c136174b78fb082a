package pkgmeta

import (
	"bytes"
	"strings"
)

// IniSection is one [section] of an INI file such as setup.cfg, with its
// entries in file order.
type IniSection struct {
	Name    string     `json:"name"`
	Line    int        `json:"line"`
	Entries []IniEntry `json:"entries"`
}

// IniEntry is one "key = value" (or "key: value") entry. Key is lower-case,
// as Python's configparser makes it. Value keeps continuation lines joined
// by "\n" with their indentation removed; a value written only on
// continuation lines starts with "\n", as configparser gives it.
type IniEntry struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Line  int    `json:"line"`
}

// parseINI reads INI text the way Python's configparser does with its
// defaults (the way setuptools reads setup.cfg), leniently: "#" and ";"
// start comment lines, indented lines continue the previous value, empty
// lines inside a value are kept, and what configparser would refuse
// (entries outside a section, lines without a delimiter, duplicate sections
// or keys) is reported and skipped or merged. file names the file in
// problems.
func parseINI(data []byte, file string) ([]IniSection, []Problem) {
	var (
		ps       []Problem
		sections []IniSection
		sec      = -1 // index in sections
		ent      = -1 // index in sections[sec].Entries being continued
		entInd   int  // indentation of the entry's key line
		seenSec  = map[string]int{}
		seenKey  map[string]bool
		valLines []string
	)
	flush := func() {
		if sec >= 0 && ent >= 0 {
			for len(valLines) > 1 && valLines[len(valLines)-1] == "" {
				valLines = valLines[:len(valLines)-1]
			}
			sections[sec].Entries[ent].Value = strings.Join(valLines, "\n")
		}
		ent, valLines = -1, nil
	}
	lineNo := 0
	for len(data) > 0 {
		var raw []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			raw, data = data[:i], data[i+1:]
		} else {
			raw, data = data, nil
		}
		lineNo++
		line := strings.TrimRight(strings.ToValidUTF8(string(raw), "\uFFFD"), "\r")
		stripped := strings.TrimSpace(line)
		indent := len(line) - len(strings.TrimLeft(line, " \t"))
		if strings.HasPrefix(stripped, "#") || strings.HasPrefix(stripped, ";") {
			continue
		}
		if stripped == "" {
			if ent >= 0 {
				valLines = append(valLines, "")
			}
			continue
		}
		if ent >= 0 && indent > entInd {
			valLines = append(valLines, stripped)
			continue
		}
		flush()
		if strings.HasPrefix(stripped, "[") && strings.HasSuffix(stripped, "]") {
			name := strings.TrimSpace(stripped[1 : len(stripped)-1])
			if i, dup := seenSec[name]; dup {
				ps = append(ps, errorf(file, "line %d: section [%s] repeated (configparser refuses this); entries merged", lineNo, name))
				sec = i
				continue
			}
			sections = append(sections, IniSection{Name: name, Line: lineNo, Entries: []IniEntry{}})
			sec = len(sections) - 1
			seenSec[name] = sec
			seenKey = map[string]bool{}
			continue
		}
		if sec < 0 {
			ps = append(ps, errorf(file, "line %d: entry outside any [section] ignored", lineNo))
			continue
		}
		i := strings.IndexAny(stripped, "=:")
		if i <= 0 {
			ps = append(ps, errorf(file, "line %d: %q is not \"key = value\"; ignored", lineNo, truncate(stripped, 80)))
			continue
		}
		key := strings.ToLower(strings.TrimSpace(stripped[:i]))
		if seenKey[key] {
			ps = append(ps, errorf(file, "line %d: key %q repeated in [%s] (configparser refuses this); the last value is used", lineNo, key, sections[sec].Name))
			es := sections[sec].Entries
			for j := range es {
				if es[j].Key == key {
					sections[sec].Entries = append(es[:j:j], es[j+1:]...)
					break
				}
			}
		}
		seenKey[key] = true
		sections[sec].Entries = append(sections[sec].Entries, IniEntry{Key: key, Line: lineNo})
		ent, entInd = len(sections[sec].Entries)-1, indent
		valLines = []string{strings.TrimSpace(stripped[i+1:])}
	}
	flush()
	return sections, ps
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
