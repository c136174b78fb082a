package pypi

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/hitrecorder"
)

func hostPortOf(t *testing.T, raw string) string {
	t.Helper()
	hp, err := HostPort(raw)
	if err != nil {
		t.Fatal(err)
	}
	return hp
}

// TestPrivateHostsAllowOnlyTheMirror: with the operator's mirror allowed by host and port, the
// mirror is reached, and a redirect from it to another loopback port, to the cloud metadata
// address or to a private range is refused before it is dialled. The environment's credentials
// go to the host they were configured for only, never across a redirect to another port.
func TestPrivateHostsAllowOnlyTheMirror(t *testing.T) {
	other := hitrecorder.New(t, nil)
	tests := []struct {
		name       string
		redirect   string // where the mirror sends /simple/demo-pkg/
		credHost   string // "" is the mirror's own host:port
		wantErr    error
		wantWhy    string
		wantMirror []string
	}{
		{name: "no redirect, the mirror's own credentials", wantErr: ErrNoSuchProject,
			wantMirror: []string{"/simple/demo-pkg/ auth=yes"}},
		{name: "credentials configured for another host stay home", credHost: "pypi.internal:443", wantErr: ErrNoSuchProject,
			wantMirror: []string{"/simple/demo-pkg/ auth=no"}},
		{name: "redirect to another loopback port", redirect: other.URL + "/simple/demo-pkg/", wantErr: ErrRefusedAddress,
			wantWhy: "loopback address", wantMirror: []string{"/simple/demo-pkg/ auth=yes"}},
		{name: "redirect to the cloud metadata address", redirect: "http://169.254.169.254/latest/meta-data/", wantErr: ErrRefusedAddress,
			wantWhy: "cloud metadata address", wantMirror: []string{"/simple/demo-pkg/ auth=yes"}},
		{name: "redirect to a private range", redirect: "http://10.20.30.40:8080/simple/", wantErr: ErrRefusedAddress,
			wantWhy: "private address", wantMirror: []string{"/simple/demo-pkg/ auth=yes"}},
		{name: "redirect to a link-local address", redirect: "http://[fe80::1]:80/simple/", wantErr: ErrRefusedAddress,
			wantWhy: "link-local address", wantMirror: []string{"/simple/demo-pkg/ auth=yes"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mirror := hitrecorder.New(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.redirect != "" {
					http.Redirect(w, r, tc.redirect, http.StatusFound)
					return
				}
				http.NotFound(w, r)
			})
			before := len(other.Got())
			o := testOptions(t, mirror.URL+"/simple/", nil)
			o.AllowPrivate = false
			o.Retries = -1
			o.PrivateHosts = []string{hostPortOf(t, mirror.URL)}
			o.CredentialHost = tc.credHost
			o.Getenv = func(k string) string {
				return map[string]string{"PYTI_INDEX_USERNAME": "operator", "PYTI_INDEX_PASSWORD": "s3cret"}[k]
			}
			c := newTestClient(t, o)
			_, err := c.Project(testCtx(t), "demo-pkg")
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if tc.wantWhy != "" && !strings.Contains(err.Error(), tc.wantWhy) {
				t.Errorf("error %q lacks %q", err, tc.wantWhy)
			}
			if diff := cmp.Diff(tc.wantMirror, mirror.Got()); diff != "" {
				t.Errorf("the mirror saw (-want +got):\n%s", diff)
			}
			if got := other.Got()[before:]; len(got) != 0 {
				t.Errorf("another loopback port was reached: %v", got)
			}
		})
	}
}

// TestCredentialsNeverCrossARedirect: a redirect to another port of the same host (which Go's
// client would send the Authorization header to) and to another host get no credentials; a
// redirect within the index keeps them.
func TestCredentialsNeverCrossARedirect(t *testing.T) {
	tests := []struct {
		name       string
		sameServer bool
		wantTarget []string
	}{
		{name: "another port of the same host", wantTarget: []string{"/simple/demo-pkg/ auth=no"}},
		{name: "the same index", sameServer: true, wantTarget: nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			target := hitrecorder.New(t, nil)
			var index *hitrecorder.Recorder
			index = hitrecorder.New(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/simple/demo-pkg/" {
					dest := target.URL + "/simple/demo-pkg/"
					if tc.sameServer {
						dest = index.URL + "/moved/demo-pkg/"
					}
					http.Redirect(w, r, dest, http.StatusFound)
					return
				}
				http.NotFound(w, r)
			})
			u, _ := url.Parse(index.URL)
			u.User = url.UserPassword("alice", "pw")
			u.Path = "/simple/"
			o := testOptions(t, u.String(), nil)
			o.Retries = -1
			c := newTestClient(t, o)
			_, _ = c.Project(testCtx(t), "demo-pkg")
			if diff := cmp.Diff(tc.wantTarget, target.Got()); diff != "" {
				t.Errorf("the redirect target saw (-want +got):\n%s", diff)
			}
			want := []string{"/simple/demo-pkg/ auth=yes"}
			if tc.sameServer {
				want = append(want, "/moved/demo-pkg/ auth=yes")
			}
			if diff := cmp.Diff(want, index.Got()); diff != "" {
				t.Errorf("the index saw (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCredentialsForURL(t *testing.T) {
	index, _ := url.Parse("http://127.0.0.1:8000/simple/")
	env := func(k string) string {
		return map[string]string{"PYTI_INDEX_USERNAME": "u", "PYTI_INDEX_PASSWORD": "p"}[k]
	}
	tests := []struct {
		name    string
		envHost string
		target  string
		want    credentialSource
	}{
		{"the index", "", "http://127.0.0.1:8000/simple/x/", credFromEnv},
		{"the index, case and default port", "", "HTTP://127.0.0.1:8000/x", credFromEnv},
		{"another port", "", "http://127.0.0.1:8001/simple/x/", ""},
		{"another host", "", "http://example.com:8000/simple/x/", ""},
		{"configured for another host", "mirror.internal:443", "http://127.0.0.1:8000/simple/x/", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newCredentials(index, tc.envHost, nil, nil, env)
			u, _ := url.Parse(tc.target)
			var got credentialSource
			if cr := c.forURL(u); cr != nil {
				got = cr.source
			}
			if got != tc.want {
				t.Errorf("credential %q, want %q", got, tc.want)
			}
		})
	}
}
