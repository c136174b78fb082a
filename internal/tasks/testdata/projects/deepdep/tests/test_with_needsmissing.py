import pyti_test_needsmissing  # on the index, but not what it depends on


def test_needs():
    assert pyti_test_needsmissing.VALUE
