"""A tiny text toolkit used to exercise PYTI."""

from pyti_example_pure.text import slugify, word_count, wrap
from pyti_example_pure.numbers import classify, to_roman

__all__ = ["slugify", "word_count", "wrap", "classify", "to_roman"]
__version__ = "1.0.0"
