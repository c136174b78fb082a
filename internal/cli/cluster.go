package cli

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/cluster"
	"github.com/pyti/pyti/internal/follow"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/worker"
)

// clusterFlags are serve's flags for its master side (the job queue, the master's APIs, the
// follower and the in-process workers); config turns them into a cluster.Config.
type clusterFlags struct {
	// dataDir is serve's --data-dir, set by serve.
	dataDir      string
	workers      int
	natsURL      string
	natsListen   string
	replicas     int
	commandToken string
	workerToken  string
	lease        time.Duration
	maxAttempts  int
	jobIndexes   string
	analysis     *analysisConfig
	follow       followFlags
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
func registerClusterFlags(fs *flag.FlagSet) *clusterFlags {
	o := &clusterFlags{}
	fs.IntVar(&o.workers, "workers", -1, "in-process workers (default one per two cores; 0: master only)")
	fs.StringVar(&o.natsURL, "nats", "", "external NATS server(s) for the job queue, comma-separated (default: an embedded server with JetStream in DATA-DIR/nats)")
	fs.StringVar(&o.natsListen, "nats-listen", "127.0.0.1:4222", "address of the embedded NATS server (workers on other machines connect here)")
	fs.IntVar(&o.replicas, "nats-replicas", 1, "replicas of the job stream (3 on a three-node NATS cluster)")
	fs.StringVar(&o.commandToken, "token", "", "bearer token of the Command API, from PYTI_TOKEN or the config file, never the command line (default: DATA-DIR/command.token, created if missing)")
	fs.StringVar(&o.workerToken, "worker-token", "", "enrollment token with which workers register, from PYTI_WORKER_TOKEN or the config file, never the command line (default: DATA-DIR/worker.token, created if missing)")
	fs.StringVar(&o.jobIndexes, "job-index", "", "comma-separated indexes a submitted job may name (default none: every job runs on the workers' own --index-url); each allows exactly that URL")
	fs.DurationVar(&o.lease, "lease", master.DefaultLease, "how long a job stays a silent worker's before it is handed out again")
	fs.IntVar(&o.maxAttempts, "max-attempts", master.DefaultMaxAttempts, "attempts of a job failing for infrastructure reasons before it is quarantined")
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

// config is the cluster these flags say, on the store st.
func (o *clusterFlags) config(env *Env, st store.Store) cluster.Config {
	cfg := cluster.Config{
		DataDir: o.dataDir, Store: st, Workers: o.workers, NATSURL: o.natsURL, NATSListen: o.natsListen,
		Replicas: o.replicas, CommandToken: o.commandToken, WorkerToken: o.workerToken, Lease: o.lease,
		MaxAttempts: o.maxAttempts, JobIndexes: splitList(o.jobIndexes), Logger: env.Logger,
		NewRunner: func() (worker.Runner, error) {
			b, err := o.analysis.check()
			if err != nil {
				return nil, fmt.Errorf("in-process workers cannot run (use --workers 0 for a master only):\n  %w", err)
			}
			return o.analysis.runner(env, b, image.NewStore(o.dataDir)), nil
		},
	}
	if o.follow.enabled {
		cfg.Follow = &follow.Config{BaseURL: o.follow.baseURL, Interval: o.follow.interval,
			Include: splitList(o.follow.include), Exclude: splitList(o.follow.exclude),
			OnlyNew: o.follow.onlyNew, MaxPerHour: o.follow.maxPerHour}
	}
	return cfg
}

// startCluster starts the cluster o says on st (see cluster.Start).
func startCluster(ctx context.Context, env *Env, st store.Store, o clusterFlags) (*cluster.Cluster, error) {
	return cluster.Start(ctx, o.config(env, st))
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
