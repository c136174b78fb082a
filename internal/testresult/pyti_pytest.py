"""PYTI's pytest plugin: one JSON line per test phase report and one for the session summary.

Loaded with `-p pyti_pytest` from a directory that holds only this file, so it adds nothing else to
the environment under test. The output file is named by PYTI_PYTEST_REPORT. Text fields are capped
so a test that prints gigabytes cannot flood the report.
"""
import json
import os

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
    if report.failed or report.skipped:
        record["longrepr"] = _cap(report.longreprtext)
        crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
        if crash is not None:
            record["message"] = _cap(crash.message)
    _emit(record)


def pytest_collectreport(report):
    if report.failed:
        crash = getattr(getattr(report, "longrepr", None), "reprcrash", None)
        _emit({
            "type": "collect",
            "nodeid": report.nodeid,
            "outcome": report.outcome,
            "longrepr": _cap(report.longreprtext),
            "message": _cap(crash.message) if crash is not None else None,
        })


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # The same counting as pytest's own closing line ("3 failed, 1 passed, ...").
    counts = {}
    for key, reports in terminalreporter.stats.items():
        if key:
            counts[key] = len([r for r in reports if getattr(r, "count_towards_summary", True)])
    _emit({"type": "summary", "exitstatus": int(exitstatus), "counts": counts})
