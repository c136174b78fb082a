package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"

	"github.com/pyti/pyti/internal/buildinfo"
)

func versionCommand() command {
	return command{
		name:    "version",
		summary: "print PYTI's version",
		setup: func(fs *flag.FlagSet) runFunc {
			asJSON := fs.Bool("json", false, "print the version as JSON")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) > 0 {
					return usagef("version takes no arguments")
				}
				info := buildinfo.Read()
				if *asJSON {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(info)
				}
				_, err := fmt.Fprintln(env.Stdout, info)
				return err
			}
		},
	}
}
