package cli

import (
	"context"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyti/pyti/internal/debwheel"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/localindex"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/tasks"
)

// indexCommand serves a directory of distributions as a package index on loopback: the bundled
// example projects, Debian's real pip/setuptools/wheel wheels and the test tools, for the demo,
// the tests, and anyone who wants to try PYTI without reaching PyPI. With --image it also serves
// the test tools of PYTI's images (pytest, coverage built for the image's Python, ...), next to
// the host's, so that an analysis on those images installs test tools that run there: pip picks
// the files that fit each interpreter.
func indexCommand() command {
	return command{
		name:    "index",
		args:    "serve [DIR]",
		summary: "serve distributions (and the bundled examples) as a PEP 691/503 index on loopback",
		setup: func(fs *flag.FlagSet) runFunc {
			examples := fs.String("examples", "", "build the example projects in this directory into the index first")
			debian := fs.Bool("debian-wheels", true, "also serve Debian's pip, setuptools and wheel wheels (/usr/share/python-wheels)")
			tools := fs.Bool("tool-wheels", true, "also serve Debian's pytest and coverage, repackaged as wheels")
			listen := fs.String("listen", "127.0.0.1:0", "address to serve on")
			urlFile := fs.String("url-file", "", "write the index URL into this file once serving")
			dataDir := fs.String("data-dir", defaultDataDir(), "PYTI's data directory (the index lives in DATA-DIR/index unless DIR is given)")
			var images imageList
			fs.Var(&images, "image", "also serve the test tools of this image (pyti image build), repackaged for its Python; repeatable")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) == 0 || args[0] != "serve" || len(args) > 2 {
					return usagef("usage: pyti index serve [DIR]")
				}
				dir := filepath.Join(*dataDir, "index")
				if len(args) == 2 {
					dir = args[1]
				}
				roots, err := imageRoots(*dataDir, images)
				if err != nil {
					return err
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
					return err
				}
				before, err := distributionsIn(dir)
				if err != nil {
					return err
				}
				if *examples != "" {
					var opts []localindex.Option
					opts = append(opts, localindex.WithCacheDir(localindex.DefaultCacheDir()))
					if *debian {
						opts = append(opts, localindex.WithDebianWheels(""))
					}
					fmt.Fprintf(env.Stderr, "index: building the example projects in %s (offline; cached after the first time)\n", *examples)
					set, err := localindex.Build(ctx, *examples, dir, env.Logger, opts...)
					if err != nil {
						return fmt.Errorf("building the examples: %w", err)
					}
					fmt.Fprintf(env.Stderr, "index: %d distribution files\n", len(set.Files()))
				} else if *debian {
					added, err := localindex.AddDebianWheels(dir, "")
					if err != nil {
						return fmt.Errorf("adding Debian's wheels: %w", err)
					}
					if len(added) > 0 {
						fmt.Fprintf(env.Stderr, "index: added Debian's %s\n", strings.Join(added, ", "))
					}
				}
				if *tools {
					if _, err := debwheel.Build(ctx, dir, debwheel.TestTools); err != nil {
						return fmt.Errorf("repackaging the test tools: %w", err)
					}
				}
				for _, im := range roots {
					if err := addImageTools(ctx, env, dir, im); err != nil {
						return err
					}
				}
				if err := dropShadowing(env, dir, before); err != nil {
					return err
				}
				srv, err := localindex.Serve(dir, *listen)
				if err != nil {
					return err
				}
				defer srv.Close()
				if *urlFile != "" {
					if err := os.WriteFile(*urlFile, []byte(srv.SimpleURL()+"\n"), 0o644); err != nil {
						return err
					}
				}
				fmt.Fprintf(env.Stdout, "serving %s at %s\n", dir, srv.SimpleURL())
				fmt.Fprintf(env.Stderr, "index: files added to %s, replaced or removed while it runs are served as they are at each request\n", dir)
				<-ctx.Done()
				return nil
			}
		},
	}
}

// imageRoot is an image whose test tools the index serves.
type imageRoot struct{ name, root string }

// imageRoots checks the images named with --image before any work starts and returns their root
// file systems. "host" is this system, whose tools --tool-wheels serves.
func imageRoots(dataDir string, names []string) ([]imageRoot, error) {
	store := image.NewStore(dataDir)
	var out []imageRoot
	for _, name := range names {
		if name == tasks.HostImage {
			continue
		}
		if _, err := store.Get(name); err != nil {
			return nil, err
		}
		out = append(out, imageRoot{name: name, root: store.Root(name)})
	}
	return out, nil
}

// addImageTools repackages the test tools installed in an image, with the Python packages they
// depend on there, into dir, and says what it skipped or kept.
func addImageTools(ctx context.Context, env *Env, dir string, im imageRoot) error {
	pkgs, err := debwheel.Dependencies(im.root, debwheel.TestTools)
	if err != nil {
		return fmt.Errorf("image %s: %w", im.name, err)
	}
	res, err := debwheel.BuildFrom(ctx, im.root, dir, pkgs)
	if err != nil {
		return fmt.Errorf("image %s: repackaging its test tools: %w", im.name, err)
	}
	fmt.Fprintf(env.Stderr, "index: image %s: %d test tool wheels\n", im.name, len(res.Wheels))
	if len(res.Missing) > 0 {
		fmt.Fprintf(env.Stderr, "index: image %s: not installed there, skipped: %s\n", im.name, strings.Join(res.Missing, ", "))
	}
	for _, k := range res.Kept {
		fmt.Fprintf(env.Stderr, "index: image %s: %s was already in the index with other content; kept the one there\n", im.name, filepath.Base(k))
	}
	return nil
}

// distribution is a distribution file's project (normalised) and kind.
type distribution struct{ project, kind string }

// distributionsIn maps the distribution files in dir to their project and kind; other files are
// left out.
func distributionsIn(dir string) (map[string]distribution, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]distribution{}
	for _, e := range entries {
		if d, err := pkgmeta.ParseDistFilename(e.Name()); err == nil && e.Type().IsRegular() {
			out[e.Name()] = distribution{pep440.NormalizeName(d.Name), d.Kind}
		}
	}
	return out, nil
}

// dropShadowing removes from dir the files this command added of a project whose sdist dir
// already held (sdists, a project's own release, which PYTI never adds there): the directory's
// own distributions are what the index serves. Debian's pluggy 1.0.0+repack wheel, added beside
// a pluggy-1.0.0.tar.gz, is a version that `pluggy==1.0.0` matches and that pip prefers, and the
// analysis of pluggy would take it for the sdist. before lists dir's files before anything was
// added.
func dropShadowing(env *Env, dir string, before map[string]distribution) error {
	had := map[string]string{} // project -> its first sdist
	for file, d := range before {
		if prev, ok := had[d.project]; d.kind == pkgmeta.KindSdist && (!ok || file < prev) {
			had[d.project] = file
		}
	}
	if len(had) == 0 {
		return nil
	}
	now, err := distributionsIn(dir)
	if err != nil {
		return err
	}
	for _, file := range slices.Sorted(maps.Keys(now)) {
		project := now[file].project
		if _, old := before[file]; old || had[project] == "" {
			continue
		}
		if err := os.Remove(filepath.Join(dir, file)); err != nil {
			return fmt.Errorf("removing %s, which %s already provides: %w", file, had[project], err)
		}
		fmt.Fprintf(env.Stderr, "index: %s holds %s's sdist (%s): %s not added beside it\n", dir, project, had[project], file)
	}
	return nil
}
