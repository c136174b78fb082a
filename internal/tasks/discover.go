package tasks

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// suiteKind is how a project tests itself.
type suiteKind string

const (
	suitePytest   suiteKind = "pytest"
	suiteUnittest suiteKind = "unittest"
	suiteDoctest  suiteKind = "doctest"
	suiteNone     suiteKind = ""
)

// suite is what discovery found.
type suite struct {
	kind suiteKind
	// files are the test files found (relative), at most a few for the report.
	files []string
	// doctestFiles are documentation files with doctests that the project's --doctest-glob
	// patterns name, relative to the tree.
	doctestFiles []string
	// doctestModules: the project asks for its modules' doctests (--doctest-modules), and they
	// have some.
	doctestModules bool
	// found says where the tests are, or why there are none, for a person.
	found string
	// script is tox.ini's command that runs the project's own test script, when no test is
	// found that pytest or unittest would collect (see toxScriptCommand).
	script string
	// unmatched are modules of the test directories whose names no discovery matches, when no
	// suite was found (see unmatchedTestDirModules).
	unmatched []string
	// pythonFiles, when set, is the python_files value PYTI gives pytest so that it collects
	// the test files found as their maintainers' runner would: unittest's own pattern
	// (test*.py) for a suite pytest is not configured for, or pytest's defaults plus the
	// test.py and tests.py files found. Empty when the project's pytest configuration names
	// its own python_files, or when pytest's defaults already collect every file found.
	pythonFiles string
	// config is the project's pytest configuration file (relative to the tree), the one pytest
	// finds when it runs from the tree: given to pytest with -c when it collects doctests from
	// the installed package, outside the tree, where it would find none.
	config string
	// modules are the install paths of the tree's files named like tests that the run does not
	// collect and that lie in no directory of tests: the package's own modules (see notCollected).
	modules []string
	// ignore are directories and files pytest is told to leave out (--ignore): for a unittest
	// suite collected with unittest's pattern, those that unittest's discovery cannot import,
	// whose names are no Python identifiers (distlib's tests/testdist-0.1/, a sample
	// distribution), and those that the project's own discovery does not reach (undiscovered).
	ignore []string
	// tox is what tox.ini's pytest command says about which tests run: its options
	// (--doctest-modules, --ignore, -m ...), given to pytest too, and the paths it names,
	// where pytest collects (not for doctests alone, which collect from the installed
	// package): see toxPytestCommand.
	tox toxPytest
	// django is the Django settings module the project's own test runner uses (see
	// djangoSettings): PYTI's plugin sets Django up with it, as that runner does.
	django string
	// unittestModules: a pytest suite, so typed because some of its files import pytest (and
	// not the project's pytest configuration, or tox's pytest command runs only some of them),
	// whose other files are unittest modules that name their tests in load_tests(), as
	// unittest's discovery takes them (see unittestBeside).
	unittestModules bool
}

// skipDirs are not searched for tests.
var skipDirs = map[string]bool{"build": true, "dist": true, ".git": true, ".tox": true, ".nox": true, "node_modules": true,
	"__pycache__": true, ".eggs": true, "venv": true, ".venv": true, "site-packages": true}

// walkPyFiles calls fn with each regular .py file below root (its path, its path relative to
// root, its name), in lexical order, leaving out the directories pytest does not enter (skipDirs)
// and egg-info, until fn returns false.
func walkPyFiles(root string, fn func(path, rel, name string) bool) {
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() {
			if path != root && (skipDirs[d.Name()] || strings.HasSuffix(d.Name(), ".egg-info")) {
				return filepath.SkipDir
			}
			return nil
		}
		if n := d.Name(); d.Type().IsRegular() && strings.HasSuffix(n, ".py") {
			rel, _ := filepath.Rel(root, path)
			if !fn(path, rel, n) {
				return filepath.SkipAll
			}
		}
		return nil
	})
}

// findTestFiles lists the test modules below root, at most max (0: all): the files pytest's
// defaults collect (test_*.py, *_test.py), test.py and tests.py, those the project's own
// python_files names (mock's test*.py), and, in a directory named test or tests, the test*.py
// files that unittest's discovery collects (mock/tests/testmock.py).
func findTestFiles(root string, max int) []string {
	globs := configuredPythonFiles(root)
	if p := unittestPattern(root); p != "" {
		globs = append(globs, p)
	}
	var out []string
	walkPyFiles(root, func(path, rel, n string) bool {
		if n == "conftest.py" {
			return true
		}
		inTestDir := isTestDir(filepath.Base(filepath.Dir(path))) && path != filepath.Join(root, n)
		if isTestFile(n) || matchesAny(globs, n) || (inTestDir && strings.HasPrefix(n, "test")) {
			out = append(out, rel)
			return max <= 0 || len(out) < max
		}
		return true
	})
	return out
}

// loneTestPy reports whether f is a test.py or tests.py (that the project's python_files does
// not name) alone in a directory below the top that is no package: a sample, as executing's
// tests/samples/tests.py is, which neither pytest's defaults nor unittest's discovery (which
// enters packages only) collects. One at the top, inside a package (webencodings/tests.py), in
// a test directory (polib's tests/tests.py, which its maintainers run as a script) or beside
// other test files is a test module.
func loneTestPy(root, f string, files []string) bool {
	name, dir := filepath.Base(f), filepath.Dir(f)
	if (name != "test.py" && name != "tests.py") || dir == "." || matchesAny(configuredPythonFiles(root), name) ||
		exists(filepath.Join(root, dir, "__init__.py")) || isTestDir(filepath.Base(dir)) {
		return false
	}
	for _, other := range files {
		if other != f && filepath.Dir(other) == dir {
			return false
		}
	}
	return true
}

// inTestpaths keeps the test files that pytest, run from root without paths, collects when the
// project's configuration names testpaths: those at or below one of them (a glob, as pytest
// expands it, too). Jinja's src/jinja2/tests.py is its template tests, not a test module, and
// its testpaths is tests. All of files, when no testpaths is set or when none of the files lies
// in one (pytest then falls back to the directory it runs in).
func inTestpaths(root string, files []string) []string {
	var paths []string
	for _, v := range pytestOption(root, "testpaths") {
		paths = append(paths, strings.Fields(v)...)
	}
	if out := atOrBelow(files, paths); len(out) > 0 {
		return out
	}
	return files
}

// missingTestpaths are the testpaths of the project's pytest configuration that the tree does
// not hold: iniconfig 2.0.0's pyproject.toml names testing/, which its sdist leaves out. A glob
// is not one of them.
func missingTestpaths(root string) []string {
	var out []string
	for _, v := range pytestOption(root, "testpaths") {
		for _, p := range strings.Fields(v) {
			rel := strings.TrimPrefix(path.Clean(filepath.ToSlash(p)), "./")
			if strings.ContainsAny(rel, "*?[") || !insideTree(rel) || rel == "." {
				continue
			}
			if !exists(filepath.Join(root, filepath.FromSlash(rel))) && !slices.Contains(out, rel) {
				out = append(out, rel)
			}
		}
	}
	return out
}

// atOrBelow keeps the files (relative, as findTestFiles gives them) that lie at or below one
// of paths: relative paths or globs, as pytest expands them, a node id's "::" part left out.
func atOrBelow(files, paths []string) []string {
	var out []string
	for _, f := range files {
		parts := strings.Split(filepath.ToSlash(f), "/")
	match:
		for _, p := range paths {
			p, _, _ = strings.Cut(p, "::")
			p = strings.TrimPrefix(path.Clean(filepath.ToSlash(p)), "./")
			if p == "." {
				out = append(out, f)
				break
			}
			for i := range parts {
				if ok, _ := path.Match(p, strings.Join(parts[:i+1], "/")); ok {
					out = append(out, f)
					break match
				}
			}
		}
	}
	return out
}

// configuredPythonFiles are the python_files globs of the pytest configuration pytest reads in
// root (see pytestConfig), nil when it sets none.
func configuredPythonFiles(root string) []string {
	var out []string
	for _, v := range pytestOption(root, "python_files") {
		out = append(out, strings.Fields(v)...)
	}
	return out
}

// pytestOption is the value of one option of the pytest configuration pytest reads in root (see
// pytestConfig): its lines in an ini file, or the string (or list of strings) of
// pyproject.toml's [tool.pytest.ini_options]; nil when it sets none.
func pytestOption(root, name string) []string {
	cfg := pytestConfig(root)
	if cfg == "" {
		return nil
	}
	data, err := readCapped(filepath.Join(root, cfg), 4<<20)
	if err != nil {
		return nil
	}
	if cfg == "pyproject.toml" {
		var doc struct {
			Tool struct {
				Pytest struct {
					IniOptions map[string]any `toml:"ini_options"`
				} `toml:"pytest"`
			} `toml:"tool"`
		}
		if _, err := toml.Decode(string(data), &doc); err != nil {
			return nil
		}
		switch v := doc.Tool.Pytest.IniOptions[name].(type) {
		case string:
			return []string{v}
		case []any:
			var out []string
			for _, e := range v {
				if s, ok := e.(string); ok {
					out = append(out, s)
				}
			}
			return out
		}
		return nil
	}
	section := map[string]string{"pytest.ini": "pytest", ".pytest.ini": "pytest", "tox.ini": "pytest", "setup.cfg": "tool:pytest"}[cfg]
	return iniValue(string(data), section, name)
}

// notRecursed are the files that lie in no directory the project's norecursedirs names
// (marshmallow 3.19.0's tests/mypy_test_cases, type-checking cases, not tests). A pattern
// matches a directory's name, or, with a slash, the end of its path, as pytest's fnmatch_ex
// does.
func notRecursed(files, values []string) []string {
	var patterns []string
	for _, v := range values {
		patterns = append(patterns, strings.Fields(v)...)
	}
	if len(patterns) == 0 {
		return files
	}
	return slices.DeleteFunc(slices.Clone(files), func(f string) bool {
		dirs := strings.Split(path.Dir(filepath.ToSlash(f)), "/")
		for end := len(dirs); end > 0 && dirs[0] != "."; end-- {
			for _, p := range patterns {
				parts := strings.Split(strings.Trim(p, "/"), "/")
				if len(parts) > end {
					continue
				}
				match := true
				for i, part := range parts {
					if ok, _ := path.Match(part, dirs[end-len(parts)+i]); !ok {
						match = false
						break
					}
				}
				if match {
					return true
				}
			}
		}
		return false
	})
}

// configuredDoctests are the doctests the project asks pytest to run, in its configuration's
// addopts or in tox.ini's pytest command: modules when it gives --doctest-modules, and the
// patterns of its --doctest-glob options (pytest's default, test*.txt, without one).
func configuredDoctests(root string) (modules bool, globs []string) {
	var words []string
	for _, line := range pytestOption(root, "addopts") {
		words = append(words, shellWords(line)...)
	}
	words = append(words, projectPytestCommand(root).args...)
	for i := 0; i < len(words); i++ {
		name, value, inline := strings.Cut(words[i], "=")
		switch name {
		case "--doctest-modules":
			modules = true
		case "--doctest-glob":
			if !inline {
				if i+1 >= len(words) {
					continue
				}
				i++
				value = words[i]
			}
			if value != "" && !slices.Contains(globs, value) {
				globs = append(globs, value)
			}
		}
	}
	if len(globs) == 0 {
		globs = []string{"test*.txt"} // pytest's default, collected in every run
	}
	return modules, globs
}

// matchesAny reports whether a file's name matches one of pytest's python_files globs (a glob
// with a slash is matched against the name's last part, as pytest's fnmatch_ex does for a name).
func matchesAny(globs []string, name string) bool {
	for _, g := range globs {
		if ok, _ := path.Match(path.Base(g), name); ok {
			return true
		}
	}
	return false
}

// definedTestPattern is a test a module defines in so many words: a test function, a Test
// class, a TestCase, unittest's protocols, or others' tests imported with *; not a name bound to
// whatever (pyelftools 0.29's run_examples_test.py, a script, binds testlog to a logger).
const definedTestPattern = `(?m)^\s*(async\s+)?def\s+(test|load_tests|test_suite)|^\s*class\s+\w*(Test|test)|TestCase|unittest\.main|import\s+\*`

// definedTest tells the tests a module defines in so many words (definedTestPattern): what
// decides the runner.
var definedTest = regexp.MustCompile(definedTestPattern)

// testDefinition is what a test module may define for a runner to collect: definedTestPattern's,
// a function assigned a test's name, a suite() for unittest's protocols, or a test collection
// hook.
var testDefinition = regexp.MustCompile(definedTestPattern + `|^\s*(async\s+)?def\s+(suite\b|pytest_)|^test\w*\s*=`)

// asksDoctests reports whether the project's pytest configuration asks for doctests that the
// tree holds.
func asksDoctests(root string) bool {
	modules, globs := configuredDoctests(root)
	return len(doctestDocs(root, globs)) > 0 || (modules && hasModuleDoctests(root))
}

// foundFiles says which test files were found, for a person: how many, and the first three.
func foundFiles(files []string) string {
	return plural(len(files), "test file") + " (" + strings.Join(capList(files, 3), ", ") + morePart(len(files), 3) + ")"
}

// definesTests reports whether a test-named module defines anything a runner collects (see
// testDefinition); a file it cannot read counts as one that does.
func definesTests(p string) bool {
	data, err := readCapped(p, 4<<20)
	return err != nil || testDefinition.Match(data)
}

// otherSuites are runners of a suite that is not Python tests pytest collects: behave's feature
// files, Robot Framework's.
var otherSuites = map[string]bool{"behave": true, "robot": true, "pybot": true}

// otherSuiteCommand is the first of the project's test commands (see testCommandLines) that runs
// another kind of suite (python-docx 0.8.11's tox runs `behave --stop --tags=-wip` over its 59
// features beside pytest; zope.deferredimport 4.4's runs the doctests of its documentation with
// `sphinx-build -b doctest`, natsort 8.3.1's with `python -m doctest`), as written; "" when
// there is none.
func otherSuiteCommand(root string) string {
	for _, line := range testCommandLines(root) {
		if _, rest, ok := factorCondition(strings.TrimSpace(line)); ok {
			line = rest // tox's factors (zope.deferredimport's `!py27-!pypy: sphinx-build ...`)
		}
		words := shellWords(toxExpand(line, nil, 0))
		for i, w := range words {
			if otherSuites[path.Base(w)] || (w == "-m" && i+1 < len(words) && (otherSuites[words[i+1]] || words[i+1] == "doctest")) || sphinxDoctest(words, i) {
				return strings.Join(strings.Fields(line), " ")
			}
		}
	}
	return ""
}

// sphinxDoctest reports whether the command's words, from i, run Sphinx's doctest builder
// (`sphinx-build -b doctest`, `python -m sphinx -M doctest`).
func sphinxDoctest(words []string, i int) bool {
	if path.Base(words[i]) != "sphinx-build" && (words[i] != "-m" || i+1 >= len(words) || words[i+1] != "sphinx") {
		return false
	}
	for j, w := range words[i+1:] {
		if w == "-bdoctest" || w == "-Mdoctest" || ((w == "-b" || w == "-M") && i+j+2 < len(words) && words[i+j+2] == "doctest") {
			return true
		}
	}
	return false
}

// runnerScript is the test runner script the tree ships by a conventional name (feedparser
// 6.0.10's tests/runtests.py, whose unittest cases are made from its data files when it runs), or
// "" when there is none.
func runnerScript(root string) string {
	for _, dir := range []string{"tests", "test", "."} {
		for _, name := range []string{"runtests.py", "run_tests.py", "alltests.py", "all_tests.py", "run_all_tests.py"} {
			if rel := path.Join(dir, name); isFile(filepath.Join(root, filepath.FromSlash(rel))) {
				return rel
			}
		}
	}
	return ""
}

// addoptsIgnored are the paths the project's pytest addopts leave out with --ignore, relative to
// root as pytest, run there, takes them.
func addoptsIgnored(root string) []string {
	var out []string
	for _, v := range pytestOption(root, "addopts") {
		f := strings.Fields(v)
		for i := 0; i < len(f); i++ {
			p, ok := strings.CutPrefix(f[i], "--ignore=")
			if !ok && f[i] == "--ignore" && i+1 < len(f) {
				p, ok = f[i+1], true
				i++
			}
			if ok && p != "" {
				out = append(out, strings.TrimSuffix(strings.TrimPrefix(path.Clean(p), "./"), "/"))
			}
		}
	}
	return out
}

// discover decides how to run a project's tests, reading its configuration and files.
func discover(root string) suite {
	all := findTestFiles(root, 0)
	files := inTestpaths(root, all)
	tox := projectPytestCommand(root)
	testpaths := len(pytestOption(root, "testpaths")) > 0
	if within := atOrBelow(all, tox.paths); testpaths && tox.alone && len(within) > 0 {
		// The paths of tox's pytest command, the suite as the maintainers run it, win over the
		// configuration's testpaths, as on pytest's command line: cssselect 1.2.0's tox runs
		// `pytest {posargs: cssselect tests docs}`, its testpaths are tests, and docs/index.rst
		// holds 6 of its 22 tests (sybil's, which its tox installs).
		files, testpaths = within, false
	}
	files = slices.DeleteFunc(slices.Clone(files), func(f string) bool { return loneTestPy(root, f, files) })
	if ignored := addoptsIgnored(root); len(ignored) > 0 {
		// The project's addopts leave these out, and pytest does (asttokens' --ignore=tests/testdata
		// holds sample modules named *_test.py): not test files of the suite.
		if kept := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return len(atOrBelow([]string{f}, ignored)) > 0 }); len(kept) > 0 {
			files = kept
		}
	}
	if kept := notRecursed(files, pytestOption(root, "norecursedirs")); len(kept) > 0 {
		files = kept
	}
	if globs := configuredPythonFiles(root); len(globs) > 0 {
		// The project's python_files is what pytest collects: WebOb 1.8.7's test_*.py leaves
		// out tests/performance_test.py, which pytest's default would take.
		if kept := slices.DeleteFunc(slices.Clone(files), func(f string) bool { return !matchesAny(globs, filepath.Base(f)) }); len(kept) > 0 {
			files = kept
		}
	}
	if within := atOrBelow(files, tox.paths); len(tox.paths) > 0 && !testpaths && tox.alone && len(within) > 0 {
		// tox's pytest command is the whole suite, and names where it lies: the test files
		// elsewhere are not run (pyparsing's examples/test_bibparse.py, beside `pytest tests`).
		files = within
	}
	if dir := tox.changedir; dir != "" && len(tox.paths) == 0 && !testpaths {
		// tox runs the suite in that directory, and its commands name no other place: the test
		// files elsewhere are not run (docutils' tools/test/, beside `python alltests.py` in test/).
		// pytest collects there, as tox's command would name it.
		if within := atOrBelow(files, []string{dir}); len(within) > 0 {
			files, tox.paths = within, []string{dir}
		}
	}
	// tox's pytest command runs a part of the test files, and its other commands the rest.
	othersRunRest := len(tox.paths) > 0 && !tox.alone && len(atOrBelow(files, tox.paths)) < len(files)
	if len(tox.paths) > 0 && (testpaths || len(atOrBelow(files, tox.paths)) < len(files)) {
		// tox's pytest command names where pytest collects when it is the suite, or the
		// project's pytest configuration names no testpaths, and every test file found lies
		// there: then it narrows the whole tree, keeping pytest out of what is no test
		// (hyperlink's docs/conf.py, which its --doctest-modules would import). When tox runs
		// other test commands too, the configuration's testpaths stay the project's own choice.
		// When the paths name a part of the test files and other
		// commands run tests too, they run the rest (pyfakefs runs its unittest suite with
		// python -m, its pytest plugin's tests with pytest): every test file found runs, as
		// without tox's paths.
		tox.paths = nil
	}
	if len(files) > 0 && !slices.ContainsFunc(files, func(f string) bool { return definesTests(filepath.Join(root, f)) }) {
		// Modules named like tests that define none (peewee's playhouse/test_utils.py, helpers
		// for its users' tests, installed with the package): no suite.
		files = nil
	}
	s := suite{modules: notCollected(all, files)}
	if len(files) > 0 {
		s.files = files
		s.kind = suiteUnittest
		if usesPytest(root, files) {
			s.kind = suitePytest
			s.unittestModules = (othersRunRest || !configuredForPytest(root)) && unittestBeside(root, files)
		}
		s.found = foundFiles(files)
		s.pythonFiles = pythonFiles(root, s.kind, files)
		if s.kind == suiteUnittest && s.pythonFiles != "" {
			// The files unittest's pattern leaves out are not the suite's (a script named
			// like a test that defines none, see pythonFiles).
			if kept := slices.DeleteFunc(slices.Clone(s.files), func(f string) bool { return !matchesAny(strings.Fields(s.pythonFiles), filepath.Base(f)) }); len(kept) > 0 && len(kept) < len(s.files) {
				s.files, s.modules = kept, notCollected(all, kept)
				s.found = foundFiles(kept)
			}
			s.ignore = append(unimportable(root), undiscovered(root, files)...)
			if kept := slices.DeleteFunc(slices.Clone(s.files), func(f string) bool { return len(atOrBelow([]string{f}, s.ignore)) > 0 }); len(kept) > 0 {
				s.files, s.modules = kept, notCollected(all, kept)
				s.found = foundFiles(kept)
			} else {
				s.ignore = nil
			}
		}
		s.tox = tox
		s.django = djangoSettings(root)
		return s
	}
	// No test files: the doctests are tests when the project says so, as pytest, run from the
	// tree, would collect them. Examples in a README are often not meant to run (jmespath's has
	// no output, sortedcontainers' calls help()), and a manual pytest run finds no test.
	modules, globs := configuredDoctests(root)
	moduleDoctests := hasModuleDoctests(root)
	s.doctestModules = modules && moduleDoctests
	s.doctestFiles = doctestDocs(root, globs)
	if s.doctestModules || len(s.doctestFiles) > 0 {
		s.kind = suiteDoctest
		s.config = pytestConfig(root)
		s.tox = toxPytest{args: tox.args, source: tox.source, missing: tox.missing}
		var where []string
		if s.doctestModules {
			where = append(where, "the modules")
		}
		if len(s.doctestFiles) > 0 {
			where = append(where, strings.Join(capList(s.doctestFiles, 3), ", ")+morePart(len(s.doctestFiles), 3))
		}
		s.found = "doctests in " + strings.Join(where, " and in ") + ", as its pytest configuration asks"
		return s
	}
	if s.script = toxScriptCommand(root); s.script != "" {
		s.found = "no tests that pytest or unittest would collect: tox.ini runs the suite with its own script (`" + s.script + "`), which PYTI does not run"
		return s
	}
	if s.script = runnerScript(root); s.script != "" {
		s.found = "no tests that pytest or unittest would collect: the sdist ships its own test runner (`" + s.script + "`), which PYTI does not run"
		return s
	}
	s.found = "no tests in the distribution"
	s.tox = toxPytest{source: tox.source, missing: tox.missing}
	if s.unmatched = unmatchedTestDirModules(root, 3); len(s.unmatched) > 0 {
		// commonmark 0.9.1 ships commonmark/tests/unit_tests.py and run_spec_tests.py, which its
		// repository's tox.ini runs with python -m; its sdist ships no tox.ini.
		s.found = "no tests that pytest or unittest would collect: the sdist's test directories hold modules whose names their discovery does not match (" +
			strings.Join(s.unmatched, ", ") + "), and it ships no configuration or command that runs them"
		return s
	}
	if moduleDoctests || len(doctestDocs(root, []string{"*.rst", "*.txt", "*.md"})) > 0 {
		if pytestConfig(root) == "" {
			// bidict 0.22.1's pytest.ini asks for them, and its sdist leaves it out.
			s.found += " (its docstrings or documentation hold examples, and the sdist ships no pytest configuration that asks to run them as doctests)"
		} else {
			s.found += " (its docstrings or documentation hold examples, which its pytest configuration does not ask to run as doctests)"
		}
	}
	return s
}

// unmatchedTestDirModules are up to max modules (relative paths) in the tree's test directories
// (tests/, testing/...) that neither pytest's nor unittest's discovery collects by their names:
// neither test*.py nor *_test.py, nor __init__.py or conftest.py.
func unmatchedTestDirModules(root string, max int) []string {
	var out []string
	walkPyFiles(root, func(p, rel, n string) bool {
		if n == "__init__.py" || n == "conftest.py" || isTestFile(n) || strings.HasPrefix(n, "test") {
			return true
		}
		if isTestDir(filepath.Base(filepath.Dir(p))) && filepath.Dir(p) != root {
			out = append(out, filepath.ToSlash(rel))
		}
		return len(out) < max
	})
	return out
}

// identifier is a name Python can import.
var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// unimportable are the directories below root's top level that unittest's discovery cannot
// import, their names no Python identifiers, and that hold a file unittest's pattern (test*.py)
// would match:
// pytest, given that pattern, would collect it (distlib's tests/testdist-0.1/testdist.py, a
// sample distribution, twice under the same module name). Directories pytest does not enter
// (hidden ones, build, dist...) are left alone.
func unimportable(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() || p == root {
			return nil
		}
		n := d.Name()
		if skipDirs[n] || strings.HasPrefix(n, ".") || strings.HasSuffix(n, ".egg-info") || strings.HasSuffix(n, ".egg") {
			return filepath.SkipDir
		}
		rel, _ := filepath.Rel(root, p)
		if identifier.MatchString(n) || !strings.Contains(filepath.ToSlash(rel), "/") {
			// A directory at the top may be where unittest starts (discover -s tests-py3).
			return nil
		}
		holds := false
		_ = filepath.WalkDir(p, func(q string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasPrefix(e.Name(), "test") && strings.HasSuffix(e.Name(), ".py") {
				holds = true
				return filepath.SkipAll
			}
			return nil
		})
		if holds {
			out = append(out, filepath.ToSlash(rel))
		}
		return filepath.SkipDir
	})
	return out
}

// undiscovered are the test files that the project's own `python -m unittest` discovery (see
// unittestCommand) does not reach: those outside its start directory, and those in a directory
// below it that is no package (no __init__.py), which discovery does not enter (tomli's
// profiler/test_for_profiler.py). None when the project's commands run no such discovery.
func undiscovered(root string, files []string) []string {
	found, start := unittestCommand(root)
	if !found || start == "" {
		return nil
	}
	var out []string
	for _, f := range files {
		rel := f
		if start != "." {
			var ok bool
			if rel, ok = strings.CutPrefix(f, start+"/"); !ok {
				out = append(out, f)
				continue
			}
		}
		dir := start
		for _, part := range strings.Split(path.Dir(rel), "/") {
			if part == "." {
				break
			}
			dir = path.Join(dir, part)
			if !exists(filepath.Join(root, filepath.FromSlash(dir), "__init__.py")) {
				out = append(out, f)
				break
			}
		}
	}
	return out
}

// usesPytest reports whether the project is configured for pytest or its tests use it. A test
// file that names neither pytest nor unittest counts for pytest, unless the project's commands
// run the suite with unittest's runners (markdown's tests subclass its own TestCase, and its
// tox.ini and makefile run them with `python -m unittest discover`).
func usesPytest(root string, files []string) bool {
	if configuredForPytest(root) {
		return true
	}
	unnamed := false
	for _, f := range capList(files, 50) {
		data, err := readCapped(filepath.Join(root, f), 4<<20)
		if err != nil {
			continue
		}
		if bytes.Contains(data, []byte("import pytest")) || bytes.Contains(data, []byte("from pytest")) {
			return true
		}
		// A file that defines no test is a script or a helper named like a test (pyelftools
		// 0.29's test/run_examples_test.py, which its all_tests.py runs as a program beside
		// 41 unittest modules): it says nothing of the runner.
		// Nor does a file whose tests are methods of classes that derive from a TestCase the
		// project's own module defines count for pytest (tornado 6.2's tests subclass
		// tornado.testing's AsyncTestCase, and never name unittest).
		unnamed = unnamed || (!bytes.Contains(data, []byte("unittest")) && definedTest.Match(data) && !unittestBased(root, f, data, 2))
	}
	return unnamed && !runsUnittest(root)
}

var (
	// topLevelTest is a test function at a module's top, pytest's alone.
	topLevelTest = regexp.MustCompile(`(?m)^(?:async\s+)?def\s+test`)
	// classDef is a class statement at a module's top, with its bases on the same line.
	classDef = regexp.MustCompile(`(?m)^class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:`)
	// fromImport is a `from MODULE import NAMES` statement: its names in parentheses, over
	// several lines, or up to the line's end.
	fromImport = regexp.MustCompile(`(?m)^from\s+(\.*[\w.]*)\s+import\s+(\([^)]*\)|[^\n]*)`)
	// lineComment is a comment to a line's end.
	lineComment = regexp.MustCompile(`#[^\n]*`)
)

// unittestBased reports whether a test file (rel, below root) that names neither pytest nor
// unittest is unittest's all the same: no test function at its top, no plain class named like a
// test but a mixin of another class of the file (tornado 6.2's TestReadWriteMixin), and a class
// that derives from a name imported from a module of the tree that speaks of unittest (tornado's
// tornado.testing, whose AsyncTestCase is a unittest.TestCase), or from another such test module
// (simple_httpclient_test's base is httpclient_test's), at most hops away.
func unittestBased(root, rel string, data []byte, hops int) bool {
	if topLevelTest.Match(data) {
		return false
	}
	classes := classDef.FindAllSubmatch(data, -1)
	bases := map[string]bool{}
	for _, c := range classes {
		for _, b := range strings.Split(string(c[2]), ",") {
			bases[strings.TrimSpace(b)] = true
		}
	}
	for _, c := range classes {
		name, b := string(c[1]), strings.TrimSpace(string(c[2]))
		if strings.HasPrefix(name, "Test") && (b == "" || b == "object") && !bases[name] {
			return false // pytest's: a plain class it collects by its name
		}
	}
	from := map[string]string{} // imported name -> module
	for _, m := range fromImport.FindAllSubmatch(data, -1) {
		names := strings.Trim(strings.TrimSpace(lineComment.ReplaceAllString(string(m[2]), "")), "()")
		for _, n := range strings.Split(names, ",") {
			if f := strings.Fields(n); len(f) > 0 {
				from[f[len(f)-1]] = string(m[1]) // `A as B` binds B
			}
		}
	}
	for b := range bases {
		module := from[b]
		if dot := strings.LastIndex(b, "."); module == "" && dot > 0 {
			// tornado.testing.AsyncTestCase, or httpclient_test.HTTPClientCommonTestCase
			// with `from tornado.test import httpclient_test`.
			module = b[:dot]
			first, rest, _ := strings.Cut(module, ".")
			if parent := from[first]; parent != "" {
				module = strings.TrimSuffix(parent, ".") + "." + first
				if rest != "" {
					module += "." + rest
				}
			}
		}
		if module != "" && moduleSpeaksOfUnittest(root, path.Dir(filepath.ToSlash(rel)), module, hops) {
			return true
		}
	}
	return false
}

// moduleSpeaksOfUnittest reports whether the tree's module (absolute, or relative to the
// package directory dir) names unittest, a testing module whose classes are TestCases, or is
// unittest's by its bases (unittestBased), at most hops away.
func moduleSpeaksOfUnittest(root, dir, module string, hops int) bool {
	var rel string
	if trimmed := strings.TrimLeft(module, "."); trimmed != module {
		up := len(module) - len(trimmed) - 1
		base := dir
		for ; up > 0; up-- {
			base = path.Dir(base)
		}
		rel = path.Join(base, strings.ReplaceAll(trimmed, ".", "/"))
	} else {
		rel = strings.ReplaceAll(module, ".", "/")
	}
	for _, cand := range []string{rel + ".py", rel + "/__init__.py", "src/" + rel + ".py", "src/" + rel + "/__init__.py"} {
		if !insideTree(cand) {
			continue
		}
		if data, err := readCapped(filepath.Join(root, filepath.FromSlash(cand)), 4<<20); err == nil {
			return bytes.Contains(data, []byte("unittest")) || (hops > 0 && unittestBased(root, cand, data, hops-1))
		}
	}
	return false
}

// configuredForPytest reports whether the project says it runs its tests with pytest: a pytest
// configuration, a conftest.py at its top, or tox's pytest command.
func configuredForPytest(root string) bool {
	if firstExisting(root, "pytest.ini", "conftest.py") != "" {
		return true
	}
	if _, ok := toxPytestFound(root); ok {
		// The project's tox runs pytest over its unittest modules (portpicker 1.5.2's
		// legacy_tox_ini: py.test -s): pytest runs them as pytest does.
		return true
	}
	for name, marker := range map[string]string{"pyproject.toml": "[tool.pytest", "setup.cfg": "[tool:pytest]", "tox.ini": "[pytest]"} {
		if data, err := readCapped(filepath.Join(root, name), 4<<20); err == nil && bytes.Contains(data, []byte(marker)) {
			return true
		}
	}
	return false
}

// unittestBeside reports whether, of the test files found, one that does not import pytest
// defines load_tests(), unittest's protocol for naming a module's tests: its maintainers run it
// with unittest, whose discovery honours it, beside the modules that use pytest (pyfakefs
// 5.2.2's example_test.py adds 5 doctests there, which pytest alone never runs).
func unittestBeside(root string, files []string) bool {
	for _, f := range capList(files, 200) {
		data, err := readCapped(filepath.Join(root, f), 4<<20)
		if err != nil || bytes.Contains(data, []byte("import pytest")) || bytes.Contains(data, []byte("from pytest")) {
			continue
		}
		if loadTestsDef.Match(data) {
			return true
		}
	}
	return false
}

// loadTestsDef is a module's own load_tests() at its top.
var loadTestsDef = regexp.MustCompile(`(?m)^def load_tests\(`)

// pytestConfig is the file pytest takes its configuration from in root, as it looks for one:
// pytest.ini (even empty), .pytest.ini, then pyproject.toml, tox.ini and setup.cfg when they
// have pytest's section; "" when there is none.
func pytestConfig(root string) string {
	for _, c := range []struct{ name, section string }{{"pytest.ini", ""}, {".pytest.ini", ""},
		{"pyproject.toml", "[tool.pytest.ini_options]"}, {"tox.ini", "[pytest]"}, {"setup.cfg", "[tool:pytest]"}} {
		data, err := readCapped(filepath.Join(root, c.name), 4<<20)
		if err == nil && (c.section == "" || bytes.Contains(data, []byte(c.section))) {
			return c.name
		}
	}
	return ""
}

// pythonFiles is the python_files value pytest needs to collect the test files found the way
// their maintainers run them (see suite.pythonFiles), or "" to leave pytest's own.
func pythonFiles(root string, kind suiteKind, files []string) string {
	if cfg := pytestConfig(root); cfg != "" {
		if data, err := readCapped(filepath.Join(root, cfg), 4<<20); err == nil && bytes.Contains(data, []byte("python_files")) {
			return "" // the configuration pytest reads sets its own
		}
	}
	if kind == suiteUnittest {
		if p := unittestPattern(root); p != "" {
			// The project's discovery names its own pattern (mkdocs' '*tests.py').
			return p
		}
		// `python -m unittest discover` collects test*.py; *_test.py files that define tests
		// were found too. One that defines none is a script its maintainers run as a program
		// (pyelftools' run_examples_test.py), which pytest would import and fail on.
		if slices.ContainsFunc(files, func(f string) bool {
			b := filepath.Base(f)
			if strings.HasPrefix(b, "test") || !strings.HasSuffix(b, "_test.py") {
				return false
			}
			data, err := readCapped(filepath.Join(root, f), 4<<20)
			return err != nil || definedTest.Match(data)
		}) {
			return "test*.py *_test.py"
		}
		return "test*.py"
	}
	for _, f := range files {
		if b := filepath.Base(f); b == "test.py" || b == "tests.py" {
			return "test_*.py *_test.py test.py tests.py"
		}
	}
	return ""
}

// doctestPrompt is an interactive example's first line as doctest finds it: ">>>" at the start
// of a line, after spaces, then a space or the line's end. A ">>> " inside code (pycodestyle
// prints one) is none.
var doctestPrompt = regexp.MustCompile(`(?m)^[ \t]*>>>( |$)`)

// hasModuleDoctests reports whether any Python file holds an interactive example.
func hasModuleDoctests(root string) bool {
	found := false
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipAll
		}
		if d.IsDir() {
			if path != root && skipDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(d.Name(), ".py") && d.Name() != "setup.py" {
			if data, err := readCapped(path, 4<<20); err == nil && doctestPrompt.Match(data) {
				found = true
			}
		}
		return nil
	})
	return found
}

// doctestDocs lists the files at the top or in docs/ that match one of pytest's --doctest-glob
// patterns and hold interactive examples.
func doctestDocs(root string, globs []string) []string {
	var out []string
	for _, dir := range []string{root, filepath.Join(root, "docs"), filepath.Join(root, "doc")} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			n := e.Name()
			if !e.Type().IsRegular() || !matchesAny(globs, n) || strings.HasSuffix(n, ".py") {
				continue
			}
			p := filepath.Join(dir, n)
			if data, err := readCapped(p, 4<<20); err == nil && doctestPrompt.Match(data) {
				rel, _ := filepath.Rel(root, p)
				out = append(out, rel)
			}
		}
	}
	return out
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return itoa(n) + " " + word + "s"
}

func morePart(n, shown int) string {
	if n <= shown {
		return ""
	}
	return ", …"
}
