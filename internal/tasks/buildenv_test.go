package tasks

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/testfs"
)

// writeWheel writes a wheel holding only a METADATA with the given Requires-Dist lines (and an
// entry_points.txt when given).
func writeWheel(t *testing.T, dir, name, version string, requires []string, entryPoints string) string {
	t.Helper()
	path := filepath.Join(dir, strings.ReplaceAll(name, "-", "_")+"-"+version+"-py3-none-any.whl")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	info := strings.ReplaceAll(name, "-", "_") + "-" + version + ".dist-info/"
	md := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	for _, r := range requires {
		md += "Requires-Dist: " + r + "\n"
	}
	members := map[string]string{info + "METADATA": md}
	if entryPoints != "" {
		members[info+"entry_points.txt"] = entryPoints
	}
	for m, content := range members {
		w, err := zw.Create(m)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()
	return path
}

// TestBuildEnvKey: the key changes with whatever pip could read for the requirements (a file of
// a project they reach, even through a marker or an extra), and only with that.
func TestBuildEnvKey(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "pip.whl"), []byte("pip"), 0o644); err != nil {
		t.Fatal(err)
	}
	tg := &target{img: Image{Name: HostImage, Root: root}, python: "/usr/bin/python3", pipWheel: "/pip.whl", pythonVersion: "3.11.2", pythonTag: "cp311"}
	base := func(t *testing.T) string {
		dir := t.TempDir()
		writeWheel(t, dir, "setuptools", "66.1.1", nil, "")
		writeWheel(t, dir, "hatchling", "1.0", []string{"packaging>=21", `tomli; python_version < "3.11"`, "pluggy[dev]; extra == 'x'"}, "")
		writeWheel(t, dir, "packaging", "23.0", nil, "")
		writeWheel(t, dir, "tomli", "2.0", nil, "")
		writeWheel(t, dir, "pluggy", "1.0", nil, "")
		writeWheel(t, dir, "requests", "2.0", nil, "")
		return dir
	}
	ref, _, err := (&job{}).buildEnvKey(t.Context(), tg, "build-env", base(t), []string{"hatchling"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		kind   string
		reqs   []string
		change func(t *testing.T, dir string)
		same   bool
		err    bool
	}{
		{name: "same inputs", same: true},
		{name: "a project the requirements do not reach", same: true, change: func(t *testing.T, dir string) {
			writeWheel(t, dir, "requests", "2.1", nil, "")
		}},
		{name: "a second version of a dependency", change: func(t *testing.T, dir string) {
			writeWheel(t, dir, "packaging", "24.0", nil, "")
		}},
		{name: "a dependency behind a marker", change: func(t *testing.T, dir string) {
			writeWheel(t, dir, "tomli", "2.1", nil, "")
		}},
		{name: "a dependency behind an extra", change: func(t *testing.T, dir string) {
			writeWheel(t, dir, "pluggy", "1.1", nil, "")
		}},
		{name: "other requirements", reqs: []string{"hatchling>=1"}},
		{name: "another kind", kind: "test-env"},
		{name: "an sdist pip would build", err: true, change: func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "tomli-2.2.tar.gz"), []byte("x"), 0o644)
		}},
		{name: "a URL requirement", err: true, reqs: []string{"hatchling @ https://example.org/h.whl"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := base(t)
			if tc.change != nil {
				tc.change(t, dir)
			}
			kind, reqs := "build-env", []string{"hatchling"}
			if tc.kind != "" {
				kind = tc.kind
			}
			if tc.reqs != nil {
				reqs = tc.reqs
			}
			got, _, err := (&job{}).buildEnvKey(t.Context(), tg, kind, dir, reqs)
			if tc.err {
				if !errors.Is(err, errNoCachedEnv) {
					t.Fatalf("err %v, want errNoCachedEnv", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (got == ref) != tc.same {
				t.Errorf("key %s, reference %s: same = %v, want %v", got, ref, got == ref, tc.same)
			}
		})
	}
}

func TestBackendOf(t *testing.T) {
	tree := t.TempDir()
	withFile := t.TempDir()
	os.WriteFile(filepath.Join(withFile, "pyproject.toml"), []byte("[build-system\n"), 0o644)
	pp := func(bs *pkgmeta.BuildSystem) *pkgmeta.Pyproject { return &pkgmeta.Pyproject{BuildSystem: bs} }
	for _, tc := range []struct {
		name    string
		src     Source
		backend string
		path    []string
		ok      bool
	}{
		{"setup.py only", Source{Root: tree}, "setuptools.build_meta:__legacy__", nil, true},
		{"unreadable pyproject.toml", Source{Root: withFile}, "", nil, false},
		{"no [build-system]", Source{Root: tree, Pyproject: pp(nil)}, "setuptools.build_meta:__legacy__", nil, true},
		{"requires without backend", Source{Root: tree, Pyproject: pp(&pkgmeta.BuildSystem{Requires: []string{"setuptools"}})}, "setuptools.build_meta:__legacy__", nil, true},
		{"no requires", Source{Root: tree, Pyproject: pp(&pkgmeta.BuildSystem{BuildBackend: "flit_core.buildapi"})}, "", nil, false},
		{"in-tree backend", Source{Root: tree, Pyproject: pp(&pkgmeta.BuildSystem{Requires: []string{"x"}, BuildBackend: "backend", BackendPath: []string{"."}})}, "backend", []string{"."}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			backend, path, ok := backendOf(tc.src)
			if d := cmp.Diff([]any{tc.backend, tc.path, tc.ok}, []any{backend, path, ok}); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestAsksNothingMore: the backends whose build needs only the build requirements, which the
// fetch then hands the build before fetching the rest.
func TestAsksNothingMore(t *testing.T) {
	pyproject := func(backend string, requires ...string) string {
		return fmt.Sprintf("[build-system]\nrequires = [%s]\nbuild-backend = %q\n", `"`+strings.Join(requires, `", "`)+`"`, backend)
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"hatchling", map[string]string{"pyproject.toml": pyproject("hatchling.build", "hatchling")}, true},
		{"hatchling with a build hook's dependencies", map[string]string{"pyproject.toml": pyproject("hatchling.build", "hatchling") +
			"[tool.hatch.build.targets.wheel.hooks.mypyc]\ndependencies = [\"hatch-mypyc\"]\n"}, false},
		{"flit_core", map[string]string{"pyproject.toml": pyproject("flit_core.buildapi", "flit_core>=3.2,<4")}, true},
		{"setuptools and wheel", map[string]string{"pyproject.toml": pyproject("setuptools.build_meta", "setuptools>=61", "wheel")}, true},
		{"setuptools alone (before 70.1 it asks for wheel)", map[string]string{"pyproject.toml": pyproject("setuptools.build_meta", "setuptools>=61")}, false},
		{"setuptools with setup_requires", map[string]string{"pyproject.toml": pyproject("setuptools.build_meta", "setuptools>=61", "wheel"),
			"setup.py": "from setuptools import setup\nsetup(setup_requires=['cffi'])\n"}, false},
		{"scikit-build-core (cmake, ninja)", map[string]string{"pyproject.toml": pyproject("scikit_build_core.build", "scikit-build-core")}, false},
		{"an in-tree backend", map[string]string{"pyproject.toml": pyproject("backend", "x") + "backend-path = [\".\"]\n"}, false},
		{"setup.py only", map[string]string{"setup.py": "from setuptools import setup\nsetup()\n"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			src := Source{Root: root}
			if data, err := os.ReadFile(filepath.Join(root, "pyproject.toml")); err == nil {
				pp, problems := pkgmeta.ParsePyproject(data)
				if len(problems) > 0 {
					t.Fatal(problems)
				}
				src.Pyproject = pp
			}
			if got := asksNothingMore(src); got != tc.want {
				t.Errorf("asksNothingMore = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestBuildCode: the package's own code a build runs is its setup.py and the backend it ships.
func TestBuildCode(t *testing.T) {
	withSetup, without := t.TempDir(), t.TempDir()
	os.WriteFile(filepath.Join(withSetup, "setup.py"), []byte("from setuptools import setup\nsetup()\n"), 0o644)
	inTree := &pkgmeta.Pyproject{BuildSystem: &pkgmeta.BuildSystem{Requires: []string{"setuptools", "expandvars"},
		BuildBackend: "pep517_backend.hooks", BackendPath: []string{"packaging"}}}
	hatch := &pkgmeta.Pyproject{BuildSystem: &pkgmeta.BuildSystem{Requires: []string{"hatchling"}, BuildBackend: "hatchling.build"}}
	flit := &pkgmeta.Pyproject{BuildSystem: &pkgmeta.BuildSystem{Requires: []string{"flit_core >=3.6,<4"}, BuildBackend: "flit_core.buildapi"}}
	setuptools := &pkgmeta.Pyproject{BuildSystem: &pkgmeta.BuildSystem{Requires: []string{"setuptools"}, BuildBackend: "setuptools.build_meta"}}
	hooked := t.TempDir()
	os.WriteFile(filepath.Join(hooked, "pyproject.toml"), []byte("[build-system]\nrequires = [\"hatchling\"]\nbuild-backend = \"hatchling.build\"\n\n[tool.hatch.build.targets.wheel.hooks.custom]\n"), 0o644)
	os.WriteFile(filepath.Join(hooked, "hatch_build.py"), []byte("from hatchling.builders.hooks.plugin.interface import BuildHookInterface\n"), 0o644)
	otherPath := t.TempDir()
	os.WriteFile(filepath.Join(otherPath, "pyproject.toml"), []byte("[tool.hatch.build.hooks.custom]\npath = \"build/hooks.py\"\n"), 0o644)
	os.MkdirAll(filepath.Join(otherPath, "build"), 0o755)
	os.WriteFile(filepath.Join(otherPath, "build", "hooks.py"), nil, 0o644)
	flitTree := func(files map[string]string) string {
		root := t.TempDir()
		testfs.Write(t, root, files)
		return root
	}
	flitProject := func(dynamic ...string) *pkgmeta.Pyproject {
		return &pkgmeta.Pyproject{BuildSystem: flit.BuildSystem, Project: &pkgmeta.Project{Name: "path-spec", Dynamic: dynamic}}
	}
	const toml = "[build-system]\nbuild-backend = \"flit_core.buildapi\"\n"
	for _, tc := range []struct {
		name string
		src  Source
		want []string
	}{
		{"setup.py", Source{Root: withSetup}, []string{"setup.py"}},
		{"flit_core imports a module whose __version__ is no literal (pathspec 0.11.1)",
			Source{Root: flitTree(map[string]string{"pyproject.toml": toml, "path_spec/__init__.py": "\"\"\"Doc.\"\"\"\nfrom ._meta import __version__\n"}), Pyproject: flitProject("version")},
			[]string{"path_spec/__init__.py, with what it imports (flit_core imports it for its version)"}},
		{"flit_core reads a literal __version__ and a docstring from the source",
			Source{Root: flitTree(map[string]string{"pyproject.toml": toml, "src/path_spec.py": "# c\n\n'''Doc.'''\n__version__ = '1.0'\n"}), Pyproject: flitProject("version", "description")},
			nil},
		{"flit_core imports a module with no docstring for the summary, the old way, [tool.flit.module]'s name",
			Source{Root: flitTree(map[string]string{"pyproject.toml": toml + "[tool.flit.metadata]\nmodule = \"other\"\n", "other.py": "__version__: str = \"1.0\"\nX = 1\n"}), Pyproject: flit},
			[]string{"other.py, with what it imports (flit_core imports it for its summary)"}},
		{"nothing dynamic", Source{Root: flitTree(map[string]string{"pyproject.toml": toml, "path_spec/__init__.py": "from ._meta import __version__\n"}), Pyproject: flitProject()}, nil},
		{"setuptools imports the module of setup.cfg's attr: when the attribute is bound by an import (distro 1.8.0)",
			Source{Root: flitTree(map[string]string{"setup.cfg": "[metadata]\nname = distro\nversion = attr: distro.__version__\n\n[options]\npackage_dir =\n    = src\n",
				"src/distro/__init__.py": "from .distro import __version__\n\n__version__ = __version__\n"}), Pyproject: setuptools},
			[]string{"src/distro/__init__.py, with what it imports (setuptools imports it for its version, `attr: distro.__version__`)"}},
		{"setuptools reads a literal the attr: names from the source, beside setup.py",
			Source{Root: flitTree(map[string]string{"setup.py": "from setuptools import setup\nsetup()\n", "setup.cfg": "[metadata]\nversion = attr:pkg.version.VERSION\n",
				"pkg/__init__.py": "import os\n", "pkg/version.py": "import sys\nVERSION: str = '1.0'  # the release\n"})},
			[]string{"setup.py"}},
		{"pyproject.toml's dynamic version attribute, a module",
			Source{Root: flitTree(map[string]string{"pyproject.toml": "[tool.setuptools.dynamic]\nversion = {attr = \"one.__version__\"}\n",
				"one.py": "__version__ = '.'.join(map(str, (1, 2)))\n"}), Pyproject: setuptools},
			[]string{"one.py, with what it imports (setuptools imports it for its version, `attr: one.__version__`)"}},
		{"a tuple literal", Source{Root: flitTree(map[string]string{"pyproject.toml": "[tool.setuptools.dynamic]\nversion = {attr = \"one.VERSION\"}\n",
			"one.py": "VERSION = (1, 2, 'post1')\n"}), Pyproject: setuptools}, nil},
		{"setup.py with setuptools' backend", Source{Root: withSetup, Pyproject: setuptools}, []string{"setup.py"}},
		{"the setup.py flit wrote, which flit_core never runs (more-itertools 10.1.0)", Source{Root: withSetup, Pyproject: flit}, nil},
		{"setup.py beside hatchling", Source{Root: withSetup, Pyproject: hatch}, nil},
		{"hatchling's custom build hook", Source{Root: hooked, Pyproject: hatch}, []string{"hatch_build.py"}},
		{"a custom hook at its own path", Source{Root: otherPath, Pyproject: hatch}, []string{"build/hooks.py"}},
		{"a backend from the index", Source{Root: without, Pyproject: hatch}, nil},
		{"an in-tree backend (frozenlist 1.4.1)", Source{Root: without, Pyproject: inTree},
			[]string{"its own build backend pep517_backend.hooks (backend-path packaging)"}},
		{"both", Source{Root: withSetup, Pyproject: inTree},
			[]string{"setup.py", "its own build backend pep517_backend.hooks (backend-path packaging)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, buildCode(tc.src)); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestTestRequirementsOf: the test extras' requirements come from the wheel's metadata with the
// extra marker evaluated (and dropped), for the target's Python.
func TestTestRequirementsOf(t *testing.T) {
	dir := t.TempDir()
	whl := writeWheel(t, dir, "demo", "1.0", []string{
		"requests>=2",
		`pytest>=7; extra == "test"`,
		`pytest-mock; extra == "test" and python_version >= "3.12"`,
		`tomli; python_version < "3.11" and extra == "tests"`,
		`sphinx; extra == "docs"`,
		`colorama; sys_platform == "win32"`,
	}, "")
	tg := &target{pythonVersion: "3.11.2"}
	got, err := testRequirementsOf(t.Context(), tg, Wheel{Path: whl}, Wheelhouse{Extras: []string{"test", "tests"}, TestRequirements: []string{"hypothesis"}})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string{"pytest>=7", "hypothesis"}, testTools...)
	if d := cmp.Diff(want, got); d != "" {
		t.Error(d)
	}
	tg.pythonVersion = "3.13.5"
	got, _ = testRequirementsOf(t.Context(), tg, Wheel{Path: whl}, Wheelhouse{Extras: []string{"test"}})
	if d := cmp.Diff(append([]string{"pytest>=7", "pytest-mock"}, testTools...), got); d != "" {
		t.Error(d)
	}
	self := writeWheel(t, t.TempDir(), "demo", "1.0", []string{`demo[extra]; extra == "test"`}, "")
	if _, err := testRequirementsOf(t.Context(), tg, Wheel{Path: self}, Wheelhouse{Extras: []string{"test"}}); !errors.Is(err, errNoTestLayer) {
		t.Errorf("a test extra naming the project itself: err %v, want errNoTestLayer", err)
	}
}

// TestConsoleScripts: entry points become the wrappers pip writes; a name or target that cannot
// be written as Python is refused rather than written.
func TestConsoleScripts(t *testing.T) {
	dir := t.TempDir()
	ep := filepath.Join(dir, "entry_points.txt")
	os.WriteFile(ep, []byte("[pytest11]\nx = y\n\n[console_scripts]\npy.test = pytest:console_main\ncoverage = coverage.cmdline:main [toml]\ndeep = pkg.mod:obj.method\n"), 0o644)
	got, err := consoleScripts(ep)
	if err != nil {
		t.Fatal(err)
	}
	want := []consoleScript{{name: "py.test", module: "pytest", attr: "console_main"}, {name: "coverage", module: "coverage.cmdline", attr: "main"}, {name: "deep", module: "pkg.mod", attr: "obj.method"}}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(consoleScript{})); d != "" {
		t.Error(d)
	}
	bin := t.TempDir()
	if err := writeConsoleScript(bin, "/work/venv/bin/python", got[2]); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(bin, "deep"))
	wantScript := "#!/work/venv/bin/python\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom pkg.mod import obj\nif __name__ == '__main__':\n" +
		"    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(obj.method())\n"
	if d := cmp.Diff(wantScript, string(data)); d != "" {
		t.Error(d)
	}
	os.WriteFile(ep, []byte("[console_scripts]\nevil = os;import os:system\n"), 0o644)
	if _, err := consoleScripts(ep); err == nil {
		t.Error("an entry point that is not a dotted name was accepted")
	}
}

// TestPrivateWheels: the cache is filled from copies of the files its key names, each checked
// against the sha256 the key was made with: a file changed since, or a link planted in its
// place, is refused.
func TestPrivateWheels(t *testing.T) {
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	tests := []struct {
		name    string
		change  func(t *testing.T, wh string)
		wantErr bool
	}{
		{"as read", func(*testing.T, string) {}, false},
		{"a wheel rewritten after the key was made", func(t *testing.T, wh string) {
			if err := os.WriteFile(filepath.Join(wh, "a-1.0-py3-none-any.whl"), []byte("trojan"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"a wheel replaced by a link to a host file", func(t *testing.T, wh string) {
			host := filepath.Join(t.TempDir(), "host.whl")
			if err := os.WriteFile(host, []byte("wheel a"), 0o644); err != nil {
				t.Fatal(err)
			}
			os.Remove(filepath.Join(wh, "a-1.0-py3-none-any.whl"))
			if err := os.Symlink(host, filepath.Join(wh, "a-1.0-py3-none-any.whl")); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			wh := filepath.Join(root, "work", "wheelhouse")
			testfs.Write(t, wh, map[string]string{"a-1.0-py3-none-any.whl": "wheel a", "b-2.0-py3-none-any.whl": "wheel b"})
			sums := map[string]string{"a-1.0-py3-none-any.whl": sum("wheel a"), "b-2.0-py3-none-any.whl": sum("wheel b")}
			tt.change(t, wh)
			dst := filepath.Join(t.TempDir(), "wheels")
			got, err := privateWheels(root, wh, dst, sums)
			if (err != nil) != tt.wantErr {
				t.Fatalf("privateWheels: %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			data, err := os.ReadFile(filepath.Join(got, "b-2.0-py3-none-any.whl"))
			if err != nil || string(data) != "wheel b" {
				t.Errorf("the copy: %q, %v", data, err)
			}
		})
	}
}

// TestExtensionFallback: a build whose compiler failed and that still made a pure-Python wheel
// (MarkupSafe 2.1.3's setup.py retries without _speedups) is said to lack its extension.
func TestExtensionFallback(t *testing.T) {
	gcc := []string{"/usr/bin/x86_64-linux-gnu-gcc -fPIC -c src/markupsafe/_speedups.c -o build/_speedups.o"}
	failed := "x86_64-linux-gnu-gcc -fPIC -c src/markupsafe/_speedups.c -o build/_speedups.o\n" +
		"src/markupsafe/_speedups.c:1:2: error: #error broken\n" +
		"WARNING: The C extension could not be compiled, speedups are not enabled.\n"
	for _, tc := range []struct {
		name, wheel string
		compilers   []string
		output      string
		want        string
	}{
		{"the compiler failed, the wheel is pure", "MarkupSafe-2.1.3-py3-none-any.whl", gcc, failed,
			"a compiler failed (src/markupsafe/_speedups.c:1:2: error: #error broken), and the wheel is pure Python " +
				"(MarkupSafe-2.1.3-py3-none-any.whl): the package was built without its compiled extension"},
		{"the extension built", "MarkupSafe-2.1.3-cp311-cp311-linux_x86_64.whl", gcc, failed, ""},
		{"a compiler ran and did not fail (a probe)", "pkg-1-py3-none-any.whl", gcc, "gcc -c probe.c\n", ""},
		{"no compiler ran", "pkg-1-py3-none-any.whl", nil, failed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, extensionFallback(tc.wheel, tc.compilers, tc.output)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
