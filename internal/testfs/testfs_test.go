package testfs

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWrite: every file lands at its slash-separated path with its text, its directories made.
func TestWrite(t *testing.T) {
	root := t.TempDir()
	files := map[string]string{"a.txt": "a\n", "pkg/sub/b.py": "x = 1\n", "pkg/empty.py": ""}
	Write(t, root, files)
	got := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		got[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(files, got); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}
