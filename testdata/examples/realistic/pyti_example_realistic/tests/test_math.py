import math

import pytest

from pyti_example_realistic import gcd, is_prime, lcm, primes_up_to


def naive_prime(n):
    return n >= 2 and all(n % k for k in range(2, n))


@pytest.mark.parametrize("n", range(200))
def test_is_prime(n):
    assert is_prime(n) == naive_prime(n)


@pytest.mark.parametrize("a,b", [(a, b) for a in range(0, 50, 5) for b in range(1, 100, 10)])
def test_gcd_matches_math(a, b):
    assert gcd(a, b) == math.gcd(a, b)


@pytest.mark.parametrize("a,b", [(a, b) for a in range(1, 11) for b in range(1, 6)])
def test_lcm(a, b):
    assert lcm(a, b) * gcd(a, b) == a * b


@pytest.mark.slow
@pytest.mark.parametrize("limit", [10, 100, 1000, 5000])
def test_sieve_matches_is_prime(limit):
    assert primes_up_to(limit) == [n for n in range(limit) if is_prime(n)]
