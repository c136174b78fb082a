package image

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeTree creates a small tree under root: files, a nested directory and a symlink.
func writeTree(t *testing.T, root string) {
	t.Helper()
	for p, data := range map[string]string{
		"etc/os-release":              "ID=debian\n",
		"usr/bin/tool":                "#!/bin/sh\n",
		"usr/lib/python3.11/os.py":    "import sys\n",
		"usr/lib/python3.11/empty.py": "",
	} {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(root, "usr/bin/tool"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("usr/bin", filepath.Join(root, "bin")); err != nil {
		t.Fatal(err)
	}
}

func hashOf(t *testing.T, root string) Content {
	t.Helper()
	c, err := HashTree(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHashTreeIsDeterministicAndPathIndependent(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	writeTree(t, a)
	writeTree(t, b)
	ca, cb := hashOf(t, a), hashOf(t, b)
	// The two trees were written at different times and live elsewhere: only content counts.
	if d := cmp.Diff(ca.Hash, cb.Hash); d != "" {
		t.Errorf("same content, different hashes (-a +b)\n%s", d)
	}
	if ca.Files != 10 || ca.Bytes != int64(len("ID=debian\n#!/bin/sh\nimport sys\n")) {
		t.Errorf("files=%d bytes=%d, want 10 entries and the sum of the file sizes", ca.Files, ca.Bytes)
	}
	if !hashRE.MatchString(ca.Hash) {
		t.Errorf("hash %q is not sha256:<hex>", ca.Hash)
	}
}

func TestHashTreeSeesEveryChange(t *testing.T) {
	tests := []struct {
		name   string
		change func(root string) error
	}{
		{"content", func(r string) error {
			return os.WriteFile(filepath.Join(r, "etc/os-release"), []byte("ID=evil\n"), 0o644)
		}},
		{"content same size", func(r string) error {
			return os.WriteFile(filepath.Join(r, "usr/lib/python3.11/os.py"), []byte("import os \n"), 0o644)
		}},
		{"mode", func(r string) error { return os.Chmod(filepath.Join(r, "etc/os-release"), 0o600) }},
		{"directory mode", func(r string) error { return os.Chmod(filepath.Join(r, "usr/lib"), 0o555) }},
		{"new empty file", func(r string) error {
			return os.WriteFile(filepath.Join(r, "usr/lib/python3.11/sitecustomize.py"), nil, 0o644)
		}},
		{"new directory", func(r string) error { return os.Mkdir(filepath.Join(r, "usr/lib/python3.11/site-packages"), 0o755) }},
		{"removed file", func(r string) error { return os.Remove(filepath.Join(r, "usr/lib/python3.11/empty.py")) }},
		{"renamed file", func(r string) error {
			return os.Rename(filepath.Join(r, "usr/lib/python3.11/empty.py"), filepath.Join(r, "usr/lib/python3.11/empty2.py"))
		}},
		{"link target", func(r string) error {
			if err := os.Remove(filepath.Join(r, "bin")); err != nil {
				return err
			}
			return os.Symlink("/usr/bin", filepath.Join(r, "bin"))
		}},
		{"owner", func(r string) error {
			if os.Geteuid() != 0 {
				return errSkip
			}
			return os.Lchown(filepath.Join(r, "usr/bin/tool"), 1234, 1234)
		}},
	}
	base := t.TempDir()
	writeTree(t, base)
	want := hashOf(t, base).Hash
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root)
			if err := tt.change(root); err == errSkip {
				t.Skip("needs root to chown")
			} else if err != nil {
				t.Fatal(err)
			}
			if got := hashOf(t, root).Hash; got == want {
				t.Errorf("hash unchanged after a %s change", tt.name)
			}
		})
	}
}

var errSkip = os.ErrPermission

func TestHashTreeMissingRoot(t *testing.T) {
	if _, err := HashTree(context.Background(), filepath.Join(t.TempDir(), "nope")); err == nil {
		t.Error("HashTree of a missing directory succeeded")
	}
}

func TestHashTreeCancelled(t *testing.T) {
	root := t.TempDir()
	writeTree(t, root)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := HashTree(ctx, root); err == nil {
		t.Error("HashTree with a cancelled context succeeded")
	}
}
