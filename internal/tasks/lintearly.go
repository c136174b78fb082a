package tasks

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/quality"
)

// The linters are the longest task on a real project (pylint infers every import), and lint
// needs the built wheel, so they used to start only when the build ended. lint-start starts them
// as soon as the fetch is done (pylint needs the wheelhouse on its sys.path), on the sdist's copies
// of the modules the wheel will most likely ship, and they run beside the build. lint then
// compares: when the wheel installs exactly those files, with the same bytes, a lint of one is a
// lint of the other (the tools see only the .py files, laid out alike), and it keeps the figures;
// otherwise it stops this run and lints the wheel's files, as before. A wrong guess costs the CPU
// time spent until the build ended, never a wrong figure.

// earlyLint is the linters' run that lint-start began. A nil *earlyLint is no run: lint-start
// could not tell what the wheel would ship.
type earlyLint struct {
	// dir is where the guessed modules are laid out, as installed; inside is that directory
	// inside the sandbox.
	dir, inside string
	cancel      context.CancelFunc
	done        chan struct{}
	// results and err are runLinters's, set before done is closed.
	results []*stepResult
	err     error
}

// stop ends the run if it still runs.
func (e *earlyLint) stop() {
	if e != nil {
		e.cancel()
	}
}

// wait returns the run's results once it has ended.
func (e *earlyLint) wait(ctx context.Context) ([]*stepResult, error) {
	select {
	case <-e.done:
		return e.results, e.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// lints reports whether the run lints exactly the files laid out at dir: the same paths, the same
// bytes. The sdist's copies have no extension module (the build makes them) and no stub: when dir
// has such companions, the run is the same only if no module names one, so that no import of one
// could resolve differently (pylint on lxml's modules gives import-error without its .so files,
// c-extension-no-member with them).
func (e *earlyLint) lints(dir string) (bool, error) {
	if e == nil {
		return false, nil
	}
	a, err := fileDigests(e.dir)
	if err != nil {
		return false, err
	}
	b, err := fileDigests(dir)
	if err != nil {
		return false, err
	}
	sources := map[string][sha256.Size]byte{}
	var companions []string
	for p, sum := range b {
		if strings.HasSuffix(p, ".py") {
			sources[p] = sum
		} else {
			companions = append(companions, p)
		}
	}
	if len(a) == 0 || !maps.Equal(a, sources) {
		return false, nil
	}
	if len(companions) == 0 {
		return true, nil
	}
	named, err := namesAny(dir, sources, companions)
	return !named, err
}

// namesAny reports whether one of the source files (slash paths below dir) holds, as a word, the
// module name of one of the companions.
func namesAny(dir string, sources map[string][sha256.Size]byte, companions []string) (bool, error) {
	var names []string
	for _, c := range companions {
		names = append(names, regexp.QuoteMeta(quality.ModuleName(c)))
	}
	re, err := regexp.Compile(`\b(` + strings.Join(names, "|") + `)\b`)
	if err != nil {
		return false, err
	}
	for p := range sources {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			return false, err
		}
		if re.Match(data) {
			return true, nil
		}
	}
	return false, nil
}

// fileDigests maps every regular file below dir, by its slash path relative to dir, to the
// SHA-256 of its content.
func fileDigests(dir string) (map[string][sha256.Size]byte, error) {
	out := map[string][sha256.Size]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = sha256.Sum256(data)
		return nil
	})
	return out, err
}

// startLint is lint-start: it guesses from the source tree the modules the first target's wheel
// will ship (guessShipped), lays them out as installed and starts the linters on them, in the
// background, with pylint on the target's wheelhouse, and returns the run for lint to keep or stop.
// The run belongs to the job, not to this task: it ends when lint stops it or the job ends.
func (j *job) startLint(ctx context.Context, d *dag.Data, first *target) (*earlyLint, error) {
	if j.bg == nil {
		return nil, nil
	}
	src, _ := KSource.Get(d)
	wh, hasWheelhouse := first.kWheelhouse.Get(d)
	guess := guessShipped(src.Root, flitModule(src.Pyproject))
	if len(guess) == 0 {
		return nil, nil
	}
	dir := filepath.Join(j.work, "lint-early", "src")
	if err := layOut(src.Root, dir, guess); err != nil {
		// Only the guess failed (a link where a module was expected): lint the wheel's files.
		j.log.Warn("not linting the sdist's copies of the modules", "err", err)
		return nil, nil
	}
	bg, cancel := context.WithCancel(j.bg)
	e := &earlyLint{dir: dir, inside: j.in(dir), cancel: cancel, done: make(chan struct{})}
	deps := lintDeps(ctx, j, wh, hasWheelhouse)
	// The same files as lint's, when it keeps these figures: the same bytes at the same paths.
	tooBig, err := quality.TooBigFiles(dir)
	if err != nil {
		cancel()
		return nil, err
	}
	j.background.Add(1)
	go func() {
		defer j.background.Done()
		defer close(e.done)
		e.results, e.err = j.runLinters(bg, "early-", e.inside, deps, tooBig)
	}()
	return e, nil
}

// layOut copies each guessed file from the tree into dir at its install path. It reads only
// regular files below the tree, never through a link.
func layOut(tree, dir string, files []quality.ShippedFile) error {
	root, err := os.OpenRoot(tree)
	if err != nil {
		return err
	}
	defer root.Close()
	for _, f := range files {
		if fi, err := root.Lstat(filepath.FromSlash(f.Member)); err != nil || !fi.Mode().IsRegular() {
			return errors.Join(err, errors.New(f.Member+" is not a regular file"))
		}
		data, err := root.ReadFile(filepath.FromSlash(f.Member))
		if err != nil {
			return err
		}
		dest := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dest, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// maxGuessed bounds the files guessShipped walks: a tree larger than that is linted from the wheel.
const maxGuessed = 5000

// notShipped are top-level names of a source tree that are the project's tooling, not its
// modules, when no egg-info says which are.
var notShipped = map[string]bool{
	"setup": true, "conftest": true, "noxfile": true, "fabfile": true, "tasks": true, "dodo": true,
	"ez_setup": true, "distribute_setup": true, "bootstrap": true, "runtests": true, "run_tests": true,
	"build": true, "dist": true, "docs": true, "doc": true, "examples": true, "example": true,
	"benchmarks": true, "benchmark": true, "bench": true, "scripts": true, "tools": true, "tests": true,
	"test": true, "testing": true, "release": true, "manage": true,
}

// guessShipped guesses, from a source tree, the Python modules its wheel will install, as
// quality.SelectShipped would pick them from the wheel (Member is the path in the tree, Path the
// install path), or nil when it cannot tell. The modules sit in src/ when that holds any, else at
// the top of the tree. Which top-level ones ship: the one module flit builds (flit names it, when
// not ""), else those an egg-info's top_level.txt names (a setuptools sdist has one), else the
// regular packages, else the single modules, leaving out the usual tooling (setup.py, noxfile.py,
// docs/, ...). A package ships every .py file below it but the __init__.py of a pkg_resources-style
// namespace that the egg-info names (setuptools installs a -nspkg.pth for it instead). The guess is
// checked against the wheel (earlyLint.lints); a wrong one only costs time.
func guessShipped(tree, flit string) []quality.ShippedFile {
	base := ""
	if tops, pkgs, mods, _ := topLevel(filepath.Join(tree, "src")); len(tops)+len(pkgs)+len(mods) > 0 {
		base = "src"
	}
	dir := filepath.Join(tree, base)
	tops, pkgs, mods, namespaces := topLevel(dir)
	var names []string
	switch {
	case flit != "" && (isDir(filepath.Join(dir, flit)) || isFile(filepath.Join(dir, flit+".py"))):
		names = []string{flit}
	case len(tops) > 0:
		names = tops
	case len(pkgs) > 0:
		names = pkgs
	default:
		names = mods
	}
	var members []string
	for _, name := range names {
		if isFile(filepath.Join(dir, name+".py")) {
			members = append(members, name+".py")
		}
		if !isDir(filepath.Join(dir, name)) {
			continue
		}
		err := filepath.WalkDir(filepath.Join(dir, name), func(p string, d fs.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && (d.Name() == "__pycache__" || strings.HasPrefix(d.Name(), ".")):
				return filepath.SkipDir
			case d.Type().IsRegular() && strings.HasSuffix(d.Name(), ".py"):
				if len(members) == maxGuessed {
					return errors.New("too many files")
				}
				rel, err := filepath.Rel(dir, p)
				if err != nil {
					return err
				}
				if rel := filepath.ToSlash(rel); !namespaces[path.Dir(rel)] || d.Name() != "__init__.py" {
					members = append(members, rel)
				}
			}
			return nil
		})
		if err != nil {
			return nil
		}
	}
	shipped := quality.SelectShipped(members, uncollectedModules(tree)...)
	if len(shipped.Lint) == 0 {
		return nil
	}
	out := make([]quality.ShippedFile, len(shipped.Lint))
	for i, f := range shipped.Lint {
		out[i] = quality.ShippedFile{Member: path.Join(filepath.ToSlash(base), f.Member), Path: f.Path}
		if base == "" {
			out[i].Member = f.Member
		}
	}
	return out
}

// topLevel lists, in dir, the names an egg-info's top_level.txt gives, the regular packages
// (directories with an __init__.py) and the .py modules, the last two without the tooling names
// (notShipped) and without names Python could not import; and the namespace packages an
// egg-info's namespace_packages.txt names, as slash paths.
func topLevel(dir string) (tops, pkgs, mods []string, namespaces map[string]bool) {
	namespaces = map[string]bool{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, nil, namespaces
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case e.IsDir() && strings.HasSuffix(name, ".egg-info"):
			tops = append(tops, readNames(filepath.Join(dir, name, "top_level.txt"))...)
			for _, ns := range readNames(filepath.Join(dir, name, "namespace_packages.txt")) {
				namespaces[strings.ReplaceAll(ns, ".", "/")] = true
			}
		case e.IsDir() && isIdentifier(name) && !notShipped[name] && isFile(filepath.Join(dir, name, "__init__.py")):
			pkgs = append(pkgs, name)
		case e.Type().IsRegular() && strings.HasSuffix(name, ".py") && isIdentifier(strings.TrimSuffix(name, ".py")) && !notShipped[strings.TrimSuffix(name, ".py")]:
			mods = append(mods, strings.TrimSuffix(name, ".py"))
		}
	}
	slices.Sort(tops)
	return slices.Compact(tops), pkgs, mods, namespaces
}

// flitModule is the module flit_core builds from a pyproject.toml: the project's name with its
// dashes made underscores ([tool.flit.module] may name another, which PYTI does not read: the
// guess is then the usual one); "" for another backend.
func flitModule(py *pkgmeta.Pyproject) string {
	if py == nil || py.BuildSystem == nil || py.BuildSystem.BuildBackend != "flit_core.buildapi" || py.Project == nil {
		return ""
	}
	return strings.ReplaceAll(py.Project.Name, "-", "_")
}

// readNames reads the names of an egg-info's top_level.txt or namespace_packages.txt, keeping only
// plain (dotted) identifiers.
func readNames(p string) []string {
	data, err := os.ReadFile(p)
	if err != nil || len(data) > 1<<16 {
		return nil
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if n := strings.TrimSpace(sc.Text()); n != "" && !slices.ContainsFunc(strings.Split(n, "."), func(p string) bool { return !isIdentifier(p) }) {
			names = append(names, n)
		}
	}
	return names
}
