package dag

import "time"

// TaskSpec describes a task as declared: the graph part of the JSON dump.
type TaskSpec struct {
	Name      string   `json:"name"`
	Needs     []string `json:"needs"`
	Optional  []string `json:"optional"`
	Provides  []string `json:"provides"`
	TimeoutMS float64  `json:"timeout_ms"`
}

// TaskRecord is what happened to one task in a run.
type TaskRecord struct {
	TaskSpec
	Status Status `json:"status"`
	// Reason explains any status other than ok in one sentence, e.g.
	// `needs "wheel" from "build", which failed`.
	Reason string `json:"reason,omitempty"`
	// Error is the text of the error the task returned, or of its panic.
	Error string `json:"error,omitempty"`
	// Cause names the task whose failure, timeout or cancellation made this
	// task skipped or cancelled, following skips back to their origin.
	Cause string `json:"cause,omitempty"`
	// PanicStack is the goroutine stack of a task that panicked.
	PanicStack string `json:"panic_stack,omitempty"`
	// Start and End bound the task's run; both are zero if it never ran.
	Start  time.Time `json:"start,omitzero"`
	End    time.Time `json:"end,omitzero"`
	WallMS float64   `json:"wall_ms"`
	// CPUMS and PeakRSSBytes account the child processes the task reported
	// through AddUsage or AddProcessState: user+system CPU summed, peak
	// resident set size the maximum.
	CPUMS        float64 `json:"cpu_ms"`
	PeakRSSBytes int64   `json:"peak_rss_bytes"`
}

// DatumRecord describes one datum of the graph.
type DatumRecord struct {
	Name string `json:"name"`
	// Type is the Go type of the value.
	Type string `json:"type"`
	// Provider is the task producing it; empty when the caller supplies it.
	Provider string `json:"provider,omitempty"`
	// Present tells whether the value existed at the end of the run.
	Present bool `json:"present"`
}

// Record is the JSON dump of a whole run: the graph and every task's outcome.
type Record struct {
	Parallel int       `json:"parallel"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	WallMS   float64   `json:"wall_ms"`
	// Initial lists the data the caller supplied.
	Initial []string `json:"initial"`
	// Data lists every datum, sorted by name.
	Data []DatumRecord `json:"data"`
	// Tasks lists every task in the graph's Order.
	Tasks []TaskRecord `json:"tasks"`
}

// millis converts d to fractional milliseconds.
func millis(d time.Duration) float64 {
	return float64(d) / float64(time.Millisecond)
}
