package tasks

import (
	"archive/zip"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestUnpackPip: pip is unpacked without its dist-info (else pip, on sys.path, believes pip
// installed everywhere) and nothing lands outside the directory.
func TestUnpackPip(t *testing.T) {
	dir := t.TempDir()
	whl := filepath.Join(dir, "pip-23.0-py3-none-any.whl")
	write := func(members ...string) {
		f, err := os.Create(whl)
		if err != nil {
			t.Fatal(err)
		}
		zw := zip.NewWriter(f)
		for _, m := range members {
			w, err := zw.Create(m)
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("x"))
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	write("pip/__init__.py", "pip/__main__.py", "pip/_internal/cli/main.py", "pip-23.0.dist-info/METADATA", "pip-23.0.dist-info/RECORD")
	out := filepath.Join(dir, "out")
	if err := unpackPip(t.Context(), whl, out); err != nil {
		t.Fatal(err)
	}
	var got []string
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(out, p)
			got = append(got, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(got)
	if d := cmp.Diff([]string{"pip/__init__.py", "pip/__main__.py", "pip/_internal/cli/main.py"}, got); d != "" {
		t.Error(d)
	}
	write("pip/__init__.py", "pip/__main__.py", "../escape.py")
	if err := unpackPip(t.Context(), whl, filepath.Join(dir, "out2")); err == nil {
		t.Error("a member outside the directory was accepted")
	}
	if _, err := os.Stat(filepath.Join(dir, "escape.py")); err == nil {
		t.Error("a member was written outside the directory")
	}
}

// TestReadOnlyModes: the tree becomes writable by its owner only, and a script stays executable.
func TestReadOnlyModes(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "bin"), 0o777)
	os.WriteFile(filepath.Join(dir, "bin", "cython"), []byte("#!/bin/sh\n"), 0o777)
	os.WriteFile(filepath.Join(dir, "mod.py"), []byte(""), 0o666)
	if err := readOnlyModes(dir); err != nil {
		t.Fatal(err)
	}
	got := map[string]fs.FileMode{}
	for _, p := range []string{"bin", "bin/cython", "mod.py"} {
		fi, err := os.Stat(filepath.Join(dir, p))
		if err != nil {
			t.Fatal(err)
		}
		got[p] = fi.Mode().Perm()
	}
	if d := cmp.Diff(map[string]fs.FileMode{"bin": 0o755, "bin/cython": 0o755, "mod.py": 0o644}, got); d != "" {
		t.Error(d)
	}
}
