"""Shout the arguments back."""
import sys


def shout(words):
    """Return the words in capitals, joined by spaces."""
    return " ".join(w.upper() for w in words)


def main(argv=None):
    """The pyti-test-shout command."""
    print(shout(sys.argv[1:] if argv is None else argv))
    return 0
