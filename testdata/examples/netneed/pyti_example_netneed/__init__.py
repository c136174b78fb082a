"""Tiny network helpers whose tests reach out to the internet."""

import socket
import urllib.request

# 192.0.2.1 is in TEST-NET-1 (RFC 5737): documentation only, never routed.
PROBE_ADDRESS = ("192.0.2.1", 80)


def can_connect(address=PROBE_ADDRESS, timeout=2.0):
    """Open a TCP connection to address and close it again; raise on failure."""
    with socket.create_connection(address, timeout=timeout):
        return True


def resolve(host, port=80):
    """Return the IP addresses that host resolves to."""
    return sorted({info[4][0] for info in socket.getaddrinfo(host, port)})


def fetch(url, timeout=5.0):
    """Return the body of url."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.read()


def parse_host_port(text, default_port=80):
    """Split "host:port" into (host, port), with a default port."""
    host, sep, port = text.rpartition(":")
    if not sep:
        return text, default_port
    return host, int(port)
