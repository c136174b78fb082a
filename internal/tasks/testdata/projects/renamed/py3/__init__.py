"""A package whose source directory, py3/, is not its name (as regex's regex_3/)."""


def double(x):
    return 2 * x


def magnitude(x):
    if x < 0:
        return -x
    return x
