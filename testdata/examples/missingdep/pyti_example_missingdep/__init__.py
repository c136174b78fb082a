"""Uses pyti_example_base but forgets to declare it as a dependency."""

import pyti_example_base  # undeclared dependency, on purpose


def shout(name):
    """Greet name loudly."""
    return pyti_example_base.greet(name).upper()
