package web_test

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/store/storetest"
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

// TestJobsPageShowsWhoReported: each job with a report names the worker whose attempt produced
// it, escaped.
func TestJobsPageShowsWhoReported(t *testing.T) {
	ctx := t.Context()
	st, err := sqlite.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	j, err := st.CreateJob(ctx, store.NewJob{Spec: "demo==1.0"})
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"first-worker", "<b>second</b>"} {
		if _, err := st.StartAttempt(ctx, j.ID, w, time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		if w == "first-worker" {
			if err := st.RequeueJob(ctx, j.ID, "lost"); err != nil {
				t.Fatal(err)
			}
		}
	}
	rep := storetest.SampleReport("demo", "1.0", storetest.Options{})
	if _, err := st.SaveReport(ctx, j.ID, 2, rep); err != nil {
		t.Fatal(err)
	}
	h, err := web.New(st, nil, web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	_, body := get(t, srv.URL+"/jobs")
	if !strings.Contains(body, "Reported by") || !strings.Contains(body, "&lt;b&gt;second&lt;/b&gt;") {
		t.Errorf("the jobs page does not name the reporting worker:\n%s", body)
	}
	if strings.Contains(body, "first-worker") {
		t.Error("the jobs page names the worker of a failed attempt as the reporter")
	}
}
