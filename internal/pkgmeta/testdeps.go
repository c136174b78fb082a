package pkgmeta

import (
	"path"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
)

// TestDependencies is one place a project declares what its tests need.
type TestDependencies struct {
	// Source is the file: "pyproject.toml", "setup.cfg" or "METADATA".
	Source string `json:"source"`
	// Kind is "extra", "dependency-group", "poetry-group" (Poetry's dev-dependencies or a
	// [tool.poetry.group]), "tool-group" (a Hatch environment, a PDM or uv development group:
	// see Pyproject.ToolGroups) or "tests_require".
	Kind string `json:"kind"`
	// Name is the extra or group name as written ("" for tests_require).
	Name         string   `json:"name,omitempty"`
	Requirements []string `json:"requirements"`
}

// testNameRank ranks an extra or group name as a test-dependency name:
// 0 for test/tests/testing, 1 for other names starting with "test"
// ("test-integration", "testing-extra"), 2 for dev; -1 for anything else.
func testNameRank(name string) int {
	n := pep440.NormalizeName(name)
	switch {
	case n == "test" || n == "tests" || n == "testing":
		return 0
	case strings.HasPrefix(n, "test"):
		return 1
	case n == "dev":
		return 2
	}
	return -1
}

// IsTestName reports whether an extra or dependency-group name is one PYTI
// treats as declaring test dependencies: test, tests, testing, anything
// else starting with "test", and dev (compared normalised).
func IsTestName(name string) bool { return testNameRank(name) >= 0 }

// sortTestDeps orders by how surely the name means tests, then by name.
func sortTestDeps(ds []TestDependencies) {
	sort.SliceStable(ds, func(i, j int) bool {
		ri, rj := testNameRank(ds[i].Name), testNameRank(ds[j].Name)
		if ds[i].Kind == "tests_require" {
			ri = 0
		}
		if ds[j].Kind == "tests_require" {
			rj = 0
		}
		if ri != rj {
			return ri < rj
		}
		return ds[i].Name < ds[j].Name
	})
}

// PyprojectTestDependencies returns the optional-dependencies extras, the
// dependency groups and the tools' development groups of p whose names say
// they are for tests, most certain first.
func PyprojectTestDependencies(p *Pyproject) []TestDependencies {
	if p == nil {
		return nil
	}
	var out []TestDependencies
	if p.Project != nil {
		for _, extra := range sortedKeys(p.Project.OptionalDependencies) {
			if IsTestName(extra) {
				out = append(out, TestDependencies{Source: "pyproject.toml", Kind: "extra", Name: extra, Requirements: nonNil(p.Project.OptionalDependencies[extra])})
			}
		}
	}
	for _, g := range p.DependencyGroups {
		if IsTestName(g.Name) {
			out = append(out, TestDependencies{Source: "pyproject.toml", Kind: "dependency-group", Name: g.Name, Requirements: nonNil(g.Requirements)})
		}
	}
	for _, g := range p.PoetryGroups {
		if IsTestName(g.Name) {
			out = append(out, TestDependencies{Source: "pyproject.toml", Kind: "poetry-group", Name: g.Name, Requirements: nonNil(g.Requirements)})
		}
	}
	for _, g := range p.ToolGroups {
		if IsTestName(g.Name) {
			out = append(out, TestDependencies{Source: "pyproject.toml", Kind: "tool-group", Name: g.Name, Requirements: nonNil(g.Requirements)})
		}
	}
	sortTestDeps(out)
	return out
}

// SetupCfgTestDependencies returns setup.cfg's tests_require and its
// extras whose names say they are for tests, most certain first.
func SetupCfgTestDependencies(c *SetupCfg) []TestDependencies {
	if c == nil {
		return nil
	}
	var out []TestDependencies
	if len(c.Options.TestsRequire) > 0 {
		out = append(out, TestDependencies{Source: "setup.cfg", Kind: "tests_require", Requirements: c.Options.TestsRequire})
	}
	for _, extra := range sortedKeys(c.ExtrasRequire) {
		if IsTestName(extra) {
			out = append(out, TestDependencies{Source: "setup.cfg", Kind: "extra", Name: extra, Requirements: nonNil(c.ExtrasRequire[extra])})
		}
	}
	sortTestDeps(out)
	return out
}

// TestExtras returns the Provides-Extra names of m that say they are for
// tests, most certain first; installing "name[extra]" brings their
// dependencies.
func TestExtras(m *CoreMetadata) []string {
	if m == nil {
		return nil
	}
	var ds []TestDependencies
	for _, x := range m.ProvidesExtra {
		if IsTestName(x) {
			ds = append(ds, TestDependencies{Name: x})
		}
	}
	sortTestDeps(ds)
	out := make([]string, 0, len(ds))
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

// IsTestRequirementsFile reports whether a path (slash-separated, relative
// to the project root) names a requirements file for tests or development:
// requirements-test.txt, test-requirements.txt, requirements_dev.txt,
// requirements/tests.txt, requirements/testing.in and the like.
func IsTestRequirementsFile(p string) bool {
	p = strings.ToLower(strings.ReplaceAll(p, "\\", "/"))
	base := path.Base(p)
	ext := path.Ext(base)
	if ext != ".txt" && ext != ".in" {
		return false
	}
	stem := strings.TrimSuffix(base, ext)
	if path.Base(path.Dir(p)) == "requirements" {
		return IsTestName(stem)
	}
	if !strings.Contains(stem, "requirements") && !strings.Contains(stem, "reqs") {
		return false
	}
	for _, part := range strings.FieldsFunc(stem, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if part != "requirements" && part != "reqs" && IsTestName(part) {
			return true
		}
	}
	return false
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
