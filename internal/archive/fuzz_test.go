package archive

import (
	"archive/tar"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var fuzzSuffixes = []string{".tar.gz", ".tar", ".zip", ".whl", ".tar.bz2"}

// FuzzExtract feeds arbitrary bytes to Extract under every file name kind:
// it must never panic, never write outside dest, leave dest empty when it
// refuses, and leave only plain files, directories and inside symlinks when
// it succeeds.
func FuzzExtract(f *testing.F) {
	f.Add(gz(f, tarBytes(f, sdistEntries())), uint8(0))
	f.Add(tarBytes(f, sdistEntries()), uint8(1))
	f.Add(tarBytes(f, []tarEntry{{Name: "l", Type: tar.TypeSymlink, Link: "a/.."}, {Name: "a", Type: tar.TypeSymlink, Link: "."}}), uint8(1))
	f.Add(zipBytes(f, []zipEntry{{Name: "a/b.py", Body: "x"}, {Name: "a/l", Body: "b.py", Mode: fs.ModeSymlink | 0o777}}), uint8(2))
	f.Add(zipBytes(f, []zipEntry{{Name: "w-1.dist-info/RECORD", Body: "w-1.dist-info/RECORD,,\n"}}), uint8(3))
	f.Add([]byte("BZh91AY&SY"), uint8(4))
	lim := Limits{MaxTotalBytes: 4 << 20, MaxEntryBytes: 1 << 20, MaxEntries: 500, MinRatioCheckBytes: 64 << 10}
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		j := newJail(t)
		p := j.archive("fuzz-1.0" + fuzzSuffixes[int(kind)%len(fuzzSuffixes)])
		writeFile(t, p, data)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		j.freeze(t)
		inv, err := Extract(ctx, p, j.dest, lim)
		j.check(t)
		if err != nil {
			j.checkEmpty(t)
			return
		}
		if inv == nil {
			t.Fatal("nil inventory without error")
		}
		checkTreeIsSafe(t, j.dest)
		// The other readers must not panic either.
		ReadMember(ctx, p, lim, func(string) bool { return true }, 1<<10)
		if strings.HasSuffix(p, ".whl") || strings.HasSuffix(p, ".zip") {
			VerifyRecord(ctx, p, lim)
		}
	})
}

// checkTreeIsSafe asserts dest holds only 0644/0755 files, 0755 dirs and
// symlinks that resolve inside dest (or dangle inside it).
func checkTreeIsSafe(t *testing.T, dest string) {
	t.Helper()
	realDest, err := filepath.EvalSymlinks(dest)
	if err != nil {
		t.Fatal(err)
	}
	err = filepath.WalkDir(dest, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dest {
			return err
		}
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		m := fi.Mode()
		switch {
		case m&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			if filepath.IsAbs(target) {
				t.Errorf("%s: absolute symlink %q", p, target)
			}
			resolved := filepath.Join(filepath.Dir(p), target)
			if r, err := filepath.EvalSymlinks(p); err == nil {
				resolved = r
			}
			if rel, err := filepath.Rel(realDest, resolved); err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
				if rel2, err2 := filepath.Rel(dest, resolved); err2 != nil || rel2 == ".." || strings.HasPrefix(rel2, "../") {
					t.Errorf("%s: symlink %q resolves outside dest", p, target)
				}
			}
		case m.IsDir():
			if m.Perm() != 0o755 {
				t.Errorf("%s: dir mode %v", p, m)
			}
		case m.IsRegular():
			if m.Perm() != 0o644 && m.Perm() != 0o755 {
				t.Errorf("%s: file mode %v", p, m)
			}
		default:
			t.Errorf("%s: special file %v", p, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
