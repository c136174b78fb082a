package pypi

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/pep440"
)

// ProxyRequest is the record of one request the proxy answered.
type ProxyRequest struct {
	Time     time.Time     `json:"time"`
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	Status   int           `json:"status"`
	Bytes    int64         `json:"bytes"`
	Duration time.Duration `json:"duration_ns"`
	Project  string        `json:"project,omitempty"`
	Filename string        `json:"filename,omitempty"`
	SHA256   string        `json:"sha256,omitempty"`
	// CacheHit: a file or metadata request answered from the
	// content-addressed cache without asking the upstream index.
	CacheHit bool `json:"cache_hit"`
}

// maxRecorded bounds the request log of a long-running proxy.
const maxRecorded = 100000

type proxyFile struct {
	project string
	file    File
}

// Proxy is PYTI's caching index proxy, an http.Handler. It serves
// /simple/ and /simple/<project>/ (PEP 691 JSON or PEP 503 HTML by content
// negotiation) from the client's upstream index, with every file URL
// rewritten to /files/<sha256>/<filename> (metadata: + ".metadata"), and
// serves /files/ from the client's content-addressed cache, downloading on
// a miss. It serves only files listed on a page it served.
type Proxy struct {
	client *Client
	log    *slog.Logger

	mu       sync.Mutex
	files    map[string]proxyFile // by sha256
	projects map[string]bool
	requests []ProxyRequest
	dropped  int
}

// NewProxy returns a proxy in front of client's index. logger may be nil.
func NewProxy(client *Client, logger *slog.Logger) *Proxy {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Proxy{client: client, log: logger, files: map[string]proxyFile{}, projects: map[string]bool{}}
}

// Requests returns a copy of the request log, oldest first.
func (p *Proxy) Requests() []ProxyRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]ProxyRequest(nil), p.requests...)
}

// countingWriter records the status and body size of a response.
type countingWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *countingWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// ServeHTTP routes /simple/ and /files/ requests.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	cw := &countingWriter{ResponseWriter: w}
	rec := ProxyRequest{Time: start.UTC(), Method: r.Method, Path: r.URL.Path}
	cw.Header().Set("X-Content-Type-Options", "nosniff")
	switch {
	case r.Method != http.MethodGet && r.Method != http.MethodHead:
		cw.Header().Set("Allow", "GET, HEAD")
		http.Error(cw, "method not allowed", http.StatusMethodNotAllowed)
	case r.URL.Path == "/simple" || r.URL.Path == "/simple/":
		if r.URL.Path == "/simple" {
			http.Redirect(cw, r, "/simple/", http.StatusMovedPermanently)
		} else {
			p.serveRoot(cw, r)
		}
	case strings.HasPrefix(r.URL.Path, "/simple/"):
		p.serveProject(cw, r, &rec)
	case strings.HasPrefix(r.URL.Path, "/files/"):
		p.serveFile(cw, r, &rec)
	default:
		http.Error(cw, "not found: this proxy serves /simple/ and /files/", http.StatusNotFound)
	}
	rec.Status = cw.status
	if rec.Status == 0 {
		rec.Status = http.StatusOK
	}
	rec.Bytes = cw.bytes
	rec.Duration = time.Since(start)
	p.log.Info("proxy request", "method", rec.Method, "path", rec.Path, "status", rec.Status, "bytes", rec.Bytes,
		"project", rec.Project, "file", rec.Filename, "cache_hit", rec.CacheHit)
	p.mu.Lock()
	if len(p.requests) >= maxRecorded {
		p.dropped += len(p.requests) / 2
		p.requests = append([]ProxyRequest(nil), p.requests[len(p.requests)/2:]...)
	}
	p.requests = append(p.requests, rec)
	p.mu.Unlock()
}

func (p *Proxy) serveRoot(w http.ResponseWriter, r *http.Request) {
	format, mt, ok := negotiateFormat(r.Header.Get("Accept"), r.URL.Query().Get("format"))
	w.Header().Set("Vary", "Accept")
	if !ok {
		http.Error(w, "not acceptable: ask for "+mediaJSON+" or "+mediaHTML, http.StatusNotAcceptable)
		return
	}
	p.mu.Lock()
	names := make([]string, 0, len(p.projects))
	for n := range p.projects {
		names = append(names, n)
	}
	p.mu.Unlock()
	sort.Strings(names)
	w.Header().Set("Content-Type", mt)
	if format == "json" {
		type proj struct {
			Name string `json:"name"`
		}
		doc := struct {
			Meta     map[string]string `json:"meta"`
			Projects []proj            `json:"projects"`
		}{Meta: map[string]string{"api-version": "1.0"}, Projects: []proj{}}
		for _, n := range names {
			doc.Projects = append(doc.Projects, proj{n})
		}
		_ = json.NewEncoder(w).Encode(doc)
		return
	}
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    <title>Simple index</title>\n  </head>\n  <body>\n")
	for _, n := range names {
		fmt.Fprintf(&b, "    <a href=\"/simple/%s/\">%s</a>\n", url.PathEscape(n), html.EscapeString(n))
	}
	b.WriteString("  </body>\n</html>\n")
	_, _ = w.Write([]byte(b.String()))
}

func (p *Proxy) serveProject(w http.ResponseWriter, r *http.Request, rec *ProxyRequest) {
	rest := strings.TrimPrefix(r.URL.Path, "/simple/")
	name, tail, _ := strings.Cut(rest, "/")
	if tail != "" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	norm := pep440.NormalizeName(name)
	rec.Project = norm
	if !validNormalizedName(norm) {
		http.Error(w, "not a valid project name", http.StatusNotFound)
		return
	}
	if name != norm || !strings.HasSuffix(r.URL.Path, "/") {
		target := "/simple/" + norm + "/"
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusMovedPermanently)
		return
	}
	format, mt, ok := negotiateFormat(r.Header.Get("Accept"), r.URL.Query().Get("format"))
	w.Header().Set("Vary", "Accept")
	if !ok {
		http.Error(w, "not acceptable: ask for "+mediaJSON+" or "+mediaHTML, http.StatusNotAcceptable)
		return
	}
	page, err := p.client.Project(r.Context(), norm)
	if err != nil {
		status := http.StatusBadGateway
		if errors.Is(err, ErrNoSuchProject) {
			status = http.StatusNotFound
		}
		http.Error(w, err.Error(), status)
		return
	}
	var files []File
	p.mu.Lock()
	p.projects[norm] = true
	for _, f := range page.Files {
		sha := f.SHA256()
		if sha == "" {
			continue
		}
		p.files[sha] = proxyFile{project: norm, file: f}
		files = append(files, f)
	}
	p.mu.Unlock()
	if skipped := len(page.Files) - len(files); skipped > 0 {
		p.log.Warn("proxy leaves out files the upstream index gave no sha256 for", "project", norm, "files", skipped)
	}
	w.Header().Set("Content-Type", mt)
	if format == "json" {
		_ = json.NewEncoder(w).Encode(proxyJSONPage(norm, page, files, p.client))
		return
	}
	_, _ = w.Write([]byte(proxyHTMLPage(norm, files)))
}

// proxyFileURL is where the proxy serves a file.
func proxyFileURL(f File) string {
	return "/files/" + f.SHA256() + "/" + url.PathEscape(f.Filename)
}

// proxyJSONPage renders PEP 691 JSON; API 1.1 (PEP 700 versions and sizes)
// when every size is known.
func proxyJSONPage(name string, page *ProjectPage, files []File, c *Client) map[string]any {
	allSizes := true
	out := make([]map[string]any, 0, len(files))
	for _, f := range files {
		m := map[string]any{
			"filename": f.Filename,
			"url":      proxyFileURL(f),
			"hashes":   f.Hashes,
		}
		if f.RequiresPython != "" {
			m["requires-python"] = f.RequiresPython
		}
		if f.Yanked {
			if f.YankedReason != "" {
				m["yanked"] = f.YankedReason
			} else {
				m["yanked"] = true
			}
		}
		if f.CoreMetadata {
			if len(f.CoreMetadataHashes) > 0 {
				m["core-metadata"] = f.CoreMetadataHashes
			} else {
				m["core-metadata"] = true
			}
		}
		size := f.Size
		if size < 0 {
			if bp, ok := c.BlobPath(f.SHA256()); ok {
				if st, err := os.Stat(bp); err == nil {
					size = st.Size()
				}
			}
		}
		if size >= 0 {
			m["size"] = size
		} else {
			allSizes = false
		}
		if !f.UploadTime.IsZero() {
			m["upload-time"] = f.UploadTime.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
		out = append(out, m)
	}
	doc := map[string]any{
		"meta":  map[string]string{"api-version": "1.0"},
		"name":  name,
		"files": out,
	}
	if allSizes {
		doc["meta"] = map[string]string{"api-version": "1.1"}
		versions := page.Versions
		if versions == nil {
			seen := map[string]bool{}
			versions = []string{}
			for _, f := range files {
				if pf, err := ParseFilename(f.Filename, name); err == nil && !seen[pf.Version.String()] {
					seen[pf.Version.String()] = true
					versions = append(versions, pf.Version.String())
				}
			}
		}
		doc["versions"] = versions
	}
	return doc
}

// proxyHTMLPage renders PEP 503 HTML with PEP 592/658/714 attributes.
func proxyHTMLPage(name string, files []File) string {
	var b strings.Builder
	esc := html.EscapeString
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"1.0\">\n    <title>Links for %s</title>\n  </head>\n  <body>\n    <h1>Links for %s</h1>\n", esc(name), esc(name))
	for _, f := range files {
		fmt.Fprintf(&b, "    <a href=\"%s#sha256=%s\"", esc(proxyFileURL(f)), f.SHA256())
		if f.RequiresPython != "" {
			fmt.Fprintf(&b, " data-requires-python=\"%s\"", esc(f.RequiresPython))
		}
		if f.Yanked {
			fmt.Fprintf(&b, " data-yanked=\"%s\"", esc(f.YankedReason))
		}
		if f.CoreMetadata {
			v := "true"
			if h := f.MetadataSHA256(); h != "" {
				v = "sha256=" + h
			}
			fmt.Fprintf(&b, " data-core-metadata=\"%s\" data-dist-info-metadata=\"%s\"", v, v)
		}
		fmt.Fprintf(&b, ">%s</a><br />\n", esc(f.Filename))
	}
	b.WriteString("  </body>\n</html>\n")
	return b.String()
}

func (p *Proxy) serveFile(w http.ResponseWriter, r *http.Request, rec *ProxyRequest) {
	rest := strings.TrimPrefix(r.URL.Path, "/files/")
	sha, name, ok := strings.Cut(rest, "/")
	if !ok || !isHex(sha, 64) || name == "" {
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	rec.SHA256 = sha
	rec.Filename = name
	p.mu.Lock()
	pf, known := p.files[sha]
	p.mu.Unlock()
	if !known {
		http.Error(w, "not found: no page this proxy served lists that file", http.StatusNotFound)
		return
	}
	rec.Project = pf.project
	f := pf.file
	switch name {
	case f.Filename:
		path, hit := p.client.BlobPath(sha)
		if !hit {
			var err error
			path, err = p.client.Download(r.Context(), f)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
		}
		rec.CacheHit = hit
		fh, err := os.Open(path)
		if err != nil {
			http.Error(w, "cache read failed", http.StatusInternalServerError)
			return
		}
		defer fh.Close()
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		http.ServeContent(w, r, "", time.Time{}, fh)
	case f.Filename + ".metadata":
		if !f.CoreMetadata {
			http.Error(w, "not found: upstream has no metadata file for it", http.StatusNotFound)
			return
		}
		_, hit := p.client.BlobPath(f.MetadataSHA256())
		data, err := p.client.Metadata(r.Context(), f)
		if err != nil {
			status := http.StatusBadGateway
			if errors.Is(err, ErrNoMetadata) {
				status = http.StatusNotFound
			}
			http.Error(w, err.Error(), status)
			return
		}
		rec.CacheHit = hit
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write(data)
	default:
		http.Error(w, "not found: file name does not match its hash", http.StatusNotFound)
	}
}
