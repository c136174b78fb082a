"""Uses execnet, which it declares only for its tests."""

import execnet  # undeclared at run time, on purpose
import pyti_test_shareddep


def channel_kinds():
    """What kinds of gateways execnet names."""
    return sorted(k for k in dir(execnet) if k.endswith("Gateway")), pyti_test_shareddep.VERSION
