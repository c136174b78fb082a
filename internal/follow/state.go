package follow

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// state is the remembered position: the time of the newest entry handled and the entries handled
// at that very time (several can share a second), and the validators of the last response.
type state struct {
	Last         time.Time `json:"last"`
	SeenAtLast   []string  `json:"seen_at_last"`
	ETag         string    `json:"etag,omitempty"`
	LastModified string    `json:"last_modified,omitempty"`
	// Submitted are the times of the submissions of the last hour (the per-hour budget).
	Submitted []time.Time `json:"submitted,omitempty"`
}

func loadState(path string) (state, bool, error) {
	var s state
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return s, false, nil
	}
	if err != nil {
		return s, false, fmt.Errorf("reading the follower's position: %w", err)
	}
	if err := json.Unmarshal(data, &s); err != nil {
		return s, false, fmt.Errorf("reading the follower's position %s: %w", path, err)
	}
	return s, true, nil
}

// save writes the state atomically.
func (s state) save(path string) error {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return fmt.Errorf("saving the follower's position: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("saving the follower's position: %w", err)
	}
	return nil
}

// after tells whether a release is past the position.
func (s state) after(r Release) bool {
	if r.Time.After(s.Last) {
		return true
	}
	if r.Time.Before(s.Last) {
		return false
	}
	for _, k := range s.SeenAtLast {
		if k == r.key() {
			return false
		}
	}
	return true
}

// advance moves the position past r.
func (s *state) advance(r Release) {
	switch {
	case r.Time.After(s.Last):
		s.Last, s.SeenAtLast = r.Time, []string{r.key()}
	case r.Time.Equal(s.Last):
		s.SeenAtLast = append(s.SeenAtLast, r.key())
	}
}
