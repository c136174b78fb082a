package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/pyti/pyti/internal/store"
)

// apiError is the body of every API error.
type apiError struct {
	Error string `json:"error"`
}

func (s *server) writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.log.Error("encoding an API response", "err", err)
		status, data = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

func (s *server) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		if errors.Is(err, context.Canceled) {
			return
		}
		s.log.Error("API request failed", "path", r.URL.Path, "err", err)
		msg = "internal error"
	}
	s.writeJSON(w, status, apiError{msg})
}

func (s *server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.apiFail(w, r, fmt.Errorf("no API endpoint at %q: %w", r.URL.Path, store.ErrNotFound))
}

func (s *server) apiDashboard(w http.ResponseWriter, r *http.Request) {
	d, err := s.dashboard(r.Context())
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, d)
}

func (s *server) apiProjects(w http.ResponseWriter, r *http.Request) {
	d, err := s.projectSearch(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, d.Page)
}

func (s *server) apiSearch(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("q") == "" {
		s.apiFail(w, r, badRequest("search needs q, a project name prefix"))
		return
	}
	s.apiProjects(w, r)
}

func (s *server) apiProject(w http.ResponseWriter, r *http.Request) {
	v, err := s.projectView(r.Context(), r.PathValue("name"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, v)
}

// releasesBody is the body of /api/v1/projects/{name}/releases.
type releasesBody struct {
	Releases []store.Release `json:"releases"`
}

func (s *server) apiReleases(w http.ResponseWriter, r *http.Request) {
	rels, err := s.st.Releases(r.Context(), r.PathValue("name"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	sortReleases(rels)
	s.writeJSON(w, http.StatusOK, releasesBody{rels})
}

func (s *server) apiReports(w http.ResponseWriter, r *http.Request) {
	rq, err := s.reportQuery(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	p, err := s.st.Reports(r.Context(), rq)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, p)
}

func (s *server) apiReport(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	v, err := s.reportView(r.Context(), id)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, v)
}

func (s *server) apiCompare(w http.ResponseWriter, r *http.Request) {
	if q := r.URL.Query(); isCellCompare(q) {
		id, err := parseID(q.Get("report"))
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		c, err := s.compareCells(r.Context(), id, q.Get("a"), q.Get("b"))
		if err != nil {
			s.apiFail(w, r, err)
			return
		}
		s.writeJSON(w, http.StatusOK, c)
		return
	}
	a, b, err := s.compareIDs(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	c, err := s.compare(r.Context(), a, b)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, c)
}

func (s *server) apiJobs(w http.ResponseWriter, r *http.Request) {
	jq, err := s.jobQuery(r)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	p, err := s.st.Jobs(r.Context(), jq)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, p)
}

// jobBody is the body of /api/v1/jobs/{id}.
type jobBody struct {
	Job      store.Job       `json:"job"`
	Attempts []store.Attempt `json:"attempts"`
}

func (s *server) apiJob(w http.ResponseWriter, r *http.Request) {
	j, err := s.st.Job(r.Context(), r.PathValue("id"))
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	atts, err := s.st.Attempts(r.Context(), j.ID)
	if err != nil {
		s.apiFail(w, r, err)
		return
	}
	s.writeJSON(w, http.StatusOK, jobBody{j, atts})
}
