package tasks

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/pkgmeta"
)

// TestStaticRequirements: pip may skip preparing the metadata only when pyproject.toml declares
// the requirements statically and the backend asks for nothing more at build time.
func TestStaticRequirements(t *testing.T) {
	src := func(backend string, p pkgmeta.Project, tools ...string) Source {
		return Source{Pyproject: &pkgmeta.Pyproject{BuildSystem: &pkgmeta.BuildSystem{Requires: []string{"x"}, BuildBackend: backend}, Project: &p, Tools: tools}}
	}
	proj := pkgmeta.Project{Name: "My_Pkg", Dependencies: []string{"requests>=2", "tomli; python_version<'3.11'"},
		OptionalDependencies: map[string][]string{"Test": {"pytest>=7", "hypothesis"}, "docs": {"sphinx"}}}
	type out struct {
		All, Plain []string
		OK         bool
	}
	for _, tc := range []struct {
		name   string
		src    Source
		extras []string
		want   out
	}{
		{"setuptools adds wheel", src("setuptools.build_meta", proj), []string{"test"},
			out{[]string{"requests>=2", "tomli; python_version<'3.11'", "pytest>=7", "hypothesis", "wheel"}, []string{"requests>=2", "tomli; python_version<'3.11'", "wheel"}, true}},
		{"flit, no extras", src("flit_core.buildapi", proj), nil,
			out{[]string{"requests>=2", "tomli; python_version<'3.11'"}, []string{"requests>=2", "tomli; python_version<'3.11'"}, true}},
		{"no dependencies at all", src("hatchling.build", pkgmeta.Project{Name: "p"}), nil, out{nil, nil, true}},
		{"hatch hooks may add requirements", src("hatchling.build", proj, "hatch"), nil, out{}},
		{"unknown backend", src("mesonpy", proj), nil, out{}},
		{"legacy project without build-system", Source{Pyproject: &pkgmeta.Pyproject{Project: &proj}}, nil, out{}},
		{"no pyproject", Source{}, nil, out{}},
		{"dynamic dependencies", src("setuptools.build_meta", pkgmeta.Project{Name: "p", Dynamic: []string{"version", "dependencies"}}), nil, out{}},
		{"dynamic optional dependencies", src("setuptools.build_meta", pkgmeta.Project{Name: "p", Dynamic: []string{"optional-dependencies"}}), nil, out{}},
		{"an extra naming the package itself", src("flit_core.buildapi", pkgmeta.Project{Name: "my-pkg", OptionalDependencies: map[string][]string{"test": {"my_pkg[fast]"}}}), []string{"test"}, out{}},
		{"a direct URL", src("flit_core.buildapi", pkgmeta.Project{Name: "p", Dependencies: []string{"q @ https://example.org/q.whl"}}), nil, out{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			all, plain, ok := staticRequirements(tc.src, tc.extras)
			if d := cmp.Diff(tc.want, out{all, plain, ok}); d != "" {
				t.Error(d)
			}
		})
	}
}
