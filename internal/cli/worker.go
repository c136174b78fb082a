package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/pyti/pyti/internal/buildinfo"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/worker"
)

// workerCommand runs jobs for a master: `pyti worker --server URL --nats URL --worker-token T`.
func workerCommand() command {
	return command{
		name:    "worker",
		summary: "run analyses for a master (pyti serve), taking jobs from its NATS JetStream queue",
		setup: func(fs *flag.FlagSet) runFunc {
			a := registerAnalysis(fs)
			server := fs.String("server", "", "the master's URL (http://HOST:PORT)")
			natsURL := fs.String("nats", "", "NATS server(s) of the job queue, comma-separated (nats://HOST:4222)")
			token := fs.String("worker-token", "", "the master's enrollment token: set it with PYTI_WORKER_TOKEN or in the config file, never on the command line (use --worker-token-file)")
			tokenFile := fs.String("worker-token-file", "", "file holding the master's enrollment token (a copy of its DATA-DIR/worker.token)")
			name := fs.String("name", "", "this worker's name (default HOST-PID)")
			dataDir := fs.String("data-dir", defaultDataDir(), "PYTI's data directory: the images jobs name are DATA-DIR/images (pyti image build)")
			workDir := fs.String("work-dir", "", "directory for the jobs' work, private to this worker: what a killed worker left there is removed at start (default: a temporary directory)")
			keep := fs.Bool("keep-dirs", false, "keep each job's directory after its upload")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) > 0 {
					return usagef("worker takes no arguments")
				}
				if err := secretOnCommandLine(os.Args[1:], "worker-token", "use --worker-token-file FILE or PYTI_WORKER_TOKEN"); err != nil {
					return err
				}
				if *tokenFile != "" {
					t, err := readSecretFile(*tokenFile, "worker token")
					if err != nil {
						return err
					}
					*token = t
				}
				var missing []string
				if *server == "" {
					missing = append(missing, "--server")
				}
				if *natsURL == "" {
					missing = append(missing, "--nats")
				}
				if *token == "" {
					missing = append(missing, "--worker-token-file (or PYTI_WORKER_TOKEN)")
				}
				if len(missing) > 0 {
					return usagef("the worker needs %v", missing)
				}
				return runWorker(ctx, env, workerSetup{analysis: a, server: *server, natsURL: *natsURL, token: *token,
					name: *name, dataDir: *dataDir, workDir: *workDir, keep: *keep})
			}
		},
	}
}

type workerSetup struct {
	analysis                     *analysisConfig
	server, natsURL, token, name string
	dataDir, workDir             string
	keep                         bool
}

// runWorker checks everything the worker needs, saying all that is missing at once, then runs.
func runWorker(ctx context.Context, env *Env, s workerSetup) error {
	var problems []error
	b, err := s.analysis.check()
	if err != nil {
		problems = append(problems, err)
	}
	q, err := queue.Connect(ctx, queue.Config{URL: s.natsURL, Token: s.token, Name: "pyti worker " + s.name, Logger: env.Logger})
	if err != nil {
		problems = append(problems, fmt.Errorf("the job queue is unreachable: %w", err))
	} else {
		defer q.Close()
	}
	dir := s.workDir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "pyti-worker-"); err != nil {
			problems = append(problems, err)
		} else {
			defer os.RemoveAll(dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		problems = append(problems, err)
	} else if err := worker.CleanWorkDir(dir); err != nil {
		// What a killed predecessor left behind (sandbox mounts, job directories).
		problems = append(problems, fmt.Errorf("cleaning the work directory %s: %w", dir, err))
	}
	cfg := worker.Config{Server: s.server, Token: s.token, Name: s.name, Version: buildinfo.Read().Version,
		Run: s.analysis.runner(env, b, image.NewStore(s.dataDir)), WorkDir: dir, KeepDirs: s.keep, Logger: env.Logger}
	if q != nil {
		cfg.Queue = q
	}
	w, err := worker.New(cfg)
	if err != nil {
		return err
	}
	rctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	err = w.Register(rctx)
	cancel()
	var se *worker.StatusError
	if errors.As(err, &se) && se.Status == http.StatusConflict {
		// A live worker of this name: Run waits until the name is free again.
		fmt.Fprintf(env.Stderr, "worker %s: %v\n", w.Name(), err)
	} else if err != nil {
		problems = append(problems, fmt.Errorf("the master is unreachable or refused the token: %w", err))
	}
	if len(problems) > 0 {
		return fmt.Errorf("this worker cannot run:\n  %w", joinIndented(problems))
	}
	bctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err = q.Bind(bctx)
	cancel()
	if err != nil {
		return fmt.Errorf("the job queue: %w", err)
	}
	fmt.Fprintf(env.Stderr, "worker %s: taking jobs from %s for %s\n", w.Name(), s.natsURL, s.server)
	return w.Run(ctx)
}

// joinIndented joins errors one per line.
func joinIndented(errs []error) error {
	msg := ""
	for i, e := range errs {
		if i > 0 {
			msg += "\n  "
		}
		msg += e.Error()
	}
	return errors.New(msg)
}
