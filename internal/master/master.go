package master

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
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
	// JobIndexes are the indexes a job may name besides none (the workers' own); see IndexPolicy.
	JobIndexes []string
	// ClaimKey signs the tickets of job notices, so that only a worker that took a notice off the
	// queue can claim its job. Keep it across restarts (pyti serve keeps DATA-DIR/claim.key);
	// empty means a random key for this master's life.
	ClaimKey []byte
	// WorkersFile keeps the workers' credentials (hashed) and revocations across restarts; empty
	// keeps them in memory only.
	WorkersFile string
	Logger      *slog.Logger
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
	policy  IndexPolicy
	// uploads remembers, per held attempt, the blobs uploaded for it and their kinds.
	uploads map[attemptKey]map[string]uploaded

	// mu serialises the decisions about one attempt (claim, heartbeat, commit, fail, reap,
	// cancel, requeue), so that a check of who holds a job and the write that depends on it
	// cannot interleave with another.
	mu sync.Mutex
	// unpublished holds queued jobs whose notice could not be published yet.
	unpublished map[string]bool
}

// The defaults of Config.Lease and Config.MaxAttempts (pyti serve's flags show them).
const (
	DefaultLease       = 60 * time.Second
	DefaultMaxAttempts = 3
)

// New makes a master; Run starts its background work.
func New(cfg Config) (*Master, error) {
	if cfg.Store == nil || cfg.Queue == nil {
		return nil, errors.New("master: a store and a queue are required")
	}
	if cfg.CommandToken == "" || cfg.WorkerToken == "" {
		return nil, errors.New("master: a command token and a worker token are required")
	}
	if cfg.Lease <= 0 {
		cfg.Lease = DefaultLease
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = DefaultMaxAttempts
	}
	if cfg.ReapEvery <= 0 {
		cfg.ReapEvery = cfg.Lease / 4
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	policy, err := NewIndexPolicy(cfg.JobIndexes)
	if err != nil {
		return nil, fmt.Errorf("master: %w", err)
	}
	if len(cfg.ClaimKey) == 0 {
		cfg.ClaimKey = make([]byte, 32)
		if _, err := rand.Read(cfg.ClaimKey); err != nil {
			return nil, err
		}
	}
	reg, err := newRegistry(cfg.Lease, cfg.WorkersFile)
	if err != nil {
		return nil, fmt.Errorf("master: %w", err)
	}
	m := &Master{cfg: cfg, st: cfg.Store, q: cfg.Queue, log: cfg.Logger, workers: reg, policy: policy,
		started: time.Now(), unpublished: map[string]bool{}, uploads: map[attemptKey]map[string]uploaded{}}
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
	err := m.q.Publish(pctx, queue.Notice{JobID: j.ID, Spec: j.Spec, Generation: j.Attempts, Ticket: m.ticket(j.ID, j.Attempts)})
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

// CheckJob checks one job against the bounds and the index policy, as Submit does.
func (m *Master) CheckJob(j store.NewJob) error { return m.policy.CheckJob(j) }

// Submit creates jobs and queues them. A job that breaks a bound or the index policy is refused
// with a *PolicyError (errors.Is store.ErrInvalid) before any job is created.
func (m *Master) Submit(ctx context.Context, reqs []store.NewJob) ([]store.Job, error) {
	checked := make([]store.NewJob, len(reqs))
	for i, r := range reqs {
		if err := m.policy.CheckJob(r); err != nil {
			return nil, fmt.Errorf("job %d: %w", i+1, err)
		}
		if r.Index != "" {
			// The index as the policy allowed it, normalised.
			r.Index, _ = normalizeIndex(r.Index)
		}
		checked[i] = r
	}
	jobs := make([]store.Job, 0, len(reqs))
	for _, r := range checked {
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

// ticket signs a notice: only a worker that took the notice off the queue knows it, so a job
// cannot be claimed by its ID alone.
func (m *Master) ticket(jobID string, generation int) string {
	mac := hmac.New(sha256.New, m.cfg.ClaimKey)
	mac.Write([]byte(jobID + "\x00" + strconv.Itoa(generation)))
	return hex.EncodeToString(mac.Sum(nil))
}

// errBadTicket refuses a claim without the notice's ticket.
var errBadTicket = errors.New("the claim does not carry the ticket of a notice the queue handed out")

// claim starts an attempt of a queued job for a worker that took its notice off the queue.
func (m *Master) claim(ctx context.Context, worker string, req ClaimRequest) (Claim, error) {
	jobID := req.JobID
	if !hmac.Equal([]byte(req.Ticket), []byte(m.ticket(jobID, req.Generation))) {
		return Claim{}, fmt.Errorf("job %s: %w: %w", jobID, errBadTicket, errNotHeld)
	}
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
	if req.Generation != j.Attempts {
		// A notice of an earlier round of the job: the current round has its own notice.
		return Claim{JobID: jobID, Reason: fmt.Sprintf("a stale notice (of attempt %d; the job had %d)", req.Generation+1, j.Attempts)}, nil
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
func (m *Master) fail(ctx context.Context, worker, jobID string, number int, reason string, permanent, released bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, _, err := m.holds(ctx, worker, jobID, number, false); err != nil {
		return err
	}
	delete(m.uploads, attemptKey{jobID, number})
	if released {
		m.workers.endJob(worker, jobID, number, releasedPrefix+reason, false)
		return m.release(ctx, jobID, number, reason)
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

// releasedPrefix starts the error of an attempt its worker handed back unfinished, when it shut
// down: such an attempt does not count against MaxAttempts.
const releasedPrefix = "handed back: "

// maxHandBacks bounds the attempts a job may have handed back before it is quarantined.
const maxHandBacks = 20

// release ends an attempt its worker handed back on a graceful stop and queues the job again,
// without using up one of its attempts. Called with m.mu held.
func (m *Master) release(ctx context.Context, jobID string, number int, reason string) error {
	if err := m.st.FailAttempt(ctx, jobID, number, releasedPrefix+reason); err != nil {
		return err
	}
	m.metrics.attempts.WithLabelValues("handed-back").Inc()
	atts, err := m.st.Attempts(ctx, jobID)
	if err != nil {
		return err
	}
	if len(atts) > maxHandBacks+m.cfg.MaxAttempts {
		// A worker that hands the job back again and again is not stopping gracefully.
		m.metrics.quarantined.Inc()
		return m.st.FinishJob(ctx, jobID, store.JobQuarantined, fmt.Sprintf("quarantined after %d attempts, most handed back unfinished", len(atts)))
	}
	return m.requeue(ctx, jobID, releasedPrefix+reason)
}

// failures counts a job's attempts that failed, leaving out those handed back on a graceful stop.
func (m *Master) failures(ctx context.Context, jobID string) (int, error) {
	atts, err := m.st.Attempts(ctx, jobID)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range atts {
		if a.State == store.AttemptFailed && !strings.HasPrefix(a.Error, releasedPrefix) {
			n++
		}
	}
	return n, nil
}

// retryOrQuarantine ends a failed attempt and queues the job again, or quarantines it once it
// used its attempts. Called with m.mu held.
func (m *Master) retryOrQuarantine(ctx context.Context, jobID string, number int, reason string) error {
	if err := m.st.FailAttempt(ctx, jobID, number, reason); err != nil {
		return err
	}
	m.metrics.attempts.WithLabelValues("infrastructure-failure").Inc()
	failed, err := m.failures(ctx, jobID)
	if err != nil {
		return err
	}
	if failed >= m.cfg.MaxAttempts {
		m.log.Warn("quarantining a job", "job", jobID, "attempts", number, "failed", failed, "reason", reason)
		m.metrics.quarantined.Inc()
		return m.st.FinishJob(ctx, jobID, store.JobQuarantined,
			fmt.Sprintf("quarantined after %d attempts failed for infrastructure reasons; last: %s", failed, reason))
	}
	return m.requeue(ctx, jobID, "retrying: "+reason)
}

// requeue queues a job whose attempt ended and publishes its notice. Called with m.mu held.
func (m *Master) requeue(ctx context.Context, jobID, reason string) error {
	if err := m.st.RequeueJob(ctx, jobID, reason); err != nil {
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
	delete(m.uploads, attemptKey{a.JobID, a.Number})
	return m.retryOrQuarantine(ctx, a.JobID, a.Number, reason)
}

// commit stores the report of an attempt a worker holds, once it passed checkReport against the
// job. A report whose verdict is error is PYTI's own failure: the attempt fails and the job is
// retried or quarantined. Every other verdict, not-found included, is the job's one result.
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
	if err := checkReport(j, rep); err != nil {
		return store.ReportSummary{}, fmt.Errorf("the report of job %s attempt %d: %w: %w", jobID, number, err, store.ErrInvalid)
	}
	uploaded := m.uploads[attemptKey{jobID, number}]
	for _, a := range rep.Artifacts {
		if a.SHA256 == "" {
			continue
		}
		up, ok := uploaded[a.SHA256]
		kind := up.kind
		if !ok {
			// Never uploaded for this attempt (or before the master restarted): the worker
			// uploads its files again with the report.
			return store.ReportSummary{}, fmt.Errorf("artifact %q (%s) was not uploaded for this attempt: %w", a.Path, a.SHA256, errUploadAgain)
		}
		if want := kindOf(a); kind != want {
			return store.ReportSummary{}, fmt.Errorf("artifact %q was uploaded as %s, but is %s: %w", a.Path, kind, want, store.ErrInvalid)
		}
		rc, _, err := m.st.OpenBlob(ctx, a.SHA256)
		if err != nil {
			return store.ReportSummary{}, fmt.Errorf("artifact %q (%s) was not uploaded: %w", a.Path, a.SHA256, errUploadAgain)
		}
		rc.Close()
	}
	if rep.Verdict == report.VerdictError {
		reason := "PYTI failed: " + strings.TrimSpace(rep.Reason)
		m.workers.endJob(worker, jobID, number, "error: "+rep.Reason, true)
		delete(m.uploads, attemptKey{jobID, number})
		return store.ReportSummary{}, m.retryOrQuarantine(ctx, jobID, number, reason)
	}
	if rep.Verdict == report.VerdictNotFound && strings.TrimSpace(rep.Project) == "" {
		// The index has no such project: the report is filed under the name the job asked for.
		rep.Project = specName(j.Spec)
	}
	sum, err := m.st.SaveReport(ctx, jobID, number, rep)
	if err != nil {
		return store.ReportSummary{}, err
	}
	delete(m.uploads, attemptKey{jobID, number})
	m.workers.endJob(worker, jobID, number, string(rep.Verdict), false)
	m.metrics.attempts.WithLabelValues("result").Inc()
	m.metrics.observeReport(rep)
	return sum, nil
}

// Workers lists the workers the master has heard from, with their current job and history.
func (m *Master) Workers() []WorkerInfo { return m.workers.list() }

// takeBack ends the running attempts of a worker that is gone (its name was registered again, or
// it was revoked), queueing their jobs again or quarantining them.
func (m *Master) takeBack(ctx context.Context, worker, reason string) {
	cursor := ""
	for {
		page, err := m.st.Jobs(ctx, store.JobQuery{States: []store.JobState{store.JobRunning}, Cursor: cursor, Limit: store.MaxLimit})
		if err != nil {
			m.log.Warn("taking back a worker's jobs", "worker", worker, "err", err)
			return
		}
		for _, j := range page.Jobs {
			m.mu.Lock()
			atts, err := m.st.Attempts(ctx, j.ID)
			if err == nil && len(atts) > 0 {
				a := atts[len(atts)-1]
				if a.Worker == worker && a.State == store.AttemptRunning {
					m.log.Warn("taking back a job", "job", j.ID, "attempt", a.Number, "worker", worker, "reason", reason)
					m.workers.endJob(worker, j.ID, a.Number, "taken back: "+reason, true)
					delete(m.uploads, attemptKey{j.ID, a.Number})
					err = m.retryOrQuarantine(ctx, j.ID, a.Number, reason)
				}
			}
			m.mu.Unlock()
			if err != nil {
				m.log.Warn("taking back a worker's jobs", "worker", worker, "job", j.ID, "err", err)
			}
		}
		if page.Next == "" {
			return
		}
		cursor = page.Next
	}
}

// Revoke withdraws a worker's credential: its requests are refused from now on, its name cannot
// be registered again, and the attempts it runs go back to the queue.
func (m *Master) Revoke(ctx context.Context, worker string) (bool, error) {
	known, err := m.workers.revoke(worker)
	if err != nil {
		return known, err
	}
	m.log.Warn("worker revoked", "worker", worker)
	m.takeBack(ctx, worker, "worker "+worker+" was revoked")
	return known, nil
}
