package master_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/storetest"
	"github.com/pyti/pyti/internal/worker"
)

// outcome is what a test checks of a finished job.
type outcome struct {
	State    store.JobState
	Verdict  report.Verdict
	Attempts int
	Reports  int
}

func (h *harness) outcome(j store.Job) outcome {
	h.t.Helper()
	page, err := h.st.Reports(h.ctx, store.ReportQuery{Project: strings.Split(j.Spec, "==")[0], Limit: store.MaxLimit})
	if err != nil {
		h.t.Fatal(err)
	}
	n := 0
	for _, r := range page.Reports {
		if r.JobID == j.ID {
			n++
		}
	}
	return outcome{State: j.State, Verdict: j.Verdict, Attempts: j.Attempts, Reports: n}
}

func TestVerdictsAreResultsAndErrorsAreRetried(t *testing.T) {
	tests := []struct {
		name    string
		verdict report.Verdict
		fail    bool
		want    outcome
	}{
		{"passed", report.VerdictPassed, false, outcome{store.JobDone, report.VerdictPassed, 1, 1}},
		{"build failure is a result", report.VerdictBuild, false, outcome{store.JobDone, report.VerdictBuild, 1, 1}},
		{"timeout is a result", report.VerdictTimeout, false, outcome{store.JobDone, report.VerdictTimeout, 1, 1}},
		{"verdict error is retried, then quarantined", report.VerdictError, false, outcome{store.JobQuarantined, "", 2, 0}},
		{"a runner error is retried, then quarantined", "", true, outcome{store.JobQuarantined, "", 2, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{maxAttempts: 2})
			run := fakeAnalysis(tc.verdict, 0)
			if tc.fail {
				run = func(context.Context, worker.Job, string) (*report.Report, error) {
					return nil, errors.New("the sandbox could not start")
				}
			}
			h.startWorker("w1", run)
			jobs := h.waitTerminal(h.submit("pkg-" + strings.NewReplacer(" ", "-", ",", "").Replace(tc.name) + "==1.0"))
			if diff := cmp.Diff(tc.want, h.outcome(jobs[0])); diff != "" {
				t.Errorf("outcome (-want +got):\n%s", diff)
			}
			if tc.want.State == store.JobQuarantined && !strings.Contains(jobs[0].Error, "quarantined after 2 attempts") {
				t.Errorf("quarantine reason = %q", jobs[0].Error)
			}
		})
	}
}

func TestManyJobsTwoWorkersOneResultEach(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var ran atomic.Int64
	run := fakeAnalysis(report.VerdictPassed, 20*time.Millisecond)
	counting := func(ctx context.Context, j worker.Job, dir string) (*report.Report, error) {
		ran.Add(1)
		return run(ctx, j, dir)
	}
	h.startWorker("w1", counting)
	h.startWorker("w2", counting)
	var specs []string
	for i := range 12 {
		specs = append(specs, fmt.Sprintf("proj%d==1.%d", i, i))
	}
	jobs := h.waitTerminal(h.submit(specs...))
	for _, j := range jobs {
		if diff := cmp.Diff(outcome{store.JobDone, report.VerdictPassed, 1, 1}, h.outcome(j)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", j.Spec, diff)
		}
	}
	if got := ran.Load(); got != int64(len(specs)) {
		t.Errorf("analyses run = %d, want %d", got, len(specs))
	}
	var wr master.WorkersResponse
	if code := h.call("GET", master.CommandPrefix+"workers", commandToken, nil, &wr); code != http.StatusOK {
		t.Fatalf("workers: %d", code)
	}
	done := 0
	for _, w := range wr.Workers {
		done += w.Done
		if len(w.History) != w.Done || !w.Alive {
			t.Errorf("worker %s: alive %v, %d in history, %d done", w.Name, w.Alive, len(w.History), w.Done)
		}
	}
	if done != len(specs) || len(wr.Workers) != 2 {
		t.Errorf("workers %d, done %d; want 2 workers, %d done", len(wr.Workers), done, len(specs))
	}
	metrics := h.get("/metrics")
	for _, want := range []string{`pyti_jobs{state="done"} 12`, "pyti_workers 2", "pyti_queue_depth 0", `pyti_attempts_finished_total{outcome="result"} 12`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func (h *harness) get(path string) string {
	h.t.Helper()
	resp, err := http.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}

// ghost is a worker driven by hand: it registers, takes a notice, claims, and then goes silent.
type ghost struct {
	h     *harness
	token string
	q     *queue.Queue
}

func newGhost(h *harness, name string) *ghost {
	h.t.Helper()
	var reg master.RegisterResponse
	if code := h.call("POST", master.RawPrefix+"register", workerToken, master.RegisterRequest{Name: name}, &reg); code != http.StatusOK {
		h.t.Fatalf("register: %d", code)
	}
	q, err := queue.Connect(h.ctx, queue.Config{URL: h.natsURL, Name: name})
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(q.Close)
	if err := q.Bind(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	return &ghost{h: h, token: reg.Token, q: q}
}

// claimNext claims the job of the next notice the queue delivers to the ghost. A notice the
// master calls stale (one of an attempt that has ended, which the queue may deliver
// again after its successor, as it did in CI under load) is passed over, as a worker passes it
// over; any other refusal ends the test.
func (g *ghost) claimNext() master.Claim {
	g.h.t.Helper()
	for range 10 {
		d, err := g.q.Next(g.h.ctx)
		if err != nil {
			g.h.t.Fatal(err)
		}
		var c master.Claim
		code := g.h.call("POST", master.RawPrefix+"claim", g.token, master.ClaimRequest{JobID: d.Notice.JobID, Generation: d.Notice.Generation, Ticket: d.Notice.Ticket}, &c)
		if code == http.StatusOK && !c.Run && strings.HasPrefix(c.Reason, "a stale notice") {
			continue
		}
		if code != http.StatusOK || !c.Run {
			g.h.t.Fatalf("claim: %d %+v", code, c)
		}
		return c
	}
	g.h.t.Fatal("claim: ten stale notices in a row")
	return master.Claim{}
}

// uploadReport sends a report for an attempt with a token and returns the status.
func (h *harness) uploadReport(token, jobID string, attempt int, rep *report.Report) int {
	h.t.Helper()
	return h.call("POST", fmt.Sprintf("%sjobs/%s/attempts/%d/report", master.RawPrefix, jobID, attempt), token, rep, nil)
}

func (h *harness) uploadBlob(token, jobID string, attempt int, data string) int {
	h.t.Helper()
	req, err := http.NewRequestWithContext(h.ctx, "PUT", fmt.Sprintf("%s%sjobs/%s/attempts/%d/blobs?kind=log", h.srv.URL, master.RawPrefix, jobID, attempt), bytes.NewReader([]byte(data)))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestVanishedWorkerJobIsHandedOutAgainAndItsLateResultRefused(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: time.Second})
	jobs := h.submit("lost==1.0")
	g := newGhost(h, "ghost")
	c := g.claimNext()
	if c.JobID != jobs[0].ID || c.Attempt != 1 {
		t.Fatalf("claim = %+v", c)
	}
	// The ghost never heartbeats; a live worker gets the job once the lease ends.
	h.startWorker("alive", fakeAnalysis(report.VerdictPassed, 0))
	done := h.waitTerminal(jobs)
	if diff := cmp.Diff(outcome{store.JobDone, report.VerdictPassed, 2, 1}, h.outcome(done[0])); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
	atts, err := h.st.Attempts(h.ctx, jobs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	type att struct {
		Worker string
		State  store.AttemptState
	}
	var got []att
	for _, a := range atts {
		got = append(got, att{a.Worker, a.State})
	}
	if diff := cmp.Diff([]att{{"ghost", store.AttemptFailed}, {"alive", store.AttemptDone}}, got); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
	if !strings.Contains(atts[0].Error, "lease") {
		t.Errorf("the expired attempt says %q", atts[0].Error)
	}
	// The ghost comes back with a late result: refused, and the stored result stays.
	late := storetest.SampleReport("lost", "1.0", storetest.Options{})
	late.Verdict = report.VerdictTestsFailed
	late.Artifacts = nil
	if code := h.uploadReport(g.token, jobs[0].ID, 1, late); code != http.StatusForbidden {
		t.Errorf("late report of attempt 1: status %d, want 403", code)
	}
	if code := h.uploadReport(g.token, jobs[0].ID, 2, late); code != http.StatusForbidden {
		t.Errorf("report of another worker's attempt: status %d, want 403", code)
	}
	if code := h.uploadBlob(g.token, jobs[0].ID, 1, "late data"); code != http.StatusForbidden {
		t.Errorf("late blob: status %d, want 403", code)
	}
	after := h.waitTerminal(jobs)
	if diff := cmp.Diff(outcome{store.JobDone, report.VerdictPassed, 2, 1}, h.outcome(after[0])); diff != "" {
		t.Errorf("after the late upload (-want +got):\n%s", diff)
	}
	if code := h.call("POST", master.RawPrefix+"heartbeat", g.token, master.HeartbeatRequest{JobID: jobs[0].ID, Attempt: 1}, nil); code != http.StatusForbidden {
		t.Errorf("heartbeat of a lost attempt: %d, want 403", code)
	}
}

func TestForgedUploadsAreRefused(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: time.Minute})
	jobs := h.submit("held==1.0")
	holder := newGhost(h, "holder")
	c := holder.claimNext()
	other := newGhost(h, "other")
	rep := storetest.SampleReport("held", "1.0", storetest.Options{})
	rep.Artifacts = nil
	tests := []struct {
		name    string
		token   string
		attempt int
		want    int
	}{
		{"no token", "", c.Attempt, http.StatusUnauthorized},
		{"wrong token", "pw_forged", c.Attempt, http.StatusUnauthorized},
		{"the enrollment token is not a worker's token", workerToken, c.Attempt, http.StatusUnauthorized},
		{"the command token is not a worker's token", commandToken, c.Attempt, http.StatusUnauthorized},
		{"a worker that does not hold the job", other.token, c.Attempt, http.StatusForbidden},
		{"an attempt that does not exist", holder.token, c.Attempt + 1, http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := h.uploadReport(tc.token, jobs[0].ID, tc.attempt, rep); got != tc.want {
				t.Errorf("report: status %d, want %d", got, tc.want)
			}
			if got := h.uploadBlob(tc.token, jobs[0].ID, tc.attempt, "forged"); got != tc.want {
				t.Errorf("blob: status %d, want %d", got, tc.want)
			}
		})
	}
	if code := h.uploadReport(holder.token, "no-such-job", 1, rep); code != http.StatusForbidden {
		t.Errorf("report of an unknown job: %d, want 403", code)
	}
	// A report naming an artifact that was never uploaded for this attempt is refused too: 428
	// asks the worker to upload its files again (as after a master restart).
	withArtifact := storetest.SampleReport("held", "1.0", storetest.Options{})
	withArtifact.Artifacts = []report.Artifact{{Task: "build", Name: "log", Path: "raw/build/log.txt",
		SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}}
	if code := h.uploadReport(holder.token, jobs[0].ID, c.Attempt, withArtifact); code != http.StatusPreconditionRequired {
		t.Errorf("report with missing artifacts: %d, want 428", code)
	}
	j, err := h.st.Job(h.ctx, jobs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobRunning || j.ReportID != 0 {
		t.Errorf("after the forged uploads the job is %s with report %d", j.State, j.ReportID)
	}
	// The holder's own upload is accepted, and its retry counts once.
	for range 2 {
		if code := h.uploadReport(holder.token, jobs[0].ID, c.Attempt, rep); code != http.StatusOK {
			t.Errorf("the holder's report: %d", code)
		}
	}
	if diff := cmp.Diff(outcome{store.JobDone, rep.Verdict, 1, 1}, h.outcome(h.waitTerminal(jobs)[0])); diff != "" {
		t.Errorf("outcome (-want +got):\n%s", diff)
	}
}

func TestCommandAPI(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	if code := h.call("GET", master.CommandPrefix+"jobs", "", nil, nil); code != http.StatusUnauthorized {
		t.Errorf("without a token: %d", code)
	}
	if code := h.call("GET", master.CommandPrefix+"jobs", workerToken, nil, nil); code != http.StatusUnauthorized {
		t.Errorf("with the worker token: %d", code)
	}
	bad := []master.SubmitRequest{
		{},
		{Jobs: []store.NewJob{{Spec: ""}}},
		{Jobs: []store.NewJob{{Spec: "/etc/passwd"}}},
		{Jobs: []store.NewJob{{Spec: "pkg @ https://example.com/pkg.whl"}}},
	}
	for _, req := range bad {
		if code := h.call("POST", master.CommandPrefix+"jobs", commandToken, req, nil); code != http.StatusBadRequest {
			t.Errorf("submit %+v: %d, want 400", req, code)
		}
	}
	jobs := h.submit("one==1", "two")
	var c store.Job
	if code := h.call("POST", master.CommandPrefix+"jobs/"+jobs[0].ID+"/cancel", commandToken, nil, &c); code != http.StatusOK || c.State != store.JobCancelled {
		t.Errorf("cancel: %d %s", code, c.State)
	}
	if code := h.call("POST", master.CommandPrefix+"jobs/"+jobs[0].ID+"/cancel", commandToken, nil, nil); code != http.StatusOK {
		t.Errorf("cancelling again: %d", code)
	}
	if code := h.call("POST", master.CommandPrefix+"jobs/nope/cancel", commandToken, nil, nil); code != http.StatusNotFound {
		t.Errorf("cancel of an unknown job: %d", code)
	}
	var page store.JobPage
	if code := h.call("GET", master.CommandPrefix+"jobs?state=cancelled", commandToken, nil, &page); code != http.StatusOK || len(page.Jobs) != 1 || page.Jobs[0].ID != jobs[0].ID {
		t.Errorf("list cancelled: %d %+v", code, page)
	}
	if code := h.call("GET", master.CommandPrefix+"jobs?state=bogus", commandToken, nil, nil); code != http.StatusBadRequest {
		t.Errorf("list a bogus state: %d", code)
	}
	// A worker arriving now runs only the job that was not cancelled; then the cancelled one is
	// requeued and runs too.
	h.startWorker("w", fakeAnalysis(report.VerdictPassed, 0))
	got := h.waitTerminal(jobs)
	if got[0].State != store.JobCancelled || got[1].State != store.JobDone {
		t.Errorf("states %s %s, want cancelled done", got[0].State, got[1].State)
	}
	if code := h.call("POST", master.CommandPrefix+"jobs/"+jobs[0].ID+"/requeue", commandToken, nil, nil); code != http.StatusOK {
		t.Errorf("requeue: %d", code)
	}
	got = h.waitTerminal(jobs[:1])
	if diff := cmp.Diff(outcome{store.JobDone, report.VerdictPassed, 1, 1}, h.outcome(got[0])); diff != "" {
		t.Errorf("requeued job (-want +got):\n%s", diff)
	}
	var d master.JobDetail
	if code := h.call("GET", master.CommandPrefix+"jobs/"+jobs[1].ID, commandToken, nil, &d); code != http.StatusOK || len(d.Attempts) != 1 || d.Attempts[0].Worker != "w" {
		t.Errorf("job detail: %d %+v", code, d)
	}
}

func TestCancelStopsARunningAttempt(t *testing.T) {
	h := newHarness(t, harnessOptions{lease: time.Second})
	started := make(chan struct{}, 1)
	h.startWorker("w", func(ctx context.Context, j worker.Job, dir string) (*report.Report, error) {
		started <- struct{}{}
		<-ctx.Done()
		return nil, context.Cause(ctx)
	})
	jobs := h.submit("slow==1")
	select {
	case <-started:
	case <-h.ctx.Done():
		t.Fatal("the job never started")
	}
	if code := h.call("POST", master.CommandPrefix+"jobs/"+jobs[0].ID+"/cancel", commandToken, nil, nil); code != http.StatusOK {
		t.Fatalf("cancel: %d", code)
	}
	// The worker learns at its next heartbeat and becomes idle.
	for {
		var wr master.WorkersResponse
		h.call("GET", master.CommandPrefix+"workers", commandToken, nil, &wr)
		if len(wr.Workers) == 1 && wr.Workers[0].Current == nil && len(wr.Workers[0].History) == 1 {
			break
		}
		select {
		case <-h.ctx.Done():
			t.Fatalf("the worker still runs the cancelled job: %+v", wr)
		case <-time.After(100 * time.Millisecond):
		}
	}
	j, _ := h.st.Job(h.ctx, jobs[0].ID)
	if j.State != store.JobCancelled || j.Attempts != 1 {
		t.Errorf("job %s with %d attempts", j.State, j.Attempts)
	}
}
