"""Imports each module named on the command line in a fresh interpreter of its own, and prints one
JSON line per module: whether it imported and, if not, the error and the module it missed.

Run by PYTI inside the sandbox with the environment's interpreter, from an empty directory, so
that only the installed package can be imported.
"""
import json
import subprocess
import sys

for name in sys.argv[1:]:
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-c", "import importlib, sys; importlib.import_module(sys.argv[1])", name],
            stdin=subprocess.DEVNULL, capture_output=True, text=True, errors="replace", timeout=120,
        )
        ok, err = proc.returncode == 0, proc.stderr
    except subprocess.TimeoutExpired as e:
        ok, err = False, "TimeoutExpired: importing took more than 120 seconds"
    missing = None
    if not ok:
        for line in err.splitlines():
            if "ModuleNotFoundError: No module named " in line or "ImportError: No module named " in line:
                missing = line.split("No module named ", 1)[1].strip().strip("'\"")
    lines = [l for l in err.strip().splitlines() if l.strip()]
    print(json.dumps({"name": name, "ok": ok, "error": "\n".join(lines[-15:])[-4000:] if not ok else "", "missing": missing}), flush=True)
