import execnet  # a test dependency the index has, with all it needs


def test_execnet_is_there():
    assert execnet.Group
