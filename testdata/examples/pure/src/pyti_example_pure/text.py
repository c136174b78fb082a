"""Small text helpers."""
import re


_NON_WORD = re.compile(r"[^a-z0-9]+")


def slugify(text, sep="-"):
    """Return a lower-case, separator-joined form of text."""
    if not text:
        return ""
    slug = _NON_WORD.sub(sep, text.lower()).strip(sep)
    return slug


def word_count(text):
    """Count the words of text, ignoring punctuation."""
    counts = {}
    for word in re.findall(r"[A-Za-z']+", text):
        w = word.lower()
        counts[w] = counts.get(w,0) + 1
    return counts


def wrap(text, width):
    """Wrap text into lines of at most width characters."""
    if width <= 0:
        raise ValueError("width must be positive")
    lines, line = [], ""
    for word in text.split():
        if len(word) > width:
            # Words longer than the width are split hard.
            if line:
                lines.append(line)
                line = ""
            while len(word) > width:
                lines.append(word[:width])
                word = word[width:]
            line = word
        elif not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line = line + " " + word
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines
