package pypi

import (
	"mime"
	"strconv"
	"strings"
)

// negotiateFormat picks "json" or "html" for a Simple API response from an
// Accept header (PEP 691 content negotiation) and returns the media type to
// answer with; ok is false when the client accepts neither (406).
// A missing Accept means */*, which gets HTML as PyPI does.
func negotiateFormat(accept, formatParam string) (format, mediaType string, ok bool) {
	switch formatParam {
	case mediaJSON, "application/vnd.pypi.simple.latest+json":
		return "json", mediaJSON, true
	case mediaHTML, "application/vnd.pypi.simple.latest+html":
		return "html", mediaHTML, true
	case "text/html":
		return "html", "text/html; charset=utf-8", true
	}
	if strings.TrimSpace(accept) == "" {
		accept = "*/*"
	}
	qJSON, qHTML, qText := -1.0, -1.0, -1.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if s, has := params["q"]; has {
			if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 0 && f <= 1 {
				q = f
			}
		}
		bump := func(p *float64) {
			if q > *p {
				*p = q
			}
		}
		switch mt {
		case mediaJSON, "application/vnd.pypi.simple.latest+json":
			bump(&qJSON)
		case mediaHTML, "application/vnd.pypi.simple.latest+html":
			bump(&qHTML)
		case "text/html":
			bump(&qText)
		case "application/*":
			bump(&qJSON)
			bump(&qHTML)
		case "text/*":
			bump(&qText)
		case "*/*":
			bump(&qJSON)
			bump(&qHTML)
			bump(&qText)
		}
	}
	best := max(qJSON, qHTML, qText)
	switch {
	case best <= 0:
		return "", "", false
	case qText == best:
		return "html", "text/html; charset=utf-8", true
	case qHTML == best:
		return "html", mediaHTML, true
	}
	return "json", mediaJSON, true
}
