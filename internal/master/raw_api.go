package master

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// RawPrefix is where the Raw Data API lives.
const RawPrefix = "/api/raw/v1/"

// Limits on what a worker may upload.
const (
	maxReportBytes = 64 << 20
	maxBlobBytes   = 2 << 30
)

// RegisterRequest is a worker introducing itself with the enrollment token.
type RegisterRequest struct {
	Name    string `json:"name"`
	Host    string `json:"host,omitempty"`
	Version string `json:"version,omitempty"`
}

// RegisterResponse carries the worker's own token.
type RegisterResponse struct {
	Name  string `json:"name"`
	Token string `json:"token"`
	// LeaseMS is the lease of every attempt; heartbeat well within it.
	LeaseMS int64 `json:"lease_ms"`
}

// ClaimRequest asks for the job of a notice taken off the queue.
type ClaimRequest struct {
	JobID string `json:"job_id"`
}

// HeartbeatRequest says the worker lives; with a job, that it still runs that attempt.
type HeartbeatRequest struct {
	JobID   string `json:"job_id,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
}

// FailRequest reports a failure of an attempt that left no report. It is an infrastructure
// failure, retried, unless Permanent: then retrying cannot help (the job names an image the
// worker has not built) and the job fails with the error.
type FailRequest struct {
	Error     string `json:"error"`
	Permanent bool   `json:"permanent,omitempty"`
}

// CommitResponse answers a report upload: the stored summary, or Retried when the report was
// PYTI's own failure (verdict error) and the job went back to the queue or into quarantine.
type CommitResponse struct {
	Retried bool                 `json:"retried,omitempty"`
	Report  *store.ReportSummary `json:"report,omitempty"`
}

// BlobResponse names an uploaded file by its digest.
type BlobResponse struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
}

// RawHandler serves the Raw Data API under RawPrefix. Registration takes the enrollment (worker)
// token; everything else takes the worker's own token, and touching an attempt takes holding it:
//
//	POST /api/raw/v1/register                          {"name":"host-1234"} -> {"token":...}
//	POST /api/raw/v1/claim                             {"job_id":ID}
//	POST /api/raw/v1/heartbeat                         {"job_id":ID,"attempt":N}
//	PUT  /api/raw/v1/jobs/{id}/attempts/{n}/blobs      raw bytes -> {"sha256":...}
//	POST /api/raw/v1/jobs/{id}/attempts/{n}/report     the report JSON
//	POST /api/raw/v1/jobs/{id}/attempts/{n}/fail       {"error":"...","permanent":false}
func (m *Master) RawHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+RawPrefix+"register", m.apiRegister)
	mux.HandleFunc("POST "+RawPrefix+"claim", m.worker(m.apiClaim))
	mux.HandleFunc("POST "+RawPrefix+"heartbeat", m.worker(m.apiHeartbeat))
	mux.HandleFunc("PUT "+RawPrefix+"jobs/{id}/attempts/{n}/blobs", m.worker(m.apiBlob))
	mux.HandleFunc("POST "+RawPrefix+"jobs/{id}/attempts/{n}/report", m.worker(m.apiReport))
	mux.HandleFunc("POST "+RawPrefix+"jobs/{id}/attempts/{n}/fail", m.worker(m.apiFail))
	mux.HandleFunc(RawPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
	})
	return mux
}

type workerHandler func(w http.ResponseWriter, r *http.Request, worker string)

// worker authenticates a worker by its own token.
func (m *Master) worker(h workerHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name, ok := m.workers.authenticate(bearer(r))
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pyti raw data API"`)
			writeError(w, http.StatusUnauthorized, "unknown worker token: register first")
			return
		}
		m.workers.seen(name)
		h(w, r, name)
	}
}

func (m *Master) apiRegister(w http.ResponseWriter, r *http.Request) {
	if !sameToken(bearer(r), m.cfg.WorkerToken) {
		writeError(w, http.StatusUnauthorized, "registering needs the worker token")
		return
	}
	var req RegisterRequest
	if !readJSON(w, r, 1<<16, &req) {
		return
	}
	if req.Name == "" || len(req.Name) > 200 || strings.ContainsFunc(req.Name, func(c rune) bool { return c < 0x20 || c == 0x7f }) {
		writeError(w, http.StatusBadRequest, "a worker needs a printable name of at most 200 bytes")
		return
	}
	token, err := m.workers.register(req.Name, req.Host, req.Version)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "making a token: %v", err)
		return
	}
	m.log.Info("worker registered", "worker", req.Name, "host", req.Host)
	writeJSON(w, http.StatusOK, RegisterResponse{Name: req.Name, Token: token, LeaseMS: m.cfg.Lease.Milliseconds()})
}

func (m *Master) apiClaim(w http.ResponseWriter, r *http.Request, worker string) {
	var req ClaimRequest
	if !readJSON(w, r, 1<<16, &req) {
		return
	}
	c, err := m.claim(r.Context(), worker, req.JobID)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

func (m *Master) apiHeartbeat(w http.ResponseWriter, r *http.Request, worker string) {
	var req HeartbeatRequest
	if !readJSON(w, r, 1<<16, &req) {
		return
	}
	if err := m.heartbeat(r.Context(), worker, req.JobID, req.Attempt); err != nil {
		if errors.Is(err, errNotHeld) {
			m.workers.endJob(worker, req.JobID, req.Attempt, "abandoned: "+err.Error(), true)
		}
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}

// attempt reads the job and attempt of the path.
func attempt(w http.ResponseWriter, r *http.Request) (string, int, bool) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		writeError(w, http.StatusBadRequest, "attempt %q is not a positive number", r.PathValue("n"))
		return "", 0, false
	}
	return r.PathValue("id"), n, true
}

func (m *Master) apiBlob(w http.ResponseWriter, r *http.Request, worker string) {
	jobID, n, ok := attempt(w, r)
	if !ok {
		return
	}
	m.mu.Lock()
	_, _, err := m.holds(r.Context(), worker, jobID, n, false)
	m.mu.Unlock()
	if err != nil {
		writeStoreError(w, err)
		return
	}
	b, err := m.st.PutBlob(r.Context(), http.MaxBytesReader(w, r.Body, maxBlobBytes))
	if err != nil {
		writeError(w, http.StatusBadRequest, "storing the upload: %v", err)
		return
	}
	writeJSON(w, http.StatusOK, BlobResponse{SHA256: b.SHA256, Size: b.Size})
}

func (m *Master) apiReport(w http.ResponseWriter, r *http.Request, worker string) {
	jobID, n, ok := attempt(w, r)
	if !ok {
		return
	}
	var rep report.Report
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxReportBytes))
	if err := dec.Decode(&rep); err != nil {
		writeError(w, http.StatusBadRequest, "reading the report: %v", err)
		return
	}
	sum, err := m.commit(r.Context(), worker, jobID, n, &rep)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	if sum.ID == 0 {
		writeJSON(w, http.StatusOK, CommitResponse{Retried: true})
		return
	}
	writeJSON(w, http.StatusOK, CommitResponse{Report: &sum})
}

func (m *Master) apiFail(w http.ResponseWriter, r *http.Request, worker string) {
	jobID, n, ok := attempt(w, r)
	if !ok {
		return
	}
	var req FailRequest
	if !readJSON(w, r, 1<<20, &req) {
		return
	}
	reason := strings.TrimSpace(req.Error)
	if reason == "" {
		reason = "the worker gave no reason"
	}
	if err := m.fail(r.Context(), worker, jobID, n, reason, req.Permanent); err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
