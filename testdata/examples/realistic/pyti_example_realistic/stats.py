"""Descriptive statistics of sequences of numbers.

>>> median([3, 1, 2])
2
>>> mode([1, 2, 2, 3])
2
"""
import math
from collections import Counter

__all__ = ["mean", "median", "mode", "percentile", "stdev"]


def _values(data):
    values = list(data)
    if not values:
        raise ValueError("no data")
    return values


def mean(data):
    """The arithmetic mean."""
    values = _values(data)
    return sum(values) / len(values)


def median(data):
    """The middle value, or the mean of the two middle values.

    >>> median([4, 1, 3, 2])
    2.5
    """
    values = sorted(_values(data))
    mid = len(values) // 2
    if len(values) % 2:
        return values[mid]
    return (values[mid - 1] + values[mid]) / 2


def mode(data):
    """The most common value; the smallest of them on a tie."""
    counts = Counter(_values(data))
    top = max(counts.values())
    return min(v for v, n in counts.items() if n == top)


def percentile(data, p):
    """The p-th percentile (0 to 100), interpolating linearly between ranks.

    >>> percentile([1, 2, 3, 4, 5], 50)
    3.0
    """
    if not 0 <= p <= 100:
        raise ValueError("p must be between 0 and 100")
    values = sorted(_values(data))
    rank = (len(values) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (rank - low)


def stdev(data):
    """The sample standard deviation.

    >>> round(stdev([2, 4, 4, 4, 5, 5, 7, 9]), 4)
    2.1381
    """
    values = _values(data)
    if len(values) < 2:
        raise ValueError("stdev needs at least two values")
    m = mean(values)
    return math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))
