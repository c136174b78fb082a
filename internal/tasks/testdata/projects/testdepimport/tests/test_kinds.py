from pyti_test_testdepimport import channel_kinds


def test_kinds():
    kinds, ini = channel_kinds()
    assert ini == 1
    assert isinstance(kinds, list)
