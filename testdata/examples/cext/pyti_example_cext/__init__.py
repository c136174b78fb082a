"""Python face of the _fastmath C extension."""

from pyti_example_cext._fastmath import gcd


def lcm(a, b):
    """Least common multiple, built on the C gcd."""
    if a == 0 or b == 0:
        return 0
    return abs(a * b) // gcd(a, b)


__all__ = ["gcd", "lcm"]
