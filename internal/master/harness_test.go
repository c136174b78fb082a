package master_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/store/storetest"
	"github.com/pyti/pyti/internal/worker"
)

const (
	commandToken = "command-secret"
	workerToken  = "worker-secret"
)

// harness is a master on a real SQLite store and a real embedded NATS server, served on loopback.
type harness struct {
	t       *testing.T
	st      *sqlite.Store
	natsURL string
	m       *master.Master
	srv     *httptest.Server
	ctx     context.Context
}

type harnessOptions struct {
	lease       time.Duration
	maxAttempts int
	natsURL     string // external (a cluster); empty starts one server
	replicas    int
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	if o.lease == 0 {
		o.lease = 2 * time.Second
	}
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	url := o.natsURL
	if url == "" {
		ns, err := queue.StartServer(queue.ServerConfig{Dir: t.TempDir(), Port: -1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(ns.Shutdown)
		url = ns.ClientURL()
	}
	q, err := queue.Connect(ctx, queue.Config{URL: url, Name: "master", Replicas: o.replicas, AckWait: o.lease})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(q.Close)
	if err := q.Setup(ctx); err != nil {
		t.Fatal(err)
	}
	m, err := master.New(master.Config{Store: st, Queue: q, CommandToken: commandToken, WorkerToken: workerToken,
		Lease: o.lease, MaxAttempts: o.maxAttempts, ReapEvery: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stopRun := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); _ = m.Run(runCtx) }()
	t.Cleanup(func() { stopRun(); <-done })
	mux := http.NewServeMux()
	mux.Handle(master.CommandPrefix, m.CommandHandler())
	mux.Handle(master.RawPrefix, m.RawHandler())
	mux.Handle("GET /metrics", m.MetricsHandler())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &harness{t: t, st: st, natsURL: url, m: m, srv: srv, ctx: ctx}
}

// startWorker runs a worker with its own NATS connection until the test ends or stop is called.
func (h *harness) startWorker(name string, run worker.Runner) (stop func()) {
	h.t.Helper()
	q, err := queue.Connect(h.ctx, queue.Config{URL: h.natsURL, Name: name})
	if err != nil {
		h.t.Fatal(err)
	}
	if err := q.Bind(h.ctx); err != nil {
		h.t.Fatal(err)
	}
	w, err := worker.New(worker.Config{Server: h.srv.URL, Token: workerToken, Name: name, Queue: q, Run: run, WorkDir: h.t.TempDir()})
	if err != nil {
		h.t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(h.ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := w.Run(ctx); err != nil {
			h.t.Errorf("worker %s: %v", name, err)
		}
	}()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			<-done
			q.Close()
		})
	}
	h.t.Cleanup(stop)
	return stop
}

// submit queues jobs through the Command API.
func (h *harness) submit(specs ...string) []store.Job {
	h.t.Helper()
	jobs := make([]store.NewJob, len(specs))
	for i, s := range specs {
		jobs[i] = store.NewJob{Spec: s}
	}
	return h.submitJobs(jobs...)
}

// submitJobs queues jobs through the Command API.
func (h *harness) submitJobs(jobs ...store.NewJob) []store.Job {
	h.t.Helper()
	req := master.SubmitRequest{Jobs: jobs}
	var resp master.SubmitResponse
	if code := h.call("POST", master.CommandPrefix+"jobs", commandToken, req, &resp); code != http.StatusCreated {
		h.t.Fatalf("submit: status %d", code)
	}
	return resp.Jobs
}

// call makes a JSON request and returns the status.
func (h *harness) call(method, path, token string, in, out any) int {
	h.t.Helper()
	var body io.Reader
	if in != nil {
		data, err := json.Marshal(in)
		if err != nil {
			h.t.Fatal(err)
		}
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(h.ctx, method, h.srv.URL+path, body)
	if err != nil {
		h.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode/100 == 2 {
		if err := json.Unmarshal(data, out); err != nil {
			h.t.Fatalf("%s %s: %v in %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

// waitTerminal waits until every job is terminal and returns them.
func (h *harness) waitTerminal(jobs []store.Job) []store.Job {
	h.t.Helper()
	out := make([]store.Job, len(jobs))
	for {
		pending := 0
		for i, j := range jobs {
			cur, err := h.st.Job(h.ctx, j.ID)
			if err != nil {
				h.t.Fatal(err)
			}
			out[i] = cur
			if !cur.State.Terminal() {
				pending++
			}
		}
		if pending == 0 {
			return out
		}
		select {
		case <-h.ctx.Done():
			h.t.Fatalf("jobs did not finish: %+v", out)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// fakeAnalysis is a runner that writes a sample report's artifacts and returns the report with
// the given verdict, after delay.
func fakeAnalysis(verdict report.Verdict, delay time.Duration) worker.Runner {
	return func(ctx context.Context, job worker.Job, dir string) (*report.Report, error) {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(delay):
		}
		name, version, _ := strings.Cut(job.Spec, "==")
		if version == "" {
			version = "1.0"
		}
		rep := storetest.SampleReport(name, version, storetest.Options{Seed: uint64(len(job.ID))})
		rep.Verdict = verdict
		rep.Request.Spec = job.Spec
		for _, a := range rep.Artifacts {
			p := filepath.Join(dir, a.Path)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(p, []byte(fmt.Sprintf("%s of %s attempt %d\n", a.Name, job.ID, job.Attempt)), 0o644); err != nil {
				return nil, err
			}
		}
		return rep, nil
	}
}
