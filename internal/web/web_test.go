package web_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/storetest"
	"github.com/pyti/pyti/internal/web"
)

func TestStatusAndHeaders(t *testing.T) {
	f := newFixture(t)
	evilArtifacts := len(storeReport(t, f, f.evil).Artifacts)
	tests := []struct {
		path   string
		status int
		ctype  string
	}{
		{"/", 200, "text/html; charset=utf-8"},
		{"/projects", 200, "text/html; charset=utf-8"},
		{"/projects?q=al", 200, "text/html; charset=utf-8"},
		{"/projects/alpha", 200, "text/html; charset=utf-8"},
		{"/projects/ALPHA", 200, "text/html; charset=utf-8"},
		{"/projects/nope", 404, "text/html; charset=utf-8"},
		{"/projects/alpha/2.0", 303, ""},
		{"/projects/alpha/9.9", 404, "text/html; charset=utf-8"},
		{"/reports", 200, "text/html; charset=utf-8"},
		{"/reports?verdict=harmful", 200, "text/html; charset=utf-8"},
		{"/reports?rule=network-attempt", 200, "text/html; charset=utf-8"},
		{"/reports?cursor=bad", 400, "text/html; charset=utf-8"},
		{"/reports?limit=-1", 400, "text/html; charset=utf-8"},
		{fmt.Sprintf("/reports/%d", f.alpha["1.1"]), 200, "text/html; charset=utf-8"},
		{fmt.Sprintf("/reports/%d", f.evil), 200, "text/html; charset=utf-8"},
		{"/reports/999999", 404, "text/html; charset=utf-8"},
		{"/reports/abc", 400, "text/html; charset=utf-8"},
		{fmt.Sprintf("/compare?a=%d&b=%d", f.alpha["1.0"], f.alpha["1.1"]), 200, "text/html; charset=utf-8"},
		{"/compare?project=alpha&from=1.0&to=2.0", 200, "text/html; charset=utf-8"},
		{"/compare?project=alpha", 400, "text/html; charset=utf-8"},
		{"/jobs", 200, "text/html; charset=utf-8"},
		{"/jobs?state=queued", 200, "text/html; charset=utf-8"},
		{"/jobs?state=bogus", 400, "text/html; charset=utf-8"},
		{"/fragments/jobs", 200, "text/html; charset=utf-8"},
		{"/fragments/projects?q=ev", 200, "text/html; charset=utf-8"},
		{fmt.Sprintf("/reports/%d/artifacts/0", f.evil), 200, "text/plain; charset=utf-8"},
		{fmt.Sprintf("/reports/%d/artifacts/%d", f.evil, evilArtifacts), 404, "text/html; charset=utf-8"},
		{"/blobs/" + strings.Repeat("a", 64), 404, "text/html; charset=utf-8"},
		{"/blobs/..%2f..%2fetc%2fpasswd", 400, "text/html; charset=utf-8"},
		{"/badge/alpha.svg", 200, "image/svg+xml"},
		{"/badge/alpha/2.0.svg", 200, "image/svg+xml"},
		{"/badge/nope.svg", 404, "image/svg+xml"},
		{"/badge/alpha", 404, "text/html; charset=utf-8"},
		{"/static/style.css", 200, "text/css; charset=utf-8"},
		{"/static/htmx.min.js", 200, "text/javascript; charset=utf-8"},
		{"/healthz", 200, "text/plain; charset=utf-8"},
		{"/no/such/page", 404, "text/html; charset=utf-8"},
		{"/api/v1/dashboard", 200, "application/json"},
		{"/api/v1/projects", 200, "application/json"},
		{"/api/v1/search?q=alp", 200, "application/json"},
		{"/api/v1/search", 400, "application/json"},
		{"/api/v1/projects/alpha", 200, "application/json"},
		{"/api/v1/projects/alpha/releases", 200, "application/json"},
		{"/api/v1/projects/nope", 404, "application/json"},
		{"/api/v1/reports", 200, "application/json"},
		{fmt.Sprintf("/api/v1/reports/%d", f.evil), 200, "application/json"},
		{"/api/v1/reports/0", 400, "application/json"},
		{"/api/v1/compare?project=alpha&from=1.0&to=2.1", 200, "application/json"},
		{"/api/v1/jobs", 200, "application/json"},
		{"/api/v1/jobs/" + f.queued.ID, 200, "application/json"},
		{"/api/v1/jobs/nope", 404, "application/json"},
		{"/api/v1/nothing", 404, "application/json"},
	}
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := get(t, f.srv.URL+tc.path)
			if resp.StatusCode != tc.status {
				t.Errorf("status %d, want %d; body:\n%.300s", resp.StatusCode, tc.status, body)
			}
			if got := resp.Header.Get("Content-Security-Policy"); got != web.CSP {
				t.Errorf("Content-Security-Policy %q, want %q", got, web.CSP)
			}
			if got := resp.Header.Get("X-Content-Type-Options"); got != "nosniff" {
				t.Errorf("X-Content-Type-Options %q, want nosniff", got)
			}
			if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
				t.Errorf("Content-Type %q, want %q", resp.Header.Get("Content-Type"), tc.ctype)
			}
			if strings.HasPrefix(tc.path, "/api/") && resp.StatusCode >= 400 {
				var e struct{ Error string }
				if err := json.Unmarshal([]byte(body), &e); err != nil || e.Error == "" {
					t.Errorf("API error body %q is not {\"error\": ...}", body)
				}
			}
		})
	}
}

func storeReport(t *testing.T, f *fixture, id int64) *report.Report {
	t.Helper()
	sr, err := f.st.Report(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return sr.Report
}

// Inline scripts, event handler attributes, style attributes and javascript: URLs must never
// appear in a page.
var (
	inlineScript = regexp.MustCompile(`(?i)<script(?:\s[^>]*)?>\s*[^<\s]`)
	scriptTag    = regexp.MustCompile(`(?i)<script\b[^>]*>`)
	eventAttr    = regexp.MustCompile(`(?i)<[a-z][^>]*\son[a-z]+\s*=`)
	styleAttr    = regexp.MustCompile(`(?i)<[a-z][^>]*\sstyle\s*=`)
	styleTag     = regexp.MustCompile(`(?i)<style\b`)
	jsURL        = regexp.MustCompile(`(?i)(href|src|action)\s*=\s*["']?\s*javascript:`)
)

func TestPagesAreSafe(t *testing.T) {
	f := newFixture(t)
	matrix := addMatrix(t, f)
	pages := []string{"/", "/projects", "/projects/evil-pkg", "/projects/alpha", "/reports",
		fmt.Sprintf("/reports/%d", f.evil), fmt.Sprintf("/reports/%d", f.alpha["2.0"]),
		fmt.Sprintf("/compare?a=%d&b=%d", f.alpha["2.1"], f.evil), "/jobs", "/fragments/projects?q=e", "/no-such",
		fmt.Sprintf("/reports/%d", matrix), fmt.Sprintf("/compare?report=%d&a=host&b=trixie", matrix), "/projects/gamma"}
	for _, p := range pages {
		_, body := get(t, f.srv.URL+p)
		for _, check := range []struct {
			name string
			re   *regexp.Regexp
		}{{"inline script", inlineScript}, {"event handler attribute", eventAttr}, {"style attribute", styleAttr},
			{"style element", styleTag}, {"javascript: URL", jsURL}} {
			if m := check.re.FindString(body); m != "" {
				t.Errorf("%s has a %s: %q", p, check.name, m)
			}
		}
		for _, tag := range scriptTag.FindAllString(body, -1) {
			if tag != `<script src="/static/htmx.min.js" defer>` {
				t.Errorf("%s has an unexpected script tag %q", p, tag)
			}
		}
	}
}

func TestHostileTextIsEscaped(t *testing.T) {
	f := newFixture(t)
	_, body := get(t, fmt.Sprintf("%s/reports/%d", f.srv.URL, f.evil))
	for _, raw := range []string{`<script>window.__pwned`, `<img src=x`, `href="javascript:`, `href="data:`} {
		if strings.Contains(body, raw) {
			t.Errorf("report page contains %q unescaped", raw)
		}
	}
	for _, escaped := range []string{
		`&lt;script&gt;window.__pwned=1&lt;/script&gt;`,                 // description, test names, output
		`&#34;&gt;&lt;img src=x onerror=&#34;window.__pwned=1&#34;&gt;`, // file names, author
		`javascript:window.__pwned=1`,                                   // shown as text, not linked
	} {
		if !strings.Contains(body, escaped) {
			t.Errorf("report page does not show %q as text", escaped)
		}
	}
	// The one safe project URL is linked; the javascript: and data: ones are not.
	if !strings.Contains(body, `href="https://example.org/docs"`) {
		t.Errorf("the https project URL is not linked")
	}
}

func TestAPIShapes(t *testing.T) {
	f := newFixture(t)
	var rv struct {
		Summary   store.ReportSummary `json:"summary"`
		Report    report.Report       `json:"report"`
		Failing   []struct{ NodeID string }
		Links     []web.Link         `json:"links"`
		Artifacts []web.ArtifactLink `json:"artifacts"`
		Findings  []report.Finding   `json:"findings"`
		Phases    []struct{ Name string }
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/reports/%d", f.srv.URL, f.evil), &rv)
	if rv.Summary.ID != f.evil || rv.Summary.Verdict != report.VerdictHarmful || rv.Report.Project != "evil-pkg" {
		t.Errorf("report summary = %+v", rv.Summary)
	}
	wantLinks := []web.Link{
		{Label: "Docs <script>window.__pwned=1</script>", URL: "https://example.org/docs", Href: "https://example.org/docs"},
		{Label: "Evil", URL: "data:text/html,<script>window.__pwned=1</script>"},
		{Label: "Homepage", URL: "javascript:window.__pwned=1"},
	}
	if diff := cmp.Diff(wantLinks, rv.Links); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	var failing []string
	for _, c := range rv.Failing {
		failing = append(failing, c.NodeID)
	}
	if diff := cmp.Diff([]string{"tests/test_x.py::test_<script>window.__pwned=1</script>", `tests/"><img src=x onerror="window.__pwned=1">.py::test_two`}, failing); diff != "" {
		t.Errorf("failing tests (-want +got):\n%s", diff)
	}
	if len(rv.Findings) == 0 || rv.Findings[0].Severity != report.SeverityHigh {
		t.Errorf("findings not sorted most severe first: %+v", rv.Findings)
	}
	var phases []string
	for _, p := range rv.Phases {
		phases = append(phases, p.Name)
	}
	if diff := cmp.Diff([]string{"fetch", "build", "install", "import", "test"}, phases); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
	for i, a := range rv.Artifacts {
		if want := fmt.Sprintf("/reports/%d/artifacts/%d", f.evil, i); a.Href != want || len(a.SHA256) != 64 {
			t.Errorf("artifact %d = %+v, want href %s and a digest", i, a, want)
		}
	}

	var pv struct {
		Project  store.Project
		Releases []store.Release
		Trends   []web.Trend
	}
	getJSON(t, f.srv.URL+"/api/v1/projects/alpha", &pv)
	var versions []string
	for _, r := range pv.Releases {
		versions = append(versions, r.Version+":"+string(r.Latest.Verdict))
	}
	if diff := cmp.Diff([]string{"2.1:tests-failed", "2.0:harmful", "1.1:tests-failed", "1.0:passed"}, versions); diff != "" {
		t.Errorf("releases newest first (-want +got):\n%s", diff)
	}
	wantTests := web.Trend{Name: "Tests run", Points: []web.Point{{"1.0", 10}, {"1.1", 12}, {"2.0", 14}, {"2.1", 15}}}
	if diff := cmp.Diff(wantTests, pv.Trends[0]); diff != "" {
		t.Errorf("tests trend (-want +got):\n%s", diff)
	}

	var cmpv web.Comparison
	getJSON(t, f.srv.URL+"/api/v1/compare?project=alpha&from=1.1&to=2.0", &cmpv)
	if diff := cmp.Diff([]string{"203.0.113.7:443"}, cmpv.NewNetwork); diff != "" {
		t.Errorf("new network attempts (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"tests/test_core.py::test_case_000", "tests/test_core.py::test_case_001"}, cmpv.Fixed); diff != "" {
		t.Errorf("fixed tests (-want +got):\n%s", diff)
	}
	if len(cmpv.NewFindings) != 1 || cmpv.NewFindings[0].Rule != "network-attempt" {
		t.Errorf("new findings = %+v", cmpv.NewFindings)
	}
	getJSON(t, f.srv.URL+"/api/v1/compare?project=alpha&from=2.0&to=2.1", &cmpv)
	if diff := cmp.Diff([]string{"tests/test_core.py::test_case_000"}, cmpv.Regressed); diff != "" {
		t.Errorf("regressed tests (-want +got):\n%s", diff)
	}

	var dash web.Dashboard
	getJSON(t, f.srv.URL+"/api/v1/dashboard", &dash)
	wantCounts := []web.VerdictCount{{report.VerdictPassed, 1}, {report.VerdictTestsFailed, 2}, {report.VerdictHarmful, 2}}
	if diff := cmp.Diff(wantCounts, dash.Counts); diff != "" {
		t.Errorf("dashboard counts (-want +got):\n%s", diff)
	}
	if dash.Total != 5 || len(dash.Recent) != 5 || len(dash.Queued) != 1 || len(dash.Running) != 1 {
		t.Errorf("dashboard: total %d, %d recent, %d queued, %d running; want 5, 5, 1, 1", dash.Total, len(dash.Recent), len(dash.Queued), len(dash.Running))
	}
}

func TestAPIPagination(t *testing.T) {
	f := newFixture(t)
	var all []int64
	next := ""
	for range 10 {
		var page store.ReportPage
		getJSON(t, f.srv.URL+"/api/v1/reports?limit=2&cursor="+next, &page)
		if len(page.Reports) > 2 {
			t.Fatalf("page of %d reports with limit 2", len(page.Reports))
		}
		for _, r := range page.Reports {
			all = append(all, r.ID)
		}
		if next = page.Next; next == "" {
			break
		}
	}
	if len(all) != 5 {
		t.Errorf("walked %d reports over the pages, want 5: %v", len(all), all)
	}
	var filtered store.ReportPage
	getJSON(t, f.srv.URL+"/api/v1/reports?rule=network-attempt&project=alpha", &filtered)
	if len(filtered.Reports) != 1 || filtered.Reports[0].ID != f.alpha["2.0"] {
		t.Errorf("filter by rule and project = %+v", filtered.Reports)
	}
	var projects store.ProjectPage
	getJSON(t, f.srv.URL+"/api/v1/projects?limit=1", &projects)
	if len(projects.Projects) != 1 || projects.Next == "" {
		t.Errorf("first page of projects = %+v", projects)
	}
	var second store.ProjectPage
	getJSON(t, f.srv.URL+"/api/v1/projects?limit=1&cursor="+projects.Next, &second)
	if len(second.Projects) != 1 || second.Projects[0].Name != "evil-pkg" || second.Next != "" {
		t.Errorf("second page of projects = %+v", second)
	}
	var jobs store.JobPage
	getJSON(t, f.srv.URL+"/api/v1/jobs?state=queued&state=running", &jobs)
	if len(jobs.Jobs) != 2 {
		t.Errorf("queued and running jobs = %+v", jobs.Jobs)
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, body := get(t, url)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

func TestDownloads(t *testing.T) {
	f := newFixture(t)
	rep := storeReport(t, f, f.evil)
	for i, a := range rep.Artifacts {
		resp, body := get(t, fmt.Sprintf("%s/reports/%d/artifacts/%d", f.srv.URL, f.evil, i))
		if resp.StatusCode != 200 {
			t.Fatalf("artifact %d: status %d", i, resp.StatusCode)
		}
		ct, cd := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition")
		if strings.HasSuffix(a.Path, ".whl") {
			if ct != "application/octet-stream" || !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "evil-pkg-6.6.6-py3-none-any.whl") {
				t.Errorf("binary artifact %s: Content-Type %q, Content-Disposition %q", a.Path, ct, cd)
			}
			continue
		}
		// Text, even when the report calls it text/html, is served as plain text.
		if ct != "text/plain; charset=utf-8" || !strings.Contains(body, "<script>window.__pwned=1</script>") {
			t.Errorf("text artifact %s: Content-Type %q, body %q", a.Path, ct, body)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("artifact %s served without nosniff", a.Path)
		}
	}
	resp, _ := get(t, f.srv.URL+"/blobs/"+rep.Artifacts[0].SHA256)
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
		t.Errorf("blob by digest: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

func TestBadges(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct{ path, want string }{
		{"/badge/alpha.svg", "tests-failed"},
		{"/badge/alpha/1.0.svg", "passed"},
		{"/badge/alpha/2.0.svg", "harmful"},
		{"/badge/evil-pkg.svg", "harmful"},
		{"/badge/nope.svg", "not analysed"},
	} {
		_, body := get(t, f.srv.URL+tc.path)
		if !strings.HasPrefix(body, "<svg") || !strings.Contains(body, ">"+tc.want+"</text>") {
			t.Errorf("%s = %s, want a badge saying %s", tc.path, body, tc.want)
		}
	}
}

func TestPagesShowWhatMatters(t *testing.T) {
	f := newFixture(t)
	tests := []struct {
		path string
		want []string
	}{
		{"/", []string{"Recent analyses", "running-pkg&gt;=2", "queued-pkg==1.0", ">harmful<", ">2<"}},
		{"/projects/alpha", []string{"4 releases analysed", "<svg", "Tests run", "Coverage (%)", "<polyline", "/compare", "2.1"}},
		{fmt.Sprintf("/reports/%d", f.alpha["1.1"]), []string{"tests-failed", "tests/test_core.py::test_case_001", "AssertionError: assert 1 == 2",
			`class="timeline"`, "Coverage:", "E501", "Packaging score", "build log"}},
		{fmt.Sprintf("/reports/%d", f.alpha["2.0"]), []string{"Network connection attempted", "AF_INET 203.0.113.7:443", "exfil.example.net", `class="alert"`, "POST http://exfil.example.net/u (decoded: &#34;secret=token&#34;)"}},
		{fmt.Sprintf("/compare?a=%d&b=%d", f.alpha["1.1"], f.alpha["2.0"]), []string{"203.0.113.7:443", "Fixed (2)", "New findings"}},
		{"/reports?verdict=harmful", []string{"evil-pkg", "alpha"}},
		{"/projects?q=ev", []string{"evil-pkg"}},
	}
	for _, tc := range tests {
		_, body := get(t, f.srv.URL+tc.path)
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s does not show %q", tc.path, w)
			}
		}
	}
	_, body := get(t, f.srv.URL+"/projects?q=ev")
	if strings.Contains(body, "/projects/alpha") {
		t.Errorf("search for ev lists alpha")
	}
}

func TestNewWithoutStore(t *testing.T) {
	if _, err := web.New(nil, nil, web.Options{}); err == nil {
		t.Error("New(nil store) succeeded")
	}
}

// TestOpenAPIListsEveryEndpoint keeps docs/api/openapi.yaml in step with the API's routes.
func TestOpenAPIListsEveryEndpoint(t *testing.T) {
	data, err := os.ReadFile("../../docs/api/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	for _, p := range []string{"/dashboard", "/projects", "/search", "/projects/{name}", "/projects/{name}/releases",
		"/reports", "/reports/{id}", "/compare", "/jobs", "/jobs/{id}"} {
		if !strings.Contains(doc, "\n  "+p+":\n") {
			t.Errorf("openapi.yaml does not document %s", p)
		}
	}
}

// TestReportPageSaysWhatTheBuildAndCoverageLeftOut: a build that fell back to pure Python and
// compiled modules coverage cannot measure are on the report page, as in the summary.
func TestReportPageSaysWhatTheBuildAndCoverageLeftOut(t *testing.T) {
	f := newFixture(t)
	rep := storetest.SampleReport("beta", "1.0", storetest.Options{Seed: 5, Tests: 3})
	rep.Results().Build.Fallback = "a compiler failed (beta/_speedups.c:1:2: error: broken), and the wheel is pure Python (beta-1.0-py3-none-any.whl): the package was built without its compiled extension"
	rep.Results().Tests.Coverage.CompiledUnmeasured = 5
	sum, err := store.ImportReport(t.Context(), f.st, rep, writeArtifacts(t, rep))
	if err != nil {
		t.Fatal(err)
	}
	_, body := get(t, fmt.Sprintf("%s/reports/%d", f.srv.URL, sum.ID))
	for _, w := range []string{`id="build-fallback"`, "the package was built without its compiled extension", "5 compiled extension modules, which coverage.py cannot measure, not counted"} {
		if !strings.Contains(body, w) {
			t.Errorf("the report page does not show %q", w)
		}
	}
}
