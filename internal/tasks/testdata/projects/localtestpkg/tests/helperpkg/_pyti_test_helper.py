"""A module the tests import by name: installed from tests/helperpkg, not on the tests' path."""

FACTOR = 2
