package pypi

import (
	"net/http"
	"net/url"
	"strings"
)

// credentialSource says where a credential came from (never what it is).
type credentialSource string

const (
	credFromURL   credentialSource = "index URL"
	credFromNetrc credentialSource = "netrc"
	credFromEnv   credentialSource = "environment (PYTI_INDEX_USERNAME/PYTI_INDEX_PASSWORD)"
)

type credential struct {
	user, pass string
	source     credentialSource
}

// credentials decides which Basic auth, if any, goes to which host: the
// index URL's userinfo (index host only), else the netrc entry for the
// host, else the environment (index host only).
type credentials struct {
	indexHost string // host:port of the index, lower case
	fromURL   *credential
	netrc     []netrcEntry
	fromEnv   *credential
}

func newCredentials(index *url.URL, user *url.Userinfo, netrc []netrcEntry, getenv func(string) string) *credentials {
	c := &credentials{indexHost: strings.ToLower(index.Host), netrc: netrc}
	if user != nil {
		pass, _ := user.Password()
		c.fromURL = &credential{user: user.Username(), pass: pass, source: credFromURL}
	}
	if u, p := getenv("PYTI_INDEX_USERNAME"), getenv("PYTI_INDEX_PASSWORD"); u != "" || p != "" {
		c.fromEnv = &credential{user: u, pass: p, source: credFromEnv}
	}
	return c
}

// forURL returns the credential for a request to u, or nil.
func (c *credentials) forURL(u *url.URL) *credential {
	if c == nil || u == nil {
		return nil
	}
	host := strings.ToLower(u.Host)
	isIndex := host == c.indexHost
	if isIndex && c.fromURL != nil {
		return c.fromURL
	}
	if e, ok := netrcLookup(c.netrc, u.Hostname()); ok && (e.Login != "" || e.Password != "") {
		return &credential{user: e.Login, pass: e.Password, source: credFromNetrc}
	}
	if isIndex && c.fromEnv != nil {
		return c.fromEnv
	}
	return nil
}

// apply sets Basic auth on req when a credential exists for its URL. The
// URL itself never carries the userinfo, so it cannot leak into an error.
func (c *credentials) apply(req *http.Request) credentialSource {
	cred := c.forURL(req.URL)
	if cred == nil {
		return ""
	}
	req.SetBasicAuth(cred.user, cred.pass)
	return cred.source
}
