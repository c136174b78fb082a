package pkgmeta

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIsTestName(t *testing.T) {
	for name, want := range map[string]bool{
		"test": true, "Tests": true, "TESTING": true, "test_extra": true,
		"testing-integration": true, "dev": true, "docs": false, "latest": false,
		"develop": false, "": false, "contest": false,
	} {
		if got := IsTestName(name); got != want {
			t.Errorf("IsTestName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestPyprojectTestDependenciesOrder(t *testing.T) {
	p, _ := ParsePyproject([]byte(`
[project]
name = "x"
version = "1"
[project.optional-dependencies]
dev = ["black"]
testing-extra = ["hypothesis"]
docs = ["sphinx"]
tests = ["pytest"]
[dependency-groups]
dev = ["ruff", {include-group = "test"}]
test = ["pytest-xdist"]
`))
	want := []TestDependencies{
		{Source: "pyproject.toml", Kind: "dependency-group", Name: "test", Requirements: []string{"pytest-xdist"}},
		{Source: "pyproject.toml", Kind: "extra", Name: "tests", Requirements: []string{"pytest"}},
		{Source: "pyproject.toml", Kind: "extra", Name: "testing-extra", Requirements: []string{"hypothesis"}},
		{Source: "pyproject.toml", Kind: "extra", Name: "dev", Requirements: []string{"black"}},
		{Source: "pyproject.toml", Kind: "dependency-group", Name: "dev", Requirements: []string{"ruff", "pytest-xdist"}},
	}
	if diff := cmp.Diff(want, PyprojectTestDependencies(p)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := PyprojectTestDependencies(nil); got != nil {
		t.Errorf("nil pyproject: %v", got)
	}
	if got := SetupCfgTestDependencies(nil); got != nil {
		t.Errorf("nil setup.cfg: %v", got)
	}
	if got := TestExtras(nil); got != nil {
		t.Errorf("nil metadata: %v", got)
	}
}

func TestIsTestRequirementsFile(t *testing.T) {
	for p, want := range map[string]bool{
		"requirements-test.txt":       true,
		"test-requirements.txt":       true,
		"requirements_dev.txt":        true,
		"requirements/tests.txt":      true,
		"requirements/testing.in":     true,
		"ci/requirements-testing.txt": true,
		"dev-requirements.txt":        true,
		"requirements.txt":            false,
		"requirements-docs.txt":       false,
		"requirements/base.txt":       false,
		"tests/data.txt":              false,
		"requirements-test.cfg":       false,
	} {
		if got := IsTestRequirementsFile(p); got != want {
			t.Errorf("IsTestRequirementsFile(%q) = %v, want %v", p, got, want)
		}
	}
}
