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

func helpCommand() command {
	return command{
		name:    "help",
		args:    "[COMMAND]",
		summary: "show the commands, or one command's flags",
		setup: func(fs *flag.FlagSet) runFunc {
			return func(ctx context.Context, env *Env, args []string) error {
				table := commands()
				switch len(args) {
				case 0:
					printOverview(env.Stdout, table)
					return nil
				case 1:
					c, ok := find(table, args[0])
					if !ok {
						return usagef("unknown command %q", args[0])
					}
					cfs := flag.NewFlagSet(c.name, flag.ContinueOnError)
					var cf commonFlags
					cf.register(cfs)
					c.setup(cfs)
					printCommandUsage(env.Stdout, c, cfs)
					return nil
				default:
					return usagef("help takes at most one command name")
				}
			}
		},
	}
}
