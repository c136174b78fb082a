package tasks

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/testfs"
)

// TestLinkTree: the copy holds the same files (links to them), directories with their modes and
// links as links; a file made or removed in either tree afterwards does not show in the other,
// while a file written in place shows in both.
func TestLinkTree(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, src, dst string)
		want   map[string]string // the copy's files and links afterwards: content, or "-> target"
	}{
		{"as linked", func(*testing.T, string, string) {},
			map[string]string{"bin/python": "-> /usr/bin/python3", "lib/site/pkg/__init__.py": "X = 1\n", "lib/site/a.pth": "/x\n", "pyvenv.cfg": "home = /usr/bin\n"}},
		{"a file made in the original, as the tests' .pth", func(t *testing.T, src, _ string) {
			testfs.Write(t, src, map[string]string{"lib/site/pyti-test-env.pth": "/run/pyti-test-env\n"})
		}, map[string]string{"bin/python": "-> /usr/bin/python3", "lib/site/pkg/__init__.py": "X = 1\n", "lib/site/a.pth": "/x\n", "pyvenv.cfg": "home = /usr/bin\n"}},
		{"a file removed from the original, as pip uninstalls", func(t *testing.T, src, _ string) {
			if err := os.Remove(filepath.Join(src, "lib/site/pkg/__init__.py")); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"bin/python": "-> /usr/bin/python3", "lib/site/pkg/__init__.py": "X = 1\n", "lib/site/a.pth": "/x\n", "pyvenv.cfg": "home = /usr/bin\n"}},
		{"bytecode written in the copy", func(t *testing.T, _, dst string) {
			testfs.Write(t, dst, map[string]string{"lib/site/pkg/__pycache__/__init__.cpython-311.pyc": "pyc"})
		}, map[string]string{"bin/python": "-> /usr/bin/python3", "lib/site/pkg/__init__.py": "X = 1\n", "lib/site/a.pth": "/x\n", "pyvenv.cfg": "home = /usr/bin\n",
			"lib/site/pkg/__pycache__/__init__.cpython-311.pyc": "pyc"}},
		{"a file written in place shows in both", func(t *testing.T, src, _ string) {
			if err := os.WriteFile(filepath.Join(src, "pyvenv.cfg"), []byte("changed\n"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, map[string]string{"bin/python": "-> /usr/bin/python3", "lib/site/pkg/__init__.py": "X = 1\n", "lib/site/a.pth": "/x\n", "pyvenv.cfg": "changed\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			src, dst := filepath.Join(dir, "venv"), filepath.Join(dir, "copy")
			testfs.Write(t, src, map[string]string{"lib/site/pkg/__init__.py": "X = 1\n", "lib/site/a.pth": "/x\n", "pyvenv.cfg": "home = /usr/bin\n"})
			if err := os.MkdirAll(filepath.Join(src, "bin"), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink("/usr/bin/python3", filepath.Join(src, "bin/python")); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(filepath.Join(src, "lib/site"), 0o777); err != nil {
				t.Fatal(err)
			}
			if err := linkTree(src, dst); err != nil {
				t.Fatal(err)
			}
			if info, err := os.Stat(filepath.Join(dst, "lib/site")); err != nil || info.Mode().Perm() != 0o777 {
				t.Errorf("the copy's directory: %v, %v; want mode 0777 as the original's", info, err)
			}
			tt.change(t, src, dst)
			if d := cmp.Diff(tt.want, treeContents(t, dst)); d != "" {
				t.Errorf("the copy (-want +got):\n%s", d)
			}
		})
	}
}

// treeContents maps each file and link below root to its content or "-> target".
func treeContents(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			out[rel] = "-> " + target
			return err
		}
		b, err := os.ReadFile(p)
		out[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
