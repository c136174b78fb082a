package pkgmeta

import (
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
)

// SetupCfg is what PYTI reads from setuptools' setup.cfg: the [metadata]
// and [options] sections and their [options.*] subsections. Values given
// with a "file:" or "attr:" directive are not resolved: they are listed in
// Directives and the typed field stays empty. Sections keeps the whole file.
type SetupCfg struct {
	Metadata      SetupMetadata       `json:"metadata"`
	Options       SetupOptions        `json:"options"`
	ExtrasRequire map[string][]string `json:"extras_require,omitempty"`
	EntryPoints   map[string][]string `json:"entry_points,omitempty"`
	Directives    []Directive         `json:"directives,omitempty"`
	Sections      []IniSection        `json:"sections"`
}

// SetupMetadata is setup.cfg's [metadata] section.
type SetupMetadata struct {
	Name                       string       `json:"name,omitempty"`
	Version                    string       `json:"version,omitempty"`
	Description                string       `json:"description,omitempty"`
	LongDescription            string       `json:"long_description,omitempty"`
	LongDescriptionContentType string       `json:"long_description_content_type,omitempty"`
	Author                     string       `json:"author,omitempty"`
	AuthorEmail                string       `json:"author_email,omitempty"`
	Maintainer                 string       `json:"maintainer,omitempty"`
	MaintainerEmail            string       `json:"maintainer_email,omitempty"`
	License                    string       `json:"license,omitempty"`
	LicenseFiles               []string     `json:"license_files,omitempty"`
	URL                        string       `json:"url,omitempty"`
	DownloadURL                string       `json:"download_url,omitempty"`
	ProjectURLs                []ProjectURL `json:"project_urls,omitempty"`
	Classifiers                []string     `json:"classifiers,omitempty"`
	Keywords                   []string     `json:"keywords,omitempty"`
	Platforms                  []string     `json:"platforms,omitempty"`
}

// SetupOptions is setup.cfg's [options] section (with
// [options.packages.find] and [options.package_dir] folded in).
type SetupOptions struct {
	PythonRequires  string   `json:"python_requires,omitempty"`
	InstallRequires []string `json:"install_requires,omitempty"`
	SetupRequires   []string `json:"setup_requires,omitempty"`
	TestsRequire    []string `json:"tests_require,omitempty"`
	// Packages lists packages given explicitly; PackagesFind is "find:" or
	// "find_namespace:" when they are discovered instead.
	Packages     []string          `json:"packages,omitempty"`
	PackagesFind string            `json:"packages_find,omitempty"`
	FindWhere    []string          `json:"find_where,omitempty"`
	FindInclude  []string          `json:"find_include,omitempty"`
	FindExclude  []string          `json:"find_exclude,omitempty"`
	PackageDir   map[string]string `json:"package_dir,omitempty"`
	PyModules    []string          `json:"py_modules,omitempty"`
}

// Directive is a setup.cfg value given as "file: a, b" or "attr: pkg.x",
// recorded, not resolved.
type Directive struct {
	Section string   `json:"section"`
	Key     string   `json:"key"`
	Kind    string   `json:"kind"` // "file" or "attr"
	Args    []string `json:"args"`
}

// setupKeyAliases maps old or alternative setup.cfg keys to the ones
// setuptools documents.
var setupKeyAliases = map[string]string{
	"home_page": "url", "summary": "description", "classifier": "classifiers",
	"platform": "platforms", "license_file": "license_files",
	"description_file": "long_description",
}

// ParseSetupCfg reads setup.cfg. It never fails: malformed lines, invalid
// requirements, versions and names are reported as problems and the rest is
// still read. Input over MaxConfigBytes is refused with one problem. The
// returned SetupCfg is never nil.
func ParseSetupCfg(data []byte) (*SetupCfg, []Problem) {
	c := &SetupCfg{Sections: []IniSection{}}
	if len(data) > MaxConfigBytes {
		return c, []Problem{errorf("setup.cfg", "%v", tooLarge("%d bytes, more than %d", len(data), MaxConfigBytes))}
	}
	sections, ps := parseINI(data, "setup.cfg")
	c.Sections = sections
	s := &cfgReader{c: c, ps: ps}
	for _, sec := range sections {
		switch {
		case sec.Name == "metadata":
			s.metadata(sec)
		case sec.Name == "options":
			s.options(sec)
		case sec.Name == "options.extras_require":
			c.ExtrasRequire = map[string][]string{}
			for _, e := range sec.Entries {
				if s.directive(sec.Name, e) {
					c.ExtrasRequire[e.Key] = nil
					continue
				}
				if !pep440.ValidName(e.Key) {
					s.ps = append(s.ps, errorf("options.extras_require."+e.Key, "%q is not a valid extra name", e.Key))
				}
				c.ExtrasRequire[e.Key] = s.requirements("options.extras_require."+e.Key, e.Value)
			}
		case sec.Name == "options.entry_points":
			c.EntryPoints = map[string][]string{}
			for _, e := range sec.Entries {
				if s.directive(sec.Name, e) {
					continue
				}
				c.EntryPoints[e.Key] = splitCfgList(e.Value, ",")
			}
		case sec.Name == "options.packages.find":
			for _, e := range sec.Entries {
				switch e.Key {
				case "where":
					c.Options.FindWhere = splitCfgList(e.Value, ",")
				case "include":
					c.Options.FindInclude = splitCfgList(e.Value, ",")
				case "exclude":
					c.Options.FindExclude = splitCfgList(e.Value, ",")
				}
			}
		case sec.Name == "options.package_dir":
			c.Options.PackageDir = map[string]string{}
			for _, e := range sec.Entries {
				c.Options.PackageDir[e.Key] = strings.TrimSpace(e.Value)
			}
		}
	}
	return c, s.ps
}

type cfgReader struct {
	c  *SetupCfg
	ps []Problem
}

// key normalises an entry key: dashes become underscores (setuptools
// deprecates the dashed spelling) and aliases are resolved.
func (s *cfgReader) key(section string, e IniEntry) string {
	k := e.Key
	if strings.Contains(k, "-") {
		k = strings.ReplaceAll(k, "-", "_")
		s.ps = append(s.ps, warnf(section+"."+e.Key, "dashed key is deprecated by setuptools; use %q", k))
	}
	if a, ok := setupKeyAliases[k]; ok {
		k = a
	}
	return k
}

// directive records e if its value is a file: or attr: directive.
func (s *cfgReader) directive(section string, e IniEntry) bool {
	v := strings.TrimSpace(e.Value)
	for _, kind := range []string{"file", "attr"} {
		if rest, ok := strings.CutPrefix(v, kind+":"); ok {
			d := Directive{Section: section, Key: e.Key, Kind: kind, Args: splitCfgList(rest, ",")}
			if kind == "file" {
				for _, f := range d.Args {
					if !relativeInside(f) {
						s.ps = append(s.ps, errorf(section+"."+e.Key, "file: %q must be a relative path inside the project", f))
					}
				}
			}
			s.c.Directives = append(s.c.Directives, d)
			return true
		}
	}
	return false
}

func (s *cfgReader) metadata(sec IniSection) {
	m := &s.c.Metadata
	for _, e := range sec.Entries {
		k := s.key("metadata", e)
		if s.directive("metadata", e) {
			continue
		}
		v := strings.TrimSpace(e.Value)
		switch k {
		case "name":
			m.Name = v
			if !pep440.ValidName(v) {
				s.ps = append(s.ps, errorf("metadata.name", "%q is not a valid project name", v))
			}
		case "version":
			m.Version = v
			if _, err := pep440.Parse(v); err != nil {
				s.ps = append(s.ps, errorf("metadata.version", "%q is not a valid PEP 440 version: %v", v, err))
			}
		case "description":
			m.Description = v
		case "long_description":
			m.LongDescription = v
		case "long_description_content_type":
			m.LongDescriptionContentType = v
			if p, ok := checkContentType(v); !ok {
				p.Field = "metadata.long_description_content_type"
				s.ps = append(s.ps, p)
			}
		case "author":
			m.Author = v
		case "author_email":
			m.AuthorEmail = v
		case "maintainer":
			m.Maintainer = v
		case "maintainer_email":
			m.MaintainerEmail = v
		case "license":
			m.License = v
		case "license_files":
			m.LicenseFiles = splitCfgList(e.Value, ",")
		case "url":
			m.URL = v
		case "download_url":
			m.DownloadURL = v
		case "project_urls":
			for _, l := range splitCfgList(e.Value, "\n") {
				label, u, ok := strings.Cut(l, "=")
				if !ok {
					s.ps = append(s.ps, errorf("metadata.project_urls", "%q is not \"label = url\"", l))
					continue
				}
				m.ProjectURLs = append(m.ProjectURLs, ProjectURL{Label: strings.TrimSpace(label), URL: strings.TrimSpace(u)})
			}
		case "classifiers":
			m.Classifiers = splitCfgList(e.Value, ",")
		case "keywords":
			m.Keywords = splitCfgList(e.Value, ",")
		case "platforms":
			m.Platforms = splitCfgList(e.Value, ",")
		}
	}
}

func (s *cfgReader) options(sec IniSection) {
	o := &s.c.Options
	for _, e := range sec.Entries {
		k := s.key("options", e)
		if s.directive("options", e) {
			continue
		}
		v := strings.TrimSpace(e.Value)
		switch k {
		case "python_requires":
			o.PythonRequires = v
			if _, err := pep440.ParseSpecifiers(v); err != nil {
				s.ps = append(s.ps, errorf("options.python_requires", "%q is not a valid version specifier: %v", v, err))
			}
		case "install_requires":
			o.InstallRequires = s.requirements("options.install_requires", e.Value)
		case "setup_requires":
			o.SetupRequires = s.requirements("options.setup_requires", e.Value)
		case "tests_require":
			o.TestsRequire = s.requirements("options.tests_require", e.Value)
			s.ps = append(s.ps, infof("options.tests_require", "deprecated and ignored by setuptools; PYTI still uses it to find test dependencies"))
		case "packages":
			if v == "find:" || v == "find_namespace:" {
				o.PackagesFind = v
				continue
			}
			o.Packages = splitCfgList(e.Value, ",")
		case "py_modules":
			o.PyModules = splitCfgList(e.Value, ",")
		case "package_dir":
			o.PackageDir = map[string]string{}
			for _, l := range splitCfgList(e.Value, "\n") {
				pkg, dir, ok := strings.Cut(l, "=")
				if !ok {
					s.ps = append(s.ps, errorf("options.package_dir", "%q is not \"package = directory\"", l))
					continue
				}
				o.PackageDir[strings.TrimSpace(pkg)] = strings.TrimSpace(dir)
			}
		}
	}
}

// requirements parses a setuptools "list-semi" requirements value: one per
// line, or separated by ";" on a single line; comment lines are dropped.
// Like setuptools, it warns when a single line looks like a requirement
// whose environment marker was split off by the ";". Then, as setuptools
// reads requirement lines (pkg_resources' parse_strings), a " #" starts a
// comment and a line ending in "\" goes on on the next one: jaraco's
// skeleton (importlib_resources 5.12, zipp 3.15) writes
// "pytest-flake8; \", a comment line, then its marker.
func (s *cfgReader) requirements(field, value string) []string {
	items := splitCfgList(value, ";")
	out := make([]string, 0, len(items))
	for _, it := range items {
		if strings.HasPrefix(it, "#") {
			continue
		}
		if before, _, ok := strings.Cut(it, " #"); ok {
			it = strings.TrimSpace(before)
		}
		if n := len(out); n > 0 && strings.HasSuffix(out[n-1], "\\") {
			out[n-1] = strings.TrimSpace(strings.TrimSuffix(out[n-1], "\\")) + " " + it
			continue
		}
		out = append(out, it)
	}
	if n := len(out); n > 0 && strings.HasSuffix(out[n-1], "\\") {
		// setuptools drops a continuation that nothing follows.
		out = out[:n-1]
	}
	if !strings.Contains(value, "\n") && len(out) == 2 {
		if _, err := pep440.ParseMarker(out[1]); err == nil {
			s.ps = append(s.ps, warnf(field, "%q is read as two requirements; put the requirement on its own line so that %q stays its environment marker", strings.TrimSpace(value), out[1]))
		}
	}
	for _, r := range out {
		if _, err := pep440.ParseRequirement(r); err != nil {
			s.ps = append(s.ps, errorf(field, "%q is not a valid PEP 508 requirement: %v", r, err))
		}
	}
	return out
}

// splitCfgList splits a setuptools list value: by lines when it has
// several, otherwise by sep; items are trimmed and empty ones dropped.
func splitCfgList(value, sep string) []string {
	var parts []string
	if strings.Contains(value, "\n") {
		parts = strings.Split(value, "\n")
	} else {
		parts = strings.Split(value, sep)
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// sortedKeys returns m's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
