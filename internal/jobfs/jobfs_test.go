package jobfs

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
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

// TestWritesNeverFollowLinks: a link the job planted where PYTI writes (the file itself, or a
// directory on the way, to a host canary) is refused; the canary is unchanged.
func TestWritesNeverFollowLinks(t *testing.T) {
	host := t.TempDir()
	canary := filepath.Join(host, "passwd")
	if err := os.WriteFile(canary, []byte("root:x:0:0"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "venv", "site"), 0o755))
	must(os.Symlink(canary, filepath.Join(root, "venv", "site", "pyti.pth")))
	must(os.Symlink(host, filepath.Join(root, "venv", "bin")))
	must(syscall.Mkfifo(filepath.Join(root, "fifo"), 0o644))
	for _, walk := range []bool{false, true} {
		saved := useOpenat2
		useOpenat2 = !walk
		for _, c := range []struct {
			path string
			want error
		}{
			{"venv/site/pyti.pth", ErrLink},
			{"venv/bin/passwd", ErrLink},
			{"fifo", ErrNotRegular},
			{"venv/site/ok.pth", nil},
		} {
			if err := WriteFile(root, filepath.Join(root, c.path), []byte("written"), 0o644); !errors.Is(err, c.want) {
				t.Errorf("walk=%v WriteFile %s: %v, want %v", walk, c.path, err, c.want)
			}
		}
		useOpenat2 = saved
	}
	for _, c := range []struct {
		dir  string
		want error
	}{
		{"venv/bin", ErrLink},
		{"venv/bin/sub", ErrLink},
		{"new/a/b", nil},
		{"fifo", ErrNotRegular},
	} {
		if err := MkdirAll(root, filepath.Join(root, c.dir), 0o755); !errors.Is(err, c.want) {
			t.Errorf("MkdirAll %s: %v, want %v", c.dir, err, c.want)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "new", "a", "b")); err != nil || !fi.IsDir() {
		t.Errorf("MkdirAll made no directory: %v", err)
	}
	if data, _ := os.ReadFile(canary); string(data) != "root:x:0:0" {
		t.Errorf("the host canary changed: %q", data)
	}
	if entries, _ := os.ReadDir(host); len(entries) != 1 {
		t.Errorf("files appeared in the host directory: %v", entries)
	}
	if data, _ := os.ReadFile(filepath.Join(root, "venv", "site", "ok.pth")); string(data) != "written" {
		t.Errorf("ok.pth = %q", data)
	}
}

// TestOpenDirRefusesLinks: a directory to bind is opened only when no link leads to it (the
// directory itself a link to a host directory, one above it, a relative one climbing out); what
// is opened is that directory, whatever replaces its name afterwards.
func TestOpenDirRefusesLinks(t *testing.T) {
	host := t.TempDir()
	root := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(root, "work", "copy", "lib"), 0o755))
	must(os.WriteFile(filepath.Join(root, "work", "copy", "marker"), []byte("copy"), 0o644))
	must(os.Symlink(host, filepath.Join(root, "work", "hostlink")))
	must(os.Symlink("../../../../../..", filepath.Join(root, "work", "climb")))
	must(os.Symlink(filepath.Join(root, "work"), filepath.Join(root, "worklink")))
	must(os.WriteFile(filepath.Join(root, "work", "file"), nil, 0o644))
	for _, walk := range []bool{false, true} {
		cases := []struct {
			path    string
			wantErr error
		}{
			{"work/copy", nil},
			{"work/copy/lib", nil},
			{"work/hostlink", ErrLink},
			{"work/climb", ErrLink},
			{"worklink/copy", ErrLink},
			{"../x", ErrOutside},
		}
		for _, c := range cases {
			saved := useOpenat2
			useOpenat2 = !walk
			f, err := OpenDir(root, filepath.Join(root, c.path))
			useOpenat2 = saved
			if !errors.Is(err, c.wantErr) {
				t.Errorf("walk=%v %s: error %v, want %v", walk, c.path, err, c.wantErr)
			}
			if f != nil {
				f.Close()
			}
		}
	}
	if _, err := OpenDir(root, filepath.Join(root, "work", "file")); err == nil {
		t.Errorf("a file opened as a directory")
	}
	// Renamed away and replaced by a link after the open: the descriptor still names the copy.
	f, err := OpenDir(root, filepath.Join(root, "work", "copy"))
	must(err)
	defer f.Close()
	must(os.Rename(filepath.Join(root, "work", "copy"), filepath.Join(root, "work", "moved")))
	must(os.Symlink(host, filepath.Join(root, "work", "copy")))
	data, err := os.ReadFile(filepath.Join("/proc/self/fd", strconv.Itoa(int(f.Fd())), "marker"))
	if err != nil || string(data) != "copy" {
		t.Errorf("through the descriptor after the swap: %q, %v", data, err)
	}
}
