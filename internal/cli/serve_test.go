package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/master"
)

// TestServeStartsAndStops runs `pyti serve` on a free port, asks it for /healthz and for the
// dashboard, then cancels it: it must shut down cleanly with exit 0.
func TestServeStartsAndStops(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "none.toml")
	_ = os.WriteFile(cfg, nil, 0o644)
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, []string{"serve", "--data-dir", dir, "--listen", "127.0.0.1:0", "--workers", "0", "--nats-listen", "127.0.0.1:-1"}, &Env{
			Stdin: strings.NewReader(""), Stdout: pw, Stderr: io.Discard,
			LookupEnv: func(k string) (string, bool) {
				if k == "PYTI_CONFIG" {
					return cfg, true
				}
				return "", false
			},
		})
		pw.Close()
		done <- code
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed no URL: %v", err)
	}
	go io.Copy(io.Discard, pr)
	url := regexp.MustCompile(`http://\S+/`).FindString(line)
	if url == "" {
		t.Fatalf("no URL in %q", line)
	}
	client := &http.Client{Timeout: 30 * time.Second}
	for _, path := range []string{"healthz", ""} {
		resp, err := client.Get(url + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET /%s: %s", path, resp.Status)
		}
		if path == "" && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("the dashboard has no strict CSP: %q", resp.Header.Get("Content-Security-Policy"))
		}
	}
	cancel()
	select {
	case code := <-done:
		if code != ExitOK {
			t.Errorf("serve exited %d after cancel, want 0", code)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not stop")
	}
}

// TestWebWorkersShowTheNewestAttempts: the master keeps a worker's history newest first; the jobs
// page shows its five newest.
func TestWebWorkersShowTheNewestAttempts(t *testing.T) {
	var hist []master.WorkerJob
	for i := 7; i >= 1; i-- { // newest (7) first
		hist = append(hist, master.WorkerJob{JobID: fmt.Sprint(i), Spec: fmt.Sprintf("p%d", i), Outcome: "passed"})
	}
	got := webWorkers([]master.WorkerInfo{{Name: "w", History: hist}})
	var specs []string
	for _, h := range got[0].History {
		specs = append(specs, h.Spec)
	}
	if diff := cmp.Diff([]string{"p7", "p6", "p5", "p4", "p3"}, specs); diff != "" {
		t.Errorf("history shown (-want +got):\n%s", diff)
	}
}
