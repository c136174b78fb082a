package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestSecretPaths: whatever the world may not read under a bound system directory is masked by
// every backend, whatever its name.
func TestSecretPaths(t *testing.T) {
	root := t.TempDir()
	mk := func(p string, mode os.FileMode) {
		full := filepath.Join(root, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(full, mode); err != nil {
			t.Fatal(err)
		}
	}
	mk("public.conf", 0o644)
	mk("shadow", 0o640)
	mk("sub/key", 0o600)
	mk("private/inside", 0o644)
	if err := os.Chmod(filepath.Join(root, "private"), 0o700); err != nil {
		t.Fatal(err)
	}
	files, dirs := SecretPaths(root)
	slices.Sort(files)
	want := []string{filepath.Join(root, "shadow"), filepath.Join(root, "sub/key")}
	if d := cmp.Diff(want, files); d != "" {
		t.Errorf("files (-want +got)\n%s", d)
	}
	if d := cmp.Diff([]string{filepath.Join(root, "private")}, dirs); d != "" {
		t.Errorf("dirs (-want +got)\n%s", d)
	}
}
