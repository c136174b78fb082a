package pypi

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
)

// SimpleAccept is the Accept header for Simple API requests: PEP 691 JSON
// preferred, PEP 503 HTML as fallback.
const SimpleAccept = "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"

// Media types of the Simple API.
const (
	mediaJSON = "application/vnd.pypi.simple.v1+json"
	mediaHTML = "application/vnd.pypi.simple.v1+html"
)

// ProjectURL returns the Simple API page URL of a project (normalized name).
func (c *Client) ProjectURL(name string) (string, error) {
	norm := pep440.NormalizeName(name)
	if !validNormalizedName(norm) {
		return "", fmt.Errorf("pypi: %q is not a valid project name", name)
	}
	return c.index.ResolveReference(&url.URL{Path: norm + "/"}).String(), nil
}

func validNormalizedName(n string) bool {
	if n == "" || n[0] == '-' || n[len(n)-1] == '-' {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}

// Project fetches and parses the Simple API page of a project, asking for
// PEP 691 JSON and falling back to PEP 503 HTML. Pages are cached with their
// validators; a 304 answer reuses the cached body. A missing project is
// ErrNoSuchProject.
func (c *Client) Project(ctx context.Context, name string) (*ProjectPage, error) {
	pageURL, err := c.ProjectURL(name)
	if err != nil {
		return nil, err
	}
	accept := SimpleAccept
	cached, resp, err := c.fetchPage(ctx, pageURL, accept)
	if err == nil && resp.status == http.StatusNotAcceptable {
		// PEP 691 lets a server refuse our preference with 406; ask for
		// HTML alone.
		accept = htmlOnlyAccept
		cached, resp, err = c.fetchPage(ctx, pageURL, accept)
	}
	if err != nil {
		return nil, fmt.Errorf("pypi: project %s: %w", name, err)
	}
	var body []byte
	var ctype string
	final := resp.url
	switch resp.status {
	case http.StatusNotFound, http.StatusGone:
		return nil, fmt.Errorf("%w: %s (%s answered %d)", ErrNoSuchProject, name, Redact(pageURL), resp.status)
	case http.StatusNotAcceptable:
		return nil, fmt.Errorf("%w: %s answered 406 Not Acceptable to both JSON and HTML", ErrBadResponse, Redact(pageURL))
	case http.StatusNotModified:
		if cached == nil {
			return nil, fmt.Errorf("%w: %s answered 304 to an unconditional request", ErrBadResponse, Redact(pageURL))
		}
		c.log.Debug("index page not modified; using cache", "url", Redact(pageURL))
		body, ctype = cached.Body, cached.ContentType
		if fu, err := url.Parse(cached.FinalURL); err == nil {
			final = fu
		}
	default:
		body, ctype = resp.body, resp.header.Get("Content-Type")
		etag, lm := resp.header.Get("ETag"), resp.header.Get("Last-Modified")
		if etag != "" || lm != "" {
			err := c.pages.store(pageURL, accept, &cachedPage{
				URL: Redact(pageURL), FinalURL: final.String(), ETag: etag, LastModified: lm,
				ContentType: ctype, Body: body,
			})
			if err != nil {
				c.log.Warn("could not cache index page", "url", Redact(pageURL), "err", err)
			}
		}
	}
	page, notes, err := parseProjectPage(body, ctype, final)
	if err != nil {
		return nil, fmt.Errorf("pypi: project %s at %s: %w", name, redactURL(final), err)
	}
	for _, n := range notes {
		c.log.Info("index page oddity", "project", name, "note", n)
	}
	page.URL = final.String()
	norm := pep440.NormalizeName(name)
	if page.Name == "" || pep440.NormalizeName(page.Name) != norm {
		if page.Name != "" {
			c.log.Info("index page names another project; using the requested name", "requested", norm, "page", page.Name)
		}
		page.Name = norm
	} else {
		page.Name = norm
	}
	return page, nil
}

// htmlOnlyAccept is the Accept header after a 406 to SimpleAccept.
const htmlOnlyAccept = "application/vnd.pypi.simple.v1+html, text/html;q=0.5"

// fetchPage GETs a Simple API page, conditionally when the cache holds it.
func (c *Client) fetchPage(ctx context.Context, pageURL, accept string) (*cachedPage, *response, error) {
	cached := c.pages.load(pageURL, accept)
	h := http.Header{}
	h.Set("Accept", accept)
	if cached != nil {
		if cached.ETag != "" {
			h.Set("If-None-Match", cached.ETag)
		}
		if cached.LastModified != "" {
			h.Set("If-Modified-Since", cached.LastModified)
		}
	}
	resp, err := c.get(ctx, pageURL, h, c.opts.MaxPageBytes,
		http.StatusOK, http.StatusNotModified, http.StatusNotFound, http.StatusGone, http.StatusNotAcceptable)
	return cached, resp, err
}

// parseProjectPage dispatches on the response's media type.
func parseProjectPage(body []byte, contentType string, base *url.URL) (*ProjectPage, []string, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(contentType))
	}
	switch mt {
	case mediaJSON, "application/json":
		return parseJSONPage(body, base)
	case mediaHTML, "text/html", "":
		return parseHTMLPage(body, base)
	}
	return nil, nil, fmt.Errorf("%w: unsupported content type %q", ErrBadResponse, contentType)
}
