package pypi

import (
	"net/url"
	"regexp"
	"strings"
)

// secretQueryKey matches query parameter names whose values are redacted.
var secretQueryKey = regexp.MustCompile(`(?i)(token|key|secret|pass|pwd|auth|sig|credential|session)`)

// userinfoPattern catches userinfo in strings that do not parse as URLs.
var userinfoPattern = regexp.MustCompile(`(?i)([a-z][a-z0-9+.-]*://)[^/@\s]*@`)

// Redact returns rawURL with any userinfo (user name and password) replaced
// by "***" and the values of secret-looking query parameters replaced by
// "***". Every URL that reaches a log line or an error goes through it.
func Redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return userinfoPattern.ReplaceAllString(rawURL, "${1}***@")
	}
	return redactURL(u)
}

func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.User != nil {
		c.User = url.User("***")
	}
	if c.RawQuery != "" {
		q := c.Query()
		changed := false
		for k := range q {
			if secretQueryKey.MatchString(k) {
				q[k] = []string{"***"}
				changed = true
			}
		}
		if changed {
			c.RawQuery = q.Encode()
		}
	}
	s := c.String()
	// url.String escapes "*" in userinfo; keep the marker readable.
	return strings.Replace(s, "%2A%2A%2A@", "***@", 1)
}
