"""Closed integer intervals.

>>> Interval(1, 5).contains(3)
True
>>> merge([Interval(1, 2), Interval(2, 4), Interval(7, 8)])
[Interval(1, 4), Interval(7, 8)]
"""
from functools import total_ordering

__all__ = ["Interval", "merge"]


@total_ordering
class Interval:
    """The integers from low to high, both included."""

    __slots__ = ("low", "high")

    def __init__(self, low, high):
        if low > high:
            raise ValueError(f"empty interval: {low} > {high}")
        self.low, self.high = low, high

    def __repr__(self):
        return f"Interval({self.low}, {self.high})"

    def __eq__(self, other):
        if not isinstance(other, Interval):
            return NotImplemented
        return (self.low, self.high) == (other.low, other.high)

    def __lt__(self, other):
        if not isinstance(other, Interval):
            return NotImplemented
        return (self.low, self.high) < (other.low, other.high)

    def __hash__(self):
        return hash((self.low, self.high))

    def __len__(self):
        """The number of integers in the interval.

        >>> len(Interval(3, 7))
        5
        """
        return self.high - self.low + 1

    def contains(self, value):
        """Whether value lies in the interval."""
        return self.low <= value <= self.high

    def overlaps(self, other):
        """Whether the two intervals share an integer.

        >>> Interval(1, 2).overlaps(Interval(3, 4))
        False
        """
        return self.low <= other.high and other.low <= self.high

    def __and__(self, other):
        if not self.overlaps(other):
            return None
        return Interval(max(self.low, other.low), min(self.high, other.high))


def merge(intervals):
    """Merge overlapping or touching intervals into a sorted list."""
    merged = []
    for iv in sorted(intervals):
        if merged and iv.low <= merged[-1].high + 1:
            last = merged[-1]
            merged[-1] = Interval(last.low, max(last.high, iv.high))
        else:
            merged.append(iv)
    return merged
