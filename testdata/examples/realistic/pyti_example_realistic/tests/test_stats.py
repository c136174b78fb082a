import math
import random
import statistics

import pytest

from pyti_example_realistic import mean, median, mode, percentile, stdev

random.seed(1234)
DATASETS = [[random.randint(-50, 50) for _ in range(random.randint(2, 40))] for _ in range(25)]


@pytest.mark.parametrize("data", DATASETS)
def test_mean(data):
    assert math.isclose(mean(data), statistics.mean(data))


@pytest.mark.parametrize("data", DATASETS)
def test_median(data):
    assert median(data) == statistics.median(data)


@pytest.mark.parametrize("data", DATASETS)
def test_stdev(data):
    assert math.isclose(stdev(data), statistics.stdev(data))


@pytest.mark.parametrize("data", DATASETS)
def test_mode_is_most_common(data):
    m = mode(data)
    assert data.count(m) == max(data.count(v) for v in data)


@pytest.mark.parametrize("p", [0, 10, 25, 50, 75, 90, 100])
def test_percentile_bounds(p):
    data = list(range(101))
    assert percentile(data, p) == p


@pytest.mark.parametrize("func", [mean, median, mode, stdev])
def test_no_data(func):
    with pytest.raises(ValueError):
        func([])


def test_percentile_range():
    with pytest.raises(ValueError):
        percentile([1], 101)
