"""Uses execnet, which it declares only for its tests."""

import time

# Slow to reach its undeclared import: by then the tests, which start beside the import check,
# have had pip install their dependencies into the environment. The check must still miss it.
time.sleep(6)

import execnet  # noqa: E402  undeclared at run time, on purpose
import pyti_test_shareddep  # noqa: E402


def channel_kinds():
    """What kinds of gateways execnet names."""
    return sorted(k for k in dir(execnet) if k.endswith("Gateway")), pyti_test_shareddep.VERSION
