import unittest

from pyti_example_legacy import frequencies, top


class FrequenciesTest(unittest.TestCase):
    def test_frequencies(self):
        self.assertEqual(frequencies(["b", "a", "b"]), [("b", 2), ("a", 1)])

    def test_top(self):
        self.assertEqual(top(["x", "y", "y", "z", "z", "z"], 2), ["z", "y"])

    def test_empty(self):
        self.assertEqual(top([]), [])


if __name__ == "__main__":
    unittest.main()
