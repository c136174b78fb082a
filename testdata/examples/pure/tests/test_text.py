import pytest

from pyti_example_pure import slugify, word_count, wrap


def test_slugify_basic():
    assert slugify("Hello, World!") == "hello-world"


def test_slugify_empty():
    assert slugify("") == ""


def test_slugify_separator():
    assert slugify("a b  c", sep="_") == "a_b_c"


def test_word_count():
    assert word_count("the cat and the hat") == {"the": 2, "cat": 1, "and": 1, "hat": 1}


def test_wrap_simple():
    assert wrap("one two three four", 9) == ["one two", "three", "four"]


def test_wrap_rejects_zero_width():
    with pytest.raises(ValueError):
        wrap("x", 0)
