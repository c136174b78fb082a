import pyti_test_conflictplugin  # depends on an older version of the package

from pyti_test_depconflict import greet


def test_greet_with_plugin():
    assert pyti_test_conflictplugin.check(greet("x"))
