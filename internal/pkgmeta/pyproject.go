package pkgmeta

import (
	"fmt"
	"path"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/pyti/pyti/internal/pep440"
)

// Pyproject is what PYTI reads from pyproject.toml. Sections absent from the
// file are nil.
type Pyproject struct {
	BuildSystem *BuildSystem `json:"build_system,omitempty"`
	Project     *Project     `json:"project,omitempty"`
	// DependencyGroups are the PEP 735 groups, sorted by name, with their
	// include-group entries expanded.
	DependencyGroups []DependencyGroup `json:"dependency_groups,omitempty"`
	// PoetryGroups are Poetry's development dependencies ([tool.poetry.dev-dependencies] as
	// "dev", [tool.poetry.group.NAME.dependencies]), sorted by name, as PEP 508 requirements.
	PoetryGroups []DependencyGroup `json:"poetry_groups,omitempty"`
	// ToolGroups are the development environments of Hatch, PDM and uv ([tool.hatch.envs.*],
	// [tool.pdm.dev-dependencies], [tool.uv] dev-dependencies), sorted by name, as PEP 508
	// requirements: see toolGroups.
	ToolGroups []DependencyGroup `json:"tool_groups,omitempty"`
	// Tools names the [tool.*] tables present, sorted.
	Tools []string `json:"tools,omitempty"`
}

// BuildSystem is the PEP 517/518 [build-system] table.
type BuildSystem struct {
	Requires     []string `json:"requires"`
	BuildBackend string   `json:"build_backend,omitempty"`
	BackendPath  []string `json:"backend_path,omitempty"`
}

// Project is the PEP 621 [project] table.
type Project struct {
	Name                 string                       `json:"name"`
	Version              string                       `json:"version,omitempty"`
	Description          string                       `json:"description,omitempty"`
	Readme               *Readme                      `json:"readme,omitempty"`
	RequiresPython       string                       `json:"requires_python,omitempty"`
	License              *License                     `json:"license,omitempty"`
	LicenseFiles         []string                     `json:"license_files,omitempty"`
	Authors              []Contact                    `json:"authors,omitempty"`
	Maintainers          []Contact                    `json:"maintainers,omitempty"`
	Keywords             []string                     `json:"keywords,omitempty"`
	Classifiers          []string                     `json:"classifiers,omitempty"`
	URLs                 []ProjectURL                 `json:"urls,omitempty"`
	Scripts              map[string]string            `json:"scripts,omitempty"`
	GUIScripts           map[string]string            `json:"gui_scripts,omitempty"`
	EntryPoints          map[string]map[string]string `json:"entry_points,omitempty"`
	Dependencies         []string                     `json:"dependencies,omitempty"`
	OptionalDependencies map[string][]string          `json:"optional_dependencies,omitempty"`
	Dynamic              []string                     `json:"dynamic,omitempty"`
}

// Readme is project.readme: a file (with its content type, given or
// inferred from the extension) or inline text.
type Readme struct {
	File        string `json:"file,omitempty"`
	Text        string `json:"text,omitempty"`
	ContentType string `json:"content_type,omitempty"`
}

// License is project.license: an SPDX expression (PEP 639, the string
// form) or the older table form with a file or text.
type License struct {
	Expression string `json:"expression,omitempty"`
	File       string `json:"file,omitempty"`
	Text       string `json:"text,omitempty"`
}

// Contact is one entry of project.authors or project.maintainers.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Email string `json:"email,omitempty"`
}

// DependencyGroup is one PEP 735 group. Includes lists the groups it
// includes, as written; Requirements is the group fully expanded, in order
// (its own entries and those of included groups where they are included).
type DependencyGroup struct {
	Name string `json:"name"`
	// Tool is the tool whose table holds a group of ToolGroups: "hatch", "pdm" or "uv".
	Tool string `json:"tool,omitempty"`
	// Commands are the command lines of a Hatch environment's scripts (its own and those of the
	// environments it inherits from), in their names' order.
	Commands     []string `json:"commands,omitempty"`
	Includes     []string `json:"includes,omitempty"`
	Requirements []string `json:"requirements"`
}

// Group returns the dependency group whose normalised name matches name, or
// nil.
func (p *Pyproject) Group(name string) *DependencyGroup {
	if p == nil {
		return nil
	}
	n := pep440.NormalizeName(name)
	for i := range p.DependencyGroups {
		if pep440.NormalizeName(p.DependencyGroups[i].Name) == n {
			return &p.DependencyGroups[i]
		}
	}
	return nil
}

// projectKeys are the keys PEP 621 (and PEP 639) define for [project].
var projectKeys = map[string]bool{
	"name": true, "version": true, "description": true, "readme": true,
	"requires-python": true, "license": true, "license-files": true,
	"authors": true, "maintainers": true, "keywords": true,
	"classifiers": true, "urls": true, "scripts": true, "gui-scripts": true,
	"entry-points": true, "dependencies": true,
	"optional-dependencies": true, "dynamic": true,
}

// ParsePyproject reads pyproject.toml. It never fails: invalid TOML, input
// over MaxPyprojectBytes or nested deeper than MaxTOMLDepth gives an empty
// Pyproject and one error Problem; wrong types and invalid values are
// reported and the rest is still read. The returned Pyproject is never nil.
func ParsePyproject(data []byte) (*Pyproject, []Problem) {
	p := &Pyproject{}
	if len(data) > MaxPyprojectBytes {
		return p, []Problem{errorf("pyproject.toml", "%v", tooLarge("%d bytes, more than %d", len(data), MaxPyprojectBytes))}
	}
	if d := tomlDepth(data); d > MaxTOMLDepth {
		return p, []Problem{errorf("pyproject.toml", "%v", tooLarge("nested %d deep, more than %d", d, MaxTOMLDepth))}
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return p, []Problem{errorf("pyproject.toml", "invalid TOML: %v", err)}
	}
	r := &tomlReader{}
	if bs, ok := r.table(doc, "build-system", "build-system"); ok {
		p.BuildSystem = r.buildSystem(bs)
	} else {
		r.ps = append(r.ps, infof("build-system", "no [build-system] table; pip falls back to setuptools' legacy backend"))
	}
	if pt, ok := r.table(doc, "project", "project"); ok {
		p.Project = r.project(pt)
	}
	if dg, ok := r.table(doc, "dependency-groups", "dependency-groups"); ok {
		p.DependencyGroups = r.dependencyGroups(dg)
	}
	if tt, ok := r.table(doc, "tool", "tool"); ok {
		for k := range tt {
			p.Tools = append(p.Tools, k)
		}
		sort.Strings(p.Tools)
		p.PoetryGroups = poetryGroups(tt)
		var extras map[string][]string
		if p.Project != nil {
			extras = p.Project.OptionalDependencies
		}
		p.ToolGroups = toolGroups(tt, extras)
	}
	return p, r.ps
}

// tomlReader extracts typed values from decoded TOML, recording type
// problems.
type tomlReader struct {
	ps []Problem
}

func (r *tomlReader) table(t map[string]any, key, field string) (map[string]any, bool) {
	v, ok := t[key]
	if !ok {
		return nil, false
	}
	m, ok := v.(map[string]any)
	if !ok {
		r.ps = append(r.ps, errorf(field, "must be a table, not %s", tomlType(v)))
		return nil, false
	}
	return m, true
}

func (r *tomlReader) str(t map[string]any, key, field string) string {
	v, ok := t[key]
	if !ok {
		return ""
	}
	s, ok := v.(string)
	if !ok {
		r.ps = append(r.ps, errorf(field, "must be a string, not %s", tomlType(v)))
		return ""
	}
	return s
}

func (r *tomlReader) strList(t map[string]any, key, field string) []string {
	v, ok := t[key]
	if !ok {
		return nil
	}
	arr, ok := asArray(v)
	if !ok {
		r.ps = append(r.ps, errorf(field, "must be an array of strings, not %s", tomlType(v)))
		return nil
	}
	out := make([]string, 0, len(arr))
	for i, e := range arr {
		s, ok := e.(string)
		if !ok {
			r.ps = append(r.ps, errorf(field, "entry %d must be a string, not %s", i, tomlType(e)))
			continue
		}
		out = append(out, s)
	}
	return out
}

func (r *tomlReader) strMap(t map[string]any, key, field string) map[string]string {
	m, ok := r.table(t, key, field)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		s, ok := v.(string)
		if !ok {
			r.ps = append(r.ps, errorf(field+"."+k, "must be a string, not %s", tomlType(v)))
			continue
		}
		out[k] = s
	}
	return out
}

func (r *tomlReader) requirements(field string, reqs []string) {
	for _, s := range reqs {
		if _, err := pep440.ParseRequirement(s); err != nil {
			r.ps = append(r.ps, errorf(field, "%q is not a valid PEP 508 requirement: %v", s, err))
		}
	}
}

func (r *tomlReader) buildSystem(t map[string]any) *BuildSystem {
	bs := &BuildSystem{
		Requires:     r.strList(t, "requires", "build-system.requires"),
		BuildBackend: r.str(t, "build-backend", "build-system.build-backend"),
		BackendPath:  r.strList(t, "backend-path", "build-system.backend-path"),
	}
	if _, ok := t["requires"]; !ok {
		r.ps = append(r.ps, errorf("build-system.requires", "missing (PEP 518 makes it mandatory)"))
	}
	r.requirements("build-system.requires", bs.Requires)
	if bs.BuildBackend == "" {
		r.ps = append(r.ps, infof("build-system.build-backend", "not set; pip uses setuptools' legacy backend"))
	}
	for _, bp := range bs.BackendPath {
		if !relativeInside(bp) {
			r.ps = append(r.ps, errorf("build-system.backend-path", "%q must be a relative path inside the project", bp))
		}
	}
	return bs
}

func (r *tomlReader) project(t map[string]any) *Project {
	p := &Project{
		Name:           r.str(t, "name", "project.name"),
		Version:        r.str(t, "version", "project.version"),
		Description:    r.str(t, "description", "project.description"),
		RequiresPython: r.str(t, "requires-python", "project.requires-python"),
		LicenseFiles:   r.strList(t, "license-files", "project.license-files"),
		Keywords:       r.strList(t, "keywords", "project.keywords"),
		Classifiers:    r.strList(t, "classifiers", "project.classifiers"),
		Scripts:        r.strMap(t, "scripts", "project.scripts"),
		GUIScripts:     r.strMap(t, "gui-scripts", "project.gui-scripts"),
		Dependencies:   r.strList(t, "dependencies", "project.dependencies"),
		Dynamic:        r.strList(t, "dynamic", "project.dynamic"),
		Authors:        r.contacts(t, "authors"),
		Maintainers:    r.contacts(t, "maintainers"),
		Readme:         r.readme(t),
		License:        r.license(t),
	}
	var unknown []string
	for k := range t {
		if !projectKeys[k] {
			unknown = append(unknown, k)
		}
	}
	sort.Strings(unknown)
	for _, k := range unknown {
		r.ps = append(r.ps, warnf("project."+k, "not a key PEP 621 defines"))
	}

	dynamic := map[string]bool{}
	for _, d := range p.Dynamic {
		dynamic[d] = true
		switch {
		case d == "name":
			r.ps = append(r.ps, errorf("project.dynamic", "name must not be dynamic"))
		case !projectKeys[d] || d == "dynamic":
			r.ps = append(r.ps, errorf("project.dynamic", "%q is not a [project] field", d))
		case t[d] != nil:
			r.ps = append(r.ps, errorf("project."+d, "given statically and also listed in project.dynamic"))
		}
	}

	switch {
	case p.Name == "":
		r.ps = append(r.ps, errorf("project.name", "missing"))
	case !pep440.ValidName(p.Name):
		r.ps = append(r.ps, errorf("project.name", "%q is not a valid project name", p.Name))
	}
	switch {
	case p.Version == "" && !dynamic["version"]:
		r.ps = append(r.ps, errorf("project.version", "missing and not listed in project.dynamic"))
	case p.Version != "":
		if _, err := pep440.Parse(p.Version); err != nil {
			r.ps = append(r.ps, errorf("project.version", "%q is not a valid PEP 440 version: %v", p.Version, err))
		}
	}
	if p.RequiresPython != "" {
		if _, err := pep440.ParseSpecifiers(p.RequiresPython); err != nil {
			r.ps = append(r.ps, errorf("project.requires-python", "%q is not a valid version specifier: %v", p.RequiresPython, err))
		}
	}
	r.requirements("project.dependencies", p.Dependencies)

	if od, ok := r.table(t, "optional-dependencies", "project.optional-dependencies"); ok {
		p.OptionalDependencies = map[string][]string{}
		for extra := range od {
			field := "project.optional-dependencies." + extra
			if !pep440.ValidName(extra) {
				r.ps = append(r.ps, errorf(field, "%q is not a valid extra name", extra))
			}
			reqs := r.strList(od, extra, field)
			r.requirements(field, reqs)
			p.OptionalDependencies[extra] = reqs
		}
	}
	if urls := r.strMap(t, "urls", "project.urls"); urls != nil {
		for label, u := range urls {
			p.URLs = append(p.URLs, ProjectURL{Label: label, URL: u})
		}
		sort.Slice(p.URLs, func(i, j int) bool { return p.URLs[i].Label < p.URLs[j].Label })
	}
	if ep, ok := r.table(t, "entry-points", "project.entry-points"); ok {
		p.EntryPoints = map[string]map[string]string{}
		for group := range ep {
			if group == "console_scripts" || group == "gui_scripts" {
				r.ps = append(r.ps, errorf("project.entry-points."+group, "must be given as project.scripts or project.gui-scripts"))
			}
			p.EntryPoints[group] = r.strMap(ep, group, "project.entry-points."+group)
		}
	}
	return p
}

func (r *tomlReader) contacts(t map[string]any, key string) []Contact {
	field := "project." + key
	v, ok := t[key]
	if !ok {
		return nil
	}
	arr, ok := asArray(v)
	if !ok {
		r.ps = append(r.ps, errorf(field, "must be an array of tables, not %s", tomlType(v)))
		return nil
	}
	var out []Contact
	for i, e := range arr {
		m, ok := e.(map[string]any)
		if !ok {
			r.ps = append(r.ps, errorf(field, "entry %d must be a table with name and/or email, not %s", i, tomlType(e)))
			continue
		}
		for k := range m {
			if k != "name" && k != "email" {
				r.ps = append(r.ps, errorf(field, "entry %d has unknown key %q (only name and email)", i, k))
			}
		}
		c := Contact{Name: r.str(m, "name", field+".name"), Email: r.str(m, "email", field+".email")}
		if c.Name == "" && c.Email == "" {
			r.ps = append(r.ps, errorf(field, "entry %d has neither name nor email", i))
		}
		out = append(out, c)
	}
	return out
}

// readmeTypes maps readme file extensions to content types, as PEP 621
// requires tools to infer them.
var readmeTypes = map[string]string{".md": "text/markdown", ".rst": "text/x-rst", ".txt": "text/plain"}

func (r *tomlReader) readme(t map[string]any) *Readme {
	v, ok := t["readme"]
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case string:
		rd := &Readme{File: x, ContentType: readmeTypes[strings.ToLower(path.Ext(x))]}
		if rd.ContentType == "" {
			r.ps = append(r.ps, errorf("project.readme", "cannot tell the content type of %q (use .md, .rst or .txt, or a table with content-type)", x))
		}
		return rd
	case map[string]any:
		rd := &Readme{
			File:        r.str(x, "file", "project.readme.file"),
			Text:        r.str(x, "text", "project.readme.text"),
			ContentType: r.str(x, "content-type", "project.readme.content-type"),
		}
		_, hasFile := x["file"]
		_, hasText := x["text"]
		switch {
		case hasFile && hasText:
			r.ps = append(r.ps, errorf("project.readme", "has both file and text"))
		case !hasFile && !hasText:
			r.ps = append(r.ps, errorf("project.readme", "has neither file nor text"))
		}
		if rd.ContentType == "" {
			r.ps = append(r.ps, errorf("project.readme.content-type", "missing (required in the table form)"))
		} else if p, ok := checkContentType(rd.ContentType); !ok {
			p.Field = "project.readme.content-type"
			r.ps = append(r.ps, p)
		}
		return rd
	default:
		r.ps = append(r.ps, errorf("project.readme", "must be a string or a table, not %s", tomlType(v)))
		return nil
	}
}

func (r *tomlReader) license(t map[string]any) *License {
	v, ok := t["license"]
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case string:
		if strings.TrimSpace(x) == "" {
			r.ps = append(r.ps, errorf("project.license", "empty license expression"))
		}
		return &License{Expression: x}
	case map[string]any:
		l := &License{File: r.str(x, "file", "project.license.file"), Text: r.str(x, "text", "project.license.text")}
		_, hasFile := x["file"]
		_, hasText := x["text"]
		switch {
		case hasFile && hasText:
			r.ps = append(r.ps, errorf("project.license", "has both file and text"))
		case !hasFile && !hasText:
			r.ps = append(r.ps, errorf("project.license", "has neither file nor text"))
		}
		r.ps = append(r.ps, infof("project.license", "the table form is deprecated by PEP 639; use an SPDX expression string"))
		return l
	default:
		r.ps = append(r.ps, errorf("project.license", "must be a string or a table, not %s", tomlType(v)))
		return nil
	}
}

// dependencyGroups reads [dependency-groups] and expands include-group
// entries, reporting unknown includes and cycles (PEP 735).
func (r *tomlReader) dependencyGroups(t map[string]any) []DependencyGroup {
	type entry struct {
		req     string
		include string
	}
	type group struct {
		name    string
		entries []entry
	}
	groups := map[string]*group{} // by normalised name
	names := make([]string, 0, len(t))
	for name := range t {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		field := "dependency-groups." + name
		if !pep440.ValidName(name) {
			r.ps = append(r.ps, errorf(field, "%q is not a valid group name", name))
		}
		n := pep440.NormalizeName(name)
		if prev, dup := groups[n]; dup {
			r.ps = append(r.ps, errorf(field, "duplicate group: %q and %q normalise to the same name", prev.name, name))
			continue
		}
		arr, ok := asArray(t[name])
		if !ok {
			r.ps = append(r.ps, errorf(field, "must be an array, not %s", tomlType(t[name])))
			continue
		}
		g := &group{name: name}
		for i, e := range arr {
			switch x := e.(type) {
			case string:
				if _, err := pep440.ParseRequirement(x); err != nil {
					r.ps = append(r.ps, errorf(field, "%q is not a valid PEP 508 requirement: %v", x, err))
				}
				g.entries = append(g.entries, entry{req: x})
			case map[string]any:
				inc, ok := x["include-group"].(string)
				if !ok || len(x) != 1 {
					r.ps = append(r.ps, errorf(field, "entry %d: a table entry must have exactly one key, include-group, with a string value", i))
					continue
				}
				g.entries = append(g.entries, entry{include: inc})
			default:
				r.ps = append(r.ps, errorf(field, "entry %d must be a string or an include-group table, not %s", i, tomlType(e)))
			}
		}
		groups[n] = g
	}

	const (
		unvisited = iota
		visiting
		done
	)
	state := map[string]int{}
	expanded := map[string][]string{}
	var expand func(n string, stack []string) []string
	expand = func(n string, stack []string) []string {
		g := groups[n]
		switch state[n] {
		case done:
			return expanded[n]
		case visiting:
			return nil // reported by the caller
		}
		state[n] = visiting
		stack = append(stack, g.name)
		reqs := []string{}
		for _, e := range g.entries {
			if e.include == "" {
				reqs = append(reqs, e.req)
				continue
			}
			in := pep440.NormalizeName(e.include)
			ig, ok := groups[in]
			switch {
			case !ok:
				r.ps = append(r.ps, errorf("dependency-groups."+g.name, "includes unknown group %q", e.include))
			case state[in] == visiting:
				r.ps = append(r.ps, errorf("dependency-groups."+g.name, "include-group cycle: %s -> %s", strings.Join(stack, " -> "), ig.name))
			default:
				reqs = append(reqs, expand(in, stack)...)
			}
		}
		state[n] = done
		expanded[n] = reqs
		return reqs
	}
	var out []DependencyGroup
	for _, name := range names {
		n := pep440.NormalizeName(name)
		g, ok := groups[n]
		if !ok || g.name != name {
			continue
		}
		dg := DependencyGroup{Name: name, Requirements: expand(n, nil)}
		for _, e := range g.entries {
			if e.include != "" {
				dg.Includes = append(dg.Includes, e.include)
			}
		}
		out = append(out, dg)
	}
	return out
}

// asArray returns a decoded TOML array as []any, whichever form the decoder
// gave it ([[array.of.tables]] decode as []map[string]any).
func asArray(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []map[string]any:
		out := make([]any, len(x))
		for i, m := range x {
			out[i] = m
		}
		return out, true
	}
	return nil, false
}

// tomlType names the TOML type of a decoded value for messages.
func tomlType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a float"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "an array"
	case map[string]any:
		return "a table"
	default:
		return fmt.Sprintf("a %T", v)
	}
}

// relativeInside reports whether p is a relative path that stays inside the
// directory it is relative to.
func relativeInside(p string) bool {
	p = strings.ReplaceAll(p, "\\", "/")
	if p == "" || path.IsAbs(p) || (len(p) > 1 && p[1] == ':') {
		return false
	}
	c := path.Clean(p)
	return c != ".." && !strings.HasPrefix(c, "../")
}
