import sys

from pyti_test_pthdeps import distutils_origin


def test_setuptools_pth_ran_at_start_up():
    # setuptools' distutils-precedence.pth puts its finder first, as pip's install of it does.
    assert any(type(f).__name__ == "DistutilsMetaFinder" for f in sys.meta_path)


def test_distutils_is_setuptools_own():
    assert "setuptools" in distutils_origin()
