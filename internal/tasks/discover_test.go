package tasks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/testfs"
)

// examplesNote ends "no tests in the distribution" when the sdist holds doctests nobody asks for;
// noConfigNote when it ships no pytest configuration either (bidict 0.22.1).
const (
	examplesNote = " (its docstrings or documentation hold examples, which its pytest configuration does not ask to run as doctests)"
	noConfigNote = " (its docstrings or documentation hold examples, and the sdist ships no pytest configuration that asks to run them as doctests)"
)

// TestDiscover checks how a source tree's tests are found, and the python_files pytest is given
// so that it collects them as their maintainers' runner would.
func TestDiscover(t *testing.T) {
	const unittestFile = "import unittest\n\nclass T(unittest.TestCase):\n    def test_x(self):\n        pass\n"
	const pytestFile = "def test_x():\n    assert True\n"
	tests := []struct {
		name  string
		files map[string]string
		want  suite
	}{
		{"pytest files with pytest's own defaults", map[string]string{"tests/test_a.py": pytestFile, "pkg/__init__.py": ""},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)"}},
		{"a unittest suite in test.py, run as unittest discover would (test*.py)",
			map[string]string{"src/tests/__init__.py": "", "src/tests/test.py": unittestFile, "src/tests/documentation.py": "", "src/mod.py": ""},
			suite{kind: suiteUnittest, files: []string{"src/tests/test.py"}, found: "1 test file (src/tests/test.py)", pythonFiles: "test*.py"}},
		{"a unittest suite in test_*.py files gets unittest's pattern too",
			map[string]string{"tests/test_a.py": unittestFile},
			suite{kind: suiteUnittest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)", pythonFiles: "test*.py"}},
		{"a script named like a test beside a unittest suite says nothing of the runner, nor gets collected (pyelftools 0.29's test/run_examples_test.py)",
			map[string]string{"test/test_a.py": unittestFile, "test/run_examples_test.py": "import sys, logging\nfrom utils import run_exe\ntestlog = logging.getLogger('run_examples_test')\n\ndef main():\n    pass\n\nif __name__ == '__main__':\n    main()\n",
				"test/all_tests.py": "", "tox.ini": "[testenv]\ncommands =\n    python test/all_tests.py\n"},
			suite{kind: suiteUnittest, files: []string{"test/test_a.py"}, found: "1 test file (test/test_a.py)", pythonFiles: "test*.py"}},
		{"unittest modules named *_test.py are collected too",
			map[string]string{"tests/test_a.py": unittestFile, "tests/b_test.py": unittestFile},
			suite{kind: suiteUnittest, files: []string{"tests/b_test.py", "tests/test_a.py"}, found: "2 test files (tests/b_test.py, tests/test_a.py)", pythonFiles: "test*.py *_test.py"}},
		{"test files in the directories norecursedirs names are left out (marshmallow 3.19.0's tests/mypy_test_cases)",
			map[string]string{"tests/test_a.py": pytestFile, "tests/mypy_test_cases/test_validation_error.py": "from m import x\n", "tests/.tox/test_b.py": pytestFile,
				"setup.cfg": "[tool:pytest]\nnorecursedirs = .git .tox docs tests/mypy_test_cases\n"},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)"}},
		{"the project's python_files leaves out what pytest's default would take (WebOb 1.8.7's tests/performance_test.py)",
			map[string]string{"tests/test_a.py": pytestFile, "tests/performance_test.py": pytestFile, "setup.cfg": "[tool:pytest]\npython_files = test_*.py\n"},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)"}},
		{"unittest modules that tox runs with pytest (portpicker 1.5.2's py.test -s)",
			map[string]string{"src/tests/portpicker_test.py": unittestFile, "tox.ini": "[testenv]\ncommands = py.test -s\n"},
			suite{kind: suitePytest, files: []string{"src/tests/portpicker_test.py"}, found: "1 test file (src/tests/portpicker_test.py)", tox: toxPytest{alone: true}}},
		{"pytest-style tests.py next to test_*.py: pytest's defaults plus the single test modules",
			map[string]string{"pkg/tests.py": pytestFile, "pkg/test_b.py": pytestFile, "setup.cfg": "[tool:pytest]\naddopts = -q\n"},
			suite{kind: suitePytest, files: []string{"pkg/test_b.py", "pkg/tests.py"}, found: "2 test files (pkg/test_b.py, pkg/tests.py)",
				pythonFiles: "test_*.py *_test.py test.py tests.py"}},
		{"the project's own python_files wins",
			map[string]string{"test.py": unittestFile, "tox.ini": "[pytest]\npython_files = test.py\n"},
			suite{kind: suitePytest, files: []string{"test.py"}, found: "1 test file (test.py)"}},
		{"tox runs the suite in its changedir (docutils' `python alltests.py` in test/): the test files elsewhere are not run",
			map[string]string{"test/__init__.py": "", "test/test_a.py": unittestFile, "tools/test/test_build.py": unittestFile,
				"tox.ini": "[testenv]\nchangedir = test\ncommands =\n    python alltests.py\n"},
			suite{kind: suiteUnittest, files: []string{"test/test_a.py"}, found: "1 test file (test/test_a.py)", pythonFiles: "test*.py",
				tox: toxPytest{paths: []string{"test"}, changedir: "test"}}},
		{"a changedir outside the tree narrows nothing",
			map[string]string{"test/test_a.py": pytestFile, "tools/test_build.py": pytestFile,
				"tox.ini": "[testenv]\nchangedir = {envtmpdir}\ncommands =\n    pytest\n"},
			suite{kind: suitePytest, files: []string{"test/test_a.py", "tools/test_build.py"}, found: "2 test files (test/test_a.py, tools/test_build.py)",
				tox: toxPytest{alone: true}}},
		{"a tests.py alone in a directory that is no package is a sample (executing's tests/samples/tests.py)",
			map[string]string{"tests/__init__.py": "", "tests/test_main.py": pytestFile, "tests/samples/tests.py": "import unittest\n", "tests/samples/other.py": ""},
			suite{kind: suitePytest, files: []string{"tests/test_main.py"}, found: "1 test file (tests/test_main.py)"}},
		{"a tests.py alone in a tests directory is the suite (polib's tests/tests.py)",
			map[string]string{"tests/tests.py": unittestFile, "tests/test.po": "", "polib.py": "", "setup.py": ""},
			suite{kind: suiteUnittest, files: []string{"tests/tests.py"}, found: "1 test file (tests/tests.py)", pythonFiles: "test*.py"}},
		{"files the addopts --ignore leave out are not counted (asttokens' tests/testdata)",
			map[string]string{"tests/test_a.py": pytestFile, "tests/testdata/python3/client_test.py": pytestFile,
				"setup.cfg": "[tool:pytest]\naddopts = --ignore=tests/testdata -ra\n"},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)"}},
		{"no test module, a runner script of its own (feedparser's tests/runtests.py)",
			map[string]string{"tests/runtests.py": "import unittest\n", "tests/illformed/a.xml": "", "feedparser/__init__.py": ""},
			suite{found: "no tests that pytest or unittest would collect: the sdist ships its own test runner (`tests/runtests.py`), which PYTI does not run",
				script: "tests/runtests.py"}},
		{"a test-named module that defines no test, beside a runner script (peewee 3.16.2's playhouse/test_utils.py and runtests.py)",
			map[string]string{"playhouse/__init__.py": "", "playhouse/test_utils.py": "def count_queries(only_select=False):\n    return 0\n", "runtests.py": "import unittest\n"},
			suite{found: "no tests that pytest or unittest would collect: the sdist ships its own test runner (`runtests.py`), which PYTI does not run",
				script: "runtests.py", modules: []string{"playhouse/test_utils.py"}}},
		{"a test module that only gathers others' tests is one",
			map[string]string{"tests/test_all.py": "from tests.cases import *  # noqa\n", "tests/__init__.py": "", "tests/cases.py": pytestFile},
			suite{kind: suitePytest, files: []string{"tests/test_all.py"}, found: "1 test file (tests/test_all.py)"}},
		{"a tests.py at the top is a test module", map[string]string{"tests.py": pytestFile, "setup.py": ""},
			suite{kind: suitePytest, files: []string{"tests.py"}, found: "1 test file (tests.py)", pythonFiles: "test_*.py *_test.py test.py tests.py"}},
		{"python_files outside the configuration pytest reads does not count",
			map[string]string{"pkg/__init__.py": "", "pkg/tests.py": pytestFile, "pytest.ini": "[pytest]\n", "tox.ini": "[flake8]\n# python_files is not flake8's\n"},
			suite{kind: suitePytest, files: []string{"pkg/tests.py"}, found: "1 test file (pkg/tests.py)", pythonFiles: "test_*.py *_test.py test.py tests.py"}},
		{"test*.py files that the project's python_files names (mock's tests/testmock.py)",
			map[string]string{"setup.cfg": "[tool:pytest]\npython_files=test*.py\nfilterwarnings =\n    error::RuntimeWarning\n", "mock/__init__.py": "", "mock/tests/__init__.py": "", "mock/tests/testmock.py": unittestFile, "mock/tests/support.py": ""},
			suite{kind: suitePytest, files: []string{"mock/tests/testmock.py"}, found: "1 test file (mock/tests/testmock.py)"}},
		{"python_files in pyproject.toml, as a list",
			map[string]string{"pyproject.toml": "[tool.pytest.ini_options]\npython_files = [\"check_*.py\", \"test_*.py\"]\n", "checks/check_a.py": pytestFile},
			suite{kind: suitePytest, files: []string{"checks/check_a.py"}, found: "1 test file (checks/check_a.py)"}},
		{"unittest's test*.py in a tests directory, never a package's testing.py",
			map[string]string{"tests/__init__.py": "", "tests/testfoo.py": unittestFile, "pkg/__init__.py": "", "pkg/testing.py": "import unittest\n"},
			suite{kind: suiteUnittest, files: []string{"tests/testfoo.py"}, found: "1 test file (tests/testfoo.py)", pythonFiles: "test*.py"}},
		{"a unittest suite leaves out what unittest cannot import below the top (distlib's sample distribution tests/testdist-0.1/testdist.py)",
			map[string]string{"tests/__init__.py": "", "tests/test_util.py": unittestFile, "tests/testdist-0.1/testdist.py": "x = 1\n", "tests/test_x-0.2/testdist.py": "",
				"tests-py3/test_more.py": unittestFile},
			suite{kind: suiteUnittest, files: []string{"tests/test_util.py", "tests-py3/test_more.py"}, found: "2 test files (tests/test_util.py, tests-py3/test_more.py)", pythonFiles: "test*.py",
				ignore: []string{"tests/test_x-0.2", "tests/testdist-0.1"}}},
		{"a suite that tox runs with the project's own script (pep8-naming's run_tests.py over testsuite/N8*.py)",
			map[string]string{"tox.ini": "[testenv]\ncommands =\n    python run_tests.py\n", "run_tests.py": "import sys\n", "testsuite/N801.py": "#: N801\nclass notok: pass\n", "src/pep8ext_naming.py": ""},
			suite{found: "no tests that pytest or unittest would collect: tox.ini runs the suite with its own script (`python run_tests.py`), which PYTI does not run",
				script: "python run_tests.py"}},
		{"tests on the project's own TestCase, which the makefile runs with unittest (markdown's sdist)",
			map[string]string{"tests/test_syntax.py": "from pkg.test_tools import TestCase\n\nclass TestA(TestCase):\n    pass\n",
				"makefile": ".PHONY : test\ntest:\n\tcoverage run --source=pkg -m unittest discover tests\n"},
			suite{kind: suiteUnittest, files: []string{"tests/test_syntax.py"}, found: "1 test file (tests/test_syntax.py)", pythonFiles: "test*.py"}},
		{"unittest's discovery from the top, configured in pyproject.toml's legacy_tox_ini (tomli's): not into a directory that is no package",
			map[string]string{"tests/__init__.py": "", "tests/test_data.py": unittestFile, "profiler/test_for_profiler.py": pytestFile,
				"pyproject.toml": "[tool.tox]\nlegacy_tox_ini = '''\n[tox]\nenvlist = py{37,310}\n[testenv:py{37,310}]\ncommands = python -m unittest {posargs}\n'''\n"},
			suite{kind: suiteUnittest, files: []string{"tests/test_data.py"}, found: "1 test file (tests/test_data.py)", pythonFiles: "test*.py",
				ignore: []string{"profiler/test_for_profiler.py"}, modules: []string{"profiler/test_for_profiler.py"}}},
		{"unittest's discovery from tests/: not the files outside it, nor below a directory that is no package",
			map[string]string{"test_top.py": unittestFile, "tests/test_a.py": unittestFile, "tests/sub/test_b.py": unittestFile, "tests/pkg/__init__.py": "",
				"tests/pkg/test_c.py": unittestFile, "tox.ini": "[testenv]\ncommands = python -m unittest discover -s tests -v\n"},
			suite{kind: suiteUnittest, files: []string{"tests/pkg/test_c.py", "tests/test_a.py"}, found: "2 test files (tests/pkg/test_c.py, tests/test_a.py)",
				pythonFiles: "test*.py", ignore: []string{"test_top.py", "tests/sub/test_b.py"}, modules: []string{"test_top.py"}}},
		{"run by nose2 from tox.ini (nose2 0.12.0's own suite): unittest's discovery, not into the scenarios below a directory that is no package",
			map[string]string{"pkg/__init__.py": "", "pkg/tests/__init__.py": "", "pkg/tests/test_a.py": unittestFile,
				"pkg/tests/support/scenario/test_fixture.py": unittestFile, "tox.ini": "[testenv]\ncommands =\n    coverage run nose2 -v --pretty-assert {posargs}\n"},
			suite{kind: suiteUnittest, files: []string{"pkg/tests/test_a.py"}, found: "1 test file (pkg/tests/test_a.py)", pythonFiles: "test*.py",
				ignore: []string{"pkg/tests/support/scenario/test_fixture.py"}}},
		{"the same, run by zope-testrunner from tox.ini",
			map[string]string{"src/pkg/__init__.py": "", "src/pkg/tests.py": "from pkg.testing import Case\n\n\nclass Checks(Case):\n    def test_a(self):\n        pass\n",
				"tox.ini": "[testenv]\ncommands =\n    zope-testrunner --test-path=src {posargs:-vc}\n"},
			suite{kind: suiteUnittest, files: []string{"src/pkg/tests.py"}, found: "1 test file (src/pkg/tests.py)", pythonFiles: "test*.py"}},
		{"the same, with a pytest command beside it: pytest",
			map[string]string{"tests/test_syntax.py": "from pkg.test_tools import TestCase\n", "tox.ini": "[testenv]\ncommands =\n    python -m unittest\n    pytest docs\n"},
			suite{kind: suitePytest, files: []string{"tests/test_syntax.py"}, found: "1 test file (tests/test_syntax.py)", tox: toxPytest{missing: []string{"docs"}}}},
		{"TestCases of the package's own testing module, which never name unittest, and a mixin (tornado 6.2)",
			map[string]string{"pkg/__init__.py": "", "pkg/testing.py": "import unittest\n\n\nclass AsyncTestCase(unittest.TestCase):\n    pass\n",
				"pkg/test/__init__.py": "", "pkg/test/web_test.py": "from pkg.testing import AsyncHTTPTestCase as Base\n\n\nclass WebTest(Base):\n    def test_x(self):\n        pass\n",
				"pkg/test/client_test.py": "from pkg.testing import (  # the bases\n    AsyncTestCase,\n    gen_test,\n)\nfrom . import web_test\n\n\n" +
					"class ClientTest(AsyncTestCase):\n    def test_x(self):\n        pass\n\n\nclass OtherTest(web_test.WebTest):\n    def test_y(self):\n        pass\n",
				"pkg/test/other_test.py":    "from pkg.test import web_test\n\n\nclass OtherTest(web_test.WebTest):\n    def test_y(self):\n        pass\n",
				"pkg/test/iostream_test.py": "from ..testing import AsyncTestCase\n\n\nclass TestMixin(object):\n    def test_m(self):\n        pass\n\n\nclass StreamTest(TestMixin, AsyncTestCase):\n    pass\n"},
			suite{kind: suiteUnittest, files: []string{"pkg/test/client_test.py", "pkg/test/iostream_test.py", "pkg/test/other_test.py", "pkg/test/web_test.py"},
				found:       "4 test files (pkg/test/client_test.py, pkg/test/iostream_test.py, pkg/test/other_test.py, …)",
				pythonFiles: "test*.py *_test.py"}},
		{"classes deriving from a helper that is no TestCase: pytest's",
			map[string]string{"tests/helpers.py": "class Base:\n    pass\n", "tests/test_a.py": "from helpers import Base\n\n\nclass TestA(Base):\n    def test_x(self):\n        pass\n"},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)"}},
		{"conftest.py alone is no test file", map[string]string{"conftest.py": "", "pkg/__init__.py": "", "pkg/mod.py": "x = 1\n"},
			suite{found: "no tests in the distribution"}},
		// commonmark 0.9.1: its repository's tox.ini runs them with python -m; its sdist ships none.
		{"test directories whose modules no discovery names", map[string]string{"cm/__init__.py": "", "cm/tests/__init__.py": "",
			"cm/tests/unit_tests.py": unittestFile, "cm/tests/run_spec_tests.py": "print(1)\n"},
			suite{found: "no tests that pytest or unittest would collect: the sdist's test directories hold modules whose names their discovery does not match " +
				"(cm/tests/run_spec_tests.py, cm/tests/unit_tests.py), and it ships no configuration or command that runs them",
				unmatched: []string{"cm/tests/run_spec_tests.py", "cm/tests/unit_tests.py"}}},
		{"doctests nobody asks for are no tests", map[string]string{"pkg/__init__.py": "def f():\n    \"\"\"\n    >>> f()\n    \"\"\"\n"},
			suite{found: "no tests in the distribution" + noConfigNote}},
		{"doctests a pytest configuration does not ask for", map[string]string{"pkg/__init__.py": "def f():\n    \"\"\"\n    >>> f()\n    \"\"\"\n", "setup.cfg": "[tool:pytest]\naddopts = -ra\n"},
			suite{found: "no tests in the distribution" + examplesNote}},
		{"a prompt inside code is no doctest (pycodestyle prints one)", map[string]string{"pycodestyle.py": "def show(line):\n    print(\">>> \" + line)\n", "README.rst": "Run it:: pycodestyle --show-source x.py\n    x >>> y\n"},
			suite{found: "no tests in the distribution"}},
		{"a README's examples nobody asks for (jmespath's give no output)", map[string]string{"pkg/__init__.py": "", "README.rst": ">>> 1 + 1\n"},
			suite{found: "no tests in the distribution" + noConfigNote}},
		{"doctests the project's pytest.ini asks for", map[string]string{"pkg/__init__.py": "def f():\n    \"\"\"\n    >>> f()\n    \"\"\"\n",
			"pytest.ini": "[pytest]\naddopts = -ra --doctest-modules\ndoctest_optionflags = ELLIPSIS\n", "setup.cfg": "[tool:pytest]\n", "README.rst": ">>> 1 + 1\n2\n"},
			suite{kind: suiteDoctest, doctestModules: true, found: "doctests in the modules, as its pytest configuration asks", config: "pytest.ini"}},
		{"a README that pyproject.toml's addopts names with --doctest-glob, modules not asked for", map[string]string{"pkg/__init__.py": "def f():\n    \"\"\"\n    >>> f()\n    \"\"\"\n",
			"pyproject.toml": "[tool.pytest.ini_options]\naddopts = [\"--doctest-glob\", \"*.rst\"]\n", "README.rst": ">>> 1 + 1\n2\n", "NOTES.txt": ">>> 1\n1\n"},
			suite{kind: suiteDoctest, doctestFiles: []string{"README.rst"}, found: "doctests in README.rst, as its pytest configuration asks", config: "pyproject.toml"}},
		{"doctests tox.ini's pytest command asks for, with pytest's section in setup.cfg", map[string]string{"pkg/__init__.py": "def f():\n    \"\"\"\n    >>> f()\n    \"\"\"\n",
			"tox.ini": "[tox]\nenvlist = py311\n[testenv]\ncommands = pytest --doctest-modules {posargs}\n", "setup.cfg": "[metadata]\nname = x\n[tool:pytest]\ndoctest_optionflags = ELLIPSIS\n"},
			suite{kind: suiteDoctest, doctestModules: true, found: "doctests in the modules, as its pytest configuration asks", config: "setup.cfg", tox: toxPytest{args: []string{"--doctest-modules"}}}},
		{"testpaths leaves out a package's own tests.py (Jinja's template tests)",
			map[string]string{"src/jinja2/tests.py": "def test_odd(value):\n    return value % 2 == 1\n", "tests/test_api.py": pytestFile, "examples/test.py": "",
				"setup.cfg": "[tool:pytest]\ntestpaths = tests\nfilterwarnings =\n    error\n"},
			suite{kind: suitePytest, files: []string{"tests/test_api.py"}, found: "1 test file (tests/test_api.py)", modules: []string{"examples/test.py", "jinja2/tests.py"}}},
		{"testpaths as globs and a list, in pyproject.toml",
			map[string]string{"src/pkg/tests.py": pytestFile, "src/pkg/sub/tests/test_a.py": pytestFile, "testing/test_b.py": pytestFile, "other/test_c.py": pytestFile,
				"pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = [\"src/*/sub\", \"./testing\"]\n"},
			suite{kind: suitePytest, files: []string{"src/pkg/sub/tests/test_a.py", "testing/test_b.py"}, found: "2 test files (src/pkg/sub/tests/test_a.py, testing/test_b.py)",
				modules: []string{"other/test_c.py", "pkg/tests.py"}}},
		{"tox's pytest command names where pytest collects, when every test file lies there (hyperlink's docs/conf.py is not collected)",
			map[string]string{"src/hyperlink/__init__.py": "", "src/hyperlink/test/test_url.py": pytestFile, "docs/conf.py": "import sphinx\n",
				"tox.ini": "[default]\nsetenv = PY_MODULE=hyperlink\n[testenv]\nsetenv = {[default]setenv}\ncommands = pytest --doctest-modules {posargs:src/{env:PY_MODULE}}\n"},
			suite{kind: suitePytest, files: []string{"src/hyperlink/test/test_url.py"}, found: "1 test file (src/hyperlink/test/test_url.py)",
				tox: toxPytest{args: []string{"--doctest-modules"}, paths: []string{"src/hyperlink"}, alone: true}}},
		{"tox's pytest command, the only one that runs tests, naming a part of the test files: the rest is not the suite (pyparsing's examples/)",
			map[string]string{"tests/test_unit.py": pytestFile, "examples/test_bibparse.py": pytestFile, "pyparsing/__init__.py": "",
				"tox.ini": "[testenv]\ncommands=\n    pytest tests\n\n[testenv:mypy-test]\ncommands = mypy tests/mypy-ignore-cases\n"},
			suite{kind: suitePytest, files: []string{"tests/test_unit.py"}, found: "1 test file (tests/test_unit.py)", tox: toxPytest{paths: []string{"tests"}, alone: true},
				modules: []string{"examples/test_bibparse.py"}}},
		{"tox's pytest command naming a part of the test files: other commands run the rest (pyfakefs)",
			map[string]string{"pyfakefs/__init__.py": "", "pyfakefs/tests/fake_os_test.py": unittestFile, "pyfakefs/pytest_tests/pytest_plugin_test.py": pytestFile,
				"tox.ini": "[testenv]\ncommands=\n    python -m pyfakefs.tests.all_tests\n    python -m pytest pyfakefs/pytest_tests/pytest_plugin_test.py\n"},
			suite{kind: suitePytest, files: []string{"pyfakefs/pytest_tests/pytest_plugin_test.py", "pyfakefs/tests/fake_os_test.py"},
				found: "2 test files (pyfakefs/pytest_tests/pytest_plugin_test.py, pyfakefs/tests/fake_os_test.py)"}},
		{"unittest modules naming their tests in load_tests() beside pytest modules, with no pytest configuration (pyfakefs 5.2.2's sdist)",
			map[string]string{"pyfakefs/__init__.py": "", "pyfakefs/tests/example_test.py": unittestFile + "\ndef load_tests(loader, tests, ignore):\n    return tests\n",
				"pyfakefs/pytest_tests/pytest_plugin_test.py": "import pytest\n\n" + pytestFile},
			suite{kind: suitePytest, files: []string{"pyfakefs/pytest_tests/pytest_plugin_test.py", "pyfakefs/tests/example_test.py"},
				found: "2 test files (pyfakefs/pytest_tests/pytest_plugin_test.py, pyfakefs/tests/example_test.py)", unittestModules: true}},
		{"the same, with tox running the unittest modules and pytest on the others",
			map[string]string{"pyfakefs/__init__.py": "", "pyfakefs/tests/example_test.py": unittestFile + "\ndef load_tests(loader, tests, ignore):\n    return tests\n",
				"pyfakefs/pytest_tests/pytest_plugin_test.py": "import pytest\n\n" + pytestFile,
				"tox.ini": "[testenv]\ncommands=\n    python -m pyfakefs.tests.all_tests\n    python -m pytest pyfakefs/pytest_tests/pytest_plugin_test.py\n"},
			suite{kind: suitePytest, files: []string{"pyfakefs/pytest_tests/pytest_plugin_test.py", "pyfakefs/tests/example_test.py"},
				found: "2 test files (pyfakefs/pytest_tests/pytest_plugin_test.py, pyfakefs/tests/example_test.py)", unittestModules: true}},
		{"a load_tests() beside pytest modules the project's pytest configuration runs: pytest's way",
			map[string]string{"tests/example_test.py": unittestFile + "\ndef load_tests(loader, tests, ignore):\n    return tests\n",
				"tests/plugin_test.py": "import pytest\n\n" + pytestFile, "setup.cfg": "[tool:pytest]\naddopts = -q\n"},
			suite{kind: suitePytest, files: []string{"tests/example_test.py", "tests/plugin_test.py"},
				found: "2 test files (tests/example_test.py, tests/plugin_test.py)"}},
		{"tox's pytest paths win over the configuration's testpaths, as on pytest's command line (cssselect's tox adds docs/)",
			map[string]string{"tests/test_a.py": pytestFile, "cssselect/__init__.py": "", "docs/conftest.py": "import sybil\n", "setup.cfg": "[tool:pytest]\ntestpaths = tests\n",
				"tox.ini": "[testenv]\ncommands =\n    pytest --cov=cssselect \\\n        --verbose {posargs: cssselect tests docs}\n"},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)", tox: toxPytest{paths: []string{"cssselect", "tests", "docs"}, alone: true}}},
		{"tox's pytest paths outside the testpaths: the files there are the suite",
			map[string]string{"tests/test_a.py": pytestFile, "tests/integration/test_b.py": pytestFile, "setup.cfg": "[tool:pytest]\ntestpaths = tests\n",
				"tox.ini": "[testenv]\ncommands = pytest tests/test_a.py\n"},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)", tox: toxPytest{paths: []string{"tests/test_a.py"}, alone: true}}},
		{"beside tox's other test commands, the configuration's testpaths stay",
			map[string]string{"tests/test_a.py": pytestFile, "docs/test_d.py": pytestFile, "setup.cfg": "[tool:pytest]\ntestpaths = tests\n",
				"tox.ini": "[testenv]\ncommands =\n    pytest docs\n    python -m unittest discover tests\n"},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)", modules: []string{"docs/test_d.py"}}},
		{"tox's pytest command naming no test file found: pytest collects as configured",
			map[string]string{"tests/test_a.py": pytestFile, "src/pkg/__init__.py": "", "tox.ini": "[testenv]\ncommands = pytest src\n"},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)", tox: toxPytest{alone: true}}},
		{"testpaths naming no test file found: pytest falls back to its directory",
			map[string]string{"tests.py": pytestFile, "pytest.ini": "[pytest]\ntestpaths = t\n"},
			suite{kind: suitePytest, files: []string{"tests.py"}, found: "1 test file (tests.py)", pythonFiles: "test_*.py *_test.py test.py tests.py"}},
		{"pytest's own default glob, test*.txt, in docs/", map[string]string{"pkg/__init__.py": "", "docs/test_usage.txt": ">>> 1 + 1\n2\n"},
			suite{kind: suiteDoctest, doctestFiles: []string{"docs/test_usage.txt"}, found: "doctests in docs/test_usage.txt, as its pytest configuration asks"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if diff := cmp.Diff(tc.want, discover(root), cmp.AllowUnexported(suite{}, toxPytest{})); diff != "" {
				t.Errorf("discover (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSourceRepository: the repository a "no tests in the sdist" note points to.
func TestSourceRepository(t *testing.T) {
	tests := []struct {
		name string
		urls map[string]string
		want string
	}{
		{"a Source label wins over a changelog that sorts first",
			map[string]string{"Changelog": "https://github.com/o/r/blob/master/CHANGELOG.md", "Source Code": "https://git.example.org/o/r"}, "https://git.example.org/o/r"},
		{"a changelog on a forge gives the repository's root",
			map[string]string{"Changelog": "https://github.com/o/r/blob/master/CHANGELOG.md", "Homepage": "https://r.example.org"}, "https://github.com/o/r"},
		{"a .git suffix and a self-hosted gitlab",
			map[string]string{"Homepage": "https://gitlab.example.com/group/proj.git"}, "https://gitlab.example.com/group/proj"},
		{"Bug Reports and Resources are no repository",
			map[string]string{"Bug Reports": "https://bugs.example.org/", "Resources": "https://r.example.org/res"}, ""},
		{"a forge's front page is no repository",
			map[string]string{"Homepage": "https://github.com/"}, ""},
		{"none", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, sourceRepository(tc.urls)); diff != "" {
				t.Errorf("sourceRepository (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRepositoryURL: the repository named among the Project-URLs, else by the Home-page alone
// (ciso8601 2.3.1's setup.py gives only url=).
func TestRepositoryURL(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    *report.Metadata
		want string
	}{
		{"Project-URLs first", &report.Metadata{HomePage: "https://github.com/o/old", ProjectURLs: map[string]string{"Source": "https://github.com/o/new"}}, "https://github.com/o/new"},
		{"the Home-page alone", &report.Metadata{HomePage: "https://github.com/closeio/ciso8601"}, "https://github.com/closeio/ciso8601"},
		{"a Home-page off the forges", &report.Metadata{HomePage: "https://example.org/"}, ""},
		{"no metadata", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, repositoryURL(tc.m)); diff != "" {
				t.Errorf("repositoryURL (-want +got):\n%s", diff)
			}
		})
	}
}

// TestInternalErrorIn: the module of another distribution in which pytest's internal error was
// raised, when the innermost frame lies in one; not pytest's, the tree's or the package's own.
func TestInternalErrorIn(t *testing.T) {
	const site = "/run/pyti-test-env/local/lib/python3.11/dist-packages/"
	frame := func(file string) string {
		return "INTERNALERROR>   File \"" + file + "\", line 1, in f\nINTERNALERROR>     x()\n"
	}
	for _, tc := range []struct {
		name, out string
		own       []string
		want      string
	}{
		{"a plugin's pytest_configure (jsonpickle's pytest-benchmark 3.2.2)",
			frame(site+"_pytest/config/__init__.py") + frame(site+"pytest_benchmark/plugin.py") + frame(site+"pytest_benchmark/logger.py") +
				"INTERNALERROR> AttributeError: module 'py' has no attribute 'io'\n", nil, "pytest_benchmark"},
		{"a single-module plugin", frame(site+"pluggy/_callers.py") + frame(site+"pytest_old.py") + "INTERNALERROR> TypeError: x\n", nil, "pytest_old"},
		{"pytest's own", frame(site+"_pytest/main.py") + "INTERNALERROR> KeyError: x\n", nil, ""},
		{"the tree's conftest.py", frame(site+"_pytest/main.py") + frame("/work/pyti/sdist-tree/tests/conftest.py") + "INTERNALERROR> E\n", nil, ""},
		{"the package's own plugin", frame(site+"pytest_foo/plugin.py") + "INTERNALERROR> E\n", []string{"pytest_foo"}, ""},
		{"no internal error", "collected 3 items\n", nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, internalErrorIn(tc.out, tc.own)); d != "" {
				t.Errorf("module (-want +got):\n%s", d)
			}
		})
	}
}

// TestPytestStopped: why pytest ended a run on its own, from its exit code and output.
func TestPytestStopped(t *testing.T) {
	internal := `============================= test session starts ==============================
collected 2100 items / 5 errors
INTERNALERROR> Traceback (most recent call last):
INTERNALERROR>   File "/run/pyti-test-env/local/lib/python3.11/dist-packages/_pytest/main.py", line 270, in wrap_session
INTERNALERROR>     session.exitstatus = doit(config, session) or 0
INTERNALERROR>                          ^^^^^^^^^^^^^^^^^^^^^^
INTERNALERROR>   File "/work/pyti/sdist-tree/tests/conftest.py", line 20, in pytest_collection_modifyitems
INTERNALERROR>     item.add_marker(pytest.mark.no_cover)
INTERNALERROR>   File "/run/pyti-test-env/local/lib/python3.11/dist-packages/_pytest/mark/structures.py", line 544, in __getattr__
INTERNALERROR>     warnings.warn(
INTERNALERROR> pytest.PytestUnknownMarkWarning: Unknown pytest.mark.no_cover - is this a typo?
============================== 5 errors in 5.54s ===============================
`
	tests := []struct {
		name   string
		exited bool
		code   int
		out    string
		want   string
	}{
		{"an internal error names the project's frame and the error", true, 3, internal,
			"pytest stopped with an internal error: tests/conftest.py:20: pytest.PytestUnknownMarkWarning: Unknown pytest.mark.no_cover - is this a typo?"},
		{"a usage error", true, 4, "ERROR: usage: pytest [options] [file_or_dir]\nERROR: unrecognized arguments: --cov=pkg\n",
			"pytest refused its command line or configuration: ERROR: unrecognized arguments: --cov=pkg"},
		// Werkzeug 2.2.3 without pytest-xprocess.
		{"a conftest.py that could not be imported", true, 4, "ImportError while loading conftest '/work/pyti/sdist-tree/tests/conftest.py'.\n" +
			"tests/conftest.py:15: in <module>\n    from xprocess import ProcessStarter\nE   ModuleNotFoundError: No module named 'xprocess'\n",
			"pytest stopped: tests/conftest.py could not be loaded: ModuleNotFoundError: No module named 'xprocess'"},
		{"interrupted", true, 2, "!!!!!!!!!!!!!!!!!!! _pytest.outcomes.Exit: stop here !!!!!!!!!!!!!!!!!!!\n", "pytest was interrupted: _pytest.outcomes.Exit: stop here"},
		{"failing tests are no stop", true, 1, "1 failed\n", ""},
		{"no tests collected is no stop", true, 5, "no tests ran\n", ""},
		{"killed by the sandbox", false, 3, internal, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, pytestStopped(tc.exited, tc.code, tc.out)); diff != "" {
				t.Errorf("pytestStopped (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConftestFailure: the conftest.py whose import stopped pytest before any test, and why.
func TestConftestFailure(t *testing.T) {
	tests := []struct {
		name, output, want string
	}{
		{"a test dependency the conftest imports (marshmallow's simplejson)",
			"ImportError while loading conftest '/work/pyti/sdist-tree/tests/conftest.py'.\ntests/conftest.py:4: in <module>\n    from tests.base import User\n" +
				"tests/base.py:7: in <module>\n    import simplejson\nE   ModuleNotFoundError: No module named 'simplejson'\n",
			"tests/conftest.py could not be loaded: ModuleNotFoundError: No module named 'simplejson'"},
		{"the last error line of the first block", "ImportError while loading conftest '/x/conftest.py'.\nE   ImportError: a\nE   b\n\nother\nE   c\n",
			"/x/conftest.py could not be loaded: b"},
		{"a plugin a conftest.py names in pytest_plugins (sphinxcontrib-serializinghtml's sphinx.testing.fixtures)",
			"Traceback (most recent call last):\n  File \"/work/venv/lib/python3.11/site-packages/_pytest/config/__init__.py\", line 603, in _getconftestmodules\n" +
				"    mod = self._importconftest(conftestpath, importmode, rootpath)\n  File \"/work/venv/lib/python3.11/site-packages/_pytest/config/__init__.py\", line 651, in _importconftest\n" +
				"    self.consider_conftest(mod)\n  File \"/work/venv/lib/python3.11/site-packages/docutils/parsers/rst/states.py\", line 119, in <module>\n    import roman\n" +
				"ImportError: Error importing plugin \"sphinx.testing.fixtures\": No module named 'roman'\n" +
				"/work/venv/lib/python3.11/site-packages/coverage/control.py:801: CoverageWarning: No data was collected. (no-data-collected)\n",
			"a conftest.py could not be loaded: ImportError: Error importing plugin \"sphinx.testing.fixtures\": No module named 'roman'"},
		{"no conftest failure", "ERROR: usage: pytest [options]\n", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, conftestFailure(tt.output)); d != "" {
				t.Errorf("conftestFailure (-want +got):\n%s", d)
			}
		})
	}
}

// TestDjangoSettings: the settings module a Django application's own test runner uses, from the
// places that runner takes it, when the tree has that module.
func TestDjangoSettings(t *testing.T) {
	const settings = "SECRET_KEY = 'x'\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"runtests.py sets it before Django's test command (django-filter)",
			map[string]string{"runtests.py": "import os\n\ndef runtests():\n    os.environ.setdefault(\"DJANGO_SETTINGS_MODULE\", \"tests.settings\")\n", "tests/settings.py": settings},
			"tests.settings"},
		{"manage.py assigns it, a settings package",
			map[string]string{"manage.py": "os.environ['DJANGO_SETTINGS_MODULE'] = 'example.settings'\n", "example/settings/__init__.py": settings},
			"example.settings"},
		{"tox.ini's setenv", map[string]string{"tox.ini": "[testenv]\nsetenv =\n    PYTHONDONTWRITEBYTECODE=1\n    DJANGO_SETTINGS_MODULE = tests.test_settings\n", "tests/test_settings.py": settings},
			"tests.test_settings"},
		{"tox's command gives Django's option (django-taggit)", map[string]string{"tox.ini": "[testenv]\ncommands =\n    coverage run -m django test --settings=tests.settings {posargs}\n", "tests/settings.py": settings},
			"tests.settings"},
		{"pytest-django's option in the pytest configuration", map[string]string{"pytest.ini": "[pytest]\nDJANGO_SETTINGS_MODULE = proj.settings\n", "proj/settings.py": settings},
			"proj.settings"},
		{"a module the tree does not have (settings.configure() in runtests.py)",
			map[string]string{"runtests.py": "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'tests.settings')\nsettings.configure(DEBUG=True)\n"}, ""},
		{"no Django", map[string]string{"setup.py": "from setuptools import setup\n", "tests/test_a.py": "def test_a():\n    pass\n"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if got := djangoSettings(root); got != tc.want {
				t.Errorf("djangoSettings = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestDiscoveryStart: where `python -m unittest ...` or `nose2 ...` starts its discovery, from the
// words after "unittest" or "nose2".
func TestDiscoveryStart(t *testing.T) {
	for _, tc := range []struct {
		args string
		o    runnerOptions
		want string
	}{
		{"", unittestOptions, "."},
		{"{posargs}", unittestOptions, "."},
		{"-v", unittestOptions, "."},
		{"discover", unittestOptions, "."},
		{"discover tests", unittestOptions, "tests"},
		{"discover -s src/tests -t . -p test_*.py", unittestOptions, "src/tests"},
		{"discover --start-directory=./tests", unittestOptions, "tests"},
		{"discover {toxinidir}/tests", unittestOptions, "tests"},
		{"discover ../elsewhere", unittestOptions, ""},
		{"tests.test_api", unittestOptions, ""},
		{"-v tests/test_api.py", unittestOptions, ""},
		{"-v --pretty-assert {posargs}", nose2Options, "."},
		{"-c unittest.cfg -s src", nose2Options, "src"},
		{"--start-dir=tests -v", nose2Options, "tests"},
		{"-t . --log-level DEBUG", nose2Options, "."},
		{"tests.test_api", nose2Options, ""},
	} {
		if got := discoveryStart(strings.Fields(tc.args), tc.o); got != tc.want {
			t.Errorf("discoveryStart(%q, %s) = %q, want %q", tc.args, tc.o.start, got, tc.want)
		}
	}
}

// TestOtherSuiteCommand: a test command that runs another kind of suite beside pytest is found,
// as written (python-docx 0.8.11's tox runs behave over its features).
func TestOtherSuiteCommand(t *testing.T) {
	for _, tc := range []struct {
		name, tox, want string
	}{
		{"behave beside pytest", "[testenv]\ncommands =\n    py.test -qx\n    behave --format progress --stop --tags=-wip\n", "behave --format progress --stop --tags=-wip"},
		{"robot as a module", "[testenv]\ncommands = python -m robot atest\n", "python -m robot atest"},
		{"Sphinx's doctest builder (zope.deferredimport 4.4), on tox's factors", "[testenv]\ncommands =\n    zope-testrunner --test-path=src []\n    !py27-!pypy: sphinx-build -b doctest -d {envdir}/.cache/doctrees docs {envdir}/.cache/doctest\n",
			"sphinx-build -b doctest -d {envdir}/.cache/doctrees docs {envdir}/.cache/doctest"},
		{"Sphinx's doctest builder as a module", "[testenv]\ncommands = python -m sphinx -M doctest docs build\n", "python -m sphinx -M doctest docs build"},
		{"Sphinx building HTML", "[testenv]\ncommands = sphinx-build -b html docs build\n", ""},
		{"Python's doctest over a document (natsort 8.3.1)", "[testenv]\ncommands =\n    {envpython} -m doctest -o IGNORE_EXCEPTION_DETAIL docs/howitworks.rst\n    pytest tests\n",
			"{envpython} -m doctest -o IGNORE_EXCEPTION_DETAIL docs/howitworks.rst"},
		{"pytest alone", "[testenv]\ncommands = pytest tests\n", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, map[string]string{"tox.ini": tc.tox})
			if d := cmp.Diff(tc.want, otherSuiteCommand(root)); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestMissingTestpaths: the testpaths the sdist does not hold, as iniconfig 2.0.0's testing/.
func TestMissingTestpaths(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"iniconfig 2.0.0: pyproject.toml's testing, not shipped", map[string]string{
			"pyproject.toml": "[tool.pytest.ini_options]\ntestpaths = \"testing\"\n", "src/iniconfig/__init__.py": ""}, []string{"testing"}},
		{"one of two shipped, a glob left alone", map[string]string{
			"setup.cfg": "[tool:pytest]\ntestpaths = tests ./docs src/*/tests\n", "tests/test_a.py": ""}, []string{"docs"}},
		{"all shipped", map[string]string{"pytest.ini": "[pytest]\ntestpaths = tests\n", "tests/test_a.py": ""}, nil},
		{"no testpaths", map[string]string{"pytest.ini": "[pytest]\naddopts = -q\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if d := cmp.Diff(tc.want, missingTestpaths(root)); d != "" {
				t.Error(d)
			}
		})
	}
}
