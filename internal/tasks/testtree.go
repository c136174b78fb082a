package tasks

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/pyti/pyti/internal/jobfs"
	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/testresult"
)

// The tests run against what was built and installed. They run from a copy of the source tree,
// as the project's maintainers run them, with its pytest configuration (testpaths, addopts such
// as --doctest-modules, markers). pytest puts the tree (or the directory above a test package) on
// sys.path, so a test would import the sdist's own copy of the package when one sits at the top of
// the tree or, with `pythonpath = src`, under src/: unbuilt, without its compiled extensions. So
// every such copy in the test tree is overwritten with the installed files (extensions included),
// and the sdist's .py files the wheel does not install are taken out, keeping the tests and their
// data. Whatever path a test imports through, it imports the installed files; coverage measures
// each copy and counts it as the installed file it is.

// moduleCopy is one importable module of the distribution: where it was installed, and the
// copies in the test tree that now hold the installed files.
type moduleCopy struct {
	name string
	// installed is its host path in site-packages (a package directory or a .py file); empty for
	// an extension module or a module installed elsewhere, which coverage cannot measure.
	installed string
	dir       bool
	// tree are the copies in the test tree that now hold the installed files, relative to it.
	tree []string
	// compiled says the installed copy holds compiled extension modules.
	compiled bool
	// extension says the module is a compiled extension module of its own, a file in
	// site-packages (lru-dict's lru, cbor2's _cbor2): installed is empty, and coverage.py cannot
	// measure it.
	extension bool
}

// placeInstalled lays the installed copy of each module over its copies in the test tree (at the
// top of the tree, under src/, or under another top directory that holds its source, see
// sourceDirsOf). The installed files are read below within (the job's directory
// holding the environment) without following a link on any part of their path: the package's own
// code ran in that environment and may have left links to host files there.
func placeInstalled(tree, within, site string, modules []string) ([]moduleCopy, error) {
	root, err := os.OpenRoot(tree)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	var out []moduleCopy
	for _, m := range modules {
		rel := filepath.FromSlash(strings.ReplaceAll(m, ".", "/"))
		c := moduleCopy{name: m}
		if isDir(filepath.Join(site, rel)) {
			c.installed, c.dir = filepath.Join(site, rel), true
		} else if isFile(filepath.Join(site, rel+".py")) {
			c.installed = filepath.Join(site, rel+".py")
		}
		if c.dir {
			c.compiled = hasCompiled(c.installed)
		}
		c.extension = c.installed == "" && extensionModuleIn(site, m)
		if c.installed != "" {
			for _, base := range append([]string{"", "src"}, sourceDirsOf(tree, rel, c.installed, c.dir)...) {
				cand := filepath.Join(base, rel)
				if !c.dir {
					cand += ".py"
				}
				if (c.dir && !isDir(filepath.Join(tree, cand))) || (!c.dir && !isFile(filepath.Join(tree, cand))) {
					continue
				}
				if err := overlay(root, within, cand, c.installed, c.dir); err != nil {
					return nil, fmt.Errorf("%s: %w", m, err)
				}
				c.tree = append(c.tree, filepath.ToSlash(cand))
			}
			if len(c.tree) == 0 && c.dir && !strings.Contains(m, ".") {
				for _, d := range renamedSourceDirs(tree, m, c.installed) {
					if err := overlay(root, within, d, c.installed, true); err != nil {
						return nil, fmt.Errorf("%s: %w", m, err)
					}
					c.tree = append(c.tree, d)
				}
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// sourceDirsOf are the other top directories of the tree (beside the top and src/) that hold the
// source the module was installed from: setup.py's package_dir may name any (crcmod's python3/,
// chosen by the Python version, beside its python2/ copy). A directory holds that source when its
// copy's Python files are the installed ones byte for byte (every installed .py file the copy
// has, __init__.py among them for a package): a copy for another Python, or a vendored other
// version, is not one the tests were meant to import, and stays as it is.
func sourceDirsOf(tree, rel, installed string, dir bool) []string {
	entries, err := os.ReadDir(tree)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if !e.IsDir() || name == "src" || strings.HasPrefix(name, ".") || skipInCopy[name] || isTestDir(name) {
			continue
		}
		cand := filepath.Join(tree, name, rel)
		if dir && isDir(cand) && samePackageSource(cand, installed) {
			out = append(out, name)
		} else if !dir && isFile(cand+".py") && sameFile(cand+".py", installed) {
			out = append(out, name)
		}
	}
	return out
}

// renamedSourceDirs are the top directories of the tree, named otherwise, that hold the source
// of the top package name as it was installed (see samePackageSource): setup.py's package_dir
// may install a directory under another name (regex 2023.3.23's regex_3/ is regex/). pytest,
// collecting the tests inside it, imports that directory as a package of its own name, and runs
// its modules (regex_3/regex.py registered its pickle reducer over the installed one's): they
// must be the installed files, and coverage.py must count them as those.
func renamedSourceDirs(tree, name, installed string) []string {
	entries, err := os.ReadDir(tree)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		d := e.Name()
		if !e.IsDir() || d == name || d == "src" || strings.HasPrefix(d, ".") || skipInCopy[d] || isTestDir(d) {
			continue
		}
		if cand := filepath.Join(tree, d); samePackageSource(cand, installed) && holdsMostOf(cand, installed) {
			out = append(out, d)
		}
	}
	return out
}

// holdsMostOf says whether dir holds, byte for byte, at least half of the Python files of the
// installed package, one of them not empty: a directory that only shares an empty __init__.py
// with it (examples/) is not its copy.
func holdsMostOf(dir, installed string) bool {
	var all, held int
	full := false
	err := walkInstalledPython(installed, func(p, r string, d fs.DirEntry) error {
		all++
		if c := filepath.Join(dir, r); isFile(c) && sameFile(c, p) {
			held++
			if info, err := d.Info(); err == nil && info.Size() > 0 {
				full = true
			}
		}
		return nil
	})
	return err == nil && full && held*2 >= all
}

// walkInstalledPython calls fn with each regular .py file of the installed package (its path,
// its path relative to installed), leaving out __pycache__, until fn returns an error
// (filepath.SkipAll ends the walk without one).
func walkInstalledPython(installed string, fn func(p, rel string, d fs.DirEntry) error) error {
	return filepath.WalkDir(installed, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() || !strings.HasSuffix(p, ".py") {
			return nil
		}
		r, err := filepath.Rel(installed, p)
		if err != nil {
			return err
		}
		return fn(p, r, d)
	})
}

// otherCopies are the directories of the tree (relative, slash-separated) that hold another copy
// of an installed package than those the installed files replaced: the same package, by its
// place below a top directory, its __init__.py and most of the installed package's module names,
// but other bytes (crcmod 1.7's python2/crcmod/, beside the python3/crcmod/ its setup.py installs
// on Python 3). Its tests are that copy's, for another Python, and pytest, collecting them, would
// import it (python2/crcmod/test.py failed to collect, a SyntaxError in its crcmod.py).
func otherCopies(tree string, copies []moduleCopy) []string {
	entries, err := os.ReadDir(tree)
	if err != nil {
		return nil
	}
	var out []string
	for _, c := range copies {
		if !c.dir || c.installed == "" || len(c.tree) == 0 {
			continue
		}
		rel := filepath.FromSlash(strings.ReplaceAll(c.name, ".", "/"))
		for _, e := range entries {
			name := e.Name()
			if !e.IsDir() || strings.HasPrefix(name, ".") || skipInCopy[name] || isTestDir(name) {
				continue
			}
			cand := filepath.ToSlash(filepath.Join(name, rel))
			if slices.Contains(c.tree, cand) || !isFile(filepath.Join(tree, cand, "__init__.py")) {
				continue
			}
			if sharedModuleNames(filepath.Join(tree, cand), c.installed) {
				out = append(out, cand)
			}
		}
	}
	return out
}

// sharedModuleNames says whether the package directory cand holds, by name, most (at least two
// thirds, and two or more) of the .py files at the top of the installed package.
func sharedModuleNames(cand, installed string) bool {
	entries, err := os.ReadDir(installed)
	if err != nil {
		return false
	}
	n, shared := 0, 0
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".py") {
			continue
		}
		n++
		if isFile(filepath.Join(cand, e.Name())) {
			shared++
		}
	}
	return shared >= 2 && 3*shared >= 2*n
}

// samePackageSource says whether the package directory cand holds the installed package's
// Python files as they were installed: its __init__.py, and every other .py file of the
// installed package it has, equal.
func samePackageSource(cand, installed string) bool {
	if !isFile(filepath.Join(cand, "__init__.py")) {
		return false
	}
	same := true
	err := walkInstalledPython(installed, func(p, r string, _ fs.DirEntry) error {
		if c := filepath.Join(cand, r); (isFile(c) || r == "__init__.py") && !sameFile(c, p) {
			same = false
			return filepath.SkipAll
		}
		return nil
	})
	return err == nil && same
}

// sameFile says whether two regular files (links not followed) hold the same bytes.
func sameFile(a, b string) bool {
	da, err := readRegular(a)
	if err != nil {
		return false
	}
	db, err := readRegular(b)
	return err == nil && string(da) == string(db)
}

// readRegular reads a regular file, refusing a link.
func readRegular(p string) ([]byte, error) {
	info, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", p)
	}
	return os.ReadFile(p)
}

// overlay writes the installed files of one module over its copy at rel in the tree (opened as
// root, so that nothing is written outside it through a link), and takes out the copy's .py
// files the installation lacks, except test code.
func overlay(root *os.Root, within, rel, installed string, dir bool) error {
	if !dir {
		return copyInto(root, within, installed, rel)
	}
	have := map[string]bool{}
	err := filepath.WalkDir(installed, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		if !d.Type().IsRegular() {
			return nil
		}
		r, err := filepath.Rel(installed, p)
		if err != nil {
			return err
		}
		have[r] = true
		return copyInto(root, within, p, filepath.Join(rel, r))
	})
	if err != nil {
		return err
	}
	treeDir := filepath.Join(root.Name(), rel)
	return filepath.WalkDir(treeDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(treeDir, p)
		if d.IsDir() {
			if isTestDir(d.Name()) && r != "." {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(p, ".py") && !have[r] && !isTestFile(d.Name()) {
			return root.Remove(filepath.Join(rel, r))
		}
		return nil
	})
}

// copyInto copies the regular file src, below within, to rel inside root, replacing what was there.
func copyInto(root *os.Root, within, src, rel string) error {
	in, err := jobfs.Open(within, src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	if err := root.MkdirAll(filepath.Dir(rel), 0o755); err != nil {
		return err
	}
	if err := root.Remove(rel); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	out, err := root.OpenFile(rel, os.O_WRONLY|os.O_CREATE|os.O_EXCL, info.Mode().Perm()|0o200)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// hasCompiled reports whether an installed package directory holds extension modules.
func hasCompiled(dir string) bool { return len(compiledFiles(dir, 1)) > 0 }

// compiledFiles are the base names of up to limit compiled extension modules below dir.
func compiledFiles(dir string, limit int) []string {
	var found []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && isExtensionModule(p) {
			found = append(found, filepath.Base(p))
			if len(found) == limit {
				return filepath.SkipAll
			}
		}
		return nil
	})
	return found
}

// extensionModuleIn reports whether the module name is installed in site as a compiled
// extension module file of its own (name.cpython-311-x86_64-linux-gnu.so).
func extensionModuleIn(site, name string) bool {
	matches, _ := filepath.Glob(filepath.Join(site, filepath.FromSlash(strings.ReplaceAll(name, ".", "/"))) + ".*")
	return slices.ContainsFunc(matches, func(m string) bool { return isExtensionModule(m) && isFile(m) })
}

// isExtensionModule tells a compiled extension module by its file name.
func isExtensionModule(p string) bool {
	return strings.HasSuffix(p, ".so") || strings.HasSuffix(p, ".pyd")
}

// extensionsUnused says that the tests, traced, opened none of the compiled extension modules of
// the copies placed in the test tree (loaded: the base names of those the traced run opened):
// they ran the package's pure-Python code alone. zope.proxy 5.0.0 takes its C extension only
// without PURE_PYTHON in the environment, and tox.ini's setenv sets PURE_PYTHON=0. False when no
// copy placed holds one, or when the run was not traced (nothing is known).
func extensionsUnused(copies []moduleCopy, traced bool, loaded map[string]bool) bool {
	if !traced {
		return false
	}
	some := false
	for _, c := range copies {
		if !c.compiled || len(c.tree) == 0 {
			continue
		}
		for _, f := range compiledFiles(c.installed, 1000) {
			if loaded[f] {
				return false
			}
			some = true
		}
	}
	return some
}

// testDirNames are the names of directories of tests: a package's (quality.TestDirNames) and a
// tree's testing/ (pytest's own).
var testDirNames = append(quality.TestDirNames(), "testing")

// isTestDir tells a directory of tests by its name: a package's (quality.IsTestDir), or testing/.
func isTestDir(name string) bool { return name == "testing" || quality.IsTestDir(name) }

// isTestFile tells a test module by its base name: pytest's defaults (test_*.py, *_test.py),
// conftest.py, and the single test modules unittest's test*.py pattern collects (test.py, tests.py).
func isTestFile(name string) bool {
	return strings.HasSuffix(name, ".py") && (name == "conftest.py" || name == "test.py" || name == "tests.py" ||
		strings.HasPrefix(name, "test_") || strings.HasSuffix(name, "_test.py"))
}

func isDir(p string) bool {
	info, err := os.Lstat(p)
	return err == nil && info.IsDir()
}

func isFile(p string) bool {
	info, err := os.Lstat(p)
	return err == nil && info.Mode().IsRegular()
}

// testedCopy says, for the report, which copy the tests imported and why; unloaded, that the
// traced run loaded none of the compiled extensions placed (see extensionsUnused), said early in
// the sentence, where a reader meets it first.
func testedCopy(copies []moduleCopy, s suite, unloaded bool) string {
	var placed, installed, extensions, under, renamed []string
	atTop := false
	compiled := false
	inside := map[string]bool{}
	for _, c := range copies {
		if c.extension {
			extensions = append(extensions, c.name)
		}
		if c.installed == "" {
			continue
		}
		installed = append(installed, c.name)
		compiled = compiled || (c.compiled && len(c.tree) > 0)
		own := strings.ReplaceAll(c.name, ".", "/")
		if !c.dir {
			own += ".py"
		}
		for _, rel := range c.tree {
			// A copy below a directory of the tree (src/, or a package_dir's), or at its top.
			if dir, ok := strings.CutSuffix(rel, "/"+own); ok {
				if !slices.Contains(under, dir+"/") {
					under = append(under, dir+"/")
				}
			} else if rel != own {
				// Another name than the one it installs as (regex 2023.3.23's regex_3/, its
				// package_dir for regex).
				renamed = append(renamed, fmt.Sprintf("%s/ is installed as %s", rel, c.name))
			} else {
				atTop = true
			}
			if c.dir {
				rel += "/"
			}
			placed = append(placed, rel)
			for _, f := range s.files {
				if strings.HasPrefix(filepath.ToSlash(f), rel) {
					inside[f] = true
				}
			}
		}
	}
	switch {
	case len(installed) == 0 && len(extensions) > 0:
		// lru-dict 1.1.8's only module is its C extension, lru.
		return fmt.Sprintf("the installed copy of %s in site-packages, compiled: the sdist has no copy that the tests could import instead", strings.Join(extensions, ", "))
	case len(installed) == 0:
		return "the installed environment: no module of the distribution was found to place in the test tree"
	case s.kind == suiteDoctest && s.doctestModules:
		// The doctests of the modules are collected from the installed files themselves
		// (see job.doctestTargets), with the project's configuration.
		out := fmt.Sprintf("the installed copy of %s: pytest collects the doctests of its modules from site-packages, where it was installed", strings.Join(installed, ", "))
		if len(s.doctestFiles) > 0 {
			out += fmt.Sprintf(", and those of %s from the test tree, which holds the installed copy in place of the sdist's", strings.Join(capList(s.doctestFiles, 3), ", ")+morePart(len(s.doctestFiles), 3))
		}
		return out
	case len(placed) == 0:
		return fmt.Sprintf("the installed copy of %s in site-packages: the sdist has no copy that the tests could import instead", strings.Join(installed, ", "))
	}
	why := "so that the tests, which pytest runs from the tree, import what was built and installed"
	if !atTop && len(under) > 0 {
		// src/ (or setproctitle 1.3.2's pkg/, its package_dir) is on the tests' path only when
		// the project puts it there (pythonpath = src): else they import the package from
		// site-packages.
		why = "so that whichever way the tests import it, from site-packages or through " + strings.Join(under, ", ") +
			" when the project puts that on sys.path, they import what was built and installed"
	}
	// Most of the tests, not a helper module that pytest's pattern matches (test_tools.py).
	if 2*len(inside) > len(s.files) {
		why = "because the tests live inside the package: they import it from the tree, and now import what was built and installed"
	}
	if len(renamed) > 0 && !atTop && len(under) == 0 {
		// The tree has no directory of the package's name to import it from: the tests
		// import it from site-packages by that name; their own parent package, the tree's
		// directory, now holds the installed files too.
		why = "though the tree cannot be imported under the package's name (" + strings.Join(renamed, ", ") +
			"): the tests import the package from site-packages, and anything of the tree's copy they import is what was built and installed"
	}
	files := "its files"
	switch {
	case compiled && unloaded:
		files = "its files, compiled extensions included (though no test loaded one: the tests ran its pure-Python code alone),"
	case compiled:
		files = "its files, compiled extensions included,"
	}
	return fmt.Sprintf("the installed copy of %s: %s replace the sdist's %s in the test tree, %s",
		strings.Join(installed, ", "), files, strings.Join(placed, ", "), why)
}

// namespacePortions maps each parent package of the distribution's dotted modules to its
// directories in the test tree (relative to it, slash-separated): PYTI's pytest plugin puts them
// first on the path of a namespace package that was set up before the tests ran, as setuptools'
// -nspkg.pth sets up a pkg_resources-style one, so that the tests import the tree's copies there
// too (see testresult.PytestPlugin).
func namespacePortions(copies []moduleCopy) map[string][]string {
	out := map[string][]string{}
	for _, c := range copies {
		parts := strings.Split(c.name, ".")
		for _, rel := range c.tree {
			dir := filepath.ToSlash(rel)
			for i := len(parts) - 1; i >= 1; i-- {
				dir = path.Dir(dir)
				name := strings.Join(parts[:i], ".")
				if !slices.Contains(out[name], dir) {
					out[name] = append(out[name], dir)
				}
			}
		}
	}
	return out
}

// coverageSource names the modules coverage measures: those installed as Python files.
func coverageSource(copies []moduleCopy) []string {
	var out []string
	for _, c := range copies {
		if c.installed != "" {
			out = append(out, c.name)
		}
	}
	return out
}

// namespaceModuleFiles are the files of the distribution's single-file modules inside a
// namespace package (Paste 3.5.3's paste/cascade.py beside paste/deploy/, another distribution's),
// each as the test tree's copies and the installed file, one argument per module, its paths on
// lines of their own (in gives their paths inside the sandbox). coverage.py is given them by
// their dotted names, their directory holding other distributions' files, and reports none the
// tests never imported ("Module paste.cascade was never imported"); coverageJSONScript adds those,
// unexecuted, as it adds a source directory's files.
func namespaceModuleFiles(in func(string) string, tree string, copies []moduleCopy) []string {
	var out []string
	for _, c := range copies {
		if c.dir || c.installed == "" || !strings.Contains(c.name, ".") {
			continue
		}
		var paths []string
		for _, t := range c.tree {
			paths = append(paths, in(filepath.Join(tree, t)))
		}
		out = append(out, strings.Join(append(paths, in(c.installed)), "\n"))
	}
	return out
}

// uncollectedModules are the install paths of the files named like tests in a source tree that
// its test run does not collect (see discover's suite.modules): the package's own modules,
// whatever their names say. A file at the top of the tree or under src/ installs at its path
// there.
func uncollectedModules(root string) []string {
	if root == "" {
		return nil // a wheel analysed alone: no tree to tell
	}
	return discover(root).modules
}

// notCollected are the install paths of the files among all (a tree's test files, named like
// tests) that collected (those its test run collects) leaves out, and that lie in no directory of
// tests: modules of the package, whatever their names say. Jinja's template tests,
// src/jinja2/tests.py, outside its testpaths; Markdown's public markdown/test_tools.py, which
// the unittest discovery of tests/ its maintainers run never reaches; peewee's
// playhouse/test_utils.py, helpers for its users' tests, in a tree with no test of its own.
func notCollected(all, collected []string) []string {
	var out []string
	for _, f := range all {
		f = filepath.ToSlash(f)
		if slices.Contains(collected, f) || slices.ContainsFunc(strings.Split(path.Dir(f), "/"), isTestDir) {
			continue
		}
		out = append(out, strings.TrimPrefix(f, "src/"))
	}
	return out
}

// testOmit are coverage's omit patterns for the test code found (test files, the test
// directories holding them, every conftest.py), in each of roots where a copy lives (the test
// tree, its src/, site-packages). They are anchored there: a pattern "*/test/*" for a project's
// top-level test/ would also match every file below a test tree in a test/ directory. A testing/
// directory is the tests' at the top of the tree only (pytest's own); inside a package it is the
// package's code for its users' tests (networkx/testing/, numpy.testing), which lint counts as
// the package's too: only its tests/ are left out.
func testOmit(files []string, roots ...string) []string {
	set := map[string]bool{"*/conftest.py": true}
	for _, f := range files {
		f = strings.TrimPrefix(filepath.ToSlash(f), "src/")
		parts := strings.Split(f, "/")
		rel := f
		for i, p := range parts[:len(parts)-1] {
			if quality.IsTestDir(p) || (i == 0 && isTestDir(p)) {
				rel = strings.Join(parts[:i+1], "/") + "/*"
				break
			}
		}
		for _, r := range roots {
			set[strings.TrimSuffix(filepath.ToSlash(r), "/")+"/"+rel] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// coverageRC is PYTI's coverage configuration (what is measured is PYTI's to decide; of the
// project's own, only the lines it leaves out of its report count, see coverageJSONScript):
// branch coverage of the distribution's modules, in every copy the tests
// may import, each copy in the test tree reported as the installed file. in maps a host path to
// the sandbox's view.
func coverageRC(in func(string) string, tree string, copies []moduleCopy, omit, concurrency []string) string {
	var b strings.Builder
	b.WriteString("[run]\nbranch = True\nparallel = True\n")
	if len(concurrency) > 0 {
		fmt.Fprintf(&b, "concurrency = %s\n", strings.Join(concurrency, ", "))
	}
	b.WriteString("source =\n")
	for _, c := range copies {
		if c.installed == "" {
			continue
		}
		if !c.dir {
			fmt.Fprintf(&b, "    %s\n", c.name)
			continue
		}
		fmt.Fprintf(&b, "    %s\n", in(c.installed))
		for _, t := range c.tree {
			fmt.Fprintf(&b, "    %s\n", in(filepath.Join(tree, t)))
		}
	}
	b.WriteString("omit =\n")
	for _, o := range omit {
		fmt.Fprintf(&b, "    %s\n", o)
	}
	b.WriteString("\n[paths]\n")
	for i, c := range copies {
		if !c.dir || len(c.tree) == 0 {
			continue
		}
		fmt.Fprintf(&b, "module%d =\n    %s/\n", i, in(c.installed))
		for _, t := range c.tree {
			fmt.Fprintf(&b, "    %s/\n", in(filepath.Join(tree, t)))
		}
	}
	b.WriteString("\n[report]\nignore_errors = True\n")
	return b.String()
}

// projectConcurrency is the project's own coverage `[run] concurrency`, as coverage.py reads its
// configuration in root (.coveragerc, setup.cfg's and tox.ini's [coverage:run], pyproject.toml's
// [tool.coverage.run]), of the values coverage.py can always trace: thread and multiprocessing.
// waitress 2.1.2's tests start their servers with multiprocessing: without it, what those
// processes run was not measured (branches 1.3 points low). gevent, greenlet and eventlet are
// left out: coverage.py refuses to run at all where they are not installed.
func projectConcurrency(root string) []string {
	var values []string
	for _, c := range []struct{ file, section string }{{".coveragerc", "run"}, {"setup.cfg", "coverage:run"}, {"tox.ini", "coverage:run"}} {
		data, err := readCapped(filepath.Join(root, c.file), 1<<20)
		if err != nil {
			continue
		}
		if v := iniValue(string(data), c.section, "concurrency"); len(v) > 0 {
			values = v
			break
		}
		if c.file == ".coveragerc" {
			break // coverage.py reads only .coveragerc when it is there
		}
	}
	if values == nil {
		if data, err := readCapped(filepath.Join(root, "pyproject.toml"), 1<<20); err == nil {
			var pp struct {
				Tool struct {
					Coverage struct {
						Run struct {
							Concurrency any `toml:"concurrency"`
						} `toml:"run"`
					} `toml:"coverage"`
				} `toml:"tool"`
			}
			if _, err := toml.Decode(string(data), &pp); err == nil {
				switch v := pp.Tool.Coverage.Run.Concurrency.(type) {
				case string:
					values = []string{v}
				case []any:
					for _, e := range v {
						if s, ok := e.(string); ok {
							values = append(values, s)
						}
					}
				}
			}
		}
	}
	var out []string
	for _, v := range values {
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
			if (f == "thread" || f == "multiprocessing") && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	return out
}

// coverageConfigNote is what coverageJSONScript's output says of the project's coverage
// configuration it could not follow (its "coverage: the project's ..." lines), or "".
func coverageConfigNote(output string) string {
	var notes []string
	for _, l := range strings.Split(output, "\n") {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(l), "coverage: the project's "); ok {
			notes = append(notes, "the project's "+rest)
		}
	}
	return strings.Join(notes, "; ")
}

// coverageJSONScript combines the coverage data of every process (remapping the test tree's
// copies onto the installed files) and writes the JSON report named by its argument. PYTI's
// configuration (COVERAGE_RCFILE) says what was measured; the lines left out of the report are
// the project's own (its exclude_lines, exclude_also and partial_branches), read from its
// configuration in the tree (.coveragerc, setup.cfg, tox.ini or pyproject.toml) as a `coverage
// report` run there would read them, so that `if TYPE_CHECKING:` or `raise NotImplementedError`
// count as the project counts them; and so are the files its omit patterns leave out (tqdm's
// chat-service integrations), matched on the installed copies too. The project's configurer
// plugins (covdefaults: its exclusions, its omit patterns) change those options as they do for
// the project's own `coverage report`, when they are installed. Its second argument is how many
// processes may share the report's work: reading and parsing every measured file, which for
// Pygments' 321 modules took 3.9 s, once the tests had left the other CPU free.
const coverageJSONScript = `import json, os, sys, coverage
rc = os.environ.pop("COVERAGE_RCFILE")


def options(project):
    own = {}
    for opt in ("exclude_lines", "exclude_also", "partial_branches"):
        try:
            own[opt] = project.get_option("report:" + opt)
        except Exception:
            pass  # an option this coverage.py does not know
    omit = []
    for opt in ("run:omit", "report:omit"):
        try:
            omit += project.get_option(opt) or []
        except Exception:
            pass
    # The project's own omit patterns, for the installed copies too: a relative pattern is the
    # tree's path ("tqdm/contrib/bells.py", "src/pkg/_version.py"), the installed file's ends so.
    # One for an environment's libraries ("*/site-packages/*") is for third-party code, which is
    # never measured, and would match every installed file.
    for p in omit:
        p = p.strip()
        if any(w in p for w in ("site-packages", "dist-packages", "/lib/python", "python3", "python?", ".tox", "venv")):
            continue
        if p and p[0] not in "*?/":
            p = "*/" + (p[4:] if p.startswith("src/") else p)
        if p and p not in own.setdefault("omit", []):
            own["omit"].append(p)
    return own


own = {}
try:
    project = coverage.Coverage(config_file=True, data_file=None)
    own = options(project)
    if project.get_option("run:plugins"):
        # coverage.py loads the plugins, and a configurer among them changes the options, when
        # it first needs them (its private _init, in every version since 4.5).
        try:
            project._init()
            own = options(project)
        except Exception as e:
            print("coverage: the project's coverage plugins are not used, nor the options they set: %s: %s" % (type(e).__name__, e))
except Exception as e:
    print("coverage: the project's coverage configuration is not used: %s" % e)


def configured():
    cov = coverage.Coverage(config_file=rc)
    for opt, value in own.items():
        cov.set_option("report:" + opt, value)
    return cov


def parts_of(files, n):
    # A file's analysis (tokenizing and parsing it) costs about its size: the largest first, each
    # to the part with the least so far.
    def size(f):
        try:
            return os.path.getsize(f)
        except OSError:
            return 0
    parts, loads = [[] for _ in range(n)], [0] * n
    for f in sorted(files, key=lambda f: (-size(f), f)):
        i = loads.index(min(loads))
        parts[i].append(f)
        loads[i] += size(f) + 1
    return parts


def report_part(files, outfile):
    # A fresh Coverage on the saved data: a database connection opened before a fork is not the
    # child's to use. False when the part's files are all left out (no data to report).
    cov = configured()
    cov.load()
    try:
        cov.json_report(morfs=files, outfile=outfile)
    except Exception as e:
        if "No data to report" in str(e):
            return False
        raise
    return True


def merged(outs, precision):
    from coverage.results import Numbers
    doc, total = None, Numbers(precision=precision)
    for out in outs:
        with open(out) as f:
            part = json.load(f)
        files = part["files"]
        if doc is None:
            doc = part
            doc["files"] = {}
        for name, data in files.items():
            doc["files"][name] = data
            s = data["summary"]
            total += Numbers(precision=precision, n_files=1, n_statements=s["num_statements"],
                             n_excluded=s["excluded_lines"], n_missing=s["missing_lines"],
                             n_branches=s.get("num_branches", 0), n_partial_branches=s.get("num_partial_branches", 0),
                             n_missing_branches=s.get("missing_branches", 0))
    if doc is None:
        return None
    totals = {"covered_lines": total.n_executed, "num_statements": total.n_statements,
              "percent_covered": total.pc_covered, "percent_covered_display": total.pc_covered_str,
              "missing_lines": total.n_missing, "excluded_lines": total.n_excluded}
    if doc["meta"].get("branch_coverage"):
        totals.update({"num_branches": total.n_branches, "num_partial_branches": total.n_partial_branches,
                       "covered_branches": total.n_executed_branches, "missing_branches": total.n_missing_branches})
    doc["files"] = dict(sorted(doc["files"].items()))
    doc["totals"] = totals
    return doc


def report_in_parts(cov, outfile, n):
    # The files' analyses, the report's whole cost, split among n processes (forked), each
    # reporting its part to a file of its own, and joined as coverage.py joins its files'.
    files = sorted(cov.get_data().measured_files())
    n = min(n, len(files) // 10)
    if n < 2:
        return False
    outs = ["%s.part%d" % (outfile, i) for i in range(n)]
    sys.stdout.flush()
    children = []
    parts = parts_of(files, n)
    for i, part in enumerate(parts[1:], 1):
        pid = os.fork()
        if pid == 0:
            try:
                os._exit(0 if report_part(part, outs[i]) else 4)
            except BaseException:
                os._exit(3)
        children.append((pid, outs[i]))
    written = [outs[0]] if report_part(parts[0], outs[0]) else []
    for pid, out in children:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code == 0:
            written.append(out)
        elif code != 4:
            raise RuntimeError("a part of the report failed (exit %d)" % code)
    doc = merged(written, cov.config.precision)
    if doc is None:
        raise coverage.CoverageException("No data to report.")
    with open(outfile, "w") as f:
        json.dump(doc, f)
    for out in outs:
        if os.path.exists(out):
            os.remove(out)
    print("coverage: the report was made in %d parts" % n)
    return True


def touch_unimported(cov, modules):
    # A namespace package's single-file modules that no test imported (see
    # namespaceModuleFiles): each its paths, the test tree's copies first, on lines of their own.
    # One whose paths were none measured is added unexecuted at the first that exists.
    try:
        data = cov.get_data()
        measured = set(data.measured_files())
        new = []
        for module in modules:
            paths = module.split("\n")
            if any(p in measured for p in paths):
                continue
            there = [p for p in paths if os.path.isfile(p)]
            if there:
                new.append(there[0])
        if new:
            data.touch_files(new)
    except Exception as e:
        print("coverage: the modules no test imported are not reported: %s: %s" % (type(e).__name__, e))


cov = configured()
cov.combine()
touch_unimported(cov, sys.argv[3:])
cov.save()
try:
    done = False
    if int(sys.argv[2]) > 1:
        try:
            done = report_in_parts(cov, sys.argv[1], int(sys.argv[2]))
        except Exception as e:
            if "No data to report" in str(e):
                raise
            print("coverage: the report in parts failed (%s: %s): reporting in one" % (type(e).__name__, e))
    if not done:
        cov.json_report(outfile=sys.argv[1])
except Exception as e:
    print("coverage: %s" % e)
    sys.exit(3)
`

// reportParts is how many processes share the coverage report (coverageJSONScript): one per CPU
// PYTI may use, up to four.
func reportParts() int {
	return min(runtime.NumCPU(), 4)
}

// treePath is an absolute path in a failure's message, up to a space, a quote, a bracket or a
// separator of a message.
var treePath = regexp.MustCompile(`/[^\s'"(),;:]+`)

// missingTreePath is the first path (relative to the tree) that an exception's message names
// inside the test tree (insideTree, as the sandbox saw it) and that the tree does not hold, nor the
// directory it would lie in (hostTree): gitdb's "InvalidDBRoot: /work/pyti/sdist-tree/.git/objects", a
// project's own error that says which of its data it could not find. A file missing from a
// directory that is there may be one the test itself was to write, unless collecting is true: a
// collection error's message is read, where no test has run to write anything (immutables 0.19's
// mypy data collector: "Test data prefix (/work/pyti/sdist-tree/tests/test-data) not set
// correctly", the sdist shipping tests/ without it). "" when the message names none.
func missingTreePath(message, insideTree, hostTree string, collecting bool) string {
	line, _, _ := strings.Cut(message, "\n")
	for _, p := range treePath.FindAllString(line, 10) {
		p = strings.TrimRight(p, ".")
		rel, ok := strings.CutPrefix(p, insideTree+"/")
		if !ok || rel == "" || strings.HasPrefix(path.Clean(rel), "..") {
			continue
		}
		full := filepath.Join(hostTree, filepath.FromSlash(rel))
		if !exists(full) && (collecting || !exists(filepath.Dir(full))) {
			return path.Clean(rel)
		}
	}
	return ""
}

// ownModule is the module of own (the distribution's importable names) that module lies below,
// or "": a package's submodule, never the package itself nor another portion of its namespace.
func ownModule(module string, own []string) string {
	for _, m := range own {
		if strings.HasPrefix(module, m+".") {
			return m
		}
	}
	return ""
}

// siblingModuleDir is the directory of the test module of nodeID, relative to the tree, when the
// module a test could not import is a top-level one whose file lies in that directory (dill's
// tests/test_module.py imports test_mixins, as `python tests/test_module.py` finds it): not a
// dependency, but a script's import that pytest's sys.path does not serve. Else "".
func siblingModuleDir(hostTree, nodeID, module string) string {
	if module == "" || strings.Contains(module, ".") {
		return ""
	}
	file, _, _ := strings.Cut(nodeID, "::")
	dir := path.Dir(file)
	if !strings.HasSuffix(file, ".py") || path.IsAbs(file) || strings.HasPrefix(path.Clean(dir), "..") {
		return ""
	}
	// A file only: a test package beside it may share its name with the dependency it tests
	// (django-filter's tests/rest_framework/, for djangorestframework's rest_framework).
	if exists(filepath.Join(hostTree, filepath.FromSlash(dir), module+".py")) {
		return dir
	}
	return ""
}

// keepMissingData keeps the missing-file class only for files that would lie in the test tree
// (test data the sdist does not ship), and gives it to an error whose message names such a file
// (missingTreePath); a test that opens a missing file elsewhere simply errs.
// A collection that stops with a message naming a directory the sdist's own MANIFEST.in asks
// for, and which the sdist lacks, stopped for want of that test data (see manifestMissingDirs).
// A program a test ran by its path in the tree is such a file too (a script the sdist lacks).
// A module a test could not import that lies beside the test module is no missing dependency
// (siblingModuleDir): the module is a script's, and fails to collect (or the test errs).
// A module below one of the distribution's own (own: its importable names) is no missing
// dependency either: the build did not make it; nor is one of its own: it is installed.
// insideTree is the tree as the sandbox saw it, hostTree the same directory here.
func keepMissingData(run *testresult.Run, insideTree, hostTree string, own []string) {
	changed := false
	var unshipped []string
	manifestRead := false
	for i := range run.Cases {
		c := &run.Cases[i]
		if c.Class == testresult.CollectionError {
			if !manifestRead {
				unshipped, manifestRead = manifestMissingDirs(hostTree), true
			}
			if d := namedDir(c.Message, unshipped); d != "" {
				c.Class, c.MissingPath, changed = testresult.MissingFile, d, true
			} else if p := missingTreePath(c.Message, insideTree, hostTree, true); p != "" {
				c.Class, c.MissingPath, changed = testresult.MissingFile, p, true
			}
		}
		if c.Class == testresult.MissingProgram && filepath.IsAbs(c.MissingProgram) {
			if rel, err := filepath.Rel(insideTree, c.MissingProgram); err == nil && !strings.HasPrefix(rel, "..") {
				c.Class, c.MissingPath, c.MissingProgram, changed = testresult.MissingFile, c.MissingProgram, "", true
			}
		}
		if c.Class == testresult.MissingDependency {
			// No distribution provides it: a module of the package's own that its build did
			// not make (python-snappy 0.6.1 builds snappy._snappy_cffi on PyPy alone), or a
			// script's sibling module.
			why := ""
			if m := ownModule(c.Missing, own); m != "" {
				why = fmt.Sprintf("`%s` is a module of the package's own `%s`, which this build did not install", c.Missing, m)
			} else if slices.Contains(own, c.Missing) {
				// psutil 5.9.4's TestScripts run its scripts with os.path.realpath(sys.executable),
				// the system's Python, which does not see the virtualenv: so does tox's run.
				why = fmt.Sprintf("`%s` is the package itself, installed in the test environment: what could not import it ran outside that environment, such as another Python than the environment's", c.Missing)
			} else if dir := siblingModuleDir(hostTree, c.NodeID, c.Missing); dir != "" {
				why = fmt.Sprintf("`%s` is a test module beside it in %s, which Python finds only with that directory on sys.path, as running the file as a script puts it", c.Missing, dir)
			}
			if why != "" {
				c.Class = testresult.Exception
				if !strings.Contains(c.NodeID, "::") {
					c.Class = testresult.CollectionError
				}
				c.Message += " (" + why + ")"
				c.Missing, changed = "", true
			}
		}
		if c.Class == testresult.Exception {
			if p := missingTreePath(c.Message, insideTree, hostTree, false); p != "" {
				c.Class, c.MissingPath, changed = testresult.MissingFile, p, true
			}
		}
		if c.Class != testresult.MissingFile {
			continue
		}
		p := c.MissingPath
		if base := path.Base(filepath.ToSlash(p)); base == "None" || base == "" {
			// Python's word for a setting that is not set (pymongo 4.3.3's OCSP tests open
			// CA_FILE, from an environment variable their CI sets): no file of the sdist's.
			c.Class, changed = testresult.Exception, true
			continue
		}
		if filepath.IsAbs(p) {
			rel, err := filepath.Rel(insideTree, p)
			if err != nil || strings.HasPrefix(rel, "..") {
				c.Class, changed = testresult.Exception, true
				continue
			}
			p = rel
		}
		if exists(filepath.Join(hostTree, p)) {
			// There after all: the failure is the test's own.
			c.Class, changed = testresult.Exception, true
			continue
		}
		c.MissingPath = filepath.ToSlash(filepath.Clean(p))
	}
	if changed {
		run.CountClasses()
	}
}

// manifestLimit bounds the MANIFEST.in read: a real one is a few kilobytes.
const manifestLimit = 256 << 10

// manifestMissingDirs are the directories that the MANIFEST.in at the top of hostTree grafts or
// recursively includes and that the tree does not have: data the project means its sdist to
// carry, left out of this one (html5lib 1.1's `graft html5lib/tests/testdata`, a git submodule
// that was not checked out when the sdist was made). Directories written with glob characters,
// absolute or leading out of the tree are not read; nil without a MANIFEST.in.
func manifestMissingDirs(hostTree string) []string {
	p := filepath.Join(hostTree, "MANIFEST.in")
	if fi, err := os.Lstat(p); err != nil || !fi.Mode().IsRegular() || fi.Size() > manifestLimit {
		return nil
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || (f[0] != "graft" && f[0] != "recursive-include") {
			continue
		}
		d := path.Clean(strings.ReplaceAll(f[1], "\\", "/"))
		if strings.ContainsAny(d, "*?[") || path.IsAbs(d) || d == "." || d == ".." || strings.HasPrefix(d, "../") || slices.Contains(out, d) {
			continue
		}
		if !exists(filepath.Join(hostTree, filepath.FromSlash(d))) {
			out = append(out, d)
		}
	}
	return out
}

// namedDir is the first of dirs that message names, by its path or by its last element as a
// word of its own ("testdata not available!" names html5lib/tests/testdata), or "".
func namedDir(message string, dirs []string) string {
	for _, d := range dirs {
		if strings.Contains(message, d) {
			return d
		}
		word := regexp.MustCompile(`(^|[^\w.-])` + regexp.QuoteMeta(path.Base(d)) + `($|[^\w-])`)
		if word.MatchString(message) {
			return d
		}
	}
	return ""
}
