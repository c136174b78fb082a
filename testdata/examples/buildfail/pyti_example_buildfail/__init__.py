"""Would expose the answer, if its C extension compiled."""

from pyti_example_buildfail._broken import answer

__all__ = ["answer"]
