package localindex

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// startIndex serves the shared example set for one test.
func startIndex(t *testing.T) (*Set, *Server) {
	t.Helper()
	set := builtExamples(t)
	srv, err := Start(set.Dir)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return set, srv
}

var client = &http.Client{
	Timeout: 30 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	},
}

// get fetches u with an Accept header, returning status, headers and body.
func get(t *testing.T, u, accept string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode, resp.Header, body
}

// pageFile is one file of a project page, as both forms can state it.
type pageFile struct {
	Filename       string
	URL            string // resolved, without fragment
	SHA256         string
	RequiresPython string
	MetadataSHA256 string
	Yanked         bool
	YankReason     string
}

func resolve(t *testing.T, base, ref string) (string, string) {
	t.Helper()
	b, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	r, err := url.Parse(ref)
	if err != nil {
		t.Fatal(err)
	}
	u := b.ResolveReference(r)
	frag := u.Fragment
	u.Fragment = ""
	return u.String(), frag
}

func parseJSONPage(t *testing.T, pageURL string, body []byte) ([]pageFile, []string) {
	t.Helper()
	var page struct {
		Meta struct {
			APIVersion string `json:"api-version"`
		} `json:"meta"`
		Name     string   `json:"name"`
		Versions []string `json:"versions"`
		Files    []struct {
			Filename         string            `json:"filename"`
			URL              string            `json:"url"`
			Hashes           map[string]string `json:"hashes"`
			RequiresPython   *string           `json:"requires-python"`
			CoreMetadata     json.RawMessage   `json:"core-metadata"`
			DistInfoMetadata json.RawMessage   `json:"dist-info-metadata"`
			Yanked           json.RawMessage   `json:"yanked"`
			Size             *int64            `json:"size"`
			UploadTime       *string           `json:"upload-time"`
		} `json:"files"`
	}
	if err := json.Unmarshal(body, &page); err != nil {
		t.Fatalf("JSON page %s: %v\n%s", pageURL, err, body)
	}
	if page.Meta.APIVersion != "1.1" {
		t.Errorf("%s: api-version %q", pageURL, page.Meta.APIVersion)
	}
	var files []pageFile
	for _, f := range page.Files {
		u, _ := resolve(t, pageURL, f.URL)
		pf := pageFile{Filename: f.Filename, URL: u, SHA256: f.Hashes["sha256"]}
		if f.RequiresPython != nil {
			pf.RequiresPython = *f.RequiresPython
		}
		if f.DistInfoMetadata != nil {
			t.Errorf("%s: JSON has the pre-PEP 714 key dist-info-metadata (pip 23.0 crashes on it)", f.Filename)
		}
		if string(f.CoreMetadata) != "false" {
			var h map[string]string
			if err := json.Unmarshal(f.CoreMetadata, &h); err != nil {
				t.Errorf("%s: core-metadata %s: %v", f.Filename, f.CoreMetadata, err)
			}
			pf.MetadataSHA256 = h["sha256"]
		}
		switch y := string(f.Yanked); y {
		case "false":
		case "true":
			pf.Yanked = true
		default:
			pf.Yanked = true
			if err := json.Unmarshal(f.Yanked, &pf.YankReason); err != nil {
				t.Errorf("%s: yanked %s: %v", f.Filename, y, err)
			}
		}
		if f.Size == nil || *f.Size <= 0 {
			t.Errorf("%s: no size", f.Filename)
		}
		if f.UploadTime == nil {
			t.Errorf("%s: no upload-time", f.Filename)
		} else if _, err := time.Parse(uploadTimeLayout, *f.UploadTime); err != nil {
			t.Errorf("%s: upload-time %q: %v", f.Filename, *f.UploadTime, err)
		}
		files = append(files, pf)
	}
	return files, page.Versions
}

var (
	anchorRE = regexp.MustCompile(`(?s)<a ([^>]*)>([^<]*)</a>`)
	attrRE   = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)
)

func parseHTMLPage(t *testing.T, pageURL string, body []byte) []pageFile {
	t.Helper()
	if !strings.Contains(string(body), `<meta name="pypi:repository-version" content="1.1">`) {
		t.Errorf("%s: no repository-version meta tag", pageURL)
	}
	var files []pageFile
	for _, m := range anchorRE.FindAllStringSubmatch(string(body), -1) {
		attrs := map[string]string{}
		present := map[string]bool{}
		for _, a := range attrRE.FindAllStringSubmatch(m[1], -1) {
			attrs[a[1]] = html.UnescapeString(a[2])
			present[a[1]] = true
		}
		u, frag := resolve(t, pageURL, attrs["href"])
		pf := pageFile{Filename: html.UnescapeString(m[2]), URL: u, RequiresPython: attrs["data-requires-python"]}
		alg, hex, _ := strings.Cut(frag, "=")
		if alg != "sha256" {
			t.Errorf("%s: href fragment %q", pf.Filename, frag)
		}
		pf.SHA256 = hex
		if attrs["data-core-metadata"] != attrs["data-dist-info-metadata"] {
			t.Errorf("%s: data-core-metadata %q != data-dist-info-metadata %q", pf.Filename, attrs["data-core-metadata"], attrs["data-dist-info-metadata"])
		}
		if cm := attrs["data-core-metadata"]; cm != "" {
			pf.MetadataSHA256 = strings.TrimPrefix(cm, "sha256=")
		}
		pf.Yanked, pf.YankReason = present["data-yanked"], attrs["data-yanked"]
		files = append(files, pf)
	}
	return files
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestJSONAndHTMLAgree fetches every project in both forms and checks they
// state the same files, and that those files and their metadata are served
// with the hashes stated.
func TestJSONAndHTMLAgree(t *testing.T) {
	set, srv := startIndex(t)
	if err := srv.Yank("pyti_example_base-1.0-py3-none-any.whl", `too old <"1.1">`); err != nil {
		t.Fatal(err)
	}
	if err := srv.Yank("pyti-example-base-1.0.tar.gz", ""); err != nil {
		t.Fatal(err)
	}

	status, hdr, body := get(t, srv.SimpleURL(), ContentTypeJSON)
	if status != http.StatusOK || hdr.Get("Content-Type") != ContentTypeJSON {
		t.Fatalf("project list: %d %q", status, hdr.Get("Content-Type"))
	}
	var list struct {
		Meta struct {
			APIVersion string `json:"api-version"`
		} `json:"meta"`
		Projects []struct{ Name string } `json:"projects"`
	}
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	var jsonNames []string
	for _, p := range list.Projects {
		jsonNames = append(jsonNames, NormalizeName(p.Name))
	}
	_, _, htmlList := get(t, srv.SimpleURL(), "")
	var htmlNames []string
	for _, m := range anchorRE.FindAllStringSubmatch(string(htmlList), -1) {
		u, _ := resolve(t, srv.SimpleURL(), attrRE.FindStringSubmatch(m[1])[2])
		if want := srv.SimpleURL() + NormalizeName(m[2]) + "/"; u != want {
			t.Errorf("list link %q resolves to %s, want %s", m[2], u, want)
		}
		htmlNames = append(htmlNames, NormalizeName(m[2]))
	}
	if diff := cmp.Diff(jsonNames, htmlNames); diff != "" {
		t.Errorf("project lists differ (-json +html):\n%s", diff)
	}
	wantNames := map[string]bool{"pip": true, "setuptools": true, "wheel": true}
	for _, e := range set.Examples {
		wantNames[NormalizeName(e.Name)] = true
	}
	if len(jsonNames) != len(wantNames) {
		t.Errorf("project list %v, want %d projects", jsonNames, len(wantNames))
	}

	seenFiles := 0
	for _, name := range jsonNames {
		pageURL := srv.SimpleURL() + name + "/"
		_, hdr, jb := get(t, pageURL, "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01")
		if ct := hdr.Get("Content-Type"); ct != ContentTypeJSON {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
		jsonFiles, versions := parseJSONPage(t, pageURL, jb)
		_, hdr, hb := get(t, pageURL, "")
		if ct := hdr.Get("Content-Type"); ct != "text/html; charset=utf-8" {
			t.Errorf("%s: Content-Type %q", name, ct)
		}
		htmlFiles := parseHTMLPage(t, pageURL, hb)
		if diff := cmp.Diff(jsonFiles, htmlFiles); diff != "" {
			t.Errorf("%s: JSON and HTML differ (-json +html):\n%s", name, diff)
		}

		wantVersions := map[string]bool{}
		for _, f := range jsonFiles {
			seenFiles++
			_, _, b := get(t, f.URL, "")
			if got := sha256Hex(b); got != f.SHA256 {
				t.Errorf("%s: served sha256 %s, page says %s", f.Filename, got, f.SHA256)
			}
			d, err := ReadDist(set.Path(f.Filename))
			if err != nil {
				t.Fatal(err)
			}
			wantVersions[d.Version] = true
			if f.RequiresPython != d.RequiresPython {
				t.Errorf("%s: requires-python %q, metadata says %q", f.Filename, f.RequiresPython, d.RequiresPython)
			}
			if strings.HasSuffix(f.Filename, ".whl") {
				checkMetadataFile(t, set.Path(f.Filename), f)
			} else if f.MetadataSHA256 != "" {
				t.Errorf("%s: sdist with core metadata", f.Filename)
			}
		}
		var wv []string
		for v := range wantVersions {
			wv = append(wv, v)
		}
		sort.Strings(wv)
		if diff := cmp.Diff(wv, versions); diff != "" {
			t.Errorf("%s: versions (-want +got):\n%s", name, diff)
		}
	}
	if seenFiles != len(set.Files()) {
		t.Errorf("pages list %d files, the set has %d", seenFiles, len(set.Files()))
	}

	// The yanks, with a reason that needs escaping in HTML.
	_, _, hb := get(t, srv.SimpleURL()+"pyti-example-base/", "text/html")
	if !strings.Contains(string(hb), `data-yanked="too old &lt;&#34;1.1&#34;&gt;"`) {
		t.Errorf("yank reason not escaped in HTML:\n%s", hb)
	}
	if !strings.Contains(string(hb), `data-requires-python="&gt;=3.8"`) {
		t.Errorf("requires-python not escaped in HTML:\n%s", hb)
	}
	_, _, jb := get(t, srv.SimpleURL()+"pyti-example-base/", ContentTypeJSON)
	if !strings.Contains(string(jb), `"requires-python":">=3.8"`) {
		t.Errorf("JSON requires-python not written as PyPI does:\n%s", jb)
	}
	files, _ := parseJSONPage(t, srv.SimpleURL()+"pyti-example-base/", jb)
	got := map[string]pageFile{}
	for _, f := range files {
		got[f.Filename] = pageFile{Filename: f.Filename, Yanked: f.Yanked, YankReason: f.YankReason}
	}
	want := map[string]pageFile{
		"pyti_example_base-1.0-py3-none-any.whl": {Filename: "pyti_example_base-1.0-py3-none-any.whl", Yanked: true, YankReason: `too old <"1.1">`},
		"pyti-example-base-1.0.tar.gz":           {Filename: "pyti-example-base-1.0.tar.gz", Yanked: true},
		"pyti_example_base-1.1-py3-none-any.whl": {Filename: "pyti_example_base-1.1-py3-none-any.whl"},
		"pyti-example-base-1.1.tar.gz":           {Filename: "pyti-example-base-1.1.tar.gz"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("yanks (-want +got):\n%s", diff)
	}
}

// checkMetadataFile compares the served .metadata with the wheel's own
// METADATA, read here independently of the index.
func checkMetadataFile(t *testing.T, wheel string, f pageFile) {
	t.Helper()
	zr, err := zip.OpenReader(wheel)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var want []byte
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, ".dist-info/METADATA") {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			want, err = io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	status, _, got := get(t, f.URL+".metadata", "")
	if status != http.StatusOK {
		t.Fatalf("%s.metadata: status %d", f.Filename, status)
	}
	if string(got) != string(want) || len(want) == 0 {
		t.Errorf("%s.metadata differs from the wheel's METADATA", f.Filename)
	}
	if sha256Hex(want) != f.MetadataSHA256 {
		t.Errorf("%s: core-metadata sha256 %s, METADATA's is %s", f.Filename, f.MetadataSHA256, sha256Hex(want))
	}
}

func TestRoutes(t *testing.T) {
	set, srv := startIndex(t)
	sdist := set.Examples[0].Sdist
	tests := []struct {
		path, accept string
		status       int
		location     string
		contentType  string
	}{
		{"/", "", 301, "simple/", ""},
		{"/simple", "", 301, "simple/", ""},
		{"/simple/", "", 200, "", "text/html; charset=utf-8"},
		{"/simple/", "application/vnd.pypi.simple.v1+html", 200, "", ContentTypeHTMLv1},
		{"/simple/?format=application/vnd.pypi.simple.v1%2Bjson", "text/html", 200, "", ContentTypeJSON},
		{"/simple/", "application/json", 406, "", ""},
		{"/simple/pyti-example-pure/", "*/*", 200, "", "text/html; charset=utf-8"},
		{"/simple/pyti-example-pure", "", 301, "pyti-example-pure/", ""},
		{"/simple/PYTI_Example.Pure/", "", 301, "../pyti-example-pure/", ""},
		{"/simple/PYTI_Example.Pure", "", 301, "pyti-example-pure/", ""},
		{"/simple/PYTI_Example.Pure/?format=x", "", 301, "../pyti-example-pure/?format=x", ""},
		{"/simple/no-such-project/", "", 404, "", ""},
		{"/simple/a/b/", "", 404, "", ""},
		{"/files/" + sdist, "", 200, "", "application/octet-stream"},
		{"/files/" + sdist + ".metadata", "", 404, "", ""},
		{"/files/no-such-file.whl", "", 404, "", ""},
		{"/files/../go.mod", "", 404, "", ""},
		{"/elsewhere", "", 404, "", ""},
	}
	for _, tt := range tests {
		status, hdr, body := get(t, srv.URL+tt.path, tt.accept)
		if status != tt.status {
			t.Errorf("GET %s (Accept %q): status %d, want %d: %s", tt.path, tt.accept, status, tt.status, body)
			continue
		}
		if got := hdr.Get("Location"); got != tt.location {
			t.Errorf("GET %s: Location %q, want %q", tt.path, got, tt.location)
		}
		if tt.contentType != "" && hdr.Get("Content-Type") != tt.contentType {
			t.Errorf("GET %s (Accept %q): Content-Type %q, want %q", tt.path, tt.accept, hdr.Get("Content-Type"), tt.contentType)
		}
	}

	resp, err := client.Post(srv.SimpleURL(), "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", resp.StatusCode)
	}
	if err := srv.Yank("no-such-file.whl", ""); err == nil {
		t.Error("Yank of an unknown file succeeded")
	}
}

// TestMountedUnderPrefix checks that links and redirects are relative, so
// the index also works behind a path prefix.
func TestMountedUnderPrefix(t *testing.T) {
	set := builtExamples(t)
	ix, err := NewIndex(set.Dir)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/mirror/", http.StripPrefix("/mirror", ix))
	srv := &http.Server{Handler: mux}
	ln := listen(t)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	base := "http://" + ln.Addr().String() + "/mirror/simple/"

	status, hdr, _ := get(t, base+"PYTI_Example_Pure/", "")
	if status != 301 {
		t.Fatalf("status %d", status)
	}
	target, _ := resolve(t, base+"PYTI_Example_Pure/", hdr.Get("Location"))
	if target != base+"pyti-example-pure/" {
		t.Errorf("redirect to %s", target)
	}
	_, _, body := get(t, target, "")
	files := parseHTMLPage(t, target, body)
	if len(files) == 0 {
		t.Fatal("no files")
	}
	for _, f := range files {
		status, _, b := get(t, f.URL, "")
		if status != 200 || sha256Hex(b) != f.SHA256 {
			t.Errorf("%s via prefix: status %d", f.URL, status)
		}
	}
}

// TestSymlinkedFiles: an index directory made of symbolic links (ln -s into a download cache)
// serves the files the links point to; a dangling link, or one to a directory, is not a file.
func TestSymlinkedFiles(t *testing.T) {
	set := builtExamples(t)
	dir := t.TempDir()
	sdist := set.Examples[0].Sdist
	links := map[string]string{
		sdist:                       filepath.Join(set.Dir, sdist),
		"gone-1.0.tar.gz":           filepath.Join(set.Dir, "no-such-file.tar.gz"),
		"adir-1.0-py3-none-any.whl": t.TempDir(),
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := NewIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ix)
	defer srv.Close()
	want, err := os.ReadFile(filepath.Join(set.Dir, sdist))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path   string
		status int
		body   []byte
	}{
		{"/files/" + sdist, 200, want},
		{"/files/gone-1.0.tar.gz", 404, nil},
		{"/files/adir-1.0-py3-none-any.whl", 404, nil},
	}
	for _, tc := range tests {
		status, _, body := get(t, srv.URL+tc.path, "")
		if status != tc.status || (tc.body != nil && !bytes.Equal(body, tc.body)) {
			t.Errorf("GET %s: status %d, %d bytes; want %d, %d bytes", tc.path, status, len(body), tc.status, len(tc.body))
		}
	}
	if diff := cmp.Diff([]string{NormalizeName(set.Examples[0].Name)}, ix.Projects()); diff != "" {
		t.Errorf("projects (-want +got):\n%s", diff)
	}
}

// writeWheel writes a minimal wheel of name and version into dir; extra
// changes its bytes without changing its name.
func writeWheel(t *testing.T, dir, name, version, extra string) string {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	distInfo := name + "-" + version + ".dist-info/"
	files := []struct{ name, body string }{
		{name + ".py", extra},
		{distInfo + "METADATA", "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"},
		{distInfo + "WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
	}
	for _, f := range files {
		w, err := zw.Create(f.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name+"-"+version+"-py3-none-any.whl")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestChangesWhileServed: files copied into the directory, replaced or removed while it is
// served are seen by the next request, with their new hashes; a file that cannot be read yet
// (still being copied) is left out until it is whole, and the serial moves only when something
// changed.
func TestChangesWhileServed(t *testing.T) {
	dir := t.TempDir()
	first := writeWheel(t, dir, "demo", "1.0", "one")
	ix, err := NewIndex(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(ix)
	defer srv.Close()
	hash := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		return sha256Hex(b)
	}
	half := filepath.Join(dir, "demo-1.2-py3-none-any.whl")
	var second string
	steps := []struct {
		name       string
		change     func()
		want       func() map[string]string // file name -> sha256
		serialMove bool
	}{
		{"as started", func() {}, func() map[string]string { return map[string]string{filepath.Base(first): hash(first)} }, false},
		{"a file added", func() { second = writeWheel(t, dir, "demo", "1.1", "two") },
			func() map[string]string {
				return map[string]string{filepath.Base(first): hash(first), filepath.Base(second): hash(second)}
			}, true},
		{"a file replaced", func() { writeWheel(t, dir, "demo", "1.0", "one, rewritten") },
			func() map[string]string {
				return map[string]string{filepath.Base(first): hash(first), filepath.Base(second): hash(second)}
			}, true},
		{"nothing changed", func() {},
			func() map[string]string {
				return map[string]string{filepath.Base(first): hash(first), filepath.Base(second): hash(second)}
			}, false},
		{"a file half copied", func() {
			if err := os.WriteFile(half, []byte("PK\x03\x04 not yet"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, func() map[string]string {
			return map[string]string{filepath.Base(first): hash(first), filepath.Base(second): hash(second)}
		}, false},
		{"the copy finished", func() { writeWheel(t, dir, "demo", "1.2", "three") },
			func() map[string]string {
				return map[string]string{filepath.Base(first): hash(first), filepath.Base(second): hash(second), filepath.Base(half): hash(half)}
			}, true},
		{"files removed", func() {
			for _, p := range []string{second, half} {
				if err := os.Remove(p); err != nil {
					t.Fatal(err)
				}
			}
		}, func() map[string]string { return map[string]string{filepath.Base(first): hash(first)} }, true},
	}
	for _, step := range steps {
		ix.mu.RLock()
		before := ix.serial
		ix.mu.RUnlock()
		step.change()
		pageURL := srv.URL + "/simple/demo/"
		status, _, body := get(t, pageURL, "application/vnd.pypi.simple.v1+json")
		if status != 200 {
			t.Fatalf("%s: GET %s: status %d", step.name, pageURL, status)
		}
		files, _ := parseJSONPage(t, pageURL, body)
		got := map[string]string{}
		for _, f := range files {
			got[f.Filename] = f.SHA256
			status, _, served := get(t, f.URL, "")
			if status != 200 || sha256Hex(served) != f.SHA256 {
				t.Errorf("%s: GET %s: status %d, sha256 %s; the page says %s", step.name, f.Filename, status, sha256Hex(served), f.SHA256)
			}
		}
		if diff := cmp.Diff(step.want(), got); diff != "" {
			t.Errorf("%s: files on the page (-want +got):\n%s", step.name, diff)
		}
		ix.mu.RLock()
		moved := ix.serial != before
		ix.mu.RUnlock()
		if moved != step.serialMove {
			t.Errorf("%s: serial moved %v, want %v", step.name, moved, step.serialMove)
		}
	}
}
