import execnet  # another test dependency, which the index has


def test_execnet_is_there():
    assert execnet.Group
