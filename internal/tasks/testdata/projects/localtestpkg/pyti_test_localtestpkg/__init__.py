"""A package whose tests need a helper that only its tree provides."""


def double(x):
    return 2 * x
