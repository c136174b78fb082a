package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
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
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/worker"
)

// clusterOptions configure the master side of `pyti serve`: the job queue, the master's APIs and
// the in-process workers.
type clusterOptions struct {
	// dataDir is serve's data directory: tokens, the embedded NATS server's JetStream store and
	// the in-process workers' work space live there.
	dataDir string
	// workers is the number of in-process workers; -1 means one per two cores.
	workers int
	// natsURL connects to an external NATS server or cluster; empty runs one embedded,
	// listening on natsListen.
	natsURL    string
	natsListen string
	replicas   int
	// commandToken and workerToken: empty means read DATA-DIR/command.token and
	// DATA-DIR/worker.token, creating them the first time.
	commandToken string
	workerToken  string
	lease        time.Duration
	maxAttempts  int
	// jobIndexes are the indexes a job may name (master.IndexPolicy).
	jobIndexes string
	analysis   *analysisConfig
	follow     followFlags
}

// followFlags configure following an index for new uploads.
type followFlags struct {
	enabled    bool
	baseURL    string
	include    string
	exclude    string
	onlyNew    bool
	maxPerHour int
	interval   time.Duration
}

// registerClusterFlags adds the cluster flags to serve's flag set.
func registerClusterFlags(fs *flag.FlagSet) *clusterOptions {
	o := &clusterOptions{}
	fs.IntVar(&o.workers, "workers", -1, "in-process workers (default one per two cores; 0: master only)")
	fs.StringVar(&o.natsURL, "nats", "", "external NATS server(s) for the job queue, comma-separated (default: an embedded server with JetStream in DATA-DIR/nats)")
	fs.StringVar(&o.natsListen, "nats-listen", "127.0.0.1:4222", "address of the embedded NATS server (workers on other machines connect here)")
	fs.IntVar(&o.replicas, "nats-replicas", 1, "replicas of the job stream (3 on a three-node NATS cluster)")
	fs.StringVar(&o.commandToken, "token", "", "bearer token of the Command API, from PYTI_TOKEN or the config file, never the command line (default: DATA-DIR/command.token, created if missing)")
	fs.StringVar(&o.workerToken, "worker-token", "", "enrollment token with which workers register, from PYTI_WORKER_TOKEN or the config file, never the command line (default: DATA-DIR/worker.token, created if missing)")
	fs.StringVar(&o.jobIndexes, "job-index", "", "comma-separated indexes a submitted job may name (default none: every job runs on the workers' own --index-url); each allows exactly that URL")
	fs.DurationVar(&o.lease, "lease", time.Minute, "how long a job stays a silent worker's before it is handed out again")
	fs.IntVar(&o.maxAttempts, "max-attempts", 3, "attempts of a job failing for infrastructure reasons before it is quarantined")
	o.analysis = registerAnalysis(fs)
	fs.BoolVar(&o.follow.enabled, "follow", false, "follow the index's RSS feeds and submit its new releases")
	fs.StringVar(&o.follow.baseURL, "follow-url", "https://pypi.org", "web address of the index to follow (its /rss/updates.xml and /rss/packages.xml)")
	fs.StringVar(&o.follow.include, "follow-include", "", "follow only names matching these comma-separated glob patterns")
	fs.StringVar(&o.follow.exclude, "follow-exclude", "", "never follow names matching these comma-separated glob patterns")
	fs.BoolVar(&o.follow.onlyNew, "follow-new-projects", false, "follow only new projects, not every new release")
	fs.IntVar(&o.follow.maxPerHour, "follow-max-per-hour", 100, "submit at most this many followed releases per hour (0: no bound)")
	fs.DurationVar(&o.follow.interval, "follow-interval", time.Minute, "time between two polls of the feed (at least a minute on pypi.org)")
	return o
}

// splitList splits a comma-separated flag value.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// startFollower follows the index and submits what it finds to the master.
func startFollower(ctx context.Context, env *Env, wg *sync.WaitGroup, m *master.Master, o clusterOptions) error {
	f, err := follow.New(follow.Config{
		BaseURL: o.follow.baseURL, UserAgent: buildinfo.UserAgent(), StatePath: filepath.Join(o.dataDir, "follow.json"),
		Interval: o.follow.interval, Include: splitList(o.follow.include), Exclude: splitList(o.follow.exclude),
		OnlyNew: o.follow.onlyNew, MaxPerHour: o.follow.maxPerHour, Logger: env.Logger,
		Submit: func(ctx context.Context, rs []follow.Release) error {
			jobs := make([]store.NewJob, 0, len(rs))
			for _, r := range rs {
				// A feed entry the policy refuses (a hostile name, a spec too long) is skipped, so
				// that it cannot hold the feed's position back for good.
				if err := m.CheckJob(store.NewJob{Spec: r.Spec()}); err != nil {
					env.Logger.Warn("following: skipping a release the job policy refuses", "err", err)
					continue
				}
				jobs = append(jobs, store.NewJob{Spec: r.Spec()})
			}
			if len(jobs) == 0 {
				return nil
			}
			_, err := m.Submit(ctx, jobs)
			return err
		},
	})
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

// clusterMount is one handler for serve's mux.
type clusterMount struct {
	Pattern string
	Handler http.Handler
}

// cluster is a running master with its queue and in-process workers.
type cluster struct {
	Master       *master.Master
	NATSURL      string
	CommandToken string
	WorkerToken  string
	Mounts       []clusterMount
	stop         func()
}

// Stop stops the workers (their running attempts go back to the queue), the master and the
// queue, in that order.
func (c *cluster) Stop() { c.stop() }

// startCluster starts the job queue (an embedded NATS server unless o.natsURL names one), the
// master and o.workers in-process workers. Serve mounts c.Mounts on its mux before it listens
// and calls c.Stop after its HTTP server has shut down. st must implement store.Scheduling (the
// SQLite store does).
func startCluster(ctx context.Context, env *Env, st store.Store, o clusterOptions) (*cluster, error) {
	mst, ok := st.(master.Store)
	if !ok {
		return nil, fmt.Errorf("the store %T cannot schedule jobs (it lacks store.Scheduling)", st)
	}
	var err error
	c := &cluster{CommandToken: o.commandToken, WorkerToken: o.workerToken}
	if c.CommandToken == "" {
		if c.CommandToken, err = loadOrCreateToken(filepath.Join(o.dataDir, "command.token")); err != nil {
			return nil, err
		}
	}
	if c.WorkerToken == "" {
		if c.WorkerToken, err = loadOrCreateToken(filepath.Join(o.dataDir, "worker.token")); err != nil {
			return nil, err
		}
	}
	var stops []func()
	stopAll := func() {
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	c.NATSURL = o.natsURL
	if c.NATSURL == "" {
		host, port, err := splitHostPort(o.natsListen)
		if err != nil {
			return nil, fmt.Errorf("--nats-listen: %w", err)
		}
		srv, err := queue.StartServer(queue.ServerConfig{Dir: filepath.Join(o.dataDir, "nats"), Host: host, Port: port, Token: c.WorkerToken})
		if err != nil {
			return nil, err
		}
		stops = append(stops, srv.Shutdown)
		c.NATSURL = srv.ClientURL()
	}
	q, err := queue.Connect(ctx, queue.Config{URL: c.NATSURL, Token: c.WorkerToken, Name: "pyti master", Replicas: o.replicas,
		AckWait: o.lease, Logger: env.Logger})
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
	claimKey, err := loadOrCreateToken(filepath.Join(o.dataDir, "claim.key"))
	if err != nil {
		stopAll()
		return nil, err
	}
	m, err := master.New(master.Config{Store: mst, Queue: q, CommandToken: c.CommandToken, WorkerToken: c.WorkerToken,
		Lease: o.lease, MaxAttempts: o.maxAttempts, JobIndexes: splitList(o.jobIndexes), ClaimKey: []byte(claimKey),
		WorkersFile: filepath.Join(o.dataDir, "workers.json"), Logger: env.Logger})
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
			env.Logger.Error("the master stopped", "err", err)
		}
	}()
	stops = append(stops, func() { cancelRun(); wg.Wait() })
	raw := m.RawHandler()
	c.Mounts = []clusterMount{
		{Pattern: master.CommandPrefix, Handler: m.CommandHandler()},
		{Pattern: master.RawPrefix, Handler: raw},
		{Pattern: "GET /metrics", Handler: m.MetricsHandler()},
		{Pattern: "GET /api/v1/workers", Handler: m.WorkersHandler()},
	}

	if o.follow.enabled {
		if err := startFollower(runCtx, env, &wg, m, o); err != nil {
			stopAll()
			return nil, err
		}
	}
	n := o.workers
	if n < 0 {
		n = max(1, runtime.NumCPU()/2)
	}
	if n > 0 {
		if err := startLocalWorkers(runCtx, env, &wg, c, raw, n, o); err != nil {
			stopAll()
			return nil, err
		}
	}
	c.stop = stopAll
	return c, nil
}

// startLocalWorkers runs n workers in this process. They reach the master's Raw Data API through
// its handler, without a socket, and the queue over NATS like any worker.
func startLocalWorkers(ctx context.Context, env *Env, wg *sync.WaitGroup, c *cluster, raw http.Handler, n int, o clusterOptions) error {
	b, err := o.analysis.check()
	if err != nil {
		return fmt.Errorf("in-process workers cannot run (use --workers 0 for a master only):\n  %w", err)
	}
	run := o.analysis.runner(env, b, image.NewStore(o.dataDir))
	if err := os.MkdirAll(workDirFor(o.dataDir), 0o755); err != nil {
		return err
	}
	if err := worker.CleanWorkDir(workDirFor(o.dataDir)); err != nil {
		return fmt.Errorf("cleaning what a killed serve left in %s: %w", workDirFor(o.dataDir), err)
	}
	host, _ := os.Hostname()
	httpClient := &http.Client{Transport: handlerTransport{h: raw}}
	for i := range n {
		q, err := queue.Connect(ctx, queue.Config{URL: c.NATSURL, Token: c.WorkerToken, Name: fmt.Sprintf("pyti in-process worker %d", i+1), Logger: env.Logger})
		if err != nil {
			return err
		}
		if err := q.Bind(ctx); err != nil {
			q.Close()
			return err
		}
		w, err := worker.New(worker.Config{Server: "http://in-process", HTTPClient: httpClient, Token: c.WorkerToken,
			Name: fmt.Sprintf("%s-%d-local%d", host, os.Getpid(), i+1), Version: buildinfo.Read().Version,
			Queue: q, Run: run, WorkDir: workDirFor(o.dataDir), Logger: env.Logger})
		if err != nil {
			q.Close()
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer q.Close()
			if err := w.Run(ctx); err != nil {
				env.Logger.Error("an in-process worker stopped", "worker", w.Name(), "err", err)
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
