"""Looks innocent once installed: the harm is done by setup.py."""


def version():
    return "1.0.0"
