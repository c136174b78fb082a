"""Rings of numbers."""


def ring(n):
    """The numbers 0 to n-1, in a ring."""
    if n <= 0:
        raise ValueError("a ring needs a number")
    return list(range(n))


def turn(r, k):
    """The ring r turned by k."""
    k %= len(r)
    return r[k:] + r[:k]
