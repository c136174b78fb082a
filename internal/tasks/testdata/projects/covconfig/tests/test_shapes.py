from pyti_test_covconfig import Square, total


def test_square():
    assert Square(3).area() == 9


def test_total():
    assert total([Square(1), Square(2)]) == 5
