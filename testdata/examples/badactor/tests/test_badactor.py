import unittest

from pyti_example_badactor import version


class VersionTest(unittest.TestCase):
    def test_version(self):
        self.assertEqual(version(), "1.0.0")


if __name__ == "__main__":
    unittest.main()
