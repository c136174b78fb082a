from pyti_example_missingdep import shout


def test_shout():
    assert shout("pyti") == "HELLO, PYTI!"
