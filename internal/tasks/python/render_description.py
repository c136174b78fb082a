"""Checks that a reStructuredText long description renders, the way `twine check` does.

Run by PYTI inside the sandbox with the description file as argument. File inclusion and raw
directives are off, so a description cannot read files. Prints one JSON line.
"""
import io
import json
import sys

try:
    import docutils.core
    import docutils.utils
except ImportError:
    print(json.dumps({"checked": False, "problem": "docutils is not installed"}))
    sys.exit(0)

with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
    text = f.read()
warnings = io.StringIO()
settings = {
    "halt_level": 2,
    "report_level": 2,
    "file_insertion_enabled": False,
    "raw_enabled": False,
    "_disable_config": True,
    "warning_stream": warnings,
    "syntax_highlight": "none",
    "math_output": "MathJax",
}
try:
    docutils.core.publish_parts(text, writer_name="html", settings_overrides=settings)
    print(json.dumps({"checked": True, "renders": True}))
except docutils.utils.SystemMessage as e:
    print(json.dumps({"checked": True, "renders": False, "problem": str(e)[:2000]}))
except Exception as e:  # docutils itself broke on this input
    print(json.dumps({"checked": True, "renders": False, "problem": "%s: %s" % (type(e).__name__, str(e)[:2000])}))
