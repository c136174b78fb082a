package localindex

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// builderVersion is part of every content hash: change it when the way
// examples are built changes, so that old cache entries are not reused.
const builderVersion = "localindex-build-1"

// DefaultPython is the interpreter that builds the examples.
const DefaultPython = "/usr/bin/python3"

// DebianWheelsDir is where Debian keeps its real pip, setuptools and wheel wheels.
const DebianWheelsDir = "/usr/share/python-wheels"

// buildTimeout bounds one example's build.
const buildTimeout = 5 * time.Minute

// Set is the result of Build: a flat directory of distributions ready to serve.
type Set struct {
	// Dir holds every distribution file (and nothing the index serves besides).
	Dir      string
	Examples []Example
	// Extra lists the file names of other distributions copied in, such as
	// Debian's wheels.
	Extra []string
}

// Example is one built example project.
type Example struct {
	Dir     string // the example's directory name under the examples directory
	Name    string // distribution name from its core metadata
	Version string
	Hostile bool
	Sdist   string // file name in Set.Dir
	Wheel   string // file name in Set.Dir; "" when there is none
	// WheelError is the end of the build log when the wheel build failed as
	// the example expects (wheel_build_fails); "" otherwise.
	WheelError string
	Expected   string // the example's expected.md
	Hash       string // content hash of the example's files
	Cached     bool   // true when this Build reused an earlier result
}

// Example returns the example built from directory dir.
func (s *Set) Example(dir string) (Example, bool) {
	for _, e := range s.Examples {
		if e.Dir == dir {
			return e, true
		}
	}
	return Example{}, false
}

// Files returns the file names of every distribution in the set, sorted.
func (s *Set) Files() []string {
	var out []string
	for _, e := range s.Examples {
		out = append(out, e.Sdist)
		if e.Wheel != "" {
			out = append(out, e.Wheel)
		}
	}
	out = append(out, s.Extra...)
	sort.Strings(out)
	return out
}

// Path returns the full path of a file name in the set.
func (s *Set) Path(filename string) string { return filepath.Join(s.Dir, filename) }

type options struct {
	cacheDir     string
	python       string
	debianWheels string
	only         []string
	parallel     int
}

// Option changes how Build works.
type Option func(*options)

// WithCacheDir keeps build results in dir (default: outDir/.cache).
// DefaultCacheDir is a good choice for results shared between runs.
func WithCacheDir(dir string) Option { return func(o *options) { o.cacheDir = dir } }

// WithPython builds with another interpreter (default DefaultPython).
func WithPython(path string) Option { return func(o *options) { o.python = path } }

// WithDebianWheels also copies the wheels found in dir (DebianWheelsDir when
// dir is "") into the set, so the index serves pip, setuptools and wheel.
func WithDebianWheels(dir string) Option {
	return func(o *options) {
		if dir == "" {
			dir = DebianWheelsDir
		}
		o.debianWheels = dir
	}
}

// WithOnly builds only the named example directories.
func WithOnly(dirs ...string) Option { return func(o *options) { o.only = dirs } }

// WithParallelism builds up to n examples at once (default 2).
func WithParallelism(n int) Option {
	return func(o *options) {
		if n > 0 {
			o.parallel = n
		}
	}
}

// DefaultCacheDir is a per-user cache directory for built examples, or a
// directory under the system temporary directory when the user has none.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "pyti", "examples")
	}
	return filepath.Join(os.TempDir(), "pyti-examples-cache")
}

// Build builds every example project under examplesDir (each subdirectory
// holding a pyproject.toml, setup.py or PKG-INFO) and gathers their
// distributions into outDir, which Build owns: distribution files there that
// are not part of the new set are removed. Builds run offline, with
// `python -m build --no-isolation` building the sdist and then the wheel from
// that sdist; hostile examples are packed in Go and never run. Results are
// cached by content hash, so a second Build of unchanged examples runs no
// Python at all. logger may be nil.
func Build(ctx context.Context, examplesDir, outDir string, logger *slog.Logger, opts ...Option) (*Set, error) {
	o := options{python: DefaultPython, parallel: 2}
	for _, opt := range opts {
		opt(&o)
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if o.cacheDir == "" {
		o.cacheDir = filepath.Join(outDir, ".cache")
	}
	for _, d := range []string{outDir, o.cacheDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("build examples: %w", err)
		}
	}
	dirs, err := exampleDirs(examplesDir, o.only)
	if err != nil {
		return nil, err
	}

	results := make([]Example, len(dirs))
	errs := make([]error, len(dirs))
	sem := make(chan struct{}, o.parallel)
	var wg sync.WaitGroup
	for i, d := range dirs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			results[i], errs[i] = buildOne(ctx, filepath.Join(examplesDir, d), o, logger)
			if errs[i] != nil {
				errs[i] = fmt.Errorf("example %s: %w", d, errs[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}

	set := &Set{Dir: outDir, Examples: results}
	keep := map[string]string{} // file name in outDir -> source path
	for _, e := range results {
		entry := entryDir(o.cacheDir, e)
		keep[e.Sdist] = filepath.Join(entry, e.Sdist)
		if e.Wheel != "" {
			keep[e.Wheel] = filepath.Join(entry, e.Wheel)
		}
	}
	if o.debianWheels != "" {
		wheels, err := filepath.Glob(filepath.Join(o.debianWheels, "*.whl"))
		if err != nil {
			return nil, fmt.Errorf("list Debian wheels: %w", err)
		}
		if len(wheels) == 0 {
			return nil, fmt.Errorf("no wheels in %s", o.debianWheels)
		}
		for _, w := range wheels {
			name := filepath.Base(w)
			if _, dup := keep[name]; dup {
				return nil, fmt.Errorf("%s: file name used twice", name)
			}
			keep[name] = w
			set.Extra = append(set.Extra, name)
		}
		sort.Strings(set.Extra)
	}
	if err := syncDir(outDir, keep); err != nil {
		return nil, err
	}
	return set, nil
}

// AddDebianWheels links (or copies) the wheels found in dir (DebianWheelsDir when dir is "") into
// outDir, a directory of distributions to serve, so that the index serves pip, setuptools and
// wheel beside the user's own files, which are never removed or replaced. It returns the names it
// added.
func AddDebianWheels(outDir, dir string) ([]string, error) {
	if dir == "" {
		dir = DebianWheelsDir
	}
	wheels, err := filepath.Glob(filepath.Join(dir, "*.whl"))
	if err != nil {
		return nil, fmt.Errorf("list Debian wheels: %w", err)
	}
	if len(wheels) == 0 {
		return nil, fmt.Errorf("no wheels in %s", dir)
	}
	var added []string
	for _, w := range wheels {
		dst := filepath.Join(outDir, filepath.Base(w))
		if _, err := os.Lstat(dst); err == nil {
			continue
		}
		if err := os.Link(w, dst); err != nil {
			if err := copyFile(w, dst, 0o644); err != nil {
				return added, err
			}
		}
		added = append(added, filepath.Base(w))
	}
	return added, nil
}

// exampleDirs lists the example directories to build, sorted.
func exampleDirs(examplesDir string, only []string) ([]string, error) {
	entries, err := os.ReadDir(examplesDir)
	if err != nil {
		return nil, fmt.Errorf("list examples: %w", err)
	}
	var all []string
	for _, e := range entries {
		if e.IsDir() && isExample(filepath.Join(examplesDir, e.Name())) {
			all = append(all, e.Name())
		}
	}
	if len(only) == 0 {
		if len(all) == 0 {
			return nil, fmt.Errorf("no example projects in %s", examplesDir)
		}
		return all, nil
	}
	var out []string
	for _, want := range only {
		found := false
		for _, d := range all {
			if d == want {
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("no example project %q in %s", want, examplesDir)
		}
		out = append(out, want)
	}
	sort.Strings(out)
	return out, nil
}

// resultFile records a built example inside its cache entry.
const resultFile = "result.json"

func entryDir(cacheDir string, e Example) string {
	return filepath.Join(cacheDir, e.Dir+"-"+e.Hash[:20])
}

// buildOne builds one example, or reuses its cache entry.
func buildOne(ctx context.Context, dir string, o options, logger *slog.Logger) (Example, error) {
	cfg, err := readConfig(dir)
	if err != nil {
		return Example{}, err
	}
	files, err := listFiles(dir)
	if err != nil {
		return Example{}, err
	}
	hash, err := contentHash(files, o.python)
	if err != nil {
		return Example{}, err
	}
	e := Example{Dir: filepath.Base(dir), Hostile: cfg.Hostile, Hash: hash}
	if b, err := os.ReadFile(filepath.Join(dir, ExpectedFile)); err == nil {
		e.Expected = string(b)
	}
	entry := entryDir(o.cacheDir, e)
	if cached, ok := loadEntry(entry); ok {
		cached.Expected, cached.Cached = e.Expected, true
		logger.Debug("example cached", "example", e.Dir, "entry", entry)
		return cached, nil
	}

	start := time.Now()
	tmp, err := os.MkdirTemp(o.cacheDir, ".build-"+e.Dir+"-")
	if err != nil {
		return Example{}, fmt.Errorf("build: %w", err)
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		return Example{}, fmt.Errorf("build: %w", err)
	}
	if cfg.Hostile {
		if e.Sdist, err = packSdist(files, out); err != nil {
			return Example{}, err
		}
	} else if err := runBuild(ctx, files, tmp, out, cfg, o.python, &e); err != nil {
		return Example{}, err
	}
	d, err := ReadDist(filepath.Join(out, e.Sdist))
	if err != nil {
		return Example{}, err
	}
	e.Name, e.Version = d.Name, d.Version
	if err := saveEntry(out, e); err != nil {
		return Example{}, err
	}
	if err := os.Rename(out, entry); err != nil {
		// Another Build may have filled the same entry meanwhile.
		if cached, ok := loadEntry(entry); ok {
			cached.Expected = e.Expected
			return cached, nil
		}
		return Example{}, fmt.Errorf("store build result: %w", err)
	}
	logger.Info("example built", "example", e.Dir, "name", e.Name, "version", e.Version,
		"sdist", e.Sdist, "wheel", e.Wheel, "hostile", e.Hostile, "seconds", time.Since(start).Seconds())
	return e, nil
}

// runBuild copies the example into tmp/src and builds it there with
// `python -m build`, so the example's own directory is never written to.
func runBuild(ctx context.Context, files []sourceFile, tmp, out string, cfg Config, python string, e *Example) error {
	src := filepath.Join(tmp, "src")
	home := filepath.Join(tmp, "home")
	for _, d := range []string{src, home} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return fmt.Errorf("build: %w", err)
		}
	}
	if err := copyTree(files, src); err != nil {
		return err
	}
	args := []string{"-m", "build", "--no-isolation", "--outdir", out}
	if cfg.UnmetBuildRequires {
		args = append(args, "--skip-dependency-check")
	}
	if !cfg.wantWheel() {
		args = append(args, "--sdist")
	}
	args = append(args, src)
	ctx, cancel := context.WithTimeout(ctx, buildTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Dir = src
	cmd.Env = buildEnv(home, tmp)
	cmd.WaitDelay = 5 * time.Second
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	runErr := cmd.Run()
	if ctx.Err() != nil {
		return fmt.Errorf("python -m build: %w", ctx.Err())
	}

	sdists, _ := filepath.Glob(filepath.Join(out, "*.tar.gz"))
	wheels, _ := filepath.Glob(filepath.Join(out, "*.whl"))
	if len(sdists) != 1 || len(wheels) > 1 {
		return fmt.Errorf("python -m build made %d sdists and %d wheels: %v\n%s", len(sdists), len(wheels), runErr, logTail(log.String(), 30))
	}
	e.Sdist = filepath.Base(sdists[0])
	if len(wheels) == 1 {
		e.Wheel = filepath.Base(wheels[0])
	}
	switch {
	case cfg.WheelBuildFails && runErr == nil:
		return fmt.Errorf("the wheel build was expected to fail (%s) but it succeeded", ConfigFile)
	case cfg.WheelBuildFails && e.Wheel == "":
		e.WheelError = logTail(log.String(), 40)
		return nil
	case runErr != nil:
		return fmt.Errorf("python -m build: %w\n%s", runErr, logTail(log.String(), 30))
	case cfg.wantWheel() && e.Wheel == "":
		return fmt.Errorf("python -m build made no wheel\n%s", logTail(log.String(), 30))
	}
	return nil
}

// buildEnv is the environment of a build: offline, with a throw-away HOME.
func buildEnv(home, tmp string) []string {
	return []string{
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + home,
		"TMPDIR=" + tmp,
		"LANG=C.UTF-8",
		"PIP_NO_INDEX=1",
		"PIP_CONFIG_FILE=/dev/null",
		"PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PYTHONDONTWRITEBYTECODE=1",
		"PYTHONNOUSERSITE=1",
		"SOURCE_DATE_EPOCH=" + fmt.Sprint(packEpoch.Unix()),
	}
}

// logTail returns the last n lines of a build log.
func logTail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func saveEntry(dir string, e Example) error {
	e.Expected, e.Cached = "", false
	b, err := json.MarshalIndent(e, "", "  ")
	if err != nil {
		return fmt.Errorf("store build result: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, resultFile), b, 0o644); err != nil {
		return fmt.Errorf("store build result: %w", err)
	}
	return nil
}

// loadEntry reads a complete cache entry; ok is false when there is none or
// it is incomplete.
func loadEntry(dir string) (Example, bool) {
	b, err := os.ReadFile(filepath.Join(dir, resultFile))
	if err != nil {
		return Example{}, false
	}
	var e Example
	if err := json.Unmarshal(b, &e); err != nil || e.Sdist == "" {
		return Example{}, false
	}
	for _, f := range []string{e.Sdist, e.Wheel} {
		if f == "" {
			continue
		}
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || !st.Mode().IsRegular() {
			return Example{}, false
		}
	}
	return e, true
}

// syncDir makes outDir hold exactly the distribution files in keep (name ->
// source path), hard-linking where it can and copying otherwise.
func syncDir(outDir string, keep map[string]string) error {
	entries, err := os.ReadDir(outDir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", outDir, err)
	}
	for _, ent := range entries {
		if _, ok := distKind(ent.Name()); !ok || ent.IsDir() {
			continue
		}
		if _, ok := keep[ent.Name()]; !ok {
			if err := os.Remove(filepath.Join(outDir, ent.Name())); err != nil {
				return fmt.Errorf("remove stale %s: %w", ent.Name(), err)
			}
		}
	}
	for name, src := range keep {
		dst := filepath.Join(outDir, name)
		if sameFile(src, dst) {
			continue
		}
		if err := os.Remove(dst); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("replace %s: %w", name, err)
		}
		if err := os.Link(src, dst); err == nil {
			continue
		}
		if err := copyFile(src, dst, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// sameFile reports whether dst already is src, or a byte-identical copy.
func sameFile(src, dst string) bool {
	a, err1 := os.Stat(src)
	b, err2 := os.Stat(dst)
	if err1 != nil || err2 != nil {
		return false
	}
	if os.SameFile(a, b) {
		return true
	}
	if a.Size() != b.Size() {
		return false
	}
	x, err1 := os.ReadFile(src)
	y, err2 := os.ReadFile(dst)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
