"""Greets; its version comes from a module that the build writes."""

try:
    from ._version import version
except ImportError:  # a source tree that was never built
    version = "0+unknown"


def greet(name):
    """Return a greeting for name."""
    return "hello " + name
