package master_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/storetest"
	"github.com/pyti/pyti/internal/worker"
)

// TestClaimNeedsTheNoticeTicket: a registered worker cannot claim a queued job by its ID; only
// the notice the queue hands out carries the ticket that claims it.
func TestClaimNeedsTheNoticeTicket(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: time.Minute})
	jobs := h.submit("wanted==1.0")
	rogue := newGhost(h, "rogue")
	tests := []struct {
		name string
		req  master.ClaimRequest
	}{
		{"by ID alone", master.ClaimRequest{JobID: jobs[0].ID}},
		{"with a made-up ticket", master.ClaimRequest{JobID: jobs[0].ID, Ticket: strings.Repeat("ab", 32)}},
		{"with another generation", master.ClaimRequest{JobID: jobs[0].ID, Generation: 1, Ticket: strings.Repeat("00", 32)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code := h.call("POST", master.RawPrefix+"claim", rogue.token, tc.req, nil); code != http.StatusForbidden {
				t.Errorf("claim: %d, want 403", code)
			}
		})
	}
	if j, _ := h.st.Job(h.ctx, jobs[0].ID); j.State != store.JobQueued || j.Attempts != 0 {
		t.Fatalf("after the forged claims the job is %s with %d attempts", j.State, j.Attempts)
	}
	// The notice's own ticket claims it.
	c := rogue.claimNext()
	if c.JobID != jobs[0].ID || c.Attempt != 1 {
		t.Errorf("claim with the notice = %+v", c)
	}
}

// TestWorkerIdentity: a live worker's name cannot be registered again (its attempts would go
// with it); a silent one's can, and its token and attempts are taken back; a revoked worker is
// refused for good and its job is run by another.
func TestWorkerIdentity(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: 2 * time.Second, maxAttempts: 3})
	jobs := h.submit("identity==1.0")
	first := newGhost(h, "w1")
	c := first.claimNext()
	if code := h.call("POST", master.RawPrefix+"register", workerToken, master.RegisterRequest{Name: "w1"}, nil); code != http.StatusConflict {
		t.Errorf("registering a live worker's name: %d, want 409", code)
	}
	// w1 goes silent; a lease later its name is free, and whatever it held is not the newcomer's.
	time.Sleep(2500 * time.Millisecond)
	var reg master.RegisterResponse
	if code := h.call("POST", master.RawPrefix+"register", workerToken, master.RegisterRequest{Name: "w1"}, &reg); code != http.StatusOK {
		t.Fatalf("registering a silent worker's name: %d", code)
	}
	if code := h.call("POST", master.RawPrefix+"heartbeat", first.token, master.HeartbeatRequest{}, nil); code != http.StatusUnauthorized {
		t.Errorf("the replaced token: %d, want 401", code)
	}
	if code := h.call("POST", master.RawPrefix+"heartbeat", reg.Token, master.HeartbeatRequest{JobID: c.JobID, Attempt: c.Attempt}, nil); code != http.StatusForbidden {
		t.Errorf("the newcomer heartbeats the old attempt: %d, want 403", code)
	}

	// A second ghost takes the job again, then is revoked.
	second := newGhost(h, "w2")
	c2 := second.claimRunnable()
	if c2.JobID != jobs[0].ID || c2.Attempt != 2 {
		t.Fatalf("second claim = %+v", c2)
	}
	var rr master.RevokeResponse
	if code := h.call("POST", master.CommandPrefix+"workers/w2/revoke", commandToken, nil, &rr); code != http.StatusOK || !rr.Known {
		t.Fatalf("revoke: %d %+v", code, rr)
	}
	if code := h.call("POST", master.CommandPrefix+"workers/w2/revoke", workerToken, nil, nil); code != http.StatusUnauthorized {
		t.Errorf("revoking with the enrollment token: %d, want 401", code)
	}
	rep := storetest.SampleReport("identity", "1.0", storetest.Options{})
	rep.Artifacts = nil
	if code := h.uploadReport(second.token, c2.JobID, c2.Attempt, rep); code != http.StatusUnauthorized {
		t.Errorf("the revoked worker's report: %d, want 401", code)
	}
	if code := h.call("POST", master.RawPrefix+"register", workerToken, master.RegisterRequest{Name: "w2"}, nil); code != http.StatusForbidden {
		t.Errorf("registering a revoked name: %d, want 403", code)
	}
	h.startWorker("honest", fakeAnalysis(report.VerdictPassed, 0))
	done := h.waitTerminal(jobs)
	if diff := cmp.Diff(outcome{store.JobDone, report.VerdictPassed, 3, 1}, h.outcome(done[0])); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
}

// TestForgedReportIsRefusedAndTheVerdictStays: the worker holding an attempt cannot commit a bare
// verdict, nor another project's or version's; the honest result is stored.
func TestForgedReportIsRefusedAndTheVerdictStays(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: time.Minute})
	jobs := h.submit("victim==1.0")
	holder := newGhost(h, "holder")
	c := holder.claimNext()
	bare := &report.Report{Verdict: report.VerdictPassed}
	other := storetest.SampleReport("requests", "2.31.0", storetest.Options{})
	other.Artifacts = nil
	other.Request.Spec = "victim==1.0"
	wrongVersion := storetest.SampleReport("victim", "9.9", storetest.Options{})
	wrongVersion.Artifacts = nil
	wrongVersion.Request.Spec = "victim==1.0"
	for name, rep := range map[string]*report.Report{"bare": bare, "another project": other, "another version": wrongVersion} {
		if code := h.uploadReport(holder.token, c.JobID, c.Attempt, rep); code != http.StatusBadRequest {
			t.Errorf("%s report: %d, want 400", name, code)
		}
	}
	if j, _ := h.st.Job(h.ctx, c.JobID); j.State != store.JobRunning || j.ReportID != 0 {
		t.Fatalf("after the forged reports the job is %s with report %d", j.State, j.ReportID)
	}
	honest := storetest.SampleReport("victim", "1.0", storetest.Options{})
	honest.Artifacts = nil
	honest.Request.Spec = "victim==1.0"
	honest.Verdict = report.VerdictHarmful
	if code := h.uploadReport(holder.token, c.JobID, c.Attempt, honest); code != http.StatusOK {
		t.Fatalf("the honest report: %d", code)
	}
	// A late forgery after the commit does not change the stored verdict.
	forged := storetest.SampleReport("victim", "1.0", storetest.Options{})
	forged.Artifacts = nil
	forged.Request.Spec = "victim==1.0"
	forged.Verdict = report.VerdictPassed
	_ = h.uploadReport(holder.token, c.JobID, c.Attempt, forged)
	if diff := cmp.Diff(outcome{store.JobDone, report.VerdictHarmful, 1, 1}, h.outcome(h.waitTerminal(jobs)[0])); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
}

// TestBlobsAreCappedByKind: an upload names its kind, and a file beyond its kind's limit is
// refused with 413.
func TestBlobsAreCappedByKind(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: time.Minute})
	h.submit("blobs==1.0")
	holder := newGhost(h, "holder")
	c := holder.claimNext()
	put := func(kind string, body io.Reader, length int64) int {
		t.Helper()
		url := fmt.Sprintf("%s%sjobs/%s/attempts/%d/blobs", h.srv.URL, master.RawPrefix, c.JobID, c.Attempt)
		if kind != "" {
			url += "?kind=" + kind
		}
		req, err := http.NewRequestWithContext(h.ctx, "PUT", url, body)
		if err != nil {
			t.Fatal(err)
		}
		req.ContentLength = length
		req.Header.Set("Authorization", "Bearer "+holder.token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	tests := []struct {
		name   string
		kind   string
		size   int64
		length int64 // declared; -1 for chunked
		want   int
	}{
		{"no kind", "", 10, 10, http.StatusBadRequest},
		{"an unknown kind", "movie", 10, 10, http.StatusBadRequest},
		{"a small log", "log", 10, 10, http.StatusOK},
		{"a log streamed beyond 64 MiB", "log", 64<<20 + 1, -1, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var body io.Reader = io.LimitReader(zeros{}, tc.size)
			if got := put(tc.kind, body, tc.length); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// TestNotFoundIsStoredAtOnce: a project that does not exist is a result, stored on the first
// attempt under the name the job asked for.
func TestNotFoundIsStoredAtOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: time.Minute})
	jobs := h.submit("no-such-project-xyz", "pyti-example-pure==99.0")
	h.startWorker("w", func(ctx context.Context, job worker.Job, dir string) (*report.Report, error) {
		rep := &report.Report{Schema: report.Schema, Request: report.Request{Spec: job.Spec}, Verdict: report.VerdictNotFound,
			Reason: "no such project on the index", Artifacts: []report.Artifact{}}
		if strings.Contains(job.Spec, "==") {
			rep.Project, rep.Reason = "pyti-example-pure", "no release matches ==99.0"
		}
		return rep, nil
	})
	for _, j := range h.waitTerminal(jobs) {
		if diff := cmp.Diff(outcome{store.JobDone, report.VerdictNotFound, 1, 1}, h.outcome(j)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", j.Spec, diff)
		}
	}
}

// TestHandedBackAttemptsDoNotCount: with one attempt allowed, attempts that workers hand back as
// they stop gracefully do not quarantine the job; a failure does.
func TestHandedBackAttemptsDoNotCount(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: time.Minute, maxAttempts: 1})
	jobs := h.submit("restarts==1.0", "broken==1.0")
	g := newGhost(h, "stopping")
	for range 4 {
		c := g.claimNext()
		fr := master.FailRequest{Error: "the worker shut down", Released: c.JobID == jobs[0].ID}
		if code := h.call("POST", fmt.Sprintf("%sjobs/%s/attempts/%d/fail", master.RawPrefix, c.JobID, c.Attempt), g.token, fr, nil); code != http.StatusOK {
			t.Fatalf("fail: %d", code)
		}
		if j, _ := h.st.Job(h.ctx, jobs[1].ID); j.State.Terminal() {
			break
		}
	}
	if j, _ := h.st.Job(h.ctx, jobs[1].ID); j.State != store.JobQuarantined {
		t.Errorf("the failed job is %s, want quarantined", j.State)
	}
	h.startWorker("w", fakeAnalysis(report.VerdictPassed, 0))
	done := h.waitTerminal(jobs[:1])
	if done[0].State != store.JobDone || done[0].Verdict != report.VerdictPassed {
		t.Errorf("the handed-back job: %s %s (%s)", done[0].State, done[0].Verdict, done[0].Error)
	}
	if m := h.get("/metrics"); !strings.Contains(m, `pyti_attempts_finished_total{outcome="handed-back"}`) {
		t.Error("the metrics do not count handed-back attempts")
	}
	var wr master.WorkersResponse
	if code := h.call("GET", master.CommandPrefix+"workers", commandToken, nil, &wr); code != http.StatusOK {
		t.Fatalf("workers: %d", code)
	}
	for _, w := range wr.Workers {
		if w.Name == "stopping" && (w.Done != 0 || w.Failed != 1 || len(w.History) < 2) {
			t.Errorf("the stopping worker: done %d, failed %d, %d in history; want 0 done, 1 failed, its hand-backs in the history", w.Done, w.Failed, len(w.History))
		}
	}
}

// claimRunnable claims notices until one gives an attempt, acknowledging the stale ones (the
// notice of an attempt that was taken back comes back once its ack wait ends).
func (g *ghost) claimRunnable() master.Claim {
	g.h.t.Helper()
	for {
		d, err := g.q.Next(g.h.ctx)
		if err != nil {
			g.h.t.Fatal(err)
		}
		var c master.Claim
		req := master.ClaimRequest{JobID: d.Notice.JobID, Generation: d.Notice.Generation, Ticket: d.Notice.Ticket}
		if code := g.h.call("POST", master.RawPrefix+"claim", g.token, req, &c); code != http.StatusOK {
			g.h.t.Fatalf("claim: %d", code)
		}
		if err := d.Ack(g.h.ctx); err != nil {
			g.h.t.Fatal(err)
		}
		if c.Run {
			return c
		}
	}
}
