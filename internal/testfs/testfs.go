// Package testfs writes the small file trees that tests build their inputs from: sdists' sources,
// test suites, configuration files. One helper, so that each package's tests do not keep their own
// copy of the loop.
package testfs

import (
	"os"
	"path/filepath"
	"testing"
)

// Write writes files (slash-separated paths below root, and their text), making the directories
// they need; any error ends the test.
func Write(t testing.TB, root string, files map[string]string) {
	t.Helper()
	for name, text := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
