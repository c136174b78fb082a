"""A HOSTILE setup.py, for testing PYTI. Never run it outside PYTI's sandbox.

It imports its own package, whose import runs the payload: connections out from the main
process, a thread, a forked child and a double-forked daemon (see pyti_example_forker/_payload.py).
"""

import os
import sys

from setuptools import setup

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pyti_example_forker  # noqa: E402,F401  (the payload runs here)

setup(
    name="pyti-example-forker",
    version="1.0.0",
    description="A deliberately hostile package: it connects out from forked and threaded code.",
    license="MIT",
    packages=["pyti_example_forker"],
    python_requires=">=3.8",
)
