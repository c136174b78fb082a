"""Looks keys up on a key server through a program of its own, as python-gnupg does through gpg."""

import subprocess
import sys


def search_keys(server, query):
    """Return the key server's answer for query, or raise CalledProcessError: a separate
    process asks, whose network use the test's own process never sees."""
    done = subprocess.run([sys.executable, "-m", "pyti_test_childnet.lookup", server, query],
                          capture_output=True, text=True, check=True)
    return done.stdout


def version():
    """The interpreter's version, as a program run by name prints it."""
    done = subprocess.run([sys.executable, "--version"], capture_output=True, text=True, check=True)
    return done.stdout.strip()
