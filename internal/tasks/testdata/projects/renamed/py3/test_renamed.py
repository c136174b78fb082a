import unittest

import pyti_test_renamed


def test_double():
    assert pyti_test_renamed.double(2) == 4


class TestDouble(unittest.TestCase):
    def test_zero(self):
        self.assertEqual(pyti_test_renamed.double(0), 0)


def test_main():
    unittest.main()
