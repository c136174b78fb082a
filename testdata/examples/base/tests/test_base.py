from pyti_example_base import __version__, add, greet, multiply


def test_version():
    assert __version__ == "1.1"


def test_greet():
    assert greet("PYTI") == "Hello, PYTI!"


def test_add():
    assert add(2, 2) == 4


def test_multiply():
    assert multiply(3, 4) == 12
