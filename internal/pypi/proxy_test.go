package pypi

import (
	"archive/zip"
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// startProxy puts a proxy in front of upstream and serves it on 127.0.0.1.
func startProxy(t *testing.T, upstream string) (*Proxy, *httptest.Server, *Client) {
	t.Helper()
	c := newTestClient(t, testOptions(t, upstream, nil))
	p := NewProxy(c, slog.New(slog.DiscardHandler))
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv, c
}

func httpGet(t *testing.T, rawURL, accept string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(testCtx(t), http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

type reqSummary struct {
	Method, Path  string
	Status        int
	Project, File string
	SHA256        string
	CacheHit      bool
	BytesPositive bool
}

func summarize(rs []ProxyRequest) []reqSummary {
	var out []reqSummary
	for _, r := range rs {
		out = append(out, reqSummary{r.Method, r.Path, r.Status, r.Project, r.Filename, r.SHA256, r.CacheHit, r.Bytes > 0})
	}
	return out
}

func TestProxy(t *testing.T) {
	fi := newFakeIndex(t, true)
	files := append(demoFiles(), testFile{name: "demo-pkg-0.1.tar.gz", content: []byte("no hash"), noHash: true})
	fi.add("demo-pkg", files...)
	p, srv, _ := startProxy(t, fi.URL())

	// The proxy's page in both forms lists the same files under /files/.
	var want []File
	for _, f := range demoFiles() {
		sum := sha256Hex(f.content)
		wf := File{Filename: f.name, URL: srv.URL + "/files/" + sum + "/" + f.name, Hashes: map[string]string{"sha256": sum},
			RequiresPython: f.requiresPython, Yanked: f.yanked, YankedReason: f.yankReason, Size: int64(len(f.content))}
		if f.metadata != nil {
			wf.CoreMetadata, wf.CoreMetadataHashes = true, map[string]string{"sha256": sha256Hex(f.metadata)}
		}
		want = append(want, wf)
	}
	pageURL := srv.URL + "/simple/demo-pkg/"
	for _, tc := range []struct {
		accept, wantType string
		sizes            bool
	}{
		{SimpleAccept, mediaJSON, true},
		{"application/vnd.pypi.simple.v1+html", mediaHTML, false},
		{"", "text/html; charset=utf-8", false},
	} {
		resp, body := httpGet(t, pageURL, tc.accept)
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tc.wantType {
			t.Fatalf("Accept %q: %s %q\n%s", tc.accept, resp.Status, resp.Header.Get("Content-Type"), body)
		}
		page, _, err := parseProjectPage(body, resp.Header.Get("Content-Type"), mustURL(t, pageURL))
		if err != nil {
			t.Fatal(err)
		}
		w := append([]File(nil), want...)
		if !tc.sizes {
			for i := range w {
				w[i].Size = -1
			}
		}
		if diff := cmp.Diff(w, page.Files); diff != "" {
			t.Errorf("Accept %q: files (-want +got):\n%s", tc.accept, diff)
		}
	}

	wheel := demoFiles()[1]
	sum := sha256Hex(wheel.content)
	fileURL := srv.URL + "/files/" + sum + "/" + wheel.name
	for i := range 2 {
		resp, body := httpGet(t, fileURL, "")
		if resp.StatusCode != 200 || !bytes.Equal(body, wheel.content) {
			t.Fatalf("file fetch %d: %s %q", i, resp.Status, body)
		}
	}
	if got := fi.count("/packages/" + wheel.name); got != 1 {
		t.Errorf("upstream saw %d requests for the wheel, want 1", got)
	}
	if resp, body := httpGet(t, fileURL+".metadata", ""); resp.StatusCode != 200 || !bytes.Equal(body, wheel.metadata) {
		t.Errorf("metadata: %s %q", resp.Status, body)
	}
	other := sha256Hex([]byte("never listed"))
	checks := []struct {
		path   string
		status int
	}{
		{"/simple/Demo_Pkg/", http.StatusMovedPermanently},
		{"/simple/demo-pkg", http.StatusMovedPermanently},
		{"/simple/nothing-here/", http.StatusNotFound},
		{"/files/" + other + "/x-1.0.tar.gz", http.StatusNotFound},
		{"/files/" + sum + "/renamed-1.0-py3-none-any.whl", http.StatusNotFound},
		{"/files/" + sha256Hex(demoFiles()[0].content) + "/demo-pkg-1.0.tar.gz.metadata", http.StatusNotFound},
		{"/etc/passwd", http.StatusNotFound},
	}
	for _, c := range checks {
		resp, _ := httpGet(t, srv.URL+c.path, "")
		if resp.StatusCode != c.status {
			t.Errorf("%s: %s, want %d", c.path, resp.Status, c.status)
		}
	}
	if loc := func() string { r, _ := httpGet(t, srv.URL+"/simple/Demo_Pkg/", ""); return r.Header.Get("Location") }(); loc != "/simple/demo-pkg/" {
		t.Errorf("redirect to %q", loc)
	}
	resp, err := http.Post(srv.URL+"/simple/demo-pkg/", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: %s", resp.Status)
	}

	wantReqs := []reqSummary{
		{"GET", "/simple/demo-pkg/", 200, "demo-pkg", "", "", false, true},
		{"GET", "/simple/demo-pkg/", 200, "demo-pkg", "", "", false, true},
		{"GET", "/simple/demo-pkg/", 200, "demo-pkg", "", "", false, true},
		{"GET", "/files/" + sum + "/" + wheel.name, 200, "demo-pkg", wheel.name, sum, false, true},
		{"GET", "/files/" + sum + "/" + wheel.name, 200, "demo-pkg", wheel.name, sum, true, true},
		{"GET", "/files/" + sum + "/" + wheel.name + ".metadata", 200, "demo-pkg", wheel.name + ".metadata", sum, false, true},
		{"GET", "/simple/Demo_Pkg/", 301, "demo-pkg", "", "", false, true},
		{"GET", "/simple/demo-pkg", 301, "demo-pkg", "", "", false, true},
		{"GET", "/simple/nothing-here/", 404, "nothing-here", "", "", false, true},
		{"GET", "/files/" + other + "/x-1.0.tar.gz", 404, "", "x-1.0.tar.gz", other, false, true},
		{"GET", "/files/" + sum + "/renamed-1.0-py3-none-any.whl", 404, "demo-pkg", "renamed-1.0-py3-none-any.whl", sum, false, true},
		{"GET", "/files/" + sha256Hex(demoFiles()[0].content) + "/demo-pkg-1.0.tar.gz.metadata", 404, "demo-pkg", "demo-pkg-1.0.tar.gz.metadata", sha256Hex(demoFiles()[0].content), false, true},
		{"GET", "/etc/passwd", 404, "", "", "", false, true},
		{"GET", "/simple/Demo_Pkg/", 301, "demo-pkg", "", "", false, true},
		{"POST", "/simple/demo-pkg/", 405, "", "", "", false, true},
	}
	if diff := cmp.Diff(wantReqs, summarize(p.Requests())); diff != "" {
		t.Errorf("recorded requests (-want +got):\n%s", diff)
	}
	for _, r := range p.Requests() {
		if r.Time.IsZero() {
			t.Errorf("request %s has no time", r.Path)
		}
	}
}

func TestProxyServesPYTIClient(t *testing.T) {
	fi := newFakeIndex(t, false) // upstream speaks HTML only
	fi.add("demo-pkg", demoFiles()...)
	_, srv, _ := startProxy(t, fi.URL())
	c := newTestClient(t, testOptions(t, srv.URL+"/simple/", nil))
	rel, err := c.Resolve(testCtx(t), "demo-pkg==1.0")
	if err != nil {
		t.Fatal(err)
	}
	path, err := c.Download(testCtx(t), *rel.Sdist)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != "sdist 1.0 bytes" {
		t.Errorf("downloaded %q", got)
	}
	md, err := c.Metadata(testCtx(t), rel.Wheels[0])
	if err != nil || !strings.Contains(string(md), "Name: demo-pkg") {
		t.Errorf("metadata through the proxy: %q, %v", md, err)
	}
}

// buildWheel writes a minimal, valid pure-Python wheel.
func buildWheel(t *testing.T, name, version string) (string, []byte) {
	t.Helper()
	dist := name + "-" + version
	files := []struct{ path, body string }{
		{name + "/__init__.py", "VALUE = 42\n"},
		{dist + ".dist-info/METADATA", "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"},
		{dist + ".dist-info/WHEEL", "Wheel-Version: 1.0\nGenerator: pyti-test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	var record strings.Builder
	for _, f := range files {
		w, err := zw.Create(f.path)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write([]byte(f.body))
		record.WriteString(f.path + ",,\n")
	}
	record.WriteString(dist + ".dist-info/RECORD,,\n")
	w, err := zw.Create(dist + ".dist-info/RECORD")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte(record.String()))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return dist + "-py3-none-any.whl", buf.Bytes()
}

func runPipDownload(t *testing.T, indexURL, dir, requirement string) {
	t.Helper()
	ctx := testCtx(t)
	cmd := exec.CommandContext(ctx, "/usr/bin/python3", "-m", "pip", "download", "--no-deps",
		"--index-url", indexURL, "--timeout", "30", "--retries", "0", "-d", dir, requirement)
	cmd.Env = []string{
		"PATH=/usr/bin:/bin",
		"HOME=" + t.TempDir(),
		"PIP_NO_CACHE_DIR=1",
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_CONFIG_FILE=/dev/null",
		"PIP_NO_INPUT=1",
	}
	cmd.WaitDelay = 5 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pip download failed: %v\n%s", err, out)
	}
}

func TestProxyWithRealPip(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Fatalf("this test needs Debian's /usr/bin/python3 with pip: %v", err)
	}
	wheelName, wheelBytes := buildWheel(t, "pytidemo", "1.2.0")
	fi := newFakeIndex(t, true)
	fi.add("pytidemo",
		testFile{name: "pytidemo-1.0.0.tar.gz", content: []byte("old sdist")},
		testFile{name: wheelName, content: wheelBytes, requiresPython: ">=3.7"},
		testFile{name: "pytidemo-9.0.0-py3-none-any.whl", content: []byte("yanked"), yanked: true, yankReason: "bad"},
	)
	p, srv, _ := startProxy(t, fi.URL())
	sum := sha256Hex(wheelBytes)
	for run := range 2 {
		dir := t.TempDir()
		runPipDownload(t, srv.URL+"/simple/", dir, "pytidemo")
		got, err := os.ReadFile(filepath.Join(dir, wheelName))
		if err != nil {
			entries, _ := os.ReadDir(dir)
			t.Fatalf("run %d: %v (dir has %v)", run, err, entries)
		}
		if sha256Hex(got) != sum {
			t.Errorf("run %d: wheel sha256 %s, want %s", run, sha256Hex(got), sum)
		}
	}
	var fileReqs []ProxyRequest
	for _, r := range p.Requests() {
		if strings.HasPrefix(r.Path, "/files/") {
			fileReqs = append(fileReqs, r)
		}
	}
	want := []ProxyRequest{
		{Method: "GET", Path: "/files/" + sum + "/" + wheelName, Status: 200, Bytes: int64(len(wheelBytes)),
			Project: "pytidemo", Filename: wheelName, SHA256: sum, CacheHit: false},
		{Method: "GET", Path: "/files/" + sum + "/" + wheelName, Status: 200, Bytes: int64(len(wheelBytes)),
			Project: "pytidemo", Filename: wheelName, SHA256: sum, CacheHit: true},
	}
	if diff := cmp.Diff(want, fileReqs, cmpopts.IgnoreFields(ProxyRequest{}, "Time", "Duration")); diff != "" {
		t.Errorf("file requests (-want +got):\n%s\nall: %+v", diff, p.Requests())
	}
	if got := fi.count("/packages/" + wheelName); got != 1 {
		t.Errorf("upstream served the wheel %d times, want 1", got)
	}
}
