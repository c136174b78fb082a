"""The older version of pyti-test-depconflict."""


def greet(name):
    return "hi " + name
