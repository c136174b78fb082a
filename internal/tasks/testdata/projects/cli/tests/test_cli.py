import subprocess
import sys

from pyti_test_cli import shout


def test_shout():
    assert shout(["a", "b"]) == "A B"


def test_command_by_name():
    # As under tox or in an activated virtualenv: the environment's scripts are on PATH.
    out = subprocess.run(["pyti-test-shout", "hi", "there"], capture_output=True, text=True, check=True)
    assert out.stdout == "HI THERE\n"


def test_python_on_path_is_the_environments():
    out = subprocess.run(["python", "-c", "import sys; print(sys.prefix)"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == sys.prefix
