from pyti_example_newpython import Chunker, PairChunker


def test_chunks():
    assert Chunker(3).chunks(range(7)) == [[0, 1, 2], [3, 4, 5], [6]]


def test_pairs():
    assert PairChunker().chunks("abcd") == [("a", "b"), ("c", "d")]
