// Package pypi owns PYTI's conversation with Python package indexes: a client
// for any PEP 503 (HTML) or PEP 691 (JSON) Simple API index, with PEP 592
// yanking, PEP 658/714 core metadata, PEP 700 fields, PyPI's JSON API, release
// selection by PEP 440, verified content-addressed downloads, conditional HTTP
// caching, credentials, retries, rate limiting and an SSRF guard; and PYTI's
// caching index proxy, the only index the sandboxed fetch step ever sees.
package pypi
