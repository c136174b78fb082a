import io
import sys
import unittest

import pyti_test_plainassert
# A module-level name setup, imported: unittest calls setUpModule alone, while pytest's nose
# support would call this with the module (humanfriendly 10.0's tests import its Sphinx hook).
from pyti_test_plainassert import setup  # noqa: F401


class TestCheckMixin:
    # A plain class the TestCase below takes a test from (tornado 6.2's TestReadWriteMixin):
    # unittest runs no class that is no TestCase; pytest, collecting it by its name alone, would
    # run this test without check_value, an AttributeError.
    def test_mixed_in(self):
        self.assertEqual(pyti_test_plainassert.check(self.check_value), self.check_value)


class TestPlain(TestCheckMixin, unittest.TestCase):
    check_value = 5

    def test_module_not_rewritten(self):
        # python -m unittest runs this module as Python compiled it; pytest's assertion
        # rewriting would have added its helpers to the module's globals (nose2's prettyassert
        # tests read their own source and fail under it).
        self.assertNotIn("@py_builtins", globals())

    def test_check(self):
        self.assertEqual(pyti_test_plainassert.check(3), 3)
        with self.assertRaisesRegex(AssertionError, "^a false value$"):
            pyti_test_plainassert.check(0)

    def test_unraisable_reaches_stderr(self):
        # unittest leaves sys.unraisablehook as Python has it: an exception raised where nothing
        # can catch it (a __del__) is printed to stderr, as greenlet's dealloc tests expect;
        # pytest's unraisableexception plugin would take it instead.
        class Dying:
            def __del__(self):
                raise ValueError("raised in __del__")

        err, sys.stderr = sys.stderr, io.StringIO()
        try:
            Dying()
            printed = sys.stderr.getvalue()
        finally:
            sys.stderr = err
        self.assertIn("raised in __del__", printed)
