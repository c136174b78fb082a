"""Small helpers, documented by example.

>>> double(2)
4
"""


def double(x):
    """Twice x.

    >>> double(21)
    42
    """
    return 2 * x


def clamp(x, low, high):
    """x held between low and high.

    >>> clamp(5, 0, 3)
    3
    >>> clamp(-1, 0, 3)
    0
    """
    if x < low:
        return low
    if x > high:
        return high
    return x


def unused(x):
    if x:
        return "yes"
    return "no"
