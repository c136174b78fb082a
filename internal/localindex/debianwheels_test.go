package localindex

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestAddDebianWheels adds the wheels a directory holds beside a user's own files, and never
// replaces one of theirs.
func TestAddDebianWheels(t *testing.T) {
	src, out := t.TempDir(), t.TempDir()
	for name, body := range map[string]string{"pip-23.0-py3-none-any.whl": "pip", "wheel-0.38-py3-none-any.whl": "wheel"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range map[string]string{"pip-23.0-py3-none-any.whl": "the user's own", "mine-1.0.tar.gz": "sdist"} {
		if err := os.WriteFile(filepath.Join(out, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	added, err := AddDebianWheels(out, src)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"wheel-0.38-py3-none-any.whl"}, added); d != "" {
		t.Errorf("added (-want +got):\n%s", d)
	}
	got := map[string]string{}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		b, _ := os.ReadFile(filepath.Join(out, e.Name()))
		got[e.Name()] = string(b)
	}
	want := map[string]string{"pip-23.0-py3-none-any.whl": "the user's own", "mine-1.0.tar.gz": "sdist", "wheel-0.38-py3-none-any.whl": "wheel"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("served files (-want +got):\n%s", d)
	}
	if _, err := AddDebianWheels(out, t.TempDir()); err == nil {
		t.Error("a directory without wheels gave no error")
	}
}
