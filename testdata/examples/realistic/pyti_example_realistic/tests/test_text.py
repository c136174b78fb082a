import string

import pytest

from pyti_example_realistic import count_words, escape, slugify, wrap
from pyti_example_realistic import _pure

SAMPLES = [
    "", "plain", "a & b", "<script>alert('x')</script>", '"quoted"', "tab\tand\nnewline",
    "ünïcödé & <tags>", "&amp; already", "x" * 50, "  spaced   out  ",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_escape_matches_pure(text):
    assert escape(text) == _pure.escape(text)


@pytest.mark.parametrize("char", list(string.printable))
def test_escape_each_printable(char):
    escaped = escape(char)
    if char in "&<>\"'":
        assert escaped.startswith("&") and escaped.endswith(";")
    else:
        assert escaped == char


@pytest.mark.parametrize("text", SAMPLES)
def test_count_words_matches_split(text):
    assert count_words(text) == len(text.split())


@pytest.mark.parametrize("bad", [None, 1, b"bytes", ["list"]])
def test_escape_refuses_non_str(bad):
    with pytest.raises(TypeError):
        escape(bad)


@pytest.mark.parametrize("text,expected", [
    ("Hello World", "hello-world"),
    ("  Leading and trailing  ", "leading-and-trailing"),
    ("Crème brûlée", "creme-brulee"),
    ("100% sure!", "100-sure"),
    ("a--b", "a-b"),
    ("", ""),
])
def test_slugify(text, expected):
    assert slugify(text) == expected


@pytest.mark.parametrize("width", range(1, 41))
def test_wrap_respects_width(width):
    text = "the quick brown fox jumps over the lazy dog " * 3
    for line in wrap(text, width):
        assert len(line) <= width or " " not in line


def test_wrap_refuses_zero_width():
    with pytest.raises(ValueError):
        wrap("text", 0)
