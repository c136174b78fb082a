package pypi

import (
	"fmt"
	"net"
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
// host, else the environment (only the host it was configured for).
type credentials struct {
	indexHost string // host:port of the index, lower case
	envHost   string // host:port the environment's credentials are for
	fromURL   *credential
	netrc     []netrcEntry
	fromEnv   *credential
}

func newCredentials(index *url.URL, envHost string, user *url.Userinfo, netrc []netrcEntry, getenv func(string) string) *credentials {
	c := &credentials{indexHost: hostPort(index), netrc: netrc, envHost: hostPort(index)}
	if envHost != "" {
		c.envHost = strings.ToLower(envHost)
	}
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
	host := hostPort(u)
	isIndex := host == c.indexHost
	if isIndex && c.fromURL != nil {
		return c.fromURL
	}
	if e, ok := netrcLookup(c.netrc, u.Hostname()); ok && (e.Login != "" || e.Password != "") {
		return &credential{user: e.Login, pass: e.Password, source: credFromNetrc}
	}
	if isIndex && host == c.envHost && c.fromEnv != nil {
		return c.fromEnv
	}
	return nil
}

// hostPort is a URL's host and port in lower case, with the scheme's
// default port made explicit, so that a redirect to another port is
// another host.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if strings.EqualFold(u.Scheme, "https") {
			port = "443"
		}
	}
	return strings.ToLower(net.JoinHostPort(u.Hostname(), port))
}

// HostPort is the "host:port" of an index URL (the scheme's default port
// made explicit), as Options.PrivateHosts and Options.CredentialHost take it.
func HostPort(rawURL string) (string, error) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("%s is not a URL with a host", Redact(rawURL))
	}
	return hostPort(u), nil
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
