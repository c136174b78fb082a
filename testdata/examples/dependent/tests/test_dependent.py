import pyti_example_base

from pyti_example_dependent import total, welcome


def test_welcome():
    assert welcome(["a", "b"]) == "Hello, a!\nHello, b!"


def test_total():
    assert total([1, 2, 3, 4]) == 10


def test_base_version_is_recent_enough():
    major, minor = (int(x) for x in pyti_example_base.__version__.split(".")[:2])
    assert (major, minor) >= (1, 0)
