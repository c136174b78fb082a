package master

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// Store is what the master needs of the store.
type Store interface {
	store.Store
	store.Scheduling
}

// Publisher puts job notices on the queue; *queue.Queue is one.
type Publisher interface {
	Publish(ctx context.Context, n queue.Notice) error
	Depth(ctx context.Context) (uint64, error)
}

// Config configures a master.
type Config struct {
	Store Store
	Queue Publisher
	// CommandToken authenticates the Command API; WorkerToken lets a worker register and receive
	// its own token. Both are required.
	CommandToken string
	WorkerToken  string
	// Lease is how long a claimed attempt stays a worker's without a heartbeat (default 60s).
	Lease time.Duration
	// MaxAttempts bounds the attempts of a job whose attempts fail for infrastructure reasons
	// (default 3); then the job is quarantined.
	MaxAttempts int
	// ReapEvery is how often expired leases are looked for (default Lease/4).
	ReapEvery time.Duration
	Logger    *slog.Logger
}

// Master schedules jobs. Its methods are safe for concurrent use.
type Master struct {
	cfg     Config
	st      Store
	q       Publisher
	log     *slog.Logger
	workers *registry
	metrics *metrics
	started time.Time

	// mu serialises the decisions about one attempt (claim, heartbeat, commit, fail, reap,
	// cancel, requeue), so that a check of who holds a job and the write that depends on it
	// cannot interleave with another.
	mu sync.Mutex
	// unpublished holds queued jobs whose notice could not be published yet.
	unpublished map[string]bool
}

// New makes a master; Run starts its background work.
func New(cfg Config) (*Master, error) {
	if cfg.Store == nil || cfg.Queue == nil {
		return nil, errors.New("master: a store and a queue are required")
	}
	if cfg.CommandToken == "" || cfg.WorkerToken == "" {
		return nil, errors.New("master: a command token and a worker token are required")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 60 * time.Second
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 3
	}
	if cfg.ReapEvery <= 0 {
		cfg.ReapEvery = cfg.Lease / 4
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	m := &Master{cfg: cfg, st: cfg.Store, q: cfg.Queue, log: cfg.Logger, workers: newRegistry(cfg.Lease),
		started: time.Now(), unpublished: map[string]bool{}}
	m.metrics = newMetrics(m)
	return m, nil
}

// Run republishes the queued jobs (a notice may have been lost with a crash between the store and
// the queue), then takes back expired leases and retries unpublished notices until ctx ends.
func (m *Master) Run(ctx context.Context) error {
	if err := m.reconcile(ctx); err != nil {
		return err
	}
	tick := time.NewTicker(m.cfg.ReapEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		if err := m.reap(ctx); err != nil && ctx.Err() == nil {
			m.log.Warn("taking back expired leases", "err", err)
		}
		m.republish(ctx)
	}
}

// reconcile publishes a notice for every queued job.
func (m *Master) reconcile(ctx context.Context) error {
	cursor := ""
	for {
		page, err := m.st.Jobs(ctx, store.JobQuery{States: []store.JobState{store.JobQueued}, Cursor: cursor, Limit: store.MaxLimit})
		if err != nil {
			return fmt.Errorf("listing queued jobs: %w", err)
		}
		for _, j := range page.Jobs {
			m.publish(ctx, j)
		}
		if page.Next == "" {
			return nil
		}
		cursor = page.Next
	}
}

// publish puts a job's notice on the queue, remembering it for a retry when that fails.
func (m *Master) publish(ctx context.Context, j store.Job) {
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := m.q.Publish(pctx, queue.Notice{JobID: j.ID, Spec: j.Spec, Generation: j.Attempts})
	m.mu.Lock()
	defer m.mu.Unlock()
	if err != nil {
		m.log.Warn("publishing a job; will retry", "job", j.ID, "err", err)
		m.unpublished[j.ID] = true
		return
	}
	delete(m.unpublished, j.ID)
}

func (m *Master) republish(ctx context.Context) {
	m.mu.Lock()
	ids := make([]string, 0, len(m.unpublished))
	for id := range m.unpublished {
		ids = append(ids, id)
	}
	m.mu.Unlock()
	for _, id := range ids {
		j, err := m.st.Job(ctx, id)
		if err != nil || j.State != store.JobQueued {
			m.mu.Lock()
			delete(m.unpublished, id)
			m.mu.Unlock()
			continue
		}
		m.publish(ctx, j)
	}
}

// Submit creates jobs and queues them. A job whose images are not valid names is refused
// (store.ErrInvalid) before any job is created.
func (m *Master) Submit(ctx context.Context, reqs []store.NewJob) ([]store.Job, error) {
	for i, r := range reqs {
		if err := CheckImages(r.Images); err != nil {
			return nil, fmt.Errorf("job %d: %w: %w", i+1, err, store.ErrInvalid)
		}
	}
	jobs := make([]store.Job, 0, len(reqs))
	for _, r := range reqs {
		j, err := m.st.CreateJob(ctx, r)
		if err != nil {
			return jobs, err
		}
		m.metrics.submitted.Inc()
		m.publish(ctx, j)
		jobs = append(jobs, j)
	}
	return jobs, nil
}

// Cancel ends a job that has not finished; a worker running it learns so at its next heartbeat.
func (m *Master) Cancel(ctx context.Context, jobID string) (store.Job, error) {
	m.mu.Lock()
	err := m.st.FinishJob(ctx, jobID, store.JobCancelled, "cancelled by an operator")
	m.mu.Unlock()
	if err != nil {
		return store.Job{}, err
	}
	return m.st.Job(ctx, jobID)
}

// Requeue puts a job back on the queue: a running attempt is abandoned, a finished job runs again.
func (m *Master) Requeue(ctx context.Context, jobID string) (store.Job, error) {
	m.mu.Lock()
	err := m.st.RequeueJob(ctx, jobID, "requeued by an operator")
	m.mu.Unlock()
	if err != nil {
		return store.Job{}, err
	}
	j, err := m.st.Job(ctx, jobID)
	if err != nil {
		return store.Job{}, err
	}
	m.publish(ctx, j)
	return j, nil
}

// Claim is the master's answer to a worker that took a notice off the queue.
type Claim struct {
	// Run is true when the worker holds a new attempt and must run it; otherwise it acks the
	// notice and forgets it (the job finished, or another worker holds it).
	Run     bool   `json:"run"`
	Reason  string `json:"reason,omitempty"`
	JobID   string `json:"job_id"`
	Attempt int    `json:"attempt,omitempty"`
	Spec    string `json:"spec,omitempty"`
	Index   string `json:"index,omitempty"`
	// Images are the names of the images the job runs on (see store.NewJob); the worker finds
	// them in its own image store.
	Images []string `json:"images,omitempty"`
	// LeaseMS is the lease; the worker heartbeats well within it.
	LeaseMS int64 `json:"lease_ms,omitempty"`
}

// claim starts an attempt of a queued job for a worker.
func (m *Master) claim(ctx context.Context, worker, jobID string) (Claim, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, err := m.st.Job(ctx, jobID)
	if errors.Is(err, store.ErrNotFound) {
		return Claim{JobID: jobID, Reason: "no such job"}, nil
	}
	if err != nil {
		return Claim{}, err
	}
	if j.State != store.JobQueued {
		return Claim{JobID: jobID, Reason: "the job is " + string(j.State)}, nil
	}
	a, err := m.st.StartAttempt(ctx, jobID, worker, time.Now().Add(m.cfg.Lease))
	if err != nil {
		return Claim{}, err
	}
	m.workers.startJob(worker, j, a.Number)
	m.metrics.dispatch.Observe(time.Since(j.CreatedAt).Seconds())
	return Claim{Run: true, JobID: jobID, Attempt: a.Number, Spec: j.Spec, Index: j.Index, Images: j.Images, LeaseMS: m.cfg.Lease.Milliseconds()}, nil
}

// errNotHeld refuses a worker that does not hold the attempt it names.
var errNotHeld = errors.New("the attempt is not held by this worker")

// holds checks, under m.mu, that the attempt is the job's latest, belongs to worker and runs (or,
// with done allowed, already committed its report: a retried upload).
func (m *Master) holds(ctx context.Context, worker, jobID string, number int, doneOK bool) (store.Job, store.Attempt, error) {
	j, err := m.st.Job(ctx, jobID)
	if errors.Is(err, store.ErrNotFound) {
		return store.Job{}, store.Attempt{}, fmt.Errorf("job %s: no such job: %w", jobID, errNotHeld)
	}
	if err != nil {
		return store.Job{}, store.Attempt{}, err
	}
	atts, err := m.st.Attempts(ctx, jobID)
	if err != nil {
		return store.Job{}, store.Attempt{}, err
	}
	if len(atts) == 0 || number < 1 || number != atts[len(atts)-1].Number {
		return store.Job{}, store.Attempt{}, fmt.Errorf("job %s attempt %d: not its latest attempt: %w", jobID, number, errNotHeld)
	}
	a := atts[len(atts)-1]
	if a.Worker != worker {
		return store.Job{}, store.Attempt{}, fmt.Errorf("job %s attempt %d is leased to another worker: %w", jobID, number, errNotHeld)
	}
	switch {
	case a.State == store.AttemptRunning && !j.State.Terminal():
		return j, a, nil
	case doneOK && a.State == store.AttemptDone && j.State == store.JobDone:
		return j, a, nil
	}
	return store.Job{}, store.Attempt{}, fmt.Errorf("job %s attempt %d is %s (job %s): %w", jobID, number, a.State, j.State, errNotHeld)
}

// heartbeat records that a worker is alive and renews the lease of the attempt it runs.
func (m *Master) heartbeat(ctx context.Context, worker, jobID string, number int) error {
	m.workers.seen(worker)
	if jobID == "" {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, _, err := m.holds(ctx, worker, jobID, number, false); err != nil {
		return err
	}
	if err := m.st.ExtendLease(ctx, jobID, number, time.Now().Add(m.cfg.Lease)); err != nil {
		if errors.Is(err, store.ErrStaleAttempt) {
			return fmt.Errorf("%w: %w", errNotHeld, err)
		}
		return err
	}
	return nil
}

// fail records a failure of an attempt a worker holds that left no report. A retryable failure
// (of the infrastructure) queues the job again or quarantines it; a permanent one (the job asks
// for what the worker cannot give, like an image it has not built) fails the job at once.
func (m *Master) fail(ctx context.Context, worker, jobID string, number int, reason string, permanent bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, _, err := m.holds(ctx, worker, jobID, number, false); err != nil {
		return err
	}
	m.workers.endJob(worker, jobID, number, "failed: "+reason, true)
	if !permanent {
		return m.retryOrQuarantine(ctx, jobID, number, reason)
	}
	if err := m.st.FailAttempt(ctx, jobID, number, reason); err != nil {
		return err
	}
	m.metrics.attempts.WithLabelValues("permanent-failure").Inc()
	return m.st.FinishJob(ctx, jobID, store.JobFailed, reason)
}

// retryOrQuarantine ends a failed attempt and queues the job again, or quarantines it once it
// used its attempts. Called with m.mu held.
func (m *Master) retryOrQuarantine(ctx context.Context, jobID string, number int, reason string) error {
	if err := m.st.FailAttempt(ctx, jobID, number, reason); err != nil {
		return err
	}
	m.metrics.attempts.WithLabelValues("infrastructure-failure").Inc()
	if number >= m.cfg.MaxAttempts {
		m.log.Warn("quarantining a job", "job", jobID, "attempts", number, "reason", reason)
		m.metrics.quarantined.Inc()
		return m.st.FinishJob(ctx, jobID, store.JobQuarantined,
			fmt.Sprintf("quarantined after %d attempts failed for infrastructure reasons; last: %s", number, reason))
	}
	if err := m.st.RequeueJob(ctx, jobID, "retrying: "+reason); err != nil {
		return err
	}
	j, err := m.st.Job(ctx, jobID)
	if err != nil {
		return err
	}
	// Publishing takes m.mu to note a failure; do it after this call returns.
	go m.publish(context.WithoutCancel(ctx), j)
	return nil
}

// reap takes back the attempts whose lease ended. For one lease after the master starts, leases
// that ended while it was down are left alone: their workers need a moment to reach it again.
func (m *Master) reap(ctx context.Context) error {
	if time.Since(m.started) < m.cfg.Lease {
		return nil
	}
	expired, err := m.st.ExpiredAttempts(ctx, time.Now())
	if err != nil {
		return err
	}
	for _, a := range expired {
		m.mu.Lock()
		err := m.reapOne(ctx, a)
		m.mu.Unlock()
		if err != nil {
			return err
		}
	}
	return nil
}

func (m *Master) reapOne(ctx context.Context, a store.Attempt) error {
	// Re-read under the lock: a heartbeat may have renewed it meanwhile.
	atts, err := m.st.Attempts(ctx, a.JobID)
	if err != nil {
		return err
	}
	for _, cur := range atts {
		if cur.Number == a.Number && (cur.State != store.AttemptRunning || cur.LeaseExpiry.After(time.Now())) {
			return nil
		}
	}
	reason := fmt.Sprintf("the lease of worker %s ended without a heartbeat (worker crashed or lost its connection)", a.Worker)
	m.log.Warn("taking back a job", "job", a.JobID, "attempt", a.Number, "worker", a.Worker)
	m.metrics.expired.Inc()
	m.workers.endJob(a.Worker, a.JobID, a.Number, "lease expired", true)
	return m.retryOrQuarantine(ctx, a.JobID, a.Number, reason)
}

// commit stores the report of an attempt a worker holds. A report whose verdict is error is
// PYTI's own failure: the attempt fails and the job is retried or quarantined. Every other
// verdict is the job's one result.
func (m *Master) commit(ctx context.Context, worker, jobID string, number int, rep *report.Report) (store.ReportSummary, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	j, att, err := m.holds(ctx, worker, jobID, number, true)
	if err != nil {
		return store.ReportSummary{}, err
	}
	if att.State == store.AttemptDone {
		// A retried upload of a committed report: the result stands, counted once.
		sr, err := m.st.Report(ctx, j.ReportID)
		if err != nil {
			return store.ReportSummary{}, err
		}
		return sr.ReportSummary, nil
	}
	for _, a := range rep.Artifacts {
		if a.SHA256 == "" {
			continue
		}
		rc, _, err := m.st.OpenBlob(ctx, a.SHA256)
		if err != nil {
			return store.ReportSummary{}, fmt.Errorf("artifact %q (%s) was not uploaded: %w", a.Path, a.SHA256, store.ErrInvalid)
		}
		rc.Close()
	}
	if rep.Verdict == report.VerdictError {
		reason := "PYTI failed: " + strings.TrimSpace(rep.Reason)
		m.workers.endJob(worker, jobID, number, "error: "+rep.Reason, true)
		return store.ReportSummary{}, m.retryOrQuarantine(ctx, jobID, number, reason)
	}
	sum, err := m.st.SaveReport(ctx, jobID, number, rep)
	if err != nil {
		return store.ReportSummary{}, err
	}
	m.workers.endJob(worker, jobID, number, string(rep.Verdict), false)
	m.metrics.attempts.WithLabelValues("result").Inc()
	m.metrics.observeReport(rep)
	return sum, nil
}

// Workers lists the workers the master has heard from, with their current job and history.
func (m *Master) Workers() []WorkerInfo { return m.workers.list() }
