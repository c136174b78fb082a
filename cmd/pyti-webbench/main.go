// Command pyti-webbench measures the latency of PYTI's web pages and JSON API over a store holding many
// reports (100,000 by default), generated for the benchmark: it fills a data directory (or reuses
// one it filled before), serves it on loopback and requests each page many times, printing p50,
// p99 and max per endpoint.
//
//	go run ./cmd/pyti-webbench -reports 100000 -data /tmp/pyti-bench
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/signal"
	"slices"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/store/storetest"
	"github.com/pyti/pyti/internal/web"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type config struct {
	reports, projects, requests int
	data                        string
}

func run(ctx context.Context, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var c config
	fs.IntVar(&c.reports, "reports", 100000, "reports to store")
	fs.IntVar(&c.projects, "projects", 2000, "projects the reports are spread over")
	fs.IntVar(&c.requests, "requests", 500, "requests per endpoint")
	fs.StringVar(&c.data, "data", "", "data directory (default: a new temporary one, removed at the end)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if c.reports < c.projects || c.projects < 1 || c.requests < 1 {
		return errors.New("need reports >= projects >= 1 and requests >= 1")
	}
	if c.data == "" {
		dir, err := os.MkdirTemp("", "pyti-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.data = dir
	}
	st, err := sqlite.Open(ctx, c.data)
	if err != nil {
		return err
	}
	defer st.Close()
	counts, err := st.CountsByVerdict(ctx)
	if err != nil {
		return err
	}
	have := 0
	for _, n := range counts {
		have += n
	}
	if have < c.reports {
		start := time.Now()
		if err := fill(ctx, st, c, have); err != nil {
			return err
		}
		fmt.Fprintf(out, "stored %d reports over %d projects in %s\n", c.reports-have, c.projects, time.Since(start).Round(time.Second))
	} else {
		fmt.Fprintf(out, "reusing %d stored reports in %s\n", have, c.data)
	}
	h, err := web.New(st, slog.New(slog.DiscardHandler), web.Options{})
	if err != nil {
		return err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	return measure(ctx, srv.URL, st, c, out)
}

func projectName(i int) string { return fmt.Sprintf("bench-proj-%05d", i) }

// fill stores reports from index from on: report i is release i/projects of project i%projects.
func fill(ctx context.Context, st store.Store, c config, from int) error {
	const workers = 2
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if err := saveOne(ctx, st, c, i); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := from; i < c.reports; i++ {
		select {
		case next <- i:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	return err
}

func saveOne(ctx context.Context, st store.Store, c config, i int) error {
	p, rel := i%c.projects, i/c.projects
	o := storetest.Options{Seed: uint64(i), Tests: 20 + rel%15, Failing: (i / 7) % 3 * (i % 2), Harmful: i%23 == 0}
	rep := storetest.SampleReport(projectName(p), fmt.Sprintf("%d.%d.0", rel/10, rel%10), o)
	job, err := st.CreateJob(ctx, store.NewJob{Spec: rep.Request.Spec})
	if err != nil {
		return err
	}
	a, err := st.StartAttempt(ctx, job.ID, "bench", time.Now().Add(time.Minute))
	if err != nil {
		return err
	}
	_, err = st.SaveReport(ctx, job.ID, a.Number, rep)
	return err
}

type endpoint struct {
	name string
	path func(r *rand.Rand) string
}

func measure(ctx context.Context, base string, st store.Store, c config, out io.Writer) error {
	page, err := st.Reports(ctx, store.ReportQuery{Limit: 1})
	if err != nil {
		return err
	}
	if len(page.Reports) == 0 {
		return errors.New("no reports stored")
	}
	maxID := page.Reports[0].ID
	reportID := func(r *rand.Rand) int64 { return 1 + r.Int64N(maxID) }
	project := func(r *rand.Rand) string { return projectName(r.IntN(c.projects)) }
	endpoints := []endpoint{
		{"project page", func(r *rand.Rand) string { return "/projects/" + project(r) }},
		{"report page", func(r *rand.Rand) string { return fmt.Sprintf("/reports/%d", reportID(r)) }},
		{"API project", func(r *rand.Rand) string { return "/api/v1/projects/" + project(r) }},
		{"API report", func(r *rand.Rand) string { return fmt.Sprintf("/api/v1/reports/%d", reportID(r)) }},
		{"dashboard", func(*rand.Rand) string { return "/" }},
		{"API search", func(r *rand.Rand) string { n := project(r); return "/api/v1/search?q=" + n[:len(n)-2] }},
		{"filter by verdict", func(*rand.Rand) string { return "/reports?verdict=harmful" }},
		{"filter by rule", func(*rand.Rand) string { return "/api/v1/reports?rule=network-attempt" }},
		{"compare", func(r *rand.Rand) string {
			return fmt.Sprintf("/api/v1/compare?a=%d&b=%d", reportID(r), reportID(r))
		}},
		{"badge", func(r *rand.Rand) string { return "/badge/" + project(r) + ".svg" }},
	}
	client := &http.Client{Timeout: 30 * time.Second}
	fmt.Fprintf(out, "%-18s %8s %8s %8s %10s\n", "endpoint", "p50", "p99", "max", "bytes")
	for _, e := range endpoints {
		r := rand.New(rand.NewPCG(1, 2))
		for range 20 { // warm up
			if _, err := fetch(ctx, client, base+e.path(r)); err != nil {
				return err
			}
		}
		lat := make([]time.Duration, 0, c.requests)
		var size int
		for range c.requests {
			t0 := time.Now()
			n, err := fetch(ctx, client, base+e.path(r))
			if err != nil {
				return err
			}
			lat = append(lat, time.Since(t0))
			size = n
		}
		slices.Sort(lat)
		fmt.Fprintf(out, "%-18s %8s %8s %8s %10d\n", e.name, ms(pct(lat, 50)), ms(pct(lat, 99)), ms(lat[len(lat)-1]), size)
	}
	return nil
}

func pct(sorted []time.Duration, p int) time.Duration {
	i := (len(sorted)*p + 99) / 100
	return sorted[max(0, min(len(sorted)-1, i-1))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d)/float64(time.Millisecond)) }

func fetch(ctx context.Context, client *http.Client, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	if err != nil {
		return 0, err
	}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return int(n), nil
}
