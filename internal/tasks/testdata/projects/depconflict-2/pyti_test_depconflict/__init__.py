"""A package whose test extra cannot be installed whole beside it."""


def greet(name):
    return "hello " + name
