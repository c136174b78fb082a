"""Word frequencies, in the old style."""


def frequencies(words):
    """Return (word, count) pairs, most frequent first, ties alphabetical."""
    counts = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def top(words, n=1):
    """Return the n most frequent words."""
    return [w for w, _ in frequencies(words)[:n]]
