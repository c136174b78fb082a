package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Client talks to one PEP 503/691 index (and, where it has one, a PyPI-style
// JSON API). It is safe for concurrent use.
type Client struct {
	opts    Options
	index   *url.URL
	jsonAPI *url.URL
	creds   *credentials
	hc      *http.Client
	limiter *tokenBucket
	log     *slog.Logger
	pages   *pageCache
	blobs   *blobStore

	// sleep waits between retries; tests replace it to observe delays.
	sleep func(ctx context.Context, d time.Duration) error

	mu      sync.Mutex
	flights map[string]*flight // in-progress downloads by key
	urlSHA  map[string]string  // sha256 learned for files the index gave none for
}

// NewClient checks opts and builds a Client. Nothing is fetched yet.
func NewClient(opts Options) (*Client, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	index, user, err := parseIndexURL(o.IndexURL)
	if err != nil {
		return nil, err
	}
	o.IndexURL = index.String()
	if o.JSONAPIURL == "" {
		o.JSONAPIURL = deriveJSONAPI(index)
	}
	var jsonAPI *url.URL
	if o.JSONAPIURL != "" {
		ju, _, err := parseIndexURL(o.JSONAPIURL)
		if err != nil {
			return nil, fmt.Errorf("pypi: JSON API URL: %w", err)
		}
		jsonAPI = ju
	}
	netrc, netrcPath, err := loadNetrc(o.NetrcPath, o.Getenv)
	if err != nil {
		return nil, err
	}
	c := &Client{
		opts:    o,
		index:   index,
		jsonAPI: jsonAPI,
		creds:   newCredentials(index, o.CredentialHost, user, netrc, o.Getenv),
		limiter: newTokenBucket(o.RequestsPerSecond, o.Burst),
		log:     o.Logger,
		pages:   &pageCache{dir: o.CacheDir + "/http"},
		blobs:   &blobStore{dir: o.CacheDir + "/blobs"},
		sleep:   sleepCtx,
		flights: map[string]*flight{},
		urlSHA:  map[string]string{},
	}
	private := map[string]bool{}
	for _, h := range o.PrivateHosts {
		private[strings.ToLower(h)] = true
	}
	strict := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
		Control:   dialGuard(o.AllowPrivate, o.AllowedNetworks),
	}
	mirror := &net.Dialer{
		Timeout:   30 * time.Second,
		KeepAlive: 30 * time.Second,
		Control:   dialGuard(true, nil),
	}
	dial := func(ctx context.Context, network, address string) (net.Conn, error) {
		// The operator's own mirror, named by host and port, may be private;
		// every other endpoint is checked when its address is known.
		if private[strings.ToLower(address)] {
			return mirror.DialContext(ctx, network, address)
		}
		return strict.DialContext(ctx, network, address)
	}
	transport := &http.Transport{
		// No proxy from the environment: a proxy would dial on our behalf
		// and bypass the address guard.
		Proxy:                 nil,
		DialContext:           dial,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          32,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   15 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	c.hc = &http.Client{Transport: transport, CheckRedirect: c.checkRedirect}
	src := "none"
	if cr := c.creds.forURL(index); cr != nil {
		src = string(cr.source)
	}
	c.log.Debug("index client ready", "index", Redact(o.IndexURL), "json_api", Redact(o.JSONAPIURL),
		"credentials", src, "netrc", netrcPath, "allow_private", o.AllowPrivate)
	return c, nil
}

// IndexURL returns the index base URL, without credentials.
func (c *Client) IndexURL() string { return c.index.String() }

// CacheDir is the client's cache directory, shared with other caches of PYTI's.
func (c *Client) CacheDir() string { return c.opts.CacheDir }

func (c *Client) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 10 {
		return fmt.Errorf("stopped after 10 redirects")
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return fmt.Errorf("redirect to unsupported scheme %q", req.URL.Scheme)
	}
	// Credentials follow a redirect only to a host:port they are for: Go
	// copies the Authorization header to another port of the same host.
	req.Header.Del("Authorization")
	c.creds.apply(req)
	c.log.Debug("index redirect", "from", redactURL(via[len(via)-1].URL), "to", redactURL(req.URL))
	return nil
}

// retryableError marks a failed attempt worth repeating. final is what the
// caller sees when no retry is left.
type retryableError struct {
	final error
	after time.Duration // from Retry-After; 0: use backoff
}

func (e *retryableError) Error() string { return e.final.Error() }
func (e *retryableError) Unwrap() error { return e.final }

// withRetries runs fn until it succeeds, fails for good, or runs out of
// retries, waiting with exponential backoff (or Retry-After) in between.
func (c *Client) withRetries(ctx context.Context, what string, fn func(ctx context.Context) error) error {
	delay := c.opts.RetryBaseDelay
	for attempt := 0; ; attempt++ {
		if err := c.limiter.wait(ctx); err != nil {
			return fmt.Errorf("pypi: %s: %w", what, err)
		}
		err := fn(ctx)
		if err == nil {
			return nil
		}
		var rt *retryableError
		if !errors.As(err, &rt) {
			return err
		}
		if attempt >= c.opts.Retries {
			if attempt > 0 {
				return fmt.Errorf("%w (after %d attempts)", rt.final, attempt+1)
			}
			return rt.final
		}
		wait := delay
		if rt.after > 0 {
			wait = rt.after
		}
		if wait > c.opts.RetryMaxDelay {
			wait = c.opts.RetryMaxDelay
		}
		c.log.Warn("retrying index request", "what", what, "attempt", attempt+1, "wait", wait, "reason", rt.final.Error())
		if err := c.sleep(ctx, wait); err != nil {
			return fmt.Errorf("pypi: %s: %w", what, err)
		}
		delay *= 2
		if delay > c.opts.RetryMaxDelay {
			delay = c.opts.RetryMaxDelay
		}
	}
}

// netError turns a transport error into a permanent or retryable error
// whose text carries only the redacted URL.
func (c *Client) netError(ctx context.Context, u *url.URL, err error) error {
	var refused *RefusedAddressError
	if errors.As(err, &refused) {
		return fmt.Errorf("pypi: GET %s: %w", redactURL(u), refused)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("pypi: GET %s: %w", redactURL(u), ctx.Err())
	}
	inner := err
	var ue *url.Error
	if errors.As(err, &ue) {
		inner = ue.Err
	}
	msg := inner.Error()
	if errors.Is(inner, context.DeadlineExceeded) {
		msg = "timed out"
	}
	final := fmt.Errorf("%w: GET %s: %s", ErrUnreachable, redactURL(u), msg)
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return final
	}
	return &retryableError{final: final}
}

// statusError classifies an HTTP status other than the ones the caller
// handles: 5xx and 429 are retryable, the rest permanent.
func statusError(u *url.URL, resp *http.Response) error {
	final := fmt.Errorf("%w: GET %s: %s", ErrBadResponse, redactURL(u), resp.Status)
	switch {
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return &retryableError{final: final, after: retryAfter(resp.Header.Get("Retry-After"))}
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		return fmt.Errorf("%w: GET %s: %s", ErrUnauthorized, redactURL(u), resp.Status)
	}
	return final
}

// retryAfter parses a Retry-After header (seconds or an HTTP date).
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

// response is a fully read answer to a GET.
type response struct {
	status int
	header http.Header
	body   []byte
	url    *url.URL // after redirects
}

// get fetches rawURL with retries. Statuses in accept are returned to the
// caller; 5xx and 429 are retried; anything else becomes an error.
func (c *Client) get(ctx context.Context, rawURL string, header http.Header, maxBytes int64, okStatus ...int) (*response, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("pypi: bad URL %s: %w", Redact(rawURL), err)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("pypi: refusing URL %s: scheme must be http or https", redactURL(u))
	}
	u.User = nil
	u.Fragment = ""
	var out *response
	err = c.withRetries(ctx, "GET "+redactURL(u), func(ctx context.Context) error {
		actx, cancel := context.WithTimeout(ctx, c.opts.Timeout)
		defer cancel()
		req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
		if err != nil {
			return fmt.Errorf("pypi: GET %s: %w", redactURL(u), err)
		}
		for k, vs := range header {
			req.Header[k] = vs
		}
		req.Header.Set("User-Agent", c.opts.UserAgent)
		c.creds.apply(req)
		resp, err := c.hc.Do(req)
		if err != nil {
			return c.netError(ctx, u, err)
		}
		defer resp.Body.Close()
		c.log.Debug("index response", "url", redactURL(u), "status", resp.StatusCode)
		wanted := false
		for _, s := range okStatus {
			if resp.StatusCode == s {
				wanted = true
			}
		}
		if !wanted {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			return statusError(u, resp)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxBytes+1))
		if err != nil {
			return c.netError(ctx, u, err)
		}
		if int64(len(body)) > maxBytes {
			return fmt.Errorf("%w: GET %s: more than %d bytes", ErrTooLarge, redactURL(u), maxBytes)
		}
		final := resp.Request.URL
		cu := *final
		cu.User = nil
		out = &response{status: resp.StatusCode, header: resp.Header, body: body, url: &cu}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
