import execnet  # a test dependency that installs beside the package


def test_execnet_is_there():
    assert execnet.Group
