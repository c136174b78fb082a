package pypi

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// testFile is one distribution file of the fake index.
type testFile struct {
	name           string
	content        []byte
	requiresPython string
	yanked         bool
	yankReason     string
	metadata       []byte // served at name + ".metadata" when set
	badHash        bool   // advertise a sha256 that does not match
	badMetaHash    bool   // advertise a metadata sha256 that does not match
	noHash         bool   // advertise no hash at all
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func (f testFile) advertisedSHA() string {
	if f.badHash {
		return sha256Hex(append([]byte("not "), f.content...))
	}
	return sha256Hex(f.content)
}

func (f testFile) advertisedMetaSHA() string {
	if f.badMetaHash {
		return sha256Hex([]byte("other metadata"))
	}
	return sha256Hex(f.metadata)
}

// fakeIndex is a PEP 503/691 index on 127.0.0.1.
type fakeIndex struct {
	srv *httptest.Server
	// jsonOK: answer PEP 691 JSON when asked; otherwise always HTML.
	jsonOK bool

	mu       sync.Mutex
	projects map[string][]testFile // normalized name -> files
	hits     map[string]int        // path -> requests
	statuses []int                 // status of every answer, in order
	auth     []string              // Authorization header of every request
	// before runs first for every request; returning true means it answered.
	before func(w http.ResponseWriter, r *http.Request) bool
}

func newFakeIndex(t *testing.T, jsonOK bool) *fakeIndex {
	t.Helper()
	fi := &fakeIndex{jsonOK: jsonOK, projects: map[string][]testFile{}, hits: map[string]int{}}
	fi.srv = httptest.NewServer(http.HandlerFunc(fi.serve))
	t.Cleanup(fi.srv.Close)
	return fi
}

func (fi *fakeIndex) URL() string { return fi.srv.URL + "/simple/" }

func (fi *fakeIndex) add(project string, files ...testFile) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.projects[project] = append(fi.projects[project], files...)
}

func (fi *fakeIndex) count(path string) int {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.hits[path]
}

func (fi *fakeIndex) total() int {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	n := 0
	for _, c := range fi.hits {
		n += c
	}
	return n
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(c int) {
	if s.status == 0 {
		s.status = c
	}
	s.ResponseWriter.WriteHeader(c)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = 200
	}
	return s.ResponseWriter.Write(b)
}

func (fi *fakeIndex) serve(w http.ResponseWriter, r *http.Request) {
	fi.mu.Lock()
	fi.hits[r.URL.Path]++
	fi.auth = append(fi.auth, r.Header.Get("Authorization"))
	before := fi.before
	fi.mu.Unlock()
	sr := &statusRecorder{ResponseWriter: w}
	defer func() {
		fi.mu.Lock()
		fi.statuses = append(fi.statuses, sr.status)
		fi.mu.Unlock()
	}()
	if before != nil && before(sr, r) {
		return
	}
	switch {
	case strings.HasPrefix(r.URL.Path, "/simple/"):
		fi.servePage(sr, r, strings.Trim(strings.TrimPrefix(r.URL.Path, "/simple/"), "/"))
	case strings.HasPrefix(r.URL.Path, "/packages/"):
		fi.serveFile(sr, r, strings.TrimPrefix(r.URL.Path, "/packages/"))
	default:
		http.NotFound(sr, r)
	}
}

func (fi *fakeIndex) servePage(w http.ResponseWriter, r *http.Request, project string) {
	fi.mu.Lock()
	files, ok := fi.projects[project]
	fi.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	var body []byte
	ctype := "text/html; charset=utf-8"
	if fi.jsonOK && strings.Contains(r.Header.Get("Accept"), mediaJSON) {
		body, ctype = jsonPageFor(project, files), mediaJSON
	} else {
		body = htmlPageFor(project, files)
	}
	etag := `"` + sha256Hex(body)[:16] + `"`
	w.Header().Set("ETag", etag)
	w.Header().Set("Vary", "Accept")
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(body)
}

func (fi *fakeIndex) serveFile(w http.ResponseWriter, r *http.Request, name string) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	for _, files := range fi.projects {
		for _, f := range files {
			switch {
			case name == f.name:
				w.Header().Set("Content-Type", "application/octet-stream")
				_, _ = w.Write(f.content)
				return
			case name == f.name+".metadata" && f.metadata != nil:
				_, _ = w.Write(f.metadata)
				return
			}
		}
	}
	http.NotFound(w, r)
}

// jsonPageFor renders PEP 691 JSON with relative file URLs.
func jsonPageFor(project string, files []testFile) []byte {
	var out []map[string]any
	for _, f := range files {
		m := map[string]any{
			"filename": f.name,
			"url":      "../../packages/" + f.name,
			"hashes":   map[string]string{},
			"size":     len(f.content),
		}
		if !f.noHash {
			m["hashes"] = map[string]string{"sha256": f.advertisedSHA()}
		}
		if f.requiresPython != "" {
			m["requires-python"] = f.requiresPython
		}
		if f.yanked {
			if f.yankReason != "" {
				m["yanked"] = f.yankReason
			} else {
				m["yanked"] = true
			}
		}
		if f.metadata != nil {
			m["core-metadata"] = map[string]string{"sha256": f.advertisedMetaSHA()}
		}
		out = append(out, m)
	}
	b, _ := json.Marshal(map[string]any{"meta": map[string]string{"api-version": "1.1"}, "name": project, "files": out, "versions": []string{}})
	return b
}

// htmlPageFor renders PEP 503 HTML with relative file URLs.
func htmlPageFor(project string, files []testFile) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html><html><head><meta name=\"pypi:repository-version\" content=\"1.0\"><title>Links for %s</title></head><body>\n", project)
	for _, f := range files {
		href := "../../packages/" + f.name
		if !f.noHash {
			href += "#sha256=" + f.advertisedSHA()
		}
		fmt.Fprintf(&b, `<a href="%s"`, html.EscapeString(href))
		if f.requiresPython != "" {
			fmt.Fprintf(&b, ` data-requires-python="%s"`, html.EscapeString(f.requiresPython))
		}
		if f.yanked {
			fmt.Fprintf(&b, ` data-yanked="%s"`, html.EscapeString(f.yankReason))
		}
		if f.metadata != nil {
			fmt.Fprintf(&b, ` data-core-metadata="sha256=%s"`, f.advertisedMetaSHA())
		}
		fmt.Fprintf(&b, ">%s</a><br/>\n", html.EscapeString(f.name))
	}
	b.WriteString("</body></html>\n")
	return b.Bytes()
}

// demoFiles is the standard project of the fake index.
func demoFiles() []testFile {
	return []testFile{
		{name: "demo-pkg-1.0.tar.gz", content: []byte("sdist 1.0 bytes"), requiresPython: ">=3.8"},
		{name: "demo_pkg-1.0-py3-none-any.whl", content: []byte("wheel 1.0 bytes"), requiresPython: ">=3.8",
			metadata: []byte("Metadata-Version: 2.1\nName: demo-pkg\nVersion: 1.0\n")},
		{name: "demo-pkg-1.1.tar.gz", content: []byte("sdist 1.1 bytes"), yanked: true, yankReason: "broken <release>"},
		{name: "demo_pkg-2.0b1-py3-none-any.whl", content: []byte("wheel 2.0b1 bytes"), requiresPython: ">=3.12"},
	}
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testOptions: loopback allowed, no netrc, no environment, fast retries,
// debug logs captured in logs.
func testOptions(t *testing.T, indexURL string, logs *syncBuffer) Options {
	t.Helper()
	o := Options{
		IndexURL:       indexURL,
		CacheDir:       t.TempDir(),
		UserAgent:      "pyti-test/0",
		AllowPrivate:   true,
		NetrcPath:      "-",
		Getenv:         func(string) string { return "" },
		RetryBaseDelay: time.Millisecond,
		RetryMaxDelay:  time.Minute,
		Timeout:        10 * time.Second,
	}
	if logs != nil {
		o.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return o
}

func newTestClient(t *testing.T, o Options) *Client {
	t.Helper()
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
