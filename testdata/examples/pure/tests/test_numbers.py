import pytest

from pyti_example_pure import classify, to_roman


@pytest.mark.parametrize("n,want", [(-3, "negative"), (0, "zero"), (7, "small")])
def test_classify(n, want):
    assert classify(n) == want


def test_to_roman():
    assert to_roman(1994) == "MCMXCIV"


def test_to_roman_out_of_range():
    with pytest.raises(ValueError):
        to_roman(0)
