package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/pypi"
)

// resolveCommand shows what PYTI would fetch for a request, without downloading the distribution:
// the release chosen by PEP 440, its files with their hashes, and its dependencies from the
// index's PEP 658 metadata when it offers it.
func resolveCommand() command {
	return command{
		name:    "resolve",
		args:    "NAME[SPEC] ...",
		summary: "show the release, files, hashes and dependencies PYTI would fetch for a request",
		setup: func(fs *flag.FlagSet) runFunc {
			idx := registerIndex(fs)
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) == 0 {
					return usagef("name a requirement, e.g. requests or 'requests>=2,<3'")
				}
				client, err := idx.client(env)
				if err != nil {
					return err
				}
				var out []resolved
				for _, spec := range args {
					if _, err := parseRequest(spec); err != nil {
						return usagef("%v", err)
					}
					rel, err := client.Resolve(ctx, spec)
					if errors.Is(err, pypi.ErrRefusedAddress) {
						return fmt.Errorf("%s: %w\n(pass --allow-private-index to use an index on this machine or a private network)", spec, err)
					}
					if err != nil {
						return fmt.Errorf("%s: %w", spec, err)
					}
					r := resolved{Request: spec, Release: rel}
					r.Requires, r.RequiresFrom = dependencies(ctx, client, rel)
					out = append(out, r)
				}
				if *asJSON {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(out)
				}
				for _, r := range out {
					printResolved(env, r)
				}
				return nil
			}
		},
	}
}

type resolved struct {
	Request      string        `json:"request"`
	Release      *pypi.Release `json:"release"`
	Requires     []string      `json:"requires_dist"`
	RequiresFrom string        `json:"requires_dist_from"`
}

// dependencies reads Requires-Dist from the PEP 658 metadata of a wheel of the release, or of its
// sdist; it downloads nothing else.
func dependencies(ctx context.Context, client *pypi.Client, rel *pypi.Release) ([]string, string) {
	for _, f := range append(rel.Wheels, rel.Files()...) {
		if !f.CoreMetadata {
			continue
		}
		data, err := client.Metadata(ctx, f)
		if err != nil {
			continue
		}
		m, err := pkgmeta.ParseCoreMetadata(bytes.NewReader(data), 0)
		if err != nil {
			continue
		}
		reqs := []string{}
		for _, r := range m.RequiresDist {
			reqs = append(reqs, r.Raw)
		}
		return reqs, f.Filename + ".metadata"
	}
	return nil, "unknown: the index offers no metadata file; building the sdist would tell"
}

func printResolved(env *Env, r resolved) {
	rel := r.Release
	fmt.Fprintf(env.Stdout, "%s %s", rel.Project, rel.VersionString)
	if rel.Yanked {
		fmt.Fprintf(env.Stdout, " (yanked: %s)", rel.YankedReason)
	}
	fmt.Fprintf(env.Stdout, "  [request %s]\n", r.Request)
	for _, f := range rel.Files() {
		mark := " "
		if rel.Sdist != nil && f.Filename == rel.Sdist.Filename {
			mark = "*"
		}
		fmt.Fprintf(env.Stdout, "  %s %-60s sha256:%s", mark, f.Filename, short(f.SHA256()))
		if f.Size >= 0 {
			fmt.Fprintf(env.Stdout, " %d bytes", f.Size)
		}
		if f.RequiresPython != "" {
			fmt.Fprintf(env.Stdout, " requires-python %s", f.RequiresPython)
		}
		fmt.Fprintln(env.Stdout)
	}
	fmt.Fprintf(env.Stdout, "  dependencies (from %s):\n", r.RequiresFrom)
	if len(r.Requires) == 0 && !strings.HasPrefix(r.RequiresFrom, "unknown") {
		fmt.Fprintln(env.Stdout, "    none")
	}
	for _, d := range r.Requires {
		fmt.Fprintf(env.Stdout, "    %s\n", d)
	}
}

func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	if h == "" {
		return "(none)"
	}
	return h
}
