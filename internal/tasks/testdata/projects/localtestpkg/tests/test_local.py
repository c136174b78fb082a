import _pyti_test_helper

import pyti_test_localtestpkg


def test_double():
    assert pyti_test_localtestpkg.double(3) == 3 * _pyti_test_helper.FACTOR


def test_helper_is_installed():
    assert "site-packages" in _pyti_test_helper.__file__
