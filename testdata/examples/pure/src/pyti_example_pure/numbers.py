"""Small number helpers."""
_ROMAN = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
          (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
def classify(n):
    """Classify an integer as negative, zero, small, large or huge."""
    if n < 0:
        return "negative"
    if n == 0:
        return "zero"
    if n < 10:
        return "small"
    if n < 1000:
        return "large"
    return "huge"


def to_roman(n):
    """Return n (1..3999) in Roman numerals."""
    if not isinstance(n, int):
        raise TypeError("expected an int, got %s" % type(n).__name__)
    if not 0 < n < 4000:
        raise ValueError("out of range: %d" % n)
    out = []
    for value, letters in _ROMAN:
        while n >= value:
            out.append(letters)
            n -= value
    return "".join(out)


def from_roman(s):
    """Parse a Roman numeral; the inverse of to_roman."""
    values = dict((letters, value) for value, letters in _ROMAN)
    i, total = 0, 0
    while i < len(s):
        if s[i:i + 2] in values:
            total += values[s[i:i + 2]]
            i += 2
        elif s[i] in values:
            total += values[s[i]]
            i += 1
        else:
            raise ValueError("not a Roman numeral: %r" % s)
    return total
