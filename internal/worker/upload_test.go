package worker

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/report"
)

// TestUploadNeverFollowsLinks: an artifact path that is a link (to a host canary) or climbs out of
// the job directory is not uploaded; a regular file is. The canary never reaches the master.
func TestUploadNeverFollowsLinks(t *testing.T) {
	const secret = "PYTI-HOST-CANARY-upload"
	canary := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(canary, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	raw := filepath.Join(dir, "raw", "test")
	if err := os.MkdirAll(raw, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(raw, "ok.txt"), []byte("fine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(canary, filepath.Join(raw, "junit.xml")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Dir(canary), filepath.Join(dir, "raw", "up")); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var blobs []string
	var got report.Report
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch {
		case strings.HasSuffix(r.URL.Path, "/blobs"):
			blobs = append(blobs, string(body))
			sum := sha256.Sum256(body)
			json.NewEncoder(w).Encode(master.BlobResponse{SHA256: hex.EncodeToString(sum[:]), Size: int64(len(body))})
		case strings.HasSuffix(r.URL.Path, "/report"):
			json.Unmarshal(body, &got)
			w.Write([]byte("{}"))
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	w := &Worker{c: &client{base: srv.URL, http: srv.Client(), token: "t"}}
	rep := &report.Report{Artifacts: []report.Artifact{
		{Task: "test", Name: "ok.txt", Path: "raw/test/ok.txt"},
		{Task: "test", Name: "junit.xml", Path: "raw/test/junit.xml"},
		{Task: "test", Name: "secret", Path: "raw/up/secret"},
	}}
	if err := w.upload(t.Context(), Job{ID: "j1", Attempt: 1}, dir, rep); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"fine"}, blobs); d != "" {
		t.Errorf("blobs uploaded (-want +got)\n%s", d)
	}
	var names []string
	for _, a := range got.Artifacts {
		names = append(names, a.Name)
	}
	if d := cmp.Diff([]string{"ok.txt"}, names); d != "" {
		t.Errorf("artifacts reported (-want +got)\n%s", d)
	}
	for _, b := range blobs {
		if bytes.Contains([]byte(b), []byte(secret)) {
			t.Error("the host canary reached the master")
		}
	}
}
