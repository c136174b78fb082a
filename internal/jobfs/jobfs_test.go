package jobfs

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRefusesLinks plants what a hostile job leaves behind: links to a host canary (the file
// itself, a directory above it, a relative link climbing out, a link to a file inside the job),
// a FIFO, a directory and an oversized file. Only the regular files are read; the canary's
// content never comes back, and a FIFO never blocks.
func TestRefusesLinks(t *testing.T) {
	host := t.TempDir()
	canary := filepath.Join(host, "secret")
	if err := os.WriteFile(canary, []byte("HOST-CANARY"), 0o600); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "test"), 0o755))
	must(os.WriteFile(filepath.Join(root, "test", "ok.xml"), []byte("<ok/>"), 0o644))
	must(os.WriteFile(filepath.Join(root, "big"), make([]byte, 100), 0o644))
	must(os.Symlink(canary, filepath.Join(root, "test", "junit.xml")))
	must(os.Symlink("../../../../../../.."+canary, filepath.Join(root, "test", "relative.xml")))
	must(os.Symlink("ok.xml", filepath.Join(root, "test", "inside.xml")))
	must(os.Symlink(host, filepath.Join(root, "dirlink")))
	must(syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644))
	for _, walk := range []bool{false, true} {
		cases := []struct {
			path    string
			want    string
			wantErr error
		}{
			{"test/ok.xml", "<ok/>", nil},
			{"test/junit.xml", "", ErrLink},
			{"test/relative.xml", "", ErrLink},
			{"test/inside.xml", "", ErrLink},
			{"dirlink/secret", "", ErrLink},
			{"fifo", "", ErrNotRegular},
			{"test", "", ErrNotRegular},
			{"big", "", ErrTooLarge},
			{"../secret", "", ErrOutside},
			{canary, "", ErrOutside},
		}
		for _, c := range cases {
			var got []byte
			var err error
			if walk {
				got, err = readWalking(root, c.path, 50)
			} else {
				got, err = ReadFile(root, c.path, 50)
			}
			if !errors.Is(err, c.wantErr) || (c.wantErr != nil) != Refused(err) {
				t.Errorf("walk=%v %s: error %v, want %v", walk, c.path, err, c.wantErr)
			}
			if d := cmp.Diff(c.want, string(got)); d != "" {
				t.Errorf("walk=%v %s: (-want +got)\n%s", walk, c.path, d)
			}
		}
	}
	if _, err := CopyFile(root, "test/junit.xml", filepath.Join(t.TempDir(), "out"), 1<<20); !errors.Is(err, ErrLink) {
		t.Errorf("CopyFile of a link: %v", err)
	}
}

// readWalking reads through the fallback for kernels without openat2.
func readWalking(root, path string, max int64) ([]byte, error) {
	saved := useOpenat2
	useOpenat2 = false
	defer func() { useOpenat2 = saved }()
	return ReadFile(root, path, max)
}
