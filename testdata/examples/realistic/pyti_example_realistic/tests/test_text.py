import pytest

from pyti_example_realistic import count_words, slugify, wrap

WORDS = ["alpha", "Beta", "GAMMA", "delta", "epsilon", "zeta", "Eta", "theta", "iota", "kappa"]


@pytest.mark.parametrize("i", range(100))
def test_slugify_is_idempotent(i):
    text = " ".join(WORDS[: i % 10 + 1]) + "!" * (i % 3)
    slug = slugify(text)
    assert slugify(slug) == slug
    assert slug == slug.lower()


@pytest.mark.parametrize("width", range(5, 45))
def test_wrap_respects_width(width):
    text = " ".join(WORDS * 3)
    lines = wrap(text, width)
    assert " ".join(lines) == text
    assert all(len(line) <= width or " " not in line for line in lines)


def test_wrap_rejects_zero_width():
    with pytest.raises(ValueError):
        wrap("x", 0)


@pytest.mark.parametrize("n", range(1, 21))
def test_count_words(n):
    counts = count_words(" ".join(WORDS[:2] * n))
    assert counts == {"alpha": n, "Beta": n}
