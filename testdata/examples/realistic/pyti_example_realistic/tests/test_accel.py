import pytest

import pyti_example_realistic
from pyti_example_realistic import fast_sum


def test_the_accelerator_was_built():
    # Fails when the tests import the sdist's unbuilt copy instead of what was installed.
    assert pyti_example_realistic.HAVE_ACCEL


@pytest.mark.parametrize("n", range(50))
def test_fast_sum(n):
    values = list(range(-n, 3 * n))
    assert fast_sum(values) == sum(values)


@pytest.mark.skipif(True, reason="needs a 32-bit build")
def test_overflow_on_32_bit():
    assert fast_sum([2**31 - 1, 1]) == 2**31
