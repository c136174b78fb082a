"""Runs pylint (`pylint_alone.py ARGS...`, ARGS as `python3 -m pylint` takes them) with a sys.path
that holds the standard library and pylint's own distributions, and nothing else of the host's
site-packages.

pylint resolves the imports of the code it lints on sys.path. Run as `python3 -m pylint`, that is
the host's whole dist-packages: a dependency the package's wheelhouse lacks is found there when the
host happens to have it installed, and the score moves with what else was installed on the machine
(7.94 and 7.99 for the same package, between two runs with another Debian package installed in
between). Here pylint sees only what it needs itself, linked into a directory of its own: the
distributions its Requires-Dist names (their markers holding, recursively), and those its modules
import on start (Debian's isort imports toml without requiring it). The paths the caller adds
(pylint's --init-hook adds the package and its wheelhouse) follow.
"""

import sys

# The modules the interpreter imported before this script ran (the host's .pth files import some:
# zope, jaraco), which are not pylint's.
AT_START = set(sys.modules)

import importlib  # noqa: E402
import importlib.metadata  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import site  # noqa: E402
import tempfile  # noqa: E402

try:
    from packaging.requirements import Requirement
except ImportError:  # pragma: no cover - Debian's python3 has packaging beside pip
    Requirement = None


def requirement_names(dist):
    """The names of the distributions dist requires on this interpreter, extras aside."""
    names = []
    for line in dist.requires or []:
        if Requirement is not None:
            try:
                req = Requirement(line)
            except Exception:
                continue
            if req.marker is not None and not req.marker.evaluate({"extra": ""}):
                continue
            names.append(req.name)
        elif "extra ==" not in line:
            m = re.match(r"\s*([A-Za-z0-9._-]+)", line)
            if m:
                names.append(m.group(1))
    return names


def top_level(dist):
    """The importable names dist installs: its top_level.txt, else its RECORD's first parts, else
    its own name."""
    text = dist.read_text("top_level.txt")
    if text:
        return [n.strip() for n in text.split() if n.strip()]
    names = set()
    for f in dist.files or []:
        first = f.parts[0]
        if first.endswith((".dist-info", ".egg-info")) or first in ("..", "__pycache__"):
            continue
        if len(f.parts) == 1:
            if first.endswith(".py"):
                names.add(first[:-3])
            elif first.endswith(".so"):
                names.add(first.split(".")[0])
        else:
            names.add(first)
    if names:
        return sorted(names)
    return [re.sub(r"[-.]+", "_", dist.metadata["Name"]).lower()]


def required(name):
    """The top-level names of the distributions name requires, itself included, and the
    directory each lies in."""
    seen, todo, found = set(), [name], {}
    while todo:
        n = canonical(todo.pop())
        if n in seen:
            continue
        seen.add(n)
        try:
            dist = importlib.metadata.distribution(n)
        except importlib.metadata.PackageNotFoundError:
            continue
        for top in top_level(dist):
            found.setdefault(top, str(dist.locate_file("")))
        todo.extend(requirement_names(dist))
    return found


def imported(host):
    """The top-level names of the modules imported since the start from the directories host,
    and the directory each came from."""
    found = {}
    for name, mod in list(sys.modules.items()):
        path = getattr(mod, "__file__", None)
        if "." in name or not path or name in AT_START or name == "packaging":
            continue
        for d in host:
            if path.startswith(d.rstrip("/") + "/"):
                found.setdefault(name, d)
    return found


def metadata_dirs(base, names):
    """The .dist-info and .egg-info directories in base of the distributions that install the
    top-level names: a module that asks importlib.metadata for its own version (isort does) finds
    it."""
    dists = importlib.metadata.packages_distributions()
    # A distribution whose metadata lists no files (Debian's isort) is found by its module's name.
    wanted = {canonical(d) for n in names for d in dists.get(n, [])} | {canonical(n) for n in names}
    try:
        entries = os.listdir(base)
    except OSError:
        return []
    return [e for e in entries if e.endswith((".dist-info", ".egg-info")) and canonical(e.split("-")[0]) in wanted]


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def link(names):
    """A directory of links to the modules names maps to their directories (packages, modules and
    extension modules by their file names), with their distributions' metadata."""
    out = tempfile.mkdtemp(prefix="pylint-path-")
    by_base = {}
    for name, base in names.items():
        by_base.setdefault(base, []).append(name)
    for base, tops in sorted(by_base.items()):
        try:
            entries = os.listdir(base)
        except OSError:
            continue
        keep = set(metadata_dirs(base, tops))
        for e in entries:
            if any(e == n or e == n + ".py" or (e.startswith(n + ".") and e.endswith(".so")) for n in tops):
                keep.add(e)
        for e in sorted(keep):
            dst = os.path.join(out, e)
            if not os.path.lexists(dst):
                os.symlink(os.path.join(base, e), dst)
    return out


def forget(host):
    """Drops from sys.modules what was imported from the directories host: pylint finds its own
    checkers on sys.path, by their files, so it must be imported again from where sys.path now
    says; the namespace packages the host's .pth files made go too, since astroid reads a
    namespace package's __path__ from sys.modules."""
    def on_host(path):
        return any(str(path).startswith(d.rstrip("/") + "/") for d in host)

    # Every module is judged before any goes: a nested namespace package's __path__ (the
    # repoze.sphinx a host's -nspkg.pth makes) is computed from its parent's, in sys.modules.
    doomed = set()
    for name, mod in list(sys.modules.items()):
        try:
            paths = [getattr(mod, "__file__", None) or ""] + list(getattr(mod, "__path__", None) or [])
        except Exception:
            paths = []
        if any(on_host(p) for p in paths):
            doomed.add(name)
    for name in list(sys.modules):
        if name in doomed or any(name.startswith(d + ".") for d in doomed):
            del sys.modules[name]


def source_roots(argv):
    """argv without the --source-roots options when this pylint predates them (2.17), whose
    behaviour it then gives pylint.

    pylint 2.16 takes a module's package to start below the last directory without an
    __init__.py: jaraco.functools 3.6.0's jaraco/functools.py (a namespace package's module) was
    linted as the top-level module `functools`, with jaraco/ first on sys.path, so that its own
    `import functools` imported itself (14 false no-member errors, a score of 3.96 instead of
    9.06). A module under a source root is named from that root, as Python imports it."""
    from pylint.lint import expand_modules

    if hasattr(expand_modules, "discover_package_path"):
        return argv
    roots, rest = [], []
    for arg in argv:
        if arg.startswith("--source-roots="):
            roots.extend(os.path.realpath(r) for r in arg.split("=", 1)[1].split(",") if r)
        else:
            rest.append(arg)
    if not roots:
        return argv
    from pylint.lint import utils

    legacy = expand_modules.get_python_path

    def get_python_path(filepath):
        dirname = os.path.realpath(os.path.expanduser(filepath))
        if not os.path.isdir(dirname):
            dirname = os.path.dirname(dirname)
        for root in roots:
            if os.path.commonpath([root, dirname]) == root:
                return root
        return legacy(filepath)

    expand_modules.get_python_path = get_python_path
    utils.get_python_path = get_python_path

    # A namespace package that a dependency on sys.path makes a regular one (a pkg_resources-style
    # zope/__init__.py, which Debian's zope.interface wheel ships) hides the root's portion:
    # named from the root, its package's submodules are not found, and pylint stops on the
    # ImportError. Then the modules are named as pylint 2.16 names them.
    from pylint.lint import pylinter

    expand = pylinter.expand_modules

    def expand_or_legacy(*args, **kwargs):
        try:
            return expand(*args, **kwargs)
        except ImportError:
            expand_modules.get_python_path = legacy
            utils.get_python_path = legacy
            return expand(*args, **kwargs)

    pylinter.expand_modules = expand_or_legacy
    return rest


def main():
    host = [d for d in site.getsitepackages() if os.path.isdir(d)]
    importlib.import_module("pylint.lint")  # what pylint imports on start, from the host's site-packages

    names = required("pylint")
    for name, base in imported(host).items():
        names.setdefault(name, base)
    whole, own = list(sys.path), link(names)
    sys.path[:] = [p for p in sys.path if p not in host] + [own]
    forget(host)
    try:
        importlib.import_module("pylint.lint")  # from its own directory
    except ImportError as e:
        # Something pylint needs was not found beside it: lint as `python3 -m pylint` does
        # rather than not at all, and say so.
        print(f"pylint_alone: pylint does not start on its own distributions ({e}): "
              "it sees the host's site-packages", file=sys.stderr)
        forget([own])
        sys.path[:] = whole
    from pylint import run_pylint

    sys.argv = ["pylint"] + source_roots(sys.argv[1:])
    run_pylint()


if __name__ == "__main__":
    main()
