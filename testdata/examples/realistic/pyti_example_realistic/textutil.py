"""Text utilities."""
import re

_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text):
    """A lower-case, dash-separated form of text.

    >>> slugify("  PYTI: the PyPI Testing Infrastructure ")
    'pyti-the-pypi-testing-infrastructure'
    """
    return _NON_WORD.sub("-", text.lower()).strip("-")


def count_words(text):
    """How many times each word occurs.

    >>> sorted(count_words("a b a").items())
    [('a', 2), ('b', 1)]
    """
    counts = {}
    for word in text.split():
        counts[word] = counts.get(word, 0) + 1
    return counts


def wrap(text, width):
    """Lines of at most width characters, broken at spaces.

    >>> wrap("the quick brown fox", 10)
    ['the quick', 'brown fox']
    """
    if width < 1:
        raise ValueError("width must be positive")
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = word if not line else line + " " + word
    if line:
        lines.append(line)
    return lines
