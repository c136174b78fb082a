package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

func normalize(name string) string { return pep440.NormalizeName(strings.TrimSpace(name)) }

const projectColumns = `p.name, p.display_name, p.releases, p.updated_at, ` + summaryColumns

// projectFrom is the join of projects with their latest report; projects with no report yet are
// left out.
const projectFrom = ` FROM projects p JOIN reports r ON r.id = p.latest_report_id`

func scanProject(row rowScanner) (store.Project, error) {
	var p store.Project
	var updated int64
	sum, err := scanSummaryWith(row, []any{&p.Name, &p.DisplayName, &p.Releases, &updated}, nil)
	if err != nil {
		return store.Project{}, err
	}
	p.UpdatedAt = fromMicros(updated)
	p.Latest = &sum
	return p, nil
}

// Project returns one project.
func (s *Store) Project(ctx context.Context, name string) (store.Project, error) {
	p, err := scanProject(s.read.QueryRowContext(ctx, `SELECT `+projectColumns+projectFrom+` WHERE p.name = ?`, normalize(name)))
	if errors.Is(err, sql.ErrNoRows) {
		return store.Project{}, fmt.Errorf("project %q: %w", name, store.ErrNotFound)
	}
	if err != nil {
		return store.Project{}, fmt.Errorf("reading project %q: %w", name, err)
	}
	return p, nil
}

// Projects lists projects by normalised name; the cursor is the last name of the page.
func (s *Store) Projects(ctx context.Context, q store.ProjectQuery) (store.ProjectPage, error) {
	limit := store.ClampLimit(q.Limit)
	var where []string
	var args []any
	if prefix := normalize(q.Prefix); prefix != "" {
		// A range on the unique index instead of LIKE, whose wildcards the prefix could hold.
		where = append(where, "p.name >= ? AND p.name < ?")
		args = append(args, prefix, prefix+"\U0010FFFF")
	}
	if q.Cursor != "" {
		where = append(where, "p.name > ?")
		args = append(args, q.Cursor)
	}
	query := `SELECT ` + projectColumns + projectFrom
	if len(where) > 0 {
		query += " WHERE " + strings.Join(where, " AND ")
	}
	query += " ORDER BY p.name LIMIT ?"
	args = append(args, limit+1)
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return store.ProjectPage{}, fmt.Errorf("listing projects: %w", err)
	}
	defer rows.Close()
	page := store.ProjectPage{Projects: []store.Project{}}
	for rows.Next() {
		p, err := scanProject(rows)
		if err != nil {
			return store.ProjectPage{}, fmt.Errorf("listing projects: %w", err)
		}
		page.Projects = append(page.Projects, p)
	}
	if err := rows.Err(); err != nil {
		return store.ProjectPage{}, fmt.Errorf("listing projects: %w", err)
	}
	if len(page.Projects) > limit {
		page.Projects = page.Projects[:limit]
		page.Next = page.Projects[limit-1].Name
	}
	return page, nil
}

// Releases lists a project's analysed releases with their latest report and files.
func (s *Store) Releases(ctx context.Context, project string) ([]store.Release, error) {
	name := normalize(project)
	var projectID int64
	err := s.read.QueryRowContext(ctx, `SELECT id FROM projects WHERE name = ?`, name).Scan(&projectID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("project %q: %w", project, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("listing releases of %q: %w", project, err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT rel.id, rel.version, rel.reports, `+summaryColumns+`
		FROM releases rel JOIN reports r ON r.id = rel.report_id WHERE rel.project_id = ? ORDER BY rel.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("listing releases of %q: %w", project, err)
	}
	defer rows.Close()
	out := []store.Release{}
	index := map[int64]int{}
	for rows.Next() {
		var rel store.Release
		var id int64
		sum, err := scanSummaryWith(rows, []any{&id, &rel.Version, &rel.Reports}, nil)
		if err != nil {
			return nil, fmt.Errorf("listing releases of %q: %w", project, err)
		}
		rel.Project, rel.Latest, rel.Files = name, sum, []report.File{}
		index[id] = len(out)
		out = append(out, rel)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing releases of %q: %w", project, err)
	}
	rows.Close()
	frows, err := s.read.QueryContext(ctx, `SELECT f.release_id, f.filename, f.kind, f.sha256, f.size, f.url, f.yanked
		FROM files f JOIN releases rel ON rel.id = f.release_id WHERE rel.project_id = ? ORDER BY f.release_id, f.filename`, projectID)
	if err != nil {
		return nil, fmt.Errorf("listing files of %q: %w", project, err)
	}
	defer frows.Close()
	for frows.Next() {
		var id int64
		var f report.File
		if err := frows.Scan(&id, &f.Filename, &f.Kind, &f.SHA256, &f.Size, &f.URL, &f.Yanked); err != nil {
			return nil, fmt.Errorf("listing files of %q: %w", project, err)
		}
		if i, ok := index[id]; ok {
			out[i].Files = append(out[i].Files, f)
		}
	}
	if err := frows.Err(); err != nil {
		return nil, fmt.Errorf("listing files of %q: %w", project, err)
	}
	return out, nil
}
