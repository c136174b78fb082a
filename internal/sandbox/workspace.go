package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// Workspace is a job's writable directory whose size is capped so that the job cannot fill the
// host disk: a size-capped tmpfs mounted at Dir when PYTI runs as root, else a plain directory
// (then only RLIMIT_FSIZE bounds single files, and Note says so).
type Workspace struct {
	Dir       string
	SizeBytes int64
	Tmpfs     bool   // Dir is a tmpfs of SizeBytes
	Note      string // what the fallback cannot guarantee, empty for a tmpfs
}

// NewWorkspace creates dir (it must not exist yet) capped at size bytes. Everything in a tmpfs
// workspace is gone after Close: copy out what must be kept first.
func NewWorkspace(dir string, size int64) (*Workspace, error) {
	if size <= 0 {
		return nil, errors.New("workspace: size must be positive")
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		return nil, fmt.Errorf("workspace: %w", err)
	}
	w := &Workspace{Dir: dir, SizeBytes: size}
	if os.Geteuid() != 0 {
		w.Note = "not root: the workspace is a plain directory; only RLIMIT_FSIZE bounds each file, not the total"
		return w, nil
	}
	opts := fmt.Sprintf("size=%d,mode=0755", size)
	if err := unix.Mount("tmpfs", dir, "tmpfs", unix.MS_NOSUID|unix.MS_NODEV, opts); err != nil {
		w.Note = fmt.Sprintf("tmpfs mount failed (%v): the workspace is a plain directory; only RLIMIT_FSIZE bounds each file", err)
		return w, nil
	}
	w.Tmpfs = true
	if err := writeOwner(dir); err != nil {
		w.Close()
		return nil, fmt.Errorf("workspace: %w", err)
	}
	return w, nil
}

// Full says whether the workspace has no block left.
func (w *Workspace) Full() bool { return isFull(w.Dir) }

// Close unmounts a tmpfs workspace (its content is gone) and removes the directory; a plain
// directory is left to the caller.
func (w *Workspace) Close() error {
	if !w.Tmpfs {
		return nil
	}
	if err := unix.Unmount(w.Dir, unix.MNT_DETACH); err != nil {
		return fmt.Errorf("workspace: unmount %s: %w", w.Dir, err)
	}
	w.Tmpfs = false
	os.Remove(filepath.Join(filepath.Dir(w.Dir), ownerFile))
	if err := os.Remove(w.Dir); err != nil {
		return fmt.Errorf("workspace: %w", err)
	}
	return nil
}
