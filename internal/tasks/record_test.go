package tasks

import (
	"archive/zip"
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
)

func writeZipWheel(t *testing.T, path string, files map[string]string, order []string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	for _, name := range order {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func recordLine(name, body string) string {
	sum := sha256.Sum256([]byte(body))
	return name + ",sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]) + "," + strconv.Itoa(len(body)) + "\n"
}

// TestCheckRecord: an honest wheel gives no finding; a lying RECORD (a hash that is not the
// file's, a file RECORD does not list, a listed file that is missing) gives one finding naming
// each mismatch.
func TestCheckRecord(t *testing.T) {
	dir := t.TempDir()
	meta := "Metadata-Version: 2.1\nName: liar\nVersion: 1.0\n"
	honest := map[string]string{"liar/__init__.py": "x = 1\n", "liar-1.0.dist-info/METADATA": meta}
	honest["liar-1.0.dist-info/RECORD"] = recordLine("liar/__init__.py", "x = 1\n") + recordLine("liar-1.0.dist-info/METADATA", meta) + "liar-1.0.dist-info/RECORD,,\n"
	order := []string{"liar/__init__.py", "liar-1.0.dist-info/METADATA", "liar-1.0.dist-info/RECORD"}
	writeZipWheel(t, filepath.Join(dir, "honest.whl"), honest, order)

	lying := map[string]string{"liar/__init__.py": "import os; os.system('id')\n", "liar/extra.py": "hidden = True\n", "liar-1.0.dist-info/METADATA": meta}
	lying["liar-1.0.dist-info/RECORD"] = recordLine("liar/__init__.py", "x = 1\n") + recordLine("liar-1.0.dist-info/METADATA", meta) +
		recordLine("liar/gone.py", "y = 2\n") + "liar-1.0.dist-info/RECORD,,\n"
	writeZipWheel(t, filepath.Join(dir, "lying.whl"), lying, []string{"liar/__init__.py", "liar/extra.py", "liar-1.0.dist-info/METADATA", "liar-1.0.dist-info/RECORD"})

	j, collected := collecting(&jobEnv{})
	j.checkRecord(t.Context(), nil, "unpack", filepath.Join(dir, "honest.whl"), "liar-1.0-py3-none-any.whl")
	if len(collected.Findings) != 0 {
		t.Fatalf("an honest RECORD gave findings: %+v", collected.Findings)
	}
	j.checkRecord(t.Context(), nil, "build", filepath.Join(dir, "lying.whl"), "liar-1.0-py3-none-any.whl")
	if len(collected.Findings) != 1 {
		t.Fatalf("findings %+v, want one", collected.Findings)
	}
	f := collected.Findings[0]
	var got []string
	for _, e := range f.Evidence {
		got = append(got, e.File+" "+e.Detail[:min(len(e.Detail), 13)])
	}
	want := []string{"liar/__init__.py hash-mismatch", "liar/__init__.py size-mismatch", "liar/extra.py not-in-record", "liar/gone.py missing-file"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("evidence (-want +got)\n%s", d)
	}
	if f.RuleID != "wheel-record-mismatch" || f.Severity != report.SeverityHigh || f.Phase != "build" || f.Count != 4 {
		t.Errorf("finding %+v", f)
	}
}
