package dag

import (
	"context"
	"os"
	"sync"
	"time"
)

// Usage is resource usage of child processes run by a task.
type Usage struct {
	// CPU is user plus system CPU time.
	CPU time.Duration
	// PeakRSS is the peak resident set size in bytes.
	PeakRSS int64
}

// Add combines two usages: CPU times sum, the peak is the larger one.
func (u Usage) Add(o Usage) Usage {
	return Usage{CPU: u.CPU + o.CPU, PeakRSS: max(u.PeakRSS, o.PeakRSS)}
}

// UsageOf returns the usage recorded in a finished process's state: its
// user and system CPU time and, where the platform reports it, its peak
// resident set size (which covers the descendants it waited for). A nil
// state gives zero usage.
func UsageOf(ps *os.ProcessState) Usage {
	if ps == nil {
		return Usage{}
	}
	return Usage{CPU: ps.UserTime() + ps.SystemTime(), PeakRSS: peakRSS(ps)}
}

type usageKey struct{}

// meter accumulates a task's usage; it is safe for concurrent use.
type meter struct {
	mu sync.Mutex
	u  Usage
}

func (m *meter) add(u Usage) {
	m.mu.Lock()
	m.u = m.u.Add(u)
	m.mu.Unlock()
}

func (m *meter) total() Usage {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.u
}

func withMeter(ctx context.Context, m *meter) context.Context {
	return context.WithValue(ctx, usageKey{}, m)
}

// AddUsage adds u to the usage of the task whose context ctx is (or derives
// from). It does nothing for a context that does not belong to a task.
func AddUsage(ctx context.Context, u Usage) {
	if m, ok := ctx.Value(usageKey{}).(*meter); ok {
		m.add(u)
	}
}

// AddProcessState adds the usage of a finished child process, as UsageOf
// reports it, to the task owning ctx.
func AddProcessState(ctx context.Context, ps *os.ProcessState) {
	AddUsage(ctx, UsageOf(ps))
}
