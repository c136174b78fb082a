package web

import (
	"context"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/store"
)

// ReleaseView is one release on the project page: its latest report's summary and, when that
// report is a matrix report, each image's verdict.
type ReleaseView struct {
	store.Release
	// Cells are the per-image verdicts of the latest report; empty for a report of one environment.
	Cells []CellVerdict `json:"cells,omitempty"`
}

// maxCellLookups bounds the releases, newest first, whose latest report the project page reads
// whole to show its per-image verdicts (the summaries the store keeps in columns do not have them).
const maxCellLookups = 100

// maxCachedCells bounds the cell cache; it starts over when full.
const maxCachedCells = 10000

// cellKey names one saved report: saving an attempt again gives it a new UID and time.
type cellKey struct {
	id      int64
	uid     string
	created time.Time
}

// cellCache remembers the per-image verdicts of reports, so that a project page reads each
// matrix report once rather than on every view.
type cellCache struct {
	mu sync.Mutex
	m  map[cellKey][]CellVerdict
}

func (c *cellCache) get(k cellKey) ([]CellVerdict, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[k]
	return v, ok
}

func (c *cellCache) put(k cellKey, v []CellVerdict) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxCachedCells {
		c.m = map[cellKey][]CellVerdict{}
	}
	c.m[k] = v
}

// releaseViews adds the per-image verdicts of each release's latest report, newest releases first,
// for at most maxCellLookups releases.
func (s *server) releaseViews(ctx context.Context, newestFirst []store.Release) ([]ReleaseView, error) {
	out := make([]ReleaseView, 0, len(newestFirst))
	for i, r := range newestFirst {
		rv := ReleaseView{Release: r}
		if i < maxCellLookups && r.Latest.ID != 0 {
			k := cellKey{r.Latest.ID, r.Latest.UID, r.Latest.CreatedAt}
			cells, ok := s.cells.get(k)
			if !ok {
				sr, err := s.st.Report(ctx, r.Latest.ID)
				if err != nil {
					return nil, err
				}
				cells = cellVerdicts(sr.Report)
				s.cells.put(k, cells)
			}
			rv.Cells = cells
		}
		out = append(out, rv)
	}
	return out, nil
}
