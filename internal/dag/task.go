package dag

import (
	"context"
	"time"
)

// Task is one step of a pipeline. Its place in the run follows from the data
// it needs and provides.
type Task struct {
	// Name identifies the task in records and messages; unique in a graph.
	Name string
	// Needs are data the task cannot run without. If the producer of any
	// of them does not succeed, the task is skipped.
	Needs []AnyKey
	// Optional are data the task uses when present. The task waits for
	// their producers but runs even when those fail or are skipped. An
	// optional datum no task provides is simply absent.
	Optional []AnyKey
	// Provides are data the task must set before returning nil.
	Provides []AnyKey
	// Early are data of Provides that the task may hand out before it ends, with Key.Publish:
	// the tasks that need them may start at once, beside it. A published datum is kept whatever
	// becomes of the task, and keeps the value it was published with.
	Early []AnyKey
	// Timeout bounds the task's run; 0 means no timeout of its own.
	Timeout time.Duration
	// Light says the task's run is mostly a wait for work outside the graph, or its own work
	// runs at a lower priority than the others': it runs beside the Runner's Parallel tasks, not
	// in one of their places, so that its wait never holds back a task that is ready.
	Light bool
	// Run does the work. It reads its inputs from d and writes its
	// outputs to d. Its outputs are kept only if it succeeds.
	Run func(ctx context.Context, d *Data) error
}

// Status is the outcome of a task.
type Status string

// The statuses a task can have. StatusRunning appears only in the Event
// telling that a task started.
const (
	StatusRunning   Status = "running"
	StatusOK        Status = "ok"
	StatusFailed    Status = "failed"
	StatusSkipped   Status = "skipped"
	StatusTimedOut  Status = "timed_out"
	StatusCancelled Status = "cancelled"
)
