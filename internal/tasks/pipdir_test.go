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

// TestFillCacheDir: a cache entry is filled once and then found; a failed fill leaves nothing
// behind; losing the race to another job's identical entry is no error.
func TestFillCacheDir(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "kind", "key")
	ready := func(d string) bool { return exists(filepath.Join(d, "done")) }
	fills := 0
	fill := func(tmp string) (string, error) {
		fills++
		return tmp, os.WriteFile(filepath.Join(tmp, "done"), []byte("x"), 0o666)
	}
	for range 2 {
		if err := fillCacheDir(dir, ready, fill); err != nil {
			t.Fatal(err)
		}
	}
	if fills != 1 || !ready(dir) {
		t.Errorf("filled %d times, ready %v; want once and ready", fills, ready(dir))
	}
	if fi, err := os.Stat(filepath.Join(dir, "done")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("entry file: %v, %v; want mode 0644", fi, err)
	}
	failed := filepath.Join(root, "kind", "other")
	if err := fillCacheDir(failed, ready, func(string) (string, error) { return "", os.ErrInvalid }); err == nil {
		t.Error("a failed fill was not reported")
	}
	if left, _ := filepath.Glob(filepath.Join(root, "kind", "*")); len(left) != 1 {
		t.Errorf("left behind: %v, want only the filled entry", left)
	}
	// Another job finishes the same entry while this one fills: its entry is used.
	raced := filepath.Join(root, "kind", "raced")
	err := fillCacheDir(raced, ready, func(tmp string) (string, error) {
		if err := os.MkdirAll(raced, 0o755); err != nil {
			return "", err
		}
		if err := os.WriteFile(filepath.Join(raced, "done"), nil, 0o644); err != nil {
			return "", err
		}
		return tmp, os.WriteFile(filepath.Join(tmp, "done"), nil, 0o644)
	})
	if err != nil {
		t.Errorf("losing the race: %v", err)
	}
}
