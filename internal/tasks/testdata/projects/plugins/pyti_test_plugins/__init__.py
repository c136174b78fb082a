"""Sign and size of numbers."""


def sign(x):
    """-1, 0 or 1."""
    if x < 0:
        return -1
    if x > 0:
        return 1
    return 0


def size(x):
    """How big x is, in words."""
    if abs(x) >= 1000:
        return "large"
    return "small"
