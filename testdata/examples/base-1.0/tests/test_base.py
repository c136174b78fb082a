from pyti_example_base import __version__, add, greet


def test_version():
    assert __version__ == "1.0"


def test_greet():
    assert greet("PYTI") == "Hello, PYTI!"


def test_add():
    assert add(2, 2) == 4
