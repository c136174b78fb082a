package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/buildinfo"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/tasks"
	"github.com/pyti/pyti/internal/worker"
)

// analysisFlags are how a worker runs analyses (the flags of analyze that apply to a worker).
type analysisFlags struct {
	idx          indexFlags
	sandboxName  string
	python       string
	pipWheel     string
	noTrace      bool
	parallel     int
	testTimeout  time.Duration
	buildTimeout time.Duration
	lintTimeout  time.Duration
	noOutput     time.Duration
	memoryMB     int64

	// analyze runs one analysis; nil means tasks.Analyze. Tests replace it to see the options
	// a job is run with.
	analyze func(ctx context.Context, req tasks.Request, opts tasks.Options) (*report.Report, error)
}

func (a *analysisFlags) register(fs *flag.FlagSet) {
	a.idx.register(fs)
	fs.StringVar(&a.sandboxName, "sandbox", "bwrap", "sandbox backend: bwrap, or runsc (gVisor: stronger, slower)")
	fs.StringVar(&a.python, "python", "/usr/bin/python3", "Python interpreter for the fresh environment")
	fs.StringVar(&a.pipWheel, "pip-wheel", "", "pip wheel used to run pip (default: /usr/share/python-wheels/pip-*.whl)")
	fs.BoolVar(&a.noTrace, "no-trace", false, "do not trace system calls (faster, but no behaviour findings)")
	fs.IntVar(&a.parallel, "parallel", 2, "tasks of one analysis that may run at once")
	fs.DurationVar(&a.testTimeout, "test-timeout", 20*time.Minute, "wall-clock limit of the test suite")
	fs.DurationVar(&a.buildTimeout, "build-timeout", 20*time.Minute, "wall-clock limit of the build")
	fs.DurationVar(&a.lintTimeout, "lint-timeout", 10*time.Minute, "wall-clock limit of each style and lint tool (pylint over a large package takes minutes; its time-out is reported, not a failure)")
	fs.DurationVar(&a.noOutput, "no-output-timeout", 5*time.Minute, "end a step that prints nothing for this long")
	fs.Int64Var(&a.memoryMB, "memory-mb", 4096, "memory limit of each sandboxed step, in MiB")
}

// check says what this machine lacks to run analyses.
func (a *analysisFlags) check() (sandbox.Backend, error) {
	var errs []error
	b, err := backend(a.sandboxName)
	if err != nil {
		errs = append(errs, err)
	}
	if _, err := os.Stat(a.python); err != nil {
		errs = append(errs, fmt.Errorf("python %s is not available: %w", a.python, err))
	}
	return b, errors.Join(errs...)
}

// runner runs each job with tasks.Analyze, with one index client per index URL, on the images
// the job names from the image store images.
func (a *analysisFlags) runner(env *Env, b sandbox.Backend, images *image.Store) worker.Runner {
	var mu sync.Mutex
	clients := map[string]*pypi.Client{}
	clientFor := func(indexURL string) (*pypi.Client, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := clients[indexURL]; ok {
			return c, nil
		}
		o := pypi.Options{IndexURL: indexURL, CacheDir: a.idx.cacheDir, UserAgent: buildinfo.UserAgent(), Logger: env.Logger}
		// The environment's credentials are for the worker's own index, whatever index a job names.
		own, err := pypi.HostPort(a.idx.indexURL)
		if err != nil {
			return nil, fmt.Errorf("--index-url: %w", err)
		}
		o.CredentialHost = own
		if a.idx.allowPrivate {
			// Allowing a private index allows that index (host and port): the job's, which is the
			// worker's own or one the master's policy allowed. Any other private address, a
			// redirect to one included, stays refused.
			hp, err := pypi.HostPort(indexURL)
			if err != nil {
				return nil, fmt.Errorf("index %s: %w", pypi.Redact(indexURL), err)
			}
			o.PrivateHosts = []string{hp}
		}
		c, err := pypi.NewClient(o)
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", pypi.Redact(indexURL), err)
		}
		clients[indexURL] = c
		return c, nil
	}
	return func(ctx context.Context, job worker.Job, dir string) (*report.Report, error) {
		indexURL := job.Index
		if indexURL == "" {
			indexURL = a.idx.indexURL
		}
		// The images first: a job this worker cannot run fails at once, whatever else it has.
		// Their manifests' hashes are what the report records; re-hashing an image costs
		// seconds, so it is left to pyti image verify.
		imgs, err := resolveImages(images, job.Images)
		if err != nil {
			return nil, worker.Permanent(fmt.Errorf("worker %s: %w", job.Worker, err))
		}
		client, err := clientFor(indexURL)
		if err != nil {
			return nil, err
		}
		opts := a.options(env, b, client, indexURL, dir)
		opts.Images = imgs
		analyze := a.analyze
		if analyze == nil {
			analyze = tasks.Analyze
		}
		return analyze(ctx, tasks.Request{Spec: job.Spec}, opts)
	}
}

// missingImageError is an image that is not in the store.
type missingImageError struct {
	name, dataDir string
}

func (e *missingImageError) Error() string {
	return fmt.Sprintf("image %s is not built in %s: run pyti image build %s --release RELEASE --data-dir %s",
		e.name, e.dataDir, e.name, e.dataDir)
}

func (e *missingImageError) Unwrap() error { return image.ErrNotFound }

// resolveImages turns image names into the images of tasks.Options, from the image store: an
// image's root, its content hash as its manifest records it (not re-hashed), its release and its
// Python. tasks.HostImage is the host system. No names is no images (the host system).
func resolveImages(store *image.Store, names []string) ([]tasks.Image, error) {
	if len(names) == 0 {
		return nil, nil
	}
	out := make([]tasks.Image, 0, len(names))
	for _, name := range names {
		if name == tasks.HostImage {
			out = append(out, tasks.Image{Name: tasks.HostImage})
			continue
		}
		m, err := store.Get(name)
		if errors.Is(err, image.ErrNotFound) {
			return nil, &missingImageError{name: name, dataDir: filepath.Dir(store.Dir)}
		}
		if err != nil {
			return nil, fmt.Errorf("image %s: %w", name, err)
		}
		root := store.Root(name)
		if fi, err := os.Stat(root); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("image %s has a manifest but no root file system %s (pyti image rm %s, then build it again)", name, root, name)
		}
		out = append(out, tasks.Image{Name: name, Root: root, ID: m.ID(), Release: m.Release, Python: m.Python,
			OS: "Debian " + m.Release})
	}
	return out, nil
}

// options are the analysis options these flags say, for one job directory.
func (a *analysisFlags) options(env *Env, b sandbox.Backend, client *pypi.Client, indexURL, dir string) tasks.Options {
	return tasks.Options{
		Client: client, IndexURL: indexURL, Backend: b, Python: a.python, PipWheel: a.pipWheel,
		Dir: dir, NoTrace: a.noTrace, Parallel: a.parallel, TestTimeout: a.testTimeout, BuildTimeout: a.buildTimeout,
		LintTimeout: a.lintTimeout, NoOutputTimeout: a.noOutput, MemoryBytes: a.memoryMB << 20, Logger: env.Logger,
	}
}

// workerCommand runs jobs for a master: `pyti worker --server URL --nats URL --worker-token T`.
func workerCommand() command {
	return command{
		name:    "worker",
		summary: "run analyses for a master (pyti serve), taking jobs from its NATS JetStream queue",
		setup: func(fs *flag.FlagSet) runFunc {
			var a analysisFlags
			a.register(fs)
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
	analysis                     analysisFlags
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

// workDirFor is the in-process workers' work directory inside the data directory.
func workDirFor(dataDir string) string { return filepath.Join(dataDir, "work") }
