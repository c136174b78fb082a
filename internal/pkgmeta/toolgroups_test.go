package pkgmeta

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestToolGroups reads the development environments Hatch, PDM and uv keep in [tool.*], and
// PyprojectTestDependencies offers those named for tests.
func TestToolGroups(t *testing.T) {
	tests := []struct {
		name      string
		pyproject string
		want      []DependencyGroup
		wantTests []TestDependencies
	}{
		{
			name: "hatch test environment inherits default and takes a feature's requirements",
			pyproject: `[project]
name = "p"
version = "1"
[project.optional-dependencies]
yaml = ["pyyaml"]
[tool.hatch.envs.default]
dependencies = ["coverage[toml]>=6.5", "pytest"]
[tool.hatch.envs.test]
extra-dependencies = ["pytest-mock"]
features = ["YAML"]
[tool.hatch.envs.lint]
detached = true
dependencies = ["black", "{root:uri}/vendored"]
`,
			want: []DependencyGroup{
				{Name: "dev", Tool: "hatch", Requirements: []string{"coverage[toml]>=6.5", "pytest"}},
				{Name: "lint", Tool: "hatch", Requirements: []string{"black"}},
				{Name: "test", Tool: "hatch", Requirements: []string{"coverage[toml]>=6.5", "pytest", "pytest-mock", "pyyaml"}},
			},
			wantTests: []TestDependencies{
				{Source: "pyproject.toml", Kind: "tool-group", Name: "test", Requirements: []string{"coverage[toml]>=6.5", "pytest", "pytest-mock", "pyyaml"}},
				{Source: "pyproject.toml", Kind: "tool-group", Name: "dev", Requirements: []string{"coverage[toml]>=6.5", "pytest"}},
			},
		},
		{
			name: "hatch-test inherits nothing",
			pyproject: `[tool.hatch.envs.default]
dependencies = ["mypy"]
[tool.hatch.envs.hatch-test]
extra-dependencies = ["trustme", "pytest-asyncio"]
`,
			want: []DependencyGroup{
				{Name: "dev", Tool: "hatch", Requirements: []string{"mypy"}},
				{Name: "test", Tool: "hatch", Requirements: []string{"trustme", "pytest-asyncio"}},
			},
			wantTests: []TestDependencies{
				{Source: "pyproject.toml", Kind: "tool-group", Name: "test", Requirements: []string{"trustme", "pytest-asyncio"}},
				{Source: "pyproject.toml", Kind: "tool-group", Name: "dev", Requirements: []string{"mypy"}},
			},
		},
		{
			name: "hatch scripts: mkdocs 1.4.3's unittest discovery",
			pyproject: `[project.optional-dependencies]
i18n = ["babel>=2.9.0"]
[tool.hatch.envs.test]
features = ["i18n"]
dependencies = ["coverage"]
[tool.hatch.envs.test.scripts]
test = "coverage run --source=mkdocs --omit 'mkdocs/tests/*' -m unittest discover -p '*tests.py' mkdocs --top-level-directory ."
_coverage = ["test", "coverage xml", "coverage report --show-missing"]
`,
			want: []DependencyGroup{{Name: "test", Tool: "hatch", Requirements: []string{"coverage", "babel>=2.9.0"},
				Commands: []string{"test", "coverage xml", "coverage report --show-missing",
					"coverage run --source=mkdocs --omit 'mkdocs/tests/*' -m unittest discover -p '*tests.py' mkdocs --top-level-directory ."}}},
			wantTests: []TestDependencies{{Source: "pyproject.toml", Kind: "tool-group", Name: "test", Requirements: []string{"coverage", "babel>=2.9.0"}}},
		},
		{
			name: "templates that loop end",
			pyproject: `[tool.hatch.envs.a]
template = "b"
dependencies = ["x"]
[tool.hatch.envs.b]
template = "a"
dependencies = ["y"]
`,
			want: []DependencyGroup{
				{Name: "a", Tool: "hatch", Requirements: []string{"y", "x"}},
				{Name: "b", Tool: "hatch", Requirements: []string{"x", "y"}},
			},
		},
		{
			name: "pdm dev-dependencies and uv dev-dependencies",
			pyproject: `[tool.pdm.dev-dependencies]
test = ["pytest>=7", "-e file:///${PROJECT_ROOT}/plugins/x"]
doc = ["mkdocs"]
[tool.uv]
dev-dependencies = ["pytest-cov"]
`,
			want: []DependencyGroup{
				{Name: "dev", Tool: "uv", Requirements: []string{"pytest-cov"}},
				{Name: "doc", Tool: "pdm", Requirements: []string{"mkdocs"}},
				{Name: "test", Tool: "pdm", Requirements: []string{"pytest>=7"}},
			},
			wantTests: []TestDependencies{
				{Source: "pyproject.toml", Kind: "tool-group", Name: "test", Requirements: []string{"pytest>=7"}},
				{Source: "pyproject.toml", Kind: "tool-group", Name: "dev", Requirements: []string{"pytest-cov"}},
			},
		},
		{
			name:      "no tool tables",
			pyproject: "[project]\nname = \"p\"\nversion = \"1\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _ := ParsePyproject([]byte(tt.pyproject))
			if d := cmp.Diff(tt.want, p.ToolGroups); d != "" {
				t.Errorf("ToolGroups (-want +got)\n%s", d)
			}
			if d := cmp.Diff(tt.wantTests, PyprojectTestDependencies(p)); d != "" {
				t.Errorf("PyprojectTestDependencies (-want +got)\n%s", d)
			}
		})
	}
}
