"""PYTI's pytest plugin: one JSON line per test phase report and one for the session summary.

Loaded with `-p pyti_pytest` from a directory that holds only this file, so it adds nothing else to
the environment under test. The output file is named by PYTI_PYTEST_REPORT. Text fields are capped
so a test that prints gigabytes cannot flood the report.

It also puts the test tree first on the path of namespace packages that were set up before pytest
started (PYTI_NAMESPACE_PORTIONS), see _tree_portions_first, accepts pytest-cov's options when
pytest-cov is not installed, see pytest_load_initial_conftests, sets Django up as the project's own
test runner does, see _django_setup, names the missing module behind
a NameError that a guarded import left, see _guarded_missing, names the hosts outside the
machine that a failed test looked up or connected to, see _audit, and, for a unittest suite, takes a
module's tests from its load_tests(), test_suite() or suite() as unittest's runners do, see _SuiteModule, and
leaves out the functions pytest would collect that no runner of the project's runs: one that runs
its module's tests with unittest.main(), see _unittest_runner, and, in a unittest suite, one in a
module that only unittest's discovery pattern names, see _unittest_only. It imports an installed
module whose doctests it collects by the module's name, see _import_installed.
"""
import ast
import contextlib
import fnmatch
import importlib.util
import inspect
import json
import os
import re
import signal
import socket
import sys
import textwrap
import threading
import time
import unittest
import warnings

import pytest

_CAP = 8192
_out = None


def _cap(text):
    if text is None:
        return None
    text = str(text)
    if len(text) <= _CAP:
        return text
    half = _CAP // 2
    return text[:half] + "\n[... %d characters dropped by PYTI ...]\n" % (len(text) - _CAP) + text[-half:]


def _emit(record):
    global _out
    if _out is None:
        path = os.environ.get("PYTI_PYTEST_REPORT")
        if not path:
            return
        _out = open(path, "a", encoding="utf-8")
    _out.write(json.dumps(record) + "\n")
    _out.flush()


def _tree_portions_first():
    """Put the test tree's portions of the distribution's namespace packages first on their path.

    PYTI lays the installed files over the package's copies in the test tree, and pytest imports
    the tests (and, through them, the package) from the tree. A pkg_resources-style namespace
    package installed from a wheel is set up at interpreter start by setuptools' -nspkg.pth, with
    site-packages alone on its __path__: the tree's portion (src/zope/ for zope.interface) is then
    never searched, and each test inside the package is a second copy of a module already imported
    from site-packages ("import file mismatch"). PYTI_NAMESPACE_PORTIONS maps each parent package
    of the distribution's modules to its directories in the tree; only a namespace module already
    imported (made by a .pth, before any test code ran: no __file__, or a namespace stub's) is
    changed. Runs when pytest
    loads the plugin (-p), before any conftest.py.
    """
    spec = os.environ.get("PYTI_NAMESPACE_PORTIONS")
    if not spec:
        return
    try:
        portions = json.loads(spec)
    except ValueError:
        return
    for name in sorted(portions):
        mod = sys.modules.get(name)
        if mod is None or not hasattr(mod, "__path__"):
            continue
        path = getattr(mod, "__file__", None)
        if path is not None and not _namespace_stub(path):
            continue
        first = [d for d in portions[name] if os.path.isdir(d)]
        rest = [p for p in list(mod.__path__) if p not in first]
        if first:
            mod.__path__ = first + rest


def _namespace_stub(path):
    """Whether the __init__.py at path only declares a namespace package (pkg_resources'
    declare_namespace, pkgutil's extend_path), as some wheels install one beside setuptools'
    -nspkg.pth (Debian's zope.interface ships zope/__init__.py so): the module the .pth made then
    has that file, and is a namespace package all the same."""
    try:
        if os.path.getsize(path) > 4096:
            return False
        with open(path, encoding="utf-8", errors="replace") as fh:
            text = fh.read()
    except OSError:
        return False
    return "declare_namespace" in text or "extend_path" in text


_tree_portions_first()


def _scripts_last():
    """Put the test environment's bin/ last on sys.path, as a project's `pytest` command has it
    (first there: the console script's own directory). PYTI runs pytest with `python -m`, from the
    test tree; a script the package installs as a module file is then importable only this way
    (portpicker 1.5.2's tests import portserver, its scripts = src/portserver.py). Last, so that
    nothing installed or in the tree is shadowed. Runs when pytest loads the plugin, before any
    conftest.py."""
    venv = os.environ.get("VIRTUAL_ENV")
    if venv:
        scripts = os.path.join(venv, "bin")
        if os.path.isdir(scripts) and scripts not in sys.path:
            sys.path.append(scripts)


_scripts_last()


# The hosts outside the machine the current test (or collection) looked up or connected to, in
# order, at most _NET_MAX: a failed test that reached out failed for want of the network (the
# sandbox has none; its resolver answers with a sinkhole that never forwards), whatever its
# assertion says. Python's audit events see every lookup and connect of the test's own process.
_net = []
_NET_MAX = 5
# The addresses on this machine the current test (or collection) connected or sent to: a failure
# that reached only them (a local server of its own that is not running) is not for want of the
# network, which the sandbox's loopback would not give it either.
_loopback = []
_NET_EVENTS = {"socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex", "socket.connect",
               "socket.sendto"}
try:
    _HOSTNAME = socket.gethostname().lower()
except OSError:
    _HOSTNAME = ""


def _outside(host):
    """Whether host (a name or an address) is another machine's: not loopback, not this one."""
    if isinstance(host, (bytes, bytearray)):
        host = bytes(host).decode("ascii", "replace")
    if not isinstance(host, str) or not host:
        return False
    h = host.lower().rstrip(".")
    if h.startswith("::ffff:"):
        h = h[len("::ffff:"):]
    return not (h in ("localhost", "0.0.0.0", "::", "::1", "<broadcast>", "<any>", _HOSTNAME) or
                h.endswith(".localhost") or h.startswith("127."))


def _audit(event, args):
    if event not in _NET_EVENTS or len(_net) >= _NET_MAX:
        return
    try:
        if event in ("socket.connect", "socket.sendto"):
            address = args[1]
            host = address[0] if isinstance(address, tuple) and address else None
        else:
            host = args[0]
        if _outside(host):
            if isinstance(host, (bytes, bytearray)):
                host = bytes(host).decode("ascii", "replace")
            if host not in _net:
                _net.append(host)
        elif event in ("socket.connect", "socket.sendto") and isinstance(host, str) and host \
                and len(_loopback) < _NET_MAX:
            where = "%s:%s" % (host, address[1]) if len(address) > 1 else host
            if where not in _loopback:
                _loopback.append(where)
    except Exception:  # an audit hook must never break the code it watches
        pass


sys.addaudithook(_audit)


# When the current test (or collection) started, by the wall clock: a failure's report gives its
# span, in which the network use of the processes it started, which no audit hook of this one
# sees (gpg's dirmngr, git, curl), is found in the sandbox's trace and resolver log.
# The clock is held in a tuple: freezegun replaces time.time wherever a module holds it as one of
# its names.
_started = [0.0]
_clock = (time.time,)


def pytest_runtest_logstart(nodeid, location):
    del _net[:]
    del _loopback[:]
    _started[0] = _clock[0]()


def pytest_collectstart(collector):
    del _net[:]
    del _loopback[:]
    _started[0] = _clock[0]()


def _cov_registered(pluginmanager):
    # pytest-cov registers itself (its pytest11 entry point) as "pytest_cov", before the hook below.
    return pluginmanager.hasplugin("pytest_cov")


def pytest_load_initial_conftests(early_config, parser, args):
    """Accept pytest-cov's options, and ignore them, when pytest-cov is not there.

    Many projects put --cov=PKG in their pytest configuration's addopts. PYTI measures coverage
    itself, with coverage.py around pytest; when pytest-cov could not be installed (not on the
    index), pytest would stop at "unrecognized arguments: --cov" and no test would run, though
    none of them needs pytest-cov. pytest's plugins from entry points are loaded by now, and the
    command line is not yet checked. The options are declared as pytest-cov declares them.
    """
    # Before the conftest.py files load (pytest loads them last in this hook): they may import
    # the application's models.
    _django_setup(early_config)
    if _cov_registered(early_config.pluginmanager):
        return
    group = parser.getgroup("cov", "coverage reporting: pytest-cov is not installed, PYTI measures coverage itself "
                            "and ignores these options")

    def add(*names, **kwargs):
        # pytest-cov loaded by the configuration's addopts (`-p pytest_cov`, frozenlist's) declared
        # its options before PYTI's -p no:pytest_cov unregistered it: they are there already.
        try:
            group.addoption(*names, **kwargs)
        except ValueError:
            pass

    add("--cov", action="append", default=[], metavar="SOURCE", nargs="?", const=True, dest="cov_source")
    add("--cov-report", action="append", default=[], metavar="TYPE", dest="cov_report")
    add("--cov-config", action="store", default=".coveragerc", metavar="PATH", dest="cov_config")
    add("--no-cov-on-fail", action="store_true", default=False, dest="no_cov_on_fail")
    add("--no-cov", action="store_true", default=False, dest="no_cov")
    add("--cov-fail-under", action="store", metavar="MIN", dest="cov_fail_under")
    add("--cov-append", action="store_true", default=False, dest="cov_append")
    add("--cov-branch", action="store_true", default=None, dest="cov_branch")
    add("--cov-precision", action="store", metavar="N", dest="cov_precision")
    add("--cov-context", action="store", metavar="CONTEXT", dest="cov_context")


def _installed_name(path):
    """The dotted name Python imports the file path by: its path below the longest sys.path entry
    that holds it, or None when there is none or it is no importable name."""
    p = os.path.abspath(str(path))
    best = None
    for entry in sys.path:
        e = os.path.abspath(entry or os.getcwd())
        if p.startswith(e.rstrip(os.sep) + os.sep) and (best is None or len(e) > len(best)):
            best = e
    if best is None:
        return None
    parts = os.path.splitext(os.path.relpath(p, best))[0].split(os.sep)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    if not parts or not all(x.isidentifier() for x in parts):
        return None
    return ".".join(parts)


def _test_dirs():
    """The names of directories of tests, as PYTI names them (PYTI_TEST_DIRS, comma-separated),
    beside any name ending in _tests (quality.IsTestDir)."""
    return tuple(d for d in os.environ.get("PYTI_TEST_DIRS", "").split(",") if d)


def _installed_namespace_module(name, path, root):
    """Whether the tree's file path is the module name of a namespace package that is installed
    too (a portion of it lies outside the tree root): pytest names the tree's other modules
    right, but one of a namespace package by its base name (the test tree's jaraco/path.py as
    `path`). Test modules are left to pytest: imported by another name too, they would run
    twice."""
    if not name or "." not in name or os.path.exists(os.path.join(os.path.dirname(str(path)), "__init__.py")):
        return False
    parts = name.split(".")
    base = parts[-1]
    if any(p in _test_dirs() or p.endswith("_tests") for p in parts) or base in ("conftest", "test", "tests") \
            or base.startswith("test_") or base.endswith("_test"):
        return False
    try:
        spec = importlib.util.find_spec(parts[0])
    except (ImportError, ValueError):
        return False
    locations = list(getattr(spec, "submodule_search_locations", None) or []) if spec and spec.origin in (None, "namespace") else []
    top = os.path.abspath(str(root)).rstrip(os.sep) + os.sep
    return any(not os.path.abspath(str(d)).startswith(top) for d in locations)


def _import_installed(original):
    """Wraps pytest's import_path for the doctest modules: a module outside pytest's rootdir (PYTI
    collects the doctests of the installed package, with the test tree as rootdir), or one of a
    namespace package, is imported as Python imports it, by its name on sys.path. pytest 7 names
    it otherwise, and coverage.py, measuring the module by name, then recorded nothing for it: in
    importlib mode by its whole path (work.venv.lib.python3.11.site-packages.jaraco.itertools);
    in the default mode a module of a namespace package by its base name, from its directory put
    first on sys.path (jaraco.path 3.5.0's jaraco/path.py as `path`)."""
    def import_path(path, *args, **kwargs):
        root = kwargs.get("root")
        if root is not None:
            inside = os.path.abspath(str(path)).startswith(os.path.abspath(str(root)).rstrip(os.sep) + os.sep)
            name = _installed_name(path)
            if inside and not _installed_namespace_module(name, path, root):
                name = None
            try:
                module = importlib.import_module(name) if name else None
            except ImportError:
                module = None  # another module has that name first on sys.path: pytest's way
            if module is not None and os.path.abspath(getattr(module, "__file__", "") or "") == os.path.abspath(str(path)):
                return module
        return original(path, *args, **kwargs)
    return import_path


# _rootdir is the run's rootdir, which node ids are relative to.
_rootdir = None


def pytest_configure(config):
    global _rootdir
    _rootdir = str(getattr(config, "rootpath", "") or getattr(config, "rootdir", "") or "")
    try:
        import _pytest.doctest
        if getattr(_pytest.doctest, "import_path", None) is not None:
            _pytest.doctest.import_path = _import_installed(_pytest.doctest.import_path)
    except ImportError:
        pass
    if not _cov_registered(config.pluginmanager):
        # pytest-cov's marker, which --strict-markers would refuse.
        config.addinivalue_line("markers", "no_cover: disable coverage for this test (pytest-cov; ignored, not installed)")
        config.pluginmanager.register(_NoCoverFixture(), "pyti-no-cover")


class _NoCoverFixture:
    """pytest-cov's no_cover fixture, for tests that ask for it when pytest-cov is not loaded: it
    pauses pytest-cov's own measurement; PYTI's covers every test alike."""

    @pytest.fixture
    def no_cover(self):
        return None


_NAME_ERROR = re.compile(r"^NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")
_GUARDS = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}


def _catches_import_error(handler):
    t = handler.type
    types = t.elts if isinstance(t, ast.Tuple) else [t]
    return t is None or any(isinstance(e, ast.Name) and e.id in _GUARDS or
                            isinstance(e, ast.Attribute) and e.attr in _GUARDS for e in types)


def _missing(module):
    """The first part of a dotted module name that cannot be found, or None."""
    parts = module.split(".")
    for i in range(1, len(parts) + 1):
        name = ".".join(parts[:i])
        try:
            if importlib.util.find_spec(name) is None:
                return name
        except ImportError:
            return name
        except Exception:  # a package whose import fails otherwise: not a missing module
            return None
    return None


def _bound(stmt):
    """The names a statement of a try block binds."""
    names = set()
    for node in ast.walk(stmt):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add(alias.asname or alias.name.split(".")[0])
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return names


def _guarded_missing(crash):
    """The missing module behind a NameError that a guarded import left.

    A test module that runs without an optional test dependency often guards its import
    (try: import hypothesmith; from hypothesis import settings / except ImportError: ...), then
    uses a name that import would have bound (@settings at its top: mccabe's tests). The NameError
    is then no fault of the code: the dependency is not installed. Python stops a try block at its
    first failing import, so a name bound there or later in the block is the missing module's.
    """
    if crash is None or not getattr(crash, "message", None):
        return None
    m = _NAME_ERROR.match(str(crash.message))
    path = getattr(crash, "path", None)
    if m is None or not path:
        return None
    try:
        with open(str(path), "rb") as f:
            tree = ast.parse(f.read(), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    name = m.group(1)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Try) or not any(_catches_import_error(h) for h in node.handlers):
            continue
        missing = None
        for stmt in node.body:
            if missing is None:
                for imp in ast.walk(stmt):
                    if isinstance(imp, ast.Import):
                        mods = [a.name for a in imp.names]
                    elif isinstance(imp, ast.ImportFrom) and imp.level == 0 and imp.module:
                        mods = [imp.module]
                    else:
                        continue
                    for mod in mods:
                        missing = missing or _missing(mod)
            if missing is not None and name in _bound(stmt):
                return missing
    return None


def pytest_runtest_logreport(report):
    record = {
        "type": "test",
        "nodeid": report.nodeid,
        "when": report.when,
        "outcome": report.outcome,
        "duration": report.duration,
    }
    if hasattr(report, "wasxfail"):
        record["wasxfail"] = _cap(report.wasxfail)
    if report.nodeid in _plugin_items:
        record["plugin"] = _plugin_items[report.nodeid]
    if report.failed or report.skipped:
        record["longrepr"] = _cap(report.longreprtext)
        crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
        if crash is not None:
            record["message"] = _cap(crash.message)
        elif report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
            record["message"] = _cap(str(report.longrepr[2]))  # the reason, not the tuple's repr
        if report.failed:
            record["guarded_missing"] = _guarded_missing(crash)
            if report.nodeid in _unknown_marks:
                record["unknown_marks"] = _unknown_marks[report.nodeid]
            if _net:
                record["network"] = list(_net)
            if _loopback:
                record["loopback"] = list(_loopback)
            record["start"], record["stop"] = _started[0], _clock[0]()
            _django_cause(record)
    _emit(record)


def _defined_tests(path):
    """How many test functions a Python file defines by pytest's default names: test* functions at
    its top, and test* methods of its Test* classes and TestCase subclasses, read with ast. A
    file pytest could not collect is one error in its count, whatever it holds: this says how
    many tests, at the least, did not run (python-dotenv 1.0.0's test_cli.py and test_main.py,
    which import sh, define 97 of its 150)."""
    if not path or not str(path).endswith(".py"):
        return None
    try:
        with open(str(path), "rb") as f:
            tree = ast.parse(f.read(4 << 20))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    funcs = (ast.FunctionDef, ast.AsyncFunctionDef)
    n = 0
    # The file's own test classes, for the classes that derive from them. A base class of another
    # module counts by its name: PyMySQL 1.0.2's test_MySQLdb(capabilities.DatabaseTest), a
    # TestCase, which pytest collects whatever the class's own name.
    cases = set()
    for node in tree.body:
        if isinstance(node, funcs) and node.name.startswith("test"):
            n += 1
        elif isinstance(node, ast.ClassDef):
            bases = [str(getattr(b, "attr", getattr(b, "id", ""))) for b in node.bases]
            if node.name.startswith("Test") or any(b.endswith(("TestCase", "Test", "Tests")) or b in cases for b in bases):
                cases.add(node.name)
                n += sum(1 for b in node.body if isinstance(b, funcs) and b.name.startswith("test"))
    return n


def pytest_collectreport(report):
    # A module skipped whole (pytest.importorskip at its top) is one skipped test in pytest's
    # count, and its reason is the one a reader wants grouped ("could not import 'yaml'").
    if report.failed or report.skipped:
        crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
        record = {
            "type": "collect",
            "nodeid": report.nodeid,
            "outcome": report.outcome,
            "longrepr": _cap(report.longreprtext),
            "message": _cap(crash.message) if crash is not None else None,
            "guarded_missing": _guarded_missing(crash) if report.failed else None,
            "network": list(_net) if report.failed and _net else None,
            "loopback": list(_loopback) if report.failed and _loopback else None,
        }
        if report.failed:
            record["start"], record["stop"] = _started[0], _clock[0]()
            _django_cause(record)
            record["defines"] = _defined_tests(os.path.join(_rootdir or "", report.nodeid.split("::")[0]))
        elif isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
            # (path, line, reason): the reason itself, not the tuple's repr, whose escapes
            # ("\\n") would reach the report.
            record["message"] = _cap(str(report.longrepr[2]))
        _emit(record)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # The same counting as pytest's own closing line ("3 failed, 1 passed, ...").
    counts = {}
    for key, reports in terminalreporter.stats.items():
        if key:
            counts[key] = len([r for r in reports if getattr(r, "count_towards_summary", True)])
    _emit({"type": "summary", "exitstatus": int(exitstatus), "counts": counts})


# A function at a test module's top that runs the module's tests with unittest (regex's and
# CPython's `def test_main(): unittest.main()` or `support.run_unittest(...)`, for `python FILE`)
# is pytest's test by its name alone. unittest.main() parses pytest's command line and exits: a
# failure ("SystemExit: 2") that no runner of the project's sees; run_unittest() runs the module's
# classes a second time. Such a function is left out of the run, and the report says so.
_RUNNER_NAMES = ("main", "run_unittest")


def _unittest_runner(fn):
    """The unittest runner fn calls ("unittest.main()", "run_unittest()"), or None.

    unittest.main(exit=False) returns and may be a test's own subject: it stays a test."""
    code = getattr(fn, "__code__", None)
    scope = getattr(fn, "__globals__", {})
    if code is None or not any(name in _RUNNER_NAMES or scope.get(name) is unittest.main for name in code.co_names):
        return None
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    except (OSError, TypeError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name):
            name, target = func.id, scope.get(func.id)
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            name, target = func.attr, getattr(scope.get(func.value.id), func.attr, None)
        else:
            continue
        if target is unittest.main and not any(k.arg == "exit" for k in node.keywords):
            return "unittest.main()"
        if name == "run_unittest" and callable(target):
            return "run_unittest()"
    return None


def _unittest_only(item):
    """Why a unittest suite's function is no test, or None: a plain function in a module that only
    unittest's discovery pattern (test*.py) collects, not pytest's (test_*.py, *_test.py), is run
    by neither (asn1crypto's dev/tests.py imports the function test_classes); nor is one whose
    arguments no fixture gives, a helper named like a test (jsonschema 4.10.3's
    test_suite_bug(issue), imported into a test module), which pytest could only fail."""
    if not _PROTOCOLS:
        return None
    info = getattr(item, "_fixtureinfo", None)
    params = getattr(getattr(item, "callspec", None), "params", {}) or {}
    if info is not None:
        unfixtured = [a for a in getattr(info, "argnames", ())
                      if a not in info.name2fixturedefs and a not in params and a != "request"]
        if unfixtured:
            return "a function taking %s, which no fixture gives, and unittest runs no function" % ", ".join(unfixtured)
    name = os.path.basename(str(getattr(item, "path", "") or item.fspath))
    if fnmatch.fnmatch(name, "test_*.py") or fnmatch.fnmatch(name, "*_test.py"):
        return None
    return "a function in %s, which only unittest's discovery collects, and unittest runs no function" % name


# The markers of each test that no plugin (nor the configuration) registered, by node id: a test
# marked @pytest.mark.freeze_time whose plugin, pytest-freezegun, is not installed runs without
# what the marker does, and fails for that (urllib3's retry tests).
_unknown_marks = {}

# The nodeids of the items a pytest plugin adds beside the tests (pytest-flake8's, pytest-mypy's,
# pytest-black's: a check of a file, not a test), with the plugin's project.
_plugin_items = {}


def _plugin_dists(config):
    """The top-level modules of the plugins installed distributions registered (pytest11 entry
    points), with the project name of each."""
    out = {}
    for plugin, dist in config.pluginmanager.list_plugin_distinfo():
        top = (getattr(plugin, "__name__", "") or "").split(".", 1)[0]
        name = getattr(dist, "project_name", None)
        if name is None:
            try:
                name = dist.metadata["Name"]
            except Exception:
                name = None
        if top and name:
            out[top] = name
    return out


def _plugin_of(item, dists):
    """The project of the installed pytest plugin whose item this is (a check of a file, such as
    pytest-flake8's), or None for a test: a function or method (unittest's included), a doctest,
    an item of the project's own conftest."""
    if isinstance(item, pytest.Function):
        return None
    return dists.get((type(item).__module__ or "").split(".", 1)[0])


def _registered_marks(config):
    names = set()
    for line in config.getini("markers"):
        name = line.split(":", 1)[0].split("(", 1)[0].strip()
        if name:
            names.add(name)
    return names


def pytest_collection_modifyitems(session, config, items):
    registered = _registered_marks(config)
    dists = _plugin_dists(config)
    kept, left = [], []
    for item in items:
        unknown = sorted({m.name for m in item.iter_markers()} - registered)
        if unknown:
            _unknown_marks[item.nodeid] = unknown
        plugin = _plugin_of(item, dists)
        if plugin is not None:
            _plugin_items[item.nodeid] = plugin
        fn = getattr(item, "obj", None) if isinstance(item, pytest.Function) and getattr(item, "cls", None) is None else None
        why = None
        if inspect.isfunction(fn):
            runner = _unittest_runner(fn)
            why = _unittest_only(item)
            if runner is not None:
                why = "it runs the module's tests with %s, as `python FILE` would: a runner, not a test" % runner
        if why is None:
            kept.append(item)
            continue
        left.append(item)
        _emit({"type": "left_out", "nodeid": item.nodeid, "message": why})
    if left:
        items[:] = kept
        config.hook.pytest_deselected(items=left)


# A test module that calls unittest.main() at its top, not under `if __name__ == "__main__"`, is
# a script, run as `python FILE` from its own directory (ply's `cd test && python testlex.py`):
# unittest.main() then runs the module's TestCase classes. Imported by pytest, it would parse
# pytest's command line and exit ("SystemExit: 2") before any test was collected. Such a module
# is collected with unittest.main() made a no-op, so that pytest finds the classes the script would
# run, and it is imported, and each of its tests runs, in the module's directory, where the script
# expects to find its data (ply's tests read and write the lex_*.py and yacc_*.py beside them).
_SCRIPTS = set()


class _ScriptMain:
    """unittest.main while a script's module is imported: it runs nothing, and returns."""

    result = None

    def __init__(self, *args, **kwargs):
        pass


def _imports_unittest_main(tree):
    names = {"unittest.main"}
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module == "unittest":
            names.update(a.asname or a.name for a in node.names if a.name == "main")
    return names


def _script_call(path):
    """"unittest.main()" when the module at path calls it among its top statements, else None."""
    try:
        with open(str(path), "rb") as f:
            source = f.read()
    except OSError:
        return None
    if b"main(" not in source:
        return None
    try:
        tree = ast.parse(source, str(path))
    except (SyntaxError, ValueError):
        return None
    mains = _imports_unittest_main(tree)
    for node in tree.body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            try:
                name = ast.unparse(node.value.func)
            except Exception:  # an exotic node: no runner of ours
                continue
            if name in mains:
                return "unittest.main()"
    return None


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    path = getattr(collector, "path", None)
    if not isinstance(collector, pytest.Module) or path is None or _script_call(path) is None:
        yield
        return
    if str(path) not in _SCRIPTS:
        _SCRIPTS.add(str(path))
        _emit({"type": "script", "nodeid": collector.nodeid, "message": "unittest.main()"})
    saved, cwd = unittest.main, _getcwd()
    unittest.main = _ScriptMain
    os.chdir(os.path.dirname(str(path)))
    try:
        yield
    finally:
        unittest.main = saved
        if cwd is not None:
            os.chdir(cwd)


def _getcwd():
    """The working directory, or None where a test removed it: nose2's junitxml chdir scenario
    changes into a temporary directory that its tearDown deletes, and os.getcwd() then raises."""
    try:
        return os.getcwd()
    except OSError:
        return None


# A test that hangs (pexpect's test_interrupt waits in a loop for an event a racing child never
# sets) would run until the sandbox's no-output limit ends the whole run, and every test after it
# would be lost. PYTI_TEST_ITEM_TIMEOUT, a little under that limit, bounds each test instead: an
# alarm fails the test that runs longer ("Failed: Timeout >Ns", as pytest-timeout words it), and
# the run goes on. A test the limit would have ended anyway is the only one it touches. Not armed
# when pytest-timeout is configured (it owns the alarm) or when the tests set their own handler.
_ITEM_TIMEOUT = float(os.environ.get("PYTI_TEST_ITEM_TIMEOUT") or 0)


def _timeout_configured(config):
    if not config.pluginmanager.hasplugin("timeout"):
        return False
    try:
        return bool(config.getoption("timeout", None) or config.getini("timeout"))
    except (ValueError, KeyError):
        return False


# When PYTI's timer for the current test was set, by a monotonic clock held out of freezegun's
# reach (see _clock). A test's own signal.alarm() re-arms the same timer (tornado 6.2's
# test_multi_process sets alarm(5) as its own limit, with no handler): its signal is then the
# test's, not PYTI's limit.
_alarm_set = [0.0]
_monotonic = (time.monotonic,)


def _on_alarm(signum, frame):
    elapsed = _monotonic[0]() - _alarm_set[0]
    if elapsed < _ITEM_TIMEOUT * 0.9:
        pytest.fail("SIGALRM after %.1fs: the test's own alarm (signal.alarm) went off, with no handler of its own; "
                    "run alone, the signal would end the process" % elapsed, pytrace=True)
    pytest.fail("Timeout >%.1fs (PYTI's limit for one test, under the run's limit without output)" % _ITEM_TIMEOUT, pytrace=True)


@contextlib.contextmanager
def _item_alarm(item):
    armed = (_ITEM_TIMEOUT > 0 and hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
             and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None) and not _timeout_configured(item.config))
    if armed:
        signal.signal(signal.SIGALRM, _on_alarm)
        _alarm_set[0] = _monotonic[0]()
        signal.setitimer(signal.ITIMER_REAL, _ITEM_TIMEOUT)
    try:
        yield
    finally:
        if armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            if signal.getsignal(signal.SIGALRM) is _on_alarm:
                signal.signal(signal.SIGALRM, signal.SIG_DFL)


# A suite longer than the test step's wall-clock limit would be killed inside a test: coverage.py,
# which saves its data when the process ends, would save none, and pytest would write no summary
# (networkx 2.8.8 and cffi 1.15.1 ran for twenty minutes on a loaded machine and reported no
# coverage at all). PYTI_TEST_DEADLINE, a little before that limit (in seconds since the epoch,
# read on a clock held out of freezegun's reach), stops the run between two tests instead, as -x
# stops it: the tests that ran keep their outcomes, PYTI counts the tests not run, and coverage.py
# saves what they ran.
_DEADLINE = float(os.environ.get("PYTI_TEST_DEADLINE") or 0)
_wall_clock = (time.time,)


def _stop_at_deadline(item, nextitem):
    if _DEADLINE <= 0 or nextitem is None or item.session.shouldstop:
        return
    now = _wall_clock[0]()
    if now >= _DEADLINE:
        item.session.shouldstop = "PYTI's time limit for the test run was reached"
        items = item.session.items
        left = len(items) - items.index(nextitem) if nextitem in items else 0
        _emit({"type": "stopped", "nodeid": nextitem.nodeid, "tests": left, "message": item.session.shouldstop})


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    path = str(getattr(item, "path", "") or "")
    script = path in _SCRIPTS
    cwd = _getcwd() if script else None
    if script:
        os.chdir(os.path.dirname(path))
    try:
        with _item_alarm(item):
            yield
    finally:
        if script and cwd is not None:  # any other test's own chdir stays, as under pytest alone
            os.chdir(cwd)
    _stop_at_deadline(item, nextitem)


# A unittest suite's runners take a test module's tests from the module itself when it says which
# they are: unittest's discovery from its load_tests(loader, tests, pattern) (markdown's leaves out
# a class it imports, isodate's makes hundreds of cases from tables), zope.testrunner and
# `setup.py test` from its test_suite() (zope's add the doctests of the package's modules), and
# `unittest.main(defaultTest='suite')` and runners built on it from its suite() (docutils' 111
# modules each build their cases from a table there, with arguments their classes require). pytest
# does neither: it collects the module's TestCase classes, runs test_suite() as a test, and misses
# every case such a function makes. PYTI sets PYTI_UNITTEST_PROTOCOLS for a suite whose maintainers
# run it with unittest; then such a module's tests are the suite's cases, each run by unittest as
# its runner would (class and module fixtures, zope.testrunner's layers), one pytest item each.
# PYTI sets it to "unittest-modules" for a suite whose unittest modules its maintainers run with
# unittest, beside pytest modules they run with pytest (pyfakefs 5.2.2: `python -m
# pyfakefs.tests.all_tests`, whose example_test.py adds 5 doctests in its load_tests(), and
# pytest over pytest_tests/): then only the modules that do not import pytest are taken so.
_PROTOCOLS = os.environ.get("PYTI_UNITTEST_PROTOCOLS") == "1"
_PROTOCOL_MODULES = _PROTOCOLS or os.environ.get("PYTI_UNITTEST_PROTOCOLS") == "unittest-modules"


def _imports_pytest(tree):
    """Whether a module's syntax tree imports pytest anywhere."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "pytest" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "pytest":
            return True
    return False


def _protocol(path):
    """Which of load_tests, test_suite and suite the module at path defines at its top, else the
    function whose suite its `__main__` block runs (see _main_suite), or None."""
    try:
        with open(str(path), "rb") as f:
            tree = ast.parse(f.read(), str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    if not _PROTOCOLS and _imports_pytest(tree):
        return None
    names = {node.name for node in tree.body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}
    for name in _PROTOCOL_NAMES:
        if name in names:
            return name
    return _main_suite(tree)


# The functions that name a module's tests for unittest's runners, by their names.
_PROTOCOL_NAMES = ("load_tests", "test_suite", "suite")


def _is_main_check(test):
    """Whether an if statement's test is `__name__ == "__main__"`."""
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
            and test.comparators[0].value == "__main__")


def _main_suite(tree):
    """The top-level function, called with no argument, whose result the module's
    `if __name__ == "__main__":` block hands to a runner's run(), or makes the suite it has
    unittest.main() run (defusedxml 0.7.1's tests.py:
    `suite = test_main()`, then `unittest.TextTestRunner(verbosity=1).run(suite)`, its suite
    leaving out an abstract base class, and lxml's tests when lxml is not there), or None. Only a
    function that returns a value: one that runs the tests itself (test_main() calling
    run_unittest()) is a runner, not a suite."""
    returning = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(isinstance(n, ast.Return) and n.value is not None for n in ast.walk(node)):
            returning.add(node.name)

    def suite_call(node):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in returning
                and not node.args and not node.keywords):
            return node.func.id
        return None

    for node in tree.body:
        if not (isinstance(node, ast.If) and _is_main_check(node.test)):
            continue
        assigned = {}
        for n in ast.walk(node):
            if isinstance(n, ast.Assign) and suite_call(n.value):
                for target in n.targets:
                    if isinstance(target, ast.Name):
                        assigned[target.id] = suite_call(n.value)
        for n in ast.walk(node):
            if not (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and n.func.attr == "run" and len(n.args) == 1):
                continue
            arg = n.args[0]
            if suite_call(arg):
                return suite_call(arg)
            if isinstance(arg, ast.Name) and arg.id in assigned:
                return assigned[arg.id]
        # unittest.main(defaultTest='suite') over a suite the block itself defines from one such
        # function (pycryptodome 3.18.0's modules: `suite = lambda: unittest.TestSuite(get_tests())`,
        # get_tests() leaving out its base classes and the tests of test vectors it lacks).
        defaults = [k for n in ast.walk(node) if isinstance(n, ast.Call) and _called_name(n.func) == "main"
                    for k in n.keywords if k.arg == "defaultTest"]
        inner = {c for n in ast.walk(node) if isinstance(n, (ast.Lambda, ast.FunctionDef))
                 for c in (suite_call(m) for m in ast.walk(n)) if c}
        if defaults and len(inner) == 1:
            return inner.pop()
    return None


def _called_name(func):
    """The name a call's function goes by, its last attribute (main, of unittest.main), or None."""
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return None


def pytest_pycollect_makemodule(module_path, parent):
    if not _PROTOCOL_MODULES or module_path.name == "__init__.py":  # a package: pytest's own Package
        return None
    protocol = _protocol(module_path)
    if protocol is None:
        return None
    return _SuiteModule.from_parent(parent, path=module_path, protocol=protocol)


def _flatten(suite, layer, out):
    """The test cases of a suite, each with the zope.testrunner layer it runs in (a suite's or a
    test's own `layer` attribute, the innermost one winning)."""
    layer = getattr(suite, "layer", layer)
    if isinstance(suite, unittest.TestSuite):
        for test in suite:
            _flatten(test, layer, out)
    elif isinstance(suite, unittest.TestCase):
        out.append((suite, layer))


def _case_name(test):
    method = getattr(test, "_testMethodName", None)
    if type(test).__module__ != "doctest" and not isinstance(test, unittest.FunctionTestCase) and method:
        return type(test).__name__ + "::" + method
    return test.id()


class _SuiteModule(pytest.Module):
    """A test module whose tests are those its load_tests(), test_suite() or suite() returns."""

    def __init__(self, *args, protocol, **kwargs):
        super().__init__(*args, **kwargs)
        self.protocol = protocol

    def collect(self):
        module = self.obj  # imports it, as pytest's own Module does, errors and all
        fn = getattr(module, self.protocol, None)
        if not callable(fn):
            return super().collect()
        loader = unittest.TestLoader()
        if self.protocol == "load_tests":
            # With the pattern unittest's discovery passes (a load_tests may discover with it).
            suite = loader.loadTestsFromModule(module, pattern="test*.py")
        else:
            try:
                inspect.signature(fn).bind()
            except (TypeError, ValueError):
                return super().collect()  # a test of pytest's, with fixtures: def test_suite(tmp_path)
            # With the command line a script run alone has: python-gnupg 0.5.0's suite(args=None)
            # reads its test groups from sys.argv[1:], which would be pytest's options.
            argv = sys.argv
            sys.argv = [getattr(module, "__file__", None) or argv[0]]
            try:
                suite = fn()
            finally:
                sys.argv = argv
            if isinstance(suite, (list, tuple)) and suite and all(isinstance(t, (unittest.TestSuite, unittest.TestCase)) for t in suite):
                suite = unittest.TestSuite(suite)  # pycryptodome's get_tests() returns a list
            if not isinstance(suite, (unittest.TestSuite, unittest.TestCase)):
                return super().collect()  # a test of pytest's that returned
        # A suite the module's __main__ block runs with a TextTestRunner of its own runs under the
        # warning filters the module's import left (defusedxml 0.7.1's tests make its
        # DeprecationWarnings errors, and assert that they are raised); pytest's own filters for
        # each test would show them instead.
        filters = list(warnings.filters) if self.protocol not in _PROTOCOL_NAMES else None
        cases = []
        _flatten(suite, None, cases)
        for error in getattr(loader, "errors", []):
            raise self.CollectError(error)
        _emit({"type": "suite", "nodeid": self.nodeid, "protocol": self.protocol, "tests": len(cases)})
        seen = {}
        items = []
        for test, layer in cases:
            name = _case_name(test)
            seen[name] = seen.get(name, 0) + 1
            if seen[name] > 1:
                name = "%s[%d]" % (name, seen[name])
            items.append(_SuiteCase.from_parent(self, name=name, test=test, layer=layer, filters=filters))
        return items


class _Outcomes(unittest.TestResult):
    """What unittest said of the case being run (and of the fixtures run for it)."""

    def __init__(self):
        super().__init__()
        self.events = []

    def addError(self, test, err):
        self.events.append(("error", self._exc_info_to_string(err, test)))

    def addFailure(self, test, err):
        self.events.append(("fail", self._exc_info_to_string(err, test)))

    def addSkip(self, test, reason):
        self.events.append(("skip", reason))

    def addExpectedFailure(self, test, err):
        self.events.append(("xfail", self._exc_info_to_string(err, test)))

    def addUnexpectedSuccess(self, test):
        self.events.append(("fail", "unexpected success: the test is marked as an expected failure and passed"))

    def addSubTest(self, test, subtest, err):
        if err is not None:
            kind = "fail" if issubclass(err[0], test.failureException) else "error"
            self.events.append((kind, "%s: %s" % (subtest, self._exc_info_to_string(err, test))))


_result = _Outcomes()
_fixtures = unittest.TestSuite()  # only its class and module fixture handling is used
_layers = []  # the zope.testrunner layers set up, outermost first
_fixture_outcome = {}  # the first outcome unittest reported for a class's (or module's) fixtures


def _resolve_layer(layer):
    if isinstance(layer, str):
        module, _, name = layer.rpartition(".")
        return getattr(importlib.import_module(module), name)
    return layer


def _layer_chain(layer, out):
    for base in getattr(layer, "__bases__", ()):
        if base is not object:
            _layer_chain(base, out)
    if layer not in out:
        out.append(layer)
    return out


def _switch_layers(layer):
    chain = _layer_chain(_resolve_layer(layer), []) if layer is not None else []
    while _layers and _layers[-1] not in chain:
        done = _layers.pop()
        if callable(getattr(done, "tearDown", None)):
            done.tearDown()
    for each in chain:
        if each not in _layers:
            if callable(getattr(each, "setUp", None)):
                each.setUp()
            _layers.append(each)
    return chain


def _finish_fixtures():
    _fixtures._tearDownPreviousClass(None, _result)
    _fixtures._handleModuleTearDown(_result)
    _result._previousTestClass = None


class _SuiteCase(pytest.Item):
    """One case of a load_tests(), test_suite() or suite() suite, run by unittest."""

    def __init__(self, *args, test, layer, filters=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.test = test
        self.layer = layer
        self.filters = filters
        self.chain = []

    def setup(self):
        # As unittest's TestSuite.run does before each case: the previous class's tearDownClass,
        # then this one's module and class fixtures, once each. A failed one is the error of
        # every case of its class (or module), in their set-up, as pytest reports a unittest
        # class's failed setUpClass; a skipped one skips them.
        test = self.test
        _result.events = []
        self.chain = _switch_layers(self.layer)
        _fixtures._tearDownPreviousClass(test, _result)
        _fixtures._handleModuleFixture(test, _result)
        _fixtures._handleClassSetUp(test, _result)
        _result._previousTestClass = test.__class__
        key = test.__class__.__module__ if getattr(_result, "_moduleSetUpFailed", False) else test.__class__
        if _result.events:
            _fixture_outcome[key] = _result.events[0]
        if getattr(test.__class__, "_classSetupFailed", False) or getattr(_result, "_moduleSetUpFailed", False):
            kind, text = _fixture_outcome.get(key, ("error", "the set-up of the case's module or class failed"))
            if kind == "skip":
                pytest.skip(text)
            pytest.fail(text, pytrace=False)

    def runtest(self):
        _result.events = []
        for each in self.chain:
            if callable(getattr(each, "testSetUp", None)):
                each.testSetUp()
        try:
            if self.filters is None:
                self.test(_result)
            else:
                with warnings.catch_warnings():
                    warnings.filters[:] = self.filters
                    warnings._filters_mutated()
                    self.test(_result)
        finally:
            for each in reversed(self.chain):
                if callable(getattr(each, "testTearDown", None)):
                    each.testTearDown()
        self._report(_result.events)

    def _report(self, events):
        for kind, text in events:
            if kind in ("fail", "error"):
                pytest.fail(text, pytrace=False)
        for kind, text in events:
            if kind == "xfail":
                pytest.xfail(text.strip().splitlines()[-1] if text.strip() else "expected failure")
        for kind, text in events:
            if kind == "skip":
                pytest.skip(text)

    def reportinfo(self):
        return self.path, None, self.name


def pytest_runtest_teardown(item, nextitem):
    if not isinstance(item, _SuiteCase):
        return
    if nextitem is None or not isinstance(nextitem, _SuiteCase):
        _finish_fixtures()
        _switch_layers(None)


# A Django application's tests run under Django's test runner (`python runtests.py`, `manage.py
# test`), which the project points at its settings (tests/settings.py) and which sets up the apps
# and a test database before the first test. pytest alone does neither, and every test fails with
# ImproperlyConfigured, no fault of the code. PYTI_DJANGO_SETTINGS names the settings module the
# project's runner uses; then, unless pytest-django (which does this itself) is there or a
# conftest.py configured Django already, the plugin does what that runner does first: the apps,
# the test environment and the test databases, torn down at the end.
_django_runner = None


def _django_setup(config):
    global _django_runner
    module = os.environ.get("PYTI_DJANGO_SETTINGS")
    if not module or _django_runner is not None or config.pluginmanager.hasplugin("django"):
        return
    try:
        from django.conf import settings
    except ImportError:
        return  # Django is not installed: the tests' own imports say so
    if settings.configured:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", module)
    try:
        import django
        from django.test.runner import DiscoverRunner

        django.setup()
        runner = DiscoverRunner(verbosity=0, interactive=False)
        runner.setup_test_environment()
        runner.old_config = runner.setup_databases()
    except Exception as e:  # the settings or a database the machine lacks: the tests say so
        sys.stderr.write("PYTI: setting Django up on %s failed: %s: %s\n" % (module, type(e).__name__, e))
        if isinstance(e, ImportError) and getattr(e, "name", None):
            _django_missing.append((e.name, "%s: %s" % (type(e).__name__, e)))
        return
    _django_runner = runner


# When Django could not be set up because the settings name an app that is not installed
# (django-filter's tests.settings lists rest_framework, a test dependency the index may lack),
# every test that then finds the apps not loaded failed for want of that module, as the project's
# own runner would have failed at its start.
_django_missing = []
_APPS_NOT_READY = ("AppRegistryNotReady", "Apps aren't loaded yet", "settings are not configured")


def _django_cause(record):
    """Mark a failed report's record that Django's failed set-up explains with the missing module."""
    if not _django_missing or record.get("guarded_missing"):
        return
    text = (record.get("message") or "") + "\n" + (record.get("longrepr") or "")
    if any(marker in text for marker in _APPS_NOT_READY):
        name, why = _django_missing[0]
        record["guarded_missing"] = name
        record["message"] = ("%s (Django could not be set up: %s)" % (record.get("message") or "", why)).strip()


def pytest_unconfigure(config):
    global _django_runner, _out
    runner, _django_runner = _django_runner, None
    try:
        if runner is not None:
            runner.teardown_databases(runner.old_config)
            runner.teardown_test_environment()
    finally:
        # Closed here, not left to the exit: Python warns on stderr of a file left open when
        # the suite's warning filters show ResourceWarning (python-dateutil's
        # filterwarnings=error).
        out, _out = _out, None
        if out is not None:
            out.close()
