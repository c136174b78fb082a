package web_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const chromiumPath = "/usr/bin/chromium"

// browser starts a headless Debian Chromium with a fresh profile and returns a tab's context; it
// also collects the console messages (CSP violations and exceptions show up there).
func browser(t *testing.T) (context.Context, func() []string) {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser tests need Debian's chromium at %s (apt-get install chromium): %v", chromiumPath, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 1000),
	)
	t.Cleanup(acancel)
	tctx, tcancel := chromedp.NewContext(actx)
	t.Cleanup(tcancel)
	// Start the browser and the tab now, so that the console subscription sees every page.
	if err := chromedp.Do(tctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	var mu sync.Mutex
	var msgs []string
	cctx, ccancel := context.WithCancel(tctx)
	done := make(chan struct{})
	messages := chromedp.Console(cctx)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			msgs = append(msgs, m.String())
			mu.Unlock()
		}
	}()
	t.Cleanup(func() { ccancel(); <-done })
	return tctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), msgs...)
	}
}

// artifactsDir is where screenshots go: $PYTI_ARTIFACTS, or a temporary directory.
func artifactsDir(t *testing.T) string {
	if d := os.Getenv("PYTI_ARTIFACTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

func screenshot(t *testing.T, ctx context.Context, dir, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot of %s: %v", name, err)
	}
	path := filepath.Join(dir, "web-"+name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// load navigates, waits for the page, and checks that no injected script ran.
func load(t *testing.T, ctx context.Context, url string) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible("main")); err != nil {
		t.Fatalf("loading %s: %v", url, err)
	}
	pwned, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.__pwned`))
	if err != nil {
		t.Fatal(err)
	}
	if pwned != "undefined" {
		t.Errorf("%s: window.__pwned is %s: an injected script ran", url, pwned)
	}
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('img[src="x"], [onerror], [onload], [onclick], script:not([src])').length`))
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%s: %d injected elements made it into the DOM", url, n)
	}
	bad, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('a[href]')].filter(a => !['http:', 'https:'].includes(a.protocol)).length`))
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Errorf("%s: %d links that are not http(s)", url, bad)
	}
}

func text(t *testing.T, ctx context.Context, expr string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		t.Fatalf("evaluating %s: %v", expr, err)
	}
	return s
}

func TestBrowser(t *testing.T) {
	f := newFixture(t)
	matrixID := addMatrix(t, f)
	ctx, console := browser(t)
	dir := artifactsDir(t)

	t.Run("dashboard", func(t *testing.T) {
		load(t, ctx, f.srv.URL+"/")
		body := text(t, ctx, `document.body.innerText`)
		for _, want := range []string{"Dashboard", "Recent analyses", "harmful", "tests-failed", "running-pkg>=2", "queued-pkg==1.0", "evil-pkg"} {
			if !strings.Contains(body, want) {
				t.Errorf("the dashboard does not show %q", want)
			}
		}
		screenshot(t, ctx, dir, "dashboard")
	})

	t.Run("project", func(t *testing.T) {
		load(t, ctx, f.srv.URL+"/projects/alpha")
		if got := text(t, ctx, `document.querySelector('h1').innerText`); got != "alpha" {
			t.Errorf("project heading %q, want alpha", got)
		}
		charts := text(t, ctx, `String(document.querySelectorAll('.chart svg polyline').length)`)
		if charts != "5" {
			t.Errorf("%s charts drawn, want 5", charts)
		}
		body := text(t, ctx, `document.body.innerText`)
		for _, want := range []string{"4 releases analysed", "2.1", "2.0", "1.1", "1.0", "Compare two releases"} {
			if !strings.Contains(body, want) {
				t.Errorf("the project page does not show %q", want)
			}
		}
		if w := text(t, ctx, `String(document.querySelector('.hero img.badge').naturalWidth > 0)`); w != "true" {
			t.Errorf("the badge image did not load")
		}
		screenshot(t, ctx, dir, "project")
	})

	t.Run("report", func(t *testing.T) {
		load(t, ctx, fmt.Sprintf("%s/reports/%d", f.srv.URL, f.alpha["2.0"]))
		if got := text(t, ctx, `document.getElementById('verdict').innerText`); got != "harmful" {
			t.Errorf("verdict shown %q, want harmful", got)
		}
		body := text(t, ctx, `document.body.innerText`)
		for _, want := range []string{"Network connection attempted", "203.0.113.7:443", "Task timeline", "Coverage:", "Packaging score"} {
			if !strings.Contains(body, want) {
				t.Errorf("the report page does not show %q", want)
			}
		}
		bars := text(t, ctx, `String(document.querySelectorAll('svg.timeline rect.bar').length)`)
		if bars != "10" {
			t.Errorf("%s timeline bars, want 10 (one per task)", bars)
		}
		screenshot(t, ctx, dir, "report")
	})

	t.Run("failing report", func(t *testing.T) {
		load(t, ctx, fmt.Sprintf("%s/reports/%d", f.srv.URL, f.alpha["1.1"]))
		if got := text(t, ctx, `document.getElementById('verdict').innerText`); got != "tests-failed" {
			t.Errorf("verdict shown %q, want tests-failed", got)
		}
		failing := text(t, ctx, `[...document.querySelectorAll('.failure .nodeid')].map(e => e.innerText).join('\n')`)
		if failing != "tests/test_core.py::test_case_000\ntests/test_core.py::test_case_001" {
			t.Errorf("failing tests shown:\n%s", failing)
		}
	})

	t.Run("hostile report", func(t *testing.T) {
		load(t, ctx, fmt.Sprintf("%s/reports/%d", f.srv.URL, f.evil))
		if got := text(t, ctx, `document.getElementById('verdict').innerText`); got != "harmful" {
			t.Errorf("verdict shown %q, want harmful", got)
		}
		failing := text(t, ctx, `[...document.querySelectorAll('.failure .nodeid')].map(e => e.textContent).join('\n')`)
		want := "tests/test_x.py::test_<script>window.__pwned=1</script>\ntests/\"><img src=x onerror=\"window.__pwned=1\">.py::test_two"
		if failing != want {
			t.Errorf("hostile test names shown as\n%s\nwant literally\n%s", failing, want)
		}
		for id, want := range map[string]string{
			"description": "Description <script>window.__pwned=1</script>\n\"><img src=x onerror=\"window.__pwned=1\">\n[click](javascript:window.__pwned=1)",
			"summary":     "Summary <script>window.__pwned=1</script>",
			"reason":      "harmful: <script>window.__pwned=1</script>",
		} {
			if got := text(t, ctx, `document.getElementById('`+id+`').textContent`); got != want {
				t.Errorf("#%s shows %q, want %q literally", id, got, want)
			}
		}
		body := text(t, ctx, `document.body.textContent`)
		for _, want := range []string{"javascript:window.__pwned=1", "evil-pkg-6.6.6\"><img src=x onerror=\"window.__pwned=1\">.tar.gz", "output <script>window.__pwned=1</script>"} {
			if !strings.Contains(body, want) {
				t.Errorf("the hostile report does not show %q as text", want)
			}
		}
		// Open every <details> so that the screenshot shows the hostile text too.
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('details').forEach(d => d.open = true), 0`)); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `typeof window.__pwned`); got != "undefined" {
			t.Errorf("window.__pwned is %s after opening the details", got)
		}
		screenshot(t, ctx, dir, "report-hostile")
	})

	t.Run("compare", func(t *testing.T) {
		load(t, ctx, fmt.Sprintf("%s/compare?project=alpha&from=1.1&to=2.0", f.srv.URL))
		body := text(t, ctx, `document.body.innerText`)
		for _, want := range []string{"New network attempts", "203.0.113.7:443", "Fixed (2)"} {
			if !strings.Contains(body, want) {
				t.Errorf("the comparison does not show %q", want)
			}
		}
		screenshot(t, ctx, dir, "compare")
	})

	t.Run("matrix report", func(t *testing.T) {
		load(t, ctx, fmt.Sprintf("%s/reports/%d", f.srv.URL, matrixID))
		rows := text(t, ctx, `[...document.querySelectorAll('#matrix tbody tr')].map(tr => [...tr.children].map(c => c.textContent.trim()).join(' | ')).join('\n')`)
		want := "host | 3.11.2 | host | ok | ok | ok | ok | 4 passed, 0 failed | passed | built, installed, imported; all 4 tests passed | \n" +
			"trixie | 3.13.5 | 7f3a9c0e21b4 | ok | ok | ok | failed | 1 passed, 2 failed, 1 error | tests-failed | " + hostileReason + "… | compare\n" +
			"py27 | 2.7.18 | 0000aaaa1111 | — | — | — | — | — | not-applicable | Requires-Python >=3.8 excludes Python 2.7.18 | compare"
		if rows != want {
			t.Errorf("the matrix table reads\n%s\nwant\n%s", rows, want)
		}
		if got := text(t, ctx, `String(document.getElementById('matrix').getBoundingClientRect().top < document.getElementById('findings').getBoundingClientRect().top)`); got != "true" {
			t.Errorf("the matrix section is not above the findings")
		}
		// The trixie row links to trixie's section, which lists its failing tests, the hostile one as text.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#matrix a[href="#cell-1"]`))); err != nil {
			t.Fatal(err)
		}
		if got := text(t, ctx, `location.hash`); got != "#cell-1" {
			t.Errorf("clicking trixie went to %q", got)
		}
		failing := text(t, ctx, `[...document.querySelectorAll('#cell-1-tests .failure .nodeid')].map(e => e.textContent).join('\n')`)
		if want := "tests/test_m.py::test_distutils\n" + hostileTest + "\ntests/test_m.py::test_new_py"; failing != want {
			t.Errorf("trixie's failing tests read\n%s\nwant\n%s", failing, want)
		}
		if got := text(t, ctx, `document.querySelectorAll('#cell-0-tests .failure').length + ''`); got != "0" {
			t.Errorf("the host's section lists %s failing tests, want 0", got)
		}
		if got := text(t, ctx, `document.querySelector('#cell-1 .cellreason').textContent`); got != hostileReason+"\nand a second line" {
			t.Errorf("trixie's reason reads %q", got)
		}
		png, err := chromedp.Run(ctx, chromedp.Screenshot(chromedp.ID("matrix")))
		if err != nil {
			t.Fatalf("screenshot of the matrix: %v", err)
		}
		path := filepath.Join(dir, "web-report-matrix-section.png")
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
		screenshot(t, ctx, dir, "report-matrix")
	})

	t.Run("image compare", func(t *testing.T) {
		load(t, ctx, fmt.Sprintf("%s/reports/%d", f.srv.URL, matrixID))
		// Follow the link from the matrix table, as a user would.
		if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`#matrix a.cmp`)), chromedp.WaitVisible(chromedp.ID("tests-differ"))); err != nil {
			t.Fatalf("following the compare link: %v", err)
		}
		load(t, ctx, text(t, ctx, `location.href`))
		if got := text(t, ctx, `document.querySelector('h1').textContent`); got != "Compare host and trixie" {
			t.Errorf("heading %q", got)
		}
		diffs := text(t, ctx, `[...document.querySelectorAll('#tests-differ h3')].map(h => h.textContent + ': ' + [...h.nextElementSibling.querySelectorAll('.nodeid')].map(e => e.textContent).join(', ')).join('\n')`)
		want := "Pass on host, fail on trixie (2): " + hostileTest + ", tests/test_m.py::test_distutils\n" +
			"Run only on host (1): tests/test_m.py::test_host_only\n" +
			"Run only on trixie (1): tests/test_m.py::test_new_py"
		if diffs != want {
			t.Errorf("the differing tests read\n%s\nwant\n%s", diffs, want)
		}
		sides := text(t, ctx, `[...document.querySelectorAll('.side .verdict')].map(e => e.textContent).join(' ')`)
		if sides != "passed tests-failed" {
			t.Errorf("the sides' verdicts read %q", sides)
		}
		if got := text(t, ctx, `document.querySelector('#imports-differ tbody').textContent`); !strings.Contains(got, "gamma_compat") || !strings.Contains(got, "distutils") {
			t.Errorf("the imports that differ read %q", got)
		}
		screenshot(t, ctx, dir, "compare-images")
	})

	t.Run("project with a matrix report", func(t *testing.T) {
		load(t, ctx, f.srv.URL+"/projects/gamma")
		if got := text(t, ctx, `document.querySelector('.releases .cells').textContent`); got != "host: passed · trixie: tests-failed · py27: not-applicable" {
			t.Errorf("the release's image verdicts read %q", got)
		}
	})

	t.Run("live search", func(t *testing.T) {
		load(t, ctx, f.srv.URL+"/projects")
		// htmx replaces the results as the user types: proof that it runs under the CSP.
		err := chromedp.Do(ctx,
			chromedp.SendKeys(`form.filters input[name="q"]`, "ev"),
			chromedp.WaitNotPresent(`#results a[href="/projects/alpha"]`),
		)
		if err != nil {
			t.Fatalf("typing a search: %v", err)
		}
		if got := text(t, ctx, `document.getElementById('results').innerText`); !strings.Contains(got, "evil-pkg") {
			t.Errorf("live search results %q do not list evil-pkg", got)
		}
	})

	// A probe proves that the console is collected, so that the check below can fail.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[int](`console.log("pyti-console-probe"), 0`)); err != nil {
		t.Fatal(err)
	}
	probed := false
	for deadline := time.Now().Add(5 * time.Second); !probed && time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		probed = slices.ContainsFunc(console(), func(m string) bool { return strings.Contains(m, "pyti-console-probe") })
	}
	if !probed {
		t.Errorf("the console probe was not collected")
	}
	for _, m := range console() {
		if strings.Contains(m, "Content Security Policy") || strings.Contains(m, "exception") {
			t.Errorf("browser console: %s", m)
		}
	}
}
