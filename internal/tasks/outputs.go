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
	if !j.refused.first(path) {
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
		f.RuleID, f.Title = "output-link", "A link left where PYTI reads or writes a file"
		target := linkOnPath(j.dir, path)
		ev.Detail = "link to " + target
		f.Message = fmt.Sprintf("The sandbox left a symbolic link on the path of %s (to %s). PYTI never follows a link in the job directory: nothing was read or written through it, and the result is missing.", shown, target)
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
	j.out.finding(f)
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

// realDir makes sure dir (below the job directory) is a directory reached without any link,
// creating what is missing, before PYTI writes into it: the sandbox may have replaced any
// directory it can write with a link to a host directory. A link is a finding of phase.
func (j *job) realDir(t *target, phase, dir string) error {
	err := jobfs.MkdirAll(j.dir, dir, 0o777)
	if err != nil {
		j.refusedOutput(t, phase, dir, err)
		return fmt.Errorf("%s: %w", phase, err)
	}
	return nil
}

// freshDir makes dir an empty directory of PYTI's, whatever the sandbox left there (a link, a
// tree with links inside): its parents are checked with realDir, then dir is removed (a link
// itself, never what it names) and made anew.
func (j *job) freshDir(t *target, phase, dir string) error {
	if err := j.realDir(t, phase, filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	return os.Mkdir(dir, 0o777)
}

// copySource makes dir a fresh copy of the source tree root, for a step that works in a tree of
// its own (a build and a metadata preparation write build/ and *.egg-info there, the tests
// replace the package with the installed one), so that the pristine tree stays as unpacked.
func (j *job) copySource(t *target, phase, root, dir string) error {
	if err := j.freshDir(t, phase, dir); err != nil {
		return err
	}
	if err := copyTree(root, dir); err != nil {
		return fmt.Errorf("copying the source tree: %w", err)
	}
	return nil
}

// writeNoLinks writes a file into a directory the sandbox could write to, never through a link
// (see jobfs.WriteFile); a refusal is a finding of phase.
func (j *job) writeNoLinks(t *target, phase, path string, data []byte, perm os.FileMode) error {
	if err := j.realDir(t, phase, filepath.Dir(path)); err != nil {
		return err
	}
	if err := jobfs.WriteFile(j.dir, path, data, perm); err != nil {
		j.refusedOutput(t, phase, path, err)
		return err
	}
	return nil
}

// hashNoLinks is the sha256 and size of a regular file the sandbox could have written, read
// without following a link.
func hashNoLinks(path string) (string, int64, error) {
	f, err := openNoLinks(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return hashReader(f)
}
