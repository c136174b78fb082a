// Package dag is PYTI's execution manager. It owns the data-dependency graph
// of pipeline tasks and everything about running it: ordering derived from
// the data each task needs and provides (never from task names), validation
// of the graph (cycles, duplicate or missing providers, duplicate names, type
// conflicts), bounded parallelism, per-task timeouts, cancellation, recovery
// from panics, skipping of tasks whose inputs were not produced, and the
// per-task record of status, timing, CPU time and peak memory that ends up in
// the report as JSON.
//
// Data flows between tasks only through typed keys:
//
//	var Wheel = dag.NewKey[string]("wheel")
//
//	build := dag.Task{
//		Name:     "build",
//		Needs:    []dag.AnyKey{SourceTree},
//		Provides: []dag.AnyKey{Wheel},
//		Run: func(ctx context.Context, d *dag.Data) error {
//			src, _ := SourceTree.Get(d)
//			...
//			Wheel.Set(d, path)
//			return nil
//		},
//	}
//
// A task may read only what it declared in Needs, Optional or Provides and
// may write only what it declared in Provides; anything else fails the task.
// A datum the task also declares in Early may be published before the task
// ends (Key.Publish): the tasks that need it start at once, beside it.
package dag
