import unittest

import pyti_test_plainassert


class TestPlain(unittest.TestCase):
    def test_module_not_rewritten(self):
        # python -m unittest runs this module as Python compiled it; pytest's assertion
        # rewriting would have added its helpers to the module's globals (nose2's prettyassert
        # tests read their own source and fail under it).
        self.assertNotIn("@py_builtins", globals())

    def test_check(self):
        self.assertEqual(pyti_test_plainassert.check(3), 3)
        with self.assertRaisesRegex(AssertionError, "^a false value$"):
            pyti_test_plainassert.check(0)
