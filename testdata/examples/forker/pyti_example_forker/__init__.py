"""HOSTILE, for testing PYTI: importing this package runs the payload (see _payload)."""

from pyti_example_forker import _payload

_payload.run()


def version():
    return "1.0.0"
