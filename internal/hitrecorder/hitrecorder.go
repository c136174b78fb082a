// Package hitrecorder is a test helper: a loopback HTTP listener that records the requests that
// reach it and whether they carried credentials, so that a test can show where a client's
// requests (and its secrets) went.
package hitrecorder

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// Recorder is a loopback listener that records every request as "PATH auth=yes|no".
type Recorder struct {
	*httptest.Server
	mu   sync.Mutex
	hits []string
}

// New starts a Recorder, closed when the test ends; h answers the requests (nil: 404).
func New(t testing.TB, h http.HandlerFunc) *Recorder {
	t.Helper()
	rec := &Recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := "no"
		if r.Header.Get("Authorization") != "" {
			auth = "yes"
		}
		rec.mu.Lock()
		rec.hits = append(rec.hits, r.URL.Path+" auth="+auth)
		rec.mu.Unlock()
		if h != nil {
			h(w, r)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

// Got is the requests recorded so far, in order.
func (r *Recorder) Got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.hits...)
}
