"""Reads every Python file of an unpacked distribution as a syntax tree and writes what it finds as
JSON lines (facts) for PYTI's static rules. Nothing of the package is run: files are parsed with
Python's own ast, constant expressions are folded by this script's own small evaluator, and
encoded layers (base16/32/64/85, hex, zlib, gzip, lzma, bz2, Fernet with a constant key) are
decoded and, when they decode to Python, read again as code. marshal data is listed (its strings),
never loaded.

Usage: static_scan.py ROOT OUT.jsonl CONFIG.json

CONFIG.json: {"calls": [names or prefixes ending in "*" the rules look at],
              "max_file_bytes": N, "max_files": N, "max_seconds": N, "max_depth": N}

Facts (one JSON object a line, "t" says which):
  file    {file, role, parse: "ast"|"tokens"|"skipped", note, bytes}
  call    {file, line, layers, name, args, kw, taint, ctx, via}  via: the call a callable was handed to
  str     {file, line, layers, value}
  layer   {file, line, layers, text}   a decoded layer that is Python, read as code
  binary  {file, kind}                 an executable bundled in the distribution
  setup   {file, line, cmdclass, extra} what setup.py's setup() call declares and does
  done    {files, seconds, truncated}
"""
import ast
import base64
import binascii
import bz2
import codecs
import gzip
import io
import json
import lzma
import os
import re
import sys
import time
import tokenize
import zipfile
import zlib

MAX_VALUE = 4 << 20  # largest folded value kept
MAX_STR_OUT = 2000  # characters of a string or argument written out
MAX_STRS_PER_FILE = 4000
MAX_CALLS_PER_FILE = 4000
MAX_NODES = 400000  # syntax-tree nodes read per file

DECODERS = {
    "base64.b64decode": "base64", "base64.standard_b64decode": "base64", "base64.urlsafe_b64decode": "base64",
    "base64.decodebytes": "base64", "base64.decodestring": "base64", "binascii.a2b_base64": "base64",
    "base64.b32decode": "base32", "base64.b16decode": "base16", "base64.b85decode": "base85",
    "base64.a85decode": "ascii85", "binascii.unhexlify": "hex", "binascii.a2b_hex": "hex", "bytes.fromhex": "hex",
    "bytearray.fromhex": "hex",
    "zlib.decompress": "zlib", "gzip.decompress": "gzip", "lzma.decompress": "lzma", "bz2.decompress": "bz2",
    "marshal.loads": "marshal", "pickle.loads": "pickle",
}
# Calls that encode what they are given: their result is new bytes or text of the program's own
# making, not decoded data, whatever their argument was (cachetools' tests round-trip an object
# they unpickled: pickle.loads(pickle.dumps(cache)) unpickles nothing embedded).
ENCODERS = frozenset((
    "base64.b64encode", "base64.standard_b64encode", "base64.urlsafe_b64encode", "base64.encodebytes",
    "base64.b32encode", "base64.b16encode", "base64.b85encode", "base64.a85encode", "binascii.b2a_base64",
    "binascii.hexlify", "binascii.b2a_hex", "zlib.compress", "gzip.compress", "lzma.compress", "bz2.compress",
    "marshal.dumps", "pickle.dumps", "cPickle.dumps", "dill.dumps", "json.dumps",
))
# The decorators that make a function a chat bot's message handler (pyTelegramBotAPI, aiogram,
# discord.py, pyrogram, telethon, slack_bolt), by the last part of their name: the handler's
# parameters carry what a chat user sent, tainted "chat". The rules that read that taint also
# require a chat bot client in the file, which keeps the common words (command, event) apart from
# other frameworks.
CHAT_HANDLERS = frozenset(("message_handler", "channel_post_handler", "edited_message_handler", "callback_query_handler",
                           "inline_handler", "message", "on_message", "on", "command", "hybrid_command", "event",
                           "handler", "event_handler"))

DOWNLOADERS = ("urllib.request.urlopen", "urllib2.urlopen", "urllib.urlopen", "requests.get", "requests.post",
               "requests.request", "requests.Session.get", "httpx.get", "urllib3.PoolManager.request",
               "urllib.request.Request", "http.client.HTTPConnection.getresponse", "http.client.HTTPSConnection.getresponse")
PURE_STR_METHODS = {"lower", "upper", "strip", "lstrip", "rstrip", "replace", "format", "title", "swapcase",
                    "casefold", "zfill", "translate", "split", "rsplit"}
BUILTIN_MODULES = {"builtins", "__builtins__", "__builtin__"}
# The name of a call to a builtin whose name is computed at run time (getattr(builtins, name)).
DYNAMIC_BUILTIN = "builtins.<computed>"
EXEC_NAMES = ("exec", "eval", "compile", "execfile", "builtins.exec", DYNAMIC_BUILTIN)
# Callables that, passed as an argument (a trampoline, a thread target), are called all the same.
INDIRECT_EXACT = {"os.system", "os.popen", "os.startfile", "os.uname", "os.getlogin", "socket.gethostname",
                  "socket.getfqdn", "getpass.getuser", "platform.node", "platform.uname", "pty.spawn", "exec", "eval",
                  "builtins.exec", "builtins.eval"}
INDIRECT_PREFIXES = ("subprocess.", "os.exec", "os.spawn", "os.posix_spawn")
# Calls that take a callable without calling it.
NOT_CALLING = {"setattr", "getattr", "hasattr", "delattr", "isinstance", "issubclass", "callable", "id", "print",
               "repr", "str", "type", "hash", "vars", "dir", "len", "dict", "list", "tuple", "set", "frozenset",
               "functools.wraps", "functools.update_wrapper", "inspect.signature", "inspect.getsource",
               "inspect.getfile", "inspect.iscoroutinefunction", "inspect.isfunction", "inspect.isbuiltin",
               "unittest.mock.patch.object", "mock.patch.object", "unittest.mock.create_autospec", "mock.create_autospec"}


def indirect_callable(name):
    """Whether a callable named name, handed to another call, is one the rules must see called."""
    return bool(name) and (name in INDIRECT_EXACT or (name.startswith(INDIRECT_PREFIXES) and "." not in name[name.index(".") + 1:]))


class Budget(Exception):
    pass


def safe(s, n=MAX_STR_OUT):
    if isinstance(s, bytes):
        s = s.decode("utf-8", "backslashreplace")
    s = str(s)
    return s if len(s) <= n else s[:n] + "…"


def text_of(v):
    if isinstance(v, (bytes, bytearray)):
        try:
            return bytes(v).decode("utf-8")
        except UnicodeDecodeError:
            return None
    if isinstance(v, str):
        return v
    return None


CODE_HINT = re.compile(r"\b(import|exec|eval|def|print|open|os\.|subprocess|socket|requests|urllib|__import__|lambda|globals|locals|getattr|builtins|compile)\b")


def looks_like_python(text):
    """A decoded text is read as code when it parses and does something (a call or an import)."""
    if not text or len(text) < 8 or not CODE_HINT.search(text):
        return None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, (ast.Call, ast.Import, ast.ImportFrom)):
            return tree
    return None


OBF_NAME = re.compile(r"^_*(?:[O0]{6,}|[Il1]{6,}|(?=[O0]*[Il1])(?=[Il1]*[O0])[O0Il1]{8,}|0x[0-9a-f]{4,}|_0x[0-9a-f]{3,})$")


def confusable_name(n):
    """A long name spelt from two or three look-alike letters (xxwwxw, S2SS22, NMNMMN, jljiil,
    O0oOo0), as obfuscators write them: no word is."""
    return len(n) >= 12 and n.isascii() and n.isalnum() and 2 <= len(set(n)) <= 3


PY_C = re.compile(r"""python[\d.]*(?:\.exe)?\s+(?:-\w+\s+)*-c\s+(["'])(.+)\1""", re.S)
B64 = re.compile(r"^[A-Za-z0-9+/=\s_-]+$")
HEX = re.compile(r"^[0-9a-fA-F\s]+$")
B64_SHORT = re.compile(r"^[A-Za-z0-9+/]+={0,2}$")
ADDRESS = re.compile(r"(?i)\b(https?|ftp|wss?|tcp)://[\w.-]+|\b\d{1,3}(\.\d{1,3}){3}(:\d+)?\b")


def try_decode_blob(s):
    """Decodes a long string literal that is an encoded layer nobody visibly decodes (or decodes in a
    way the folder cannot follow): base64, reversed base64, hex, then decompression."""
    out = []
    cands = [(s, []), (s[::-1], ["reverse"])]
    for cand, chain in cands:
        c = cand.strip()
        if HEX.match(c) and len(c) % 2 == 0:
            try:
                out.append((binascii.unhexlify(re.sub(r"\s", "", c)), chain + ["hex"]))
                continue
            except (binascii.Error, ValueError):
                pass
        if B64.match(c):
            try:
                raw = base64.b64decode(c + "=" * (-len(c) % 4), altchars=b"-_" if ("-" in c or "_" in c) else None)
                out.append((raw, chain + ["base64"]))
            except (binascii.Error, ValueError):
                pass
    res = []
    for raw, chain in out:
        for _ in range(4):
            nxt = decompress_any(raw)
            if nxt is None:
                break
            raw, kind = nxt
            chain = chain + [kind]
        res.append((raw, chain))
    return res


# The first two bytes of a zlib stream (each compression level), a bzip2 stream, an xz stream and
# a gzip file.
COMPRESSED_MAGIC = frozenset((b"x\x01", b"x^", b"x\x9c", b"x\xda", b"BZ", b"\xfd7", b"\x1f\x8b"))


def decompress_any(raw):
    if not isinstance(raw, (bytes, bytearray)) or len(raw) < 4:
        return None
    for kind, fn in (("zlib", zlib.decompress), ("gzip", gzip.decompress), ("lzma", lzma.decompress), ("bz2", bz2.decompress)):
        try:
            d = bounded(fn, raw)
            return d, kind
        except Exception:
            continue
    return None


def bounded(fn, raw):
    if fn is zlib.decompress:
        d = zlib.decompressobj(wbits=47)
        out = d.decompress(bytes(raw), MAX_VALUE)
        return out
    if fn is gzip.decompress:
        with gzip.GzipFile(fileobj=io.BytesIO(bytes(raw))) as g:
            return g.read(MAX_VALUE)
    if fn is lzma.decompress:
        return lzma.LZMADecompressor().decompress(bytes(raw), MAX_VALUE)
    if fn is bz2.decompress:
        return bz2.BZ2Decompressor().decompress(bytes(raw), MAX_VALUE)
    return fn(raw)


def marshal_strings(raw):
    """The printable strings inside marshal data, without loading it."""
    return [m.decode("ascii") for m in re.findall(rb"[\x20-\x7e]{5,}", bytes(raw)[:MAX_VALUE])][:500]


# The builtins whose text (str, repr, __name__, __doc__) the folder knows, as this interpreter
# has them: functions, types and the site's copyright, credits and license objects. Code picks
# characters out of them to spell names without writing them.
BUILTIN_TEXT_ATTRS = ("__name__", "__qualname__", "__doc__")


def _builtin_texts():
    import builtins
    out = {}
    for k, v in vars(builtins).items():
        if k.startswith("_") or not (callable(v) or k in ("copyright", "credits", "license")):
            continue
        out[k] = v
    return out


BUILTIN_TEXTS = _builtin_texts()


def builtin_text(name, how):
    """str/repr/__name__/__doc__ of the builtin name, or None when it has none."""
    try:
        v = BUILTIN_TEXTS[name]
        if how == "__str__":
            r = str(v)
        elif how == "__repr__":
            r = repr(v)
        else:
            r = getattr(v, how, None)
        return r if isinstance(r, str) and len(r) <= MAX_VALUE else None
    except Exception:
        return None


class Val:
    """A folded value: the constant (or None when unknown), its taint and the chain of layers."""
    __slots__ = ("v", "taint", "chain")

    def __init__(self, v=None, taint=(), chain=()):
        self.v, self.taint, self.chain = v, frozenset(taint), tuple(chain)


UNKNOWN = Val()


def ctx_rank(c):
    return {"module": 0, "install": 0, "called": 1, "main": 2, "function": 3}.get(c, 3)


class Scanner:
    def __init__(self, out, cfg):
        self.out = out
        self.cfg = cfg
        exact, prefixes, suffixes = set(), [], []
        for c in cfg.get("calls", []):
            if c.startswith("*"):
                suffixes.append(c[1:])
            elif c.endswith("*"):
                prefixes.append(c[:-1])
            else:
                exact.add(c)
        self.watch_exact, self.watch_prefix, self.watch_suffix = exact, tuple(prefixes), tuple(suffixes)
        self.max_depth = cfg.get("max_depth", 8)
        # CPU time, not wall: the scanner runs at a low priority beside the analysis' other work, and
        # its limit bounds what it reads, not how long it waited for a CPU.
        self.deadline = time.process_time() + cfg.get("max_seconds", 240)
        self.seen_layers = set()
        self.fernet = None
        try:
            from cryptography.fernet import Fernet  # noqa: F401 (library code, no package code)
            self.fernet = Fernet
        except Exception:
            pass

    def emit(self, obj):
        self.out.write(json.dumps(obj, ensure_ascii=False) + "\n")

    def watched(self, name):
        return name in self.watch_exact or name.startswith(self.watch_prefix) or (self.watch_suffix and name.endswith(self.watch_suffix))

    # --- one file ---------------------------------------------------------------------------
    def scan_source(self, file, source, role, layers=(), line0=0, depth=0):
        """Parses source and reads it; returns how it was read."""
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError) as e:
            self.token_scan(file, source, layers, line0)
            return "tokens", "%s: %s" % (type(e).__name__, safe(str(e), 200))
        FileReader(self, file, role, layers, line0, depth).read(tree)
        return "ast", ""

    def token_scan(self, file, source, layers, line0):
        """Fallback for code that does not parse (Python 2): strings and dotted calls from tokens."""
        if isinstance(source, bytes):
            source = source.decode("utf-8", "replace")
        strs, calls = 0, 0
        prev = []
        try:
            toks = list(tokenize.generate_tokens(io.StringIO(source).readline))
        except (tokenize.TokenError, SyntaxError, IndentationError, ValueError):
            toks = []
            for i, l in enumerate(source.splitlines()):
                for m in re.finditer(r"'([^'\n]*)'|\"([^\"\n]*)\"", l):
                    toks.append(tokenize.TokenInfo(tokenize.STRING, m.group(0), (i + 1, 0), (i + 1, 0), l))
                for m in re.finditer(r"[A-Za-z_][\w.]*\s*\(|[A-Za-z_]\w*", l):
                    toks.append(tokenize.TokenInfo(tokenize.NAME, m.group(0).rstrip("( \t"), (i + 1, 0), (i + 1, 0), l))
        for idx, tok in enumerate(toks):
            line = tok.start[0] + line0
            if tok.type == tokenize.STRING:
                try:
                    v = ast.literal_eval(tok.string)
                except Exception:
                    v = tok.string.strip("'\"")
                t = text_of(v)
                if t and strs < MAX_STRS_PER_FILE:
                    strs += 1
                    self.emit({"t": "str", "file": file, "line": line, "layers": list(layers), "value": safe(t), "ctx": "module"})
                    if len(t) >= 64:
                        self.blob(file, line, t, "module", layers, 0, "module")
            if tok.type == tokenize.NAME:
                name = tok.string
                j = idx + 1
                while j + 1 < len(toks) and toks[j].string == "." and toks[j + 1].type == tokenize.NAME:
                    name += "." + toks[j + 1].string
                    j += 2
                nxt = toks[j].string if j < len(toks) else ""
                is_stmt = name in ("exec", "print") and nxt not in ("(", "=", ".")
                if (nxt == "(" or is_stmt) and calls < MAX_CALLS_PER_FILE and self.watched(name):
                    args = []
                    k = j + 1 if nxt == "(" else j
                    while k < len(toks) and k < j + 12 and toks[k].string not in (")",):
                        if toks[k].type == tokenize.STRING:
                            try:
                                args.append(safe(text_of(ast.literal_eval(toks[k].string)) or ""))
                            except Exception:
                                pass
                        k += 1
                    calls += 1
                    self.emit({"t": "call", "file": file, "line": line, "layers": list(layers), "name": name,
                               "args": args, "kw": {}, "taint": [], "ctx": "module"})

    def blob(self, file, line, s, ctx, layers, depth, role):
        """A long literal that decodes (possibly through compression) to Python is read as code."""
        if depth >= self.max_depth or len(s) < 64:
            return
        for raw, chain in try_decode_blob(s):
            text = text_of(raw)
            if text is None:
                continue
            if looks_like_python(text) is not None:
                self.layer(file, line, layers, chain, text, role, depth)
                return

    def read_code(self, file, line, layers, how, text, role, depth, hidden=False):
        """Reads text as code, once per file, with how it was reached in its layers. Code that was
        hidden (decoded) also gets a layer fact; a plain string that is exec'd does not, so that
        its calls are judged like any other."""
        key = (file, hash(text))
        if key in self.seen_layers:
            return
        self.seen_layers.add(key)
        nl = list(layers) + ["line %d: %s" % (line, how)]
        if hidden:
            self.emit({"t": "layer", "file": file, "line": line, "layers": nl, "text": safe(text, 600)})
        if depth + 1 < self.max_depth:
            self.scan_source(file, text, role, nl, line0=0, depth=depth + 1)

    def layer(self, file, line, layers, chain, text, role, depth):
        self.read_code(file, line, layers, "+".join(chain) or "code", text, role, depth, hidden=True)


STMT_LISTS = ("body", "orelse", "finalbody", "handlers", "cases")


def iter_stmts(tree):
    """Every statement of a module, nested ones included, without walking expressions."""
    stack = list(reversed(tree.body))
    while stack:
        node = stack.pop()
        yield node
        for f in STMT_LISTS:
            v = getattr(node, f, None)
            if v:
                stack.extend(reversed(v))


class FileReader:
    """Reads one module's tree: aliases, constants, taint, and the calls and strings to report."""

    def __init__(self, sc, file, role, layers, line0, depth):
        self.sc, self.file, self.role, self.layers, self.line0, self.depth = sc, file, role, list(layers), line0, depth
        self.alias = {}  # local name -> dotted name it stands for
        self.consts = {}  # name -> ast expression assigned once
        self.tainted = {}  # name -> taint set
        self.writers = {}  # name of a file opened for writing -> the name of its path
        self.readers = set()  # names of files opened for reading (with open(...) as f)
        self.lines = {}  # name of a for loop's line of a file opened for reading -> that file's name
        self.strs = set()
        self.calls = 0
        self.nodes = 0
        self.hooks = set()  # classes overriding setuptools commands
        self.called_at_import = set()
        self.folding = set()
        self.env = {}  # name -> Val, as assigned so far in reading order
        self.funcs = {}  # function or lambda name -> its node
        self.methods = {}  # method name -> its node
        self.classes = set()  # names of the classes the module defines
        self.decoder_funcs = {}
        self.inlining = 0

    def emit(self, obj):
        obj.setdefault("file", self.file)
        obj.setdefault("layers", self.layers)
        self.sc.emit(obj)

    # --- set-up passes ---
    def read(self, tree):
        self.method_ids = {id(m) for c in iter_stmts(tree) if isinstance(c, ast.ClassDef) for m in c.body}
        for node in iter_stmts(tree):
            self.nodes += 1
            if self.nodes > MAX_NODES:
                self.emit({"t": "note", "line": 0, "text": "stopped after %d syntax nodes" % MAX_NODES})
                break
            if isinstance(node, ast.Import):
                for a in node.names:
                    self.alias[a.asname or a.name.split(".")[0]] = a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module:
                for a in node.names:
                    self.alias[a.asname or a.name] = node.module + "." + a.name
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                n = node.targets[0].id
                self.consts[n] = node.value if n not in self.consts else None
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)) and isinstance(node.target, ast.Name):
                if isinstance(node, ast.AugAssign):
                    self.consts[node.target.id] = None
            elif isinstance(node, ast.ClassDef):
                self.classes.add(node.name)
                for m in node.body:
                    if isinstance(m, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        self.methods[m.name] = m if m.name not in self.methods else None
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and id(node) not in self.method_ids:
                self.funcs[node.name] = node if node.name not in self.funcs else None
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and isinstance(node.value, ast.Lambda):
                self.funcs[node.targets[0].id] = node.value
            if isinstance(node, ast.ClassDef):
                for b in node.bases:
                    bn = self.dotted(b) or ""
                    if bn.split(".")[-1] in INSTALL_COMMANDS + ("Command",):
                        self.hooks.add(node.name)
        if self.role == "setup":
            self.hooks -= self.idle_commands(tree)
        # Names bound to a call of __import__/getattr/importlib are aliases, not constants; a
        # name bound to an object made by a known callable stands for it (s = socket.socket();
        # s.connect is socket.socket.connect).
        for n, expr in list(self.consts.items()):
            if isinstance(expr, (ast.Call, ast.Attribute, ast.Subscript)):
                d = self.dotted(expr)
                if d and "(" not in d:
                    self.alias.setdefault(n, d)
                elif isinstance(expr, ast.Call):
                    f = self.dotted(expr.func)
                    if f and "(" not in f and "." in f:
                        self.alias.setdefault(n, f)
        self.bind_builtin_names(tree, 0)
        # Functions that run at import or install: called from module-level code or from the
        # command hooks setup.py installs, and what those call in turn (by name).
        roots, main_roots = [], []
        # A package's __main__.py runs when someone runs the package (`python -m pkg`), as a
        # module's main block does; importing the package does not run it (pyperclip 1.8.2's).
        as_main = self.role == "module" and self.depth == 0 and os.path.basename(self.file) == "__main__.py"
        for stmt in tree.body:
            if as_main:
                if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    main_roots.append(stmt)
            elif isinstance(stmt, ast.ClassDef) and stmt.name in self.hooks:
                roots.extend(stmt.body)
            elif isinstance(stmt, ast.If) and self.role == "setup" and self.is_main(stmt.test):
                roots.extend(stmt.body + stmt.orelse)  # setup.py's main block: install time
            elif isinstance(stmt, ast.If) and (self.is_main(stmt.test) or self.manual_command(stmt.test)):
                main_roots.extend(stmt.body)
                roots.extend(stmt.orelse)
            elif not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                roots.append(stmt)
        self.called_at_import = self.reachable(roots)
        self.called_from_main = self.reachable(main_roots) - self.called_at_import
        self.obfuscation(tree)
        self.visit_body(tree.body, "install" if self.role == "setup" else "main" if as_main else "module", in_hook=False)
        if self.role == "setup" and self.depth == 0:
            self.setup_fact(tree)

    # --- names ---
    def bind_builtin_names(self, tree, depth):
        """setattr(builtins, "x", exec) makes x a name of exec everywhere after it, also when the
        setattr sits in a constant string that is exec'd."""
        seen = 0
        for node in ast.walk(tree):
            seen += 1
            if seen > MAX_NODES:
                return
            if type(node) is not ast.Call or not node.args:
                continue
            fn = self.dotted(node.func)
            if fn == "setattr" and len(node.args) >= 3 and self.dotted(node.args[0]) in BUILTIN_MODULES:
                key, target = self.fold(node.args[1]).v, self.dotted(node.args[2])
                if isinstance(key, str) and target and "(" not in target:
                    self.alias[key] = target
            elif fn in EXEC_NAMES and depth < 2:
                code = text_of(self.fold(node.args[0]).v)
                if code and len(code) <= 200000 and "setattr" in code:
                    try:
                        inner = ast.parse(code)
                    except Exception:
                        continue
                    self.bind_builtin_names(inner, depth + 1)

    def dotted(self, node, depth=0):
        """The dotted name an expression stands for, resolving aliases and dynamic look-ups."""
        if depth > 30:
            return None
        if isinstance(node, ast.Name):
            n = node.id
            if n in self.alias and self.alias[n] != n:
                a = self.alias[n]
                return a
            return n
        if isinstance(node, ast.Attribute):
            base = self.dotted(node.value, depth + 1)
            if base is None:
                return None
            if base in BUILTIN_MODULES or base.endswith(".__dict__") and base[:-9] in BUILTIN_MODULES:
                return node.attr
            return base + "." + node.attr
        if isinstance(node, ast.Call):
            fn = self.dotted(node.func, depth + 1)
            args = node.args
            if fn in ("__import__", "importlib.import_module", "importlib.__import__") and args:
                v = self.fold(args[0]).v
                if isinstance(v, str):
                    return v
            if fn == "getattr" and len(args) >= 2:
                attr = self.fold(args[1]).v
                base = self.dotted(args[0], depth + 1)
                if isinstance(attr, str) and base is not None:
                    if base in BUILTIN_MODULES or base in ("globals()", "locals()"):
                        return attr
                    return base + "." + attr
                if attr is None and base in BUILTIN_MODULES:
                    return DYNAMIC_BUILTIN  # a builtin chosen at run time: exec, eval, ... hidden
            if fn in ("globals", "locals", "vars") and not args:
                return fn + "()"
            if fn == "eval" and args:
                # eval("exec") / eval("__import__('os').system") names a callable
                v = self.fold(args[0]).v
                if isinstance(v, str) and re.fullmatch(r"[\w.]+", v):
                    return v
            return None
        if isinstance(node, ast.Subscript):
            base = self.dotted(node.value, depth + 1)
            key = self.fold(node.slice).v
            if isinstance(key, str) and base in ("globals()", "locals()", "vars()", "__builtins__", "builtins.__dict__",
                                                "__builtins__.__dict__", "sys.modules"):
                return key
            if key is None and base in ("__builtins__", "builtins.__dict__", "__builtins__.__dict__"):
                return DYNAMIC_BUILTIN
            return None
        return None

    def builtin_name(self, node):
        """The name of the builtin that node names (a bare name the module never binds), or None."""
        if isinstance(node, ast.Name) and node.id in BUILTIN_TEXTS and node.id not in self.consts \
                and node.id not in self.env and node.id not in self.tainted:
            return node.id
        return None

    # --- constant folding ---
    def fold(self, node, depth=0):
        try:
            return self._fold(node, depth)
        except (Budget, RecursionError, MemoryError, OverflowError):
            return UNKNOWN
        except Exception:
            return UNKNOWN

    def _fold(self, node, depth):
        if depth > 400:
            raise Budget()
        f = lambda n: self._fold(n, depth + 1)  # noqa: E731
        if isinstance(node, ast.Constant):
            return Val(node.value)
        if isinstance(node, ast.Name):
            if node.id in self.env:
                return self.env[node.id]
            if node.id in self.tainted:
                return Val(None, self.tainted[node.id])
            expr = self.consts.get(node.id)
            if expr is not None and node.id not in self.folding:
                self.folding.add(node.id)
                try:
                    return f(expr)
                finally:
                    self.folding.discard(node.id)
            return UNKNOWN
        if isinstance(node, ast.UnaryOp):
            x = f(node.operand)
            if isinstance(x.v, int) and isinstance(node.op, (ast.USub, ast.Invert, ast.UAdd)):
                return Val(-x.v if isinstance(node.op, ast.USub) else (~x.v if isinstance(node.op, ast.Invert) else x.v), x.taint)
            return Val(None, x.taint, x.chain)
        if isinstance(node, ast.JoinedStr):
            parts, taint, chain = [], set(), []
            for v in node.values:
                x = f(v.value) if isinstance(v, ast.FormattedValue) else f(v)
                taint |= x.taint
                if not isinstance(x.v, (str, int, float)):
                    taint.add("partial")
                parts.append(x.v if isinstance(x.v, str) else ("{}" if not isinstance(x.v, (int, float)) else str(x.v)))
            return Val("".join(parts), taint)
        if isinstance(node, ast.BinOp):
            a, b = f(node.left), f(node.right)
            taint = a.taint | b.taint
            chain = a.chain + b.chain
            av, bv = a.v, b.v
            try:
                if isinstance(node.op, ast.Add) and type(av) is type(bv) and isinstance(av, (str, bytes, list, int)):
                    if isinstance(av, (str, bytes, list)) and len(av) + len(bv) > MAX_VALUE:
                        raise Budget()
                    return Val(av + bv, taint, chain)
                if isinstance(node.op, ast.Add) and isinstance(av, str) and bv is None:
                    return Val(av + "{}", taint | {"partial"}, chain)
                if isinstance(node.op, ast.Add) and isinstance(bv, str) and av is None:
                    return Val("{}" + bv, taint | {"partial"}, chain)
                if isinstance(node.op, ast.Mult) and isinstance(av, (str, bytes, list)) and isinstance(bv, int):
                    if len(av) * bv > MAX_VALUE:
                        raise Budget()
                    return Val(av * bv, taint, chain)
                if isinstance(node.op, ast.Mod) and isinstance(av, str):
                    if bv is None or (isinstance(bv, list) and None in bv):
                        return Val(re.sub(r"%[-\d.]*[sdrxfi]", "{}", av), taint | {"partial"}, chain)
                    try:
                        return Val(av % (tuple(bv) if isinstance(bv, list) else bv), taint, chain)
                    except Exception:
                        return Val(av, taint, chain)
                if isinstance(av, int) and isinstance(bv, int) and abs(av) < 1 << 64 and abs(bv) < 1 << 64:
                    # Integer arithmetic that builds character codes ((7 << 4) - 1, 0x3f ^ 12, ...);
                    # a result that grows past 128 bits is left unknown.
                    ops = {ast.Add: lambda: av + bv, ast.Sub: lambda: av - bv, ast.BitXor: lambda: av ^ bv,
                           ast.BitOr: lambda: av | bv, ast.BitAnd: lambda: av & bv,
                           ast.Mult: lambda: av * bv if abs(bv) < 1 << 20 else None,
                           ast.LShift: lambda: av << bv if 0 <= bv and av.bit_length() + bv <= 128 else None,
                           ast.RShift: lambda: av >> bv if 0 <= bv else None,
                           ast.FloorDiv: lambda: av // bv if bv else None,
                           ast.Div: lambda: av / bv if bv else None,
                           ast.Mod: lambda: av % bv if bv else None,
                           ast.Pow: lambda: av ** bv if 0 <= bv and av.bit_length() * bv <= 128 else None}
                    op = ops.get(type(node.op))
                    if op:
                        return Val(op(), taint)
            except TypeError:
                pass
            return Val(None, taint, chain)
        if isinstance(node, (ast.List, ast.Tuple)):
            items = [f(e) for e in node.elts[:100000]]
            taint = frozenset().union(*[i.taint for i in items]) if items else frozenset()
            if all(i.v is not None for i in items):
                return Val([i.v for i in items], taint)
            return Val(None, taint)
        if isinstance(node, ast.Subscript):
            base = f(node.value)
            if isinstance(node.slice, ast.Slice):
                lo = f(node.slice.lower).v if node.slice.lower else None
                hi = f(node.slice.upper).v if node.slice.upper else None
                st = f(node.slice.step).v if node.slice.step else None
                if isinstance(base.v, (str, bytes, list)) and all(x is None or isinstance(x, int) for x in (lo, hi, st)) and st != 0:
                    return Val(base.v[lo:hi:st], base.taint, base.chain + (("reverse",) if st == -1 else ()))
                return Val(None, base.taint, base.chain)
            idx = f(node.slice).v
            if isinstance(base.v, (str, bytes, list)) and isinstance(idx, int):
                try:
                    return Val(base.v[idx], base.taint, base.chain)
                except IndexError:
                    pass
            return Val(None, base.taint, base.chain)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp)) and len(node.generators) == 1:
            g = node.generators[0]
            it = f(g.iter)
            # for x in ..., or for a, b in zip(...): the target's names are bound to each item
            if isinstance(g.target, ast.Name):
                names = [g.target.id]
            elif isinstance(g.target, ast.Tuple) and all(isinstance(e, ast.Name) for e in g.target.elts):
                names = [e.id for e in g.target.elts]
            else:
                names = None
            if names and isinstance(it.v, (str, bytes, list)) and not g.ifs and len(it.v) <= 200000:
                saved = {n: (self.consts.get(n), n in self.consts) for n in names}
                res = []
                try:
                    for x in it.v:
                        items = [x] if len(names) == 1 else x
                        if not isinstance(items, list) or len(items) != len(names):
                            return Val(None, it.taint)
                        for n, v in zip(names, items):
                            self.consts[n] = ast.Constant(v)
                        r = f(node.elt)
                        if r.v is None:
                            return Val(None, it.taint | r.taint)
                        res.append(r.v)
                finally:
                    for n, (v, had) in saved.items():
                        if had:
                            self.consts[n] = v
                        else:
                            self.consts.pop(n, None)
                return Val(res, it.taint, it.chain)
            return Val(None, it.taint)
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            # Not folded; what it is built from still taints it.
            taint = set()
            for g in node.generators:
                taint |= f(g.iter).taint
            return Val(None, taint | f(node.elt).taint)
        if isinstance(node, ast.Call):
            return self.fold_call(node, f)
        if isinstance(node, ast.Attribute):
            builtin = self.builtin_name(node.value) if node.attr in BUILTIN_TEXT_ATTRS else None
            if builtin is not None:
                return Val(builtin_text(builtin, node.attr))
            base = f(node.value)
            return Val(None, base.taint, base.chain)
        if isinstance(node, ast.Await):
            return f(node.value)
        return UNKNOWN

    def fold_call(self, node, f):
        name = self.dotted(node.func) or ""
        args = [f(a) for a in node.args[:8]]
        taint = frozenset().union(*[a.taint for a in args]) if args else frozenset()
        chain = tuple(c for a in args for c in a.chain)
        a0 = args[0].v if args else None
        method = node.func.attr if isinstance(node.func, ast.Attribute) else None
        recv = f(node.func.value) if method else None
        short = name.split(".")[-1]
        fn_node = self.user_func(node.func)
        if fn_node is not None:
            r = self.inline(fn_node, node, args, isinstance(node.func, ast.Attribute))
            if r is not None:
                return r
            if self.is_decoder(fn_node):
                return Val(None, taint | {"decoded"}, chain + ("decode function",))
            if self.is_downloader(fn_node):
                return Val(None, taint | {"downloaded"}, chain)
        if name in ("os.path.join", "posixpath.join", "ntpath.join") and args and any(isinstance(a.v, str) for a in args) \
                and all(isinstance(a.v, str) or a.v is None for a in args):
            # Unknown parts (the home directory) stay "{}", as in a partly known f-string:
            # join(home, "Library", "LaunchAgents") is "{}/Library/LaunchAgents".
            sep = "\\" if name == "ntpath.join" else "/"
            parts = [a.v if isinstance(a.v, str) else "{}" for a in args]
            if any(a.v is None for a in args):
                taint = taint | {"partial"}
            return Val(sep.join(p.rstrip("/\\") if i < len(parts) - 1 else p for i, p in enumerate(parts)), taint, chain)
        # The text of a builtin (oct.__str__(), str(copyright), repr(len)): characters picked
        # from it spell names, as getattr(__builtins__, oct.__str__()[-3] + ...) spells chr.
        if method in ("__str__", "__repr__") and not node.args and self.builtin_name(node.func.value) is not None:
            return Val(builtin_text(self.builtin_name(node.func.value), method))
        if name in ("str", "repr") and len(node.args) == 1 and self.builtin_name(node.args[0]) is not None:
            return Val(builtin_text(self.builtin_name(node.args[0]), "__" + name + "__"))
        if name == "chr" and isinstance(a0, int) and 0 <= a0 < 0x110000:
            return Val(chr(a0), taint)
        if name == "ord" and isinstance(a0, str) and len(a0) == 1:
            return Val(ord(a0), taint)
        if name in ("str", "bytes", "bytearray") and len(args) <= 2:
            if name == "str" and isinstance(a0, str):
                return Val(a0, taint, chain)
            if name == "str" and isinstance(a0, bytes) and len(args) == 2:
                return Val(a0.decode("utf-8", "replace"), taint, chain)
            if name in ("bytes", "bytearray") and isinstance(a0, list) and all(isinstance(x, int) and 0 <= x < 256 for x in a0):
                return Val(bytes(a0), taint, chain)
            if name in ("bytes", "bytearray") and isinstance(a0, str) and len(args) == 2:
                return Val(a0.encode("utf-8", "replace"), taint, chain)
            return Val(None, taint, chain)
        if name == "zip" and args and all(isinstance(a.v, (str, bytes, list)) for a in args):
            return Val([list(t) for t in zip(*[a.v for a in args])][:200000], taint, chain)
        if name in ("reversed", "list", "tuple", "sorted") and isinstance(a0, (str, bytes, list)):
            v = list(a0)
            return Val(v[::-1] if name == "reversed" else v, taint, chain + (("reverse",) if name == "reversed" else ()))
        # Numbers spelt through floats: int(float("116")), int(float(2 * 7 / 7)).
        if name == "float" and len(args) == 1 and isinstance(a0, (int, float, str)) and not isinstance(a0, bool):
            try:
                return Val(float(a0), taint)
            except (ValueError, OverflowError):
                return Val(None, taint)
        if name == "int" and len(args) == 1 and isinstance(a0, float) and abs(a0) < 1e18:
            return Val(int(a0), taint)
        if name == "int" and isinstance(a0, str):
            try:
                return Val(int(a0, args[1].v if len(args) > 1 and isinstance(args[1].v, int) else 10), taint)
            except ValueError:
                return Val(None, taint)
        if name in ("map",) and len(args) == 2 and isinstance(args[1].v, (list, str, bytes)):
            fn = self.dotted(node.args[0])
            if fn == "chr" and all(isinstance(x, int) and 0 <= x < 0x110000 for x in args[1].v):
                return Val([chr(x) for x in args[1].v], taint)
            return Val(None, taint)
        if name in ("compile",) and args:
            return Val(a0, args[0].taint | {"compiled"}, chain)
        if method in ("decrypt", "decrypt_and_verify") and recv is not None:  # Fernet, AES (pycryptodome's GCM/EAX too)
            return self.fernet(node, recv, args, taint | recv.taint, chain)
        if name in ENCODERS:
            return Val(None, taint - {"decoded"}, chain)
        if name in DECODERS or (name == "codecs.decode" and len(args) >= 2):
            kind = DECODERS.get(name) or str(args[1].v)
            return self.decode(kind, a0, taint | {"decoded"}, chain)
        if method in ("fromhex",):
            return self.decode("hex", a0, taint | {"decoded"}, chain)
        if method in ("b64decode", "b32decode", "b16decode", "b85decode", "a85decode", "decompress", "unhexlify", "decodebytes"):
            kind = {"b64decode": "base64", "b32decode": "base32", "b16decode": "base16", "b85decode": "base85",
                    "a85decode": "ascii85", "unhexlify": "hex", "decodebytes": "base64"}.get(method, "zlib-any")
            return self.decode(kind, a0, taint | {"decoded"}, chain)
        if name.startswith(DOWNLOADERS) or short in ("urlopen", "urlretrieve"):
            return Val(None, taint | {"downloaded"})
        if method is not None and recv is not None:
            rv, rt = recv.v, recv.taint | taint
            if method == "join" and isinstance(rv, (str, bytes)) and isinstance(a0, list) and all(type(x) is type(rv) for x in a0):
                if sum(len(x) for x in a0) > MAX_VALUE:
                    raise Budget()
                return Val(rv.join(a0), rt, recv.chain + chain)
            if method == "join" and isinstance(rv, (str, bytes)):
                return Val(None, rt, recv.chain + chain)
            if method == "decode" and isinstance(rv, (bytes, bytearray)):
                enc = a0 if isinstance(a0, str) else "utf-8"
                try:
                    return Val(bytes(rv).decode(enc, "replace") if enc.lower().replace("-", "") in ("utf8", "ascii", "latin1", "") else codecs.decode(bytes(rv), enc), rt, recv.chain)
                except Exception:
                    return Val(None, rt, recv.chain)
            if method == "decode" and isinstance(rv, str) and isinstance(a0, str):
                return self.decode(a0, rv, rt | {"decoded"}, recv.chain)
            if method == "encode" and isinstance(rv, str):
                enc = a0 if isinstance(a0, str) else "utf-8"
                if enc.lower() in ("rot13", "rot_13"):
                    return Val(codecs.encode(rv, "rot13"), rt | {"decoded"}, recv.chain + ("rot13",))
                try:
                    return Val(rv.encode(enc, "replace"), rt, recv.chain)
                except Exception:
                    return Val(rv.encode("utf-8", "replace"), rt, recv.chain)
            if method in PURE_STR_METHODS and isinstance(rv, (str, bytes)):
                try:
                    vals = [a.v for a in args]
                    if any(v is None for v in vals):
                        return Val(None, rt, recv.chain)
                    r = getattr(rv, method)(*vals)
                    if isinstance(r, (str, bytes)) and len(r) > MAX_VALUE:
                        raise Budget()
                    return Val(r, rt, recv.chain)
                except (TypeError, ValueError, AttributeError, KeyError, IndexError):
                    return Val(None, rt, recv.chain)
            if method in ("read", "text", "content", "json", "readlines", "getvalue", "read_text", "read_bytes") and "downloaded" in rt:
                return Val(None, rt)
            return Val(None, rt, recv.chain)
        return Val(None, taint, chain)

    def reachable(self, roots):
        """Names of the module's functions (and of methods, through self.x) that code in roots
        calls, directly or through each other. Function bodies nested in roots are not entered."""
        out = set()
        todo = list(roots)
        while todo and len(out) < 5000:
            node = todo.pop()
            if isinstance(node, ast.Call):
                fn = node.func
                target = None
                if isinstance(fn, ast.Name) and fn.id not in out:
                    out.add(fn.id)
                    target = self.funcs.get(fn.id)
                elif isinstance(fn, ast.Attribute) and isinstance(fn.value, ast.Name) and fn.value.id in ("self", "cls") and fn.attr not in out:
                    out.add(fn.attr)
                    target = self.methods.get(fn.attr)
                if isinstance(target, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    todo.extend(target.body)
                elif isinstance(target, ast.Lambda):
                    todo.append(target.body)
                # A function handed over to be called (a thread target, atexit, a wrapper).
                for a in list(node.args) + [k.value for k in node.keywords]:
                    if isinstance(a, ast.Name) and a.id in self.funcs and a.id not in out:
                        out.add(a.id)
                        t2 = self.funcs[a.id]
                        if isinstance(t2, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            todo.extend(t2.body)
            if isinstance(node, ast.For) and isinstance(node.iter, (ast.Tuple, ast.List)):
                # for step in (f, g): step() -- the functions listed are called
                for a in node.iter.elts:
                    if isinstance(a, ast.Name) and a.id in self.funcs and a.id not in out:
                        out.add(a.id)
                        t2 = self.funcs[a.id]
                        if isinstance(t2, (ast.FunctionDef, ast.AsyncFunctionDef)):
                            todo.extend(t2.body)
            for child in ast.iter_child_nodes(node):
                if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                    todo.append(child)
        return out

    def obfuscation(self, tree):
        """Names made to be unreadable (O0O0O0, IlIlIl, _0x1f2e) are the mark of an obfuscator."""
        names = set()
        for st in iter_stmts(tree):
            if isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(st.name)
            elif isinstance(st, ast.Assign):
                for tg in st.targets:
                    for n in ([tg] if isinstance(tg, ast.Name) else getattr(tg, "elts", [])):
                        if isinstance(n, ast.Name):
                            names.add(n.id)
        for node in ast.walk(tree):
            if isinstance(node, ast.Lambda):
                names.update(a.arg for a in node.args.args)
        odd = sorted(n for n in names if OBF_NAME.match(n) or confusable_name(n))
        # Long names spelt from one small set of non-ASCII characters (馬女水口目人..., 16 a
        # name): an obfuscator's alphabet. Names written in a language are words, and a file's
        # words draw on many more characters.
        alien = sorted(n for n in names if len(n) >= 12 and not n.isascii() and not re.search(r"[A-Za-z]", n))
        if len(alien) >= 5 and len(set("".join(alien))) <= 24:
            odd += alien
        if len(odd) >= 3:
            self.emit({"t": "obfuscation", "line": 0, "text": "unreadable names: " + ", ".join(odd[:5])})

    def user_func(self, func):
        """The function of this module a call reaches (by name, or a method by its name)."""
        if isinstance(func, ast.Name) and func.id not in self.alias:
            return self.funcs.get(func.id)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("self", "cls"):
            return self.methods.get(func.attr)
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            # obj.method() where obj = SomeClass() of this module
            made = self.consts.get(func.value.id)
            if isinstance(made, ast.Call) and isinstance(made.func, ast.Name) and made.func.id in self.classes:
                return self.methods.get(func.attr)
        return None

    def is_downloader(self, fn):
        """A function of the module that returns what it fetched from the network."""
        key = ("dl", id(fn))
        if key not in self.decoder_funcs:
            self.decoder_funcs[key] = False
            for n in ast.walk(fn):
                if isinstance(n, ast.Call):
                    d = self.dotted(n.func) or ""
                    if d in DOWNLOADERS or d.endswith(("urlopen", "build_opener.open", "urlretrieve")):
                        self.decoder_funcs[key] = True
                        break
        return self.decoder_funcs[key]

    def inline(self, fn, call, args, method):
        """Folds a call of a small function of the module (assignments and a return) with its
        arguments bound: decode helpers written by the package itself fold like the real ones."""
        if self.inlining >= 3:
            return None
        params = fn.args.args[1:] if method and fn.args.args and fn.args.args[0].arg in ("self", "cls") else fn.args.args
        if len(args) > len(params):
            return None
        if isinstance(fn, ast.Lambda):
            body = [ast.Return(fn.body)]
        else:
            body = [st for st in fn.body if not (isinstance(st, ast.Expr) and isinstance(st.value, ast.Constant))]
            if len(body) > 12 or not all(isinstance(st, (ast.Assign, ast.Return)) for st in body):
                return None
        saved = self.env
        self.env = dict(saved)
        for p in params:
            self.env.pop(p.arg, None)
        for p, a in zip(params, args):
            self.env[p.arg] = a
        self.inlining += 1
        try:
            for st in body:
                if isinstance(st, ast.Return):
                    return self._fold(st.value, 0) if st.value is not None else None
                if len(st.targets) != 1 or not isinstance(st.targets[0], ast.Name):
                    return None
                self.env[st.targets[0].id] = self._fold(st.value, 0)
            return None
        finally:
            self.inlining -= 1
            self.env = saved

    def chat_handler(self, fn):
        """Whether fn is decorated as a chat bot's message handler (CHAT_HANDLERS)."""
        for d in fn.decorator_list:
            name = self.dotted(d.func if isinstance(d, ast.Call) else d) or ""
            if "." in name and name.split(".")[-1] in CHAT_HANDLERS:
                return True
        return False

    def is_decoder(self, fn):
        """A function of the module that decodes, decompresses or decrypts what it is given."""
        key = id(fn)
        if key not in self.decoder_funcs:
            self.decoder_funcs[key] = False
            for n in ast.walk(fn):
                if isinstance(n, ast.Call):
                    d = self.dotted(n.func) or ""
                    m = n.func.attr if isinstance(n.func, ast.Attribute) else ""
                    if d in DECODERS or m in ("b64decode", "b32decode", "b16decode", "b85decode", "a85decode", "decompress", "unhexlify", "decrypt", "fromhex"):
                        self.decoder_funcs[key] = True
                        break
        return self.decoder_funcs[key]

    def decode(self, kind, v, taint, chain):
        kind = (kind or "").lower().replace("-", "_")
        if v is None:
            return Val(None, taint, chain)
        if isinstance(v, str):
            vb = v.encode("latin-1", "replace")
        elif isinstance(v, (bytes, bytearray)):
            vb = bytes(v)
        else:
            return Val(None, taint, chain)
        try:
            if kind in ("base64", "b64", "base_64", "base64_codec"):
                r = base64.b64decode(vb + b"=" * (-len(vb.strip()) % 4), altchars=b"-_" if (b"-" in vb or b"_" in vb) else None)
            elif kind == "base32":
                r = base64.b32decode(vb + b"=" * (-len(vb) % 8))
            elif kind in ("base16", "hex", "hex_codec"):
                r = binascii.unhexlify(re.sub(rb"\s", b"", vb))
            elif kind == "base85":
                r = base64.b85decode(vb)
            elif kind == "ascii85":
                r = base64.a85decode(vb)
            elif kind in ("rot13", "rot_13"):
                return Val(codecs.decode(vb.decode("latin-1"), "rot13"), taint, chain + ("rot13",))
            elif kind in ("zlib", "zlib_codec", "gzip", "lzma", "bz2", "zlib_any"):
                d = decompress_any(vb)
                if d is None:
                    return Val(None, taint, chain + (kind,))
                r, kind = d
            elif kind == "marshal":
                strs = marshal_strings(vb)
                self.emit({"t": "layer", "line": self.cur_line, "layers": self.layers + ["marshal"],
                           "text": safe("marshal data (not loaded), strings: " + " | ".join(strs), 600)})
                for s in strs:
                    self.string(s, self.cur_line, extra_layers=["marshal"])
                return Val(None, taint | {"marshal"}, chain + ("marshal",))
            else:
                return Val(None, taint, chain + (kind,))
        except (binascii.Error, ValueError, TypeError, EOFError, OSError, lzma.LZMAError):
            return Val(None, taint, chain + (kind,))
        if len(r) > MAX_VALUE:
            raise Budget()
        return Val(r, taint, chain + (kind,))

    def fernet(self, node, recv, args, taint, chain):
        taint = taint | {"decrypted"}
        # recv is Fernet(key): fold the key from the constructor call.
        rnode = node.func.value
        key = None
        if isinstance(rnode, ast.Call) and rnode.args:
            key = self.fold(rnode.args[0]).v
        elif isinstance(rnode, ast.Name) and isinstance(self.consts.get(rnode.id), ast.Call) and self.consts[rnode.id].args:
            key = self.fold(self.consts[rnode.id].args[0]).v
        tok = args[0].v if args else None
        if self.sc.fernet and key is not None and tok is not None:
            try:
                k = key.encode() if isinstance(key, str) else key
                t = tok.encode() if isinstance(tok, str) else tok
                return Val(self.sc.fernet(k).decrypt(t), taint, chain + ("fernet",))
            except Exception:
                pass
        return Val(None, taint, chain + ("fernet",))

    # --- walking ---
    cur_line = 0
    cur_ctx = "module"

    def visit_body(self, body, ctx, in_hook):
        for stmt in body:
            self.visit(stmt, ctx, in_hook)

    def visit(self, node, ctx, in_hook):
        t = type(node)
        if t is ast.Name or t is ast.Load or t is ast.Store:
            return
        if t is ast.Constant:
            if isinstance(node.value, (str, bytes)):
                self.string(node.value, node.lineno, ctx=ctx)
            return
        self.cur_ctx = ctx
        if isinstance(node, ast.stmt):
            self.nodes += 1
            if self.nodes & 255 == 0 and time.process_time() > self.sc.deadline:
                raise Budget()
            if t is ast.Expr and type(node.value) is ast.Constant:
                return  # a docstring or a bare literal: documentation, never used
            if t is ast.FunctionDef or t is ast.AsyncFunctionDef:
                c = ctx
                if ctx in ("module", "install"):
                    if in_hook or node.name in self.called_at_import:
                        c = "install" if (in_hook or self.role == "setup") else "called"
                    elif node.name in self.called_from_main:
                        c = "main"
                    else:
                        c = "function"
                for d in node.decorator_list:
                    self.visit(d, ctx, in_hook)
                saved = self.env
                self.env = dict(saved)
                a = node.args
                chat = self.chat_handler(node)
                for p in a.posonlyargs + a.args + a.kwonlyargs + [x for x in (a.vararg, a.kwarg) if x]:
                    self.env.pop(p.arg, None)
                    self.tainted.pop(p.arg, None)
                    if chat and p.arg not in ("self", "cls"):
                        self.env[p.arg] = Val(None, frozenset(("chat",)))
                try:
                    self.visit_body(node.body, c, in_hook)
                finally:
                    self.env = saved
                return
            if t is ast.ClassDef:
                self.visit_body(node.body, ctx, in_hook or node.name in self.hooks)
                return
            if t is ast.If and (self.is_main(node.test) or self.manual_command(node.test)):
                # A module's main block runs when a person runs it as a script, and so does
                # setup.py's block for a command only a maintainer gives (`sys.argv[-1] ==
                # "publish"`); setup.py's own main block runs at every install, pip running it as
                # __main__.
                body_ctx = ctx
                if ctx == "module" or (ctx == "install" and (self.role != "setup" or self.manual_command(node.test))):
                    body_ctx = "main"
                self.visit_body(node.body, body_ctx, in_hook)
                self.visit_body(node.orelse, ctx, in_hook)
                return
            if t is ast.AugAssign and type(node.target) is ast.Name:
                self.env.pop(node.target.id, None)
            if t is ast.Assign and type(node.value) is ast.Constant:
                for tg in node.targets:
                    if type(tg) is ast.Name:
                        self.env.pop(tg.id, None)
            if t is ast.Assign and type(node.value) is not ast.Constant:
                fv = self.fold(node.value)
                for tg in node.targets:
                    if type(tg) is ast.Name:
                        if (fv.v is not None or fv.taint) and not isinstance(node.value, ast.Lambda):
                            self.env[tg.id] = fv
                        else:
                            self.env.pop(tg.id, None)
                if isinstance(fv.v, (str, bytes)):
                    self.string(fv.v, node.lineno, ctx=ctx)
                tt = fv.taint - {"partial"}
                if tt:
                    for tg in node.targets:
                        if type(tg) is ast.Name:
                            self.tainted[tg.id] = tt
            elif t is ast.With:
                for item in node.items:
                    if type(item.optional_vars) is ast.Name:
                        # A partly known path is no taint of the file opened (see ast.Assign).
                        tt = self.fold(item.context_expr).taint - {"partial"}
                        if tt:
                            self.tainted[item.optional_vars.id] = tt
                        path = written_path(item.context_expr)
                        if path:
                            self.writers[item.optional_vars.id] = path
                        if self.opened_for_reading(item.context_expr):
                            self.readers.add(item.optional_vars.id)
            elif t is ast.For and type(node.target) is ast.Name:
                # `for line in f:` reads the lines of a file: line is what f.read() gives, a line
                # at a time (setup.py's version lookup that evals a line of the module).
                it = node.iter
                if isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr in ("split", "splitlines") and \
                        isinstance(it.func.value, ast.Call) and isinstance(it.func.value.func, ast.Attribute) and \
                        it.func.value.func.attr == "read" and not it.func.value.args:
                    # `for line in f.read().split("\n"):` (schema 0.7.5's setup.py) reads it too.
                    it = it.func.value.func.value
                elif isinstance(it, ast.Call) and isinstance(it.func, ast.Attribute) and it.func.attr == "readlines" and not it.args:
                    it = it.func.value
                if isinstance(it, ast.Name) and it.id in self.readers:
                    self.lines[node.target.id] = it.id
                elif self.opened_for_reading(it):
                    self.lines[node.target.id] = "open()"
                else:
                    self.lines.pop(node.target.id, None)
        elif t is ast.Call:
            self.call(node, ctx)
        elif t is ast.JoinedStr or t is ast.BinOp:
            v = self.fold(node)
            if isinstance(v.v, (str, bytes)):
                self.string(v.v, node.lineno, ctx=ctx)
                if "partial" not in v.taint:
                    return  # built from constants only: its parts are pieces of this string
        for field in node._fields:
            v = getattr(node, field, None)
            if type(v) is list:
                for x in v:
                    if isinstance(x, ast.AST):
                        self.visit(x, ctx, in_hook)
            elif isinstance(v, ast.AST):
                self.visit(v, ctx, in_hook)

    def is_main(self, test):
        return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
                and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))

    def manual_command(self, test):
        """setup.py's `if sys.argv[-1] == "publish":` or `if "publish" in sys.argv:`: a block that
        runs only when a maintainer runs setup.py by hand with a command that pip's build and
        install never give. They give install-time commands (INSTALL_COMMANDS), options and paths,
        so a test naming one of those, or anything else, runs as the code around it does."""
        if self.role != "setup" or not isinstance(test, ast.Compare) or len(test.ops) != 1:
            return False
        left, op, right = test.left, test.ops[0], test.comparators[0]

        def argv(n, item):
            return isinstance(n, ast.Subscript) == item and self.dotted(n.value if item else n) == "sys.argv"
        if isinstance(op, ast.Eq) and argv(left, True):
            word = right
        elif isinstance(op, ast.Eq) and argv(right, True):
            word = left
        elif isinstance(op, ast.In) and argv(right, False):
            word = left
        else:
            return False
        w = word.value if isinstance(word, ast.Constant) else None
        return isinstance(w, str) and re.fullmatch(r"[A-Za-z][\w-]*", w) is not None and w not in INSTALL_COMMANDS

    def string(self, v, line, extra_layers=None, ctx=None):
        if isinstance(v, (bytes, bytearray)) and len(v) >= 64 and not extra_layers and bytes(v[:2]) in COMPRESSED_MAGIC \
                and self.depth + 1 < self.sc.max_depth:
            # A compressed bytes constant that holds Python is code hidden from a reader, however
            # the module reaches its decompressor (an obfuscator's chain of lambdas): read it.
            got = decompress_any(v)
            if got is not None:
                code = got[0].decode("utf-8", "replace")
                if looks_like_python(code) is not None:
                    self.sc.layer(self.file, line + self.line0, self.layers, [got[1]], code, self.role, self.depth)
                    return
        t = text_of(v)
        if t is None or len(t) < 4:
            return
        key = t[:MAX_STR_OUT]
        if key in self.strs or len(self.strs) >= MAX_STRS_PER_FILE:
            return
        self.strs.add(key)
        layers = self.layers + (extra_layers or [])
        self.emit({"t": "str", "line": line + self.line0, "layers": layers, "value": safe(t), "ctx": ctx or self.cur_ctx})
        if 24 <= len(t) <= 200000 and ("import " in t or "exec(" in t or "__import__" in t) and self.depth + 1 < self.sc.max_depth:
            m = PY_C.search(t)
            code = m.group(2) if m else t
            if m:
                code = code.replace('\\"', '"').replace("\\'", "'")
            if looks_like_python(code) is not None:
                # Code written out in a plain string (a `python -c` command, a test's source
                # snippet) is read as code, but hides behind nothing: no layer fact.
                self.sc.read_code(self.file, line + self.line0, self.layers, "embedded code", code, self.role, self.depth)
        if len(t) >= 64 and not extra_layers and (B64.match(t[:200]) or HEX.match(t[:200])):
            self.sc.blob(self.file, line + self.line0, t, "module", self.layers, self.depth, self.role)
        if not extra_layers and 12 <= len(t) <= 4096 and len(t) % 4 == 0 and B64_SHORT.match(t):
            # A short base64 constant that decodes to an address is read as that address.
            try:
                plain = base64.b64decode(t, validate=True).decode("utf-8")
            except (binascii.Error, ValueError):
                plain = None
            if plain and plain.isprintable() and ADDRESS.search(plain):
                self.string(plain, line, extra_layers=["line %d: base64" % (line + self.line0)], ctx=ctx)

    def call(self, node, ctx):
        self.cur_line = node.lineno + self.line0
        # Downloaded bytes written to a file make the file's path name a downloaded thing: a
        # command that runs that path then runs what was downloaded.
        fn = node.func
        if isinstance(fn, ast.Attribute) and fn.attr in ("write", "writelines") and node.args:
            path = written_path(fn.value) or (self.writers.get(fn.value.id) if isinstance(fn.value, ast.Name) else None)
            if path and "downloaded" in self.fold(node.args[0]).taint:
                self.tainted[path] = self.tainted.get(path, frozenset()) | {"downloaded"}
        name = self.dotted(node.func)
        folded = [self.fold(a) for a in node.args[:6]]
        kw = {}
        for k in node.keywords[:12]:
            if k.arg:
                fv = self.fold(k.value)
                if isinstance(k.value, ast.Dict) and fv.v is None:
                    kw[k.arg] = safe(self.render_dict(k.value), 300)
                    continue
                kw[k.arg] = safe(repr(fv.v) if not isinstance(fv.v, str) else fv.v, 300) if fv.v is not None else (self.dotted(k.value) or "?")
        taint = set()
        for a in folded:
            taint |= a.taint
        for k in node.keywords[:12]:
            taint |= self.fold(k.value).taint
        # exec/eval of a value that decoded to Python: read that code too. A constant string
        # exec'd is code as well: read it (its facts say "exec of a string" in their layers).
        if name in EXEC_NAMES or (name or "").endswith(("exec", "eval")):
            for a in folded:
                text = text_of(a.v)
                if text and a.chain and self.depth + 1 < self.sc.max_depth:
                    self.sc.layer(self.file, self.cur_line, self.layers, list(a.chain), text, self.role, self.depth)
                elif text and not a.chain and len(text) >= 8 and self.depth + 1 < self.sc.max_depth and looks_like_python(text) is not None:
                    self.sc.read_code(self.file, self.cur_line, self.layers, "exec of a string", text, self.role, self.depth)
        else:
            for a in folded:
                text = text_of(a.v)
                if text and a.chain and len(text) >= 16 and looks_like_python(text) is not None and self.depth + 1 < self.sc.max_depth:
                    self.sc.layer(self.file, self.cur_line, self.layers, list(a.chain), text, self.role, self.depth)
        for a in folded:
            if isinstance(a.v, (str, bytes)) and a.v is not None:
                self.string(a.v, node.lineno)
        if name and self.calls < MAX_CALLS_PER_FILE and self.sc.watched(name):
            self.calls += 1
            args = [self.render(a, n) for a, n in zip(folded, node.args)]
            self.emit({"t": "call", "line": self.cur_line, "name": name, "args": args, "kw": kw,
                       "taint": sorted(taint), "ctx": ctx, "chain": sorted({c for a in folded for c in a.chain})})
        self.indirect(node, folded, ctx)

    def indirect(self, node, folded, ctx):
        """A dangerous callable handed to another call (try_call(os.system, "env"),
        Thread(target=os.system, args=(...))) is called all the same: report it as its own call,
        with the arguments that follow it."""
        for i, a in enumerate(node.args[:4]):
            if type(a) not in (ast.Name, ast.Attribute):
                continue
            d = self.dotted(a)
            if indirect_callable(d) and self.sc.watched(d) and self.calls < MAX_CALLS_PER_FILE \
                    and (self.dotted(node.func) or "") not in NOT_CALLING:
                rest = list(zip(folded[i + 1:], node.args[i + 1:]))
                self.calls += 1
                self.emit({"t": "call", "line": self.cur_line, "name": d, "args": [self.render(v, n) for v, n in rest],
                           "kw": {}, "taint": sorted({t for v, _ in rest for t in v.taint}), "ctx": ctx,
                           "chain": sorted({c for v, _ in rest for c in v.chain}), "via": self.dotted(node.func) or "?"})
        for k in node.keywords[:12]:
            if k.arg == "target" and type(k.value) in (ast.Name, ast.Attribute):
                d = self.dotted(k.value)
                if indirect_callable(d) and self.sc.watched(d) and self.calls < MAX_CALLS_PER_FILE:
                    argv = next((x.value for x in node.keywords if x.arg == "args"), None)
                    fv = self.fold(argv) if argv is not None else Val(None)
                    self.calls += 1
                    self.emit({"t": "call", "line": self.cur_line, "name": d,
                               "args": [self.render(fv, argv)] if argv is not None else [], "kw": {},
                               "taint": sorted(fv.taint), "ctx": ctx, "chain": list(fv.chain),
                               "via": self.dotted(node.func) or "?"})

    def render_dict(self, node):
        """A dict literal as {'key': 'value', ...}, constant keys only, '?' for what does not fold."""
        items = []
        for k, v in zip(node.keys[:20], node.values[:20]):
            kv = self.fold(k).v if k is not None else None
            if not isinstance(kv, str):
                continue
            vv = self.fold(v).v
            items.append("%r: %r" % (kv, vv if isinstance(vv, (str, int, float)) else "?"))
        return "{" + ", ".join(items) + "}"

    def opened_for_reading(self, node):
        """open(...), io.open(...) or codecs.open(...) of a file for reading (no mode, or one
        without w, a, x or +)."""
        if not (isinstance(node, ast.Call) and self.dotted(node.func) in ("open", "io.open", "codecs.open") and node.args):
            return False
        mode = open_mode(node)
        if mode is None:
            return True
        return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and not set(mode.value) & set("wax+")

    def render(self, a, node):
        t = text_of(a.v)
        if t is not None:
            return safe(t, 600)
        if isinstance(a.v, list) and all(isinstance(x, (str, int, float)) for x in a.v):
            return safe(" ".join(map(str, a.v)), 600)
        if isinstance(a.v, int):
            return str(a.v)
        if a.taint:
            return "<%s>" % "+".join(sorted(a.taint))
        if isinstance(node, (ast.List, ast.Tuple)) and len(node.elts) <= 50:
            return " ".join(self.render(self.fold(e), e) for e in node.elts)
        root = node
        while isinstance(root, (ast.Attribute, ast.Subscript, ast.Call)):
            root = root.func if isinstance(root, ast.Call) else root.value
        if isinstance(root, ast.Name) and root.id in self.lines:
            # A line of a file read: shown as what it is, that file's read.
            try:
                return "@%s.readline()%s" % (self.lines[root.id], safe(ast.unparse(node), 200)[len(root.id):])
            except Exception:
                pass
        if isinstance(node, (ast.Name, ast.Attribute)):
            d = self.dotted(node)
            if d:
                return "@" + d
        if isinstance(node, ast.Call):
            inner = self.dotted(node.func)
            if inner:
                return "@%s(%s)" % (inner, ", ".join(self.render(self.fold(x), x) for x in node.args[:3]))
        small = sum(1 for _ in zip(range(200), ast.walk(node)))
        if small < 200:
            try:
                return "@" + safe(ast.unparse(node), 200)
            except Exception:
                pass
        return "?"

    def idle_commands(self, tree):
        """The command classes that no install runs: generic Command subclasses that setup.py
        registers only under other commands' names (cmdclass={"test": PyTest} runs on
        `setup.py test`, never on pip install). A class registered under an install-time name, or
        under a name not known, a subclass of an install-time command, or any class of a setup.py
        that edits sub_commands (which makes any name run inside build) stays a hook."""
        generic, names = set(), {}
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef) and node.bases and all(
                    (self.dotted(b) or "").split(".")[-1] == "Command" for b in node.bases):
                generic.add(node.name)
            elif isinstance(node, ast.Attribute) and node.attr == "sub_commands":
                return set()
            elif isinstance(node, ast.Call) and (self.dotted(node.func) or "").split(".")[-1] == "setup":
                # setup(**params): the keywords of params, where its dict is written out; one
                # that is not adds no cmdclass that could be read.
                keywords = []
                for k in node.keywords:
                    if k.arg is not None:
                        keywords.append((ast.Constant(k.arg), k.value))
                    else:
                        keywords.extend(self.dict_items(tree, k.value) or [])
                for key, value in keywords:
                    if self.fold(key).v != "cmdclass":
                        continue
                    pairs = self.dict_items(tree, value)
                    if pairs is None:
                        return set()
                    for key, value in pairs:
                        kv = self.fold(key).v if key is not None else None
                        if not isinstance(kv, str) or not isinstance(value, ast.Name):
                            return set()
                        names.setdefault(value.id, set()).add(kv)
        return {c for c in generic if c in names and not names[c] & set(INSTALL_COMMANDS)}

    def dict_items(self, tree, node, depth=0):
        """The (key, value) pairs of a dict as setup.py writes one out: a literal, dict(k=v) or
        dict(d, k=v), either with **d of another such dict, or a name bound to one (to each of
        several: the items of all), with the items it
        sets by subscript (fonttools: cmdclass = {"release": release}, then
        cmdclass["build_ext"] = ..., given as setup(**setup_params)). None when the dict is
        built any other way, or changed by a call (update, setdefault)."""
        if depth > 4:
            return None
        if isinstance(node, ast.Dict) or (isinstance(node, ast.Call) and self.dotted(node.func) == "dict" and len(node.args) <= 1):
            if isinstance(node, ast.Dict):
                entries = list(zip(node.keys, node.values))
            else:
                # dict(other, k=v): other's items, then the keywords (simplejson 3.18.3's
                # dict(cmdclass, build_ext=ve_build_ext)).
                entries = [(None, a) for a in node.args]
                entries += [(ast.Constant(k.arg) if k.arg is not None else None, k.value) for k in node.keywords]
            out = []
            for key, value in entries:
                if key is not None:
                    out.append((key, value))
                    continue
                more = self.dict_items(tree, value, depth + 1)
                if more is None:
                    return None
                out.extend(more)
            return out
        if not isinstance(node, ast.Name):
            return None
        bound, extra = [], []
        for n in ast.walk(tree):
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute) and isinstance(n.func.value, ast.Name) and n.func.value.id == node.id:
                return None
            if not isinstance(n, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                continue
            for t in (n.targets if isinstance(n, ast.Assign) else [n.target]):
                if isinstance(t, ast.Name) and t.id == node.id:
                    if isinstance(n, ast.AugAssign) or n.value is None:
                        return None
                    bound.append(n.value)
                elif isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == node.id:
                    extra.append((t.slice, n.value))
                elif any(isinstance(e, ast.Name) and e.id == node.id for e in ast.walk(t)):
                    return None
        # A name bound more than once (kw = dict(...) in each branch of an if) holds the items of
        # every binding: a class registered under an install-time name in any of them stays a
        # hook.
        if not bound:
            return None
        out = []
        for value in bound:
            base = self.dict_items(tree, value, depth + 1)
            if base is None:
                return None
            out += base
        return out + extra

    def setup_fact(self, tree):
        cmdclass, extra = [], []
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (self.dotted(node.func) or "").split(".")[-1] == "setup":
                for k in node.keywords:
                    if k.arg == "cmdclass":
                        if isinstance(k.value, ast.Dict):
                            for key in k.value.keys:
                                kv = self.fold(key).v if key is not None else None
                                if isinstance(kv, str):
                                    cmdclass.append(kv)
                        elif isinstance(k.value, ast.Call) and k.value.keywords:
                            cmdclass += [kk.arg for kk in k.value.keywords if kk.arg]
                        else:
                            cmdclass.append("?")
        self.emit({"t": "setup", "line": 0, "cmdclass": cmdclass, "hooks": sorted(self.hooks)})


# The setuptools commands that pip's build and install run, directly or as sub-commands.
INSTALL_COMMANDS = ("install", "install_lib", "install_scripts", "install_data", "install_headers",
                    "install_egg_info", "develop", "egg_info", "dist_info", "build", "build_py", "build_ext",
                    "build_clib", "build_scripts", "sdist", "bdist", "bdist_wheel", "bdist_egg", "editable_wheel",
                    "easy_install")


ELF, PE, MACHO = b"\x7fELF", b"MZ", (b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"\xca\xfe\xba\xbe")


def written_path(node):
    """The name holding the path of open(name, "wb"/"w"/"ab"...), or None."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "open" and node.args):
        return None
    mode = open_mode(node)
    if isinstance(node.args[0], ast.Name) and isinstance(mode, ast.Constant) and isinstance(mode.value, str) \
            and ("w" in mode.value or "a" in mode.value):
        return node.args[0].id
    return None


def open_mode(call):
    """The mode argument of an open(...) call (its second argument, or mode=), or None."""
    return call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)


MAX_ZIPS, MAX_ZIP_MEMBERS = 20, 200


def zip_python(path, max_bytes):
    """The Python modules inside a zip archive, as (member name, bytes): at most MAX_ZIP_MEMBERS,
    each under max_bytes as stored and as read (a member that inflates past it is cut there), none
    with an absolute or parent-relative name. A damaged archive yields what was read before."""
    out = []
    try:
        with zipfile.ZipFile(path) as z:
            for info in z.infolist()[:MAX_ZIP_MEMBERS * 10]:
                name = info.filename
                if not name.endswith((".py", ".pyw")) or name.startswith(("/", "\\")) or ".." in name.split("/"):
                    continue
                if info.file_size > max_bytes or info.compress_size > max_bytes:
                    continue
                with z.open(info) as fh:
                    out.append((name, fh.read(max_bytes)))
                if len(out) >= MAX_ZIP_MEMBERS:
                    break
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, ValueError, zlib.error):
        pass
    return out


def elf_kind(first):
    """The kind of an ELF file from its header's e_type: an object file or a core dump is no
    program and runs nothing (pyelftools 0.29's test files hold dozens of both)."""
    if len(first) < 18 or first[5] not in (1, 2):
        return "ELF"
    e_type = int.from_bytes(first[16:18], "little" if first[5] == 1 else "big")
    return {1: "ELF object file, not executable", 4: "ELF core dump, not executable"}.get(e_type, "ELF")


def xored_executable(head):
    """The kind of executable head is once every byte is XORed with one key ("PE, XOR-encoded
    with key 0xe8"), or None. An executable stored that way (as a .py, a .dat, an image) is
    written out decoded and run later; the check is exact: a PE's DOS header must point at its
    "PE\\0\\0" signature, an ELF's class and byte order must be valid."""
    if len(head) < 64:
        return None
    key = head[0] ^ PE[0]
    if key and head[1] ^ key == PE[1]:
        dec = bytes(b ^ key for b in head)
        off = int.from_bytes(dec[0x3C:0x40], "little")
        if 0x40 <= off <= len(dec) - 4 and dec[off:off + 4] == b"PE\0\0":
            return "PE, XOR-encoded with key 0x%02x" % key
    key = head[0] ^ ELF[0]
    if key and bytes(b ^ key for b in head[:4]) == ELF and head[4] ^ key in (1, 2) and head[5] ^ key in (1, 2):
        return "ELF, XOR-encoded with key 0x%02x" % key
    return None


# TOOLING are the names of the directories where projects keep their maintainers' scripts (code
# generators, release helpers). At the top of a source tree (beside its setup.py, pyproject.toml
# or PKG-INFO) and holding no __init__.py, such a directory is no package: no build installs it,
# nothing imports it, and its code is read as an example's. In a wheel, where any directory is
# installed and importable, it stays a module.
TOOLING = ("tools", "tool", "devtools", "maint", "maintenance")
PROJECT_FILES = ("setup.py", "pyproject.toml", "PKG-INFO")


def tooling_dirs(root, files):
    """The TOOLING directories, as "DIR/" prefixes of the paths in files, at the top of each
    source tree: root itself, or its top directories (an sdist holds one)."""
    out = set()
    for top in project_tops(root, files):
        for name in {f[len(top):].split("/")[0] for f in files if f.startswith(top) and "/" in f[len(top):]}:
            d = top + name
            if name.lower() in TOOLING and not os.path.exists(os.path.join(root, d, "__init__.py")):
                out.add(d + "/")
    return out


BUILD_FILES = ("setup.py", "setup.cfg", "pyproject.toml")


def top_level_names(root, files, top):
    """The names the egg-info top_level.txt files below top list (the top-level modules and
    packages a setuptools sdist installs), or None when there is no top_level.txt to read."""
    installed, listed = set(), False
    for f in files:
        tl = os.path.join(root, f)
        if f.startswith(top) and f.endswith(".egg-info/top_level.txt") and not os.path.islink(tl) and os.path.isfile(tl):
            try:
                with open(tl, encoding="utf-8", errors="replace") as fh:
                    installed |= {l.strip() for l in fh.read(1 << 16).splitlines()}
                listed = True
            except OSError:
                pass
    return installed if listed else None


def build_text(root, top):
    """The text of the build files (setup.py, setup.cfg, pyproject.toml) at the top of a source
    tree, joined: what names the modules a build runs or installs."""
    build = ""
    for name in BUILD_FILES:
        path = os.path.join(root, top, name)
        if os.path.isfile(path) and not os.path.islink(path):
            try:
                with open(path, encoding="utf-8", errors="replace") as fh:
                    build += fh.read(1 << 20) + "\n"
            except OSError:
                pass
    return build


def named_in(name, build):
    """Whether the build files' text names name (a module, a directory) as a word."""
    return re.search(r"(?<![\w.-])" + re.escape(name) + r"(?![\w-])", build) is not None


def unshipped_dirs(root, files):
    """The directories and scripts at the top of a setuptools source tree that it does not
    install, as "DIR/" prefixes and file paths: directories of Python files with no package
    among them (no __init__.py at any depth, so find_packages() finds none), and .py files beside
    setup.py, that are not among the names its egg-info's top_level.txt lists and that none of
    its build files (setup.py, setup.cfg, pyproject.toml) names, so that no build imports or runs
    them. What they hold are scripts a maintainer runs by hand, read as tooling (fonttools'
    MetaTools/roundTrip.py calls its main() unguarded, which runs a diff; the zope projects'
    bootstrap.py, zc.buildout's, downloads and runs ez_setup.py when a developer runs it). A tree
    without top_level.txt (flit, hatch, poetry) keeps its files as they are."""
    out = set()
    for top in project_tops(root, files):
        installed = top_level_names(root, files, top)
        if installed is None:
            continue
        build = build_text(root, top)
        below = {}
        for f in files:
            rest = f[len(top):] if f.startswith(top) else None
            if rest is None:
                continue
            if "/" in rest:
                below.setdefault(rest.split("/")[0], []).append(f)
            elif rest.endswith(".py") and rest not in ("setup.py", "conftest.py"):
                name = rest[:-3]
                if name not in installed and not named_in(name, build):
                    out.add(f)
        for name, inside in below.items():
            if (name in installed or name.lower() in ("src", "test", "tests", "testing", "t") or
                    not any(f.endswith(".py") for f in inside) or any(f.split("/")[-1] == "__init__.py" for f in inside) or
                    named_in(name, build)):
                continue
            out.add(top + name + "/")
    return out


IMPORT_LINE = re.compile(r"^[ \t]*(?:from[ \t]+([A-Za-z_]\w*)|import[ \t]+([^\n#;]+))", re.M)


def project_tops(root, files):
    """The tops of the source trees in files: root itself, or its top directories (an sdist
    holds one), when they hold a setup.py, pyproject.toml or PKG-INFO."""
    tops = {""} | {f.split("/")[0] + "/" for f in files if "/" in f}
    return [t for t in sorted(tops) if any(os.path.isfile(os.path.join(root, t, p)) for p in PROJECT_FILES)]


def support_dirs(root, files, top_setup, tooling):
    """Packages at the top of a src-layout source tree that only its tests import (urllib3's
    dummyserver/, beside src/urllib3/), as "DIR/" prefixes: test support, read as test code.

    A src layout installs what src/ holds, so a package beside src/ is no part of the
    distribution (nor one its egg-info's top_level.txt names); when the tests import it and no
    other code of the project does (its modules, setup.py), it runs only when the tests do.
    In a flat layout the distribution's own package is such a package too: nothing changes there.
    """
    cands = {}
    for top in project_tops(root, files):
        if not os.path.isdir(os.path.join(root, top, "src")):
            continue
        installed = top_level_names(root, files, top) or set()
        for name in {f[len(top):].split("/")[0] for f in files if f.startswith(top) and "/" in f[len(top):]}:
            d = top + name + "/"
            if (name.isidentifier() and name != "src" and name not in installed and
                    os.path.isfile(os.path.join(root, d, "__init__.py")) and role_of(d + "__init__.py", top_setup, tooling) == "module"):
                cands[name] = d
    if not cands:
        return set()
    by_tests, by_others = set(), set()
    budget_files, budget_bytes = 20000, 64 << 20
    for rel in files:
        path = os.path.join(root, rel)
        if not rel.endswith(".py") or os.path.islink(path) or not os.path.isfile(path):
            continue
        budget_files -= 1
        try:
            with open(path, encoding="utf-8", errors="replace") as fh:
                text = fh.read(1 << 20)
        except OSError:
            continue
        budget_bytes -= len(text)
        if budget_files < 0 or budget_bytes < 0:
            return set()  # a tree this large is read as it is: nothing is taken for test code
        names = set()
        for m in IMPORT_LINE.finditer(text):
            if m.group(1):
                names.add(m.group(1))
            else:
                names |= {p.split()[0].split(".")[0] for p in m.group(2).split(",") if p.split()}
        role = role_of(rel, top_setup, tooling)
        for n in names & set(cands):
            if rel.startswith(cands[n]):
                continue  # the package itself
            if role == "test":
                by_tests.add(n)
            elif role != "example":
                by_others.add(n)
    return {cands[n] for n in by_tests - by_others}


def role_of(rel, top_setup, tooling=(), support=()):
    if any(rel.startswith(d) for d in support):
        return "test"
    if any(rel == d or (d.endswith("/") and rel.startswith(d)) for d in tooling):
        return "example"
    parts = rel.split("/")
    base = parts[-1]
    low = [p.lower() for p in parts]
    if base.endswith(".pth"):
        return "pth"
    if base == "setup.py" and rel in top_setup:
        return "setup"
    if any(p in ("test", "tests", "testing", "t") for p in low[:-1]) or base.startswith("test_") or base.endswith("_test.py") or base == "conftest.py":
        return "test"
    if any(p in ("doc", "docs", "example", "examples", "demo", "demos", "benchmarks", "bench") for p in low[:-1]):
        return "example"
    if any(p.endswith(".data") for p in low) and "scripts" in low:
        return "script"
    return "module"


def main():
    root, outpath, cfgpath = sys.argv[1], sys.argv[2], sys.argv[3]
    with open(cfgpath) as fh:
        cfg = json.load(fh)
    sys.setrecursionlimit(8000)
    max_files, max_bytes = cfg.get("max_files", 20000), cfg.get("max_file_bytes", 4 << 20)
    start = time.monotonic()
    with open(outpath, "w", encoding="utf-8", errors="backslashreplace") as out:
        sc = Scanner(out, cfg)
        files, truncated = [], ""
        for dp, dns, fns in os.walk(root, followlinks=False):
            dns.sort()
            for fn in sorted(fns):
                files.append(os.path.relpath(os.path.join(dp, fn), root))
        top_setup = {f for f in files if f.split("/")[-1] == "setup.py" and f.count("/") <= 1}
        tooling = tooling_dirs(root, files) | unshipped_dirs(root, files)
        support = support_dirs(root, files, top_setup, tooling)
        n, zips = 0, 0
        for rel in files:
            path = os.path.join(root, rel)
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            if time.process_time() > sc.deadline:
                truncated = "time limit reached"
                break
            try:
                with open(path, "rb") as fh:
                    first = fh.read(1024)
                size = os.path.getsize(path)
            except OSError:
                continue
            head = first[:4]
            if head.startswith(ELF) or head in MACHO or (head.startswith(PE) and not rel.endswith((".py", ".txt"))):
                kind = elf_kind(first) if head.startswith(ELF) else ("Mach-O" if head in MACHO else "PE")
                if kind != "PE" or size > 64:
                    sc.emit({"t": "binary", "file": rel, "kind": kind, "bytes": size})
                continue
            kind = xored_executable(first)
            if kind:
                sc.emit({"t": "binary", "file": rel, "kind": kind, "bytes": size})
                continue
            if first.startswith(b"PK\x03\x04") and rel.endswith((".zip", ".pyz", ".egg")) and zips < MAX_ZIPS:
                # Python inside a bundled archive runs all the same (zipimport, an install hook
                # that unpacks it): its modules are read as files of their own, "ARCHIVE/member".
                zips += 1
                for member, data in zip_python(path, max_bytes):
                    n += 1
                    if n > max_files:
                        break
                    zrel = rel + "/" + member
                    zrole = role_of(zrel, top_setup, tooling, support)
                    try:
                        how, note = sc.scan_source(zrel, data, zrole)
                    except (Budget, RecursionError):
                        how, note = "tokens", "too large or deep for the syntax tree"
                    sc.emit({"t": "file", "file": zrel, "role": zrole, "parse": how, "bytes": len(data), "note": note})
                if n > max_files:
                    truncated = "file limit reached"
                    break
                continue
            is_py = rel.endswith((".py", ".pyw", ".pth"))
            if not is_py and size < max_bytes and "." not in rel.split("/")[-1]:
                is_py = head.startswith(b"#!") and b"python" in open(path, "rb").read(128)
            if not is_py:
                continue
            n += 1
            if n > max_files:
                truncated = "file limit reached"
                break
            role = role_of(rel, top_setup, tooling, support)
            if size > max_bytes:
                sc.emit({"t": "file", "file": rel, "role": role, "parse": "skipped", "bytes": size,
                         "note": "%d bytes, over the %d byte limit" % (size, max_bytes)})
                continue
            with open(path, "rb") as fh:
                data = fh.read()
            if rel.endswith(".pth"):
                lines = [l for l in data.decode("utf-8", "replace").splitlines() if l.startswith(("import ", "import\t"))]
                sc.emit({"t": "file", "file": rel, "role": role, "parse": "pth", "bytes": size,
                         "code_lines": len(lines)})
                if lines:
                    sc.emit({"t": "pth", "file": rel, "line": 1, "layers": [], "text": safe(lines[0], 300)})
                    sc.scan_source(rel, "\n".join(lines), "pth")
                continue
            try:
                how, note = sc.scan_source(rel, data, role)
            except Budget:
                how, note = "ast", "time limit reached while reading"
            except RecursionError:
                sc.token_scan(rel, data, [], 0)
                how, note = "tokens", "nested too deeply for the syntax tree"
            bidi = re.search("[\u202a-\u202e\u2066-\u2069]", data.decode("utf-8", "replace"))
            if bidi:
                line = data[:bidi.start()].count(b"\n") + 1
                sc.emit({"t": "bidi", "file": rel, "line": line, "layers": [], "text": safe(repr(data.decode("utf-8", "replace").splitlines()[line - 1]), 200)})
            sc.emit({"t": "file", "file": rel, "role": role, "parse": how, "bytes": size, "note": note})
            out.flush()
        sc.emit({"t": "done", "files": n, "seconds": round(time.monotonic() - start, 3), "truncated": truncated,
                 "crypto": sc.fernet is not None})


if __name__ == "__main__":
    main()
