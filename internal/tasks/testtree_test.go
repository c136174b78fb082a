package tasks

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/testfs"
	"github.com/pyti/pyti/internal/testresult"
)

// listFiles maps every file below root to its content.
func listFiles(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPlaceInstalled(t *testing.T) {
	for _, tc := range []struct {
		name       string
		tree, site map[string]string
		modules    []string
		wantTree   map[string]string
		wantCopies []moduleCopy
		// wantOthers are the other copies of the package the tests leave out (see otherCopies).
		wantOthers []string
	}{
		{
			name: "tests inside the package with a compiled extension",
			tree: map[string]string{"setup.py": "", "sj/__init__.py": "src", "sj/_speedups.c": "c", "sj/dev_only.py": "dev",
				"sj/tests/__init__.py": "", "sj/tests/test_a.py": "t", "sj/tests/_helpers.py": "h"},
			site: map[string]string{"sj/__init__.py": "installed", "sj/_speedups.cpython-311-x86_64-linux-gnu.so": "ELF",
				"sj/tests/__init__.py": "", "sj/tests/test_a.py": "t", "sj/__pycache__/x.pyc": "pyc"},
			modules: []string{"sj"},
			wantTree: map[string]string{"setup.py": "", "sj/__init__.py": "installed", "sj/_speedups.c": "c",
				"sj/_speedups.cpython-311-x86_64-linux-gnu.so": "ELF", "sj/tests/__init__.py": "", "sj/tests/test_a.py": "t",
				"sj/tests/_helpers.py": "h"},
			wantCopies: []moduleCopy{{name: "sj", installed: "SITE/sj", dir: true, tree: []string{"sj"}, compiled: true}},
		},
		{
			name:     "a namespace package's portion, a single module and an extension module",
			tree:     map[string]string{"ns/fn/__init__.py": "src", "one.py": "src", "test_fn.py": "t"},
			site:     map[string]string{"ns/fn/__init__.py": "installed", "one.py": "installed one", "_ext.cpython-311-x86_64-linux-gnu.so": "ELF"},
			modules:  []string{"ns.fn", "one", "_ext"},
			wantTree: map[string]string{"ns/fn/__init__.py": "installed", "one.py": "installed one", "test_fn.py": "t"},
			wantCopies: []moduleCopy{{name: "ns.fn", installed: "SITE/ns/fn", dir: true, tree: []string{"ns/fn"}},
				{name: "one", installed: "SITE/one.py", tree: []string{"one.py"}}, {name: "_ext", extension: true}},
		},
		{
			name:       "a src layout",
			tree:       map[string]string{"src/pkg/__init__.py": "src", "tests/test_a.py": "t"},
			site:       map[string]string{"pkg/__init__.py": "installed", "pkg/_version.py": "v"},
			modules:    []string{"pkg"},
			wantTree:   map[string]string{"src/pkg/__init__.py": "installed", "src/pkg/_version.py": "v", "tests/test_a.py": "t"},
			wantCopies: []moduleCopy{{name: "pkg", installed: "SITE/pkg", dir: true, tree: []string{"src/pkg"}}},
		},
		{
			// crcmod: setup.py's package_dir picks python3/crcmod by the Python version; the
			// python2/ copy is another package's source.
			name: "a package under the top directory package_dir names, beside a copy for another Python",
			tree: map[string]string{"python2/cm/__init__.py": "from cm.core import *", "python2/cm/core.py": "x = 0L",
				"python3/cm/__init__.py": "from cm.core import *", "python3/cm/core.py": "x = 0", "python3/cm/test.py": "t",
				"python3/src/_ext.c": "c", "test/test_cm.py": "t"},
			site: map[string]string{"cm/__init__.py": "from cm.core import *", "cm/core.py": "x = 0", "cm/test.py": "t",
				"cm/_ext.cpython-311-x86_64-linux-gnu.so": "ELF"},
			modules: []string{"cm"},
			wantTree: map[string]string{"python2/cm/__init__.py": "from cm.core import *", "python2/cm/core.py": "x = 0L",
				"python3/cm/__init__.py": "from cm.core import *", "python3/cm/core.py": "x = 0", "python3/cm/test.py": "t",
				"python3/cm/_ext.cpython-311-x86_64-linux-gnu.so": "ELF", "python3/src/_ext.c": "c", "test/test_cm.py": "t"},
			wantCopies: []moduleCopy{{name: "cm", installed: "SITE/cm", dir: true, tree: []string{"python3/cm"}, compiled: true}},
			wantOthers: []string{"python2/cm"},
		},
		{
			// regex 2023.3.23: package_dir installs regex_3/ as regex/; docs/ shares only its
			// __init__.py.
			name: "a package installed from a directory of another name, and a directory sharing only its __init__.py",
			tree: map[string]string{"rx3/__init__.py": "from rx.core import *", "rx3/core.py": "x = 1", "rx3/test_rx.py": "t",
				"rx3/_rx.c": "c", "docs/__init__.py": "from rx.core import *", "docs/conf.py": "c"},
			site: map[string]string{"rx/__init__.py": "from rx.core import *", "rx/core.py": "x = 1", "rx/test_rx.py": "t",
				"rx/_rx.cpython-311-x86_64-linux-gnu.so": "ELF"},
			modules: []string{"rx"},
			wantTree: map[string]string{"rx3/__init__.py": "from rx.core import *", "rx3/core.py": "x = 1", "rx3/test_rx.py": "t",
				"rx3/_rx.c": "c", "rx3/_rx.cpython-311-x86_64-linux-gnu.so": "ELF", "docs/__init__.py": "from rx.core import *",
				"docs/conf.py": "c"},
			wantCopies: []moduleCopy{{name: "rx", installed: "SITE/rx", dir: true, tree: []string{"rx3"}, compiled: true}},
		},
		{
			name:       "a single module under lib/, and another file of its name elsewhere",
			tree:       map[string]string{"lib/one.py": "one", "docs/one.py": "an example", "tests/test_one.py": "t"},
			site:       map[string]string{"one.py": "one"},
			modules:    []string{"one"},
			wantTree:   map[string]string{"lib/one.py": "one", "docs/one.py": "an example", "tests/test_one.py": "t"},
			wantCopies: []moduleCopy{{name: "one", installed: "SITE/one.py", tree: []string{"lib/one.py"}}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tree, site := filepath.Join(t.TempDir(), "tree"), filepath.Join(t.TempDir(), "site")
			testfs.Write(t, tree, tc.tree)
			testfs.Write(t, site, tc.site)
			copies, err := placeInstalled(tree, filepath.Dir(site), site, tc.modules)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.wantOthers, otherCopies(tree, copies)); d != "" {
				t.Errorf("other copies (-want +got):\n%s", d)
			}
			for i := range copies {
				copies[i].installed = strings.Replace(copies[i].installed, site, "SITE", 1)
			}
			if d := cmp.Diff(tc.wantCopies, copies, cmp.AllowUnexported(moduleCopy{})); d != "" {
				t.Errorf("copies (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantTree, listFiles(t, tree)); d != "" {
				t.Errorf("test tree (-want +got):\n%s", d)
			}
		})
	}
}

// TestPlaceInstalledStaysInTree: a link in the sdist's copy never lets the installed files be
// written outside the test tree.
func TestPlaceInstalledStaysInTree(t *testing.T) {
	tree, site, outside := filepath.Join(t.TempDir(), "tree"), filepath.Join(t.TempDir(), "site"), t.TempDir()
	testfs.Write(t, tree, map[string]string{"pkg/__init__.py": ""})
	testfs.Write(t, site, map[string]string{"pkg/__init__.py": "", "pkg/sub/x.py": "x"})
	if err := os.Symlink(outside, filepath.Join(tree, "pkg", "sub")); err != nil {
		t.Fatal(err)
	}
	if _, err := placeInstalled(tree, filepath.Dir(site), site, []string{"pkg"}); err == nil {
		t.Error("placing through a link out of the tree succeeded")
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("written outside the tree: %v", entries)
	}
}

func TestTestedCopy(t *testing.T) {
	s := suite{files: []string{"sj/tests/test_a.py"}}
	for _, tc := range []struct {
		name     string
		copies   []moduleCopy
		want     string
		files    []string
		unloaded bool
	}{
		{"inside, compiled, no test loaded the extension (zope.proxy 5.0.0 with PURE_PYTHON=0)",
			[]moduleCopy{{name: "sj", installed: "/s/sj", dir: true, tree: []string{"sj"}, compiled: true}},
			"the installed copy of sj: its files, compiled extensions included (though no test loaded one: the tests ran its pure-Python code alone), replace the sdist's sj/ in the test tree, because the tests live inside the package: they import it from the tree, and now import what was built and installed", nil, true},
		{"src layout, nothing compiled: nothing to say of extensions", []moduleCopy{{name: "pkg", installed: "/s/pkg", dir: true, tree: []string{"src/pkg"}}},
			"the installed copy of pkg: its files replace the sdist's src/pkg/ in the test tree, so that whichever way the tests import it, from site-packages or through src/ when the project puts that on sys.path, they import what was built and installed", nil, true},
		{"inside, compiled", []moduleCopy{{name: "sj", installed: "/s/sj", dir: true, tree: []string{"sj"}, compiled: true}},
			"the installed copy of sj: its files, compiled extensions included, replace the sdist's sj/ in the test tree, because the tests live inside the package: they import it from the tree, and now import what was built and installed", nil, false},
		{"src layout", []moduleCopy{{name: "pkg", installed: "/s/pkg", dir: true, tree: []string{"src/pkg"}}},
			"the installed copy of pkg: its files replace the sdist's src/pkg/ in the test tree, so that whichever way the tests import it, from site-packages or through src/ when the project puts that on sys.path, they import what was built and installed", nil, false},
		{"a package_dir's directory (setproctitle 1.3.2's pkg/), compiled", []moduleCopy{{name: "setproctitle", installed: "/s/setproctitle", dir: true, tree: []string{"pkg/setproctitle"}, compiled: true}},
			"the installed copy of setproctitle: its files, compiled extensions included, replace the sdist's pkg/setproctitle/ in the test tree, so that whichever way the tests import it, from site-packages or through pkg/ when the project puts that on sys.path, they import what was built and installed", nil, false},
		{"inside a directory of another name, a package_dir's (regex 2023.3.23's regex_3/, installed as regex)", []moduleCopy{{name: "regex", installed: "/s/regex", dir: true, tree: []string{"regex_3"}, compiled: true}},
			"the installed copy of regex: its files, compiled extensions included, replace the sdist's regex_3/ in the test tree, though the tree cannot be imported under the package's name (regex_3/ is installed as regex): " +
				"the tests import the package from site-packages, and anything of the tree's copy they import is what was built and installed", []string{"regex_3/test_regex.py"}, false},
		{"most tests outside the package, a test_*.py helper module inside", []moduleCopy{{name: "md", installed: "/s/md", dir: true, tree: []string{"md"}}},
			"the installed copy of md: its files replace the sdist's md/ in the test tree, so that the tests, which pytest runs from the tree, import what was built and installed", []string{"md/test_tools.py", "tests/test_a.py", "tests/test_b.py"}, false},
		{"no copy in the sdist", []moduleCopy{{name: "one", installed: "/s/one.py"}},
			"the installed copy of one in site-packages: the sdist has no copy that the tests could import instead", nil, false},
		{"a compiled extension module alone (lru-dict 1.1.8)", []moduleCopy{{name: "lru", extension: true}},
			"the installed copy of lru in site-packages, compiled: the sdist has no copy that the tests could import instead", nil, false},
		{"nothing found", nil, "the installed environment: no module of the distribution was found to place in the test tree", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, testedCopy(tc.copies, suiteWith(s, tc.files), tc.unloaded)); d != "" {
				t.Errorf("tested (-want +got):\n%s", d)
			}
		})
	}
	// jaraco.classes 3.2.3: doctests only, of the installed modules (--doctest-modules), and of
	// a documentation file in the tree.
	ns := []moduleCopy{{name: "jaraco.classes", installed: "/s/jaraco/classes", dir: true, tree: []string{"jaraco/classes"}}}
	for _, tc := range []struct {
		name string
		s    suite
		want string
	}{
		{"doctests of the modules", suite{kind: suiteDoctest, doctestModules: true},
			"the installed copy of jaraco.classes: pytest collects the doctests of its modules from site-packages, where it was installed"},
		{"and of a file in the tree", suite{kind: suiteDoctest, doctestModules: true, doctestFiles: []string{"README.rst"}},
			"the installed copy of jaraco.classes: pytest collects the doctests of its modules from site-packages, where it was installed, " +
				"and those of README.rst from the test tree, which holds the installed copy in place of the sdist's"},
		{"of files in the tree alone", suite{kind: suiteDoctest, doctestFiles: []string{"README.rst"}},
			"the installed copy of jaraco.classes: its files replace the sdist's jaraco/classes/ in the test tree, so that the tests, which pytest runs from the tree, import what was built and installed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, testedCopy(ns, tc.s, false)); d != "" {
				t.Errorf("tested (-want +got):\n%s", d)
			}
		})
	}
}

func TestNamespacePortions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		copies []moduleCopy
		want   map[string][]string
	}{
		{"a top-level package has no parent", []moduleCopy{{name: "pkg", dir: true, tree: []string{"src/pkg"}}}, map[string][]string{}},
		{"a namespace portion under src/", []moduleCopy{{name: "zope.interface", dir: true, tree: []string{"src/zope/interface"}}},
			map[string][]string{"zope": {"src/zope"}}},
		{"nested namespaces, two portions, and a module file", []moduleCopy{
			{name: "acme.cloud.storage", dir: true, tree: []string{"acme/cloud/storage", "src/acme/cloud/storage"}},
			{name: "acme.cloud.util", tree: []string{"acme/cloud/util.py"}},
			{name: "acme.other", dir: true}},
			map[string][]string{"acme": {"acme", "src/acme"}, "acme.cloud": {"acme/cloud", "src/acme/cloud"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, namespacePortions(tc.copies)); d != "" {
				t.Errorf("portions (-want +got):\n%s", d)
			}
		})
	}
}

func TestTestOmit(t *testing.T) {
	got := testOmit([]string{"sj/tests/test_a.py", "sj/tests/sub/test_b.py", "src/pkg/test/test_c.py", "test_top.py", "pkg/util_test.py", "test/test_d.py", "automat/_test/test_e.py",
		"networkx/testing/tests/test_utils.py", "testing/test_top.py"},
		"/work/pyti/sdist-tree", "/work/pyti/sdist-tree/src", "/work/venv/site")
	var want []string
	for _, root := range []string{"/work/pyti/sdist-tree", "/work/pyti/sdist-tree/src", "/work/venv/site"} {
		want = append(want, root+"/pkg/test/*", root+"/pkg/util_test.py", root+"/sj/tests/*", root+"/test_top.py", root+"/test/*", root+"/automat/_test/*",
			root+"/networkx/testing/tests/*", root+"/testing/*")
	}
	want = append(want, "*/conftest.py")
	sort.Strings(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("omit (-want +got):\n%s", d)
	}
}

// TestProjectConcurrency: the project's coverage concurrency that coverage.py can always trace,
// from the file coverage.py reads (waitress 2.1.2's .coveragerc: thread, multiprocessing).
func TestProjectConcurrency(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{".coveragerc (waitress 2.1.2)", map[string]string{".coveragerc": "[run]\nparallel = true\nconcurrency =\n    thread\n    multiprocessing\nsource =\n    waitress\n"},
			[]string{"thread", "multiprocessing"}},
		{"setup.cfg, gevent left out", map[string]string{"setup.cfg": "[coverage:run]\nconcurrency = gevent, multiprocessing\n"}, []string{"multiprocessing"}},
		{".coveragerc first, as coverage.py reads it", map[string]string{".coveragerc": "[run]\nbranch = true\n", "setup.cfg": "[coverage:run]\nconcurrency = thread\n"}, nil},
		{"pyproject.toml, a list", map[string]string{"pyproject.toml": "[tool.coverage.run]\nconcurrency = [\"multiprocessing\", \"thread\"]\n"}, []string{"multiprocessing", "thread"}},
		{"pyproject.toml, a string", map[string]string{"pyproject.toml": "[tool.coverage.run]\nconcurrency = \"thread\"\n"}, []string{"thread"}},
		{"none", map[string]string{"setup.cfg": "[metadata]\nname = x\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if d := cmp.Diff(tc.want, projectConcurrency(root)); d != "" {
				t.Errorf("concurrency (-want +got):\n%s", d)
			}
		})
	}
}

func TestCoverageRC(t *testing.T) {
	copies := []moduleCopy{{name: "pkg", installed: "/site/pkg", dir: true, tree: []string{"pkg", "src/pkg"}},
		{name: "one", installed: "/site/one.py", tree: []string{"one.py"}}, {name: "_ext"}}
	in := func(p string) string { return "/in" + p }
	want := `[run]
branch = True
parallel = True
source =
    /in/site/pkg
    /in/tree/pkg
    /in/tree/src/pkg
    one
omit =
    */conftest.py

[paths]
module0 =
    /in/site/pkg/
    /in/tree/pkg/
    /in/tree/src/pkg/

[report]
ignore_errors = True
`
	if d := cmp.Diff(want, coverageRC(in, "/tree", copies, []string{"*/conftest.py"}, nil)); d != "" {
		t.Errorf("rc (-want +got):\n%s", d)
	}
	if got := coverageRC(in, "/tree", copies, nil, []string{"thread", "multiprocessing"}); !strings.Contains(got, "parallel = True\nconcurrency = thread, multiprocessing\nsource =\n") {
		t.Errorf("rc with the project's concurrency:\n%s", got)
	}
	if d := cmp.Diff([]string{"pkg", "one"}, coverageSource(copies)); d != "" {
		t.Errorf("source (-want +got):\n%s", d)
	}
}

// TestNamespaceModuleFiles: the single-file modules of a namespace package are the ones coverage.py
// is given by name that it may not report; a package, a top-level module and an extension are not.
func TestNamespaceModuleFiles(t *testing.T) {
	in := func(p string) string { return "/in" + p }
	for _, tc := range []struct {
		name   string
		copies []moduleCopy
		want   []string
	}{
		{"a namespace package's modules", []moduleCopy{
			{name: "paste.cascade", installed: "/site/paste/cascade.py", tree: []string{"paste/cascade.py"}},
			{name: "paste.auth", installed: "/site/paste/auth", dir: true, tree: []string{"paste/auth"}},
			{name: "paste.util", installed: "/site/paste/util.py"},
		}, []string{"/in/tree/paste/cascade.py\n/in/site/paste/cascade.py", "/in/site/paste/util.py"}},
		{"top-level modules", []moduleCopy{
			{name: "one", installed: "/site/one.py", tree: []string{"one.py"}},
			{name: "pkg", installed: "/site/pkg", dir: true},
		}, nil},
		{"an extension in a namespace package", []moduleCopy{{name: "ns._speedups", extension: true}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, namespaceModuleFiles(in, "/tree", tc.copies)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

// TestKeepMissingData: a missing file is the sdist's missing test data only when it would lie in
// the test tree and is not there; so is a missing program run by its path in the tree. A "missing
// module" that lies beside the test module is no dependency: the test is a script's; nor is one
// below a module of the distribution's own, which its build did not make, nor one of its own,
// which is installed.
func TestKeepMissingData(t *testing.T) {
	tree := t.TempDir()
	testfs.Write(t, tree, map[string]string{"tests/data/present.json": "{}", "pkg/tests/test_mixins.py": "", "pkg/tests/helpers/__init__.py": "",
		"MANIFEST.in": "include README.rst\ngraft pkg/tests/testdata\nrecursive-include tests/data *.json\ngraft ../fixtures\ngraft docs/*\n" +
			"recursive-include pkg/tests/sanitizer-data *.dat\n"})
	md := func(id, module string) testresult.Case {
		return testresult.Case{NodeID: id, Outcome: testresult.Error, Class: testresult.MissingDependency, Missing: module}
	}
	mf := func(id, path string) testresult.Case {
		return testresult.Case{NodeID: id, Outcome: testresult.Failed, Class: testresult.MissingFile, MissingPath: path}
	}
	run := &testresult.Run{Cases: []testresult.Case{
		mf("in-tree", "/work/pyti/sdist-tree/tests/data/cases.json"),
		mf("relative", "tests/toml-test/files"),
		mf("elsewhere", "/etc/nosuch.conf"),
		mf("present", "/work/pyti/sdist-tree/tests/data/present.json"),
		// An unset setting: pymongo 4.3.3's OCSP tests open CA_FILE, from an environment variable.
		mf("unset", "None"),
		{NodeID: "script", Outcome: testresult.Failed, Class: testresult.MissingProgram, MissingProgram: "/work/pyti/sdist-tree/tests/run.sh"},
		{NodeID: "program", Outcome: testresult.Failed, Class: testresult.MissingProgram, MissingProgram: "/usr/bin/zsh"},
		{NodeID: "named", Outcome: testresult.Failed, Class: testresult.Exception, Message: "gitdb.exc.InvalidDBRoot: /work/pyti/sdist-tree/.git/objects"},
		{NodeID: "named present", Outcome: testresult.Failed, Class: testresult.Exception, Message: "ValueError: bad JSON in /work/pyti/sdist-tree/tests/data/present.json."},
		{NodeID: "named outside", Outcome: testresult.Failed, Class: testresult.Exception, Message: "OSError: /work/pyti/sdist-treeish/x and /work/pyti/sdist-tree/../etc"},
		{NodeID: "named beside data", Outcome: testresult.Failed, Class: testresult.Exception, Message: "RuntimeError: /work/pyti/sdist-tree/tests/data/out.json was not written"},
		md("pkg/tests/test_module.py", "test_mixins"),
		md("pkg/tests/test_session.py::test_load", "test_mixins"),
		md("pkg/tests/test_drf.py", "helpers"),
		md("pkg/tests/test_deps.py", "requests"),
		md("pkg/test_top.py", "test_mixins"),
		// python-snappy 0.6.1 builds snappy._snappy_cffi on PyPy alone; zope.testing is another
		// portion of the zope namespace, another distribution's.
		md("test_snappy_cffi.py", "snappy._snappy_cffi"),
		md("test_zope.py::test_x", "zope.testing"),
		md("test_snappy_self.py", "snappy"),
		// The package itself, installed: psutil 5.9.4's TestScripts run its scripts with the
		// system's Python, which does not see the virtualenv.
		md("test_scripts.py::test_free", "snappy"),
		// Collections that stopped, their messages naming a directory MANIFEST.in asks for.
		{NodeID: "", Outcome: testresult.Error, Class: testresult.CollectionError, Message: "_pytest.outcomes.Exit: testdata not available!"},
		{NodeID: "pkg/tests/test_san.py", Outcome: testresult.Error, Class: testresult.CollectionError, Message: "no .dat files in pkg/tests/sanitizer-data/"},
		{NodeID: "shipped", Outcome: testresult.Error, Class: testresult.CollectionError, Message: "bad file in tests/data"},
		{NodeID: "outside", Outcome: testresult.Error, Class: testresult.CollectionError, Message: "no fixtures"},
		{NodeID: "a word inside another", Outcome: testresult.Error, Class: testresult.CollectionError, Message: "mytestdata_x missing"},
		// A collection error naming a path of the tree that is not there, its directory there.
		{NodeID: "tests/test_mypy.py", Outcome: testresult.Error, Class: testresult.CollectionError,
			Message: "AssertionError: Test data prefix (/work/pyti/sdist-tree/tests/test-data) not set correctly"},
		{NodeID: "tests/test_present.py", Outcome: testresult.Error, Class: testresult.CollectionError,
			Message: "ValueError: bad data in /work/pyti/sdist-tree/tests/data/present.json"},
	}}
	keepMissingData(run, "/work/pyti/sdist-tree", tree, []string{"snappy", "zope.event"})
	got := map[string]string{}
	for _, c := range run.Cases {
		got[c.NodeID] = string(c.Class) + " " + c.MissingPath + c.MissingProgram
	}
	want := map[string]string{
		"script":                               "missing-file tests/run.sh",
		"program":                              "missing-program /usr/bin/zsh",
		"in-tree":                              "missing-file tests/data/cases.json",
		"relative":                             "missing-file tests/toml-test/files",
		"elsewhere":                            "error /etc/nosuch.conf",
		"present":                              "error /work/pyti/sdist-tree/tests/data/present.json",
		"unset":                                "error None",
		"named":                                "missing-file .git/objects",
		"named present":                        "error ",
		"named outside":                        "error ",
		"named beside data":                    "error ",
		"pkg/tests/test_module.py":             "collection-error ",
		"pkg/tests/test_session.py::test_load": "error ",
		"pkg/tests/test_drf.py":                "missing-dependency ",
		"pkg/tests/test_deps.py":               "missing-dependency ",
		"pkg/test_top.py":                      "missing-dependency ",
		"test_snappy_cffi.py":                  "collection-error ",
		"test_zope.py::test_x":                 "missing-dependency ",
		"test_snappy_self.py":                  "collection-error ",
		"test_scripts.py::test_free":           "error ",
		"":                                     "missing-file pkg/tests/testdata",
		"pkg/tests/test_san.py":                "missing-file pkg/tests/sanitizer-data",
		"shipped":                              "collection-error ",
		"outside":                              "collection-error ",
		"a word inside another":                "collection-error ",
		"tests/test_mypy.py":                   "missing-file tests/test-data",
		"tests/test_present.py":                "collection-error ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("classes (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[testresult.Class]int{testresult.MissingFile: 7, testresult.Exception: 8, testresult.MissingProgram: 1,
		testresult.CollectionError: 7, testresult.MissingDependency: 4}, run.Classes); d != "" {
		t.Errorf("class counts (-want +got):\n%s", d)
	}
}

// suiteWith is s with other test files, when files is not nil.
func suiteWith(s suite, files []string) suite {
	if files != nil {
		s.files = files
	}
	return s
}

// TestCoverageJSONProjectOmit runs coverageJSONScript with real coverage.py on data measured with
// PYTI's configuration: the files the project's own omit patterns name (in .coveragerc, setup.cfg
// or pyproject.toml, written for its tree, or added by a configurer plugin it loads) are left out
// of the report of the installed copies; a pattern for an environment's libraries is not taken.
func TestCoverageJSONProjectOmit(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
		note  string // coverageConfigNote of the output
	}{
		{"no configuration: every module", nil, []string{"__init__.py", "bells.py", "core.py", "gen_a.py"}, ""},
		{"pyproject.toml with tree paths and a src/ path", map[string]string{"pyproject.toml": "[tool.coverage.run]\nomit = [\"pkg/bells.py\", \"src/pkg/gen_a.py\"]\n"},
			[]string{"__init__.py", "core.py"}, ""},
		{".coveragerc with a wildcard and site-packages left alone", map[string]string{".coveragerc": "[run]\nomit =\n    */gen_*.py\n    */site-packages/*\n"},
			[]string{"__init__.py", "bells.py", "core.py"}, ""},
		{"setup.cfg's report section", map[string]string{"setup.cfg": "[coverage:report]\nomit = pkg/core.py\n"},
			[]string{"__init__.py", "bells.py", "gen_a.py"}, ""},
		{"a configurer plugin's omit pattern (covdefaults' */__main__.py)", map[string]string{"setup.cfg": "[coverage:run]\nplugins = omitgen\n",
			"omitgen.py": "import coverage\n\nclass P(coverage.CoveragePlugin):\n    def configure(self, config):\n" +
				"        config.set_option('run:omit', (config.get_option('run:omit') or []) + ['*/gen_*.py'])\n\n" +
				"def coverage_init(reg, options):\n    reg.add_configurer(P())\n"},
			[]string{"__init__.py", "bells.py", "core.py"}, ""},
		{"a plugin that is not installed: the rest of the configuration still counts, and the note says so", map[string]string{"setup.cfg": "[coverage:run]\nplugins = notinstalled\nomit = pkg/bells.py\n"},
			[]string{"__init__.py", "core.py", "gen_a.py"},
			"the project's coverage plugins are not used, nor the options they set: ModuleNotFoundError: No module named 'notinstalled'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, tree, rc := measuredPkg(t, map[string]string{"pkg/__init__.py": "X = 1\n", "pkg/core.py": "def f():\n    return 1\n",
				"pkg/bells.py": "Y = 2\n", "pkg/gen_a.py": "Z = 3\n", "run.py": "import pkg.core, pkg.bells, pkg.gen_a\n"}, tt.files)
			out := filepath.Join(dir, "cov.json")
			report := exec.Command("/usr/bin/python3", "-c", coverageJSONScript, out, "1")
			report.Dir = tree
			report.Env = append(os.Environ(), "COVERAGE_RCFILE="+rc)
			msg, err := report.CombinedOutput()
			if err != nil {
				t.Fatalf("coverageJSONScript: %v\n%s", err, msg)
			}
			if d := cmp.Diff(tt.note, coverageConfigNote(string(msg))); d != "" {
				t.Errorf("note (-want +got):\n%s", d)
			}
			data, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			var cov struct {
				Files map[string]any `json:"files"`
			}
			if err := json.Unmarshal(data, &cov); err != nil {
				t.Fatal(err)
			}
			var got []string
			for f := range cov.Files {
				got = append(got, filepath.Base(f))
			}
			sort.Strings(got)
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("files reported (-want +got):\n%s", d)
			}
		})
	}
}

// TestCoverageJSONNamespaceModules runs coverageJSONScript with real coverage.py on a namespace
// package's single-file modules, given to coverage.py by name as coverageRC gives them: the one no
// test imported (Paste 3.5.3's paste/cascade.py) is reported, unexecuted, once; another
// distribution's module in the same directory is not.
func TestCoverageJSONNamespaceModules(t *testing.T) {
	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	testfs.Write(t, site, map[string]string{
		"ns/used.py": "def f(x):\n    if x:\n        return 1\n    return 2\n", "ns/unused.py": "def g():\n    return 3\n",
		"ns/others.py": "Z = 1\n", "run.py": "import ns.used, ns.others\nns.used.f(1)\n",
	})
	copies := []moduleCopy{{name: "ns.used", installed: filepath.Join(site, "ns/used.py")}, {name: "ns.unused", installed: filepath.Join(site, "ns/unused.py")}}
	same := func(p string) string { return p }
	rc := filepath.Join(dir, "rc")
	if err := os.WriteFile(rc, []byte(coverageRC(same, filepath.Join(dir, "tree"), copies, nil, nil)), 0o644); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "COVERAGE_FILE="+filepath.Join(dir, ".coverage"))
	run := exec.Command("/usr/bin/python3", "-m", "coverage", "run", "--rcfile="+rc, "run.py")
	run.Dir, run.Env = site, env
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("coverage run: %v\n%s", err, out)
	}
	out := filepath.Join(dir, "cov.json")
	report := exec.Command("/usr/bin/python3", append([]string{"-c", coverageJSONScript, out, "1"}, namespaceModuleFiles(same, filepath.Join(dir, "tree"), copies)...)...)
	report.Dir, report.Env = site, append(env, "COVERAGE_RCFILE="+rc)
	if msg, err := report.CombinedOutput(); err != nil {
		t.Fatalf("coverageJSONScript: %v\n%s", err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var cov struct {
		Files map[string]struct {
			Summary struct {
				Statements int `json:"num_statements"`
				Covered    int `json:"covered_lines"`
			} `json:"summary"`
		} `json:"files"`
	}
	if err := json.Unmarshal(data, &cov); err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for f, c := range cov.Files {
		got[filepath.ToSlash(f)] = [2]int{c.Summary.Statements, c.Summary.Covered}
	}
	want := map[string][2]int{"ns/used.py": {4, 3}, "ns/unused.py": {2, 0}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("files reported: [statements, covered] (-want +got):\n%s", d)
	}
}

// measuredPkg lays out an installed package (files, with its run.py, in dir/site) and a test tree
// holding the project's files (dir/tree), and runs run.py under coverage.py with PYTI's kind of
// configuration (rc: branches, parallel data files in dir, the package as the source).
func measuredPkg(t *testing.T, files, project map[string]string) (dir, tree, rc string) {
	t.Helper()
	dir = t.TempDir()
	site := filepath.Join(dir, "site")
	tree = filepath.Join(dir, "tree")
	testfs.Write(t, site, files)
	if err := os.MkdirAll(tree, 0o755); err != nil {
		t.Fatal(err)
	}
	testfs.Write(t, tree, project)
	rc = filepath.Join(dir, "rc")
	if err := os.WriteFile(rc, []byte("[run]\nbranch = True\nparallel = True\ndata_file = "+filepath.Join(dir, ".coverage")+
		"\nsource =\n    "+filepath.Join(site, "pkg")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := exec.Command("/usr/bin/python3", "-m", "coverage", "run", "--rcfile="+rc, "run.py")
	run.Dir = site
	if out, err := run.CombinedOutput(); err != nil {
		t.Fatalf("coverage run: %v\n%s", err, out)
	}
	return dir, tree, rc
}

// TestCoverageJSONInParts runs coverageJSONScript with real coverage.py in one process and in
// several: the report is the same, file by file and in its totals, whatever the files the
// project's omit patterns leave out of some parts, and a report of nothing fails alike.
func TestCoverageJSONInParts(t *testing.T) {
	tests := []struct {
		name    string
		project map[string]string // in the tree
		modules int
		wantErr bool
	}{
		{"forty modules", nil, 40, false},
		{"most of them left out by the project", map[string]string{".coveragerc": "[run]\nomit = pkg/m1*.py\n    pkg/m2*.py\n    pkg/m3*.py\n"}, 40, false},
		{"every one left out", map[string]string{".coveragerc": "[run]\nomit = pkg/*\n"}, 40, true},
		{"too few to share", nil, 12, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"pkg/__init__.py": ""}
			var run strings.Builder
			for i := range tt.modules {
				// Modules of different sizes, partly run, with branches taken one way or both.
				var m strings.Builder
				for k := range i%7 + 1 {
					fmt.Fprintf(&m, "def f%d(x):\n    if x > %d:\n        return x\n    return -x\n\n", k, k)
				}
				files[fmt.Sprintf("pkg/m%d.py", i)] = m.String()
				if i%3 != 0 {
					fmt.Fprintf(&run, "import pkg.m%d\npkg.m%d.f0(%d)\n", i, i, i%2)
				}
			}
			files["run.py"] = run.String()
			dir, tree, rc := measuredPkg(t, files, tt.project)
			saved, err := filepath.Glob(filepath.Join(dir, ".coverage.*"))
			if err != nil || len(saved) == 0 {
				t.Fatalf("no coverage data: %v", err)
			}
			data := map[string][]byte{}
			for _, f := range saved {
				if data[f], err = os.ReadFile(f); err != nil {
					t.Fatal(err)
				}
			}
			type result struct {
				Files  map[string]any `json:"files"`
				Totals map[string]any `json:"totals"`
				Failed bool
			}
			report := func(parts string) result {
				// Each run combines (and removes) the processes' data: put them back.
				os.Remove(filepath.Join(dir, ".coverage"))
				for f, b := range data {
					if err := os.WriteFile(f, b, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				out := filepath.Join(dir, "cov-"+parts+".json")
				cmd := exec.Command("/usr/bin/python3", "-c", coverageJSONScript, out, parts)
				cmd.Dir = tree
				cmd.Env = append(os.Environ(), "COVERAGE_RCFILE="+rc)
				msg, err := cmd.CombinedOutput()
				if err != nil {
					if !tt.wantErr {
						t.Fatalf("coverageJSONScript with %s parts: %v\n%s", parts, err, msg)
					}
					return result{Failed: true}
				}
				if strings.Contains(string(msg), "in parts failed") {
					t.Errorf("with %s parts: %s", parts, msg)
				}
				// The report is shared only where there are files enough to share.
				if split := strings.Contains(string(msg), "made in 3 parts"); split != (parts == "3" && tt.modules >= 30) {
					t.Errorf("with %s parts, %d modules: split %v (%q)", parts, tt.modules, split, msg)
				}
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				var r result
				if err := json.Unmarshal(b, &r); err != nil {
					t.Fatal(err)
				}
				if left, _ := filepath.Glob(out + ".part*"); len(left) > 0 {
					t.Errorf("with %s parts, left behind: %v", parts, left)
				}
				return r
			}
			one, three := report("1"), report("3")
			if d := cmp.Diff(one, three); d != "" {
				t.Errorf("report in three parts (-in one +in three):\n%s", d)
			}
			if one.Failed != tt.wantErr {
				t.Errorf("failed = %v, want %v", one.Failed, tt.wantErr)
			}
			if !tt.wantErr && len(one.Files) == 0 {
				t.Errorf("no file reported")
			}
		})
	}
}

// TestUncollectedModules: a file named like a test that the test run does not collect, and that
// lies in no directory of tests, is a module of the package, named by its install path.
func TestUncollectedModules(t *testing.T) {
	const test = "def test_x():\n    pass\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"Jinja's template tests under src/", map[string]string{"src/jinja2/tests.py": "", "tests/test_api.py": test, "setup.cfg": "[tool:pytest]\ntestpaths = tests\n"},
			[]string{"jinja2/tests.py"}},
		{"no testpaths: every tests.py is collected", map[string]string{"pkg/__init__.py": "", "pkg/tests.py": test, "tests/test_api.py": test}, nil},
		{"a tests.py inside testpaths is a test", map[string]string{"zope/x/__init__.py": "", "zope/x/tests.py": test, "pytest.ini": "[pytest]\ntestpaths = zope\n"}, nil},
		{"Markdown 3.4.1's public test_tools.py, which the unittest discovery of tests/ never reaches",
			map[string]string{"markdown/__init__.py": "", "markdown/test_tools.py": "import unittest\n\nclass TestCase(unittest.TestCase):\n    pass\n",
				"tests/__init__.py": "", "tests/test_api.py": "import unittest\n\nclass T(unittest.TestCase):\n    def test_x(self):\n        pass\n",
				"makefile": "test:\n\tpython -m unittest discover tests\n"},
			[]string{"markdown/test_tools.py"}},
		{"a test file below a directory of tests outside testpaths stays a test", map[string]string{"pkg/tests/test_old.py": test, "tests/test_api.py": test,
			"pytest.ini": "[pytest]\ntestpaths = tests\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tt.files)
			if d := cmp.Diff(tt.want, uncollectedModules(root), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("uncollectedModules (-want +got):\n%s", d)
			}
		})
	}
	if got := uncollectedModules(""); got != nil {
		t.Errorf("no tree: %v", got)
	}
}

// TestItemTimeout: one test's bound stays under the limit without output that ends the run.
func TestItemTimeout(t *testing.T) {
	for _, tc := range []struct {
		noOutput, want time.Duration
	}{
		{0, 4*time.Minute + 30*time.Second},
		{10 * time.Minute, 9*time.Minute + 30*time.Second},
		{time.Minute, 45 * time.Second},
	} {
		if got := itemTimeout(tc.noOutput); got != tc.want {
			t.Errorf("itemTimeout(%v) = %v, want %v", tc.noOutput, got, tc.want)
		}
	}
}

// TestRunLimit: the plugin stops a run short of the step's wall-clock limit, leaving pytest and
// coverage.py the time to end and save what ran.
func TestRunLimit(t *testing.T) {
	for _, tc := range []struct {
		wall, want time.Duration
	}{
		{20 * time.Minute, 18 * time.Minute},
		{2 * time.Hour, 2*time.Hour - 2*time.Minute},
		{3 * time.Minute, 2*time.Minute + 30*time.Second},
		{40 * time.Second, 20 * time.Second},
		{0, 0},
	} {
		if got := runLimit(tc.wall); got != tc.want {
			t.Errorf("runLimit(%v) = %v, want %v", tc.wall, got, tc.want)
		}
	}
}

// TestCoverageFileNames: parseCoverage names a measured file relative to the test tree or
// site-packages, and a single module's copy in the tree by its place in site-packages, as a
// package's files are named.
func TestCoverageFileNames(t *testing.T) {
	site := "/work/venv/lib/python3.11/site-packages"
	copies := []moduleCopy{
		{name: "typing_extensions", installed: site + "/typing_extensions.py", tree: []string{"src/typing_extensions.py"}},
		{name: "mccabe", installed: site + "/mccabe.py", tree: []string{"mccabe.py"}},
		{name: "pkg", installed: site + "/pkg", dir: true, tree: []string{"src/pkg"}},
		{name: "_speedups"},
	}
	tree := "/work/pyti/sdist-tree"
	tests := []struct {
		name  string
		files []string // as coverage.py names them
		want  []string
	}{
		{"a module under src/ (typing_extensions 4.7.1)", []string{tree + "/src/typing_extensions.py"}, []string{"typing_extensions.py"}},
		{"a module at the top", []string{tree + "/mccabe.py"}, []string{"mccabe.py"}},
		{"a package's files, mapped by coverage.py itself to site-packages", []string{site + "/pkg/b.py", site + "/pkg/a.py"}, []string{"pkg/a.py", "pkg/b.py"}},
		{"mixed, sorted", []string{tree + "/src/typing_extensions.py", site + "/pkg/a.py"}, []string{"pkg/a.py", "typing_extensions.py"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]any{}
			for _, f := range tt.files {
				files[f] = map[string]any{"summary": map[string]any{"num_statements": 1}}
			}
			data, err := json.Marshal(map[string]any{"files": files, "totals": map[string]any{"num_statements": len(files), "excluded_lines": 20}})
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "coverage.json")
			if err := os.WriteFile(path, data, 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := parseCoverage(path, singleModuleNames(copies, site), tree, site)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range c.Files {
				got = append(got, f.Path)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("files (-want +got):\n%s", d)
			}
			// The lines the project's configuration excludes (zc.lockfile 3.0's tox.ini: 20).
			if c.Excluded != 20 {
				t.Errorf("excluded lines %d, want 20", c.Excluded)
			}
		})
	}
}

// TestExtensionsUnused: the note that the tests ran the pure-Python code alone is made only when
// a copy placed in the tree holds compiled extension modules, the run was traced, and it opened
// none of them.
func TestExtensionsUnused(t *testing.T) {
	site := t.TempDir()
	testfs.Write(t, site, map[string]string{"cpkg/__init__.py": "", "cpkg/_speed.cpython-311-x86_64-linux-gnu.so": "ELF",
		"pure/__init__.py": ""})
	compiled := moduleCopy{name: "cpkg", installed: filepath.Join(site, "cpkg"), dir: true, tree: []string{"cpkg"}, compiled: true}
	pure := moduleCopy{name: "pure", installed: filepath.Join(site, "pure"), dir: true, tree: []string{"pure"}}
	notPlaced := compiled
	notPlaced.tree = nil
	tests := []struct {
		name   string
		copies []moduleCopy
		traced bool
		loaded map[string]bool
		want   bool
	}{
		{"extension opened", []moduleCopy{compiled}, true, map[string]bool{"_speed.cpython-311-x86_64-linux-gnu.so": true}, false},
		{"extension never opened (zope.proxy with PURE_PYTHON set)", []moduleCopy{compiled, pure}, true, map[string]bool{"_ctypes.cpython-311-x86_64-linux-gnu.so": true}, true},
		{"not traced: nothing known", []moduleCopy{compiled}, false, nil, false},
		{"no extension", []moduleCopy{pure}, true, map[string]bool{}, false},
		{"the copy not placed in the tree", []moduleCopy{notPlaced}, true, map[string]bool{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := extensionsUnused(tc.copies, tc.traced, tc.loaded); got != tc.want {
				t.Errorf("extensionsUnused = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestExtensionModuleIn: a compiled extension module installed as a file of its own, beside the
// package (cbor2 5.4.6's _cbor2), is found by its module name.
func TestExtensionModuleIn(t *testing.T) {
	site := t.TempDir()
	testfs.Write(t, site, map[string]string{"_cbor2.cpython-311-x86_64-linux-gnu.so": "\x7fELF", "cbor2/__init__.py": "",
		"pkg/_speedups.abi3.so": "\x7fELF", "plain.py": "", "plain.pyi": ""})
	for _, tc := range []struct {
		name string
		want bool
	}{{"_cbor2", true}, {"pkg._speedups", true}, {"cbor2", false}, {"plain", false}, {"missing", false}} {
		if got := extensionModuleIn(site, tc.name); got != tc.want {
			t.Errorf("extensionModuleIn(%q) = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestMeasuredSource: the coverage line names the modules coverage.py measured a file of, not a
// module no test imported (pyrsistent 0.19.3's _pyrsistent_version).
func TestMeasuredSource(t *testing.T) {
	files := func(paths ...string) []report.FileCoverage {
		var out []report.FileCoverage
		for _, p := range paths {
			out = append(out, report.FileCoverage{Path: p})
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		source []string
		files  []report.FileCoverage
		want   []string
	}{
		{"a single module never imported", []string{"_pyrsistent_version", "pyrsistent"}, files("pyrsistent/__init__.py", "pyrsistent/_pmap.py"), []string{"pyrsistent"}},
		{"a single module and a namespace portion", []string{"six", "zope.size"}, files("six.py", "zope/size/__init__.py"), []string{"six", "zope.size"}},
		{"a name that only starts like another", []string{"pkg", "pkg_extra"}, files("pkg_extra/__init__.py"), []string{"pkg_extra"}},
		{"no file named as a module: all of them", []string{"a"}, files("elsewhere/x.py"), []string{"a"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, measuredSource(tc.source, tc.files)); d != "" {
				t.Errorf("source (-want +got):\n%s", d)
			}
		})
	}
}
