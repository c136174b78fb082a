"""Chunking helpers that rely on Python 3.12 features."""

from itertools import batched  # new in Python 3.12
from typing import override  # new in Python 3.12


class Chunker:
    """Split sequences into fixed-size chunks."""

    def __init__(self, size):
        self.size = size

    def chunks(self, items):
        return [list(b) for b in batched(items, self.size)]


class PairChunker(Chunker):
    """A Chunker whose chunks are pairs."""

    def __init__(self):
        super().__init__(2)

    @override
    def chunks(self, items):
        return [tuple(c) for c in super().chunks(items)]
