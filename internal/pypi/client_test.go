package pypi

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestProjectBothForms(t *testing.T) {
	for _, tc := range []struct {
		name       string
		jsonOK     bool
		wantFormat string
	}{
		{"PEP 691 JSON", true, "json"},
		{"fallback to PEP 503 HTML", false, "html"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fi := newFakeIndex(t, tc.jsonOK)
			fi.add("demo-pkg", demoFiles()...)
			c := newTestClient(t, testOptions(t, fi.URL(), nil))
			// An unnormalized name is normalized in the URL.
			page, err := c.Project(testCtx(t), "Demo_Pkg")
			if err != nil {
				t.Fatal(err)
			}
			if fi.count("/simple/demo-pkg/") != 1 {
				t.Errorf("hits = %v, want one request for /simple/demo-pkg/", fi.hits)
			}
			pkgs := fi.srv.URL + "/packages/"
			var want []File
			for _, f := range demoFiles() {
				wf := File{Filename: f.name, URL: pkgs + f.name, Hashes: map[string]string{"sha256": sha256Hex(f.content)},
					RequiresPython: f.requiresPython, Yanked: f.yanked, YankedReason: f.yankReason, Size: -1}
				if tc.jsonOK {
					wf.Size = int64(len(f.content))
				}
				if f.metadata != nil {
					wf.CoreMetadata = true
					wf.CoreMetadataHashes = map[string]string{"sha256": sha256Hex(f.metadata)}
				}
				want = append(want, wf)
			}
			if diff := cmp.Diff(want, page.Files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if page.Format != tc.wantFormat || page.Name != "demo-pkg" {
				t.Errorf("format %q name %q, want %q demo-pkg", page.Format, page.Name, tc.wantFormat)
			}
		})
	}
}

func TestProjectFollowsRedirectAndResolvesRelativeURLs(t *testing.T) {
	fi := newFakeIndex(t, true)
	fi.add("demo-pkg", demoFiles()...)
	fi.before = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/simple/demo-pkg/" {
			http.Redirect(w, r, "/mirror/simple/demo-pkg/", http.StatusMovedPermanently)
			return true
		}
		if strings.HasPrefix(r.URL.Path, "/mirror/simple/") {
			r.URL.Path = strings.TrimPrefix(r.URL.Path, "/mirror")
			fi.servePage(w, r, "demo-pkg")
			return true
		}
		return false
	}
	c := newTestClient(t, testOptions(t, fi.URL(), nil))
	page, err := c.Project(testCtx(t), "demo-pkg")
	if err != nil {
		t.Fatal(err)
	}
	if want := fi.srv.URL + "/mirror/simple/demo-pkg/"; page.URL != want {
		t.Errorf("page URL %s, want %s", page.URL, want)
	}
	// ../../packages/ relative to /mirror/simple/demo-pkg/ is /mirror/packages/.
	if want := fi.srv.URL + "/mirror/packages/demo-pkg-1.0.tar.gz"; page.Files[0].URL != want {
		t.Errorf("file URL %s, want %s", page.Files[0].URL, want)
	}
}

func TestProjectNotFound(t *testing.T) {
	fi := newFakeIndex(t, true)
	c := newTestClient(t, testOptions(t, fi.URL(), nil))
	_, err := c.Project(testCtx(t), "no-such-thing")
	if !errors.Is(err, ErrNoSuchProject) {
		t.Fatalf("err = %v, want ErrNoSuchProject", err)
	}
	if _, err := c.Project(testCtx(t), "bad/name"); err == nil || errors.Is(err, ErrNoSuchProject) {
		t.Fatalf("invalid name: err = %v, want a name error", err)
	}
}

func TestResolve(t *testing.T) {
	fi := newFakeIndex(t, true)
	fi.add("demo-pkg", demoFiles()...)
	c := newTestClient(t, testOptions(t, fi.URL(), nil))
	tests := []struct {
		req, wantVersion string
		wantYanked       bool
		wantErr          error
	}{
		{req: "demo-pkg", wantVersion: "1.0"},
		{req: "Demo.Pkg[extra] >=0.5", wantVersion: "1.0"},
		{req: "demo-pkg==1.1", wantVersion: "1.1", wantYanked: true},
		{req: "demo-pkg>1.0", wantVersion: "2.0b1"},
		{req: "demo-pkg>=3", wantErr: ErrNoSuchVersion},
		{req: "nothing-here", wantErr: ErrNoSuchProject},
	}
	for _, tc := range tests {
		t.Run(tc.req, func(t *testing.T) {
			rel, err := c.Resolve(testCtx(t), tc.req)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rel.VersionString != tc.wantVersion || rel.Yanked != tc.wantYanked {
				t.Errorf("got %s yanked=%v, want %s yanked=%v", rel.VersionString, rel.Yanked, tc.wantVersion, tc.wantYanked)
			}
		})
	}
	rel, err := c.Resolve(testCtx(t), "demo-pkg")
	if err != nil {
		t.Fatal(err)
	}
	if rel.Sdist == nil || rel.Sdist.Filename != "demo-pkg-1.0.tar.gz" || rel.Sdist.RequiresPython != ">=3.8" {
		t.Errorf("sdist = %+v, want demo-pkg-1.0.tar.gz requiring >=3.8", rel.Sdist)
	}
	err = func() error { _, err := c.Resolve(testCtx(t), "demo-pkg>=3"); return err }()
	if !strings.Contains(err.Error(), "nearest available: 1.0, 2.0b1") {
		t.Errorf("error %q does not list the nearest versions", err)
	}
}

func TestMetadata(t *testing.T) {
	meta := []byte("Metadata-Version: 2.1\nName: m\nVersion: 1.0\n")
	fi := newFakeIndex(t, true)
	fi.add("m",
		testFile{name: "m-1.0-py3-none-any.whl", content: []byte("w1"), metadata: meta},
		testFile{name: "m-2.0-py3-none-any.whl", content: []byte("w2"), metadata: meta, badMetaHash: true},
		testFile{name: "m-3.0-py3-none-any.whl", content: []byte("w3")},
	)
	c := newTestClient(t, testOptions(t, fi.URL(), nil))
	page, err := c.Project(testCtx(t), "m")
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Metadata(testCtx(t), page.Files[0])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(meta), string(got)); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	// Verified metadata is cached: a second read does not touch the network.
	before := fi.total()
	if _, err := c.Metadata(testCtx(t), page.Files[0]); err != nil {
		t.Fatal(err)
	}
	if fi.total() != before {
		t.Errorf("second Metadata call reached the index")
	}
	if _, err := c.Metadata(testCtx(t), page.Files[1]); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("bad metadata hash: err = %v, want ErrHashMismatch", err)
	}
	if _, err := c.Metadata(testCtx(t), page.Files[2]); !errors.Is(err, ErrNoMetadata) {
		t.Errorf("no metadata: err = %v, want ErrNoMetadata", err)
	}
}

func TestConditionalRequest304(t *testing.T) {
	fi := newFakeIndex(t, true)
	fi.add("demo-pkg", demoFiles()...)
	o := testOptions(t, fi.URL(), nil)
	c := newTestClient(t, o)
	first, err := c.Project(testCtx(t), "demo-pkg")
	if err != nil {
		t.Fatal(err)
	}
	// A new client on the same cache directory revalidates with the ETag.
	c2 := newTestClient(t, o)
	second, err := c2.Project(testCtx(t), "demo-pkg")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("page from 304 differs (-first +second):\n%s", diff)
	}
	if diff := cmp.Diff([]int{200, 304}, fi.statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}

// recordSleeps replaces the client's retry sleep with a recorder that
// returns at once.
func recordSleeps(c *Client) *[]time.Duration {
	var mu sync.Mutex
	var got []time.Duration
	c.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		got = append(got, d)
		mu.Unlock()
		return ctx.Err()
	}
	return &got
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name       string
		failures   int
		status     int
		retryAfter string
		wantSleeps []time.Duration
		wantErr    error
	}{
		{name: "503 twice then success", failures: 2, status: 503, wantSleeps: []time.Duration{time.Millisecond, 2 * time.Millisecond}},
		{name: "429 with Retry-After", failures: 1, status: 429, retryAfter: "7", wantSleeps: []time.Duration{7 * time.Second}},
		{name: "503 forever", failures: 100, status: 503, wantErr: ErrBadResponse,
			wantSleeps: []time.Duration{time.Millisecond, 2 * time.Millisecond, 4 * time.Millisecond, 8 * time.Millisecond}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fi := newFakeIndex(t, true)
			fi.add("demo-pkg", demoFiles()...)
			left := tc.failures
			fi.before = func(w http.ResponseWriter, r *http.Request) bool {
				if left == 0 {
					return false
				}
				left--
				if tc.retryAfter != "" {
					w.Header().Set("Retry-After", tc.retryAfter)
				}
				http.Error(w, "try later", tc.status)
				return true
			}
			c := newTestClient(t, testOptions(t, fi.URL(), nil))
			sleeps := recordSleeps(c)
			_, err := c.Project(testCtx(t), "demo-pkg")
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantSleeps, *sleeps); diff != "" {
				t.Errorf("retry waits (-want +got):\n%s", diff)
			}
			if want := len(tc.wantSleeps) + 1; fi.count("/simple/demo-pkg/") != want {
				t.Errorf("requests = %d, want %d", fi.count("/simple/demo-pkg/"), want)
			}
		})
	}
}

func TestUnreachableIndex(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	o := testOptions(t, "http://"+addr+"/simple/", nil)
	o.Retries = 2
	c := newTestClient(t, o)
	sleeps := recordSleeps(c)
	_, err = c.Project(testCtx(t), "demo-pkg")
	if !errors.Is(err, ErrUnreachable) {
		t.Fatalf("err = %v, want ErrUnreachable", err)
	}
	if len(*sleeps) != 2 {
		t.Errorf("retried %d times, want 2", len(*sleeps))
	}
	if !strings.Contains(err.Error(), "after 3 attempts") {
		t.Errorf("error %q does not say how often it tried", err)
	}
}

func TestDownload(t *testing.T) {
	files := []testFile{
		{name: "d-1.0.tar.gz", content: []byte("good sdist")},
		{name: "d-1.1.tar.gz", content: []byte("tampered sdist"), badHash: true},
		{name: "d-1.2.tar.gz", content: []byte("unhashed sdist"), noHash: true},
	}
	fi := newFakeIndex(t, false)
	fi.add("d", files...)
	logs := &syncBuffer{}
	o := testOptions(t, fi.URL(), logs)
	c := newTestClient(t, o)
	page, err := c.Project(testCtx(t), "d")
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]File{}
	for _, f := range page.Files {
		byName[f.Filename] = f
	}

	t.Run("verified and content addressed", func(t *testing.T) {
		p, err := c.Download(testCtx(t), byName["d-1.0.tar.gz"])
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256Hex(files[0].content)
		if want := filepath.Join(o.CacheDir, "blobs", "sha256", sum[:2], sum); p != want {
			t.Errorf("path %s, want %s", p, want)
		}
		got, _ := os.ReadFile(p)
		if string(got) != "good sdist" {
			t.Errorf("content %q", got)
		}
	})
	t.Run("cache hit without network, even with the index gone", func(t *testing.T) {
		before := fi.count("/packages/d-1.0.tar.gz")
		c2 := newTestClient(t, o)
		fi.srv.Close()
		if _, err := c2.Download(testCtx(t), byName["d-1.0.tar.gz"]); err != nil {
			t.Fatal(err)
		}
		if fi.count("/packages/d-1.0.tar.gz") != before || before != 1 {
			t.Errorf("file requested %d times, want exactly 1", fi.count("/packages/d-1.0.tar.gz"))
		}
	})
}

func TestDownloadHashMismatchAndUnhashed(t *testing.T) {
	files := []testFile{
		{name: "d-1.1.tar.gz", content: []byte("tampered sdist"), badHash: true},
		{name: "d-1.2.tar.gz", content: []byte("unhashed sdist"), noHash: true},
	}
	fi := newFakeIndex(t, false)
	fi.add("d", files...)
	logs := &syncBuffer{}
	o := testOptions(t, fi.URL(), logs)
	c := newTestClient(t, o)
	page, err := c.Project(testCtx(t), "d")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Download(testCtx(t), page.Files[0])
	if !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("err = %v, want ErrHashMismatch", err)
	}
	if fi.count("/packages/d-1.1.tar.gz") != 1 {
		t.Errorf("a hash mismatch was retried: %d requests", fi.count("/packages/d-1.1.tar.gz"))
	}
	if _, ok := c.BlobPath(sha256Hex(files[0].content)); ok {
		t.Error("mismatching bytes were stored")
	}
	p, err := c.Download(testCtx(t), page.Files[1])
	if err != nil {
		t.Fatal(err)
	}
	if want := sha256Hex(files[1].content); filepath.Base(p) != want {
		t.Errorf("unhashed file stored as %s, want %s", filepath.Base(p), want)
	}
	if !strings.Contains(logs.String(), "no usable hash") {
		t.Errorf("unhashed download not noted in the log:\n%s", logs)
	}
	// The learned hash makes the second request a cache hit.
	if _, err := c.Download(testCtx(t), page.Files[1]); err != nil {
		t.Fatal(err)
	}
	if fi.count("/packages/d-1.2.tar.gz") != 1 {
		t.Errorf("unhashed file fetched %d times, want 1", fi.count("/packages/d-1.2.tar.gz"))
	}
}

func TestDownloadConcurrentDeduplicated(t *testing.T) {
	content := []byte(strings.Repeat("x", 1<<20))
	fi := newFakeIndex(t, true)
	fi.add("big", testFile{name: "big-1.0.tar.gz", content: content})
	release := make(chan struct{})
	fi.before = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.HasPrefix(r.URL.Path, "/packages/") {
			<-release
		}
		return false
	}
	c := newTestClient(t, testOptions(t, fi.URL(), nil))
	page, err := c.Project(testCtx(t), "big")
	if err != nil {
		t.Fatal(err)
	}
	const n = 8
	var wg sync.WaitGroup
	paths := make([]string, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			paths[i], errs[i] = c.Download(testCtx(t), page.Files[0])
		}()
	}
	// Let the first request reach the server, then release it.
	for fi.count("/packages/big-1.0.tar.gz") == 0 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	for i := range n {
		if errs[i] != nil || paths[i] != paths[0] {
			t.Errorf("download %d: %s, %v", i, paths[i], errs[i])
		}
	}
	if got := fi.count("/packages/big-1.0.tar.gz"); got != 1 {
		t.Errorf("file requested %d times, want 1", got)
	}
}

func TestCredentials(t *testing.T) {
	const user, pass = "alice-user-7Q", "s3cret-pass-9Z"
	tests := []struct {
		name  string
		setup func(t *testing.T, o *Options, srvURL string)
	}{
		{"from the index URL", func(t *testing.T, o *Options, srvURL string) {
			o.IndexURL = strings.Replace(srvURL, "http://", "http://"+user+":"+pass+"@", 1) + "/simple/"
		}},
		{"from netrc", func(t *testing.T, o *Options, srvURL string) {
			p := filepath.Join(t.TempDir(), "netrc")
			if err := os.WriteFile(p, []byte("machine 127.0.0.1\n  login "+user+"\n  password "+pass+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			o.NetrcPath = p
		}},
		{"from the environment", func(t *testing.T, o *Options, srvURL string) {
			o.Getenv = func(k string) string {
				return map[string]string{"PYTI_INDEX_USERNAME": user, "PYTI_INDEX_PASSWORD": pass}[k]
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fi := newFakeIndex(t, true)
			fi.add("demo-pkg", demoFiles()...)
			fi.before = func(w http.ResponseWriter, r *http.Request) bool {
				u, p, ok := r.BasicAuth()
				if !ok || u != user || p != pass {
					http.Error(w, "auth needed", http.StatusUnauthorized)
					return true
				}
				return false
			}
			logs := &syncBuffer{}
			o := testOptions(t, fi.URL(), logs)
			tc.setup(t, &o, fi.srv.URL)
			c := newTestClient(t, o)
			page, err := c.Project(testCtx(t), "demo-pkg")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.Download(testCtx(t), page.Files[0]); err != nil {
				t.Fatal(err)
			}
			_, err = c.Project(testCtx(t), "missing-project")
			if !errors.Is(err, ErrNoSuchProject) {
				t.Fatalf("err = %v, want ErrNoSuchProject", err)
			}
			// Make a failing request whose error names the index URL too.
			o2 := o
			o2.IndexURL = strings.Replace(o.IndexURL, "/simple/", "/gone/", 1)
			o2.CacheDir = t.TempDir()
			c2 := newTestClient(t, o2)
			fi.before = func(w http.ResponseWriter, r *http.Request) bool {
				http.Error(w, "boom", http.StatusInternalServerError)
				return true
			}
			recordSleeps(c2)
			_, err2 := c2.Project(testCtx(t), "demo-pkg")
			if err2 == nil {
				t.Fatal("want an error from the failing index")
			}
			for _, a := range fi.auth[:2] {
				if a == "" {
					t.Errorf("a request reached the index without credentials")
				}
			}
			for _, text := range []string{logs.String(), err.Error(), err2.Error()} {
				if strings.Contains(text, pass) || strings.Contains(text, user) {
					t.Errorf("credentials leaked into:\n%s", text)
				}
			}
			if !strings.Contains(logs.String(), "index response") {
				t.Errorf("log capture is not working:\n%s", logs)
			}
		})
	}
}

func TestSSRFGuard(t *testing.T) {
	fi := newFakeIndex(t, true)
	fi.add("demo-pkg", demoFiles()...)
	tests := []struct {
		name     string
		index    string
		allowed  []netip.Prefix
		redirect string
		wantWhy  string
	}{
		{name: "loopback literal", index: fi.URL(), wantWhy: "loopback address"},
		{name: "loopback by DNS name", index: strings.Replace(fi.URL(), "127.0.0.1", "localhost", 1), wantWhy: "loopback address"},
		{name: "redirect to cloud metadata", index: fi.URL(), allowed: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")},
			redirect: "http://169.254.169.254/latest/meta-data/", wantWhy: "cloud metadata address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fi.before = nil
			if tc.redirect != "" {
				fi.before = func(w http.ResponseWriter, r *http.Request) bool {
					http.Redirect(w, r, tc.redirect, http.StatusFound)
					return true
				}
			}
			before := fi.total()
			o := testOptions(t, tc.index, nil)
			o.AllowPrivate = false
			o.AllowedNetworks = tc.allowed
			c := newTestClient(t, o)
			sleeps := recordSleeps(c)
			_, err := c.Project(testCtx(t), "demo-pkg")
			if !errors.Is(err, ErrRefusedAddress) {
				t.Fatalf("err = %v, want ErrRefusedAddress", err)
			}
			for _, s := range []string{"refused", tc.wantWhy, "AllowPrivate"} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q lacks %q", err, s)
				}
			}
			if len(*sleeps) != 0 {
				t.Errorf("a refused address was retried")
			}
			wantHits := 0
			if tc.redirect != "" {
				wantHits = 1 // the allowed index itself, not the redirect target
			}
			if got := fi.total() - before; got != wantHits {
				t.Errorf("index saw %d requests, want %d", got, wantHits)
			}
		})
	}

}

func TestRateLimit(t *testing.T) {
	b := newTokenBucket(2, 1)
	now := time.Unix(1000, 0)
	b.now = func() time.Time { return now }
	got := []time.Duration{b.reserve(), b.reserve(), b.reserve()}
	now = now.Add(time.Second)
	got = append(got, b.reserve())
	want := []time.Duration{0, 500 * time.Millisecond, time.Second, 500 * time.Millisecond}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("waits (-want +got):\n%s", diff)
	}
}

func TestTimeoutIsRetriedThenUnreachable(t *testing.T) {
	fi := newFakeIndex(t, true)
	fi.add("demo-pkg", demoFiles()...)
	stop := make(chan struct{})
	t.Cleanup(func() { close(stop) })
	fi.before = func(w http.ResponseWriter, r *http.Request) bool {
		select {
		case <-r.Context().Done():
		case <-stop:
		}
		return true
	}
	o := testOptions(t, fi.URL(), nil)
	o.Timeout = 50 * time.Millisecond
	o.Retries = 1
	c := newTestClient(t, o)
	sleeps := recordSleeps(c)
	_, err := c.Project(testCtx(t), "demo-pkg")
	if !errors.Is(err, ErrUnreachable) || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("err = %v, want ErrUnreachable saying it timed out", err)
	}
	if len(*sleeps) != 1 || fi.count("/simple/demo-pkg/") != 2 {
		t.Errorf("retries %d, requests %d; want 1 and 2", len(*sleeps), fi.count("/simple/demo-pkg/"))
	}
}

func TestProject406FallsBackToHTML(t *testing.T) {
	fi := newFakeIndex(t, false)
	fi.add("demo-pkg", demoFiles()...)
	fi.before = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.Header.Get("Accept"), "json") {
			http.Error(w, "HTML only here", http.StatusNotAcceptable)
			return true
		}
		return false
	}
	c := newTestClient(t, testOptions(t, fi.URL(), nil))
	page, err := c.Project(testCtx(t), "demo-pkg")
	if err != nil {
		t.Fatal(err)
	}
	if page.Format != "html" || len(page.Files) != len(demoFiles()) {
		t.Errorf("format %s with %d files", page.Format, len(page.Files))
	}
	if diff := cmp.Diff([]int{406, 200}, fi.statuses); diff != "" {
		t.Errorf("statuses (-want +got):\n%s", diff)
	}
}
