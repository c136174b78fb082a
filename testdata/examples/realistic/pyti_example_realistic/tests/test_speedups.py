"""The C speed-ups agree with the pure-Python versions. Skipped when the extension was not built,
as real projects with optional speed-ups do."""
import pytest

from pyti_example_realistic import _pure

speedups = pytest.importorskip("pyti_example_realistic._speedups", reason="C extension not available")

TEXTS = ["", "a", "<>&\"'", "mixed <b>bold</b> & 'quotes'", "ünï & ç", "word " * 30, "\t\n  \r"]


@pytest.mark.parametrize("text", TEXTS)
def test_escape_agrees(text):
    assert speedups.escape(text) == _pure.escape(text)


@pytest.mark.parametrize("text", TEXTS)
def test_count_words_agrees(text):
    assert speedups.count_words(text) == _pure.count_words(text)


def test_speedups_in_use():
    import pyti_example_realistic
    assert pyti_example_realistic.HAVE_SPEEDUPS
    from pyti_example_realistic import text
    assert text.escape is speedups.escape
