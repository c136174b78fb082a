import pyti_test_tracing


def test_untraced():
    # A debugger's or a leak checker's test: it assumes nothing else traces the process.
    assert pyti_test_tracing.tracer() is None


def test_untraced_thread():
    assert pyti_test_tracing.tracer_in_thread() is None


def test_double():
    assert pyti_test_tracing.double(2) == 4


def test_double_wrong():
    assert pyti_test_tracing.double(2) == 5
