"""PYTI's PEP 517 front end: build a wheel from a source tree with ready build environments.

Usage: python build_wheel.py SPEC_JSON

SPEC_JSON holds: pip (the directory or wheel of the pip in use: its vendored hook caller and
packaging are used, so the hooks are called exactly as pip calls them), source, wheel_dir or
metadata_dir, backend, backend_path, prefixes (the build environments' lib and bin directories, in pip's
order: the build-system requirements first, then what the backend asked for), requires_met and
result (a file for the JSON answer). The sitecustomize module goes where pip puts it, in a temporary
pip-build-env-* directory.

The hooks run as pip's build isolation runs them: each in a fresh interpreter, with the system's
site-packages hidden, the environments' lib directories added as site directories (.pth files
honoured) and their bin directories first on PATH. get_requires_for_build_wheel runs first; when
the backend asks for what the environments do not hold, the answer is {"missing": [...]} (or
{"conflicting": [...]}) and the exit code 3, so that the caller can add an environment or let pip
build. Otherwise build_wheel runs and the answer is {"wheel": NAME}. With requires_met (the caller
added the environment an earlier run's answer asked for), build_wheel runs at once: pip, too,
calls get_requires_for_build_wheel once, installs what it asks for, then builds.

With metadata_dir, prepare_metadata_for_build_wheel runs instead of build_wheel, as pip runs it to
learn the metadata for its resolver, and the answer is {"metadata": DIST_INFO_NAME} (below
metadata_dir). A wheel build never calls it: PEP 517 lets a front end build the wheel directly.
The answer also holds "tests_require": what setup.py's setup() call declares for the tests, read
from its syntax tree (see tests_require).
"""

import ast
import json
import os
import re
import site
import subprocess
import sys
import tempfile
import textwrap

SPEC = json.loads(sys.argv[1])
sys.path.insert(0, SPEC["pip"])

try:
    from pip._vendor.pyproject_hooks import BuildBackendHookCaller as HookCaller
except ImportError:  # pip before 23.0 vendors the same caller as pep517
    try:
        from pip._vendor.pep517.wrappers import Pep517HookCaller as HookCaller
    except ImportError:
        HookCaller = None
from pip._vendor.packaging.requirements import Requirement


def answer(obj, code):
    with open(SPEC["result"], "w", encoding="utf-8") as f:
        json.dump(obj, f)
    sys.exit(code)


def sitecustomize(lib_dirs):
    """The module pip's BuildEnvironment writes: drop system site-packages, add lib_dirs."""
    system_sites = {os.path.normcase(p) for p in site.getsitepackages()}
    return textwrap.dedent(
        """
        import os, site, sys

        # First, drop system-sites related paths.
        original_sys_path = sys.path[:]
        known_paths = set()
        for path in {system_sites!r}:
            site.addsitedir(path, known_paths=known_paths)
        system_paths = set(
            os.path.normcase(path)
            for path in sys.path[len(original_sys_path):]
        )
        original_sys_path = [
            path for path in original_sys_path
            if os.path.normcase(path) not in system_paths
        ]
        sys.path = original_sys_path

        # Second, add lib directories.
        # ensuring .pth file are processed.
        for path in {lib_dirs!r}:
            assert not path in sys.path
            site.addsitedir(path)
        """
    ).format(system_sites=system_sites, lib_dirs=lib_dirs)


def installed(lib_dirs):
    """Normalised name -> version of the distributions in lib_dirs."""
    from importlib.metadata import distributions

    out = {}
    for d in distributions(path=lib_dirs):
        name = d.metadata["Name"]
        if name:
            out.setdefault(re.sub(r"[-_.]+", "-", name).lower(), d.version)
    return out


def unmet(reqs, lib_dirs):
    """pip's check_requirements: the missing and the conflicting requirements."""
    have = installed(lib_dirs)
    missing, conflicting = [], []
    for text in reqs:
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        version = have.get(re.sub(r"[-_.]+", "-", req.name).lower())
        if version is None:
            missing.append(text)
        elif not req.specifier.contains(version, prereleases=True):
            conflicting.append("%s (%s installed)" % (text, version))
    return missing, conflicting


def main():
    if HookCaller is None:
        answer({"unsupported": "this pip vendors no PEP 517 hook caller"}, 3)
    lib_dirs, bin_dirs = [], []
    for p in SPEC["prefixes"]:
        lib_dirs.extend(p["lib_dirs"])
        bin_dirs.append(p["bin_dir"])
    site_dir = os.path.join(tempfile.mkdtemp(prefix="pip-build-env-"), "site")
    os.mkdir(site_dir)
    with open(os.path.join(site_dir, "sitecustomize.py"), "w", encoding="utf-8") as f:
        f.write(sitecustomize(lib_dirs))
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    env["PATH"] = os.pathsep.join(bin_dirs + [env.get("PATH", os.defpath)])
    env["PYTHONNOUSERSITE"] = "1"
    env["PYTHONPATH"] = site_dir

    def runner(cmd, cwd=None, extra_environ=None):
        e = dict(env)
        e.update(extra_environ or {})
        subprocess.check_call(cmd, cwd=cwd, env=e)

    hooks = HookCaller(SPEC["source"], SPEC["backend"], backend_path=SPEC.get("backend_path"),
                       runner=runner, python_executable=sys.executable)
    if not SPEC.get("requires_met"):
        reqs = call_hook("get_requires_for_build_wheel", hooks.get_requires_for_build_wheel)
        if reqs is FAILED:
            return 1
        missing, conflicting = unmet(reqs, lib_dirs)
        if conflicting:
            answer({"conflicting": conflicting}, 3)
        if missing:
            answer({"missing": missing}, 3)
    if SPEC.get("metadata_dir"):
        # pip's metadata preparation: the backend's prepare_metadata_for_build_wheel, or, for a
        # backend without it, a wheel built for its .dist-info (pyproject_hooks' fallback).
        name = call_hook("prepare_metadata_for_build_wheel",
                         lambda: hooks.prepare_metadata_for_build_wheel(SPEC["metadata_dir"], _allow_fallback=True))
        if name is FAILED:
            return 1
        answer({"metadata": name, "tests_require": tests_require(SPEC["source"])}, 0)
    name = call_hook("build_wheel", lambda: hooks.build_wheel(SPEC["wheel_dir"]))
    if name is FAILED:
        return 1
    answer({"wheel": name}, 0)
    return 0


FAILED = object()


def tests_require(source):
    """The tests_require of setup.py's setup() call, when it is written out: a list or tuple of
    strings, given as the keyword, through a module-level name bound to one, or in a dict literal
    passed as setup(**name). setuptools leaves it out of the metadata, yet `setup.py test` (the
    test command of many older projects, and of their tox.ini) installs it before the tests run.
    Nothing is run: the file is only parsed."""
    path = os.path.join(source, "setup.py")
    try:
        with open(path, "rb") as f:
            tree = ast.parse(f.read(), path)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    bound = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            bound[node.targets[0].id] = node.value

    def value(node):
        return bound.get(node.id) if isinstance(node, ast.Name) else node

    def strings(node):
        node = value(node)
        if isinstance(node, (ast.List, ast.Tuple)) and all(
                isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
            return [e.value.strip() for e in node.elts if e.value.strip()]
        return None

    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if not (isinstance(func, ast.Name) and func.id == "setup" or isinstance(func, ast.Attribute) and func.attr == "setup"):
            continue
        for kw in node.keywords:
            if kw.arg == "tests_require":
                found = strings(kw.value)
            elif kw.arg is None and isinstance(value(kw.value), ast.Dict):
                d = value(kw.value)
                found = next((strings(v) for k, v in zip(d.keys, d.values)
                              if isinstance(k, ast.Constant) and k.value == "tests_require"), None)
            else:
                continue
            if found is not None:
                return found
    return []


def call_hook(name, call):
    """The hook's answer, or FAILED after printing why the backend failed."""
    try:
        return call()
    except subprocess.CalledProcessError as e:
        print("error: %s exited with code %d" % (name, e.returncode), file=sys.stderr)
    except Exception as e:  # BackendUnavailable, BackendInvalid, HookMissing
        print("error: %s: %s" % (type(e).__name__, e), file=sys.stderr)
    return FAILED


if __name__ == "__main__":
    sys.exit(main())
