"""Text helpers.

>>> slugify("Hello, World!")
'hello-world'
>>> wrap("one two three four", 9)
['one two', 'three', 'four']
"""
import re
import unicodedata

try:
    from ._speedups import count_words, escape
except ImportError:
    from ._pure import count_words, escape

__all__ = ["count_words", "escape", "slugify", "wrap"]

_NOT_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text, sep="-"):
    """Lower-case ASCII words of text joined by sep.

    >>> slugify("Ünïcode  Straße", sep="_")
    'unicode_strae'
    >>> slugify("---")
    ''
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_WORD.sub(sep, ascii_text.lower()).strip(sep)


def wrap(text, width):
    """Split text into lines of at most width characters, breaking between words.

    A word longer than width gets a line of its own.

    >>> wrap("a verylongword b", 4)
    ['a', 'verylongword', 'b']
    >>> wrap("", 10)
    []
    """
    if width < 1:
        raise ValueError("width must be at least 1")
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    if line:
        lines.append(line)
    return lines
