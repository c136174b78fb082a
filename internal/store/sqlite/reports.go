package sqlite

import (
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

func gzipJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if err != nil {
		return nil, err
	}
	if err := json.NewEncoder(zw).Encode(v); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func gunzipJSON(data []byte, v any) error {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return err
	}
	defer zr.Close()
	return json.NewDecoder(zr).Decode(v)
}

func nullFloat(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func nullInt(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

// SaveReport stores an attempt's report; see store.Store.
func (s *Store) SaveReport(ctx context.Context, jobID string, attempt int, rep *report.Report) (store.ReportSummary, error) {
	if rep == nil || strings.TrimSpace(rep.Project) == "" {
		return store.ReportSummary{}, fmt.Errorf("saving a report of job %q: the report names no project: %w", jobID, store.ErrInvalid)
	}
	sum := store.Summarize(rep)
	sum.JobID, sum.Attempt = jobID, attempt
	blob, err := gzipJSON(rep)
	if err != nil {
		return store.ReportSummary{}, fmt.Errorf("encoding the report of job %q: %w", jobID, err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		state, attempts, err := jobState(ctx, tx, jobID)
		if err != nil {
			return err
		}
		if attempt < 1 || attempt > attempts {
			return fmt.Errorf("saving the report of attempt %d of job %q: %w", attempt, jobID, store.ErrNoAttempt)
		}
		if state.Terminal() && state != store.JobDone {
			return fmt.Errorf("saving a report of job %q (%s): %w", jobID, state, store.ErrJobFinished)
		}
		var existingID int64
		var existingAttempt int
		var oldRelease int64
		err = tx.QueryRowContext(ctx, `SELECT id, attempt, release_id FROM reports WHERE job_id = ?`, jobID).Scan(&existingID, &existingAttempt, &oldRelease)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return fmt.Errorf("saving the report of job %q: %w", jobID, err)
		case existingAttempt > attempt:
			return fmt.Errorf("saving the report of attempt %d of job %q (attempt %d saved): %w", attempt, jobID, existingAttempt, store.ErrStaleAttempt)
		}
		projectID, releaseID, err := fileRelease(ctx, tx, rep, sum)
		if err != nil {
			return err
		}
		t := micros(sum.CreatedAt)
		cols := []any{attempt, sum.UID, projectID, releaseID, sum.Project, sum.Version, sum.Verdict, sum.Reason, t,
			sum.Build, sum.Install, sum.Import, sum.Tests.Total, sum.Tests.Passed, sum.Tests.Failed, sum.Tests.Errors, sum.Tests.Skipped,
			nullFloat(sum.Coverage), nullFloat(sum.LintPerKLOC), nullFloat(sum.PylintScore), nullInt(sum.PackagingScore), nullInt(sum.PackagingMax),
			sum.Findings, sum.MaxSeverity, sum.WallMS, blob}
		if existingID != 0 {
			sum.ID = existingID
			_, err = tx.ExecContext(ctx, `UPDATE reports SET attempt=?, report_uid=?, project_id=?, release_id=?, project=?, version=?, verdict=?, reason=?, created_at=?,
				build=?, install=?, import=?, tests_total=?, tests_passed=?, tests_failed=?, tests_errors=?, tests_skipped=?,
				coverage=?, lint_per_kloc=?, pylint_score=?, packaging_score=?, packaging_max=?, findings=?, max_severity=?, wall_ms=?, json_gz=?
				WHERE id = ?`, append(cols, existingID)...)
			if err != nil {
				return fmt.Errorf("saving the report of job %q: %w", jobID, err)
			}
			for _, table := range []string{"task_runs", "tests", "findings"} {
				if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE report_id = ?`, existingID); err != nil {
					return fmt.Errorf("saving the report of job %q: %w", jobID, err)
				}
			}
			if oldRelease != releaseID {
				if err := refreshRelease(ctx, tx, oldRelease); err != nil {
					return err
				}
			}
		} else {
			res, err := tx.ExecContext(ctx, `INSERT INTO reports(attempt, report_uid, project_id, release_id, project, version, verdict, reason, created_at,
				build, install, import, tests_total, tests_passed, tests_failed, tests_errors, tests_skipped,
				coverage, lint_per_kloc, pylint_score, packaging_score, packaging_max, findings, max_severity, wall_ms, json_gz, job_id)
				VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, append(cols, jobID)...)
			if err != nil {
				return fmt.Errorf("saving the report of job %q: %w", jobID, err)
			}
			if sum.ID, err = res.LastInsertId(); err != nil {
				return fmt.Errorf("saving the report of job %q: %w", jobID, err)
			}
		}
		if err := insertRows(ctx, tx, sum.ID, rep); err != nil {
			return fmt.Errorf("saving the report of job %q: %w", jobID, err)
		}
		if err := refreshRelease(ctx, tx, releaseID); err != nil {
			return err
		}
		if err := refreshProject(ctx, tx, projectID); err != nil {
			return err
		}
		fin := micros(now())
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET state = 'done', finished_at = ?, error = '' WHERE job_id = ? AND number = ?`, fin, jobID, attempt); err != nil {
			return fmt.Errorf("saving the report of job %q: %w", jobID, err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attempts SET state = 'failed', finished_at = ?, error = 'superseded by a later attempt' WHERE job_id = ? AND number < ? AND state = 'running'`, fin, jobID, attempt); err != nil {
			return fmt.Errorf("saving the report of job %q: %w", jobID, err)
		}
		_, err = tx.ExecContext(ctx, `UPDATE jobs SET state = 'done', verdict = ?, error = '', report_id = ?, finished_at = CASE WHEN finished_at = 0 THEN ? ELSE finished_at END WHERE id = ?`,
			sum.Verdict, sum.ID, fin, jobID)
		if err != nil {
			return fmt.Errorf("saving the report of job %q: %w", jobID, err)
		}
		return nil
	})
	if err != nil {
		return store.ReportSummary{}, err
	}
	return sum, nil
}

// fileRelease upserts the project, the release and its files.
func fileRelease(ctx context.Context, tx *sql.Tx, rep *report.Report, sum store.ReportSummary) (projectID, releaseID int64, err error) {
	err = tx.QueryRowContext(ctx, `INSERT INTO projects(name, display_name, updated_at) VALUES (?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET display_name = excluded.display_name, updated_at = excluded.updated_at RETURNING id`,
		sum.Project, rep.Project, micros(now())).Scan(&projectID)
	if err != nil {
		return 0, 0, fmt.Errorf("filing project %q: %w", sum.Project, err)
	}
	err = tx.QueryRowContext(ctx, `INSERT INTO releases(project_id, version) VALUES (?, ?)
		ON CONFLICT(project_id, version) DO UPDATE SET version = excluded.version RETURNING id`, projectID, sum.Version).Scan(&releaseID)
	if err != nil {
		return 0, 0, fmt.Errorf("filing release %s %s: %w", sum.Project, sum.Version, err)
	}
	for _, f := range rep.Files {
		_, err := tx.ExecContext(ctx, `INSERT INTO files(release_id, filename, kind, sha256, size, url, yanked) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT(release_id, filename) DO UPDATE SET kind = excluded.kind, sha256 = excluded.sha256, size = excluded.size, url = excluded.url, yanked = excluded.yanked`,
			releaseID, f.Filename, f.Kind, f.SHA256, f.Size, f.URL, f.Yanked)
		if err != nil {
			return 0, 0, fmt.Errorf("filing file %q: %w", f.Filename, err)
		}
	}
	return projectID, releaseID, nil
}

// refreshRelease points a release at its newest report and counts its reports.
func refreshRelease(ctx context.Context, tx *sql.Tx, releaseID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE releases SET
		report_id = (SELECT id FROM reports WHERE release_id = ?1 ORDER BY created_at DESC, id DESC LIMIT 1),
		report_created = coalesce((SELECT max(created_at) FROM reports WHERE release_id = ?1), 0),
		reports = (SELECT count(*) FROM reports WHERE release_id = ?1)
		WHERE id = ?1`, releaseID)
	if err != nil {
		return fmt.Errorf("updating release %d: %w", releaseID, err)
	}
	return nil
}

// refreshProject points a project at its newest report and counts its releases.
func refreshProject(ctx context.Context, tx *sql.Tx, projectID int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE projects SET
		latest_report_id = (SELECT report_id FROM releases WHERE project_id = ?1 AND report_id IS NOT NULL ORDER BY report_created DESC, report_id DESC LIMIT 1),
		latest_created = coalesce((SELECT max(report_created) FROM releases WHERE project_id = ?1), 0),
		releases = (SELECT count(*) FROM releases WHERE project_id = ?1 AND reports > 0)
		WHERE id = ?1`, projectID)
	if err != nil {
		return fmt.Errorf("updating project %d: %w", projectID, err)
	}
	return nil
}

// insertRows writes the report's task runs, tests and findings.
func insertRows(ctx context.Context, tx *sql.Tx, reportID int64, rep *report.Report) error {
	if rep.Run != nil && len(rep.Run.Tasks) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO task_runs(report_id, seq, name, status, reason, wall_ms, cpu_ms, peak_bytes) VALUES (?,?,?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, t := range rep.Run.Tasks {
			if _, err := stmt.ExecContext(ctx, reportID, i, t.Name, string(t.Status), t.Reason, t.WallMS, t.CPUMS, t.PeakRSSBytes); err != nil {
				return err
			}
		}
	}
	if t := rep.Results().Tests; t != nil && t.Results != nil && len(t.Results.Cases) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO tests(report_id, seq, nodeid, outcome, class) VALUES (?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, c := range t.Results.Cases {
			if _, err := stmt.ExecContext(ctx, reportID, i, c.NodeID, string(c.Outcome), string(c.Class)); err != nil {
				return err
			}
		}
	}
	if len(rep.Findings) > 0 {
		stmt, err := tx.PrepareContext(ctx, `INSERT INTO findings(report_id, seq, rule, severity, phase, title) VALUES (?,?,?,?,?,?)`)
		if err != nil {
			return err
		}
		defer stmt.Close()
		for i, f := range rep.Findings {
			if _, err := stmt.ExecContext(ctx, reportID, i, f.RuleID, string(f.Severity), f.Phase, f.Title); err != nil {
				return err
			}
		}
	}
	return nil
}

const summaryColumns = `r.id, r.job_id, r.attempt, r.report_uid, r.project, r.version, r.verdict, r.reason, r.created_at,
	r.build, r.install, r.import, r.tests_total, r.tests_passed, r.tests_failed, r.tests_errors, r.tests_skipped,
	r.coverage, r.lint_per_kloc, r.pylint_score, r.packaging_score, r.packaging_max, r.findings, r.max_severity, r.wall_ms`

func scanSummary(r rowScanner, extra ...any) (store.ReportSummary, error) {
	return scanSummaryWith(r, nil, extra)
}

// scanSummaryWith scans pre, then the summary columns, then post.
func scanSummaryWith(r rowScanner, pre, post []any) (store.ReportSummary, error) {
	var s store.ReportSummary
	var verdict, sev string
	var created int64
	var cov, lint, pylint sql.NullFloat64
	var pkg, pkgMax sql.NullInt64
	dest := []any{&s.ID, &s.JobID, &s.Attempt, &s.UID, &s.Project, &s.Version, &verdict, &s.Reason, &created,
		&s.Build, &s.Install, &s.Import, &s.Tests.Total, &s.Tests.Passed, &s.Tests.Failed, &s.Tests.Errors, &s.Tests.Skipped,
		&cov, &lint, &pylint, &pkg, &pkgMax, &s.Findings, &sev, &s.WallMS}
	all := append(append(append([]any{}, pre...), dest...), post...)
	if err := r.Scan(all...); err != nil {
		return store.ReportSummary{}, err
	}
	s.Verdict, s.MaxSeverity, s.CreatedAt = report.Verdict(verdict), report.Severity(sev), fromMicros(created)
	if cov.Valid {
		s.Coverage = &cov.Float64
	}
	if lint.Valid {
		s.LintPerKLOC = &lint.Float64
	}
	if pylint.Valid {
		s.PylintScore = &pylint.Float64
	}
	if pkg.Valid {
		v := int(pkg.Int64)
		s.PackagingScore = &v
	}
	if pkgMax.Valid {
		v := int(pkgMax.Int64)
		s.PackagingMax = &v
	}
	return s, nil
}

// Report returns one stored report.
func (s *Store) Report(ctx context.Context, id int64) (*store.StoredReport, error) {
	var blob []byte
	sum, err := scanSummary(s.read.QueryRowContext(ctx, `SELECT `+summaryColumns+`, r.json_gz FROM reports r WHERE r.id = ?`, id), &blob)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("report %d: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading report %d: %w", id, err)
	}
	rep := &report.Report{}
	if err := gunzipJSON(blob, rep); err != nil {
		return nil, fmt.Errorf("decoding report %d: %w", id, err)
	}
	return &store.StoredReport{ReportSummary: sum, Report: rep}, nil
}

// Reports lists report summaries, newest first; the cursor is the id of the page's last report.
func (s *Store) Reports(ctx context.Context, q store.ReportQuery) (store.ReportPage, error) {
	limit := store.ClampLimit(q.Limit)
	var where []string
	var args []any
	if q.Project != "" {
		where = append(where, "r.project_id = (SELECT id FROM projects WHERE name = ?)")
		args = append(args, normalize(q.Project))
	}
	if q.Version != "" {
		where = append(where, "r.version = ?")
		args = append(args, q.Version)
	}
	if q.Verdict != "" {
		where = append(where, "r.verdict = ?")
		args = append(args, string(q.Verdict))
	}
	if q.Rule != "" {
		where = append(where, "r.id IN (SELECT report_id FROM findings WHERE rule = ?)")
		args = append(args, q.Rule)
	}
	if q.Cursor != "" {
		n, err := strconv.ParseInt(q.Cursor, 10, 64)
		if err != nil || n <= 0 {
			return store.ReportPage{}, fmt.Errorf("report cursor %q: %w", q.Cursor, store.ErrInvalid)
		}
		where = append(where, "r.id < ?")
		args = append(args, n)
	}
	query := `SELECT ` + summaryColumns + ` FROM reports r`
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY r.id DESC LIMIT ?"
	args = append(args, limit+1)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return store.ReportPage{}, fmt.Errorf("listing reports: %w", err)
	}
	defer rows.Close()
	page := store.ReportPage{Reports: []store.ReportSummary{}}
	for rows.Next() {
		sum, err := scanSummary(rows)
		if err != nil {
			return store.ReportPage{}, fmt.Errorf("listing reports: %w", err)
		}
		page.Reports = append(page.Reports, sum)
	}
	if err := rows.Err(); err != nil {
		return store.ReportPage{}, fmt.Errorf("listing reports: %w", err)
	}
	if len(page.Reports) > limit {
		page.Reports = page.Reports[:limit]
		page.Next = strconv.FormatInt(page.Reports[limit-1].ID, 10)
	}
	return page, nil
}

// CountsByVerdict counts reports by verdict (kept up to date by triggers).
func (s *Store) CountsByVerdict(ctx context.Context) (map[report.Verdict]int, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT verdict, n FROM verdict_counts WHERE n > 0`)
	if err != nil {
		return nil, fmt.Errorf("counting verdicts: %w", err)
	}
	defer rows.Close()
	out := map[report.Verdict]int{}
	for rows.Next() {
		var v string
		var n int
		if err := rows.Scan(&v, &n); err != nil {
			return nil, fmt.Errorf("counting verdicts: %w", err)
		}
		out[report.Verdict(v)] = n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("counting verdicts: %w", err)
	}
	return out, nil
}
