package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/hitrecorder"
	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/storetest"
)

// rawCall calls the master's Raw Data API with a token and returns the status.
func (c *testCluster) rawCall(method, path, token string, in any) int {
	c.t.Helper()
	code, _ := c.rawCallBody(method, path, token, in)
	return code
}

// rawCallBody is rawCall that also returns the answer.
func (c *testCluster) rawCallBody(method, path, token string, in any) (int, []byte) {
	c.t.Helper()
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			c.t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(c.ctx, method, "http://"+c.httpAddr+master.RawPrefix+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, data
}

// TestClusterProcessesIndexPolicyAndForgery runs a master whose operator allows one mirror, and a
// worker with --allow-private-index and index credentials in its environment, against loopback
// listeners that record what reaches them:
//   - jobs naming file://, javascript:, non-URLs, the cloud metadata address, a private range,
//     another loopback port, or fields of 1 MB are refused at submit with a 4xx naming the rule;
//   - a job on the worker's own index sends the credentials there, and its not-found result is
//     stored on the first attempt;
//   - a job on the allowed mirror gets no credentials, and the mirror's redirect to another
//     loopback port is refused before it is dialled;
//   - a rogue holding the enrollment token cannot take a worker's name, claim a job by ID or
//     change a stored verdict.
func TestClusterProcessesIndexPolicyAndForgery(t *testing.T) {
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	other := hitrecorder.New(t, nil)    // another service on loopback
	unlisted := hitrecorder.New(t, nil) // an index the operator did not list
	own := hitrecorder.New(t, nil)      // the worker's own index: knows no project
	mirror := hitrecorder.New(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+r.URL.Path, http.StatusFound)
	})
	c := newTestCluster(t, ctx, own.URL+"/simple/", "--job-index", mirror.URL+"/simple/")
	c.startWorkerWith("w1", []string{"PYTI_INDEX_USERNAME=operator", "PYTI_INDEX_PASSWORD=s3cret"})
	waitFor(t, ctx, "the worker to register", func() bool { return len(c.workers()) == 1 })

	refusals := []struct {
		name string
		job  store.NewJob
		want string
	}{
		{"file URL", store.NewJob{Spec: "requests", Index: "file:///etc/"}, "400 Bad Request): job 1: index \"file:///etc/\": scheme \"file\" is not allowed"},
		{"javascript URL", store.NewJob{Spec: "requests", Index: "javascript:alert(1)"}, "(rule index-url)"},
		{"not a URL", store.NewJob{Spec: "requests", Index: "just words"}, "(rule index-url)"},
		{"cloud metadata", store.NewJob{Spec: "requests", Index: "http://169.254.169.254/latest/meta-data/"}, "403 Forbidden"},
		{"a private range", store.NewJob{Spec: "requests", Index: "http://10.0.0.7:3141/simple/"}, "(rule index-not-allowed)"},
		{"another loopback port", store.NewJob{Spec: "requests", Index: unlisted.URL + "/simple/"}, "(rule index-not-allowed)"},
		{"credentials in the index", store.NewJob{Spec: "requests", Index: strings.Replace(mirror.URL, "http://", "http://u:p@", 1) + "/simple/"}, "(rule index-url)"},
		{"a 1 MB spec", store.NewJob{Spec: "requests" + strings.Repeat("0", 1<<20)}, "(rule spec-too-long)"},
		{"a 1 MB index", store.NewJob{Spec: "requests", Index: mirror.URL + "/" + strings.Repeat("a", 1<<20)}, "(rule index-too-long)"},
	}
	for _, tc := range refusals {
		var resp master.SubmitResponse
		err := c.client.call(ctx, "POST", "jobs", master.SubmitRequest{Jobs: []store.NewJob{tc.job}}, &resp)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want a refusal saying %q", tc.name, err, tc.want)
		}
	}

	var resp master.SubmitResponse
	err := c.client.call(ctx, "POST", "jobs", master.SubmitRequest{Jobs: []store.NewJob{
		{Spec: "no-such-project-pyti"},
		{Spec: "pyti-example-pure", Index: mirror.URL + "/simple"},
	}}, &resp)
	if err != nil {
		t.Fatal(err)
	}
	details := c.waitDone(resp.Jobs)
	notFound := details[0]
	if notFound.Job.State != store.JobDone || notFound.Job.Verdict != report.VerdictNotFound || len(notFound.Attempts) != 1 {
		t.Errorf("the job on a project that does not exist: %s %s after %d attempts (%s)", notFound.Job.State, notFound.Job.Verdict,
			len(notFound.Attempts), notFound.Job.Error)
	}
	if got := details[1].Job.Index; got != mirror.URL+"/simple/" {
		t.Errorf("the mirror job's index is stored as %q", got)
	}
	for _, h := range own.Got() {
		if !strings.HasSuffix(h, "auth=yes") {
			t.Errorf("the worker's own index got a request without its credentials: %s", h)
		}
	}
	if len(own.Got()) == 0 {
		t.Error("the worker's own index was not asked")
	}
	if len(mirror.Got()) == 0 {
		t.Error("the allowed mirror was not asked")
	}
	for _, h := range mirror.Got() {
		if !strings.HasSuffix(h, "auth=no") {
			t.Errorf("the mirror got the credentials of the worker's own index: %s", h)
		}
	}
	if got := append(other.Got(), unlisted.Got()...); len(got) != 0 {
		t.Errorf("listeners that are not an allowed index were reached: %v", got)
	}
	t.Logf("the mirror job: %s %s (%s)", details[1].Job.State, details[1].Job.Verdict, details[1].Job.Error)

	// A rogue with the enrollment token.
	if code := c.rawCall("POST", "register", testWorkerToken, master.RegisterRequest{Name: "w1"}); code != http.StatusConflict {
		t.Errorf("the rogue took the live worker's name: %d, want 409", code)
	}
	code, body := c.rawCallBody("POST", "register", testWorkerToken, master.RegisterRequest{Name: "rogue"})
	var rr master.RegisterResponse
	if err := json.Unmarshal(body, &rr); code != http.StatusOK || err != nil {
		t.Fatalf("registering the rogue: %d %s", code, body)
	}
	rogue := rr.Token
	queued := c.submit("pyti-example-pure==99")
	if code := c.rawCall("POST", "claim", rogue, master.ClaimRequest{JobID: queued[0].ID}); code != http.StatusForbidden {
		t.Errorf("claiming a queued job by its ID: %d, want 403", code)
	}
	forged := storetest.SampleReport("no-such-project-pyti", "1.0", storetest.Options{})
	forged.Verdict, forged.Request.Spec, forged.Artifacts = report.VerdictPassed, "no-such-project-pyti", nil
	path := fmt.Sprintf("jobs/%s/attempts/1/", notFound.Job.ID)
	if code := c.rawCall("POST", path+"report", rogue, forged); code != http.StatusForbidden {
		t.Errorf("the rogue's report: %d, want 403", code)
	}
	if code := c.rawCall("PUT", path+"blobs?kind=log", rogue, "x"); code != http.StatusForbidden {
		t.Errorf("the rogue's blob: %d, want 403", code)
	}
	after, err := c.detail(notFound.Job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(notFound.Job, after.Job); diff != "" {
		t.Errorf("the stored result changed (-before +after):\n%s", diff)
	}
	c.waitDone(queued)
	if n := strings.Count(c.master.output(), `msg="worker registered" worker=w1 `); n != 1 {
		t.Errorf("the master logged w1's registration %d times, want once", n)
	}
}

// TestClusterProcessesWorkerSIGTERM: a worker stopped with SIGTERM in the middle of a job hands
// it back; with one attempt allowed, the job is not quarantined but runs on another worker.
func TestClusterProcessesWorkerSIGTERM(t *testing.T) {
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	c := newTestCluster(t, ctx, exampleIndex(t, ctx, "pure"), "--max-attempts", "1")
	stopping := c.startWorker("stopping")
	jobs := c.submit("pyti-example-pure")
	c.waitRunning("the worker to run the job", "stopping", 2*time.Second)
	stopping.kill(syscall.SIGTERM)
	<-stopping.done
	if code := stopping.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("the worker exited with %d after SIGTERM", code)
	}
	d, err := c.detail(jobs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.Job.State != store.JobQueued || len(d.Attempts) != 1 || !strings.HasPrefix(d.Attempts[0].Error, "handed back: ") {
		t.Fatalf("after SIGTERM the job is %s with attempts %+v", d.Job.State, d.Attempts)
	}
	c.startWorker("finisher")
	d = c.waitDone(jobs)[0]
	if d.Job.State != store.JobDone || d.Job.Verdict != report.VerdictPassed || len(d.Attempts) != 2 || d.Attempts[1].Worker != "finisher" {
		t.Errorf("the handed-back job: %s %s, attempts %+v", d.Job.State, d.Job.Verdict, d.Attempts)
	}
	c.checkOneResultEach(jobs)
}

// TestClusterProcessesMasterSIGTERM restarts the master gracefully while workers run jobs: the
// workers keep their credentials, and every job ends with one result.
func TestClusterProcessesMasterSIGTERM(t *testing.T) {
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	c := newTestCluster(t, ctx, exampleIndex(t, ctx, "pure", "failing", "unittest"))
	c.startWorker("w1")
	c.startWorker("w2")
	jobs := c.submit(exampleSpecs...)
	c.waitRunning("a job to run", "", 2*time.Second)
	c.master.kill(syscall.SIGTERM)
	<-c.master.done
	c.startMaster()
	c.waitDone(jobs)
	c.checkOneResultEach(jobs)
	// The workers did not need to register again: their credentials outlived the master.
	if n := strings.Count(c.master.output(), "worker registered"); n != 0 {
		t.Errorf("the restarted master saw %d registrations, want none", n)
	}
}

// TestClusterProcessesWorkerKilledAndRestartedUnderItsName kills a worker with SIGKILL mid-job
// and starts a new process under the same name at once: the name is refused while the old one's
// lease runs, then registered; the job is taken back and ends with one result.
func TestClusterProcessesWorkerKilledAndRestartedUnderItsName(t *testing.T) {
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	c := newTestCluster(t, ctx, exampleIndex(t, ctx, "pure"))
	first := c.startWorker("same")
	jobs := c.submit("pyti-example-pure")
	c.waitRunning("the worker to run the job", "", 2*time.Second)
	first.kill(syscall.SIGKILL)
	<-first.done
	second := c.startWorker("same")
	d := c.waitDone(jobs)[0]
	if d.Job.State != store.JobDone || len(d.Attempts) != 2 || d.Attempts[0].State != store.AttemptFailed || d.Attempts[1].State != store.AttemptDone {
		t.Errorf("the job: %s, attempts %+v", d.Job.State, d.Attempts)
	}
	if !strings.Contains(second.output(), "live worker") {
		t.Errorf("the second process was not told the name was in use:\n%s", tail(second.output(), 20))
	}
	c.checkOneResultEach(jobs)
}
