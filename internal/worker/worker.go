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
	stopFn context.CancelCauseFunc
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
	for !w.c.registered() {
		err := w.Register(ctx)
		if err == nil {
			// The master logs the registration; once is enough at info.
			w.log.Debug("registered with the master", "server", w.cfg.Server)
			break
		}
		var se *StatusError
		if errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden) {
			return err
		}
		if errors.As(err, &se) && se.Status == http.StatusConflict {
			w.log.Warn("the master knows a live worker of this name; retrying", "err", err)
		} else {
			w.log.Warn("master unreachable; retrying", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(2 * time.Second):
		}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	w.mu.Lock()
	w.stopFn = cancel
	w.mu.Unlock()
	go w.heartbeatLoop(ctx)
	for {
		d, err := w.cfg.Queue.Next(ctx)
		if err != nil {
			if ctx.Err() != nil {
				if cause := context.Cause(ctx); errors.Is(cause, ErrUnregistered) {
					return cause
				}
				return nil
			}
			return fmt.Errorf("taking a job off the queue: %w", err)
		}
		w.handle(ctx, d)
	}
}

// stop ends Run with err: the master no longer accepts this worker.
func (w *Worker) stop(err error) {
	w.mu.Lock()
	stop := w.stopFn
	w.mu.Unlock()
	if stop != nil {
		stop(err)
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
			err := w.c.postJSON(ctx, "heartbeat", master.HeartbeatRequest{}, nil)
			if errors.Is(err, ErrUnregistered) {
				w.log.Error("the master no longer accepts this worker", "err", err)
				w.stop(err)
				return
			}
			if err != nil && ctx.Err() == nil {
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
		return w.c.postJSON(ctx, "claim", master.ClaimRequest{JobID: d.Notice.JobID, Generation: d.Notice.Generation, Ticket: d.Notice.Ticket}, &claim)
	})
	if errors.Is(err, ErrUnregistered) {
		log.Error("the master no longer accepts this worker; handing the notice back", "err", err)
		_ = d.Nak(0)
		w.stop(err)
		return
	}
	if refused(err) {
		// A notice the master does not stand by (not signed with its key): drop it. The master
		// publishes a notice of every queued job when it starts.
		log.Warn("the master refused the claim of a notice; dropping it", "err", err)
		w.ack(ctx, d, log)
		return
	}
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
	// On shutdown the attempt is handed back at once, while the analysis winds down (a sandbox
	// may take seconds to stop): the job is queued again without waiting for it.
	runDone := make(chan struct{})
	handedBack := make(chan error, 1)
	go func() {
		select {
		case <-ctx.Done():
			handedBack <- w.handBack(ctx, job, log)
		case <-runDone:
			handedBack <- errNotHandedBack
		}
	}()
	rep, runErr := w.cfg.Run(jobCtx, job, dir)
	close(runDone)
	hbErr := <-handedBack
	if cause := context.Cause(jobCtx); cause != nil && ctx.Err() == nil && !errors.Is(cause, context.Canceled) {
		// The master took the attempt back (cancelled, requeued, or given to another worker).
		log.Info("abandoning a job", "reason", cause)
		w.ack(ctx, d, log)
		return
	}
	if ctx.Err() != nil {
		// Shutting down: the attempt goes back, so the job is queued again at once rather than
		// after its lease, without using up one of its attempts.
		if errors.Is(hbErr, errNotHandedBack) {
			hbErr = w.handBack(ctx, job, log)
		}
		if hbErr == nil {
			w.ack(ctx, d, log)
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

// errNotHandedBack: the analysis ended before the worker began to stop.
var errNotHandedBack = errors.New("not handed back")

// handBack gives an attempt back to the master as the worker stops.
func (w *Worker) handBack(ctx context.Context, job Job, log *slog.Logger) error {
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	fr := master.FailRequest{Error: "the worker " + w.cfg.Name + " shut down", Released: true}
	err := w.c.postJSON(fctx, fmt.Sprintf("jobs/%s/attempts/%d/fail", job.ID, job.Attempt), fr, nil)
	if err != nil {
		log.Warn("handing a job back on shutdown; it is retried after its lease", "err", err)
		return err
	}
	log.Info("handed a job back on shutdown")
	return nil
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
		if refused(err) || errors.Is(err, ErrUnregistered) {
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
		err = w.c.do(ctx, http.MethodPut, base+"blobs?kind="+master.BlobKind(a), func() io.Reader { return openOrFail(dir, p) }, "application/octet-stream", &b)
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
