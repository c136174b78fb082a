import pytest

from pyti_test_plugins import sign, size


def test_negative():
    assert sign(-3) == -1


def test_zero():
    assert sign(0) == 0


def test_positive():
    assert sign(5) == 1


def test_small():
    assert size(3) == "small"


@pytest.mark.no_cover
def test_large():
    assert size(-5000) == "large"


def test_large_positive(no_cover):
    assert size(5000) == "large"
