from pyti_test_genversion import greet, version


def test_greet():
    assert greet("you") == "hello you"


def test_version_was_written_by_the_build():
    assert version == "1.0.0"
