// Package store owns PYTI's result storage: projects, releases and their files, jobs and their
// attempts, reports with their task runs, tests and findings, and a content-addressed blob store for
// raw data. Store is the one interface every backend implements (SQLite here, PostgreSQL later);
// storetest holds the conformance suite each backend must pass. Results are written idempotently per
// job and attempt: saving an attempt's report again replaces it, and a report of an older attempt
// never replaces one of a newer attempt.
package store

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/pyti/pyti/internal/report"
)

// Errors a Store returns; test them with errors.Is.
var (
	// ErrNotFound means the job, report, project or blob does not exist.
	ErrNotFound = errors.New("not found")
	// ErrStaleAttempt means a newer attempt of the job already saved its report.
	ErrStaleAttempt = errors.New("a newer attempt of the job has already saved its report")
	// ErrJobFinished means the job already reached another terminal state.
	ErrJobFinished = errors.New("the job has already finished")
	// ErrNoAttempt means the attempt was never started.
	ErrNoAttempt = errors.New("no such attempt of the job")
	// ErrInvalid means an argument is malformed (an empty spec, a bad cursor or digest).
	ErrInvalid = errors.New("invalid argument")
)

// Store is PYTI's result storage. Implementations are safe for concurrent use.
type Store interface {
	// CreateJob records a new queued job.
	CreateJob(ctx context.Context, j NewJob) (Job, error)
	// Job returns one job.
	Job(ctx context.Context, id string) (Job, error)
	// Jobs lists jobs, newest first, optionally only those in some states.
	Jobs(ctx context.Context, q JobQuery) (JobPage, error)
	// StartAttempt starts the job's next attempt on a worker, holding a lease until leaseUntil;
	// the job becomes running.
	StartAttempt(ctx context.Context, jobID, worker string, leaseUntil time.Time) (Attempt, error)
	// FailAttempt ends a running attempt with an infrastructure error; the job stays as it is
	// (the caller retries it or finishes it with FinishJob).
	FailAttempt(ctx context.Context, jobID string, number int, errText string) error
	// Attempts lists a job's attempts, first first.
	Attempts(ctx context.Context, jobID string) ([]Attempt, error)
	// FinishJob puts the job into a terminal state without a report (failed, cancelled,
	// quarantined). Finishing a job again in the same state is a no-op.
	FinishJob(ctx context.Context, jobID string, state JobState, errText string) error

	// SaveReport stores the report of an attempt of a job, marks the attempt and the job done and
	// files the report under its project and release. Saving the same attempt again replaces its
	// report; a report of an attempt older than the saved one fails with ErrStaleAttempt.
	SaveReport(ctx context.Context, jobID string, attempt int, rep *report.Report) (ReportSummary, error)
	// Report returns one stored report, whole.
	Report(ctx context.Context, id int64) (*StoredReport, error)
	// Reports lists report summaries, newest first, filtered and paginated.
	Reports(ctx context.Context, q ReportQuery) (ReportPage, error)
	// CountsByVerdict counts the stored reports by verdict.
	CountsByVerdict(ctx context.Context) (map[report.Verdict]int, error)

	// Project returns one project by name (any spelling that normalises to it).
	Project(ctx context.Context, name string) (Project, error)
	// Projects lists projects by name, optionally those whose normalised name starts with a prefix.
	Projects(ctx context.Context, q ProjectQuery) (ProjectPage, error)
	// Releases lists the analysed releases of a project with their latest report, in no
	// particular version order (callers sort by PEP 440).
	Releases(ctx context.Context, project string) ([]Release, error)

	// PutBlob stores raw data, compressed, under the sha256 of its bytes; storing the same bytes
	// twice keeps one copy.
	PutBlob(ctx context.Context, r io.Reader) (Blob, error)
	// OpenBlob opens stored raw data, decompressed.
	OpenBlob(ctx context.Context, sha256 string) (io.ReadCloser, Blob, error)

	// Close releases the store's resources.
	Close() error
}

// JobState is where a job is in its life.
type JobState string

// The job states; done, failed, cancelled and quarantined are terminal.
const (
	JobQueued      JobState = "queued"
	JobRunning     JobState = "running"
	JobDone        JobState = "done"
	JobFailed      JobState = "failed"
	JobCancelled   JobState = "cancelled"
	JobQuarantined JobState = "quarantined"
)

// Terminal tells whether a job in this state is over.
func (s JobState) Terminal() bool {
	switch s {
	case JobDone, JobFailed, JobCancelled, JobQuarantined:
		return true
	}
	return false
}

// AttemptState is where one attempt is.
type AttemptState string

// The attempt states.
const (
	AttemptRunning AttemptState = "running"
	AttemptDone    AttemptState = "done"
	AttemptFailed  AttemptState = "failed"
)

// NewJob is what a job is created from.
type NewJob struct {
	// Spec is a requirement (name, name==1.2) or a local path.
	Spec string `json:"spec"`
	// Index is the index URL, without credentials; empty for the default.
	Index string `json:"index,omitempty"`
	// Images names the images the job runs on: none for the worker's host system, one for that
	// image, two or more for a matrix. "host" names the host system.
	Images []string `json:"images,omitempty"`
}

// Job is one requested analysis.
type Job struct {
	ID         string         `json:"id"`
	Spec       string         `json:"spec"`
	Index      string         `json:"index,omitempty"`
	Images     []string       `json:"images,omitempty"`
	State      JobState       `json:"state"`
	CreatedAt  time.Time      `json:"created_at"`
	StartedAt  time.Time      `json:"started_at,omitzero"`
	FinishedAt time.Time      `json:"finished_at,omitzero"`
	Attempts   int            `json:"attempts"`
	Verdict    report.Verdict `json:"verdict,omitempty"`
	Error      string         `json:"error,omitempty"`
	// ReportID is the stored report, 0 when there is none.
	ReportID int64 `json:"report_id,omitempty"`
}

// Attempt is one try at running a job.
type Attempt struct {
	JobID       string       `json:"job_id"`
	Number      int          `json:"number"`
	Worker      string       `json:"worker"`
	State       AttemptState `json:"state"`
	LeaseExpiry time.Time    `json:"lease_expiry"`
	StartedAt   time.Time    `json:"started_at"`
	FinishedAt  time.Time    `json:"finished_at,omitzero"`
	Error       string       `json:"error,omitempty"`
}

// JobQuery selects jobs.
type JobQuery struct {
	// States keeps only jobs in these states; empty keeps all.
	States []JobState
	// Cursor is the Next of the previous page.
	Cursor string
	Limit  int
}

// JobPage is one page of jobs.
type JobPage struct {
	Jobs []Job  `json:"jobs"`
	Next string `json:"next,omitempty"`
}

// ReportSummary is the at-a-glance part of a stored report, kept in columns so that lists never
// decode a whole report.
type ReportSummary struct {
	ID        int64          `json:"id"`
	JobID     string         `json:"job_id"`
	Attempt   int            `json:"attempt"`
	UID       string         `json:"report_uid,omitempty"`
	Project   string         `json:"project"`
	Version   string         `json:"version"`
	Verdict   report.Verdict `json:"verdict"`
	Reason    string         `json:"reason,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
	// Build, Install and Import are the phases' outcomes ("" when the phase did not run).
	Build   string     `json:"build,omitempty"`
	Install string     `json:"install,omitempty"`
	Import  string     `json:"import,omitempty"`
	Tests   TestCounts `json:"tests"`
	// Coverage is the line-and-branch percent; nil when not measured.
	Coverage *float64 `json:"coverage,omitempty"`
	// LintPerKLOC is pycodestyle plus pyflakes messages per thousand lines; nil when not linted.
	LintPerKLOC    *float64        `json:"lint_per_kloc,omitempty"`
	PylintScore    *float64        `json:"pylint_score,omitempty"`
	PackagingScore *int            `json:"packaging_score,omitempty"`
	PackagingMax   *int            `json:"packaging_max,omitempty"`
	Findings       int             `json:"findings"`
	MaxSeverity    report.Severity `json:"max_severity,omitempty"`
	WallMS         float64         `json:"wall_ms"`
}

// TestCounts are a report's tests per outcome.
type TestCounts struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Errors  int `json:"errors"`
	Skipped int `json:"skipped"`
}

// StoredReport is a whole report with its summary.
type StoredReport struct {
	ReportSummary
	Report *report.Report `json:"report"`
}

// ReportQuery selects reports. Every non-empty field narrows the list.
type ReportQuery struct {
	Project string
	Version string
	Verdict report.Verdict
	// Rule keeps reports with at least one finding of this rule.
	Rule   string
	Cursor string
	Limit  int
}

// ReportPage is one page of report summaries.
type ReportPage struct {
	Reports []ReportSummary `json:"reports"`
	Next    string          `json:"next,omitempty"`
}

// Project is one analysed project.
type Project struct {
	// Name is the PEP 503 normalised name.
	Name string `json:"name"`
	// DisplayName is the name as the latest report spelled it.
	DisplayName string `json:"display_name"`
	Releases    int    `json:"releases"`
	// Latest is the most recent report of any release.
	Latest    *ReportSummary `json:"latest,omitempty"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// ProjectQuery selects projects.
type ProjectQuery struct {
	// Prefix keeps projects whose normalised name starts with the normalised prefix.
	Prefix string
	Cursor string
	Limit  int
}

// ProjectPage is one page of projects.
type ProjectPage struct {
	Projects []Project `json:"projects"`
	Next     string    `json:"next,omitempty"`
}

// Release is one analysed version of a project.
type Release struct {
	Project string        `json:"project"`
	Version string        `json:"version"`
	Files   []report.File `json:"files"`
	// Reports counts the analyses of this release.
	Reports int `json:"reports"`
	// Latest is the most recent report of this release.
	Latest ReportSummary `json:"latest"`
}

// Blob is one stored piece of raw data.
type Blob struct {
	SHA256 string `json:"sha256"`
	Size   int64  `json:"size"`
	// StoredSize is the compressed size on disk.
	StoredSize int64 `json:"stored_size"`
	// Text is true when the data looks like UTF-8 text (no NUL bytes, valid UTF-8 at the start).
	Text bool `json:"text"`
}

// Limits on page sizes.
const (
	DefaultLimit = 50
	MaxLimit     = 500
)

// ClampLimit applies the default and maximum page size.
func ClampLimit(n int) int {
	if n <= 0 {
		return DefaultLimit
	}
	return min(n, MaxLimit)
}
