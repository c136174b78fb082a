"""Text, interval and statistics helpers, with C speed-ups when they were built.

>>> from pyti_example_realistic import escape, Interval, mean
>>> escape("<b>")
'&lt;b&gt;'
>>> Interval(1, 3) & Interval(2, 5)
Interval(2, 3)
>>> mean([1, 2, 3, 4])
2.5
"""
from .intervals import Interval, merge
from .stats import mean, median, mode, percentile, stdev
from .text import count_words, escape, slugify, wrap

try:
    from . import _speedups  # noqa: F401
except ImportError:  # built without a compiler: the pure-Python versions serve
    HAVE_SPEEDUPS = False
else:
    HAVE_SPEEDUPS = True

__version__ = "2.3.0"
__all__ = ["Interval", "merge", "mean", "median", "mode", "percentile", "stdev",
           "count_words", "escape", "slugify", "wrap", "HAVE_SPEEDUPS"]
