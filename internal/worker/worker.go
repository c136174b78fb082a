package worker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/jobfs"
	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/report"
)

// Job is one attempt the master handed to this worker.
type Job struct {
	ID      string
	Attempt int
	Spec    string
	// Index is the index URL the job asks for; empty for the worker's default.
	Index string
	// Images names the images the job runs on: none for the host system, two or more for a
	// matrix ("host" is the host system).
	Images []string
	// Worker is the name of the worker running it.
	Worker string
}

// Runner runs one job's analysis in dir (a fresh, empty directory) and returns its report, whose
// artifact paths are relative to dir. An error is an infrastructure failure (retried), unless
// marked with Permanent (the job fails at once); a report is the result, whatever its verdict (a
// report with verdict error is retried too).
type Runner func(ctx context.Context, job Job, dir string) (*report.Report, error)

// Source hands out job notices; *queue.Queue is one.
type Source interface {
	Next(ctx context.Context) (*queue.Delivery, error)
}

// Config configures a worker.
type Config struct {
	// Server is the master's base URL (http://host:port); HTTPClient reaches it (default: a
	// client with timeouts). In-process workers pass a client whose transport calls the master's
	// handler directly.
	Server     string
	HTTPClient *http.Client
	// Token is the enrollment (worker) token; the worker registers with it and then uses its own.
	Token string
	// Name identifies the worker; it must be unique (default: host-pid).
	Name    string
	Version string
	Queue   Source
	Run     Runner
	// WorkDir holds one directory per attempt, removed afterwards unless KeepDirs.
	WorkDir  string
	KeepDirs bool
	// UploadFor bounds how long a result's upload is retried while the master is unreachable
	// (default 10 minutes).
	UploadFor time.Duration
	Logger    *slog.Logger
}

// Worker runs jobs one at a time.
type Worker struct {
	cfg    Config
	c      *client
	log    *slog.Logger
	mu     sync.Mutex
	jobID  string
	number int
}

// New makes a worker.
func New(cfg Config) (*Worker, error) {
	if cfg.Server == "" || cfg.Token == "" || cfg.Run == nil || cfg.WorkDir == "" {
		return nil, errors.New("worker: server, token, runner and work directory are required")
	}
	host, _ := os.Hostname()
	if cfg.Name == "" {
		cfg.Name = host + "-" + strconv.Itoa(os.Getpid())
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 10 * time.Minute}
	}
	if cfg.UploadFor <= 0 {
		cfg.UploadFor = 10 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &client{base: cfg.Server, http: cfg.HTTPClient, enrollment: cfg.Token, name: cfg.Name, host: host, version: cfg.Version}
	return &Worker{cfg: cfg, c: c, log: cfg.Logger.With("worker", cfg.Name)}, nil
}

// Name is the worker's name.
func (w *Worker) Name() string { return w.cfg.Name }

// Register introduces the worker to the master once; it fails when the master is unreachable or
// refuses the token.
func (w *Worker) Register(ctx context.Context) error {
	if err := w.c.register(ctx); err != nil {
		return fmt.Errorf("registering with the master at %s: %w", w.cfg.Server, err)
	}
	return nil
}

// Run registers (retrying while the master is unreachable) and runs jobs until ctx ends.
func (w *Worker) Run(ctx context.Context) error {
	if w.cfg.Queue == nil {
		return errors.New("worker: no queue to take jobs from")
	}
	for {
		err := w.Register(ctx)
		if err == nil {
			break
		}
		var se *StatusError
		if errors.As(err, &se) && se.Status == http.StatusUnauthorized {
			return err
		}
		w.log.Warn("master unreachable; retrying", "err", err)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
	w.log.Info("worker registered", "server", w.cfg.Server)
	go w.heartbeatLoop(ctx)
	for {
		d, err := w.cfg.Queue.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("taking a job off the queue: %w", err)
		}
		w.handle(ctx, d)
	}
}

// every is how often the worker heartbeats: a quarter of the lease.
func (w *Worker) every() time.Duration {
	if l := w.c.leaseDuration(); l > 0 {
		return max(l/4, 100*time.Millisecond)
	}
	return 5 * time.Second
}

// heartbeatLoop tells the master the worker lives while it is idle (a running job heartbeats for
// itself, naming the attempt).
func (w *Worker) heartbeatLoop(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.every()):
		}
		w.mu.Lock()
		busy := w.jobID != ""
		w.mu.Unlock()
		if !busy {
			if err := w.c.postJSON(ctx, "heartbeat", master.HeartbeatRequest{}, nil); err != nil && ctx.Err() == nil {
				w.log.Debug("heartbeat", "err", err)
			}
		}
	}
}

// handle claims, runs, uploads and acknowledges one notice.
func (w *Worker) handle(ctx context.Context, d *queue.Delivery) {
	log := w.log.With("job", d.Notice.JobID)
	var claim master.Claim
	err := w.retrying(ctx, time.Minute, func(ctx context.Context) error {
		return w.c.postJSON(ctx, "claim", master.ClaimRequest{JobID: d.Notice.JobID}, &claim)
	})
	if err != nil {
		if ctx.Err() == nil {
			log.Warn("claiming a job; handing it back", "err", err)
		}
		_ = d.Nak(5 * time.Second)
		return
	}
	if !claim.Run {
		log.Debug("not running a job", "reason", claim.Reason)
		w.ack(ctx, d, log)
		return
	}
	job := Job{ID: claim.JobID, Attempt: claim.Attempt, Spec: claim.Spec, Index: claim.Index, Images: claim.Images, Worker: w.cfg.Name}
	log = log.With("attempt", job.Attempt, "spec", job.Spec)
	log.Info("running a job")
	w.mu.Lock()
	w.jobID, w.number = job.ID, job.Attempt
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		w.jobID, w.number = "", 0
		w.mu.Unlock()
	}()

	jobCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	hbDone := make(chan struct{})
	go func() {
		defer close(hbDone)
		w.heartbeatJob(jobCtx, d, job, cancel, log)
	}()
	defer func() { cancel(nil); <-hbDone }()

	dir := filepath.Join(w.cfg.WorkDir, fmt.Sprintf("%s-%d", job.ID, job.Attempt))
	if err := os.RemoveAll(dir); err != nil {
		log.Warn("clearing the job directory", "err", err)
	}
	if !w.cfg.KeepDirs {
		defer os.RemoveAll(dir)
	}
	rep, runErr := w.cfg.Run(jobCtx, job, dir)
	if cause := context.Cause(jobCtx); cause != nil && ctx.Err() == nil && !errors.Is(cause, context.Canceled) {
		// The master took the attempt back (cancelled, requeued, or given to another worker).
		log.Info("abandoning a job", "reason", cause)
		w.ack(ctx, d, log)
		return
	}
	if ctx.Err() != nil {
		// Shutting down: say so, so the job is retried at once rather than after its lease.
		fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer fcancel()
		if err := w.c.postJSON(fctx, fmt.Sprintf("jobs/%s/attempts/%d/fail", job.ID, job.Attempt), master.FailRequest{Error: "the worker shut down"}, nil); err == nil {
			w.ack(fctx, d, log)
		}
		return
	}
	if runErr != nil {
		permanent := IsPermanent(runErr)
		log.Warn("the analysis failed", "err", runErr, "permanent", permanent)
		fr := master.FailRequest{Error: runErr.Error(), Permanent: permanent}
		err = w.retrying(ctx, w.cfg.UploadFor, func(ctx context.Context) error {
			return w.c.postJSON(ctx, fmt.Sprintf("jobs/%s/attempts/%d/fail", job.ID, job.Attempt), fr, nil)
		})
	} else {
		err = w.retrying(ctx, w.cfg.UploadFor, func(ctx context.Context) error { return w.upload(ctx, job, dir, rep) })
	}
	switch {
	case err == nil:
		log.Info("job committed", "verdict", verdictOf(rep, runErr))
		w.ack(ctx, d, log)
	case refused(err):
		log.Warn("the master refused the result; the attempt is no longer this worker's", "err", err)
		w.ack(ctx, d, log)
	default:
		log.Warn("could not deliver the result; the job will be retried after its lease", "err", err)
		_ = d.Nak(w.c.leaseDuration())
	}
}

func verdictOf(rep *report.Report, err error) string {
	if err != nil || rep == nil {
		return "infrastructure failure"
	}
	return string(rep.Verdict)
}

func (w *Worker) ack(ctx context.Context, d *queue.Delivery, log *slog.Logger) {
	actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if err := d.Ack(actx); err != nil {
		// The notice comes back later; the master's claim then drops it.
		log.Warn("acknowledging a job notice", "err", err)
	}
}

// heartbeatJob renews the attempt's lease and the notice's ack wait until ctx ends; when the
// master says the attempt is no longer this worker's, it cancels the job.
func (w *Worker) heartbeatJob(ctx context.Context, d *queue.Delivery, job Job, cancel context.CancelCauseFunc, log *slog.Logger) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(w.every()):
		}
		if err := d.Progress(); err != nil {
			log.Debug("telling JetStream of progress", "err", err)
		}
		hctx, hcancel := context.WithTimeout(ctx, w.every())
		err := w.c.postJSON(hctx, "heartbeat", master.HeartbeatRequest{JobID: job.ID, Attempt: job.Attempt}, nil)
		hcancel()
		if refused(err) {
			cancel(fmt.Errorf("the master took the attempt back: %w", err))
			return
		}
		if err != nil && ctx.Err() == nil {
			log.Debug("heartbeat", "err", err)
		}
	}
}

// retrying calls fn until it succeeds, the master refuses, ctx ends or the time is up.
func (w *Worker) retrying(ctx context.Context, limit time.Duration, fn func(ctx context.Context) error) error {
	deadline := time.Now().Add(limit)
	wait := 250 * time.Millisecond
	for {
		err := fn(ctx)
		if err == nil || refused(err) || ctx.Err() != nil || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

// upload sends the artifacts and then the report; the report names each artifact by the digest
// the master computed of the bytes it stored.
func (w *Worker) upload(ctx context.Context, job Job, dir string, rep *report.Report) error {
	out := *rep
	out.Artifacts = make([]report.Artifact, 0, len(rep.Artifacts))
	base := fmt.Sprintf("jobs/%s/attempts/%d/", job.ID, job.Attempt)
	for _, a := range rep.Artifacts {
		if a.Path == "" || !filepath.IsLocal(a.Path) {
			continue
		}
		p := filepath.Join(dir, a.Path)
		// Only a regular file below the job directory, never through a link: a job's code may
		// have left links to host files wherever it could write.
		f, err := jobfs.Open(dir, p)
		if err != nil {
			continue
		}
		f.Close()
		var b master.BlobResponse
		err = w.c.do(ctx, http.MethodPut, base+"blobs", func() io.Reader { return openOrFail(dir, p) }, "application/octet-stream", &b)
		if err != nil {
			return fmt.Errorf("uploading %s: %w", a.Path, err)
		}
		a.SHA256, a.Size = b.SHA256, b.Size
		out.Artifacts = append(out.Artifacts, a)
	}
	return w.c.postJSON(ctx, base+"report", &out, nil)
}

// openOrFail opens a file to upload; a file that cannot be opened makes the upload fail.
func openOrFail(dir, p string) io.Reader {
	f, err := jobfs.Open(dir, p)
	if err != nil {
		return &errReader{err: err}
	}
	return f
}

type errReader struct{ err error }

func (r *errReader) Read([]byte) (int, error) { return 0, r.err }
