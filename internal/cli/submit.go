package cli

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/store"
)

// submitCommand queues analyses on a master: `pyti submit NAME[SPEC]... --server URL --token T
// [--image NAME]...`.
func submitCommand() command {
	return command{
		name:    "submit",
		args:    "NAME[SPEC] ...",
		summary: "queue analyses on a master (pyti serve) through its Command API",
		setup: func(fs *flag.FlagSet) runFunc {
			var cf commandFlags
			cf.register(fs)
			index := fs.String("index", "", "index URL the jobs use, one the master allows (pyti serve --job-index); default the workers' own")
			var images imageList
			fs.Var(&images, "image", "run build, install, import and test on this image, which each worker must have built (pyti image build); repeat for a matrix; \"host\" is the worker's own system (default)")
			wait := fs.Bool("wait", false, "wait until every job has finished and print the outcomes")
			asJSON := fs.Bool("json", false, "print the jobs as JSON")
			return func(ctx context.Context, env *Env, args []string) error {
				if len(args) == 0 {
					return usagef("name at least one requirement, like requests or requests==2.31.0")
				}
				req := master.SubmitRequest{}
				for _, a := range args {
					r, err := pep440.ParseRequirement(a)
					if err != nil {
						return usagef("%q is not a requirement: %v", a, err)
					}
					if r.URL != "" {
						return usagef("%q: direct URLs cannot be submitted", a)
					}
					req.Jobs = append(req.Jobs, store.NewJob{Spec: a, Index: *index, Images: images})
				}
				c, err := cf.client()
				if err != nil {
					return err
				}
				var resp master.SubmitResponse
				if err := c.call(ctx, "POST", "jobs", req, &resp); err != nil {
					return err
				}
				jobs := resp.Jobs
				if *wait {
					if jobs, err = waitJobs(ctx, c, jobs); err != nil {
						return err
					}
				}
				if *asJSON {
					enc := json.NewEncoder(env.Stdout)
					enc.SetIndent("", "  ")
					return enc.Encode(jobs)
				}
				for _, j := range jobs {
					printJob(env, j)
				}
				return nil
			}
		},
	}
}

// waitJobs polls until every job is in a terminal state.
func waitJobs(ctx context.Context, c *commandClient, jobs []store.Job) ([]store.Job, error) {
	out := append([]store.Job(nil), jobs...)
	for {
		pending := 0
		for i, j := range out {
			if j.State.Terminal() {
				continue
			}
			var d master.JobDetail
			if err := c.call(ctx, "GET", "jobs/"+j.ID, nil, &d); err != nil {
				return nil, err
			}
			out[i] = d.Job
			if !d.Job.State.Terminal() {
				pending++
			}
		}
		if pending == 0 {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// printJob prints one line of a job: its ID, state, spec with its images, and outcome.
func printJob(env *Env, j store.Job) {
	outcome := string(j.Verdict)
	if outcome == "" {
		outcome = j.Error
	}
	fmt.Fprintf(env.Stdout, "%s  %-11s %-24s %s\n", j.ID, j.State, jobLabel(j), outcome)
}

// jobLabel is a job's spec with the images it runs on: "requests==2.31.0 on trixie,host".
func jobLabel(j store.Job) string {
	if len(j.Images) == 0 {
		return j.Spec
	}
	return j.Spec + " on " + strings.Join(j.Images, ",")
}
