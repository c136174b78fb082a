"""A package whose tests check how their module was compiled."""


def check(value):
    assert value, "a false value"
    return value
