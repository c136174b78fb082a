"""A package whose test helper cannot be fetched: a dependency of the helper is missing."""


def greet(name):
    return "hello " + name
