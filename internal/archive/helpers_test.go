package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// jail is a temporary tree with canary files next to the extraction
// directory and in its parent; check asserts that nothing outside dest
// changed.
type jail struct {
	base, job, dest string
	before          map[string]string
}

func newJail(t *testing.T) *jail {
	t.Helper()
	base := t.TempDir()
	j := &jail{base: base, job: filepath.Join(base, "job"), dest: filepath.Join(base, "job", "out")}
	for _, d := range []string{j.job, filepath.Join(base, "archives")} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(base, "canary"), []byte("canary in the parent\n"))
	writeFile(t, filepath.Join(j.job, "canary"), []byte("canary next to dest\n"))
	writeFile(t, filepath.Join(j.job, "x"), []byte("x next to dest\n"))
	return j
}

// archive returns where to put a test archive named name.
func (j *jail) archive(name string) string { return filepath.Join(j.base, "archives", name) }

// freeze records the tree outside dest.
func (j *jail) freeze(t *testing.T) { j.before = j.snapshot(t) }

func (j *jail) snapshot(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(j.base, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == j.dest {
			return filepath.SkipDir
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		desc := fi.Mode().String()
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, err := os.Readlink(p)
			if err != nil {
				return err
			}
			desc += " -> " + l
		case fi.Mode().IsRegular():
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			s := sha256.Sum256(b)
			desc += " " + hex.EncodeToString(s[:])
		}
		out[p] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// check asserts that the tree outside dest is unchanged, canaries included.
func (j *jail) check(t *testing.T) {
	t.Helper()
	if diff := cmp.Diff(j.before, j.snapshot(t)); diff != "" {
		t.Errorf("files outside the extraction directory changed (-before +after):\n%s", diff)
	}
	for p, want := range map[string]string{
		filepath.Join(j.base, "canary"): "canary in the parent\n",
		filepath.Join(j.job, "canary"):  "canary next to dest\n",
	} {
		if b, err := os.ReadFile(p); err != nil || string(b) != want {
			t.Errorf("canary %s: %q, %v", p, b, err)
		}
	}
}

// checkEmpty asserts that a refused extraction left nothing usable.
func (j *jail) checkEmpty(t *testing.T) {
	t.Helper()
	names, err := os.ReadDir(j.dest)
	if errors.Is(err, fs.ErrNotExist) {
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 0 {
		t.Errorf("refused extraction left %d entries in dest", len(names))
	}
}

// extract runs Extract under the jail's checks.
func (j *jail) extract(t *testing.T, archivePath string, lim Limits) (*Inventory, error) {
	t.Helper()
	j.freeze(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	inv, err := Extract(ctx, archivePath, j.dest, lim)
	j.check(t)
	if err != nil {
		j.checkEmpty(t)
	}
	return inv, err
}

// tree describes what is in dir: files as "file 0644 <content>", dirs as
// "dir 0755", symlinks as "symlink -> target".
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			l, _ := os.Readlink(p)
			out[rel] = "symlink -> " + l
		case fi.IsDir():
			out[rel] = "dir " + perm(fi)
		case fi.Mode().IsRegular():
			b, _ := os.ReadFile(p)
			out[rel] = "file " + perm(fi) + " " + string(b)
		default:
			out[rel] = "special " + fi.Mode().String()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func perm(fi fs.FileInfo) string {
	s := fmt.Sprintf("%04o", uint32(fi.Mode().Perm()))
	if fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid) != 0 {
		s += "+setid"
	}
	return s
}

func writeFile(t testing.TB, p string, b []byte) {
	t.Helper()
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// tarEntry describes one member of a hand-made tar.
type tarEntry struct {
	Name string
	Type byte
	Body string
	Link string
	Mode int64
	// Size, when non-zero, is declared instead of len(Body) and no body is
	// written (the archive ends after that header).
	Size int64
}

func tarBytes(t testing.TB, entries []tarEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.Name, Typeflag: e.Type, Linkname: e.Link, Mode: e.Mode, Size: int64(len(e.Body)), ModTime: time.Unix(1700000000, 0)}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Mode == 0 {
			h.Mode = 0o644
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if e.Size != 0 {
			h.Size = e.Size
			if err := tw.WriteHeader(h); err != nil {
				t.Fatal(err)
			}
			return buf.Bytes()
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatalf("%q: %v", e.Name, err)
		}
		if _, err := io.WriteString(tw, e.Body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// bz2 compresses with the real bzip2 tool (Go has no bzip2 writer).
func bz2(t testing.TB, b []byte) []byte {
	t.Helper()
	cmd := exec.Command("bzip2", "-c")
	cmd.Stdin = bytes.NewReader(b)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("bzip2: %v", err)
	}
	return out
}

// zipEntry describes one member of a hand-made zip.
type zipEntry struct {
	Name   string
	Body   string
	Mode   fs.FileMode
	Method uint16
}

func zipBytes(t testing.TB, entries []zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.Name, Method: zip.Deflate, Modified: time.Unix(1700000000, 0)}
		if e.Method != 0 {
			h.Method = e.Method
		}
		if e.Mode != 0 {
			h.SetMode(e.Mode)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(w, e.Body); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// wantRefusal asserts err is an *Error with the refusal and member.
func wantRefusal(t *testing.T, err error, v Refusal, member string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not an *archive.Error, want refusal %s", err, err, v)
	}
	if e.Refusal != v || e.Member != member {
		t.Fatalf("got refusal %s member %q (%v), want %s member %q", e.Refusal, e.Member, err, v, member)
	}
}

func zipDeflate(t *testing.T, w io.Writer) io.WriteCloser {
	t.Helper()
	fw, err := flate.NewWriter(w, flate.BestSpeed)
	if err != nil {
		t.Fatal(err)
	}
	return fw
}
