package tasks

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/testfs"
)

// TestGuessShipped: the modules a source tree's wheel will most likely install, found the way the
// common build backends find them, with the tests and the project's tooling left out.
func TestGuessShipped(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		flit  string
		want  []quality.ShippedFile
	}{
		{
			name: "a package at the top of the tree, its tests and tooling beside it",
			files: map[string]string{
				"setup.py": "", "noxfile.py": "", "conftest.py": "", "docs/conf.py": "", "tests/test_a.py": "",
				"pkg/__init__.py": "", "pkg/a.py": "", "pkg/sub/b.py": "", "pkg/tests/test_b.py": "",
				"pkg/__pycache__/a.py": "", "examples/__init__.py": "",
			},
			want: []quality.ShippedFile{{Member: "pkg/__init__.py", Path: "pkg/__init__.py"}, {Member: "pkg/a.py", Path: "pkg/a.py"},
				{Member: "pkg/sub/b.py", Path: "pkg/sub/b.py"}},
		},
		{
			name:  "a src layout",
			files: map[string]string{"setup.py": "", "src/pkg/__init__.py": "", "src/pkg/core.py": "", "tests/test_core.py": ""},
			want: []quality.ShippedFile{{Member: "src/pkg/__init__.py", Path: "pkg/__init__.py"},
				{Member: "src/pkg/core.py", Path: "pkg/core.py"}},
		},
		{
			name:  "a single module, with its test module beside it",
			files: map[string]string{"setup.py": "", "six.py": "", "test_six.py": "def test_moves():\n    pass\n", "README.rst": ""},
			want:  []quality.ShippedFile{{Member: "six.py", Path: "six.py"}},
		},
		{
			name: "a namespace package that the egg-info names",
			files: map[string]string{"setup.py": "", "jaraco.functools.egg-info/top_level.txt": "jaraco\n",
				"jaraco/functools/__init__.py": "", "jaraco/functools/__init__.pyi": "", "tests/test_x.py": "", "docs/conf.py": ""},
			want: []quality.ShippedFile{{Member: "jaraco/functools/__init__.py", Path: "jaraco/functools/__init__.py"}},
		},
		{
			name: "the egg-info's names win over other packages in the tree",
			files: map[string]string{"pkg.egg-info/top_level.txt": "mod\npkg\n", "pkg/__init__.py": "", "mod.py": "",
				"helpers/__init__.py": ""},
			want: []quality.ShippedFile{{Member: "mod.py", Path: "mod.py"}, {Member: "pkg/__init__.py", Path: "pkg/__init__.py"}},
		},
		{
			name: "a pkg_resources-style namespace: setuptools installs a .pth, not its __init__.py",
			files: map[string]string{"setup.py": "", "src/zope.deprecation.egg-info/top_level.txt": "zope\n",
				"src/zope.deprecation.egg-info/namespace_packages.txt": "zope\n",
				"src/zope/__init__.py":                                 "__import__('pkg_resources').declare_namespace(__name__)\n",
				"src/zope/deprecation/__init__.py":                     "", "src/zope/deprecation/tests.py": "import unittest\n\nclass Test(unittest.TestCase):\n    def test_x(self):\n        pass\n"},
			want: []quality.ShippedFile{{Member: "src/zope/deprecation/__init__.py", Path: "zope/deprecation/__init__.py"}},
		},
		{
			name: "flit builds the module the project is named after, not its helpers beside it",
			files: map[string]string{"src/typing_extensions.py": "", "src/_typed_dict_test_helper.py": "",
				"src/test_typing_extensions.py": ""},
			flit: "typing_extensions",
			want: []quality.ShippedFile{{Member: "src/typing_extensions.py", Path: "typing_extensions.py"}},
		},
		{
			name:  "flit's module is not in the tree ([tool.flit.module] names another): the usual guess",
			files: map[string]string{"src/other/__init__.py": ""},
			flit:  "my_project",
			want:  []quality.ShippedFile{{Member: "src/other/__init__.py", Path: "other/__init__.py"}},
		},
		{
			name:  "nothing but tooling: no guess",
			files: map[string]string{"setup.py": "", "tests/test_x.py": "", "docs/conf.py": ""},
		},
		{
			name:  "only an extension's C source: no guess",
			files: map[string]string{"setup.py": "", "pkg.egg-info/top_level.txt": "_speedups\n", "_speedups.c": ""},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tt.files)
			got := guessShipped(root, tt.flit)
			if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b quality.ShippedFile) bool { return a.Path < b.Path })); d != "" {
				t.Errorf("guessShipped (-want +got):\n%s", d)
			}
		})
	}
}

// TestEarlyLintLints: the lint started on the sdist's copies is kept only for exactly the files
// the wheel ships, with the same bytes.
func TestEarlyLintLints(t *testing.T) {
	early := map[string]string{"pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/b.py": "from ._speedups import escape\n"}
	tests := []struct {
		name  string
		wheel map[string]string
		want  bool
	}{
		{"the same files", map[string]string{"pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/b.py": "from ._speedups import escape\n"}, true},
		{"one file more in the wheel (a generated _version.py)", map[string]string{"pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/b.py": "from ._speedups import escape\n", "pkg/_version.py": ""}, false},
		{"one file less in the wheel", map[string]string{"pkg/__init__.py": "", "pkg/a.py": "A = 1\n"}, false},
		{"a file changed by the build", map[string]string{"pkg/__init__.py": "", "pkg/a.py": "A = 2\n", "pkg/b.py": "from ._speedups import escape\n"}, false},
		{"the same bytes at another path", map[string]string{"pkg/__init__.py": "", "pkg/c.py": "A = 1\n", "pkg/b.py": "from ._speedups import escape\n"}, false},
		{"an extension module a module imports", map[string]string{"pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/b.py": "from ._speedups import escape\n", "pkg/_speedups.cpython-311-x86_64-linux-gnu.so": "\x7fELF"}, false},
		{"its stub alone", map[string]string{"pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/b.py": "from ._speedups import escape\n", "pkg/_speedups.pyi": "def escape(s: str) -> str: ...\n"}, false},
		{"an extension module no module names", map[string]string{"pkg/__init__.py": "", "pkg/a.py": "A = 1\n", "pkg/b.py": "from ._speedups import escape\n", "pkg/_cdata.abi3.so": "\x7fELF"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			e := &earlyLint{dir: filepath.Join(dir, "early")}
			testfs.Write(t, e.dir, early)
			wheel := filepath.Join(dir, "wheel")
			testfs.Write(t, wheel, tt.wheel)
			got, err := e.lints(wheel)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("lints = %v, want %v", got, tt.want)
			}
		})
	}
	var none *earlyLint
	if got, err := none.lints(t.TempDir()); got || err != nil {
		t.Errorf("no early lint: lints = %v, %v; want false, nil", got, err)
	}
	none.stop()
}

// TestLayOut copies the guessed files to their install paths and refuses a link in their place.
func TestLayOut(t *testing.T) {
	tree, dir := t.TempDir(), t.TempDir()
	testfs.Write(t, tree, map[string]string{"src/pkg/__init__.py": "X = 1\n"})
	if err := layOut(tree, dir, []quality.ShippedFile{{Member: "src/pkg/__init__.py", Path: "pkg/__init__.py"}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "pkg", "__init__.py")); string(got) != "X = 1\n" {
		t.Errorf("pkg/__init__.py holds %q", got)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(tree, "src", "pkg", "evil.py")); err != nil {
		t.Fatal(err)
	}
	if err := layOut(tree, t.TempDir(), []quality.ShippedFile{{Member: "src/pkg/evil.py", Path: "pkg/evil.py"}}); err == nil {
		t.Error("a link was laid out")
	}
}
