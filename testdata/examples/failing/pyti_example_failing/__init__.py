"""Arithmetic with two deliberate bugs, for PYTI's test-result reporting."""


def add(a, b):
    return a + b


def subtract(a, b):
    return a + b  # deliberate bug: should be a - b


def mean(values):
    return sum(values) / (len(values) + 1)  # deliberate bug: off by one
