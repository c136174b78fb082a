package cli

import (
	"context"
	"flag"
	"fmt"
)

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
						return &UsageError{Msg: fmt.Sprintf("unknown command %q", args[0]), Hint: `Run "pyti help" for the list of commands.`}
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
