package dag_test

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pyti/pyti/internal/dag"
)

func Example() {
	var (
		source = dag.NewKey[string]("source")
		wheel  = dag.NewKey[string]("wheel")
		env    = dag.NewKey[string]("environment")
		style  = dag.NewKey[int]("style")
	)
	g, err := dag.New([]dag.AnyKey{source},
		dag.Task{Name: "report", Optional: []dag.AnyKey{env, style}, Run: func(_ context.Context, d *dag.Data) error {
			_, haveEnv := env.Get(d)
			n, _ := style.Get(d)
			fmt.Printf("report: environment present %v, %d style issues\n", haveEnv, n)
			return nil
		}},
		dag.Task{Name: "install", Needs: []dag.AnyKey{wheel}, Provides: []dag.AnyKey{env}, Run: func(_ context.Context, d *dag.Data) error {
			w, _ := wheel.Get(d)
			env.Set(d, "/venv for "+w)
			return nil
		}},
		dag.Task{Name: "build", Needs: []dag.AnyKey{source}, Provides: []dag.AnyKey{wheel}, Run: func(context.Context, *dag.Data) error {
			return errors.New("no compiler")
		}},
		dag.Task{Name: "lint", Needs: []dag.AnyKey{source}, Provides: []dag.AnyKey{style}, Run: func(_ context.Context, d *dag.Data) error {
			style.Set(d, 2)
			return nil
		}},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	in := dag.NewData()
	source.Set(in, "/tmp/demo-1.0")
	res, err := (&dag.Runner{Parallel: 2}).Run(context.Background(), g, in)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, t := range res.Record.Tasks {
		fmt.Println(strings.TrimSpace(fmt.Sprintf("%-8s %-8s %s", t.Name, t.Status, t.Reason)))
	}
	// Output:
	// report: environment present false, 2 style issues
	// build    failed   no compiler
	// install  skipped  needs "wheel" from "build", which failed
	// lint     ok
	// report   ok
}
