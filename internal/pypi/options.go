package pypi

import (
	"fmt"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// DefaultIndexURL is PyPI's Simple API.
const DefaultIndexURL = "https://pypi.org/simple/"

// Options configures a Client. The zero value is usable: it talks to PyPI.
type Options struct {
	// IndexURL is the Simple API base URL; default DefaultIndexURL. It may
	// carry credentials as userinfo; they are sent as Basic auth to the
	// index host only, and never logged.
	IndexURL string
	// JSONAPIURL is the base of a PyPI-style JSON API ("https://pypi.org/pypi/").
	// Derived for pypi.org and test.pypi.org; otherwise empty unless given,
	// and ProjectJSON then returns ErrNoJSONAPI.
	JSONAPIURL string
	// CacheDir holds http/ (validated page cache) and blobs/sha256/ (the
	// content-addressed file store). Default: the user cache dir + "/pyti".
	CacheDir string
	// UserAgent names PYTI and its version, e.g. "pyti/0.3.0".
	UserAgent string
	// RequestsPerSecond limits the request rate to the index (0: unlimited);
	// Burst is the bucket size (default 1 when a rate is set).
	RequestsPerSecond float64
	Burst             int
	// Retries is the number of retries after the first attempt for 5xx, 429,
	// timeouts and connection errors (default 4; negative: none).
	Retries int
	// RetryBaseDelay is the first backoff delay, doubled on every retry up
	// to RetryMaxDelay (defaults 500ms and 30s). A Retry-After header wins,
	// capped at RetryMaxDelay.
	RetryBaseDelay time.Duration
	RetryMaxDelay  time.Duration
	// Timeout bounds one attempt of a page, metadata or JSON request
	// (default 60s); DownloadTimeout bounds one attempt of a file download
	// (default 15m).
	Timeout         time.Duration
	DownloadTimeout time.Duration
	// MaxPageBytes caps a page or JSON document (default 64 MiB);
	// MaxMetadataBytes caps a PEP 658 metadata file (default 16 MiB);
	// MaxDownloadBytes caps a distribution file (default 4 GiB).
	MaxPageBytes     int64
	MaxMetadataBytes int64
	MaxDownloadBytes int64
	// Logger receives request, retry and cache events; URLs are redacted.
	// Default: discard.
	Logger *slog.Logger
	// AllowPrivate lets the client connect to loopback, private, link-local
	// (including cloud metadata), CGNAT and unspecified addresses. Off by
	// default: a user-supplied index must not reach the operator's network.
	AllowPrivate bool
	// AllowedNetworks are prefixes allowed even when AllowPrivate is false,
	// e.g. a company index at 10.1.2.3/32.
	AllowedNetworks []netip.Prefix
	// PrivateHosts are "host:port" endpoints allowed on loopback or a private
	// network even when AllowPrivate is false: the operator's own mirror. A
	// connection to any other private endpoint (another port of the same
	// host, a redirect elsewhere) is refused, before it is dialled.
	PrivateHosts []string
	// CredentialHost is the "host:port" the environment's credentials
	// (PYTI_INDEX_USERNAME/PASSWORD) were configured for; default the index
	// URL's. A client for another index (a job's) never sends them.
	CredentialHost string
	// NetrcPath overrides ~/.netrc (or $NETRC). "-" disables netrc.
	NetrcPath string
	// Getenv reads PYTI_INDEX_USERNAME / PYTI_INDEX_PASSWORD and NETRC;
	// default os.Getenv.
	Getenv func(string) string
}

func (o Options) withDefaults() (Options, error) {
	if o.IndexURL == "" {
		o.IndexURL = DefaultIndexURL
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.CacheDir == "" {
		d, err := os.UserCacheDir()
		if err != nil {
			return o, fmt.Errorf("pypi: no CacheDir given and no user cache dir: %w", err)
		}
		o.CacheDir = filepath.Join(d, "pyti")
	}
	if o.UserAgent == "" {
		o.UserAgent = "pyti"
	}
	if o.RequestsPerSecond > 0 && o.Burst <= 0 {
		o.Burst = 1
	}
	if o.Retries == 0 {
		o.Retries = 4
	} else if o.Retries < 0 {
		o.Retries = 0
	}
	if o.RetryBaseDelay <= 0 {
		o.RetryBaseDelay = 500 * time.Millisecond
	}
	if o.RetryMaxDelay <= 0 {
		o.RetryMaxDelay = 30 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.DownloadTimeout <= 0 {
		o.DownloadTimeout = 15 * time.Minute
	}
	if o.MaxPageBytes <= 0 {
		o.MaxPageBytes = 64 << 20
	}
	if o.MaxMetadataBytes <= 0 {
		o.MaxMetadataBytes = 16 << 20
	}
	if o.MaxDownloadBytes <= 0 {
		o.MaxDownloadBytes = 4 << 30
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o, nil
}

// parseIndexURL checks the index URL, splits off its credentials, and makes
// sure the path ends in "/".
func parseIndexURL(raw string) (*url.URL, *url.Userinfo, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, nil, fmt.Errorf("pypi: index URL %s: %w", Redact(raw), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, nil, fmt.Errorf("pypi: index URL %s: scheme must be http or https", Redact(raw))
	}
	if u.Host == "" {
		return nil, nil, fmt.Errorf("pypi: index URL %s: no host", Redact(raw))
	}
	user := u.User
	u.User = nil
	u.Fragment = ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
		u.RawPath = ""
	}
	return u, user, nil
}

// deriveJSONAPI returns the JSON API base for PyPI and TestPyPI.
func deriveJSONAPI(index *url.URL) string {
	switch strings.ToLower(index.Hostname()) {
	case "pypi.org", "test.pypi.org":
		return "https://" + strings.ToLower(index.Hostname()) + "/pypi/"
	}
	return ""
}
