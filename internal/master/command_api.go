package master

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/store"
)

// CommandPrefix is where the Command API lives.
const CommandPrefix = "/api/command/v1/"

// SubmitRequest is the body of a submission: one job or many.
type SubmitRequest struct {
	Jobs []store.NewJob `json:"jobs"`
}

// SubmitResponse lists the jobs created, in the order asked.
type SubmitResponse struct {
	Jobs []store.Job `json:"jobs"`
}

// JobDetail is one job with its attempts.
type JobDetail struct {
	Job      store.Job       `json:"job"`
	Attempts []store.Attempt `json:"attempts"`
}

// WorkersResponse lists the workers.
type WorkersResponse struct {
	Workers []WorkerInfo `json:"workers"`
}

// maxSubmit bounds the jobs of one submission.
const maxSubmit = 10000

// CommandHandler serves the Command API under CommandPrefix; every request carries the command
// token as a bearer token:
//
//	POST /api/command/v1/jobs              {"jobs":[{"spec":"requests==2.31.0","index":"","images":["trixie","host"]}]}
//	GET  /api/command/v1/jobs?state=queued&cursor=C&limit=N
//	GET  /api/command/v1/jobs/{id}
//	POST /api/command/v1/jobs/{id}/cancel
//	POST /api/command/v1/jobs/{id}/requeue
//	GET  /api/command/v1/workers
//	POST /api/command/v1/workers/{name}/revoke
func (m *Master) CommandHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+CommandPrefix+"jobs", m.apiSubmit)
	mux.HandleFunc("GET "+CommandPrefix+"jobs", m.apiJobs)
	mux.HandleFunc("GET "+CommandPrefix+"jobs/{id}", m.apiJob)
	mux.HandleFunc("POST "+CommandPrefix+"jobs/{id}/cancel", m.apiCancel)
	mux.HandleFunc("POST "+CommandPrefix+"jobs/{id}/requeue", m.apiRequeue)
	mux.HandleFunc("GET "+CommandPrefix+"workers", m.apiWorkers)
	mux.HandleFunc("POST "+CommandPrefix+"workers/{name}/revoke", m.apiRevoke)
	mux.HandleFunc(CommandPrefix, func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "no such endpoint: %s %s", r.Method, r.URL.Path)
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !sameToken(bearer(r), m.cfg.CommandToken) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="pyti command API"`)
			writeError(w, http.StatusUnauthorized, "the Command API needs the command token (Authorization: Bearer TOKEN)")
			return
		}
		mux.ServeHTTP(w, r)
	})
}

func (m *Master) apiSubmit(w http.ResponseWriter, r *http.Request) {
	var req SubmitRequest
	if !readJSON(w, r, 16<<20, &req) {
		return
	}
	if len(req.Jobs) == 0 || len(req.Jobs) > maxSubmit {
		writeError(w, http.StatusBadRequest, "submit between 1 and %d jobs", maxSubmit)
		return
	}
	jobs, err := m.Submit(r.Context(), req.Jobs)
	var pe *PolicyError
	if errors.As(err, &pe) {
		status := http.StatusBadRequest
		if pe.Forbidden {
			status = http.StatusForbidden
		}
		writeJSON(w, status, apiError{Error: err.Error(), Rule: pe.Rule})
		return
	}
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, SubmitResponse{Jobs: jobs})
}

func (m *Master) apiJobs(w http.ResponseWriter, r *http.Request) {
	q := store.JobQuery{Cursor: r.URL.Query().Get("cursor")}
	for _, s := range r.URL.Query()["state"] {
		for _, part := range strings.Split(s, ",") {
			st := store.JobState(strings.TrimSpace(part))
			switch st {
			case store.JobQueued, store.JobRunning, store.JobDone, store.JobFailed, store.JobCancelled, store.JobQuarantined:
				q.States = append(q.States, st)
			default:
				writeError(w, http.StatusBadRequest, "state %q is not a job state", part)
				return
			}
		}
	}
	if l := r.URL.Query().Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			writeError(w, http.StatusBadRequest, "limit %q is not a positive number", l)
			return
		}
		q.Limit = n
	}
	page, err := m.st.Jobs(r.Context(), q)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

func (m *Master) apiJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	j, err := m.st.Job(r.Context(), id)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	atts, err := m.st.Attempts(r.Context(), id)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, JobDetail{Job: j, Attempts: atts})
}

func (m *Master) apiCancel(w http.ResponseWriter, r *http.Request) {
	j, err := m.Cancel(r.Context(), r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

func (m *Master) apiRequeue(w http.ResponseWriter, r *http.Request) {
	j, err := m.Requeue(r.Context(), r.PathValue("id"))
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, j)
}

func (m *Master) apiWorkers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, WorkersResponse{Workers: m.Workers()})
}

func (m *Master) apiRevoke(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	known, err := m.Revoke(r.Context(), name)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "revoking worker %q: %v", name, err)
		return
	}
	writeJSON(w, http.StatusOK, RevokeResponse{Name: name, Known: known})
}

// RevokeResponse answers a revocation; Known is false when no worker had registered the name
// (it is refused from now on all the same).
type RevokeResponse struct {
	Name  string `json:"name"`
	Known bool   `json:"known"`
}

// WorkersHandler serves the list of workers without a token, for the web UI:
// GET /api/v1/workers. It shows names, hosts, and the specs of current and past jobs, which the
// public job list shows already.
func (m *Master) WorkersHandler() http.Handler {
	return http.HandlerFunc(m.apiWorkers)
}

// checkSpec accepts a requirement naming a project on an index ("name", "name==1.2"). Paths and
// direct URLs are refused: they would name files on a worker's machine or anywhere on the network.
func checkSpec(spec string) error {
	if strings.TrimSpace(spec) == "" {
		return errors.New("empty spec")
	}
	r, err := pep440.ParseRequirement(spec)
	if err != nil {
		return fmt.Errorf("%q is not a requirement: %w", spec, err)
	}
	if r.URL != "" {
		return fmt.Errorf("%q: direct URLs are not accepted; name a project on an index", spec)
	}
	return nil
}
