from pyti_test_deepdep import greet


def test_greet():
    assert greet("you") == "hello you"
