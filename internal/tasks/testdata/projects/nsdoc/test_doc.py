from pyti_test_ns.doc import clamp, double


def test_double(three):
    assert double(three) == 6


def test_clamp_inside():
    assert clamp(2, 0, 3) == 2
