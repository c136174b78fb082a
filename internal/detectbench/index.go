package detectbench

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sort"

	"github.com/pyti/pyti/internal/debwheel"
	"github.com/pyti/pyti/internal/localindex"
)

// IndexSpec says what the benchmark's loopback index serves.
type IndexSpec struct {
	// Dir receives the distributions; localindex.Build owns it.
	Dir string
	// ExamplesDir holds the bundled example projects (testdata/examples); "" serves none. Every
	// example not marked hostile joins the benign set.
	ExamplesDir string
	// CacheDir keeps the built examples between runs (localindex.DefaultCacheDir()).
	CacheDir string
	// DebianWheelsDir holds Debian's pip, setuptools and wheel wheels, served so that builds find
	// their backends, and analysed as build backends (localindex.DebianWheelsDir).
	DebianWheelsDir string
	// Packages are the Debian python3-* packages of the benign set, repackaged as wheels with
	// every python3-* package they depend on (so that pip can install them) and PYTI's test tools.
	Packages []string
}

// Benchmark index contents, once built.
type Index struct {
	Dir string
	// Benign are the benign targets, in a stable order: examples, backends, Debian packages.
	Benign []Target
	// Missing are the listed Debian packages that are not installed: left out of the set.
	Missing []string
	// Skipped are the listed Debian packages debwheel could not repackage, with the reason.
	Skipped []string
}

// BuildIndex gathers the index directory: the bundled examples built offline (hostile ones packed
// without running them), Debian's pip/setuptools/wheel wheels, PYTI's test tools and the listed
// Debian packages with their dependencies repackaged as wheels. It is what `pyti index serve
// --examples` serves, plus the benign Debian packages. Serve it with localindex.Serve.
func BuildIndex(ctx context.Context, spec IndexSpec, logger *slog.Logger) (*Index, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	ix := &Index{Dir: spec.Dir}
	if spec.ExamplesDir != "" {
		opts := []localindex.Option{localindex.WithCacheDir(spec.CacheDir)}
		if spec.DebianWheelsDir != "" {
			opts = append(opts, localindex.WithDebianWheels(spec.DebianWheelsDir))
		}
		set, err := localindex.Build(ctx, spec.ExamplesDir, spec.Dir, logger, opts...)
		if err != nil {
			return nil, fmt.Errorf("building the examples: %w", err)
		}
		for _, e := range set.Examples {
			if e.Hostile {
				continue
			}
			sum, err := FileSHA256(set.Path(e.Sdist))
			if err != nil {
				return nil, err
			}
			ix.Benign = append(ix.Benign, Target{Kind: KindExample, Name: e.Name + " " + e.Version,
				Arg: e.Name + "==" + e.Version, SHA256: sum})
		}
		for _, name := range set.Extra {
			t, err := wheelTarget(KindBackend, set.Path(name), "")
			if err != nil {
				return nil, err
			}
			ix.Benign = append(ix.Benign, t)
		}
	}

	// One package at a time, so that each wheel maps to its package and a package debwheel
	// cannot repackage (no dist-info or egg-info directory, say) is left out, not fatal.
	seen := map[string]bool{}
	for _, t := range ix.Benign {
		seen[t.Arg] = true
	}
	var present []string
	for _, pkg := range spec.Packages {
		res, err := debwheel.BuildFrom(ctx, "/", spec.Dir, []string{pkg})
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			ix.Skipped = append(ix.Skipped, fmt.Sprintf("%s (%v)", pkg, err))
			continue
		case len(res.Missing) > 0:
			ix.Missing = append(ix.Missing, pkg)
			continue
		case len(res.Wheels) != 1:
			ix.Skipped = append(ix.Skipped, fmt.Sprintf("%s (%d wheels)", pkg, len(res.Wheels)))
			continue
		}
		present = append(present, pkg)
		t, err := wheelTarget(KindDebian, res.Wheels[0], pkg)
		if err != nil {
			return nil, err
		}
		if seen[t.Arg] { // a Debian package whose wheel is already served (setuptools, say)
			continue
		}
		seen[t.Arg] = true
		ix.Benign = append(ix.Benign, t)
	}
	// Then what they need to install, and the test tools every analysis adds.
	deps, err := debwheel.Dependencies("/", append(append([]string(nil), present...), debwheel.TestTools...))
	if err != nil {
		return nil, fmt.Errorf("dependencies of the benign Debian packages: %w", err)
	}
	for _, pkg := range deps {
		if slices.Contains(present, pkg) {
			continue
		}
		res, err := debwheel.BuildFrom(ctx, "/", spec.Dir, []string{pkg})
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case err != nil:
			logger.Warn("a dependency could not be repackaged, not served", "package", pkg, "err", err)
		case len(res.Missing) > 0:
			logger.Warn("a dependency is not installed, not served", "package", pkg)
		}
	}
	sort.SliceStable(ix.Benign, func(i, j int) bool { return kindOrder(ix.Benign[i].Kind) < kindOrder(ix.Benign[j].Kind) })
	return ix, nil
}

func kindOrder(k string) int {
	return slices.Index([]string{KindExample, KindBackend, KindDebian, KindSample}, k)
}

// wheelTarget is the benign target of one wheel in the index: NAME==VERSION.
func wheelTarget(kind, path, pkg string) (Target, error) {
	d, err := localindex.ReadDist(path)
	if err != nil {
		return Target{}, fmt.Errorf("benign set: %w", err)
	}
	return Target{Kind: kind, Name: d.Name + " " + d.Version, Arg: d.Name + "==" + d.Version,
		SHA256: d.SHA256, Package: pkg}, nil
}
