import itertools

import pytest

from pyti_example_realistic import Interval, merge

POINTS = range(0, 6)
PAIRS = [(a, b) for a, b in itertools.product(POINTS, POINTS) if a <= b]


@pytest.mark.parametrize("low,high", PAIRS)
def test_len(low, high):
    assert len(Interval(low, high)) == len(range(low, high + 1))


@pytest.mark.parametrize("a,b", list(itertools.product(PAIRS[:12], PAIRS[:12])))
def test_overlap_is_symmetric(a, b):
    x, y = Interval(*a), Interval(*b)
    assert x.overlaps(y) == y.overlaps(x)
    assert (x & y is None) == (not x.overlaps(y))


def test_empty_interval_refused():
    with pytest.raises(ValueError):
        Interval(3, 2)


@pytest.mark.parametrize("pieces,expected", [
    ([], []),
    ([Interval(1, 1)], [Interval(1, 1)]),
    ([Interval(5, 6), Interval(1, 2)], [Interval(1, 2), Interval(5, 6)]),
    ([Interval(1, 3), Interval(4, 5)], [Interval(1, 5)]),
    ([Interval(1, 10), Interval(2, 3)], [Interval(1, 10)]),
])
def test_merge(pieces, expected):
    assert merge(pieces) == expected


def test_ordering():
    assert sorted([Interval(2, 3), Interval(1, 5), Interval(1, 2)]) == [Interval(1, 2), Interval(1, 5), Interval(2, 3)]
    assert Interval(1, 2) != "Interval(1, 2)"
