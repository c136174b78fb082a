package pkgmeta

import "strings"

// EggRequirement is one requirement of setuptools' egg-info requires.txt with its section: ""
// for install_requires, "extra" or "extra:marker" for an extras_require entry.
type EggRequirement struct {
	Section string
	Line    string
}

// Extra and Marker split the section: "test:python_version < \"3.8\"" is extra "test" with that
// marker; the install requirements have neither.
func (r EggRequirement) Extra() string  { e, _, _ := strings.Cut(r.Section, ":"); return e }
func (r EggRequirement) Marker() string { _, m, _ := strings.Cut(r.Section, ":"); return m }

// ParseEggRequires reads a requires.txt, in file order, blank lines and comments left out.
func ParseEggRequires(data string) []EggRequirement {
	var out []EggRequirement
	section := ""
	for _, line := range strings.Split(strings.ReplaceAll(data, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = line[1 : len(line)-1]
			continue
		}
		out = append(out, EggRequirement{Section: section, Line: line})
	}
	return out
}
