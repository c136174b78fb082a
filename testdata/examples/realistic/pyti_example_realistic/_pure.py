"""Pure-Python versions of the C speed-ups in _speedups.

>>> escape("a & b")
'a &amp; b'
>>> count_words("  two   words ")
2
"""

_REPLACEMENTS = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&#34;", "'": "&#39;"}


def escape(text):
    """Escape &, <, >, " and ' for HTML."""
    if not isinstance(text, str):
        raise TypeError("escape() takes a str")
    return "".join(_REPLACEMENTS.get(c, c) for c in text)


def count_words(text):
    """Count the words separated by white space."""
    if not isinstance(text, str):
        raise TypeError("count_words() takes a str")
    return len(text.split())
