package pkgmeta

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPoetryConstraint: Poetry's constraints become PEP 440 specifiers, as Poetry reads them.
func TestPoetryConstraint(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"*", "", true},
		{"", "", true},
		{"^4.0.0", ">=4.0.0,<5.0.0", true},
		{"^0.2.3", ">=0.2.3,<0.3.0", true},
		{"^0.0.3", ">=0.0.3,<0.0.4", true},
		{"^2", ">=2,<3", true},
		{"~1.2.3", ">=1.2.3,<1.3.0", true},
		{"~1.2", ">=1.2,<1.3", true},
		{"~1", ">=1,<2", true},
		{"~=1.4", "~=1.4", true},
		{">=5.4.1,<8", ">=5.4.1,<8", true},
		{">= 2.0 < 3.0", ">=2.0,<3.0", true},
		{"1.2.3", "==1.2.3", true},
		{"1.2.*", "==1.2.*", true},
		{"^1.0 || ^2.0", "", false},
		{"^x.y", "", false},
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := poetryConstraint(tc.in)
			if d := cmp.Diff(tc.want, got); d != "" || ok != tc.ok {
				t.Errorf("poetryConstraint(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}

// TestPoetryGroups: dnspython's and iso8601's dev-dependencies, and a [tool.poetry.group], are read
// from pyproject.toml as requirements; what names no index distribution is left out.
func TestPoetryGroups(t *testing.T) {
	p, _ := ParsePyproject([]byte(`[tool.poetry]
name = "iso8601"
[tool.poetry.dependencies]
python = "^3.6.2"
[tool.poetry.dev-dependencies]
pytest = ">=5.4.1,<8"
pytest-cov = "^4.0.0"
hypothesis = "*"
sphinx = {version = "^4.0.0", python = ">=3.7"}
black = {version = "^22.1.0", extras = ["d"], markers = "implementation_name == 'cpython'"}
local = {path = "../local"}
[tool.poetry.group.test.dependencies]
pytz = "*"
[tool.poetry.group.docs]
optional = true
[tool.poetry.group.docs.dependencies]
furo = "~2022.12"
`))
	want := []DependencyGroup{
		{Name: "dev", Requirements: []string{
			"black[d]>=22.1.0,<23.0.0; implementation_name == 'cpython'", "hypothesis", "pytest>=5.4.1,<8",
			"pytest-cov>=4.0.0,<5.0.0", `sphinx>=4.0.0,<5.0.0; python_version >= "3.7"`}},
		{Name: "docs", Requirements: []string{"furo>=2022.12,<2022.13"}},
		{Name: "test", Requirements: []string{"pytz"}},
	}
	if d := cmp.Diff(want, p.PoetryGroups); d != "" {
		t.Errorf("PoetryGroups (-want +got):\n%s", d)
	}
	var kinds []string
	for _, td := range PyprojectTestDependencies(p) {
		kinds = append(kinds, td.Kind+" "+td.Name)
	}
	if d := cmp.Diff([]string{"poetry-group test", "poetry-group dev"}, kinds); d != "" {
		t.Errorf("test dependencies, most certain first (-want +got):\n%s", d)
	}
}
