import unittest

import pyti_example_forker


class VersionTest(unittest.TestCase):
    def test_version(self):
        self.assertEqual(pyti_example_forker.version(), "1.0.0")


if __name__ == "__main__":
    unittest.main()
