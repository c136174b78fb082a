package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// page is what every template receives.
type page struct {
	Site  string
	Title string
	// Nav names the section highlighted in the header.
	Nav  string
	Data any
	// Query is the search box's text.
	Query string
}

func (s *server) render(w http.ResponseWriter, status int, name string, p page) {
	p.Site = s.opts.Title
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("no such template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("rendering a page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

func (s *server) renderFragment(w http.ResponseWriter, name, block string, data any) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, block, data); err != nil {
		s.log.Error("rendering a fragment", "page", name, "block", block, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, _ = w.Write(buf.Bytes())
}

// errorPage shows an error with the status it maps to; internal errors are logged and not shown.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, err error) {
	status := statusOf(err)
	msg := err.Error()
	if status == http.StatusInternalServerError {
		if errors.Is(err, context.Canceled) {
			return
		}
		s.log.Error("page failed", "path", r.URL.Path, "err", err)
		msg = "Something went wrong on our side; the error is logged."
	}
	s.render(w, status, "error.html", page{Title: http.StatusText(status), Data: struct {
		Status  int
		Message string
	}{status, msg}})
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, fmt.Errorf("no page at %q: %w", r.URL.Path, store.ErrNotFound))
}

func (s *server) dashboardPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.dashboard(r.Context())
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "dashboard.html", page{Title: "Dashboard", Nav: "dashboard", Data: d})
}

// jobsData is the jobs panel.
type jobsData struct {
	Queued, Running []store.Job
}

func (s *server) jobsFragment(w http.ResponseWriter, r *http.Request) {
	q, run, err := s.activeJobs(r.Context())
	if err != nil {
		s.log.Error("jobs fragment", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	s.renderFragment(w, "dashboard.html", "jobs", jobsData{q, run})
}

func limitOf(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequest("limit %q is not a non-negative number", v)
	}
	return store.ClampLimit(n), nil
}

// projectsData is the search page.
type projectsData struct {
	Query string
	Page  store.ProjectPage
	// NextURL is the address of the next page, "" on the last.
	NextURL string
}

func (s *server) projectSearch(r *http.Request) (*projectsData, error) {
	q := r.URL.Query()
	limit, err := limitOf(r)
	if err != nil {
		return nil, err
	}
	p, err := s.st.Projects(r.Context(), store.ProjectQuery{Prefix: q.Get("q"), Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return nil, err
	}
	d := &projectsData{Query: q.Get("q"), Page: p}
	if p.Next != "" {
		d.NextURL = "/projects?" + url.Values{"q": {d.Query}, "cursor": {p.Next}}.Encode()
	}
	return d, nil
}

func (s *server) projectsPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.projectSearch(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "projects.html", page{Title: "Projects", Nav: "projects", Data: d, Query: d.Query})
}

func (s *server) projectsFragment(w http.ResponseWriter, r *http.Request) {
	d, err := s.projectSearch(r)
	if err != nil {
		http.Error(w, err.Error(), statusOf(err))
		return
	}
	s.renderFragment(w, "projects.html", "results", d)
}

func (s *server) projectPage(w http.ResponseWriter, r *http.Request) {
	v, err := s.projectView(r.Context(), r.PathValue("name"))
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "project.html", page{Title: v.Project.DisplayName, Nav: "projects", Data: v})
}

// releasePage sends to the latest report of a release.
func (s *server) releasePage(w http.ResponseWriter, r *http.Request) {
	p, err := s.st.Reports(r.Context(), store.ReportQuery{Project: r.PathValue("name"), Version: r.PathValue("version"), Limit: 1})
	if err == nil && len(p.Reports) == 0 {
		err = fmt.Errorf("release %s %s: %w", r.PathValue("name"), r.PathValue("version"), store.ErrNotFound)
	}
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	http.Redirect(w, r, "/reports/"+strconv.FormatInt(p.Reports[0].ID, 10), http.StatusSeeOther)
}

// reportsData is the filtered list of analyses.
type reportsData struct {
	Project, Verdict, Rule string
	Verdicts               []report.Verdict
	Page                   store.ReportPage
	NextURL                string
}

func (s *server) reportQuery(r *http.Request) (store.ReportQuery, error) {
	q := r.URL.Query()
	limit, err := limitOf(r)
	if err != nil {
		return store.ReportQuery{}, err
	}
	return store.ReportQuery{Project: q.Get("project"), Version: q.Get("version"), Verdict: report.Verdict(q.Get("verdict")),
		Rule: q.Get("rule"), Cursor: q.Get("cursor"), Limit: limit}, nil
}

func (s *server) reportsPage(w http.ResponseWriter, r *http.Request) {
	rq, err := s.reportQuery(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	p, err := s.st.Reports(r.Context(), rq)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := &reportsData{Project: rq.Project, Verdict: string(rq.Verdict), Rule: rq.Rule, Verdicts: verdictOrder, Page: p}
	if p.Next != "" {
		v := url.Values{"cursor": {p.Next}}
		for k, val := range map[string]string{"project": rq.Project, "verdict": string(rq.Verdict), "rule": rq.Rule, "version": rq.Version} {
			if val != "" {
				v.Set(k, val)
			}
		}
		d.NextURL = "/reports?" + v.Encode()
	}
	s.render(w, http.StatusOK, "reports.html", page{Title: "Analyses", Nav: "reports", Data: d})
}

func (s *server) reportPage(w http.ResponseWriter, r *http.Request) {
	id, err := parseID(r.PathValue("id"))
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	v, err := s.reportView(r.Context(), id)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "report.html", page{Title: v.Summary.Project + " " + v.Summary.Version, Nav: "reports", Data: v})
}

// compareIDs reads the two reports to compare: a and b (report ids), or project, from and to
// (versions, each meaning its release's latest report). With report, a and b name two images of
// that matrix report instead (see compareCells).
func (s *server) compareIDs(r *http.Request) (int64, int64, error) {
	q := r.URL.Query()
	if q.Get("a") != "" || q.Get("b") != "" {
		a, err := parseID(q.Get("a"))
		if err != nil {
			return 0, 0, err
		}
		b, err := parseID(q.Get("b"))
		return a, b, err
	}
	project, from, to := q.Get("project"), q.Get("from"), q.Get("to")
	if project == "" || from == "" || to == "" {
		return 0, 0, badRequest("compare needs a and b (report ids), or project, from and to (versions)")
	}
	var ids [2]int64
	for i, v := range []string{from, to} {
		p, err := s.st.Reports(r.Context(), store.ReportQuery{Project: project, Version: v, Limit: 1})
		if err != nil {
			return 0, 0, err
		}
		if len(p.Reports) == 0 {
			return 0, 0, fmt.Errorf("release %s %s: %w", project, v, store.ErrNotFound)
		}
		ids[i] = p.Reports[0].ID
	}
	return ids[0], ids[1], nil
}

func (s *server) comparePage(w http.ResponseWriter, r *http.Request) {
	if q := r.URL.Query(); isCellCompare(q) {
		id, err := parseID(q.Get("report"))
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		c, err := s.compareCells(r.Context(), id, q.Get("a"), q.Get("b"))
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		title := "Compare " + c.A.Image.Name + " and " + c.B.Image.Name + " · " + c.Report.Project + " " + c.Report.Version
		s.render(w, http.StatusOK, "cellcompare.html", page{Title: title, Nav: "reports", Data: c})
		return
	}
	a, b, err := s.compareIDs(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	c, err := s.compare(r.Context(), a, b)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	s.render(w, http.StatusOK, "compare.html", page{Title: "Compare " + c.A.Version + " and " + c.B.Version, Nav: "projects", Data: c})
}

// jobsPageData is the jobs page.
type jobsPageData struct {
	State   string
	States  []store.JobState
	Page    store.JobPage
	NextURL string
	// Workers is nil when no master runs in this process.
	Workers []Worker
	// ReportedBy names, by job ID, the worker whose attempt produced the job's report.
	ReportedBy map[string]string
}

var allJobStates = []store.JobState{store.JobQueued, store.JobRunning, store.JobDone, store.JobFailed, store.JobCancelled, store.JobQuarantined}

func (s *server) jobQuery(r *http.Request) (store.JobQuery, error) {
	q := r.URL.Query()
	limit, err := limitOf(r)
	if err != nil {
		return store.JobQuery{}, err
	}
	jq := store.JobQuery{Cursor: q.Get("cursor"), Limit: limit}
	for _, st := range q["state"] {
		if st == "" {
			continue
		}
		js := store.JobState(st)
		if !js.Terminal() && js != store.JobQueued && js != store.JobRunning {
			return store.JobQuery{}, badRequest("%q is not a job state", st)
		}
		jq.States = append(jq.States, js)
	}
	return jq, nil
}

func (s *server) jobsPage(w http.ResponseWriter, r *http.Request) {
	jq, err := s.jobQuery(r)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	p, err := s.st.Jobs(r.Context(), jq)
	if err != nil {
		s.errorPage(w, r, err)
		return
	}
	d := &jobsPageData{States: allJobStates, Page: p, ReportedBy: map[string]string{}}
	for _, j := range p.Jobs {
		if j.ReportID == 0 {
			continue
		}
		atts, err := s.st.Attempts(r.Context(), j.ID)
		if err != nil {
			s.errorPage(w, r, err)
			return
		}
		// The report is the latest attempt that finished with one.
		for i := len(atts) - 1; i >= 0; i-- {
			if atts[i].State == store.AttemptDone {
				d.ReportedBy[j.ID] = atts[i].Worker
				break
			}
		}
	}
	if s.opts.Workers != nil {
		d.Workers = s.opts.Workers()
	}
	if len(jq.States) == 1 {
		d.State = string(jq.States[0])
	}
	if p.Next != "" {
		v := url.Values{"cursor": {p.Next}}
		if d.State != "" {
			v.Set("state", d.State)
		}
		d.NextURL = "/jobs?" + v.Encode()
	}
	s.render(w, http.StatusOK, "jobs.html", page{Title: "Jobs", Nav: "jobs", Data: d})
}
