package tasks

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/testfs"
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

// TestMetadataRequirements: the requirements of a prepared METADATA, as pip's command line gets
// them, keep what pip resolving the package itself would take: the dependencies with their own
// markers, and the chosen extras' requirements only.
func TestMetadataRequirements(t *testing.T) {
	const head = "Metadata-Version: 2.1\nName: My_Pkg\nVersion: 1.0\n"
	type out struct {
		All, Plain []string
		OK         bool
	}
	for _, tc := range []struct {
		name     string
		metadata string
		extras   []string
		want     out
	}{
		{"dependencies and the chosen extra",
			head + "Requires-Dist: requests>=2\nRequires-Dist: tomli; python_version < \"3.11\"\n" +
				"Requires-Dist: pytest>=7; extra == \"test\"\nRequires-Dist: sphinx; extra == \"docs\"\n" +
				"Requires-Dist: hypothesis; python_version >= \"3.8\" and extra == 'test'\n",
			[]string{"test"},
			out{[]string{"requests>=2", `tomli; python_version < "3.11"`, `pytest>=7; extra == ""`, `hypothesis; python_version >= "3.8" and extra == ""`},
				[]string{"requests>=2", `tomli; python_version < "3.11"`}, true}},
		{"no extras chosen", head + "Requires-Dist: pytest; extra == \"test\"\n", nil, out{nil, nil, true}},
		{"an extra's name normalised", head + "Requires-Dist: pytest; extra == \"Testing_Utils\"\n", []string{"testing-utils"},
			out{[]string{`pytest; extra == ""`}, nil, true}},
		{"no requirements", head, []string{"test"}, out{nil, nil, true}},
		{"an extra naming the package itself", head + "Requires-Dist: my-pkg[fast]; extra == \"test\"\n", []string{"test"}, out{}},
		{"another extra naming the package itself is not taken", head + "Requires-Dist: my-pkg[fast]; extra == \"all\"\n", []string{"test"}, out{nil, nil, true}},
		{"a direct URL", head + "Requires-Dist: q @ https://example.org/q.whl\n", nil, out{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			md, err := pkgmeta.ParseCoreMetadata(strings.NewReader(tc.metadata), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			all, plain, ok := metadataRequirements(md, "", tc.extras)
			if d := cmp.Diff(tc.want, out{all, plain, ok}); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestToxConfigSources: tox's configuration is read where tox reads it (tox.ini, pyproject.toml's
// legacy_tox_ini, setup.cfg's [tox:tox]), and the test environment's own section, where it has
// one, before [testenv].
func TestToxConfigSources(t *testing.T) {
	type out struct {
		Deps     []string
		Unittest bool
	}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  out
	}{
		{"tox.ini", map[string]string{"tox.ini": "[testenv]\ndeps = flaky\ncommands = python -m unittest\n"}, out{[]string{"flaky"}, true}},
		{"pyproject.toml's legacy_tox_ini, on a generative section (tomli's)", map[string]string{"pyproject.toml": "[project]\nname = \"p\"\n\n" +
			"[tool.tox]\nlegacy_tox_ini = '''\n[tox]\nenvlist = py{37,38,39,310}\n\n[testenv:py{37,38,39,310}]\ndeps = flaky\ncommands =\n    python -m unittest {posargs}\n\n" +
			"[testenv:profile]\ncommands = pytest profiler\n'''\n"}, out{[]string{"flaky"}, true}},
		{"setup.cfg's [tox:tox]", map[string]string{"setup.cfg": "[metadata]\nname = p\n\n[tox:tox]\nenvlist = py311\n\n[testenv]\ndeps = flaky\ncommands = python -m unittest discover\n"},
			out{[]string{"flaky"}, true}},
		{"the test environment's section before [testenv]", map[string]string{"tox.ini": "[tox]\nenvlist = py39, py311, lint\n\n[testenv]\ndeps = pytest\ncommands = pytest\n\n" +
			"[testenv:py311]\ndeps = flaky\n\n[testenv:lint]\ndeps = flake8\ncommands = python -m unittest\n"}, out{[]string{"flaky"}, false}},
		{"tox.ini first", map[string]string{"tox.ini": "[testenv]\ndeps = pytest\ncommands = pytest\n", "setup.cfg": "[tox:tox]\nenvlist = py311\n[testenv]\ndeps = flaky\n"},
			out{[]string{"pytest"}, false}},
		{"none", map[string]string{"setup.cfg": "[metadata]\nname = p\n"}, out{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if d := cmp.Diff(tc.want, out{toxRequirements(root), runsUnittest(root)}); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestIndexRequirement: a direct reference, which the sandbox could not fetch, becomes the
// project it names, to be asked of the index.
func TestIndexRequirement(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"pytest>=7; python_version >= '3.8'", "pytest>=7; python_version >= '3.8'"},
		{"sphinx[test] @ git+https://github.com/sphinx-doc/sphinx@master ; python_version >= '3.8'", `sphinx[test]; python_version >= "3.8"`},
		{"git+https://github.com/sphinx-doc/sphinx", "sphinx"},
		{"git+https://github.com/casperdcl/nbval.git@master#egg=nbval", "nbval"},
		{"git+ssh://git@github.com/jaraco/jaraco.test.git@v5.1#subdirectory=x", "jaraco.test"},
		{"hg+https://hg.example.org/repo#egg=some_project&subdirectory=y", "some_project"},
		{"https://github.com/x/y/archive/main.zip", ""},
		{"./local/dir", ""},
		{"not a requirement!", ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			if d := cmp.Diff(tc.want, indexRequirement(tc.in)); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestToxRequirements: tox.ini's [testenv] deps are the test requirements of a project that
// declares them nowhere else; what tox would substitute, conditional lines and the project itself
// are left out, a direct reference stands for the project it names, and -r files are read only
// inside the tree.
func TestToxRequirements(t *testing.T) {
	for _, tc := range []struct {
		name  string
		tox   string
		files map[string]string
		want  []string
	}{
		{"multi-line deps", "[tox]\nenvlist = py39,py311\n\n[testenv]\ndeps =\n    pytest>=7\n    mock  # for old tests\n    hypothesis; python_version >= '3.8'\ncommands = pytest {posargs}\n",
			nil, []string{"pytest>=7", "mock", "hypothesis; python_version >= '3.8'"}},
		{"inline value and a requirements file", "[testenv]\ndeps = -rrequirements/test.txt\n  pytest-mock\n",
			map[string]string{"requirements/test.txt": "pytest==8.0\n-e .\nflaky\n"}, []string{"pytest==8.0", "flaky", "pytest-mock"}},
		{"left out", "[testenv]\ndeps =\n    {[base]deps}\n    -e .\n    .[test]\n    git+https://example.org/x.git\n    -c constraints.txt\n    requests\n",
			nil, []string{"x", "requests"}},
		{"on factors: kept for the Pythons they name (ecdsa's py{...,311,py,py3}: hypothesis, which is pypy and pypy3 too)",
			"[testenv]\ndeps =\n    py38,py39: importlib_metadata\n    !pypy: cffi\n    py{27,34,310,311,py,py3}: hypothesis\n    py{26,27}: unittest2\n" +
				"    gmpy2py{39,311}: gmpy2\n# a comment at the margin\n    py311-django: django\n    py3: six; python_version >= '3.8'\n    py2: legacy\n    py,!pypy: tool\n    py311: attrs; os_name == 'posix'\n    !py311: old\n    full: yaml\n    pypy3: pypy-only\n",
			nil, []string{`importlib_metadata; python_version == "3.8" or python_version == "3.9"`,
				`cffi; platform_python_implementation != "PyPy"`,
				`hypothesis; python_version == "2.7" or python_version == "3.4" or python_version == "3.10" or python_version == "3.11" or platform_python_implementation == "PyPy"`,
				`unittest2; python_version == "2.6" or python_version == "2.7"`, "six; python_version >= '3.8'", `legacy; python_version >= "2" and python_version < "3"`, "tool", `attrs; (os_name == "posix") and (python_version == "3.11")`,
				`old; python_version != "3.11"`, `pypy-only; platform_python_implementation == "PyPy"`}},
		{"on factors of the envlist's environment on the newest Python (crispy-forms' py310-django32)",
			"[tox]\nenvlist =\n    {py37,py38,py39}-django{22},\n    {py37,py38,py39,py310}-django{32},\n    {py38,py39,py310}-django{40,-latest},\n    lint\n" +
				"[testenv]\ndeps =\n    django22: django>=2.2,<2.3\n    django32: django>=3.2,<3.3\n    django40: django>=4.0a,<4.1\n    !django32: old-only\n    py310-django32: both\n",
			nil, []string{"django>=3.2,<3.3", `both; python_version >= "3.10"`}},
		{"on the newest Python of the envlist: on newer ones too, which tox.ini predates (tqdm 4.64.1's pytest-asyncio)",
			"[tox]\nenvlist=py{27,34,35,36,37,38,39,310,py2,py3}{,-tf}{,-keras}, perf, setup.py\n" +
				"[testenv]\ndeps=\n    pytest\n    py3{4,5,6}: pytest<7\n    py3{7,8,9,10}: pytest-asyncio\n    py39: only-39\n",
			nil, []string{"pytest", `pytest<7; python_version == "3.4" or python_version == "3.5" or python_version == "3.6"`,
				`pytest-asyncio; python_version == "3.7" or python_version == "3.8" or python_version == "3.9" or python_version >= "3.10"`,
				`only-39; python_version == "3.9"`}},
		{"the environment on the newest Python that runs the tests, not the one that builds (jsonschema 4.17.3)",
			"[tox]\nenvlist =\n    py{37,311}-{noextra,format}-{build,tests}\n    style\n" +
				"[testenv]\ndeps =\n    build: build\n    perf,perfsuite: pyperf\n    tests,coverage,codecov: twisted\n    format: fqdn\n",
			nil, []string{"twisted"}},
		{"another section's deps, substituted (tqdm's {[core]deps})", "[core]\ndeps=\n    pytest-asyncio\n    git+https://github.com/casperdcl/nbval.git@master#egg=nbval\n    {[more]deps}\n[more]\ndeps = pytest-timeout\n[testenv]\ndeps=\n    {[core]deps}\n    numpy\n    tf: tensorflow\n",
			nil, []string{"pytest-asyncio", "nbval", "pytest-timeout", "numpy"}},
		{"a substitution of itself ends", "[a]\ndeps = {[a]deps}\n    six\n[testenv]\ndeps = {[a]deps}\n", nil, []string{"six"}},
		{"other sections ignored", "[testenv:lint]\ndeps = flake8\n[testenv]\ncommands = pytest\n[testenv:docs]\ndeps = sphinx\n", nil, nil},
		{"a file outside the tree", "[testenv]\ndeps = -r../../etc/passwd\n", nil, nil},
		{"no tox.ini", "", nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.tox != "" {
				testfs.Write(t, root, map[string]string{"tox.ini": tc.tox})
			}
			testfs.Write(t, root, tc.files)
			got := toxRequirements(root)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Error(d)
			}
			// pip is handed them: each must be a PEP 508 requirement (no `not` in a marker).
			for _, r := range got {
				if _, err := pep440.ParseRequirement(r); err != nil {
					t.Errorf("%q: %v", r, err)
				}
			}
		})
	}
}

// TestTestExtras: the test extras are those named like one and those tox installs for the tests,
// when the project provides them; without them and without test requirements, its development
// extras.
func TestTestExtras(t *testing.T) {
	for _, tc := range []struct {
		name     string
		tox      string
		files    map[string]string
		provided []string
		want     []string
	}{
		{"named like test extras", "", nil, []string{"docs", "Testing", "test"}, []string{"test", "Testing"}},
		{"named after a test extra (jsonpickle's testing.libs)", "", nil, []string{"testing.libs", "docs", "testing", "tests_extra", "testimonial"},
			[]string{"testing", "testing.libs", "tests_extra"}},
		{"tox's extras, one a line or comma-separated", "[testenv]\nextras = diagrams, test\n    yaml_support  # comment\n    py38: legacy\n    {env:X}\n", nil,
			[]string{"diagrams", "yaml-support", "legacy", "test"}, []string{"test", "diagrams", "yaml-support"}},
		{"an extra tox names that the project lacks", "[testenv]\nextras = nope\n", nil, []string{"docs"}, nil},
		{"another environment's extras", "[testenv:docs]\nextras = docs\n", nil, []string{"docs"}, nil},
		{"a development extra when nothing names the test dependencies (tzlocal's devenv)", "", nil, []string{"devenv", "docs"}, []string{"devenv"}},
		{"no development extra beside a test extra", "", nil, []string{"dev", "test"}, []string{"test"}},
		{"no development extra beside a test requirements file", "", map[string]string{"requirements-test.txt": "pytest-mock\n"}, []string{"dev"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			if tc.tox != "" {
				testfs.Write(t, root, map[string]string{"tox.ini": tc.tox})
			}
			testfs.Write(t, root, tc.files)
			j := &job{}
			got := j.testExtras(Source{Root: root, Metadata: &pkgmeta.CoreMetadata{ProvidesExtra: tc.provided}}, "3.11.2")
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestToxPytestArgs: the options of tox's pytest command that decide which tests run.
// TestToxExtras: the extras tox installs the project with, from extras and from deps lines
// that install the project itself.
func TestToxExtras(t *testing.T) {
	for _, tc := range []struct {
		name, tox string
		want      []string
	}{
		{"extras, on lines and with commas, factors left out", "[testenv]\nextras =\n    tests, yaml\n    crypto: crypto\n    docs # for doctests\n", []string{"tests", "yaml", "docs"}},
		{"extras on factors of the envlist's environment on the newest Python",
			"[tox]\nenvlist = py{38,39}-{full,minimal}\n[testenv]\nextras =\n    full: yaml\n    minimal: nothing\n    py38: py38only\n    py39: newest\n    tests\n", []string{"yaml", "newest", "tests"}},
		{"an extra on the Pythons of that environment (munch 2.5.0's yaml)",
			"[tox]\nenvlist = py{27,35,36,py}-{full,no-deps}\n[testenv]\nextras =\n    testing\n    {py27,py35,py36,pypy}-full: yaml\n    py27: legacy\n", []string{"testing", "yaml"}},
		{"the project itself with extras in deps (tenacity's .[doc])", "[testenv]\ndeps =\n    .[doc]\n    -e {toxinidir}[test, yaml]\n    -e .\n    pytest\n    other[x]\n    py38: .[old]\n", []string{"doc", "test", "yaml"}},
		{"another environment's", "[testenv:docs]\ndeps = .[docs]\nextras = docs\n[testenv]\ncommands = pytest\n", nil},
		{"an extra on the test environment's factor, no environment naming a Python (incremental 22.10.0)",
			"[tox]\nenvlist = flake8, tests, apidocs\n[testenv]\nextras =\n    tests: scripts\n    apidocs: docs\n", []string{"scripts"}},
		{"the project with extras that a test command pip-installs (incremental 21.3.0)",
			"[tox]\nenvlist = flake8, tests\n[testenv]\ndeps =\n    tests: coverage\ncommands =\n    python -V\n    tests: pip install incremental[scripts]\n    flake8: pip install other[lint]\n" +
				"    python -m pip install -e .[dev]\n    tests: coverage run -p {envbindir}/trial incremental\n", []string{"scripts", "dev"}},
		{"the project with extras in a requirements file tox installs (watchdog 2.3.1's, quoted)",
			"[testenv]\ndeps =\n    -r requirements-tests.txt\ncommands = pytest\n", []string{"watchmedo"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, map[string]string{"tox.ini": tc.tox, "requirements-tests.txt": "-e \".[watchmedo]\"\nflaky\npytest\n"})
			if d := cmp.Diff(tc.want, toxExtras(root, "incremental", "3.11.2")); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestToxScriptCommand: tox.ini's command that runs a test script of the tree with Python.
func TestToxScriptCommand(t *testing.T) {
	for _, tc := range []struct {
		name, tox, want string
	}{
		{"a script of the tree", "[testenv]\ndeps = flake8\ncommands =\n    python run_tests.py\n", "python run_tests.py"},
		{"envpython, toxinidir, the first such command", "[testenv]\ncommands =\n    {envpython} {toxinidir}/tests/runtests.py --verbose\n    python run_tests.py\n",
			"{envpython} {toxinidir}/tests/runtests.py --verbose"},
		{"setup.py, a module, a script the sdist lacks, another environment or a factor are none",
			"[testenv:lint]\ncommands = python run_tests.py\n[testenv]\ncommands =\n    py38: python run_tests.py\n    python setup.py test\n    python -m unittest\n    python missing.py\n    ../run_tests.py\n", ""},
		{"pytest is no script", "[testenv]\ncommands = pytest tests\n", ""},
		{"Python's options before the script (feedparser 6.0.10)", "[testenv]\ncommands = {envpython} -Wd tests/runtests.py\n", "{envpython} -Wd tests/runtests.py"},
		{"an option's value before the script", "[testenv]\ncommands = python -W error -X dev run_tests.py\n", "python -W error -X dev run_tests.py"},
		{"coverage runs the script (polib 1.2.0)", "[testenv]\ncommands = coverage run --branch tests/runtests.py\n", "coverage run --branch tests/runtests.py"},
		{"coverage runs a module", "[testenv]\ncommands = coverage run -m unittest\n", ""},
		{"a module of the tree run with -m (commonmark 0.9.1)", "[testenv]\ncommands =\n    python -m pip list\n    python -m commonmark.tests.unit_tests\n",
			"python -m commonmark.tests.unit_tests"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, map[string]string{"tox.ini": tc.tox, "run_tests.py": "", "tests/runtests.py": "", "setup.py": "",
				"commonmark/__init__.py": "", "commonmark/tests/__init__.py": "", "commonmark/tests/unit_tests.py": ""})
			if d := cmp.Diff(tc.want, toxScriptCommand(root)); d != "" {
				t.Error(d)
			}
		})
	}
}

func TestToxPytestCommand(t *testing.T) {
	for _, tc := range []struct {
		name string
		tox  string
		want toxPytest
	}{
		{"doctests and an ignored file", "[testenv]\ndeps = pytest\ncommands = pytest -v --doctest-modules --ignore benchmark.py {posargs}\n",
			toxPytest{args: []string{"--doctest-modules", "--ignore=benchmark.py"}, alone: true}},
		{"python -m pytest under coverage, a quoted marker expression, a glob", "[testenv]\ncommands =\n    python -m coverage run -m pytest -m \"not network and not slow\" --doctest-glob='*.rst' --cov=pkg tests\n",
			toxPytest{args: []string{"-m", "not network and not slow", "--doctest-glob=*.rst"}, paths: []string{"tests"}, alone: true}},
		{"unknown substitutions, paths leaving the tree and other environments are left out", "[testenv:docs]\ncommands = pytest --doctest-modules\n[testenv]\ncommands =\n    py38: pytest -m old\n    {envpython} -m pytest --ignore={envtmpdir}/x --ignore=../../etc --ignore-glob=/abs/* -p no:cacheprovider\n",
			toxPytest{}},
		{"toxinidir is the tree", "[testenv]\ncommands = pytest --ignore={toxinidir}/x {toxinidir}/tests\n",
			toxPytest{args: []string{"--ignore=./x"}, paths: []string{"./tests"}, alone: true}},
		{"a shell's command, its pattern expanded (ruamel.yaml 0.17.21)", "[testenv]\ncommands =\n    /bin/bash -c 'pytest tests/test_*.py tests/none_*.py'\n",
			toxPytest{paths: []string{"tests/test_a.py", "tests/test_b.py"}, missing: []string{"tests/none_*.py"}, alone: true}},
		{"the first pytest command", "[testenv]\ncommands =\n    flake8 src\n    {envbindir}/pytest --doctest-modules src\n    pytest -m slow\n",
			toxPytest{args: []string{"--doctest-modules"}, paths: []string{"src"}}},
		{"posargs' default, with a variable of another section's setenv (hyperlink)",
			"[default]\nsetenv =\n    PY_MODULE=hyperlink\n\n    PYTHONPYCACHEPREFIX={envtmpdir}/pycache\n[testenv]\nsetenv =\n    {[default]setenv}\n    COVERAGE_FILE={toxworkdir}/coverage\ncommands =\n    pytest --cov={env:PY_MODULE} --cov-report=term-missing:skip-covered --doctest-modules {posargs:src/{env:PY_MODULE}}\n",
			toxPytest{args: []string{"--doctest-modules"}, paths: []string{"src/hyperlink"}, alone: true}},
		{"an option's value is no path; a path the sdist lacks is missing, an unknown variable left out",
			"[testenv]\ncommands = pytest --cov-report term-missing --cov src -k tests docs tests/test_a.py::test_x {env:WHERE} {env:OTHER:tests}\n",
			toxPytest{paths: []string{"tests/test_a.py::test_x", "tests"}, alone: true, missing: []string{"docs"}}},
		{"a command over several lines, posargs' default too (wcwidth)",
			"[testenv]\ncommands = {envpython} -m pytest --cov-config={toxinidir}/tox.ini {posargs:\\\n             --verbose \\\n             --durations=3 \\\n             } \\\n          --log-format='%(levelname)s %(message)s' \\\n          tests\npassenv = X\n",
			toxPytest{paths: []string{"tests"}, alone: true}},
		{"linters, type checks and coverage's report beside it: the suite alone (pyparsing's)",
			"[testenv]\ncommands =\n    python -m mypy src\n    flake8\n    coverage run -m pytest tests\n    coverage report\n",
			toxPytest{paths: []string{"tests"}, alone: true}},
		{"a test module run with python -m beside it (pyfakefs')",
			"[testenv]\ncommands =\n    python -m pyfakefs.tests.all_tests\n    python -m pytest tests/test_a.py\n",
			toxPytest{paths: []string{"tests/test_a.py"}}},
		{"a script of the tree beside it", "[testenv]\ncommands =\n    python tests/test_a.py\n    pytest tests\n", toxPytest{paths: []string{"tests"}}},
		{"pbr's setup.py testr beside it (requests-mock 1.10.0)", "[testenv]\ncommands =\n    pytest tests/test_a.py\n    python setup.py testr --testr-args='{posargs}'\n",
			toxPytest{paths: []string{"tests/test_a.py"}}},
		{"the installed package's doctests (boltons'): its copy in the tree, at the top or under src/",
			"[testenv]\nchangedir = .tox\ncommands = py.test --doctest-modules {envsitepackagesdir}/boltons {envsitepackagesdir}/hyperlink {envsitepackagesdir}/gone {toxinidir}/tests {posargs}\n",
			toxPytest{args: []string{"--doctest-modules"}, paths: []string{"boltons", "src/hyperlink", "./tests"}, alone: true}},
		{"the same, when the sdist lacks tests/ (boltons 23.0.0's)",
			"[testenv]\ncommands = py.test --doctest-modules {envsitepackagesdir}/boltons {toxinidir}/tests/unit {posargs}\n",
			toxPytest{args: []string{"--doctest-modules"}, paths: []string{"boltons"}, alone: true, missing: []string{"tests/unit"}}},
		{"paths relative to changedir, and toxinidir's to the tree",
			"[testenv]\nchangedir = tests\ncommands = pytest test_a.py {toxinidir}/src\n",
			toxPytest{paths: []string{"tests/test_a.py", "./src"}, alone: true, changedir: "tests"}},
		{"changedir under toxinidir, and pytest's .", "[testenv]\nchangedir = {toxinidir}/tests\ncommands = pytest .\n",
			toxPytest{paths: []string{"tests"}, alone: true, changedir: "tests"}},
		{"changedir with no pytest command (docutils' alltests.py)", "[testenv]\nchangedir = tests\ncommands = python alltests.py\n",
			toxPytest{changedir: "tests"}},
		{"pytest-asyncio's mode, as an ini override (responses 0.23.1)", "[testenv]\ncommands = pytest . --asyncio-mode=auto --cov responses\n",
			toxPytest{args: []string{"-o", "asyncio_mode=auto"}, paths: []string{"."}, alone: true}},
		{"no pytest", "[testenv]\ncommands = python -m unittest discover\n", toxPytest{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, map[string]string{"tox.ini": tc.tox, "tests/test_a.py": "", "tests/test_b.py": "", "src/hyperlink/__init__.py": "", "boltons/__init__.py": ""})
			if d := cmp.Diff(tc.want, toxPytestCommand(root), cmp.AllowUnexported(toxPytest{})); d != "" {
				t.Error(d)
			}
		})
	}
	t.Run("in setup.cfg (wrapt's): the file is named", func(t *testing.T) {
		root := t.TempDir()
		testfs.Write(t, root, map[string]string{"setup.cfg": "[metadata]\nname = x\n\n[tox:tox]\nenvlist = py311\n\n[testenv]\ncommands = pytest tests\n", "tests/test_a.py": ""})
		want := toxPytest{paths: []string{"tests"}, alone: true, source: "setup.cfg"}
		if d := cmp.Diff(want, toxPytestCommand(root), cmp.AllowUnexported(toxPytest{})); d != "" {
			t.Error(d)
		}
	})
}

// TestNoxRequirements: the literal installs of a noxfile's test session, read, never run.
func TestNoxRequirements(t *testing.T) {
	noxfile := `import nox

@nox.session(python=["3.11", "3.12"])
def lint(session):
    session.install("flake8")

@nox.session
def tests(session: nox.Session) -> None:
    session.install("-r", "requirements/test.txt")
    session.install(".")
    session.install(
        "pytest>=7",
        'pytest-mock',
        "-e", "../sibling",
    )
    session.install(*EXTRA)
    session.run("pytest")

@nox.session
def docs(session):
    session.install("sphinx")
`
	root := t.TempDir()
	testfs.Write(t, root, map[string]string{"noxfile.py": noxfile, "requirements/test.txt": "hypothesis\n"})
	if d := cmp.Diff([]string{"hypothesis", "pytest>=7", "pytest-mock"}, noxRequirements(root)); d != "" {
		t.Error(d)
	}
	if got := noxRequirements(t.TempDir()); got != nil {
		t.Errorf("no noxfile: %v", got)
	}
}

// TestCorruptedInTransit: pip's hash mismatch on a file the proxy served intact is PYTI's bridge
// failing (an error, retried), not the package; a mismatch on anything else, or none, is not.
func TestCorruptedInTransit(t *testing.T) {
	served := strings.Repeat("ab", 32)
	other := strings.Repeat("cd", 32)
	reqs := []pypi.ProxyRequest{{SHA256: served, Status: http.StatusOK, Filename: "setuptools-66.1.1-py3-none-any.whl"}}
	pipSays := func(sum string) string {
		return "ERROR: THESE PACKAGES DO NOT MATCH THE HASHES FROM THE REQUIREMENTS FILE. If you have updated the package versions, please update the hashes.\n" +
			"    setuptools>=40.8.0 from http://127.0.0.1:3141/files/setuptools-66.1.1-py3-none-any.whl:\n" +
			"        Expected sha256 " + sum + "\n             Got        " + other + "\n"
	}
	for _, c := range []struct {
		name, output, want string
	}{
		{"served file corrupted", pipSays(served), served},
		{"a hash the proxy never served", pipSays(other), ""},
		{"another failure", "ERROR: No matching distribution found for nothing", ""},
	} {
		if got := corruptedInTransit(reqs, c.output); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

func TestNotOnIndex(t *testing.T) {
	out := `Collecting pretend
ERROR: Could not find a version that satisfies the requirement pretend (from versions: none)
ERROR: No matching distribution found for pretend
`
	if d := cmp.Diff([]string{"pretend"}, notOnIndex(out)); d != "" {
		t.Error(d)
	}
	if got := notOnIndex("ERROR: No matching distribution found for jaraco.classes>=1\n"); !cmp.Equal(got, []string{"jaraco.classes"}) {
		t.Errorf("got %q", got)
	}
	if got := notOnIndex("error: subprocess-exited-with-error\n"); got != nil {
		t.Errorf("got %q, want nothing", got)
	}
}

// TestTestExtraRequirements: a test extra's requirements are read from wherever the sdist
// declares them, a setup.py's from the egg-info setuptools put in the sdist.
func TestTestExtraRequirements(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		src   func(root string) Source
		want  []extraRequirement
	}{
		{"a setup.py's extras from the egg-info's requires.txt", map[string]string{
			"src/acme.core.egg-info/requires.txt": "setuptools\n\n[docs]\nSphinx\n\n[test]\ncoverage>=5.0.3\nzope.testing\n\n[test:python_version < \"3.8\"]\nimportlib_metadata\n",
		}, func(root string) Source { return Source{Root: root} },
			[]extraRequirement{{raw: "coverage>=5.0.3", extra: "test"}, {raw: "zope.testing", extra: "test"},
				{raw: `importlib_metadata; python_version < "3.8"`, extra: "test"}}},
		{"pyproject's optional dependencies and the metadata's extra markers", nil, func(root string) Source {
			return Source{Root: root, Pyproject: &pkgmeta.Pyproject{Project: &pkgmeta.Project{OptionalDependencies: map[string][]string{"Test": {"pytest-mock"}, "docs": {"furo"}}}},
				Metadata: &pkgmeta.CoreMetadata{RequiresDist: []pkgmeta.RequirementEntry{{Raw: "six"}, {Raw: `freezegun; extra == "test"`, Marker: `extra == "test"`}}}}
		}, []extraRequirement{{raw: "pytest-mock", extra: "test"}, {raw: `freezegun; extra == "test"`, extra: "test"}}},
		{"an extra that asks for another of the project's own (attrs' tests: attrs[tests-no-zope])", map[string]string{
			"acme.egg-info/requires.txt": "[cov]\ncoverage\n\n[test]\nacme[tests-no-zope]\nzope.interface\n\n[tests-no-zope]\nhypothesis\nacme[test]\n\n[tests_no_zope]\nhypothesis\n",
		}, func(root string) Source { return Source{Root: root} },
			[]extraRequirement{{raw: "acme[tests-no-zope]", extra: "test"}, {raw: "zope.interface", extra: "test"},
				{raw: "hypothesis", extra: "tests-no-zope"}, {raw: "acme[test]", extra: "tests-no-zope"}, {raw: "hypothesis", extra: "tests-no-zope"}}},
		{"another extra's line that asks for the docs (attrs 23.1.0's metadata: acme[docs,test]; extra == 'dev'): not followed", nil, func(root string) Source {
			return Source{Root: root, Metadata: &pkgmeta.CoreMetadata{RequiresDist: []pkgmeta.RequirementEntry{
				{Raw: `acme[docs,test]; extra == 'dev'`, Marker: `extra == 'dev'`}, {Raw: `furo; extra == 'docs'`, Marker: `extra == 'docs'`},
				{Raw: `hypothesis; extra == 'test'`, Marker: `extra == 'test'`}}}}
		}, []extraRequirement{{raw: `acme[docs,test]; extra == 'dev'`, extra: "test"}, {raw: `furo; extra == 'docs'`, extra: "test"},
			{raw: `hypothesis; extra == 'test'`, extra: "test"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			got := testExtraRequirements(tc.src(root), "acme", []string{"test"}, "3.11.2")
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(extraRequirement{})); diff != "" {
				t.Errorf("testExtraRequirements (-want +got):\n%s", diff)
			}
		})
	}
}

// TestOtherTestRequirements: with the test dependencies the index cannot satisfy left out, the
// others are fetched, as plain requirements for this interpreter.
func TestOtherTestRequirements(t *testing.T) {
	py, problems := pkgmeta.ParsePyproject([]byte(`[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"
[project]
name = "my-pkg"
version = "1"
[project.optional-dependencies]
test = ["pytest>=7", "pretend", "hypothesis; python_version >= '3.8'", "tomli; python_version < '3.11'", "my-pkg[yaml]", "local @ file:///x"]
yaml = ["PyYAML"]
`))
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	src := Source{Pyproject: py}
	tg := &target{pythonVersion: "3.11.2"}
	tests := []struct {
		name                              string
		testReqs, missing, unmet, relaxed []string
		want                              []string
	}{
		{"nothing left out: nothing to fetch again", nil, nil, nil, nil, nil},
		{"one project not on the index", nil, []string{"pretend"}, nil, nil,
			[]string{"pytest>=7", "hypothesis", "PyYAML"}},
		{"an unmet version, and a requirements file's", []string{"freezegun==1.0", "Pytest>=7"}, nil, []string{"pytest>=7"}, nil,
			[]string{"freezegun==1.0", "pretend", "hypothesis", "PyYAML"}},
		{"a lock file's pin relaxed: the project without a version", []string{"freezegun==1.0 ; python_version >= '3'", "six==1.16.0"}, nil, nil, []string{"freezegun==1.0"},
			[]string{"freezegun", "six==1.16.0", "pytest>=7", "pretend", "hypothesis", "PyYAML"}},
		{"a requirement of the extra the test extra asks for", nil, []string{"PyYAML"}, nil, nil,
			[]string{"pytest>=7", "pretend", "hypothesis"}},
		{"everything left out", nil, []string{"pytest", "pretend", "hypothesis", "PyYAML"}, nil, nil, nil},
		{"one requirement spelt two ways (attrs' zope.interface and zope-interface)", []string{"Pretend", "pyyaml", "PyYAML>=6"}, []string{"pytest"}, nil, nil,
			[]string{"Pretend", "PyYAML>=6", "hypothesis"}},
		// Mako 1.2.4: tox.ini's pytest>=3.1.0 and the testing extra's pytest.
		{"a project named alone and with a version", []string{"hypothesis>=6", "beaker"}, []string{"lingua"}, nil, nil,
			[]string{"hypothesis>=6", "beaker", "pytest>=7", "pretend", "PyYAML"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := otherTestRequirements(tg, src, "my-pkg", []string{"test"}, tt.testReqs, tt.missing, tt.unmet, tt.relaxed)
			if d := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("otherTestRequirements (-want +got):\n%s", d)
			}
		})
	}
}

// TestWithoutUnfetchable: what made pip's download of the other test requirements fail is taken
// out, the least that can be: the extra that asked for a missing dependency, else the requirement.
func TestWithoutUnfetchable(t *testing.T) {
	reqs := []string{"hypothesis", "pytest-xdist[psutil]", "zope.interface"}
	tests := []struct {
		name                 string
		output               string
		want, missing, unmet []string
	}{
		{"a dependency an extra asks for", `INFO: pip is looking at multiple versions of hypothesis to determine which version is compatible with other requirements. This could take a while.
ERROR: Could not find a version that satisfies the requirement psutil>=3.0; extra == "psutil" (from pytest-xdist[psutil]) (from versions: none)
ERROR: No matching distribution found for psutil>=3.0; extra == "psutil"
`, []string{"hypothesis", "pytest-xdist", "zope.interface"}, []string{"psutil"}, nil},
		{"a dependency of a requirement", `ERROR: Could not find a version that satisfies the requirement sortedcontainers<3,>=2.1 (from hypothesis) (from versions: 1.5.10)
`, []string{"pytest-xdist[psutil]", "zope.interface"}, nil, []string{"sortedcontainers<3,>=2.1"}},
		{"a requirement itself", `ERROR: Could not find a version that satisfies the requirement zope.interface (from versions: none)
`, []string{"hypothesis", "pytest-xdist[psutil]"}, []string{"zope.interface"}, nil},
		{"another failure: nothing to take out", "ERROR: Exception:\nTraceback (most recent call last):\n", reqs, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, missing, unmet := withoutUnfetchable(reqs, tc.output)
			if d := cmp.Diff([][]string{tc.want, tc.missing, tc.unmet}, [][]string{got, missing, unmet}, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("(-want +got) [requirements, missing, unmet]\n%s", d)
			}
		})
	}
}

// TestTestRequirementsFiles: a requirements file named for tests wins; a development one
// (requests ships requirements-dev.txt, and nothing else names its test dependencies) is read
// when there is none, without its editable line; other requirements files are not.
func TestTestRequirementsFiles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"the test file before the development one",
			map[string]string{"requirements-dev.txt": "sphinx\n", "requirements-test.txt": "pytest-mock\n"}, []string{"pytest-mock"}},
		{"requests' requirements-dev.txt",
			map[string]string{"requirements-dev.txt": "-e .[socks]\npytest>=2.8.0,<=6.2.5\npytest-httpbin==2.0.0\n# Flask\nFlask>1.0,<2.0\n", "requirements-docs.txt": "sphinx\n"},
			[]string{"pytest>=2.8.0,<=6.2.5", "pytest-httpbin==2.0.0", "Flask>1.0,<2.0"}},
		{"requirements/dev.txt", map[string]string{"requirements/dev.txt": "trustme\n", "requirements/base.txt": "idna\n"}, []string{"trustme"}},
		{"a test file that includes another with -r (oauthlib's requirements.txt)",
			map[string]string{"requirements-test.txt": "-r requirements.txt\npytest>=4.0\n", "requirements.txt": "pyjwt>=2.0.0,<3\nblinker==1.4\n"},
			[]string{"pytest>=4.0", "pyjwt>=2.0.0,<3", "blinker==1.4"}},
		{"-r relative to the including file, and a file that includes itself",
			map[string]string{"requirements/test.txt": "-r base.txt\n-r test.txt\n-c constraints.txt\nhypothesis\n", "requirements/base.txt": "attrs\n-r ../../outside.txt\n",
				"requirements/constraints.txt": "attrs<99\n"},
			[]string{"hypothesis", "attrs"}},
		{"no test or development file", map[string]string{"requirements.txt": "idna\n", "requirements-docs.txt": "sphinx\n"}, nil},
		{"a test requirements file in the test directory (pydantic 1.10.7's tests/requirements-testing.txt)",
			map[string]string{"tests/requirements-testing.txt": "-r ../requirements.txt\npytest-mock==3.10.0\nhypothesis==6.54.4\n", "requirements.txt": "python-dotenv==0.21.0\n",
				"tests/requirements-linting.txt": "black\n"},
			[]string{"pytest-mock==3.10.0", "hypothesis==6.54.4", "python-dotenv==0.21.0"}},
		{"tox's deps, which name the test file and more (crispy-forms' Django on a factor)",
			map[string]string{"requirements/testing.txt": "pytest\npytest-django\n",
				"tox.ini": "[tox]\nenvlist = {py38,py310}-django{32}\n[testenv]\ndeps =\n    django32: django>=3.2,<3.3\n    -r{toxinidir}/requirements/testing.txt\n"},
			[]string{"django>=3.2,<3.3", "pytest", "pytest-django"}},
		{"requirements/testing.txt before requirements/dev.txt", map[string]string{"requirements/dev.txt": "twine\n", "requirements/testing.txt": "pytest-django\n"},
			[]string{"pytest-django"}},
		{"tox's deps that do not name the test file", map[string]string{"requirements-test.txt": "pytest-mock\n", "tox.ini": "[testenv]\ndeps = flaky\n"},
			[]string{"pytest-mock"}},
		{"a development file that installs tox (pycodestyle's): tox's deps", map[string]string{"dev-requirements.txt": "tox\n",
			"tox.ini": "[tox]\nenvlist = py, pypy3\n[testenv]\ndeps =\n    covdefaults\n    coverage\n    pytest\ncommands =\n    coverage run -m pytest tests\n"},
			[]string{"covdefaults", "coverage", "pytest"}},
		{"a development file that installs nox: the test session's installs", map[string]string{"requirements-dev.txt": "nox>=2022\n",
			"noxfile.py": "import nox\n\n@nox.session\ndef tests(session):\n    session.install(\"pytest\", \"freezegun\")\n    session.run(\"pytest\")\n"},
			[]string{"pytest", "freezegun"}},
		{"a development file beside tox's deps (pyfakefs' requirements_dev.txt is pre-commit): tox's deps",
			map[string]string{"requirements_dev.txt": "pre-commit==3.6.0\n", "requirements.txt": "pytest>=3.0.0\n", "extra_requirements.txt": "xlrd==2.0.1\n",
				"tox.ini": "[testenv]\ndeps =\n    -rrequirements.txt\n    -rextra_requirements.txt\ncommands = python -m pytest\n"},
			[]string{"pytest>=3.0.0", "xlrd==2.0.1"}},
		{"a development file that installs tox, with no deps in tox.ini", map[string]string{"dev-requirements.txt": "tox\npytest-mock\n", "tox.ini": "[testenv]\ncommands = pytest\n"},
			[]string{"pytest-mock"}},
		{"a development file that installs tox, and no tox.ini (pycodestyle 2.10.0's sdist): nothing to install",
			map[string]string{"dev-requirements.txt": "tox\n"}, nil},
		{"tox's deps name one of several test files (wcwidth 0.2.6): that one", map[string]string{"requirements-tests36.txt": "pytest==6.2.5\n",
			"requirements-tests37.in": "pytest<7\n", "requirements-tests39.txt": "pytest==7.1.1\npytest-cov==3.0.0\n",
			"tox.ini": "[tox]\nenvlist = py36,py37,py38,py39,py310,py311\n[testenv]\ndeps = -r requirements-tests39.txt\ncommands = {envpython} -m pytest\n" +
				"[testenv:py36]\ndeps = -r requirements-tests36.txt\n"},
			[]string{"pytest==7.1.1", "pytest-cov==3.0.0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if d := cmp.Diff(tc.want, testRequirements(Source{Root: root}, nil)); d != "" {
				t.Errorf("test requirements (-want +got):\n%s", d)
			}
		})
	}
}

// TestDevelopmentFileBesideATestExtra: a requirements file named for development is a developer's
// tools when the project has a test extra, which its tests get (jsonpickle 3.0.1's testing extra;
// its requirements-dev.txt adds pytest-benchmark); one named for tests is still read.
func TestDevelopmentFileBesideATestExtra(t *testing.T) {
	for _, tc := range []struct {
		name   string
		extras []string
		files  map[string]string
		want   []string
	}{
		{"a development file beside a testing extra", []string{"testing", "docs"},
			map[string]string{"requirements-dev.txt": "pytest-benchmark\nblack\n"}, nil},
		{"a test file beside a testing extra", []string{"testing"},
			map[string]string{"requirements-test.txt": "pytest-mock\n", "requirements-dev.txt": "black\n"}, []string{"pytest-mock"}},
		{"a development file without a test extra", []string{"docs"},
			map[string]string{"requirements-dev.txt": "pytest-benchmark\n"}, []string{"pytest-benchmark"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			src := Source{Root: root, Metadata: &pkgmeta.CoreMetadata{Name: "p", ProvidesExtra: tc.extras}}
			if d := cmp.Diff(tc.want, testRequirements(src, nil)); d != "" {
				t.Errorf("test requirements (-want +got):\n%s", d)
			}
		})
	}
}

// TestToolGroupTestRequirements: a project whose test environment is Hatch's, PDM's or uv's
// installs it for its tests, as a PEP 735 group would be.
func TestToolGroupTestRequirements(t *testing.T) {
	for _, tc := range []struct {
		name, pyproject string
		files           map[string]string
		want            []string
	}{
		{"hatch test: default's dependencies and its own", "[tool.hatch.envs.default]\ndependencies = [\"pytest\"]\n[tool.hatch.envs.tests]\ndependencies = [\"trustme\"]\n",
			nil, []string{"pytest", "trustme"}},
		{"hatch-test before a requirements file", "[tool.hatch.envs.hatch-test]\nextra-dependencies = [\"pytest-asyncio\"]\n",
			map[string]string{"requirements-dev.txt": "sphinx\n"}, []string{"pytest-asyncio"}},
		{"a lint environment alone is not a test one", "[tool.hatch.envs.lint]\ndependencies = [\"black\"]\n",
			map[string]string{"requirements-test.txt": "pytest-mock\n"}, []string{"pytest-mock"}},
		{"pdm's test group", "[tool.pdm.dev-dependencies]\ntest = [\"pytest\", \"pytest-mock\"]\n", nil, []string{"pytest", "pytest-mock"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			p, _ := pkgmeta.ParsePyproject([]byte(tc.pyproject))
			if d := cmp.Diff(tc.want, testRequirements(Source{Root: root, Pyproject: p}, nil)); d != "" {
				t.Errorf("test requirements (-want +got):\n%s", d)
			}
		})
	}
}

// TestSetupPyTestRequirements: setup.py's tests_require ranks with setup.cfg's, before a
// requirements file and tox's deps (pyrsistent's tox.ini runs `setup.py test`, which installs it,
// with deps = setuptools), but after tox's deps that name a requirements file; nothing read from
// setup.py leaves the other sources as they were.
func TestSetupPyTestRequirements(t *testing.T) {
	files := map[string]string{"tox.ini": "[testenv]\ncommands = python {toxinidir}/setup.py test\ndeps =\n    setuptools\n", "requirements-test.txt": "pytest-mock\n"}
	withFile := map[string]string{"tox.ini": "[testenv]\ndeps = -rrequirements-dev.txt\ncommands = pytest tests\n", "requirements-dev.txt": "-e .[socks]\npytest>=2.8.0\ntrustme\n"}
	for _, tc := range []struct {
		name    string
		setupPy []string
		want    []string
		more    map[string]string
	}{
		{"tests_require, with the test requirements file's first", []string{"pytest<7", "hypothesis<7"}, []string{"pytest-mock", "pytest<7", "hypothesis<7"}, nil},
		{"tests_require the test requirements file holds and more (humanfriendly 10.0)", []string{"capturer >= 2.1", "coloredlogs >= 2.0"},
			[]string{"capturer>=2.1", "coloredlogs>=2.0", "docutils>=0.15", "mock>=3.0.5", "pytest>=3.0.7"},
			map[string]string{"requirements-test.txt": "capturer>=2.1\ncoloredlogs>=2.0\ndocutils>=0.15\nmock>=3.0.5\npytest>=3.0.7\n"}},
		{"none", nil, []string{"pytest-mock"}, nil},
		{"tests_require that is tox (sortedcontainers 2.4.0): tox's deps", []string{"tox"}, []string{"setuptools"}, nil},
		{"tox's deps naming a requirements file (requests 2.28.2): they outrank tests_require",
			[]string{"pytest-httpbin==0.0.7", "pytest>=3"}, []string{"pytest>=2.8.0", "trustme"}, withFile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, files)
			testfs.Write(t, root, tc.more)
			if d := cmp.Diff(tc.want, testRequirements(Source{Root: root}, tc.setupPy)); d != "" {
				t.Errorf("test requirements (-want +got):\n%s", d)
			}
		})
	}
}

// TestToxSetenv: tox's [testenv] setenv reaches the tests, but for what the test step sets up
// itself and values tox would substitute; the file holding it is named.
func TestToxSetenv(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
		file  string
	}{
		{"zipp's", map[string]string{"tox.ini": "[testenv]\nsetenv =\n\tPYTHONWARNDEFAULTENCODING = 1\n"}, []string{"PYTHONWARNDEFAULTENCODING=1"}, "tox.ini"},
		{"plumbing and substitutions left out", map[string]string{"tox.ini": "[testenv]\nsetenv =\n    PYTHONPATH = {toxinidir}\n    PATH=/x\n    COVERAGE_FILE=.cov\n" +
			"    DB_URL = {env:DB_URL:sqlite://}\n    py39: OLD = 1\n    LANG = C.UTF-8\n    PYTHONHASHSEED=0\n    PIP_INDEX_URL=http://x\n"},
			[]string{"LANG=C.UTF-8", "PYTHONHASHSEED=0"}, "tox.ini"},
		{"in setup.cfg (wrapt's tox configuration)", map[string]string{"setup.cfg": "[metadata]\nname = x\n\n[tox:tox]\nenvlist = py311\n\n[testenv]\nsetenv = MODE = fast\n"},
			[]string{"MODE=fast"}, "setup.cfg"},
		{"another environment's", map[string]string{"tox.ini": "[testenv]\ncommands = pytest\n[testenv:docs]\nsetenv = SPHINX = 1\n"}, nil, "tox.ini"},
		{"on factors, for the environment of the tests' Python (zope.interface 6.0)", map[string]string{"tox.ini": "[tox]\nenvlist =\n    lint\n    py37,py38,py39,py310,py311\n" +
			"    py{37,38,39,310,311}-pure\n    coverage\n\n[testenv]\nsetenv =\n    ZOPE_INTERFACE_STRICT_IRO=1\n    pure: PURE_PYTHON=1\n" +
			"    !pure-!pypy3: PURE_PYTHON=0\n    py311: NEW = 1\n    py39: OLD = 1\n"},
			[]string{"NEW=1", "PURE_PYTHON=0", "ZOPE_INTERFACE_STRICT_IRO=1"}, "tox.ini"},
		{"none", nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			vars, file := toxSetenv(root, "3.11.2")
			if d := cmp.Diff([]any{tc.want, tc.file}, []any{vars, file}); d != "" {
				t.Errorf("toxSetenv (-want +got) [vars, file]:\n%s", d)
			}
		})
	}
}

// TestRelaxPins: an exact pin the index has other versions of is relaxed; a range, or a project
// the index lacks, stays unmet.
func TestRelaxPins(t *testing.T) {
	dir := t.TempDir()
	writeWheel(t, dir, "freezegun", "1.2.1", nil, "")
	writeWheel(t, dir, "attrs", "22.2.0", nil, "")
	writeWheel(t, dir, "pytest", "7.2.1", nil, "")
	_, client := serveIndex(t, dir)
	j := &job{jobEnv: &jobEnv{opts: Options{Client: client}}}
	tests := []struct {
		name           string
		unmet          []string
		relaxed, still []string
	}{
		{"a lock file's pins", []string{"freezegun==1.1.0", "attrs[tests]==21.4.0"}, []string{"freezegun==1.1.0", "attrs[tests]==21.4.0"}, nil},
		{"a range is the project's need, not a lock", []string{"freezegun>=2"}, nil, []string{"freezegun>=2"}},
		{"a pin of a project the index lacks", []string{"py==1.11.0"}, nil, []string{"py==1.11.0"}},
		{"a wildcard pin", []string{"freezegun==1.1.*"}, []string{"freezegun==1.1.*"}, nil},
		{"a range on a test tool PYTI installs anyway (PyJWT's pytest<7, immutables' pytest~=6.2.4)", []string{"pytest~=6.2.4", "freezegun>=2"},
			[]string{"pytest~=6.2.4"}, []string{"freezegun>=2"}},
		{"nothing unmet", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			relaxed, still := j.relaxPins(context.Background(), tt.unmet)
			if d := cmp.Diff(tt.relaxed, relaxed, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("relaxed (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.still, still, cmpopts.EquateEmpty()); d != "" {
				t.Errorf("still unmet (-want +got):\n%s", d)
			}
		})
	}
}

// TestProbeTestRequirements: each requirement is asked for alone, those that fail come back with
// pip's last line, and at most 16 are asked.
func TestProbeTestRequirements(t *testing.T) {
	fails := map[string]string{"cryptography>=3.4.0": "ERROR: No matching distribution found for ply", "fx-plug": "ERROR: ResolutionImpossible: for help visit …"}
	var many []string
	for i := range 20 {
		many = append(many, fmt.Sprintf("dep%d", i))
	}
	for _, tc := range []struct {
		name      string
		reqs      []string
		bad, says []string
		asked     int
	}{
		{"one of three fails", []string{"coverage[toml]", "cryptography>=3.4.0", "pytest"}, []string{"cryptography>=3.4.0"},
			[]string{"cryptography>=3.4.0: ERROR: No matching distribution found for ply"}, 3},
		{"none fails", []string{"pytest", "execnet"}, nil, nil, 2},
		{"at most 16 asked", many, nil, nil, 16},
	} {
		t.Run(tc.name, func(t *testing.T) {
			asked := 0
			bad, says, err := probeTestRequirements(tc.reqs, func(r string) (*stepResult, error) {
				asked++
				if why, ok := fails[r]; ok {
					return &stepResult{res: &sandbox.Result{Outcome: sandbox.OutcomeExit}, output: "Collecting " + r + "\n" + why + "\n"}, nil
				}
				return &stepResult{res: &sandbox.Result{Outcome: sandbox.OutcomeOK}}, nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff([][]string{tc.bad, tc.says}, [][]string{bad, says}, cmpopts.EquateEmpty()); d != "" || asked != tc.asked {
				t.Errorf("(-want +got) [bad, because]\n%s\nasked %d, want %d", d, asked, tc.asked)
			}
		})
	}
}

// TestApplying: the test requirements the report lists are those whose markers hold.
func TestApplying(t *testing.T) {
	reqs := []string{`py<1.5; python_version == "3.3"`, `hypothesis; python_version >= "3.8"`, "pytest", "not a requirement ;;"}
	want := []string{`hypothesis; python_version >= "3.8"`, "pytest", "not a requirement ;;"}
	if d := cmp.Diff(want, applying(reqs, "3.11.2")); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

// TestDevFileWithTestsRequire: with no file named for tests, a development requirements file that
// installs pytest is the test environment, beside tests_require (deepdiff 6.3.0); the general
// one before one for a given Python, and never a file without pytest (pre-commit alone).
func TestDevFileWithTestsRequire(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"deepdiff 6.3.0", map[string]string{"requirements.txt": "ordered-set>=4.0.2,<4.2.0\n", "requirements-dev-3.7.txt": "pytest==6.0\n",
			"requirements-dev.txt": "-r requirements.txt\npytest==7.2.0\nnumpy==1.23.5\njsonpickle==3.0.0\n"},
			[]string{"pytest==7.2.0", "numpy==1.23.5", "jsonpickle==3.0.0", "ordered-set>=4.0.2,<4.2.0", "mock"}},
		{"a developer's tools alone", map[string]string{"requirements_dev.txt": "pre-commit\n"}, []string{"mock"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if d := cmp.Diff(tc.want, testRequirements(Source{Root: root}, []string{"mock"})); d != "" {
				t.Errorf("test requirements (-want +got):\n%s", d)
			}
		})
	}
}

// TestFetchFailure: pip's failure says whether the build dependencies could not be had, and whose
// requirement pip could not satisfy (colorama 0.4.6: hatchling's editables, not on the index).
func TestFetchFailure(t *testing.T) {
	exit1 := &sandbox.Result{Outcome: sandbox.OutcomeExit, ExitCode: 1}
	for _, tc := range []struct {
		name, out, want string
	}{
		{"a build backend's requirement", "Processing /run/pyti-dist/colorama-0.4.6.tar.gz\n" +
			"  Installing build dependencies: started\n  Installing build dependencies: finished with status 'error'\n" +
			"  error: subprocess-exited-with-error\n  × pip subprocess to install build dependencies did not run successfully.\n" +
			"      Collecting hatchling>=0.25.1\n" +
			"      ERROR: Could not find a version that satisfies the requirement editables>=0.3 (from hatchling) (from versions: none)\n" +
			"      ERROR: No matching distribution found for editables>=0.3\n      [end of output]\n" +
			"  note: This error originates from a subprocess, and is likely not a problem with pip.\n",
			"pip could not fetch the package's build dependencies (exit status 1): ERROR: No matching distribution found for editables>=0.3, which hatchling requires"},
		{"a dependency's requirement, pinned", "ERROR: Could not find a version that satisfies the requirement idna<3,>=2.5 (from requests==2.25.0) (from versions: 3.4)\n" +
			"ERROR: No matching distribution found for idna<3,>=2.5\n",
			"pip could not fetch the package and its dependencies (exit status 1): ERROR: No matching distribution found for idna<3,>=2.5, which requests requires"},
		{"the package's own requirement", "ERROR: Could not find a version that satisfies the requirement nosuch (from versions: none)\n" +
			"ERROR: No matching distribution found for nosuch\n",
			"pip could not fetch the package and its dependencies (exit status 1): ERROR: No matching distribution found for nosuch"},
		{"a requirements file's line", "ERROR: Could not find a version that satisfies the requirement x==1 (from -r r.txt (line 2)) (from versions: none)\n" +
			"ERROR: No matching distribution found for x==1\n",
			"pip could not fetch the package and its dependencies (exit status 1): ERROR: No matching distribution found for x==1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, fetchFailure(exit1, tc.out)); d != "" {
				t.Errorf("fetchFailure (-want +got):\n%s", d)
			}
		})
	}
}
