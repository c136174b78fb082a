"""Imports what an installed distribution ships, each in a fresh interpreter of its own
(import_one.py), and prints one JSON line per attempt.

argv[1] is a JSON object: site (site-packages), modules (importable names), by_location (paths
below site-packages of code whose name is not importable), extensions (the extension modules
inside the packages, imported by name after the modules), submodules (the packages' other
modules, swept after the check), budget (seconds for everything), per_module (seconds for one
import), grace (seconds to wait for the threads and processes an import started).

For each module: whether it imported, its error, the module it missed; when it missed one, a
second import with permissive stand-ins for missing modules, so that the code after that import
runs too; whether it timed out; the threads and processes it left running and how long PYTI
waited for them.

Run by PYTI inside the sandbox with the environment's interpreter, from an empty directory, so
that only the installed package can be imported.
"""
import json
import os
import subprocess
import sys
import tempfile
import threading
import time

spec = json.loads(sys.argv[1])
site = spec["site"]
deadline = time.monotonic() + float(spec["budget"])
grace = float(spec["grace"])
child = os.path.join(os.path.dirname(os.path.abspath(__file__)), "import_one.py")

# The distribution's own files: only their imports get stand-ins. A namespace package's portion
# is its own directory, not the namespace's (zope.size 5.0's zope/size/, not zope/, where
# zope.i18nmessageid lies too).
own = set()
for name in spec["modules"] + spec.get("extensions", []) + spec.get("submodules", []):
    top = os.path.join(site, *name.split("."))
    own.update((top + os.sep, top + ".py", top + "."))
for rel in spec.get("by_location", []):
    own.add(os.path.join(site, rel))
own = sorted(own)


def ancestors():
    out, pid = set(), os.getpid()
    for _ in range(64):
        out.add(pid)
        try:
            with open("/proc/%d/stat" % pid) as f:
                pid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            break
        if pid <= 1:
            break
    out.update((0, 1))
    return out


MINE = ancestors()


def others():
    """Processes in the sandbox that are neither PYTI's init nor this script nor its parents."""
    left = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) in MINE:
            continue
        try:
            with open("/proc/%s/stat" % entry) as f:
                stat = f.read()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            left.append(int(entry))
    return left


def run(attempt, stand_ins):
    """Runs import_one.py for attempt (its mode and target) and returns what it said."""
    remaining = deadline - time.monotonic()
    if remaining < 1:
        return {"ok": False, "skipped": "the import step's time ran out before this import"}
    timeout = min(float(spec["per_module"]), remaining)
    if attempt["mode"] == "sweep":
        timeout = min(timeout, float(spec.get("sweep", timeout)))
    r, w = os.pipe()
    arg = dict(attempt, stand_ins=stand_ins, own=own, grace=min(grace, timeout / 2), result_fd=w)
    chunks = []

    def read():
        for chunk in iter(lambda: os.read(r, 65536), b""):
            chunks.append(chunk)
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    start = time.monotonic()
    out = {}
    # Output goes to files, not pipes: a process the import left running keeps a pipe open, and
    # the import itself has ended.
    errf = tempfile.TemporaryFile(dir=".")
    try:
        proc = subprocess.Popen([sys.executable, "-I", child, json.dumps(arg)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=errf, pass_fds=(w,))
    finally:
        os.close(w)
    try:
        code = proc.wait(timeout=timeout)
        out["ok"] = code == 0
        if code not in (0, 1):
            out["exit_status"] = code
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        out.update(ok=False, timed_out=True)
    errf.seek(0)
    err = errf.read(1 << 20).decode("utf-8", "replace")
    errf.close()
    if out.get("timed_out"):
        err += "\nTimeoutExpired: the import did not end within %d seconds" % timeout
    elif "exit_status" in out:
        err += "\n[PYTI: the interpreter ended with status %d]" % out["exit_status"]
    out["seconds"] = round(time.monotonic() - start, 2)
    # Processes the import started (a double-forked daemon too) get the same grace as threads.
    left = others()
    if left:
        wait_until = time.monotonic() + min(grace, max(0.0, deadline - time.monotonic() - 1))
        out["processes_after_import"] = len(left)
        waited = time.monotonic()
        while left and time.monotonic() < wait_until:
            time.sleep(0.1)
            left = others()
        out["processes_waited_s"] = round(time.monotonic() - waited, 2)
        out["processes_left"] = len(left)
    # A process the import left running may hold the result pipe open: the first answer counts.
    reader.join(0.5)
    if not reader.is_alive():
        os.close(r)
    try:
        said, _ = json.JSONDecoder().raw_decode(b"".join(chunks).decode("utf-8", "replace"))
        if not isinstance(said, dict):
            said = {}
    except ValueError:
        said = {}
    if not out["ok"]:
        lines = [l for l in err.strip().splitlines() if l.strip()]
        out["error"] = "\n".join(lines[-15:])[-4000:]
        missing = said.get("missing")
        if not missing:
            for line in err.splitlines():
                if "No module named " in line and ("ModuleNotFoundError" in line or "ImportError" in line):
                    missing = line.split("No module named ", 1)[1].strip().strip("'\"")
        out["missing"] = missing
        if attempt["mode"] == "sweep":
            for line in reversed(err.splitlines()):
                if line.startswith("PYTI-SWEEP: "):
                    out["stopped_at"] = line[len("PYTI-SWEEP: "):]
                    break
    for k in ("stand_ins", "stand_in_calls", "threads_after_import", "threads_left", "waited_s", "imported", "failed"):
        if k in said:
            out[k] = said[k]
    return out


def emit(entry):
    print(json.dumps(entry), flush=True)


named = [(name, "name") for name in spec["modules"]]
named += [(name, "extension") for name in spec.get("extensions", [])]
for name, kind in named:
    res = run({"mode": "name", "name": name}, False)
    entry = dict(res, name=name, kind=kind)
    if not res["ok"] and res.get("missing") and not res.get("timed_out") and not res.get("skipped"):
        second = run({"mode": "name", "name": name}, True)
        entry["stand_in_pass"] = second
    emit(entry)

for rel in spec.get("by_location", []):
    res = run({"mode": "location", "path": os.path.join(site, rel)}, True)
    emit(dict(res, name=rel, kind="location"))

# The packages' other modules, one interpreter per package, stand-ins from the start: they
# reach code that the package does not import itself.
groups = {}
for name in spec.get("submodules", []):
    groups.setdefault(name.split(".")[0], []).append(name)
for top, names in sorted(groups.items()):
    res = run({"mode": "sweep", "names": names}, True)
    emit(dict(res, name=top, kind="sweep", count=len(names)))
