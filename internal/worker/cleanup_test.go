package worker

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

func TestCleanWorkDirDetachesLeftMounts(t *testing.T) {
	dir := t.TempDir()
	work := filepath.Join(dir, "job 1", "work")
	if err := os.MkdirAll(work, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", work, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("cannot mount a tmpfs here: %v", err)
	}
	if err := os.WriteFile(filepath.Join(work, "f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := CleanWorkDir(dir); err != nil {
		t.Fatal(err)
	}
	if m, err := mountsUnder(dir); err != nil || len(m) != 0 {
		t.Errorf("mounts left: %v, %v", m, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) != 0 {
		t.Errorf("entries left: %v, %v", entries, err)
	}
	if err := CleanWorkDir(filepath.Join(dir, "missing")); err != nil {
		t.Errorf("a missing directory: %v", err)
	}
}
