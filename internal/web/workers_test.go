package web_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/web"
)

// TestJobsPageShowsWorkers: with a master in the process, the jobs page lists its workers, their
// current job and history, escaped.
func TestJobsPageShowsWorkers(t *testing.T) {
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	now := time.Now()
	workers := []web.Worker{
		{Name: "worker-a", Host: "host1", Alive: true, LastSeen: now, Current: "requests==2.31.0", Done: 3,
			History: []web.WorkerAttempt{{Spec: "flask", Outcome: "passed", When: now}}},
		{Name: `<script>window.__pwned=1</script>`, Alive: false, LastSeen: now.Add(-time.Hour), Failed: 1},
	}
	h, err := web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{Workers: func() []web.Worker { return workers }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	_, body := get(t, srv.URL+"/jobs")
	for _, want := range []string{`id="workers"`, "worker-a", "requests==2.31.0", "alive", "silent", "flask", "&lt;script&gt;window.__pwned=1&lt;/script&gt;"} {
		if !strings.Contains(body, want) {
			t.Errorf("jobs page lacks %q", want)
		}
	}
	if strings.Contains(body, "<script>window.__pwned") {
		t.Error("a worker name reached the page unescaped")
	}

	plain, err := web.New(st, nil, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv2 := httptest.NewServer(plain)
	defer srv2.Close()
	if _, body := get(t, srv2.URL+"/jobs"); strings.Contains(body, `id="workers"`) {
		t.Error("without a master the jobs page must not show a workers table")
	}
}
