"""Base helpers shared by the pyti-example projects (version 1.0)."""

__version__ = "1.0"


def greet(name):
    """Return a greeting for name."""
    return "Hello, %s!" % name


def add(a, b):
    """Add two numbers."""
    return a + b
