"""python -m pyti_test_childnet.lookup SERVER QUERY: print what the key server answers."""

import sys
import urllib.request


def main(server, query):
    url = "http://%s:11371/pks/lookup?op=index&search=%s" % (server, query)
    with urllib.request.urlopen(url, timeout=5) as response:
        print(response.read().decode())


if __name__ == "__main__":
    main(*sys.argv[1:3])
