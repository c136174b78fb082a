package report

import "time"

// TaskStatus is the outcome of one task of the analysis's task graph.
type TaskStatus string

// The statuses a task can have. A report written when the run ended holds no running task; a
// live view of a run shows StatusRunning for a task that has started.
const (
	StatusRunning   TaskStatus = "running"
	StatusOK        TaskStatus = "ok"
	StatusFailed    TaskStatus = "failed"
	StatusSkipped   TaskStatus = "skipped"
	StatusTimedOut  TaskStatus = "timed_out"
	StatusCancelled TaskStatus = "cancelled"
)

// RunRecord is the task graph of an analysis and what happened to every task in it.
type RunRecord struct {
	// Parallel is how many tasks could run at once.
	Parallel int       `json:"parallel"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	WallMS   float64   `json:"wall_ms"`
	// Initial lists the data the caller supplied.
	Initial []string `json:"initial"`
	// Data lists every datum of the graph, sorted by name.
	Data []Datum `json:"data"`
	// Tasks lists every task in the graph's order.
	Tasks []TaskRecord `json:"tasks"`
}

// TaskRecord is one task: what it needs and provides, and what happened to it.
type TaskRecord struct {
	Name      string   `json:"name"`
	Needs     []string `json:"needs"`
	Optional  []string `json:"optional"`
	Provides  []string `json:"provides"`
	TimeoutMS float64  `json:"timeout_ms"`

	Status TaskStatus `json:"status"`
	// Reason explains any status other than ok in one sentence, e.g.
	// `needs "wheel" from "build", which failed`.
	Reason string `json:"reason,omitempty"`
	// Error is the text of the error the task returned, or of its panic.
	Error string `json:"error,omitempty"`
	// Cause names the task whose failure, timeout or cancellation made this task skipped or
	// cancelled, following skips back to their origin.
	Cause string `json:"cause,omitempty"`
	// PanicStack is the goroutine stack of a task that panicked.
	PanicStack string `json:"panic_stack,omitempty"`
	// Start and End bound the task's run; both are zero if it never ran.
	Start  time.Time `json:"start,omitzero"`
	End    time.Time `json:"end,omitzero"`
	WallMS float64   `json:"wall_ms"`
	// CPUMS and PeakRSSBytes account the task's child processes: user+system CPU summed, peak
	// resident set size the maximum.
	CPUMS        float64 `json:"cpu_ms"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
}

// Datum is one datum of the task graph.
type Datum struct {
	Name string `json:"name"`
	// Type is the Go type of the value.
	Type string `json:"type"`
	// Provider is the task producing it; empty when the caller supplies it.
	Provider string `json:"provider,omitempty"`
	// Present tells whether the value existed at the end of the run.
	Present bool `json:"present"`
}
