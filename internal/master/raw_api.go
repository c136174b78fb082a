package master

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// RawPrefix is where the Raw Data API lives.
const RawPrefix = "/api/raw/v1/"

// maxReportBytes bounds a report's JSON; each file's bound depends on its kind (blobKind.limit).
const maxReportBytes = 32 << 20

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

// ClaimRequest asks for the job of a notice taken off the queue; it carries the notice's
// generation and ticket, which only the queue hands out.
type ClaimRequest struct {
	JobID      string `json:"job_id"`
	Generation int    `json:"generation"`
	Ticket     string `json:"ticket"`
}

// HeartbeatRequest says the worker lives; with a job, that it still runs that attempt.
type HeartbeatRequest struct {
	JobID   string `json:"job_id,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
}

// FailRequest reports a failure of an attempt that left no report. It is an infrastructure
// failure, retried, unless Permanent: then retrying cannot help (the job names an image the
// worker has not built) and the job fails with the error. Released says the worker is stopping
// gracefully and hands the attempt back unfinished: the job is queued again without using up
// one of its attempts.
type FailRequest struct {
	Error     string `json:"error"`
	Permanent bool   `json:"permanent,omitempty"`
	Released  bool   `json:"released,omitempty"`
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
//	POST /api/raw/v1/claim                             {"job_id":ID,"generation":G,"ticket":T} (from the notice)
//	POST /api/raw/v1/heartbeat                         {"job_id":ID,"attempt":N}
//	PUT  /api/raw/v1/jobs/{id}/attempts/{n}/blobs?kind=log|trace|data   raw bytes -> {"sha256":...}
//	POST /api/raw/v1/jobs/{id}/attempts/{n}/report     the report JSON
//	POST /api/raw/v1/jobs/{id}/attempts/{n}/fail       {"error":"...","permanent":false,"released":false}
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
	if len(req.Host) > 200 || len(req.Version) > 200 {
		writeError(w, http.StatusBadRequest, "a worker's host and version have at most 200 bytes")
		return
	}
	token, replaced, err := m.workers.register(req.Name, req.Host, req.Version)
	switch {
	case errors.Is(err, errRevoked):
		writeError(w, http.StatusForbidden, "%v", err)
		return
	case errors.Is(err, errNameTaken):
		writeError(w, http.StatusConflict, "%v", err)
		return
	case err != nil:
		writeError(w, http.StatusInternalServerError, "registering: %v", err)
		return
	}
	if replaced {
		// A silent worker's name taken again: whatever it held is not the newcomer's.
		m.takeBack(r.Context(), req.Name, "worker "+req.Name+" registered again (the earlier one is gone)")
	}
	m.log.Info("worker registered", "worker", req.Name, "host", req.Host, "again", replaced)
	writeJSON(w, http.StatusOK, RegisterResponse{Name: req.Name, Token: token, LeaseMS: m.cfg.Lease.Milliseconds()})
}

func (m *Master) apiClaim(w http.ResponseWriter, r *http.Request, worker string) {
	var req ClaimRequest
	if !readJSON(w, r, 1<<16, &req) {
		return
	}
	c, err := m.claim(r.Context(), worker, req)
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
			m.workers.abandon(worker, req.JobID, req.Attempt, "abandoned: "+err.Error())
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
	kind, err := parseBlobKind(r.URL.Query().Get("kind"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "%v", err)
		return
	}
	key := attemptKey{jobID, n}
	m.mu.Lock()
	_, _, err = m.holds(r.Context(), worker, jobID, n, false)
	var used int64
	for _, u := range m.uploads[key] {
		used += u.size
	}
	m.mu.Unlock()
	if err != nil {
		writeStoreError(w, err)
		return
	}
	// The file may be as large as its kind allows and the attempt's remaining room; what goes
	// beyond is not stored.
	limit, why := kind.limit(), fmt.Sprintf("a %s has at most %d bytes", kind, kind.limit())
	if room := maxAttemptBlobBytes - used; room < limit {
		limit, why = room, fmt.Sprintf("an attempt uploads at most %d bytes (%d used)", int64(maxAttemptBlobBytes), used)
	}
	if r.ContentLength > limit {
		writeError(w, http.StatusRequestEntityTooLarge, "%s", why)
		return
	}
	b, err := m.st.PutBlob(r.Context(), http.MaxBytesReader(w, r.Body, max(limit, 0)))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			writeError(w, http.StatusRequestEntityTooLarge, "%s", why)
			return
		}
		writeError(w, http.StatusBadRequest, "storing the upload: %v", err)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, _, err := m.holds(r.Context(), worker, jobID, n, false); err != nil {
		writeStoreError(w, err)
		return
	}
	up := m.uploads[key]
	if up == nil {
		up = map[string]uploaded{}
		m.uploads[key] = up
	}
	if _, again := up[b.SHA256]; !again {
		// Uploads racing each other may have filled the attempt's room meanwhile.
		total := b.Size
		for _, u := range up {
			total += u.size
		}
		if total > maxAttemptBlobBytes {
			writeError(w, http.StatusRequestEntityTooLarge, "an attempt uploads at most %d bytes", int64(maxAttemptBlobBytes))
			return
		}
	}
	up[b.SHA256] = uploaded{kind: kind, size: b.Size}
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
	if len(reason) > maxReportReason {
		reason = reason[:maxReportReason]
	}
	if err := m.fail(r.Context(), worker, jobID, n, reason, req.Permanent, req.Released); err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, struct{}{})
}
