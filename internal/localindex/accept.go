package localindex

import (
	"strconv"
	"strings"
)

// Content types of the Simple Repository API (PEP 691).
const (
	ContentTypeJSON   = "application/vnd.pypi.simple.v1+json"
	ContentTypeHTMLv1 = "application/vnd.pypi.simple.v1+html"
	ContentTypeHTML   = "text/html"
)

// apiVersion is the Simple API version served (1.1: PEP 700).
const apiVersion = "1.1"

// negotiate picks the response content type for an Accept header the way
// PEP 691 describes: the acceptable type with the highest q value wins, ties
// go to the type listed first, and no header at all means HTML. ok is false
// when the client accepts none of the types served.
func negotiate(accept string) (contentType string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return ContentTypeHTML, true
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(accept, ",") {
		fields := strings.Split(part, ";")
		media := strings.ToLower(strings.TrimSpace(fields[0]))
		q := 1.0
		for _, p := range fields[1:] {
			k, v, found := strings.Cut(strings.TrimSpace(p), "=")
			if !found || strings.ToLower(strings.TrimSpace(k)) != "q" {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 {
				f = 0
			}
			q = f
		}
		ct := servedType(media)
		if ct == "" || q <= 0 {
			continue
		}
		if q > bestQ {
			best, bestQ = ct, q
		}
	}
	return best, best != ""
}

// servedType maps an acceptable media type to the type served for it.
func servedType(media string) string {
	switch media {
	case ContentTypeJSON, "application/vnd.pypi.simple.latest+json":
		return ContentTypeJSON
	case ContentTypeHTMLv1, "application/vnd.pypi.simple.latest+html":
		return ContentTypeHTMLv1
	case ContentTypeHTML, "text/*", "*/*":
		return ContentTypeHTML
	}
	return ""
}
