"""Base helpers shared by the pyti-example projects (version 1.1)."""

__version__ = "1.1"


def greet(name):
    """Return a greeting for name."""
    return "Hello, %s!" % name


def add(a, b):
    """Add two numbers."""
    return a + b


def multiply(a, b):
    """Multiply two numbers (new in 1.1)."""
    return a * b
