"""Adds numbers, in C when the extension was built, in Python otherwise."""
try:
    from pyti_test_inside._speed import add as _c_add
except ImportError:  # the source tree's copy: not built
    _c_add = None

HAVE_C = _c_add is not None


def add(a, b):
    """Add two integers."""
    if _c_add is not None:
        return _c_add(a, b)
    return a + b


def mul(a, b):
    """Multiply two integers (no test calls this)."""
    if a == 0 or b == 0:
        return 0
    return a * b
