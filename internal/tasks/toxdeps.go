package tasks

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pkgmeta"
)

// toxRequirements are the deps of tox.ini's [testenv], the environment tox runs the tests in:
// requirement lines, and the requirements of files it names with -r (inside the tree). A line
// conditional on factors is kept for the environment named after the Python the tests run on
// (py311), as a marker (see factorMarker). Lines tox would substitute ({...}), editable or
// direct references (the project itself, ".[test]") are left out: the extras PYTI installs
// anyway, and the rest names no distribution on the index.
func toxRequirements(root string) []string {
	data, err := readToxConfig(root)
	if err != nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(r string) {
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	active := envFactors(string(data))
	for _, line := range toxValue(string(data), "testenv", "deps") {
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		line = strings.TrimSpace(line)
		if cond, dep, ok := factorCondition(line); ok {
			// A requirement for some environments only: kept, with a marker that holds on the
			// Pythons those environments run (see factorMarker); the others' are left out.
			marker, keep := factorMarker(cond, active)
			r, err := pep440.ParseRequirement(dep)
			if !keep || err != nil || r.URL != "" {
				continue
			}
			if marker != "" {
				if r.Marker != nil {
					marker = "(" + r.Marker.String() + ") and (" + marker + ")"
				}
				r.Marker = nil
				dep = r.String() + "; " + marker
			}
			add(dep)
			continue
		}
		if strings.HasPrefix(line, "-r") {
			line = toxExpand(line, nil, 0) // -r{toxinidir}/requirements/testing.txt
		}
		switch {
		case line == "", strings.HasPrefix(line, "#"), strings.Contains(line, "{"),
			strings.HasPrefix(line, "-e"), strings.HasPrefix(line, "-c"):
			continue
		case strings.HasPrefix(line, "-r"):
			for _, r := range requirementsFileIn(root, strings.TrimSpace(strings.TrimPrefix(line, "-r"))) {
				add(r)
			}
		default:
			if r := indexRequirement(line); r != "" {
				add(r)
			}
		}
	}
	return out
}

// factorLine is a tox line conditional on factors: "py38,py39: pkg", "!pypy: pkg",
// "py{27,34,311,py3}: hypothesis", "py311-django: pkg".
var factorLine = regexp.MustCompile(`^(!?[A-Za-z0-9_.{}-][!A-Za-z0-9_.{}, -]*?)\s*:\s+(\S.*)$`)

// factorCondition splits a factor-conditional tox line into its condition and the rest.
func factorCondition(line string) (cond, rest string, ok bool) {
	m := factorLine.FindStringSubmatch(line)
	if m == nil {
		return "", "", false
	}
	return m[1], m[2], true
}

// pyFactor is a factor naming a Python: py, py3, py311, pypy, pypy3.
var pyFactor = regexp.MustCompile(`^(py|pypy)(\d?)(\d*)$`)

// envFactors are the factors of the environment of tox.ini's envlist that runs on the newest
// Python it names, the first such one (crispy-forms' py310-django32 of
// {py37,py38,py39,py310}-django{32}: django32), as a maintainer testing on a recent Python picks
// it. Its Python's factor (py310) is there too: it holds on that Python and any newer one, which
// the envlist predates (see factorMarker). When no environment names a Python, those of the
// first that a factor names as the tests' (see testEnv).
func envFactors(text string) map[string]bool {
	active := map[string]bool{}
	for _, f := range strings.Split(testEnv(text), "-") {
		if f != "" {
			active[f] = true
		}
	}
	return active
}

// testEnv is the environment of tox's envlist that runs on the newest Python it names, the first
// such one (crispy-forms' py310-django32 of {py37,py38,py39,py310}-django{32}); among those, one
// that a factor names as the tests' before the others, and one that no factor names as another
// task's (a build, the docs, a linter) before the rest: jsonschema 4.17.3's
// py{...,311}-{noextra,format}-{build,tests} runs the tests in py311-noextra-tests, and only
// builds the package in py311-noextra-build. When no environment names a Python, the first that
// a factor names as the tests'; "" when there is none.
func testEnv(text string) string {
	var envs []string
	for _, key := range []string{"envlist", "env_list"} { // tox 3's name, tox 4's
		for _, line := range iniValue(text, "tox", key) {
			envs = append(envs, expandBraces(line)...)
		}
	}
	best, bestVersion, bestRank, first := "", -1, -1, ""
	for _, env := range envs {
		version, rank := -1, 1
		for _, f := range strings.Split(env, "-") {
			if m := pyFactor.FindStringSubmatch(f); m != nil && m[1] == "py" && m[2] == "3" && m[3] != "" {
				if v, err := strconv.Atoi(m[3]); err == nil {
					version = max(version, v)
				}
			} else if testFactors[strings.ToLower(f)] {
				rank = max(rank, 2)
			} else if otherFactors[strings.ToLower(f)] && rank < 2 {
				rank = 0
			}
		}
		if version >= 0 && (version > bestVersion || version == bestVersion && rank > bestRank) {
			best, bestVersion, bestRank = env, version, rank
		}
		if version < 0 && rank == 2 {
			first = cmp.Or(first, env)
		}
	}
	// No environment names a Python (incremental 22.10.0's flake8, tests, apidocs): the first
	// one a factor names as the tests'.
	return cmp.Or(best, first)
}

// testFactors name an environment that runs the tests; otherFactors one that does something else.
var (
	testFactors  = map[string]bool{"test": true, "tests": true, "testing": true, "unit": true, "unittests": true, "pytest": true}
	otherFactors = map[string]bool{"build": true, "docs": true, "doc": true, "lint": true, "style": true, "typing": true, "mypy": true,
		"flake8": true, "pep8": true, "readme": true, "release": true, "bench": true, "benchmark": true, "perf": true, "packaging": true}
)

// testenvSection is the section of tox's configuration with the settings of its own of the
// environment the tests run in (testEnv): [testenv:ENV], or a section whose name's braces expand
// to it (tomli's [testenv:py{37,38,39,310}]); "" when there is none, and [testenv] holds them all.
func testenvSection(text string) string {
	env := testEnv(text)
	if env == "" {
		return ""
	}
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		name, ok := strings.CutPrefix(strings.TrimSpace(raw), "[testenv:")
		if !ok || !strings.HasSuffix(name, "]") || raw != strings.TrimLeft(raw, " \t") {
			continue
		}
		name = strings.TrimSpace(strings.TrimSuffix(name, "]"))
		for _, e := range expandBraces(name) {
			if strings.TrimSpace(e) == env {
				return "testenv:" + name
			}
		}
	}
	return ""
}

// readToxConfig reads the project's tox configuration in the INI form tox reads: tox.ini, else
// pyproject.toml's [tool.tox] legacy_tox_ini (tomli's), else setup.cfg's [tox:tox] and [testenv]
// sections (its [tox:tox] read as [tox]). The error wraps fs.ErrNotExist when there is none.
func readToxConfig(root string) ([]byte, error) {
	data, _, err := toxConfig(root)
	return data, err
}

// toxConfig is readToxConfig, with the name of the file that holds the configuration.
func toxConfig(root string) (data []byte, file string, err error) {
	data, err = readCapped(filepath.Join(root, "tox.ini"), 1<<20)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return data, "tox.ini", err
	}
	if pyproject, err := readCapped(filepath.Join(root, "pyproject.toml"), 1<<20); err == nil {
		var pp struct {
			Tool struct {
				Tox struct {
					LegacyToxIni string `toml:"legacy_tox_ini"`
				} `toml:"tox"`
			} `toml:"tool"`
		}
		if _, err := toml.Decode(string(pyproject), &pp); err == nil && pp.Tool.Tox.LegacyToxIni != "" {
			return []byte(pp.Tool.Tox.LegacyToxIni), "pyproject.toml", nil
		}
	}
	if cfg, err := readCapped(filepath.Join(root, "setup.cfg"), 1<<20); err == nil && strings.Contains(string(cfg), "[tox:tox]") {
		return []byte(strings.ReplaceAll(string(cfg), "[tox:tox]", "[tox]")), "setup.cfg", nil
	}
	return nil, "", fmt.Errorf("no tox configuration in %s: %w", root, fs.ErrNotExist)
}

// factorMarker is the PEP 508 marker under which a tox factor condition holds for the
// environment tox runs on the tests' Python: a Python's factor (py311; py and py3 hold on every
// Python) becomes a marker on the Python (that Python or a newer one for the newest, which active
// has), and any other factor (django32, full) holds when active has it (see envFactors). Each
// alternative (comma-separated, braces expanded) holds when each of its factors (joined with "-")
// does, a negated one when it does not. keep is false when no alternative can hold; marker is ""
// when one always does.
func factorMarker(cond string, active map[string]bool) (marker string, keep bool) {
	var alternatives []string
	for _, alt := range expandBraces(cond) {
		var clauses []string
		holds := true
		for _, f := range strings.Split(strings.TrimSpace(alt), "-") {
			negated := strings.HasPrefix(f, "!")
			f = strings.TrimPrefix(f, "!")
			m := pyFactor.FindStringSubmatch(f)
			// A clause and its negation, both PEP 508 (which has no "not": pip refuses
			// `cffi; not (...)`, and with it the whole download).
			var clause, negation string
			switch {
			case m == nil:
				holds = holds && active[f] != negated
				continue
			case m[1] == "pypy":
				clause, negation = `platform_python_implementation == "PyPy"`, `platform_python_implementation != "PyPy"`
			case m[2] == "" || m[2] == "3" && m[3] == "":
				clause = "" // py, py3: every Python PYTI runs
			case m[3] == "":
				major, _ := strconv.Atoi(m[2]) // py2: any Python 2
				clause = fmt.Sprintf(`python_version >= "%d" and python_version < "%d"`, major, major+1)
				negation = fmt.Sprintf(`(python_version < "%d" or python_version >= "%d")`, major, major+1)
			case active[f]:
				// The newest Python the envlist names: a newer one, which the project's tox.ini
				// predates, runs its environment (tqdm 4.64.1's py3{7,8,9,10}: pytest-asyncio,
				// which its setup.cfg's --asyncio-mode=strict needs, on 3.11).
				clause = `python_version >= "` + m[2] + "." + m[3] + `"`
				negation = `python_version < "` + m[2] + "." + m[3] + `"`
			default:
				clause = `python_version == "` + m[2] + "." + m[3] + `"`
				negation = `python_version != "` + m[2] + "." + m[3] + `"`
			}
			switch {
			case clause == "" && negated:
				holds = false
			case clause != "" && negated:
				clauses = append(clauses, negation)
			case clause != "":
				clauses = append(clauses, clause)
			}
		}
		if !holds {
			continue
		}
		if len(clauses) == 0 {
			return "", true
		}
		if alt := strings.Join(clauses, " and "); !slices.Contains(alternatives, alt) {
			alternatives = append(alternatives, alt)
		}
	}
	if len(alternatives) == 0 {
		return "", false
	}
	return strings.Join(alternatives, " or "), true
}

// expandBraces splits a tox factor condition at its commas outside braces, and expands the
// braces of each part: "py{38,39}-dj, pypy" is py38-dj, py39-dj and pypy.
func expandBraces(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i, c := range s {
		switch c {
		case '{':
			depth++
		case '}':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	parts = append(parts, strings.TrimSpace(s[start:]))
	var out []string
	for _, p := range parts {
		out = append(out, expandOne(p)...)
	}
	return out
}

// expandOne expands the braces of one alternative, the first group first.
func expandOne(s string) []string {
	i := strings.IndexByte(s, '{')
	j := strings.IndexByte(s, '}')
	if i < 0 || j < i {
		return []string{s}
	}
	var out []string
	for _, choice := range strings.Split(s[i+1:j], ",") {
		out = append(out, expandOne(s[:i]+strings.TrimSpace(choice)+s[j+1:])...)
	}
	return out
}

// toxExtras are the extras tox installs the project with for its tests on Python pythonVersion
// (its full version, 3.11.2): the names of tox.ini's [testenv] extras (one a line, or separated
// by commas; those on factors when the environment envFactors picks has them, on that Python),
// those of a deps line that installs the project itself with extras (tenacity's ".[doc]",
// "-e {toxinidir}[test]"), and those of a command that pip-installs it (self, its name) with
// extras (incremental 21.3.0's `tests: pip install incremental[scripts]`).
func toxExtras(root, self, pythonVersion string) []string {
	data, err := readToxConfig(root)
	if err != nil {
		return nil
	}
	var out []string
	active, env := envFactors(string(data)), pep440.DefaultEnvironment(pythonVersion)
	for _, line := range toxValue(string(data), "testenv", "extras") {
		if i := strings.Index(line, "#"); i >= 0 {
			line = line[:i]
		}
		if cond, rest, ok := factorCondition(strings.TrimSpace(line)); ok {
			// An extra on factors: kept when the condition holds on the tests' Python (munch
			// 2.5.0's {py27,py35,py36,pypy}-full: yaml, py36 its envlist's newest).
			if !factorHolds(cond, active, env) {
				continue
			}
			line = rest
		}
		if strings.Contains(line, "{") {
			continue
		}
		out = appendNames(out, line)
	}
	for _, line := range joinContinued(toxValue(string(data), "testenv", "commands")) {
		if cond, rest, ok := factorCondition(strings.TrimSpace(line)); ok {
			if !factorHolds(cond, active, env) {
				continue
			}
			line = rest
		}
		for _, arg := range pipInstallArgs(shellWords(toxExpand(line, nil, 0))) {
			if m := selfWithExtras.FindStringSubmatch(arg); m != nil {
				out = appendNames(out, m[1])
			} else if name, extras, ok := strings.Cut(strings.TrimSuffix(arg, "]"), "["); ok && self != "" && strings.HasSuffix(arg, "]") &&
				pep440.NormalizeName(name) == pep440.NormalizeName(self) {
				out = appendNames(out, extras)
			}
		}
	}
	read := map[string]bool{}
	for _, line := range toxValue(string(data), "testenv", "deps") {
		line = strings.TrimSpace(line)
		if m := selfWithExtras.FindStringSubmatch(line); m != nil {
			out = appendNames(out, m[1])
		}
		if strings.HasPrefix(line, "-r") {
			// A requirements file tox installs may install the project with extras too:
			// watchdog 2.3.1's requirements-tests.txt starts with -e ".[watchmedo]".
			walkRequirementsFiles(root, strings.TrimSpace(strings.TrimPrefix(toxExpand(line, nil, 0), "-r")), read, func(rf *pkgmeta.RequirementsFile) {
				for _, l := range rf.Requirements {
					if m := selfWithExtras.FindStringSubmatch(strings.TrimSpace(l.Raw)); m != nil {
						out = appendNames(out, m[1])
					}
				}
			})
		}
	}
	return out
}

// pipInstallArgs are the requirements a command's words pip-install (`pip install`, `python -m
// pip install`, with -e's value among them), nil when it is no pip install.
func pipInstallArgs(words []string) []string {
	i := slices.Index(words, "install")
	if i < 1 || (path.Base(words[i-1]) != "pip" && path.Base(words[i-1]) != "pip3") {
		return nil
	}
	var out []string
	for _, w := range words[i+1:] {
		if !strings.HasPrefix(w, "-") {
			out = append(out, w)
		}
	}
	return out
}

// selfWithExtras is a tox deps line installing the project itself with extras: ".[doc]",
// "-e .[test,doc]", "{toxinidir}[tests]", quoted or not (`-e ".[watchmedo]"`).
var selfWithExtras = regexp.MustCompile(`^(?:-e\s*)?["']?(?:\.|\./|\{toxinidir\}/?)\[([^\]]+)\]["']?$`)

// appendNames adds the valid names of a comma-separated list to out, each once.
func appendNames(out []string, list string) []string {
	for _, name := range strings.Split(list, ",") {
		if name = strings.TrimSpace(name); name != "" && pep440.ValidName(name) && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// toxPytest is what tox.ini's [testenv] pytest command says about which tests run, as its
// maintainers run them.
type toxPytest struct {
	// args are its options that decide which tests run: --doctest-modules, --doctest-glob,
	// --ignore, --ignore-glob, -m (a marker expression) and pytest-asyncio's --asyncio-mode (as
	// -o asyncio_mode=). Others (reporting, plugins' options) are left out, and so is an option
	// whose value tox would substitute with what PYTI does not know, or a path leaving the tree.
	args []string
	// paths are the files and directories it names (hyperlink's {posargs:src/{env:PY_MODULE}}
	// is src/hyperlink), those of them the tree has: pytest collects there only, not from
	// the whole tree (where --doctest-modules would import docs/conf.py).
	paths []string
	// alone says no other command of [testenv] runs tests (another pytest, a test module or
	// script run with Python, unittest, nose, zope-testrunner): the pytest command is the
	// suite, and its paths are all of it (pyparsing's `pytest tests` leaves examples/ out).
	alone bool
	// changedir is [testenv]'s changedir when it is a directory of the tree (toxChangedir),
	// whether or not a pytest command runs there: its paths are relative to it.
	changedir string
	// source is the file the command is read from when it is not tox.ini (a CI workflow's, or
	// the setup.cfg or pyproject.toml that holds the tox configuration).
	source string
	// missing are the paths it names that the tree does not have: test files the sdist does
	// not ship (boltons 23.0.0's {toxinidir}/tests, beside the doctests of its package).
	missing []string
}

// notTestModules are modules a tox command runs with `python -m` that run no tests: installers,
// linters, type checkers, builders, coverage's reporting.
var notTestModules = map[string]bool{"pip": true, "mypy": true, "flake8": true, "black": true, "isort": true, "pylint": true,
	"pycodestyle": true, "pyflakes": true, "ruff": true, "build": true, "twine": true, "sphinx": true, "check_manifest": true,
	"coverage": true, "pre_commit": true, "bandit": true, "pydocstyle": true, "codespell": true, "towncrier": true, "venv": true,
	"tarfile": true, "zipfile": true, "json": true, "http": true, "ensurepip": true, "site": true, "sysconfig": true,
	"platform": true, "cibuildwheel": true, "setuptools_scm": true, "wheel": true, "compileall": true, "pydoc": true}

// runsTests reports whether a tox command's words (other than the pytest command) run tests:
// pytest, unittest, nose, zope-testrunner, trial, `setup.py test`, a module run with `python -m`
// that is not one of notTestModules, or a Python script of the tree.
func runsTests(root string, words []string) bool {
	for i, w := range words {
		base := w[strings.LastIndex(w, "/")+1:]
		switch {
		case base == "pytest" || base == "py.test" || base == "nosetests" || base == "zope-testrunner" || base == "trial":
			return true
		case w == "-m" && i+1 < len(words):
			mod, _, _ := strings.Cut(words[i+1], ".")
			if !notTestModules[mod] {
				return true
			}
		case base == "setup.py":
			// pbr's `setup.py testr` (requests-mock 1.10.0's tox.ini, after `pytest tests/pytest`)
			// runs the testtools suite too.
			return i+1 < len(words) && (words[i+1] == "test" || words[i+1] == "testr")
		case base == "testr" || base == "stestr" || base == "ostestr":
			return true
		case i > 0 && pythonCommand.MatchString(words[i-1]) && strings.HasSuffix(w, ".py"):
			p := strings.TrimPrefix(path.Clean(w), "./")
			return insideTree(p) && exists(filepath.Join(root, filepath.FromSlash(p)))
		}
	}
	return false
}

// pytestValued are pytest's options (and its common plugins') that take the next word as
// their value, when given without "=": that word is not a path to collect. Those PYTI keeps
// (-m, --ignore, --doctest-glob...) take theirs where toxPytestCommand reads them.
var pytestValued = map[string]bool{"-k": true, "-p": true, "-c": true, "-o": true, "-W": true, "-r": true,
	"-n": true, "--cov": true, "--cov-report": true, "--cov-config": true, "--cov-fail-under": true, "--junitxml": true,
	"--junit-xml": true, "--basetemp": true, "--rootdir": true, "--confcutdir": true, "--deselect": true,
	"--maxfail": true, "--tb": true, "--durations": true, "--timeout": true, "--log-level": true, "--override-ini": true,
	"--import-mode": true, "--color": true, "--dist": true, "--numprocesses": true, "--reruns": true,
	"--capture": true, "--log-cli-level": true, "--log-file": true, "--hypothesis-profile": true}

// toxinidirMark stands for {toxinidir} while a command is split into words.
const toxinidirMark = "\x00toxinidir\x00"

// toxChangedir is the directory, relative to root, that tox.ini's [testenv] (toxIni, its text)
// runs its commands in when it is one of the tree's (docutils' `changedir = test`, where `python
// alltests.py` discovers the suite), or "": none set, the tree's top, or one outside it
// ({envtmpdir}, where a project runs its tests away from the tree's copy of the package).
func toxChangedir(root, toxIni string) string {
	lines := toxValue(toxIni, "testenv", "changedir")
	if len(lines) == 0 {
		return ""
	}
	dir := strings.TrimSpace(toxExpand(strings.TrimSpace(lines[0]), nil, 0))
	if dir == "" || strings.Contains(dir, "{") || !insideTree(dir) {
		return ""
	}
	dir = strings.TrimPrefix(path.Clean(filepath.ToSlash(dir)), "./")
	if dir == "." || !isDir(filepath.Join(root, filepath.FromSlash(dir))) {
		return ""
	}
	return dir
}

// toxPytestCommand reads tox.ini's [testenv] pytest command in root (the first line that runs
// pytest, on no factor). tox's substitutions are expanded where PYTI knows their value:
// {posargs} (empty, or its default), {env:NAME} from the environment's setenv, {toxinidir}.
func toxPytestCommand(root string) toxPytest {
	p, _ := toxPytestFound(root)
	return p
}

// toxPytestFound is toxPytestCommand, and whether tox.ini has a pytest command.
func toxPytestFound(root string) (toxPytest, bool) {
	data, file, err := toxConfig(root)
	if err != nil {
		return toxPytest{}, false
	}
	text := string(data)
	p, ok := pytestCommandIn(root, joinContinued(toxValue(text, "testenv", "commands")), toxChangedir(root, text), toxKnownSetenv(text))
	if ok && file != "tox.ini" {
		p.source = file
	}
	return p, ok
}

// toxSetenv are the variables tox's [testenv] setenv gives the tests on Python pythonVersion
// (its full version, 3.11.2), as NAME=VALUE, sorted, and the file of the tox configuration (see
// toxConfig): those on no factor, or on factors that hold for the environment tox runs on that
// Python (see factorMarker: zope.interface 6.0's `!pure-!pypy3: PURE_PYTHON=0`), whose value
// needs no substitution PYTI cannot make ({toxinidir} and the like), and that are not the
// environment's plumbing (paths, the interpreter's and pip's settings, coverage's files, PYTI's
// own), which the test step sets itself. zipp's PYTHONWARNDEFAULTENCODING=1 turns on a test
// that is skipped without it.
func toxSetenv(root, pythonVersion string) (vars []string, file string) {
	data, file, err := toxConfig(root)
	if err != nil {
		return nil, ""
	}
	var out []string
	for k, v := range toxSetenvOn(string(data), pythonVersion) {
		if envName.MatchString(k) && !plumbing(k) {
			out = append(out, k+"="+v)
		}
	}
	slices.Sort(out)
	return out, file
}

// toxKnownSetenv are the variables of [testenv] setenv in a tox configuration, on no factor,
// whose values need no substitution PYTI cannot make ({toxinidir}, {env:...}), by name.
func toxKnownSetenv(text string) map[string]string { return toxSetenvOn(text, "") }

// toxSetenvOn is toxKnownSetenv with the lines on factors that hold for the environment tox
// runs on Python pythonVersion; none of those when pythonVersion is "". A later line sets a
// name again, as in tox.
func toxSetenvOn(text, pythonVersion string) map[string]string {
	out := map[string]string{}
	var env pep440.Environment
	var active map[string]bool
	if pythonVersion != "" {
		env, active = pep440.DefaultEnvironment(pythonVersion), envFactors(text)
	}
	for _, line := range toxValue(text, "testenv", "setenv") {
		if cond, rest, ok := factorCondition(line); ok {
			if pythonVersion == "" || !factorHolds(cond, active, env) {
				continue
			}
			line = rest
		}
		if k, v, ok := strings.Cut(line, "="); ok && !strings.ContainsAny(v, "{}\n") {
			out[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return out
}

// factorHolds reports whether a tox factor condition holds for the environment tox runs on the
// Python env describes, whose other factors are active (see factorMarker).
func factorHolds(cond string, active map[string]bool, env pep440.Environment) bool {
	marker, keep := factorMarker(cond, active)
	if !keep || marker == "" {
		return keep
	}
	m, err := pep440.ParseMarker(marker)
	if err != nil {
		return false
	}
	holds, err := m.Evaluate(env)
	return err == nil && holds
}

// envName is an environment variable's name as a shell writes one.
var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// plumbing reports whether a variable belongs to the test step's own set-up rather than to the
// tests: where programs and modules are found, the interpreter's start-up and warnings (but for
// PYTHONWARNDEFAULTENCODING and PYTHONHASHSEED, which tests read), pip, coverage, pytest's, the
// temporary and home directories, and PYTI's.
func plumbing(name string) bool {
	n := strings.ToUpper(name)
	for _, p := range []string{"PYTHON", "PIP_", "COVERAGE", "PYTI_", "LD_", "VIRTUAL_ENV", "TOX", "PYTEST_"} {
		if strings.HasPrefix(n, p) && n != "PYTHONWARNDEFAULTENCODING" && n != "PYTHONHASHSEED" {
			return true
		}
	}
	switch n {
	case "PATH", "HOME", "TMPDIR", "TEMP", "TMP", "SHELL", "USER", "LOGNAME", "PWD", "DJANGO_SETTINGS_MODULE":
		return true
	}
	return false
}

// pytestCommandIn reads the first of a project's command lines (tox.ini's [testenv] commands,
// or a CI workflow's) that runs pytest, on no tox factor, run in directory cd ("" for the
// tree's top): what it says about which tests run, and found true; else toxPytest{changedir:
// cd} and false. setenv gives {env:NAME} its value.
func pytestCommandIn(root string, lines []string, cd string, setenv map[string]string) (toxPytest, bool) {
	for n, line := range lines {
		if _, _, onFactors := factorCondition(line); onFactors {
			continue
		}
		// {toxinidir} marked, so that a path under it stays the tree's, not changedir's.
		words := unwrapShell(shellWords(toxExpand(strings.ReplaceAll(line, "{toxinidir}", toxinidirMark), setenv, 0)))
		fromTop := map[int]bool{}
		for i, w := range words {
			if strings.Contains(w, toxinidirMark) {
				words[i], fromTop[i] = strings.ReplaceAll(w, toxinidirMark, "."), true
			}
		}
		at := pytestAt(words)
		if at < 0 {
			continue
		}
		out := toxPytest{alone: true, changedir: cd}
		for m, other := range lines {
			if m != n && runsTests(root, unwrapShell(shellWords(toxExpand(other, setenv, 0)))) {
				out.alone = false
			}
		}
		args := words[at+1:]
		for i := 0; i < len(args); i++ {
			a := args[i]
			name, value, inline := strings.Cut(a, "=")
			if !strings.HasPrefix(a, "-") {
				if installed, ok := strings.CutPrefix(a, "{envsitepackagesdir}/"); ok {
					// The installed package (boltons' `--doctest-modules {envsitepackagesdir}/boltons`):
					// its copy in the test tree, where the installed files replace the sdist's.
					if p := treeCopyOf(root, installed); p != "" {
						out.paths = append(out.paths, p)
					}
					continue
				}
				if cd != "" && !fromTop[at+1+i] {
					// Relative to the directory tox runs the command in; pytest runs from the top.
					file, node, hasNode := strings.Cut(a, "::")
					if a = path.Join(cd, file); hasNode {
						a += "::" + node
					}
				}
				if p := strings.TrimPrefix(path.Clean(strings.SplitN(a, "::", 2)[0]), "./"); !strings.Contains(a, "{") && insideTree(p) {
					if matches := treeGlob(root, p); matches != nil {
						// A shell's pattern (ruamel.yaml 0.17.21's `bash -c 'pytest _test/test_*.py'`):
						// the files it names, as the shell gives them to pytest.
						out.paths = append(out.paths, matches...)
					} else if exists(filepath.Join(root, filepath.FromSlash(p))) {
						out.paths = append(out.paths, a)
					} else if !slices.Contains(out.missing, p) {
						out.missing = append(out.missing, p)
					}
				}
				continue
			}
			switch name {
			case "--doctest-modules":
				out.args = append(out.args, a)
			case "--asyncio-mode":
				// pytest-asyncio's mode decides whether an unmarked async test runs or is skipped
				// (responses 0.23.1's `--asyncio-mode=auto`). As an ini override, a run without
				// the plugin warns of an unknown option instead of refusing its command line.
				if !inline && i+1 < len(args) {
					i++
					value = args[i]
				}
				if value == "auto" || value == "strict" {
					out.args = append(out.args, "-o", "asyncio_mode="+value)
				}
			case "--doctest-glob", "--ignore", "--ignore-glob", "-m":
				if !inline {
					if i+1 >= len(args) {
						continue
					}
					i++
					value = args[i]
				}
				if strings.Contains(value, "{") || (name != "-m" && !insideTree(value)) {
					continue
				}
				if name == "-m" {
					out.args = append(out.args, name, value) // argparse would read -m=x as "=x"
				} else {
					out.args = append(out.args, name+"="+value)
				}
			default:
				if pytestValued[name] && !inline && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
					i++
				}
			}
		}
		return out, true
	}
	return toxPytest{changedir: cd}, false
}

// unwrapShell is the words of the command a shell runs for words (`/bin/bash -c 'pytest
// _test/test_*.py'`, ruamel.yaml 0.17.21's tox command, to expand its pattern), else words.
func unwrapShell(words []string) []string {
	if len(words) == 3 && words[1] == "-c" {
		switch words[0][strings.LastIndex(words[0], "/")+1:] {
		case "sh", "bash", "dash":
			return shellWords(words[2])
		}
	}
	return words
}

// treeGlob is what a shell's pattern p (relative, slash-separated, with * ? or [) names in the
// tree at root, sorted, as relative slash-separated paths; nil when p is no pattern or names
// nothing.
func treeGlob(root, p string) []string {
	if !strings.ContainsAny(p, "*?[") {
		return nil
	}
	found, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(p)))
	if err != nil {
		return nil
	}
	var out []string
	for _, f := range found {
		if rel, err := filepath.Rel(root, f); err == nil && insideTree(filepath.ToSlash(rel)) {
			out = append(out, filepath.ToSlash(rel))
		}
	}
	return out
}

// pytestAt is the index of the word that runs pytest in a command's words (pytest, py.test, a
// path to either, python -m pytest, coverage run -m pytest), or -1.
func pytestAt(words []string) int {
	for i, w := range words {
		base := w[strings.LastIndex(w, "/")+1:]
		if (base == "pytest" || base == "py.test") && (i == 0 || words[i-1] == "-m" || strings.Contains(w, "/")) {
			return i
		}
	}
	return -1
}

// treeCopyOf is where the tree holds the sdist's copy of an installed path (a package, a module,
// as site-packages names it): at the top, or under src/; "" when it holds none, or the path leaves
// site-packages.
func treeCopyOf(root, installed string) string {
	rel := strings.TrimPrefix(path.Clean(installed), "./")
	if strings.Contains(rel, "{") || !insideTree(rel) {
		return ""
	}
	for _, p := range []string{rel, "src/" + rel} {
		if exists(filepath.Join(root, filepath.FromSlash(p))) {
			return p
		}
	}
	return ""
}

// runsUnittest reports whether the project's own commands run its suite with a runner of
// unittest's (`python -m unittest`, also under `coverage run`; zope.testrunner; `setup.py test`)
// and none of them runs pytest: tox.ini's [testenv] commands (markdown's repository:
// `coverage run -m unittest discover tests`), else its Makefile's recipes (markdown's sdist,
// which leaves tox.ini out, keeps the makefile's `test` target).
func runsUnittest(root string) bool {
	found, _ := unittestCommand(root)
	return found
}

// unittestCommand is runsUnittest's answer, and the directory (relative, slash-separated) that
// the first `python -m unittest` discovery among those commands starts from: "." for a bare
// `python -m unittest` or `discover` without one, the directory `discover DIR` or `-s DIR`
// names; "" when the commands run no such discovery (they name test modules, or another runner).
func unittestCommand(root string) (found bool, start string) {
	started := false
	for _, line := range testCommandLines(root) {
		words := shellWords(toxExpand(line, nil, 0))
		for i, w := range words {
			base := w[strings.LastIndex(w, "/")+1:]
			switch {
			case base == "pytest" || base == "py.test":
				return false, ""
			case base == "unittest" && i > 0 && words[i-1] == "-m":
				found = true
				if !started {
					start, started = discoveryStart(words[i+1:], unittestOptions), true
				}
			case base == "nose2":
				// nose2 (nose2's own suite: `coverage run nose2 -v`) discovers as unittest
				// does, the test*.py modules of packages below its start directory, and runs
				// their TestCases.
				found = true
				if !started {
					start, started = discoveryStart(words[i+1:], nose2Options), true
				}
			case base == "zope-testrunner",
				base == "zope.testrunner" && i > 0 && words[i-1] == "-m",
				base == "setup.py" && i+1 < len(words) && words[i+1] == "test":
				found = true
			}
		}
	}
	return found, start
}

// testCommandLines are the command lines the project runs its tests with: tox.ini's [testenv]
// commands, its Makefile's recipe lines, and the scripts of its Hatch environments named for
// tests or development (hatch-test, test, tests, default: see pkgmeta.Pyproject.ToolGroups).
func testCommandLines(root string) []string {
	var lines []string
	if data, err := readToxConfig(root); err == nil {
		lines = joinContinued(toxValue(string(data), "testenv", "commands"))
	}
	for _, name := range []string{"GNUmakefile", "makefile", "Makefile"} {
		if data, err := readCapped(filepath.Join(root, name), 1<<20); err == nil {
			for _, l := range strings.Split(string(data), "\n") {
				if strings.HasPrefix(l, "\t") {
					lines = append(lines, l)
				}
			}
		}
	}
	if data, err := readCapped(filepath.Join(root, "pyproject.toml"), 4<<20); err == nil {
		p, _ := pkgmeta.ParsePyproject(data)
		for _, g := range p.ToolGroups {
			if g.Tool == "hatch" && pkgmeta.IsTestName(g.Name) {
				lines = append(lines, g.Commands...)
			}
		}
	}
	return lines
}

// makefileTestTargets are the Makefile targets that run a project's whole suite.
var makefileTestTargets = map[string]bool{"test": true, "tests": true, "check": true, "pytest": true}

// makefileRule matches a Makefile rule's line, its targets before the colon (not a variable's
// := or ::= assignment).
var makefileRule = regexp.MustCompile(`^([A-Za-z0-9_.%/ -]+?)\s*::?(?:[^=]|$)`)

// makefileTestRecipes are the recipe lines of the test targets (makefileTestTargets) of the
// Makefile make would read (GNUmakefile, makefile, Makefile: the first there is), without their
// @, - and + prefixes, and that file's name.
func makefileTestRecipes(root string) (file string, lines []string) {
	for _, name := range []string{"GNUmakefile", "makefile", "Makefile"} {
		data, err := readCapped(filepath.Join(root, name), 1<<20)
		if err != nil {
			continue
		}
		inTest := false
		for _, l := range strings.Split(strings.ReplaceAll(string(data), "\r\n", "\n"), "\n") {
			if recipe, ok := strings.CutPrefix(l, "\t"); ok {
				if inTest {
					lines = append(lines, strings.TrimLeft(recipe, "@-+ \t"))
				}
				continue
			}
			if t := strings.TrimSpace(l); t == "" || strings.HasPrefix(t, "#") {
				continue
			}
			inTest = false
			if m := makefileRule.FindStringSubmatch(l); m != nil {
				for _, t := range strings.Fields(m[1]) {
					inTest = inTest || makefileTestTargets[t]
				}
			}
		}
		return name, lines
	}
	return "", nil
}

// makefilePytestCommand is the pytest command of the Makefile's test target: cytoolz 0.12.1's
// sdist keeps neither tox.ini nor its workflows, and its Makefile's `test` runs `pytest -s
// --doctest-modules cytoolz/`, as its CI does. $(PYTHON) is python; a command with another
// variable, or that runs a part of the suite, is not read.
func makefilePytestCommand(root string) (toxPytest, bool) {
	file, lines := makefileTestRecipes(root)
	python := strings.NewReplacer("$(PYTHON)", "python", "${PYTHON}", "python")
	var cmds []string
	for _, l := range lines {
		l = python.Replace(l)
		if words := shellWords(l); runsPytest(words) && (partialRun(words) || strings.Contains(l, "$")) {
			return toxPytest{}, false
		}
		cmds = append(cmds, l)
	}
	p, ok := pytestCommandIn(root, cmds, "", nil)
	if ok {
		p.source = file
	}
	return p, ok
}

// unittestPattern is the pattern (-p, --pattern) of the first `python -m unittest discover`
// among the project's test commands, when it names one: the names its test modules follow
// (mkdocs 1.4.3's '*tests.py': build_tests.py, config_tests.py). "" otherwise.
func unittestPattern(root string) string {
	for _, line := range testCommandLines(root) {
		words := shellWords(toxExpand(line, nil, 0))
		for i, w := range words {
			if w != "unittest" || i == 0 || words[i-1] != "-m" {
				continue
			}
			args := words[i+1:]
			if len(args) == 0 || args[0] != "discover" {
				return ""
			}
			for j, a := range args {
				if (a == "-p" || a == "--pattern") && j+1 < len(args) {
					return args[j+1]
				}
				if v, ok := strings.CutPrefix(a, "--pattern="); ok {
					return v
				}
			}
			return ""
		}
	}
	return ""
}

// runnerOptions are what discoveryStart needs of a runner's command line: the long option that
// names the start directory (-s is its short form), and the options that take a value.
type runnerOptions struct {
	start  string
	valued map[string]bool
}

var (
	// unittestOptions: `python -m unittest [discover] [-s DIR] [-p PATTERN] ...`.
	unittestOptions = runnerOptions{start: "--start-directory", valued: map[string]bool{"-p": true, "--pattern": true, "-t": true, "--top-level-directory": true, "-k": true}}
	// nose2Options: `nose2 [-s DIR] [-t DIR] [-c FILE] ...`.
	nose2Options = runnerOptions{start: "--start-dir", valued: map[string]bool{"-t": true, "--top-level-directory": true, "-c": true, "--config": true,
		"--plugin": true, "--exclude-plugin": true, "--log-level": true}}
)

// discoveryStart is the start directory of a runner's discovery given the words after it (`-m
// unittest`, `nose2`: see unittestCommand), "." by default, "" when they name tests to run
// instead.
func discoveryStart(args []string, o runnerOptions) string {
	discover := len(args) > 0 && args[0] == "discover"
	if discover {
		args = args[1:]
	}
	var positional []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-s" || a == o.start:
			if i+1 < len(args) {
				return cleanStart(args[i+1])
			}
		case strings.HasPrefix(a, o.start+"="):
			return cleanStart(strings.TrimPrefix(a, o.start+"="))
		case o.valued[a]:
			i++
		case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "{posargs"):
			// -v, -b, --locals; {posargs}
		default:
			positional = append(positional, a)
		}
	}
	switch {
	case len(positional) == 0:
		return "."
	case discover:
		return cleanStart(positional[0])
	default:
		return "" // test names: no discovery
	}
}

// cleanStart is a start directory as a clean relative path, "" when it leaves the tree.
func cleanStart(dir string) string {
	dir = path.Clean(strings.TrimPrefix(strings.ReplaceAll(dir, "{toxinidir}", "."), "./"))
	if path.IsAbs(dir) || dir == ".." || strings.HasPrefix(dir, "../") {
		return ""
	}
	return dir
}

// pythonCommand is an interpreter as a tox command names it: python, python3.11, {envpython}.
var pythonCommand = regexp.MustCompile(`^(python[0-9.]*|\{envpython\})$`)

// toxScriptCommand returns tox.ini's [testenv] command (on no factor) that runs a script of the
// tree with Python as the project's test suite (pep8-naming's `python run_tests.py`), as tox.ini
// writes it; "" when there is none. PYTI runs no such script: it only says what the suite is.
func toxScriptCommand(root string) string {
	data, err := readToxConfig(root)
	if err != nil {
		return ""
	}
	for _, line := range joinContinued(toxValue(string(data), "testenv", "commands")) {
		if _, _, onFactors := factorCondition(line); onFactors {
			continue
		}
		script := scriptOf(shellWords(toxExpand(line, nil, 0)))
		if strings.HasSuffix(script, ".py") && script != "setup.py" && insideTree(script) && exists(filepath.Join(root, filepath.FromSlash(script))) {
			return strings.Join(strings.Fields(line), " ")
		}
	}
	return ""
}

// scriptOf is the script a command runs with Python, cleaned: `python -Wd tests/runtests.py`
// (feedparser 6.0.10's), `coverage run tests/tests.py` (polib's), or the file of the module it
// runs with -m (commonmark 0.9.1's `python -m commonmark.tests.unit_tests`:
// commonmark/tests/unit_tests.py); "" when it runs none (code with -c, another program).
func scriptOf(words []string) string {
	var i int
	switch {
	case len(words) > 0 && pythonCommand.MatchString(path.Base(words[0])):
		i = 1
	case len(words) > 1 && path.Base(words[0]) == "coverage" && words[1] == "run":
		i = 2
	default:
		return ""
	}
	for ; i < len(words) && strings.HasPrefix(words[i], "-"); i++ {
		switch w := words[i]; {
		case (w == "-m" || w == "--module") && i+1 < len(words) && identifierPath.MatchString(words[i+1]) && !notTestModules[strings.Split(words[i+1], ".")[0]]:
			return strings.ReplaceAll(words[i+1], ".", "/") + ".py"
		case w == "-m" || w == "-c" || w == "--module":
			return ""
		case w == "-W" || w == "-X" || w == "--rcfile" || w == "--source" || w == "--omit" || w == "--include" || w == "--concurrency" || w == "--data-file":
			i++ // an option whose value is the next word
		}
	}
	if i >= len(words) {
		return ""
	}
	return path.Clean(words[i])
}

// identifierPath is a module's dotted name.
var identifierPath = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)

// joinContinued joins each line that ends in a backslash with the next, as tox reads a command
// written over several lines.
func joinContinued(lines []string) []string {
	var out []string
	cont := false
	for _, l := range lines {
		if cont {
			out[len(out)-1] += " " + l
		} else {
			out = append(out, l)
		}
		cont = strings.HasSuffix(out[len(out)-1], "\\")
		if cont {
			out[len(out)-1] = strings.TrimSuffix(out[len(out)-1], "\\")
		}
	}
	return out
}

// toxExpand expands the substitutions of a tox command line whose value PYTI knows: {posargs}
// and {posargs:DEFAULT} (no arguments are given, so the default), {env:NAME} and
// {env:NAME:DEFAULT} from setenv, {toxinidir} (the tree). Others stay as they are, braces
// and all, for the caller to leave out.
func toxExpand(s string, setenv map[string]string, depth int) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 || depth > 5 {
			b.WriteString(s)
			return b.String()
		}
		b.WriteString(s[:i])
		level, j := 0, i
		for ; j < len(s); j++ {
			if s[j] == '{' {
				level++
			} else if s[j] == '}' {
				if level--; level == 0 {
					break
				}
			}
		}
		if j == len(s) {
			b.WriteString(s[i:])
			return b.String()
		}
		inner := s[i+1 : j]
		kind, rest, _ := strings.Cut(inner, ":")
		switch {
		case inner == "posargs":
		case kind == "posargs":
			b.WriteString(toxExpand(rest, setenv, depth+1))
		case inner == "toxinidir":
			b.WriteString(".")
		case kind == "env":
			name, def, hasDef := strings.Cut(rest, ":")
			if v, ok := setenv[name]; ok {
				b.WriteString(v)
			} else if hasDef {
				b.WriteString(toxExpand(def, setenv, depth+1))
			} else {
				b.WriteString(s[i : j+1])
			}
		default:
			b.WriteString(s[i : j+1])
		}
		s = s[j+1:]
	}
}

// insideTree reports whether a relative path stays inside the directory it is relative to.
func insideTree(p string) bool {
	c := filepath.Clean(filepath.FromSlash(p))
	return c != ".." && !filepath.IsAbs(c) && !strings.HasPrefix(c, ".."+string(filepath.Separator))
}

// shellWords splits a command line into words as a POSIX shell does for plain words and quoted
// strings (no expansion): how tox splits its commands.
func shellWords(line string) []string {
	var words []string
	var cur strings.Builder
	in, quote, escaped := false, rune(0), false
	for _, r := range line {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped, in = false, true
		case r == '\\' && quote != '\'':
			escaped = true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, in = r, true
		case r == ' ' || r == '\t':
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteRune(r)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// toxDepsFiles are the requirements files tox.ini's [testenv] deps name with -r, each as a
// clean slash-separated path below the tree.
func toxDepsFiles(root string) []string {
	data, err := readToxConfig(root)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range toxValue(string(data), "testenv", "deps") {
		line = strings.TrimSpace(line)
		if _, rest, ok := factorCondition(line); ok {
			line = strings.TrimSpace(rest)
		}
		if name, ok := strings.CutPrefix(toxExpand(line, nil, 0), "-r"); ok {
			out = append(out, path.Clean(strings.TrimSpace(name)))
		}
	}
	return out
}

// requirementsFileIn reads the PEP 508 requirements of a requirements file named relative to
// root, and those of the files it includes with -r, as pip reads them (relative to the file that
// names them), each file once: oauthlib's requirements-test.txt holds `-r requirements.txt`,
// where its test dependencies pyjwt, blinker and cryptography are. A name leaving the tree reads
// nothing.
func requirementsFileIn(root, name string) []string {
	return requirementsFileOnce(root, name, map[string]bool{})
}

func requirementsFileOnce(root, name string, read map[string]bool) []string {
	var reqs []string
	walkRequirementsFiles(root, name, read, func(rf *pkgmeta.RequirementsFile) { reqs = append(reqs, fileRequirements(rf)...) })
	return reqs
}

// walkRequirementsFiles calls each with the requirements file name (relative to root), then with
// the files it includes with -r, as pip reads them (relative to the file that names them), each
// file once (read); a name leaving the tree, or a file that cannot be read, is passed over.
func walkRequirementsFiles(root, name string, read map[string]bool, each func(*pkgmeta.RequirementsFile)) {
	name = filepath.Clean(filepath.FromSlash(name))
	if name == "." || filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, ".."+string(filepath.Separator)) || read[name] {
		return
	}
	read[name] = true
	data, err := readCapped(filepath.Join(root, name), 1<<20)
	if err != nil {
		return
	}
	rf, _ := pkgmeta.ParseRequirementsFile(data)
	each(rf)
	for _, inc := range rf.Includes {
		if inc.Kind == "requirements" {
			walkRequirementsFiles(root, filepath.Join(filepath.Dir(name), filepath.FromSlash(inc.Path)), read, each)
		}
	}
}

// fileRequirements are the requirements of a requirements file to ask the index for (see
// indexRequirement); editable lines are left out.
func fileRequirements(rf *pkgmeta.RequirementsFile) []string {
	var reqs []string
	for _, l := range rf.Requirements {
		if l.Editable {
			continue
		}
		if r := indexRequirement(l.Raw); r != "" {
			reqs = append(reqs, r)
		}
	}
	return reqs
}

// eggName is the project a VCS URL names in its fragment (`#egg=name`).
var eggName = regexp.MustCompile(`(?:^|&)egg=([A-Za-z0-9][A-Za-z0-9._-]*)`)

// projectName is a valid project name (PEP 508).
var projectName = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`)

// indexRequirement is what PYTI asks the index for in place of a test requirement: the
// requirement itself, or, for a direct reference, the project it names, as the sandbox reaches
// only the index and pip could fetch no repository or URL there: "name @ URL" gives name with its
// extras and marker, a VCS URL the name in its #egg= fragment or else its git repository's name
// (Sphinx's extensions test against `git+https://github.com/sphinx-doc/sphinx`). "" when it
// names no project (a local path, an archive's URL), or is no requirement.
func indexRequirement(s string) string {
	if r, err := pep440.ParseRequirement(s); err == nil {
		if r.URL == "" {
			return s
		}
		r.URL = ""
		return r.String()
	}
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || strings.ContainsAny(s, " \t") {
		return ""
	}
	rest, frag, _ := strings.Cut(rest, "#")
	if m := eggName.FindStringSubmatch(frag); m != nil {
		return m[1]
	}
	if !strings.HasPrefix(scheme, "git+") {
		return ""
	}
	rest, _, _ = strings.Cut(rest, "?")
	name := path.Base(rest)
	name, _, _ = strings.Cut(name, "@") // a ref: repo.git@v1.2
	name = strings.TrimSuffix(name, ".git")
	if !projectName.MatchString(name) {
		return ""
	}
	return name
}

// toxSubstitution is a line of a tox.ini value that is one substitution of another section's
// value: "{[core]deps}".
var toxSubstitution = regexp.MustCompile(`^\{\[([^\]\s]+)\]([A-Za-z0-9_.-]+)\}$`)

// toxValue returns the lines of key's value in [section] of a tox.ini, as iniValue does, with
// each line that substitutes another section's value ({[core]deps}, tox's way to share deps
// between environments) replaced by that value's lines, to a depth of 5.
func toxValue(text, section, key string) []string {
	if section == "testenv" {
		// The test environment's own section, where it sets key; tox reads [testenv] for the
		// rest.
		if own := testenvSection(text); own != "" && len(iniValue(text, own, key)) > 0 {
			section = own
		}
	}
	var expand func(section, key string, depth int) []string
	expand = func(section, key string, depth int) []string {
		var out []string
		for _, line := range iniValue(text, section, key) {
			if m := toxSubstitution.FindStringSubmatch(strings.TrimSpace(line)); m != nil && depth < 5 {
				out = append(out, expand(m[1], m[2], depth+1)...)
				continue
			}
			out = append(out, line)
		}
		return out
	}
	return expand(section, key, 0)
}

// iniValue returns the lines of key's value in [section] of an INI text as tox reads it: the
// text after "key =" and the indented continuation lines that follow.
func iniValue(text, section, key string) []string {
	var out []string
	in, inKey := false, false
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(raw)
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") && raw == strings.TrimLeft(raw, " \t") {
			in, inKey = strings.TrimSpace(trimmed[1:len(trimmed)-1]) == section, false
			continue
		}
		if !in {
			continue
		}
		indented := raw != strings.TrimLeft(raw, " \t")
		if inKey && (strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";")) {
			continue // a comment line, even at the margin, does not end the value (configparser)
		}
		if inKey && (indented || trimmed == "") {
			out = append(out, trimmed)
			continue
		}
		inKey = false
		if k, v, ok := strings.Cut(raw, "="); ok && !indented && strings.TrimSpace(k) == key {
			inKey = true
			out = append(out, strings.TrimSpace(v))
		}
	}
	return out
}

// noxSession finds the test session of a noxfile: a function named tests, test, unit, unittests or
// pytest taking a session, and its body.
var noxSession = regexp.MustCompile(`(?m)^def (tests?|unit|unittests|pytest)\(\s*session\b[^)]*\)[^:]*:[ \t]*\n((?:[ \t]+.*\n|[ \t]*\n)*)`)

// noxInstall is one session.install(...) call and its arguments (on one line or several).
var noxInstall = regexp.MustCompile(`session\.install\(([^)]*)\)`)

// noxString is a string literal among the arguments.
var noxString = regexp.MustCompile(`"([^"\\]*)"|'([^'\\]*)'`)

// noxRequirements are the requirements the noxfile's test session installs with literal
// arguments: requirement strings, and the files named after "-r" (inside the tree). The project
// itself ("."), editable and option arguments are left out, and so is whatever the noxfile
// computes (nox sessions are Python code; PYTI reads, it does not run it on the host).
func noxRequirements(root string) []string {
	data, err := readCapped(filepath.Join(root, "noxfile.py"), 1<<20)
	if err != nil {
		return nil
	}
	m := noxSession.FindSubmatch(data)
	if m == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, call := range noxInstall.FindAllSubmatch(m[2], -1) {
		var args []string
		for _, s := range noxString.FindAllSubmatch(call[1], -1) {
			args = append(args, string(s[1])+string(s[2]))
		}
		for i := 0; i < len(args); i++ {
			a := args[i]
			var reqs []string
			switch {
			case a == "-r" && i+1 < len(args):
				i++
				reqs = requirementsFileIn(root, args[i])
			case strings.HasPrefix(a, "-r"):
				reqs = requirementsFileIn(root, strings.TrimPrefix(a, "-r"))
			case strings.HasPrefix(a, "-"), strings.HasPrefix(a, "."), strings.Contains(a, "://"):
				if a == "-e" || a == "-c" {
					i++
				}
				continue
			default:
				if _, err := pep440.ParseRequirement(a); err == nil {
					reqs = []string{a}
				}
			}
			for _, r := range reqs {
				if !seen[r] {
					seen[r] = true
					out = append(out, r)
				}
			}
		}
	}
	return out
}
