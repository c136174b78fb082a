"""The packages of the host that the build could import, as setup.py found them."""
from pyti_test_hostpkgs._build import SEEN

__all__ = ["SEEN"]
