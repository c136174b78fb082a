"""Imports one module (or sweeps several) in this fresh interpreter, for import_modules.py.

argv[1] is a JSON object:
  mode       "name" (import the dotted name), "location" (import the file or package directory at
             path, whose name is not importable) or "sweep" (import each of names, going on after
             a failure)
  name, path, names
  stand_ins  when true, a module that no finder finds is given a permissive stand-in (any
             attribute, call, subclass or item is another stand-in), so that the code after an
             import of an undeclared dependency runs as it would for a user who has it
  own        path prefixes of the distribution's files: only their imports get stand-ins
  grace      seconds to wait for threads the import started
  result_fd  where the JSON result goes

The traceback of a failed import goes to stderr. The process ends with os._exit: 0 imported,
1 failed, so that a thread that never ends cannot keep it alive past the grace period.
"""
import json
import os
import sys
import time
import traceback
import types

spec = json.loads(sys.argv[1])
result = {"ok": False, "stand_ins": [], "threads_after_import": 0, "threads_left": 0, "waited_s": 0.0}
stood_in = []


def _tasks():
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading
        return threading.active_count()


def _asking_frame():
    """The frame of the code that asked for the import, past importlib's frames and exec'd strings."""
    f = sys._getframe(2)
    while f is not None:
        name = f.f_code.co_filename
        if name and not name.startswith("<") and not name.startswith(os.path.dirname(__file__)):
            return f
        f = f.f_back
    return None


_CATCHES_IMPORT = {"ImportError", "ModuleNotFoundError", "Exception", "BaseException"}
_trees = {}


def _guarded(frame):
    """Whether the import statement the frame is at sits in the body of a try whose handler
    catches its ImportError (a bare except, ImportError, ModuleNotFoundError, Exception), or of a
    `with suppress(ImportError)`: the module then runs its own fallback (typeguard 2.13.3's `try: from typing_extensions import
    Literal`, cachecontrol 0.12.11's `try: import cPickle as pickle`)."""
    if frame is None:
        return False
    import ast
    name, line = frame.f_code.co_filename, frame.f_lineno
    tree = _trees.get(name)
    if tree is None:
        try:
            with open(name, "rb") as f:
                tree = ast.parse(f.read(4 << 20))
        except Exception:  # noqa: BLE001 - an unreadable file guards nothing
            tree = False
        _trees[name] = tree
    if tree is False:
        return False

    def catches(handler):
        t = handler.type
        names = t.elts if isinstance(t, ast.Tuple) else [t]
        return t is None or any(
            (isinstance(n, ast.Name) and n.id in _CATCHES_IMPORT) or (isinstance(n, ast.Attribute) and n.attr in _CATCHES_IMPORT)
            for n in names)

    def suppresses(item):
        # contextlib.suppress(ImportError): jsonschema 4.10.3's _format.py imports its optional
        # format checkers so.
        c = item.context_expr
        f = getattr(c, "func", None)
        named = (isinstance(f, ast.Name) and f.id == "suppress") or (isinstance(f, ast.Attribute) and f.attr == "suppress")
        return isinstance(c, ast.Call) and named and any(
            (isinstance(a, ast.Name) and a.id in _CATCHES_IMPORT) or (isinstance(a, ast.Attribute) and a.attr in _CATCHES_IMPORT)
            for a in c.args)

    for node in ast.walk(tree):
        guarded = (isinstance(node, ast.Try) and any(catches(h) for h in node.handlers)) or \
            (isinstance(node, ast.With) and any(suppresses(i) for i in node.items))
        if guarded and any(stmt.lineno <= line <= (stmt.end_lineno or stmt.lineno) for stmt in node.body):
            return True
    return False


if spec.get("stand_ins"):
    import functools
    import importlib.abc
    import importlib.util

    _made = {}

    calls = []

    def _record(name, args, kwargs):
        """Keeps what the package asked of a stand-in (a URL, a command), for the report."""
        if len(calls) >= 50:
            return
        try:
            shown = [repr(a)[:200] for a in args] + ["%s=%s" % (k, repr(v)[:200]) for k, v in kwargs.items()]
        except Exception:  # noqa: BLE001 - a hostile __repr__
            shown = ["..."]
        calls.append(("%s(%s)" % (name, ", ".join(shown)))[:600])

    class _Decorated:
        """A function a stand-in decorated: called, it runs the package's own function; what the
        decorator's object would have (click's group(), whose result has .command) is a stand-in."""

        def __init__(self, fn, qualname):
            functools.update_wrapper(self, fn)
            self._pyti_qualname = qualname

        def __call__(self, *args, **kwargs):
            return self.__wrapped__(*args, **kwargs)

        def __get__(self, obj, objtype=None):
            return self if obj is None else types.MethodType(self, obj)

        def __getattr__(self, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return _make(self._pyti_qualname + "." + name)

    def _decorated(obj, qualname):
        """What a stand-in used as a decorator gives back: a class stays the package's class, a
        function the package's function with a stand-in's attributes besides."""
        if isinstance(obj, type):
            return obj
        return _Decorated(obj, qualname)

    class _StandInMeta(type):
        def __getattr__(cls, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return _make(cls.__qualname__ + "." + name)

        def __call__(cls, *args, **kwargs):
            if cls.__dict__.get("_pyti_stand_in"):
                _record(cls.__qualname__, args, kwargs)
                if len(args) == 1 and not kwargs and isinstance(args[0], (types.FunctionType, type)):
                    return _decorated(args[0], cls.__qualname__)
                return super().__call__()
            return super().__call__(*args, **kwargs)

        def __iter__(cls):
            return iter(())

        def __getitem__(cls, key):
            return cls

        def __or__(cls, other):
            return cls

        __ror__ = __or__

        def __repr__(cls):
            return "<PYTI stand-in %s>" % cls.__qualname__

    class _StandIn(metaclass=_StandInMeta):
        def __init__(self, *args, **kwargs):
            pass

        def __getattr__(self, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return _make(type(self).__qualname__ + "." + name)

        def __call__(self, *args, **kwargs):
            _record(type(self).__qualname__ + "()", args, kwargs)
            if len(args) == 1 and not kwargs and isinstance(args[0], (types.FunctionType, type)):
                return _decorated(args[0], type(self).__qualname__ + "()")
            return type(self)()

        def __mro_entries__(self, bases):
            return (type(self),)

        def __iter__(self):
            return iter(())

        def __len__(self):
            return 0

        def __bool__(self):
            return True

        def __getitem__(self, key):
            return type(self)()

        def __setitem__(self, key, value):
            pass

        def __delitem__(self, key):
            pass

        def __contains__(self, item):
            return False

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        async def __aenter__(self):
            return self

        async def __aexit__(self, *exc):
            return False

        def __str__(self):
            return ""

        def __repr__(self):
            return "<PYTI stand-in %s>" % type(self).__qualname__

        def __int__(self):
            return 0

        __index__ = __int__

        def __float__(self):
            return 0.0

        def __eq__(self, other):
            return self is other

        def __hash__(self):
            return id(self)

        def __add__(self, other):
            return self

        __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = __truediv__ = __mod__ = __add__

    def _make(qualname):
        cls = _made.get(qualname)
        if cls is None:
            cls = _StandInMeta(qualname.rsplit(".", 1)[-1], (_StandIn,), {"_pyti_stand_in": True})
            cls.__qualname__ = qualname
            _made[qualname] = cls
        return cls

    class _StandInModule(types.ModuleType):
        def __getattr__(self, name):
            if name.startswith("__") and name.endswith("__"):
                raise AttributeError(name)
            return _make(self.__name__ + "." + name)

    own = tuple(spec.get("own") or ())

    def _own_module(name):
        """Whether the module name, imported, is one of the distribution's files."""
        path = getattr(sys.modules.get(name), "__file__", None) or ""
        return bool(own) and path.startswith(own)

    def _regular_package(parent):
        """Whether parent is a regular package already imported, the distribution's own, the
        standard library's or a dependency's (not a namespace, whose other portions may come
        from distributions not installed)."""
        module = sys.modules.get(parent) if parent else None
        path = getattr(module, "__file__", None) or ""
        if module is None or isinstance(module, _StandInModule):
            return False
        if os.path.basename(path) != "__init__.py":
            return False
        try:
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read(1 << 20)
        except OSError:
            return False
        return "declare_namespace" not in text and "extend_path" not in text

    class _Finder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        busy = False
        # lenient: stand-ins for the names that regular packages of others (the standard
        # library's, a dependency's) lack too, and for guarded imports, on a second attempt
        # (see _attempt).
        lenient = False

        def find_spec(self, name, path=None, target=None):
            if _Finder.busy:
                return None
            # A finder installed after this one (a vendoring importer, as pkg_resources.extern
            # has) finds it: not missing.
            _Finder.busy = True
            try:
                for finder in list(sys.meta_path):
                    if finder is self or not hasattr(finder, "find_spec"):
                        continue
                    try:
                        if finder.find_spec(name, path, target) is not None:
                            return None
                    except Exception:  # noqa: BLE001 - another finder's failure is not ours
                        continue
            finally:
                _Finder.busy = False
            top = name.split(".")[0]
            if not isinstance(sys.modules.get(top), _StandInModule):
                frame = _asking_frame()
                asker = frame.f_code.co_filename if frame is not None else ""
                if not own or not asker.startswith(own):
                    return None
                if not _Finder.lenient and _guarded(frame):
                    # The module catches the ImportError and runs its fallback, as it does for
                    # a user without the module; a stand-in only when the import fails anyway.
                    return None
                parent = name.rpartition(".")[0]
                if _regular_package(parent) and (not _Finder.lenient or _own_module(parent)):
                    # A name a regular package lacks is no other distribution's missing module:
                    # regex 2023.8.8's `from regex import DEFAULT_VERSION`, while regex is still
                    # being imported, and webencodings 0.5.1's `from urllib import urlopen`
                    # (Python 2's) expect the ImportError they catch.
                    return None
            if name not in stood_in:
                stood_in.append(name)
            return importlib.util.spec_from_loader(name, self, is_package=True)

        def create_module(self, spec):
            return _StandInModule(spec.name)

        def exec_module(self, module):
            module.__path__ = []

    sys.meta_path.append(_Finder())


def _import_location(path):
    import importlib.util
    name = os.path.basename(path.rstrip("/"))
    if name.endswith(".py"):
        name = name[:-3]
    if os.path.isdir(path):
        s = importlib.util.spec_from_file_location(name, os.path.join(path, "__init__.py"), submodule_search_locations=[path])
    else:
        s = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(s)
    sys.modules[name] = module
    s.loader.exec_module(module)


def _missing(exc):
    for _ in range(20):
        if exc is None:
            break
        if isinstance(exc, ModuleNotFoundError) and exc.name:
            return exc.name
        exc = exc.__cause__ or exc.__context__
    return None


def _attempt(do):
    """do(); when it fails with an ImportError while stand-ins are on, once more, with stand-ins
    also for what the regular packages of others lack and for imports the code guards: a Windows
    payload's `from ctypes import windll` gets one and its code after that runs, while a fallback
    that catches the ImportError (webencodings' `from urllib import urlopen`, cachecontrol's
    `try: import cPickle`) never sees one."""
    try:
        return do()
    except ImportError:
        if not spec.get("stand_ins"):
            raise
    _Finder.lenient = True
    try:
        return do()
    finally:
        _Finder.lenient = False


code = 1
try:
    import importlib
    if spec["mode"] == "name":
        _attempt(lambda: importlib.import_module(spec["name"]))
    elif spec["mode"] == "location":
        _attempt(lambda: _import_location(spec["path"]))
    else:
        failed = []
        for n in spec["names"]:
            print("PYTI-SWEEP: " + n, file=sys.stderr, flush=True)
            try:
                _attempt(lambda: importlib.import_module(n))
            except BaseException as e:  # noqa: B036 - a module may raise anything, SystemExit too
                if len(failed) < 50:
                    failed.append({"name": n, "error": ("%s: %s" % (type(e).__name__, e))[:300]})
        result["imported"] = len(spec["names"]) - len(failed)
        result["failed"] = failed
    code = 0
    result["ok"] = True
except BaseException as e:  # noqa: B036 - SystemExit and KeyboardInterrupt are results too
    traceback.print_exc()
    result["missing"] = _missing(e)
finally:
    try:
        result["threads_after_import"] = _tasks() - 1
        start = time.monotonic()
        while _tasks() > 1 and time.monotonic() - start < float(spec.get("grace", 0)):
            time.sleep(0.05)
        result["waited_s"] = round(time.monotonic() - start, 2)
        result["threads_left"] = _tasks() - 1
        result["stand_ins"] = stood_in
        if spec.get("stand_ins"):
            result["stand_in_calls"] = calls
        sys.stderr.flush()
        sys.stdout.flush()
        os.write(int(spec["result_fd"]), json.dumps(result).encode())
    finally:
        os._exit(code)
