"""Run pip as `python PIP/pip ARGS...` runs it, without its distro probe's child processes.

Usage: python pip_main.py PIP ARGS...   (PIP: the directory or wheel holding the pip package)

Every pip command that opens a session (`pip install --no-index` too) builds a User-Agent header,
and pip's vendored distro module fills it by running `lsb_release -a` (a shell script that starts
getopt, cut and tr) and `uname -rs`: a dozen process starts per pip run, traced in the sandbox,
for a header that only PYTI's index proxy sees. distro reads the same names from
/etc/os-release without them, so it is told to (include_lsb=False, include_uname=False). Nothing
else changes: pip's own __main__ does the rest exactly as here.

The pip that pip starts to install an sdist's build requirements into an isolated environment
(pip's __pip-runner__.py) runs through this file too, with the same pip: it is started as
`python pip_main.py install ...`, PYTI_PIP_LOCATION naming pip.
"""

import os
import sys
import warnings

# The pip started for a build environment (see above) is given no location: it is inherited.
inherited = not (len(sys.argv) > 1 and os.path.isabs(sys.argv[1]))
location = os.environ["PYTI_PIP_LOCATION"] if inherited else sys.argv.pop(1)
os.environ["PYTI_PIP_LOCATION"] = location
if inherited and "--ignore-installed" in sys.argv and "--prefix" in sys.argv:
    # That pip installs the build requirements into a --prefix of their own, ignoring what is
    # installed; yet its closing conflict check reads the metadata of every distribution on
    # sys.path, some files many times over: 1,400 opens for Debian's /usr/lib/python3/dist-packages,
    # each a stop of a traced run. `python -S` would keep the interpreter's site-packages off
    # sys.path, and pip starts this one without it: they are dropped here, before pip is imported.
    import site

    _sites = set(site.getsitepackages())
    _sites.add(site.getusersitepackages())
    sys.path[:] = [p for p in sys.path if p not in _sites]
# As `python PIP/pip`: pip's directory (or wheel) first on sys.path, not PYTI's helpers, and
# argv[0] naming pip, which pip's messages quote.
sys.path[0] = location
sys.argv[0] = os.path.join(location, "pip")

try:
    # The module, not the package: its functions read the module's _distro.
    from pip._vendor.distro import distro

    distro._distro = distro.LinuxDistribution(include_lsb=False, include_uname=False)
except (ImportError, AttributeError, TypeError):
    pass  # another pip's distro: let it probe as it does

# pip's __main__: the warning filter must precede importing pip (pip issue 9540).
warnings.filterwarnings("ignore", category=DeprecationWarning, module=".*packaging\\.version")
from pip._internal.cli.main import main  # noqa: E402

try:
    from pip._internal import build_env

    build_env.get_runnable_pip = lambda: os.path.abspath(__file__)
except (ImportError, AttributeError):
    pass  # another pip: its own runner, which probes

sys.exit(main())
