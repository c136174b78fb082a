package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/pyti/pyti/internal/store"
)

var _ store.Scheduling = (*Store)(nil)

// ExtendLease moves the lease of a running attempt; see store.Scheduling.
func (s *Store) ExtendLease(ctx context.Context, jobID string, number int, until time.Time) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE attempts SET lease_expiry = ? WHERE job_id = ? AND number = ? AND state = 'running'`,
			micros(until.UTC().Truncate(time.Microsecond)), jobID, number)
		if err != nil {
			return fmt.Errorf("extending the lease of attempt %d of job %q: %w", number, jobID, err)
		}
		if n, _ := res.RowsAffected(); n > 0 {
			return nil
		}
		var state string
		err = tx.QueryRowContext(ctx, `SELECT state FROM attempts WHERE job_id = ? AND number = ?`, jobID, number).Scan(&state)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("attempt %d of job %q: %w", number, jobID, store.ErrNoAttempt)
		}
		if err != nil {
			return fmt.Errorf("extending the lease of attempt %d of job %q: %w", number, jobID, err)
		}
		return fmt.Errorf("extending the lease of attempt %d of job %q (%s): %w", number, jobID, state, store.ErrStaleAttempt)
	})
}

// ExpiredAttempts lists the running attempts whose lease ended before now.
func (s *Store) ExpiredAttempts(ctx context.Context, now time.Time) ([]store.Attempt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT job_id, number, worker, state, lease_expiry, started_at, finished_at, error
		FROM attempts WHERE state = 'running' AND lease_expiry < ? ORDER BY lease_expiry, job_id`, micros(now))
	if err != nil {
		return nil, fmt.Errorf("listing expired leases: %w", err)
	}
	defer rows.Close()
	out := []store.Attempt{}
	for rows.Next() {
		var a store.Attempt
		var state string
		var lease, started, finished int64
		if err := rows.Scan(&a.JobID, &a.Number, &a.Worker, &state, &lease, &started, &finished, &a.Error); err != nil {
			return nil, fmt.Errorf("listing expired leases: %w", err)
		}
		a.State = store.AttemptState(state)
		a.LeaseExpiry, a.StartedAt, a.FinishedAt = fromMicros(lease), fromMicros(started), fromMicros(finished)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing expired leases: %w", err)
	}
	return out, nil
}

// RequeueJob puts a job back into the queued state; see store.Scheduling.
func (s *Store) RequeueJob(ctx context.Context, jobID, reason string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		if _, _, err := jobState(ctx, tx, jobID); err != nil {
			return err
		}
		t := micros(now())
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET state = 'failed', finished_at = ?, error = ? WHERE job_id = ? AND state = 'running'`,
			t, reason, jobID); err != nil {
			return fmt.Errorf("requeueing job %q: %w", jobID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = 'queued', error = ?, finished_at = 0 WHERE id = ?`, reason, jobID); err != nil {
			return fmt.Errorf("requeueing job %q: %w", jobID, err)
		}
		return nil
	})
}

// CountJobs counts the jobs in each state.
func (s *Store) CountJobs(ctx context.Context) (map[store.JobState]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT state, count(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("counting jobs: %w", err)
	}
	defer rows.Close()
	out := map[store.JobState]int{}
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return nil, fmt.Errorf("counting jobs: %w", err)
		}
		out[store.JobState(state)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting jobs: %w", err)
	}
	return out, nil
}
