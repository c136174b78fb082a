package sandbox

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

func TestWorkspace(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ws")
	w, err := NewWorkspace(dir, 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		if w.Tmpfs || w.Note == "" {
			t.Errorf("non-root workspace %+v should be a plain dir with a note", w)
		}
		return
	}
	if !w.Tmpfs {
		t.Fatalf("root workspace is not a tmpfs: %s", w.Note)
	}
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil || st.Type != unix.TMPFS_MAGIC {
		t.Fatalf("statfs: type %x, %v", st.Type, err)
	}
	err = os.WriteFile(filepath.Join(dir, "big"), make([]byte, 2<<20), 0o644)
	if !errors.Is(err, syscall.ENOSPC) {
		t.Errorf("writing 2 MiB into a 1 MiB workspace: %v, want ENOSPC", err)
	}
	if !w.Full() {
		t.Errorf("Full() = false after filling it")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("workspace dir still there after Close: %v", err)
	}
}
