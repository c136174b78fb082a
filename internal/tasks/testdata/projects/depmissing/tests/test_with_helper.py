import pyti_test_not_on_any_index  # the test extra's project, which no index has

from pyti_test_depmissing import greet


def test_greet_with_helper():
    assert pyti_test_not_on_any_index.check(greet("x"))
