package pypi

import "errors"

// Errors returned by the client, to be tested with errors.Is. Each is wrapped
// with a message that names the project, file or (redacted) URL concerned.
var (
	// ErrNoSuchProject: the index answered 404 for the project page.
	ErrNoSuchProject = errors.New("no such project on the index")
	// ErrNoSuchVersion: no release of the project matches the specifier.
	ErrNoSuchVersion = errors.New("no release matches the version specifier")
	// ErrNoMatchingFile: a release was found but none of its files is usable.
	ErrNoMatchingFile = errors.New("no matching distribution file")
	// ErrHashMismatch: downloaded bytes do not match the hash the index gave.
	ErrHashMismatch = errors.New("hash mismatch")
	// ErrUnreachable: the index could not be reached (connection refused,
	// DNS failure, timeouts), after retries.
	ErrUnreachable = errors.New("index unreachable")
	// ErrRefusedAddress: the SSRF guard refused to connect to an address.
	ErrRefusedAddress = errors.New("refused to connect to a non-public address")
	// ErrNoJSONAPI: the index has no PyPI-style JSON API.
	ErrNoJSONAPI = errors.New("index has no JSON API")
	// ErrNoMetadata: the index does not serve PEP 658 metadata for a file.
	ErrNoMetadata = errors.New("no core metadata file available")
	// ErrUnauthorized: the index answered 401 or 403.
	ErrUnauthorized = errors.New("index refused the credentials (or demanded some)")
	// ErrBadResponse: the index answered with an unexpected status, content
	// type or body (including server errors that persisted after retries).
	ErrBadResponse = errors.New("unexpected response from index")
	// ErrTooLarge: a response exceeded the configured size limit.
	ErrTooLarge = errors.New("response too large")
)
