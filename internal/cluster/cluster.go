// Package cluster runs the master side of pyti serve: the job queue (an embedded NATS server
// with JetStream, or an external NATS), the master with its APIs, the follower of an index's
// feeds and the in-process workers. Start starts them in that order; Stop stops them in the
// reverse order, the workers first, so that their running attempts go back to the queue. The
// HTTP server that serves the cluster's Mounts is the caller's (pyti serve's).
package cluster

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/buildinfo"
	"github.com/pyti/pyti/internal/follow"
	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/worker"
)

// Config configures a cluster.
type Config struct {
	// DataDir holds the tokens, the embedded NATS server's JetStream store, the workers file,
	// the follower's position and the in-process workers' work space (WorkDir).
	DataDir string
	// Store keeps the jobs and reports; it must implement store.Scheduling (the SQLite store does).
	Store store.Store
	// Workers is the number of in-process workers; -1 means one per two cores, 0 none.
	Workers int
	// NewRunner makes what the in-process workers run jobs with; it is called only when there
	// are in-process workers, and its error (a machine that cannot run analyses) stops Start.
	NewRunner func() (worker.Runner, error)
	// NATSURL connects to an external NATS server or cluster; empty runs one embedded,
	// listening on NATSListen (host:port; port 0 is a free port).
	NATSURL    string
	NATSListen string
	// Replicas of the job stream (3 on a three-node NATS cluster).
	Replicas int
	// CommandToken and WorkerToken: empty means read DataDir/command.token and
	// DataDir/worker.token, creating them the first time.
	CommandToken string
	WorkerToken  string
	// Lease is how long a job stays a silent worker's; MaxAttempts bounds the attempts of a job
	// failing for infrastructure reasons (see master.Config).
	Lease       time.Duration
	MaxAttempts int
	// JobIndexes are the indexes a job may name (master.IndexPolicy).
	JobIndexes []string
	// Follow, when not nil, follows an index's feeds and submits its new releases. Start sets
	// its Submit, and its StatePath (DataDir/follow.json), UserAgent and Logger when empty.
	Follow *follow.Config
	Logger *slog.Logger
}

// Mount is one handler for the serving mux.
type Mount struct {
	Pattern string
	Handler http.Handler
}

// Cluster is a running master with its queue, follower and in-process workers.
type Cluster struct {
	Master       *master.Master
	NATSURL      string
	CommandToken string
	WorkerToken  string
	// Mounts are the master's APIs and metrics, for the caller's mux.
	Mounts []Mount
	stop   func()
}

// Stop stops the workers (their running attempts go back to the queue), the follower, the
// master and the queue, in that order.
func (c *Cluster) Stop() { c.stop() }

// WorkDir is the in-process workers' work directory inside the data directory.
func WorkDir(dataDir string) string { return filepath.Join(dataDir, "work") }

// Start starts the job queue (an embedded NATS server unless cfg.NATSURL names one), the master,
// the follower and cfg.Workers in-process workers. The caller mounts c.Mounts on its mux before
// it listens and calls c.Stop after its HTTP server has shut down.
func Start(ctx context.Context, cfg Config) (*Cluster, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	mst, ok := cfg.Store.(master.Store)
	if !ok {
		return nil, fmt.Errorf("the store %T cannot schedule jobs (it lacks store.Scheduling)", cfg.Store)
	}
	var err error
	c := &Cluster{CommandToken: cfg.CommandToken, WorkerToken: cfg.WorkerToken}
	if c.CommandToken == "" {
		if c.CommandToken, err = loadOrCreateToken(filepath.Join(cfg.DataDir, "command.token")); err != nil {
			return nil, err
		}
	}
	if c.WorkerToken == "" {
		if c.WorkerToken, err = loadOrCreateToken(filepath.Join(cfg.DataDir, "worker.token")); err != nil {
			return nil, err
		}
	}
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	c.NATSURL = cfg.NATSURL
	if c.NATSURL == "" {
		host, port, err := splitHostPort(cfg.NATSListen)
		if err != nil {
			return nil, fmt.Errorf("the embedded NATS server's address %q: %w", cfg.NATSListen, err)
		}
		srv, err := queue.StartServer(queue.ServerConfig{Dir: filepath.Join(cfg.DataDir, "nats"), Host: host, Port: port, Token: c.WorkerToken})
		if err != nil {
			return nil, err
		}
		stops = append(stops, srv.Shutdown)
		c.NATSURL = srv.ClientURL()
	}
	q, err := queue.Connect(ctx, queue.Config{URL: c.NATSURL, Token: c.WorkerToken, Name: "pyti master", Replicas: cfg.Replicas,
		AckWait: cfg.Lease, Logger: cfg.Logger})
	if err != nil {
		stopAll()
		return nil, err
	}
	stops = append(stops, q.Close)
	sctx, cancel := context.WithTimeout(ctx, time.Minute)
	err = q.Setup(sctx)
	cancel()
	if err != nil {
		stopAll()
		return nil, err
	}
	claimKey, err := loadOrCreateToken(filepath.Join(cfg.DataDir, "claim.key"))
	if err != nil {
		stopAll()
		return nil, err
	}
	m, err := master.New(master.Config{Store: mst, Queue: q, CommandToken: c.CommandToken, WorkerToken: c.WorkerToken,
		Lease: cfg.Lease, MaxAttempts: cfg.MaxAttempts, JobIndexes: cfg.JobIndexes, ClaimKey: []byte(claimKey),
		WorkersFile: filepath.Join(cfg.DataDir, "workers.json"), Logger: cfg.Logger})
	if err != nil {
		stopAll()
		return nil, err
	}
	c.Master = m
	runCtx, cancelRun := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := m.Run(runCtx); err != nil {
			cfg.Logger.Error("the master stopped", "err", err)
		}
	}()
	stops = append(stops, func() { cancelRun(); wg.Wait() })
	raw := m.RawHandler()
	c.Mounts = []Mount{
		{Pattern: master.CommandPrefix, Handler: m.CommandHandler()},
		{Pattern: master.RawPrefix, Handler: raw},
		{Pattern: "GET /metrics", Handler: m.MetricsHandler()},
		{Pattern: "GET /api/v1/workers", Handler: m.WorkersHandler()},
	}

	if cfg.Follow != nil {
		if err := startFollower(runCtx, &wg, m, cfg); err != nil {
			stopAll()
			return nil, err
		}
	}
	n := cfg.Workers
	if n < 0 {
		n = max(1, runtime.NumCPU()/2)
	}
	if n > 0 {
		if err := startLocalWorkers(runCtx, &wg, c, raw, n, cfg); err != nil {
			stopAll()
			return nil, err
		}
	}
	c.stop = stopAll
	return c, nil
}

// startFollower follows the index and submits what it finds to the master.
func startFollower(ctx context.Context, wg *sync.WaitGroup, m *master.Master, cfg Config) error {
	fc := *cfg.Follow
	if fc.StatePath == "" {
		fc.StatePath = filepath.Join(cfg.DataDir, "follow.json")
	}
	if fc.UserAgent == "" {
		fc.UserAgent = buildinfo.UserAgent()
	}
	if fc.Logger == nil {
		fc.Logger = cfg.Logger
	}
	fc.Submit = func(ctx context.Context, rs []follow.Release) error {
		jobs := make([]store.NewJob, 0, len(rs))
		for _, r := range rs {
			// A feed entry the policy refuses (a hostile name, a spec too long) is skipped, so
			// that it cannot hold the feed's position back for good.
			if err := m.CheckJob(store.NewJob{Spec: r.Spec()}); err != nil {
				cfg.Logger.Warn("following: skipping a release the job policy refuses", "err", err)
				continue
			}
			jobs = append(jobs, store.NewJob{Spec: r.Spec()})
		}
		if len(jobs) == 0 {
			return nil
		}
		_, err := m.Submit(ctx, jobs)
		return err
	}
	f, err := follow.New(fc)
	if err != nil {
		return err
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = f.Run(ctx)
	}()
	return nil
}

// startLocalWorkers runs n workers in this process. They reach the master's Raw Data API through
// its handler, without a socket, and the queue over NATS like any worker.
func startLocalWorkers(ctx context.Context, wg *sync.WaitGroup, c *Cluster, raw http.Handler, n int, cfg Config) error {
	if cfg.NewRunner == nil {
		return errors.New("in-process workers need a runner (Config.NewRunner)")
	}
	run, err := cfg.NewRunner()
	if err != nil {
		return err
	}
	dir := WorkDir(cfg.DataDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := worker.CleanWorkDir(dir); err != nil {
		return fmt.Errorf("cleaning what a killed serve left in %s: %w", dir, err)
	}
	host, _ := os.Hostname()
	httpClient := &http.Client{Transport: handlerTransport{h: raw}}
	for i := range n {
		q, err := queue.Connect(ctx, queue.Config{URL: c.NATSURL, Token: c.WorkerToken, Name: fmt.Sprintf("pyti in-process worker %d", i+1), Logger: cfg.Logger})
		if err != nil {
			return err
		}
		if err := q.Bind(ctx); err != nil {
			q.Close()
			return err
		}
		w, err := worker.New(worker.Config{Server: "http://in-process", HTTPClient: httpClient, Token: c.WorkerToken,
			Name: fmt.Sprintf("%s-%d-local%d", host, os.Getpid(), i+1), Version: buildinfo.Read().Version,
			Queue: q, Run: run, WorkDir: dir, Logger: cfg.Logger})
		if err != nil {
			q.Close()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer q.Close()
			if err := w.Run(ctx); err != nil {
				cfg.Logger.Error("an in-process worker stopped", "worker", w.Name(), "err", err)
			}
		}()
	}
	return nil
}

// handlerTransport serves requests with a handler in this process.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

// loadOrCreateToken reads a token file, creating it (mode 0600) with a random token if missing.
func loadOrCreateToken(path string) (string, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		if t := strings.TrimSpace(string(data)); t != "" {
			return t, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("reading a token: %w", err)
	}
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	t := hex.EncodeToString(b[:])
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(path, []byte(t+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("writing a token: %w", err)
	}
	return t, nil
}

func splitHostPort(addr string) (string, int, error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err := strconv.Atoi(p)
	if err != nil {
		return "", 0, fmt.Errorf("port %q: %w", p, err)
	}
	if port == 0 {
		port = -1 // a free port
	}
	return host, port, nil
}
