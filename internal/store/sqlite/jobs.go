package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// micros stores a time as microseconds since the epoch; the zero time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMicro()
}

func fromMicros(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMicro(v).UTC()
}

func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

func newJobID() (string, error) {
	var b [12]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("making a job id: %w", err)
	}
	return hex.EncodeToString(b[:]), nil
}

// CreateJob records a new queued job.
func (s *Store) CreateJob(ctx context.Context, j store.NewJob) (store.Job, error) {
	if strings.TrimSpace(j.Spec) == "" {
		return store.Job{}, fmt.Errorf("creating a job: empty spec: %w", store.ErrInvalid)
	}
	id, err := newJobID()
	if err != nil {
		return store.Job{}, err
	}
	job := store.Job{ID: id, Spec: j.Spec, Index: j.Index, Images: slices.Clone(j.Images), State: store.JobQueued, CreatedAt: now()}
	images, err := encodeImages(job.Images)
	if err != nil {
		return store.Job{}, fmt.Errorf("creating a job: %w", err)
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO jobs(id, spec, index_url, images, state, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		job.ID, job.Spec, job.Index, images, job.State, micros(job.CreatedAt))
	if err != nil {
		return store.Job{}, fmt.Errorf("creating a job: %w", err)
	}
	return job, nil
}

const jobColumns = `id, spec, index_url, images, state, created_at, started_at, finished_at, attempts, verdict, error, coalesce(report_id, 0)`

// encodeImages stores a job's image names as a JSON array; none is "".
func encodeImages(names []string) (string, error) {
	if len(names) == 0 {
		return "", nil
	}
	data, err := json.Marshal(names)
	return string(data), err
}

type rowScanner interface{ Scan(dest ...any) error }

func scanJob(r rowScanner) (store.Job, error) {
	var j store.Job
	var created, started, finished int64
	var state, verdict, images string
	if err := r.Scan(&j.ID, &j.Spec, &j.Index, &images, &state, &created, &started, &finished, &j.Attempts, &verdict, &j.Error, &j.ReportID); err != nil {
		return store.Job{}, err
	}
	j.State, j.Verdict = store.JobState(state), report.Verdict(verdict)
	if images != "" {
		if err := json.Unmarshal([]byte(images), &j.Images); err != nil {
			return store.Job{}, fmt.Errorf("the images of job %s: %w", j.ID, err)
		}
	}
	j.CreatedAt, j.StartedAt, j.FinishedAt = fromMicros(created), fromMicros(started), fromMicros(finished)
	return j, nil
}

// Job returns one job.
func (s *Store) Job(ctx context.Context, id string) (store.Job, error) {
	j, err := scanJob(s.read.QueryRowContext(ctx, `SELECT `+jobColumns+` FROM jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Job{}, fmt.Errorf("job %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return store.Job{}, fmt.Errorf("reading job %q: %w", id, err)
	}
	return j, nil
}

// Jobs lists jobs, newest first. The cursor is "created_at:id" of the last job of the page.
func (s *Store) Jobs(ctx context.Context, q store.JobQuery) (store.JobPage, error) {
	limit := store.ClampLimit(q.Limit)
	var where []string
	var args []any
	if len(q.States) > 0 {
		marks := make([]string, len(q.States))
		for i, st := range q.States {
			marks[i] = "?"
			args = append(args, string(st))
		}
		where = append(where, "state IN ("+strings.Join(marks, ",")+")")
	}
	if q.Cursor != "" {
		ts, id, ok := strings.Cut(q.Cursor, ":")
		n, err := strconv.ParseInt(ts, 10, 64)
		if !ok || err != nil {
			return store.JobPage{}, fmt.Errorf("job cursor %q: %w", q.Cursor, store.ErrInvalid)
		}
		where = append(where, "(created_at < ? OR (created_at = ? AND id < ?))")
		args = append(args, n, n, id)
	}
	query := `SELECT ` + jobColumns + ` FROM jobs`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return store.JobPage{}, fmt.Errorf("listing jobs: %w", err)
	}
	defer rows.Close()
	page := store.JobPage{Jobs: []store.Job{}}
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return store.JobPage{}, fmt.Errorf("listing jobs: %w", err)
		}
		page.Jobs = append(page.Jobs, j)
	}
	if err := rows.Err(); err != nil {
		return store.JobPage{}, fmt.Errorf("listing jobs: %w", err)
	}
	if len(page.Jobs) > limit {
		page.Jobs = page.Jobs[:limit]
		last := page.Jobs[limit-1]
		page.Next = strconv.FormatInt(micros(last.CreatedAt), 10) + ":" + last.ID
	}
	return page, nil
}

// jobState reads a job's state and attempt count inside a transaction.
func jobState(ctx context.Context, tx *sql.Tx, jobID string) (store.JobState, int, error) {
	var state string
	var attempts int
	err := tx.QueryRowContext(ctx, `SELECT state, attempts FROM jobs WHERE id = ?`, jobID).Scan(&state, &attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, fmt.Errorf("job %q: %w", jobID, store.ErrNotFound)
	}
	if err != nil {
		return "", 0, fmt.Errorf("reading job %q: %w", jobID, err)
	}
	return store.JobState(state), attempts, nil
}

// StartAttempt starts the job's next attempt.
func (s *Store) StartAttempt(ctx context.Context, jobID, worker string, leaseUntil time.Time) (store.Attempt, error) {
	var a store.Attempt
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		state, attempts, err := jobState(ctx, tx, jobID)
		if err != nil {
			return err
		}
		if state.Terminal() {
			return fmt.Errorf("starting an attempt of job %q (%s): %w", jobID, state, store.ErrJobFinished)
		}
		t := now()
		a = store.Attempt{JobID: jobID, Number: attempts + 1, Worker: worker, State: store.AttemptRunning,
			LeaseExpiry: leaseUntil.UTC().Truncate(time.Microsecond), StartedAt: t}
		// An attempt still marked running is superseded by the new one.
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET state = 'failed', finished_at = ?, error = 'superseded by a later attempt'
			WHERE job_id = ? AND state = 'running'`, micros(t), jobID); err != nil {
			return fmt.Errorf("starting an attempt: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attempts(job_id, number, worker, state, lease_expiry, started_at) VALUES (?, ?, ?, ?, ?, ?)`,
			jobID, a.Number, worker, a.State, micros(a.LeaseExpiry), micros(t)); err != nil {
			return fmt.Errorf("starting an attempt: %w", err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET state = 'running', attempts = ?, started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END WHERE id = ?`,
			a.Number, micros(t), jobID)
		if err != nil {
			return fmt.Errorf("starting an attempt: %w", err)
		}
		return nil
	})
	return a, err
}

// FailAttempt ends a running attempt with an infrastructure error.
func (s *Store) FailAttempt(ctx context.Context, jobID string, number int, errText string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE attempts SET state = 'failed', finished_at = ?, error = ? WHERE job_id = ? AND number = ? AND state = 'running'`,
			micros(now()), errText, jobID, number)
		if err != nil {
			return fmt.Errorf("failing attempt %d of job %q: %w", number, jobID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var state string
			err := tx.QueryRowContext(ctx, `SELECT state FROM attempts WHERE job_id = ? AND number = ?`, jobID, number).Scan(&state)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("attempt %d of job %q: %w", number, jobID, store.ErrNoAttempt)
			}
			if err != nil {
				return fmt.Errorf("failing attempt %d of job %q: %w", number, jobID, err)
			}
			// Already ended: failing it again changes nothing.
		}
		return nil
	})
}

// Attempts lists a job's attempts.
func (s *Store) Attempts(ctx context.Context, jobID string) ([]store.Attempt, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT job_id, number, worker, state, lease_expiry, started_at, finished_at, error
		FROM attempts WHERE job_id = ? ORDER BY number`, jobID)
	if err != nil {
		return nil, fmt.Errorf("listing attempts of job %q: %w", jobID, err)
	}
	defer rows.Close()
	out := []store.Attempt{}
	for rows.Next() {
		var a store.Attempt
		var state string
		var lease, started, finished int64
		if err := rows.Scan(&a.JobID, &a.Number, &a.Worker, &state, &lease, &started, &finished, &a.Error); err != nil {
			return nil, fmt.Errorf("listing attempts of job %q: %w", jobID, err)
		}
		a.State = store.AttemptState(state)
		a.LeaseExpiry, a.StartedAt, a.FinishedAt = fromMicros(lease), fromMicros(started), fromMicros(finished)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing attempts of job %q: %w", jobID, err)
	}
	if len(out) == 0 {
		if _, err := s.Job(ctx, jobID); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FinishJob puts the job into a terminal state without a report.
func (s *Store) FinishJob(ctx context.Context, jobID string, state store.JobState, errText string) error {
	if !state.Terminal() {
		return fmt.Errorf("finishing job %q as %q: not a terminal state: %w", jobID, state, store.ErrInvalid)
	}
	return s.inTx(ctx, func(tx *sql.Tx) error {
		cur, _, err := jobState(ctx, tx, jobID)
		if err != nil {
			return err
		}
		if cur == state {
			return nil
		}
		if cur.Terminal() {
			return fmt.Errorf("finishing job %q as %s: it is %s: %w", jobID, state, cur, store.ErrJobFinished)
		}
		t := micros(now())
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET state = 'failed', finished_at = ?, error = ? WHERE job_id = ? AND state = 'running'`,
			t, "job "+string(state), jobID); err != nil {
			return fmt.Errorf("finishing job %q: %w", jobID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE jobs SET state = ?, error = ?, finished_at = ? WHERE id = ?`, state, errText, t, jobID); err != nil {
			return fmt.Errorf("finishing job %q: %w", jobID, err)
		}
		return nil
	})
}
