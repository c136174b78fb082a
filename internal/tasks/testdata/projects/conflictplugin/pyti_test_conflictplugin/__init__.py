"""A test helper that needs the older pyti-test-depconflict."""


def check(text):
    return bool(text)
