from pyti_test_depconflict import greet


def test_greet():
    assert greet("you") == "hello you"


def test_greet_empty():
    assert greet("") == "hello "
