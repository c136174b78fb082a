from pyti_example_netneed import can_connect, fetch, parse_host_port, resolve


def test_connect_outside():
    # Needs the network: a TCP connect to a TEST-NET-1 address, 2 s timeout.
    assert can_connect(timeout=2.0)


def test_resolve_example_org():
    # Needs the network: a DNS lookup.
    assert resolve("example.org")


def test_fetch_https_example_org():
    # Needs the network: an HTTPS download.
    assert b"Example Domain" in fetch("https://example.org/")


def test_parse_host_port_offline():
    assert parse_host_port("example.org:8080") == ("example.org", 8080)
    assert parse_host_port("example.org") == ("example.org", 80)
