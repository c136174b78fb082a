"""No pyproject.toml: a setup.py that records which of the host's packages its build could import."""
from setuptools import setup

seen = []
for name in ("docutils", "pytest"):  # Debian packages of the host PYTI runs on; never build requirements
    try:
        __import__(name)
        seen.append(name)
    except ImportError:
        pass
with open("pyti_test_hostpkgs/_build.py", "w") as f:
    f.write("SEEN = %r\n" % seen)

setup(
    name="pyti-test-hostpkgs",
    version="1.0.0",
    description="A setup.py-only project whose build must see only its build requirements.",
    license="MIT",
    packages=["pyti_test_hostpkgs"],
)
