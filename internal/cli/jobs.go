package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/store"
)

// jobsCommand lists and manages a master's jobs and workers through its Command API.
func jobsCommand() command {
	return command{
		name:    "jobs",
		args:    "[show ID | cancel ID... | requeue ID... | workers | revoke WORKER...]",
		summary: "list a master's jobs, show, cancel or requeue one, list its workers or revoke one",
		setup: func(fs *flag.FlagSet) runFunc {
			var cf commandFlags
			cf.register(fs)
			state := fs.String("state", "", "list only jobs in these states (comma-separated: queued,running,done,failed,cancelled,quarantined)")
			limit := fs.Int("limit", 50, "jobs to list")
			asJSON := fs.Bool("json", false, "print JSON")
			return func(ctx context.Context, env *Env, args []string) error {
				c, err := cf.client()
				if err != nil {
					return err
				}
				emit := func(v any) error {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(v)
				}
				sub := ""
				if len(args) > 0 {
					sub = args[0]
				}
				switch sub {
				case "":
					q := url.Values{}
					if *state != "" {
						q.Set("state", *state)
					}
					q.Set("limit", fmt.Sprint(*limit))
					var page store.JobPage
					if err := c.call(ctx, "GET", "jobs?"+q.Encode(), nil, &page); err != nil {
						return err
					}
					if *asJSON {
						return emit(page)
					}
					for _, j := range page.Jobs {
						printJob(env, j)
					}
					return nil
				case "show":
					if len(args) != 2 {
						return usagef("usage: pyti jobs show ID")
					}
					var d master.JobDetail
					if err := c.call(ctx, "GET", "jobs/"+url.PathEscape(args[1]), nil, &d); err != nil {
						return err
					}
					if *asJSON {
						return emit(d)
					}
					printJob(env, d.Job)
					for _, a := range d.Attempts {
						fmt.Fprintf(env.Stdout, "  attempt %d  %-8s %-20s %s %s\n", a.Number, a.State, a.Worker, a.StartedAt.Format(time.RFC3339), a.Error)
					}
					return nil
				case "cancel", "requeue":
					if len(args) < 2 {
						return usagef("usage: pyti jobs %s ID...", sub)
					}
					for _, id := range args[1:] {
						var j store.Job
						if err := c.call(ctx, "POST", "jobs/"+url.PathEscape(id)+"/"+sub, nil, &j); err != nil {
							return fmt.Errorf("%s %s: %w", sub, id, err)
						}
						printJob(env, j)
					}
					return nil
				case "workers":
					var wr master.WorkersResponse
					if err := c.call(ctx, "GET", "workers", nil, &wr); err != nil {
						return err
					}
					if *asJSON {
						return emit(wr)
					}
					for _, w := range wr.Workers {
						status := "silent"
						if w.Alive {
							status = "alive"
						}
						current := "idle"
						if w.Current != nil {
							current = w.Current.Spec + " (job " + w.Current.JobID + ")"
						}
						fmt.Fprintf(env.Stdout, "%-30s %-6s done %d, failed %d, %s\n", w.Name, status, w.Done, w.Failed, current)
					}
					return nil
				case "revoke":
					if len(args) < 2 {
						return usagef("usage: pyti jobs revoke WORKER...")
					}
					for _, name := range args[1:] {
						var rr master.RevokeResponse
						if err := c.call(ctx, "POST", "workers/"+url.PathEscape(name)+"/revoke", nil, &rr); err != nil {
							return fmt.Errorf("revoke %s: %w", name, err)
						}
						note := ""
						if !rr.Known {
							note = " (no worker had registered it; the name is refused from now on)"
						}
						fmt.Fprintf(env.Stdout, "revoked worker %s%s\n", rr.Name, note)
					}
					return nil
				default:
					return usagef("unknown subcommand %q: want show, cancel, requeue, workers or revoke", strings.TrimSpace(sub))
				}
			}
		},
	}
}
