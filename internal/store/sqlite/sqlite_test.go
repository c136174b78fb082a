package sqlite_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func() store.Store {
		st, err := sqlite.Open(t.Context(), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func TestMigrationsFromEmptyAndReopen(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	v, err := st.SchemaVersion(t.Context())
	if err != nil || v != 2 {
		t.Fatalf("schema version %d, %v; want 2", v, err)
	}
	sum, err := store.ImportReport(t.Context(), st, storetest.SampleReport("keep", "1", storetest.Options{}), writeArtifacts(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer st.Close()
	if _, err := st.Report(t.Context(), sum.ID); err != nil {
		t.Errorf("report lost across reopen: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, sqlite.DBName)); err != nil {
		t.Errorf("no database file: %v", err)
	}
}

func TestBlobLayout(t *testing.T) {
	dir := t.TempDir()
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b, err := st.PutBlob(t.Context(), strings.NewReader(strings.Repeat("x", 10000)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.PutBlob(t.Context(), strings.NewReader(strings.Repeat("x", 10000))); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "blobs", b.SHA256[:2], b.SHA256+".gz")
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("blob file: %v", err)
	}
	if fi.Size() >= 10000 {
		t.Errorf("blob file is %d bytes: not compressed", fi.Size())
	}
	entries, err := os.ReadDir(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestOpenErrors(t *testing.T) {
	if _, err := sqlite.Open(t.Context(), ""); err == nil {
		t.Error("Open(\"\") succeeded")
	}
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Open(t.Context(), file); err == nil {
		t.Error("Open of a regular file succeeded")
	}
}

func writeArtifacts(t *testing.T) string {
	dir := t.TempDir()
	for _, a := range storetest.SampleReport("keep", "1", storetest.Options{}).Artifacts {
		p := filepath.Join(dir, a.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(a.Name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestConcurrentOpensOfANewStore: several processes (here goroutines, each with its own lock
// descriptor, as processes have) opening a new store at once all succeed; only one migrates.
func TestConcurrentOpensOfANewStore(t *testing.T) {
	for round := range 5 {
		dir := t.TempDir()
		errs := make(chan error, 6)
		for range 6 {
			go func() {
				st, err := sqlite.Open(t.Context(), dir)
				if err == nil {
					err = st.Close()
				}
				errs <- err
			}()
		}
		for range 6 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
