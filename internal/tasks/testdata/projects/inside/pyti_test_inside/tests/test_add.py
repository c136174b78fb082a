import pyti_test_inside


def test_the_extension_was_built():
    # Fails when the tests import the sdist's unbuilt copy instead of what was installed.
    assert pyti_test_inside.HAVE_C


def test_add():
    assert pyti_test_inside.add(2, 3) == 5


def test_add_negative():
    assert pyti_test_inside.add(-2, -3) == -5
