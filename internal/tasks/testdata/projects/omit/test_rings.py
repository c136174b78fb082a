import pytest

from pyti_rings import ring, turn


def test_ring():
    assert ring(3) == [0, 1, 2]


def test_empty_ring():
    with pytest.raises(ValueError):
        ring(0)


def test_turn():
    assert turn([0, 1, 2], 4) == [1, 2, 0]
