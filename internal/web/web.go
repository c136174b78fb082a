// Package web is PYTI's web UI and JSON API: the dashboard, project, report, compare and search
// pages rendered with html/template (a matrix report gets a table image × task, a section per
// image, and a comparison of two of its images), the JSON API under /api/v1/ that returns
// everything the pages show, raw-data downloads, SVG status badges and the static assets, all
// embedded. Everything a
// package controls is escaped by the templates; links built from package data are kept only when
// they are http(s); every response carries a strict Content-Security-Policy and the pages run no
// inline script or style.
package web

import (
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/pyti/pyti/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// CSP is the Content-Security-Policy of every response.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Options tune the UI.
type Options struct {
	// Title is shown in the header and the page titles (default "PYTI").
	Title string
	// Workers, when set, lists the master's workers for the jobs page (pyti serve sets it).
	Workers func() []Worker
}

// Worker is what the jobs page shows of one worker: whether it is alive, its current job and its
// recent history.
type Worker struct {
	Name     string
	Host     string
	Alive    bool
	LastSeen time.Time
	Current  string // the spec it runs now, "" when idle
	Done     int
	Failed   int
	// History is its recent attempts, newest first: spec and outcome.
	History []WorkerAttempt
}

// WorkerAttempt is one attempt in a worker's history.
type WorkerAttempt struct {
	Spec    string
	Outcome string
	When    time.Time
}

// server holds what the handlers share.
type server struct {
	st     store.Store
	log    *slog.Logger
	opts   Options
	pages  map[string]*template.Template
	static http.Handler
	cells  cellCache
}

// New returns the handler of the whole site: pages, API, downloads, badges, static assets and
// /healthz.
func New(st store.Store, logger *slog.Logger, opts Options) (http.Handler, error) {
	if st == nil {
		return nil, errors.New("web: no store")
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if opts.Title == "" {
		opts.Title = "PYTI"
	}
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	s := &server{st: st, log: logger, opts: opts, pages: pages, static: http.FileServerFS(sub)}
	return s.secure(s.routes()), nil
}

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.dashboardPage)
	mux.HandleFunc("GET /projects", s.projectsPage)
	mux.HandleFunc("GET /projects/{name}", s.projectPage)
	mux.HandleFunc("GET /projects/{name}/{version}", s.releasePage)
	mux.HandleFunc("GET /reports", s.reportsPage)
	mux.HandleFunc("GET /reports/{id}", s.reportPage)
	mux.HandleFunc("GET /reports/{id}/artifacts/{n}", s.artifactDownload)
	mux.HandleFunc("GET /compare", s.comparePage)
	mux.HandleFunc("GET /jobs", s.jobsPage)
	mux.HandleFunc("GET /fragments/jobs", s.jobsFragment)
	mux.HandleFunc("GET /fragments/projects", s.projectsFragment)
	mux.HandleFunc("GET /blobs/{sha}", s.blobDownload)
	mux.HandleFunc("GET /badge/{file}", s.projectBadge)
	mux.HandleFunc("GET /badge/{project}/{file}", s.releaseBadge)
	mux.Handle("GET /static/", http.StripPrefix("/static/", s.cacheStatic(s.static)))
	mux.HandleFunc("GET /healthz", s.healthz)

	mux.HandleFunc("GET /api/v1/dashboard", s.apiDashboard)
	mux.HandleFunc("GET /api/v1/projects", s.apiProjects)
	mux.HandleFunc("GET /api/v1/search", s.apiSearch)
	mux.HandleFunc("GET /api/v1/projects/{name}", s.apiProject)
	mux.HandleFunc("GET /api/v1/projects/{name}/releases", s.apiReleases)
	mux.HandleFunc("GET /api/v1/reports", s.apiReports)
	mux.HandleFunc("GET /api/v1/reports/{id}", s.apiReport)
	mux.HandleFunc("GET /api/v1/compare", s.apiCompare)
	mux.HandleFunc("GET /api/v1/jobs", s.apiJobs)
	mux.HandleFunc("GET /api/v1/jobs/{id}", s.apiJob)
	mux.HandleFunc("GET /api/", s.apiNotFound)
	mux.HandleFunc("/", s.notFound)
	return mux
}

// secure sets the security headers on every response and turns a panic into a 500.
func (s *server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		start := time.Now()
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("handler panicked", "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
		s.log.Debug("request", "method", r.Method, "path", r.URL.Path, "took", time.Since(start))
	})
}

func (s *server) cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	if _, err := s.st.CountsByVerdict(r.Context()); err != nil {
		s.log.Error("health check: store unavailable", "err", err)
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	fmt.Fprintln(w, "ok")
}

// statusOf maps a store error to an HTTP status.
func statusOf(err error) int {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, store.ErrInvalid), errors.Is(err, errBadRequest):
		return http.StatusBadRequest
	default:
		return http.StatusInternalServerError
	}
}

var errBadRequest = errors.New("bad request")

func badRequest(format string, a ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, a...), errBadRequest)
}
