import pytest

from pyti_example_cext import gcd, lcm


@pytest.mark.parametrize("a,b,want", [(12, 18, 6), (17, 5, 1), (-4, 6, 2), (0, 9, 9)])
def test_gcd(a, b, want):
    assert gcd(a, b) == want


def test_lcm():
    assert lcm(4, 6) == 12
    assert lcm(0, 6) == 0


def test_gcd_rejects_strings():
    with pytest.raises(TypeError):
        gcd("a", 1)
