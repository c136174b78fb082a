package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/pyti/pyti/internal/humanize"
	"github.com/pyti/pyti/internal/image"
)

// imageCommand manages the clean environment images (internal/image): Debian root file systems
// with their own Python that runs can use instead of the host system.
func imageCommand() command {
	return command{
		name:    "image",
		args:    "build NAME --release R | list | verify NAME | rm NAME",
		summary: "build, list, verify and remove clean Debian images (each with its own Python) to run on",
		setup: func(fs *flag.FlagSet) runFunc {
			dataDir := fs.String("data-dir", defaultDataDir(), "PYTI's data directory (images live in DATA-DIR/images)")
			release := fs.String("release", "bookworm", "Debian release to build: "+releaseList())
			mirror := fs.String("mirror", "", "Debian archive to build from (default: the one this machine's apt uses, else "+image.DefaultMirror+")")
			asJSON := fs.Bool("json", false, "list: print the manifests as JSON")
			return func(ctx context.Context, env *Env, args []string) error {
				store := image.NewStore(*dataDir)
				if len(args) == 0 {
					return usagef("image needs a subcommand: build, list, verify or rm")
				}
				sub, rest := args[0], args[1:]
				one := func() (string, error) {
					if len(rest) != 1 {
						return "", usagef("usage: pyti image %s NAME", sub)
					}
					return rest[0], image.CheckName(rest[0])
				}
				switch sub {
				case "build":
					name, err := one()
					if err != nil {
						return err
					}
					b := &image.Builder{Store: store, Mirror: *mirror, Progress: env.Stderr}
					m, err := b.Build(ctx, name, *release)
					if err != nil {
						return err
					}
					_, err = fmt.Fprintf(env.Stdout, "%s %s\n", m.Name, m.ID())
					return err
				case "list":
					if len(rest) != 0 {
						return usagef("usage: pyti image list")
					}
					return listImages(env, store, *asJSON)
				case "verify":
					name, err := one()
					if err != nil {
						return err
					}
					v, err := store.Verify(ctx, name)
					if err != nil {
						return err
					}
					if !v.OK() {
						return fmt.Errorf("image %s has changed: its manifest says %s, its content hashes to %s", name, v.Manifest.ID(), v.Actual.Hash)
					}
					_, err = fmt.Fprintf(env.Stdout, "%s ok %s\n", name, v.Actual.Hash)
					return err
				case "rm":
					name, err := one()
					if err != nil {
						return err
					}
					if err := store.Remove(name); err != nil {
						return err
					}
					_, err = fmt.Fprintf(env.Stdout, "removed %s\n", name)
					return err
				default:
					return usagef("unknown image subcommand %q: build, list, verify or rm", sub)
				}
			}
		},
	}
}

func releaseList() string {
	var s []string
	for _, r := range image.Releases() {
		s = append(s, fmt.Sprintf("%s (Python %s)", r.Name, r.Python))
	}
	return strings.Join(s, ", ")
}

func listImages(env *Env, store *image.Store, asJSON bool) error {
	ms, err := store.List()
	if asJSON {
		if ms == nil {
			ms = []*image.Manifest{}
		}
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		if e := enc.Encode(ms); e != nil {
			return e
		}
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tRELEASE\tPYTHON\tSIZE\tHASH\tCREATED")
	for _, m := range ms {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", m.Name, m.Release, m.Python, humanize.Bytes(m.Content.DiskBytes), m.ShortID(), m.Created.Format("2006-01-02 15:04"))
	}
	if e := tw.Flush(); e != nil {
		return e
	}
	return err
}
