"""Builds on pyti-example-base."""

import pyti_example_base


def welcome(names):
    """Greet every name, one line each."""
    return "\n".join(pyti_example_base.greet(n) for n in names)


def total(values):
    """Sum values with the base library's add."""
    result = 0
    for v in values:
        result = pyti_example_base.add(result, v)
    return result
