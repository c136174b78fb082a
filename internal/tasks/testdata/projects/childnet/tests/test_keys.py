from pyti_test_childnet import search_keys, version


def test_search_keys():
    # Needs the network, in the program it runs: keys.example.org is another machine.
    assert "pub:" in search_keys("keys.example.org", "0x12345678")


def test_version():
    assert version().startswith("Python 3")
