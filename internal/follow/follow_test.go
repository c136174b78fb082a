package follow

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// index serves feeds in PyPI's exact shape (warehouse's templates/rss), with an ETag.
type index struct {
	mu       sync.Mutex
	releases []Release // newest first, as PyPI lists them
	projects []Release
	requests int
	notMod   int
	status   int
}

const feedHead = `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "http://www.rssboard.org/rss-0.91.dtd">
<rss version="0.91">
 <channel>
  <title>%s</title>
  <link>https://pypi.org/</link>
  <description>%s</description>
  <language>en</language>
`

func (ix *index) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	ix.requests++
	if ix.status != 0 {
		w.Header().Set("Retry-After", "120")
		w.WriteHeader(ix.status)
		return
	}
	var b strings.Builder
	switch r.URL.Path {
	case UpdatesPath:
		fmt.Fprintf(&b, feedHead, "PyPI recent updates", "Recent updates to the Python Package Index")
		for _, rel := range ix.releases {
			fmt.Fprintf(&b, "    <item>\n      <title>%s %s</title>\n      <link>https://pypi.org/project/%s/%s/</link>\n      <description>A summary &amp; more</description>\n      <pubDate>%s</pubDate>\n    </item>\n",
				rel.Name, rel.Version, rel.Name, rel.Version, rel.Time.Format(time.RFC1123))
		}
	case PackagesPath:
		fmt.Fprintf(&b, feedHead, "PyPI Newest Packages", "Newest packages registered at the Python Package Index")
		for _, p := range ix.projects {
			fmt.Fprintf(&b, "  <item>\n    <title>%s added to PyPI</title>\n    <link>https://pypi.org/project/%s/</link>\n    <guid>https://pypi.org/project/%s/</guid>\n    <description>x</description>\n    <pubDate>%s</pubDate>\n  </item>\n",
				p.Name, p.Name, p.Name, p.Time.Format(time.RFC1123))
		}
	default:
		http.NotFound(w, r)
		return
	}
	b.WriteString("  </channel>\n</rss>\n")
	etag := fmt.Sprintf(`"%x"`, len(b.String())*31+len(ix.releases)+len(ix.projects))
	if r.Header.Get("If-None-Match") == etag {
		ix.notMod++
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("ETag", etag)
	w.Header().Set("Content-Type", "text/xml; charset=UTF-8")
	_, _ = w.Write([]byte(b.String()))
}

func (ix *index) publish(rs ...Release) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, r := range rs {
		if r.Version == "" {
			ix.projects = append([]Release{r}, ix.projects...)
		} else {
			ix.releases = append([]Release{r}, ix.releases...)
		}
	}
	if len(ix.releases) > 40 { // PyPI's feed holds the latest 40
		ix.releases = ix.releases[:40]
	}
}

var t0 = time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC)

func rel(name, version string, minute int) Release {
	return Release{Name: name, Version: version, Time: t0.Add(time.Duration(minute) * time.Minute)}
}

type recorder struct {
	mu   sync.Mutex
	got  []string
	fail error
}

func (r *recorder) submit(_ context.Context, rs []Release) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail != nil {
		return r.fail
	}
	for _, x := range rs {
		r.got = append(r.got, x.Spec())
	}
	return nil
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.got
	r.got = nil
	return out
}

func newFollower(t *testing.T, srv *httptest.Server, statePath string, rec *recorder, mod func(*Config)) *Follower {
	t.Helper()
	cfg := Config{BaseURL: srv.URL, Client: srv.Client(), StatePath: statePath, Submit: rec.submit, UserAgent: "pyti-test",
		Now: func() time.Time { return t0.Add(2 * time.Hour) }}
	if mod != nil {
		mod(&cfg)
	}
	f, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestFollowFromARememberedPosition(t *testing.T) {
	ix := &index{}
	ix.publish(rel("old", "1.0", 0), rel("older-too", "2.0", 1))
	srv := httptest.NewServer(ix)
	defer srv.Close()
	statePath := filepath.Join(t.TempDir(), "follow.json")
	rec := &recorder{}
	f := newFollower(t, srv, statePath, rec, nil)
	ctx := t.Context()

	// The first poll takes the position and submits nothing.
	if _, err := f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 0 {
		t.Errorf("first poll submitted %v", got)
	}
	// Nothing new: the conditional request is answered 304.
	res, err := f.Poll(ctx)
	if err != nil || !res.NotModified {
		t.Errorf("second poll: %+v, %v; want not modified", res, err)
	}
	// New releases, two in the same second as each other.
	ix.publish(rel("alpha", "0.1", 5), rel("beta", "1.0rc1", 6), rel("gamma", "3", 6))
	if _, err := f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"alpha==0.1", "beta==1.0rc1", "gamma==3"}, rec.take()); diff != "" {
		t.Errorf("submitted (-want +got):\n%s", diff)
	}
	// A restarted follower (a new value, the same state file) repeats nothing and sees what follows,
	// including a release published in the same second as the last one seen.
	ix.publish(rel("delta", "1", 6), rel("epsilon", "2", 7))
	f2 := newFollower(t, srv, statePath, rec, nil)
	if _, err := f2.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"delta==1", "epsilon==2"}, rec.take()); diff != "" {
		t.Errorf("after a restart (-want +got):\n%s", diff)
	}
	// A failing submission does not move the position: the releases come again.
	ix.publish(rel("zeta", "1", 8))
	rec.fail = fmt.Errorf("master away")
	if _, err := f2.Poll(ctx); err == nil {
		t.Error("a failed submission was not reported")
	}
	rec.fail = nil
	if _, err := f2.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"zeta==1"}, rec.take()); diff != "" {
		t.Errorf("after a failed submission (-want +got):\n%s", diff)
	}
}

func TestFollowFilters(t *testing.T) {
	tests := []struct {
		name       string
		mod        func(*Config)
		want       []string
		wantBudget int
		wantFilter int
	}{
		{"everything", nil, []string{"django-foo==1", "requests==2", "new-thing==0.1", "django-bar==3"}, 0, 0},
		{"include patterns", func(c *Config) { c.Include = []string{"django-*"} }, []string{"django-foo==1", "django-bar==3"}, 0, 2},
		{"exclude patterns", func(c *Config) { c.Exclude = []string{"django-*", "REQ*"} }, []string{"new-thing==0.1"}, 0, 3},
		{"at most N per hour", func(c *Config) { c.MaxPerHour = 3 }, []string{"django-foo==1", "requests==2", "new-thing==0.1"}, 1, 0},
		{"only new projects", func(c *Config) { c.OnlyNew = true }, []string{"new-thing", "brand-new"}, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ix := &index{}
			srv := httptest.NewServer(ix)
			defer srv.Close()
			rec := &recorder{}
			f := newFollower(t, srv, filepath.Join(t.TempDir(), "s.json"), rec, tc.mod)
			if _, err := f.Poll(t.Context()); err != nil {
				t.Fatal(err)
			}
			ix.publish(rel("django-foo", "1", 1), rel("requests", "2", 2), rel("new-thing", "0.1", 3), rel("django-bar", "3", 4),
				Release{Name: "new-thing", Time: t0.Add(3 * time.Minute)}, Release{Name: "brand-new", Time: t0.Add(5 * time.Minute)})
			res, err := f.Poll(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, rec.take()); diff != "" {
				t.Errorf("submitted (-want +got):\n%s", diff)
			}
			if res.OverBudget != tc.wantBudget || res.Filtered != tc.wantFilter {
				t.Errorf("over budget %d, filtered %d; want %d, %d", res.OverBudget, res.Filtered, tc.wantBudget, tc.wantFilter)
			}
		})
	}
}

func TestFollowBudgetSpansPolls(t *testing.T) {
	ix := &index{}
	srv := httptest.NewServer(ix)
	defer srv.Close()
	rec := &recorder{}
	now := t0.Add(2 * time.Hour)
	f := newFollower(t, srv, filepath.Join(t.TempDir(), "s.json"), rec, func(c *Config) {
		c.MaxPerHour = 2
		c.Now = func() time.Time { return now }
	})
	ctx := t.Context()
	if _, err := f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	ix.publish(rel("a", "1", 1), rel("b", "1", 2))
	if _, err := f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	ix.publish(rel("c", "1", 3))
	if res, err := f.Poll(ctx); err != nil || res.OverBudget != 1 {
		t.Errorf("within the hour: %+v, %v", res, err)
	}
	now = now.Add(61 * time.Minute)
	ix.publish(rel("d", "1", 4))
	if _, err := f.Poll(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a==1", "b==1", "d==1"}, rec.take()); diff != "" {
		t.Errorf("submitted (-want +got):\n%s", diff)
	}
}

func TestFollowEtiquette(t *testing.T) {
	ix := &index{status: http.StatusTooManyRequests}
	var agent string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		agent = r.Header.Get("User-Agent")
		ix.ServeHTTP(w, r)
	}))
	defer srv.Close()
	f := newFollower(t, srv, filepath.Join(t.TempDir(), "s.json"), &recorder{}, nil)
	res, err := f.Poll(t.Context())
	if err == nil || res.RetryAfter != 2*time.Minute {
		t.Errorf("429: %+v, %v; want an error and a 2m wait", res, err)
	}
	if agent != "pyti-test" {
		t.Errorf("User-Agent %q", agent)
	}
	if _, err := New(Config{BaseURL: "https://pypi.org", StatePath: "x", Submit: (&recorder{}).submit, Interval: time.Second}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(Config{StatePath: "x", Submit: (&recorder{}).submit, Include: []string{"["}}); err == nil {
		t.Error("a bad pattern was accepted")
	}
}

func TestFollowSaysWhenItMayHaveMissed(t *testing.T) {
	ix := &index{}
	ix.publish(rel("first", "1", 0))
	srv := httptest.NewServer(ix)
	defer srv.Close()
	rec := &recorder{}
	f := newFollower(t, srv, filepath.Join(t.TempDir(), "s.json"), rec, nil)
	if _, err := f.Poll(t.Context()); err != nil {
		t.Fatal(err)
	}
	for i := range 45 {
		ix.publish(rel(fmt.Sprintf("p%d", i), "1", i+1))
	}
	res, err := f.Poll(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !res.MaybeMissed || len(res.Submitted) != 40 {
		t.Errorf("maybe missed %v, submitted %d; want true, 40", res.MaybeMissed, len(res.Submitted))
	}
}
