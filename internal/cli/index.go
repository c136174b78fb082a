package cli

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pyti/pyti/internal/debwheel"
	"github.com/pyti/pyti/internal/localindex"
)

// indexCommand serves a directory of distributions as a package index on loopback: the bundled
// example projects, Debian's real pip/setuptools/wheel wheels and the test tools, for the demo,
// the tests, and anyone who wants to try PYTI without reaching PyPI.
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
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) == 0 || args[0] != "serve" || len(args) > 2 {
					return usagef("usage: pyti index serve [DIR]")
				}
				dir := filepath.Join(*dataDir, "index")
				if len(args) == 2 {
					dir = args[1]
				}
				if err := os.MkdirAll(dir, 0o755); err != nil {
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
				}
				if *tools {
					if _, err := debwheel.Build(ctx, dir, debwheel.TestTools); err != nil {
						return fmt.Errorf("repackaging the test tools: %w", err)
					}
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
				<-ctx.Done()
				return nil
			}
		},
	}
}
