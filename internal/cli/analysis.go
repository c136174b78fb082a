package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/buildinfo"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/sandbox/runsc"
	"github.com/pyti/pyti/internal/tasks"
	"github.com/pyti/pyti/internal/worker"
)

// indexConfig is how PYTI reaches an index: resolve, analyze, worker and serve share it.
type indexConfig struct {
	url          string
	allowPrivate bool
	cacheDir     string
}

// registerIndex adds the index flags to fs, with their defaults, and returns what they set.
func registerIndex(fs *flag.FlagSet) *indexConfig {
	c := &indexConfig{}
	fs.StringVar(&c.url, "index-url", pypi.DefaultIndexURL, "PEP 503/691 index to use (credentials may be given in the URL, ~/.netrc or PYTI_INDEX_USERNAME/PASSWORD)")
	fs.BoolVar(&c.allowPrivate, "allow-private-index", false, "allow an index on loopback or a private network (refused by default)")
	fs.StringVar(&c.cacheDir, "cache-dir", "", "shared download cache (default: the user cache directory)")
	return c
}

func (c *indexConfig) client(env *Env) (*pypi.Client, error) {
	cl, err := pypi.NewClient(pypi.Options{IndexURL: c.url, CacheDir: c.cacheDir, UserAgent: buildinfo.UserAgent(),
		AllowPrivate: c.allowPrivate, Logger: env.Logger})
	if err != nil {
		return nil, fmt.Errorf("index %s: %w", pypi.Redact(c.url), err)
	}
	return cl, nil
}

// backend returns the named sandbox backend, or says what is missing.
func backend(name string) (sandbox.Backend, error) {
	var b sandbox.Backend
	switch name {
	case "bwrap":
		b = bwrap.New()
	case "runsc":
		b = runsc.New()
	default:
		return nil, usagef("--sandbox %q: want bwrap or runsc", name)
	}
	if err := b.Check(); err != nil {
		return nil, fmt.Errorf("sandbox %s is not available: %w", name, err)
	}
	return b, nil
}

// imageList is a repeatable --image flag.
type imageList []string

func (l *imageList) String() string { return strings.Join(*l, ",") }

// Set adds an image, checked by the rule jobs follow (master.CheckImages).
func (l *imageList) Set(s string) error {
	next := append(slices.Clone(*l), s)
	if err := master.CheckImages(next); err != nil {
		return err
	}
	*l = next
	return nil
}

func defaultDataDir() string {
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "pyti")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ".pyti"
	}
	return filepath.Join(home, ".local", "share", "pyti")
}

// analysisConfig is how analyses run: one configuration, shared by analyze, worker and serve's
// in-process workers, with one flag registration (registerAnalysis) and one set of defaults
// (tasks.DefaultOptions, whose limits of a sandboxed step are sandbox.DefaultLimits). Every
// timeout and limit of an analysis is a flag.
type analysisConfig struct {
	index    *indexConfig
	sandbox  string
	python   string
	pipWheel string
	noTrace  bool
	parallel int
	// Each phase's wall-clock limit.
	fetchTimeout, buildTimeout, installTimeout, importTimeout, testTimeout, lintTimeout time.Duration
	// The limits of each sandboxed step (sizes in MiB) and the job's work space.
	noOutputTimeout                                time.Duration
	memoryMB, fileSizeMB, tmpMB, outputMB, traceMB int64
	pids, openFiles                                int
	workspaceMB                                    int64

	// analyze runs one analysis; nil means tasks.Analyze. Tests replace it to see the options
	// a job is run with.
	analyze func(ctx context.Context, req tasks.Request, opts tasks.Options) (*report.Report, error)
}

// registerAnalysis adds the analysis flags to fs, with the defaults of tasks.DefaultOptions, and
// returns the configuration they set.
func registerAnalysis(fs *flag.FlagSet) *analysisConfig {
	d := tasks.DefaultOptions()
	c := &analysisConfig{index: registerIndex(fs)}
	fs.StringVar(&c.sandbox, "sandbox", "bwrap", "sandbox backend: bwrap, or runsc (gVisor: stronger, slower)")
	fs.StringVar(&c.python, "python", d.Python, "Python interpreter for the fresh environment")
	fs.StringVar(&c.pipWheel, "pip-wheel", "", "pip wheel used to run pip (default: /usr/share/python-wheels/pip-*.whl)")
	fs.BoolVar(&c.noTrace, "no-trace", false, "do not trace system calls (faster, but no behaviour findings)")
	fs.IntVar(&c.parallel, "parallel", d.Parallel, "tasks of one analysis that may run at once")
	fs.DurationVar(&c.fetchTimeout, "fetch-timeout", d.FetchTimeout, "wall-clock limit of each pip download of the fetch")
	fs.DurationVar(&c.buildTimeout, "build-timeout", d.BuildTimeout, "wall-clock limit of the build")
	fs.DurationVar(&c.installTimeout, "install-timeout", d.InstallTimeout, "wall-clock limit of making the environment and of each install into it")
	fs.DurationVar(&c.importTimeout, "import-timeout", d.ImportTimeout, "wall-clock limit of the import check (and of the coverage report)")
	fs.DurationVar(&c.testTimeout, "test-timeout", d.TestTimeout, "wall-clock limit of the test suite")
	fs.DurationVar(&c.lintTimeout, "lint-timeout", d.LintTimeout, "CPU-time limit of each style and lint tool, which may take three times as long on the wall clock (pylint over a large package takes minutes; its time-out is reported, not a failure)")
	lim := d.Limits
	fs.DurationVar(&c.noOutputTimeout, "no-output-timeout", lim.NoOutput, "end a step that prints nothing for this long")
	fs.Int64Var(&c.memoryMB, "memory-mb", lim.MemoryBytes>>20, "memory limit of each sandboxed step, in MiB")
	fs.IntVar(&c.pids, "pids", lim.Pids, "process (and thread) limit of each sandboxed step")
	fs.Int64Var(&c.fileSizeMB, "file-size-mb", lim.FileSizeBytes>>20, "largest file a sandboxed step may write, in MiB")
	fs.IntVar(&c.openFiles, "open-files", lim.OpenFiles, "open files of each process of a sandboxed step")
	fs.Int64Var(&c.tmpMB, "tmp-mb", lim.TmpBytes>>20, "size of a sandboxed step's /tmp and HOME, in MiB")
	fs.Int64Var(&c.outputMB, "output-mb", lim.OutputBytes>>20, "output kept of each stream of a sandboxed step (its head and tail), in MiB")
	fs.Int64Var(&c.traceMB, "trace-mb", lim.TraceBytes>>20, "trace kept of a sandboxed step (its head and tail), in MiB")
	fs.Int64Var(&c.workspaceMB, "workspace-mb", d.WorkspaceBytes>>20, "size of an analysis's writable work space, in MiB")
	return c
}

// check says what this machine lacks to run analyses.
func (a *analysisConfig) check() (sandbox.Backend, error) {
	var errs []error
	b, err := backend(a.sandbox)
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
func (a *analysisConfig) runner(env *Env, b sandbox.Backend, images *image.Store) worker.Runner {
	var mu sync.Mutex
	clients := map[string]*pypi.Client{}
	clientFor := func(indexURL string) (*pypi.Client, error) {
		mu.Lock()
		defer mu.Unlock()
		if c, ok := clients[indexURL]; ok {
			return c, nil
		}
		o := pypi.Options{IndexURL: indexURL, CacheDir: a.index.cacheDir, UserAgent: buildinfo.UserAgent(), Logger: env.Logger}
		// The environment's credentials are for the worker's own index, whatever index a job names.
		own, err := pypi.HostPort(a.index.url)
		if err != nil {
			return nil, fmt.Errorf("--index-url: %w", err)
		}
		o.CredentialHost = own
		if a.index.allowPrivate {
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
			indexURL = a.index.url
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

// options are the analysis options of this configuration, for one job directory.
func (a *analysisConfig) options(env *Env, b sandbox.Backend, client *pypi.Client, indexURL, dir string) tasks.Options {
	return tasks.Options{
		Client: client, IndexURL: indexURL, Backend: b, Python: a.python, PipWheel: a.pipWheel,
		Dir: dir, NoTrace: a.noTrace, Parallel: a.parallel,
		FetchTimeout: a.fetchTimeout, BuildTimeout: a.buildTimeout, InstallTimeout: a.installTimeout,
		ImportTimeout: a.importTimeout, TestTimeout: a.testTimeout, LintTimeout: a.lintTimeout,
		Limits: sandbox.Limits{NoOutput: a.noOutputTimeout, MemoryBytes: a.memoryMB << 20, Pids: a.pids,
			FileSizeBytes: a.fileSizeMB << 20, OpenFiles: a.openFiles, TmpBytes: a.tmpMB << 20,
			OutputBytes: a.outputMB << 20, TraceBytes: a.traceMB << 20},
		WorkspaceBytes: a.workspaceMB << 20, Logger: env.Logger,
	}
}
