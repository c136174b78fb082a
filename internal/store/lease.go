package store

import (
	"context"
	"time"
)

// Scheduling is what a master's scheduler needs of a store beyond Store: renewing the lease of a
// running attempt while its worker heartbeats, finding the attempts whose worker went silent, and
// putting a job back in the queue. The SQLite backend implements it.
type Scheduling interface {
	// ExtendLease moves the lease of a running attempt to until. It fails with ErrStaleAttempt
	// when the attempt is no longer running (it ended, or a later attempt superseded it), and with
	// ErrNoAttempt when it never started.
	ExtendLease(ctx context.Context, jobID string, number int, until time.Time) error
	// ExpiredAttempts lists the running attempts whose lease ended before now, oldest lease first.
	ExpiredAttempts(ctx context.Context, now time.Time) ([]Attempt, error)
	// RequeueJob puts a job back into the queued state: its running attempts fail with reason, and
	// a finished job (any terminal state) becomes queued again, keeping its attempts and its report
	// until a later attempt replaces it.
	RequeueJob(ctx context.Context, jobID, reason string) error
	// CountJobs counts the jobs in each state; states without jobs are absent.
	CountJobs(ctx context.Context) (map[JobState]int, error)
}
