"""Find words in lists.

>>> lookup("a", ["a"])
0
"""


def lookup(word, words):
    """Return the index of word in words, or -1.

    >>> lookup("z", ["a"])
    -1
    """
    try:
        return words.index(word)
    except ValueError:
        return -1
