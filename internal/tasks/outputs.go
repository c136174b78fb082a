package tasks

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyti/pyti/internal/jobfs"
	"github.com/pyti/pyti/internal/report"
)

// maxOutputBytes caps a file PYTI takes out of the sandbox's work space (a wheel, test results).
const maxOutputBytes = 256 << 20

// refusedOutput records, once per path, a finding for a file PYTI expected from the sandbox and
// refused to take (see jobfs): a link where a result was expected, a FIFO or device, a file over
// the cap. The result is then missing; the link is never followed. err that is not such a refusal
// (the file is simply absent) records nothing. It reports whether it was a refusal.
func (j *job) refusedOutput(t *target, phase, path string, err error) bool {
	if !jobfs.Refused(err) {
		return false
	}
	j.mu.Lock()
	if j.refused == nil {
		j.refused = map[string]bool{}
	}
	seen := j.refused[path]
	j.refused[path] = true
	j.mu.Unlock()
	if seen {
		return true
	}
	shown := path
	if rel, rerr := filepath.Rel(j.dir, path); rerr == nil && filepath.IsLocal(rel) {
		shown = filepath.ToSlash(rel)
	}
	f := report.Finding{Source: "behavior", Phase: phase, Count: 1, Severity: report.SeverityMedium}
	ev := report.Evidence{Kind: "file", File: shown}
	switch {
	case errors.Is(err, jobfs.ErrLink):
		f.RuleID, f.Title = "output-link", "A link left where PYTI expected a result"
		target := linkOnPath(j.dir, path)
		ev.Detail = "link to " + target
		f.Message = fmt.Sprintf("The sandbox left a symbolic link on the path of %s (to %s). PYTI never follows a link out of the job directory: the result is missing.", shown, target)
		// A link out of the job is an attempt to have PYTI publish a host file.
		if filepath.IsAbs(target) || strings.HasPrefix(filepath.Clean(target), "..") {
			f.Severity = report.SeverityHigh
		}
	case errors.Is(err, jobfs.ErrNotRegular):
		f.RuleID, f.Title = "output-not-regular", "A special file left where PYTI expected a result"
		f.Message = fmt.Sprintf("%s is not a regular file (a FIFO, socket, device or directory): the result is missing.", shown)
	case errors.Is(err, jobfs.ErrTooLarge):
		f.RuleID, f.Title = "output-too-large", "A result over PYTI's size cap"
		f.Message = fmt.Sprintf("%s is larger than %d bytes: the result is missing.", shown, maxOutputBytes)
	default:
		f.RuleID, f.Title = "output-outside", "A result outside the job directory"
		f.Message = fmt.Sprintf("%s is outside the job directory: the result is missing.", shown)
	}
	f.Evidence = []report.Evidence{ev}
	if t != nil && t.cell >= 0 {
		f.Image = t.img.Name
	}
	j.edit(func(r *report.Report) { r.Findings = append(r.Findings, f) })
	return true
}

// linkOnPath returns the target of the first link on path below root (read, never followed).
func linkOnPath(root, path string) string {
	rel, err := filepath.Rel(root, path)
	if err != nil {
		return "?"
	}
	cur := root
	for _, p := range strings.Split(rel, string(filepath.Separator)) {
		cur = filepath.Join(cur, p)
		if fi, err := os.Lstat(cur); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(cur)
			if err != nil {
				return "?"
			}
			return target
		}
	}
	return "?"
}

// readOut reads a file the sandbox may have written (readCapped), recording a refusal as a
// finding of phase.
func (j *job) readOut(t *target, phase, path string, max int64) ([]byte, error) {
	data, err := readCapped(path, max)
	if err != nil {
		j.refusedOutput(t, phase, path, err)
	}
	return data, err
}

// openOut opens a file the sandbox may have written (openNoLinks), recording a refusal as a
// finding of phase.
func (j *job) openOut(t *target, phase, path string) (*os.File, error) {
	f, err := openNoLinks(path)
	if err != nil {
		j.refusedOutput(t, phase, path, err)
	}
	return f, err
}
