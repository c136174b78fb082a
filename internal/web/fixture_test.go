package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/store/storetest"
	"github.com/pyti/pyti/internal/web"
)

// fixture is a store with analyses of two projects (one hostile) and some jobs, served.
type fixture struct {
	st  *sqlite.Store
	srv *httptest.Server
	// ids of the stored reports
	alpha  map[string]int64 // version -> report id
	evil   int64
	queued store.Job
	// running is a job with an attempt under way.
	running store.Job
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, alpha: map[string]int64{}}
	versions := []struct {
		v    string
		opts storetest.Options
	}{
		{"1.0", storetest.Options{Seed: 1, Tests: 10}},
		{"1.1", storetest.Options{Seed: 2, Tests: 12, Failing: 2}},
		{"2.0", storetest.Options{Seed: 3, Tests: 14, Harmful: true}},
		{"2.1", storetest.Options{Seed: 4, Tests: 15, Failing: 1}},
	}
	for _, v := range versions {
		rep := storetest.SampleReport("alpha", v.v, v.opts)
		sum, err := store.ImportReport(t.Context(), st, rep, writeArtifacts(t, rep))
		if err != nil {
			t.Fatal(err)
		}
		f.alpha[v.v] = sum.ID
	}
	evil := storetest.HostileReport("6.6.6")
	sum, err := store.ImportReport(t.Context(), st, evil, writeArtifacts(t, evil))
	if err != nil {
		t.Fatal(err)
	}
	f.evil = sum.ID
	if f.queued, err = st.CreateJob(t.Context(), store.NewJob{Spec: "queued-pkg==1.0"}); err != nil {
		t.Fatal(err)
	}
	if f.running, err = st.CreateJob(t.Context(), store.NewJob{Spec: "running-pkg>=2"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartAttempt(t.Context(), f.running.ID, "worker-1", time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	h, err := web.New(st, slog.New(slog.NewTextHandler(io.Discard, nil)), web.Options{})
	if err != nil {
		t.Fatal(err)
	}
	f.srv = httptest.NewServer(h)
	t.Cleanup(f.srv.Close)
	return f
}

// writeArtifacts writes the report's artifact files: text logs (carrying the injections for the
// hostile report) and a binary wheel.
func writeArtifacts(t *testing.T, rep *report.Report) string {
	t.Helper()
	dir := t.TempDir()
	for _, a := range rep.Artifacts {
		data := []byte("log of " + rep.Project + "\n" + storetest.Injections[0] + "\n")
		if filepath.Ext(a.Path) == ".whl" {
			data = []byte("PK\x03\x04\x00\x00binary\xff\xfe")
		}
		p := filepath.Join(dir, a.Path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}
