package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/storetest"
	"github.com/pyti/pyti/internal/web"
)

// Hostile strings of the matrix report: in the trixie cell's reason and one of its test ids.
const (
	hostileReason = `3 of 4 tests failed <script>window.__pwned=1</script>`
	hostileTest   = `tests/test_m.py::test_"><img src=x onerror="window.__pwned=1">`
)

const trixieID = "sha256:7f3a9c0e21b4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e"

// matrixReport is a matrix report of gamma 3.0 on three images: the host passes, trixie fails
// tests (one named with an injection) and a module import, and py27 does not apply.
func matrixReport() *report.Report {
	rep := storetest.SampleReport("gamma", "3.0", storetest.Options{Seed: 30, Tests: 4})
	host := rep.TargetResults
	host.Tests.Results.Cases = []report.TestCase{
		{NodeID: "tests/test_m.py::test_add", Outcome: report.TestPassed},
		{NodeID: "tests/test_m.py::test_distutils", Outcome: report.TestPassed},
		{NodeID: hostileTest, Outcome: report.TestPassed},
		{NodeID: "tests/test_m.py::test_host_only", Outcome: report.TestPassed},
	}
	host.Tests.Results.Counts = report.TestCounts{Passed: 4}
	host.Import.Modules = []report.Module{{Name: "gamma", OK: true}, {Name: "gamma_compat", OK: true}}

	trixie := report.TargetResults{
		Fetch:   &report.Fetch{Phase: report.Phase{Outcome: "ok", WallMS: 1500}},
		Build:   &report.Build{Phase: report.Phase{Outcome: "ok", WallMS: 4000}, Wheel: "gamma-3.0-py3-none-any.whl"},
		Install: &report.Install{Phase: report.Phase{Outcome: "ok", WallMS: 3000, Behavior: &report.Behavior{Events: 900, NetworkAttempts: []string{"198.51.100.9:80"}}}},
		Import: &report.Import{Phase: report.Phase{Outcome: "failed", WallMS: 500}, Modules: []report.Module{{Name: "gamma", OK: true},
			{Name: "gamma_compat", Error: "ModuleNotFoundError: No module named 'distutils'", Missing: "distutils"}}},
		Tests: &report.Tests{Phase: report.Phase{Outcome: "failed", WallMS: 7000}, Runner: "pytest", Found: "tests/ (pytest)",
			Results: &report.TestRun{Complete: true, ExitStatus: 1, Counts: report.TestCounts{Passed: 1, Failed: 2, Errors: 1},
				Cases: []report.TestCase{
					{NodeID: "tests/test_m.py::test_add", Outcome: report.TestPassed},
					{NodeID: "tests/test_m.py::test_distutils", Outcome: report.TestError, Message: "ModuleNotFoundError: No module named 'distutils'"},
					{NodeID: hostileTest, Outcome: report.TestFailed, Message: "AssertionError <script>window.__pwned=1</script>"},
					{NodeID: "tests/test_m.py::test_new_py", Outcome: report.TestFailed, Message: "assert 3 == 4"},
				}}},
	}
	rep.Matrix = []report.Cell{
		{Image: report.ImageRef{Name: "host", Python: "3.11.2", OS: "Debian GNU/Linux 12 (bookworm)"}, Verdict: report.VerdictPassed,
			Reason: "built, installed, imported; all 4 tests passed", TargetResults: host},
		{Image: report.ImageRef{Name: "trixie", ID: trixieID, Release: "trixie", Python: "3.13.5", OS: "Debian GNU/Linux 13 (trixie)"},
			Verdict: report.VerdictTestsFailed, Reason: hostileReason + "\nand a second line", TargetResults: trixie},
		{Image: report.ImageRef{Name: "py27", ID: "sha256:0000aaaa1111bbbb2222", Python: "2.7.18", OS: "Debian GNU/Linux 10 (buster)"},
			Verdict: report.VerdictNotApplicable, Reason: "Requires-Python >=3.8 excludes Python 2.7.18"},
	}
	rep.TargetResults = report.TargetResults{} // pyti.report/v2: the results are in the cells only
	rep.Verdict, rep.Reason = report.VerdictTestsFailed, "worst over 3 images: tests-failed on trixie"
	// The run: shared tasks once, per-environment tasks once per applicable image.
	var tasks []report.TaskRecord
	perEnv := map[string]bool{"fetch": true, "build": true, "install": true, "import": true, "test": true}
	for _, t := range rep.Run.Tasks {
		if !perEnv[t.Name] {
			tasks = append(tasks, t)
			continue
		}
		for _, img := range []string{"host", "trixie"} {
			c := t
			c.Name = t.Name + "@" + img
			switch {
			case img == "trixie" && t.Name == "import":
				c.Status, c.Reason = report.StatusFailed, "gamma_compat does not import"
			case img == "trixie" && t.Name == "test":
				c.Status, c.Reason = report.StatusFailed, "3 of 4 tests failed"
			}
			tasks = append(tasks, c)
		}
	}
	rep.Run.Tasks = tasks
	rep.Findings = append(rep.Findings, report.Finding{Source: "behavior", Phase: "install", Image: "trixie", RuleID: "network-attempt",
		Severity: report.SeverityMedium, Title: "Network connection attempted", Message: "pid 7 tried to reach 198.51.100.9:80", Count: 1,
		Evidence: []report.Evidence{{Kind: "connect", PID: 7, Syscall: "connect", Detail: "AF_INET 198.51.100.9:80", Result: "-1 ENETUNREACH"}}})
	rep.Environment.Image = "host"
	return rep
}

// addMatrix stores the matrix report in the fixture's store and returns its id.
func addMatrix(t *testing.T, f *fixture) int64 {
	t.Helper()
	rep := matrixReport()
	sum, err := store.ImportReport(t.Context(), f.st, rep, writeArtifacts(t, rep))
	if err != nil {
		t.Fatal(err)
	}
	return sum.ID
}

func cellCompareURL(f *fixture, api bool, id int64, a, b string) string {
	p := "/compare?"
	if api {
		p = "/api/v1/compare?"
	}
	return f.srv.URL + p + url.Values{"report": {fmt.Sprint(id)}, "a": {a}, "b": {b}}.Encode()
}

func TestMatrixReportPage(t *testing.T) {
	f := newFixture(t)
	id := addMatrix(t, f)
	_, body := get(t, fmt.Sprintf("%s/reports/%d", f.srv.URL, id))
	for _, want := range []string{
		`id="matrix"`, "Environments", `href="#cell-0"`, `href="#cell-1"`, `href="#cell-2"`,
		"3.13.5", ">7f3a9c0e21b4<", // Python version and short image ID in the table
		"4 passed, 0 failed", "1 passed, 2 failed, 1 error", // the tests column
		"not-applicable", "Requires-Python &gt;=3.8 excludes Python 2.7.18",
		// the cell reason: escaped, first line only
		`3 of 4 tests failed &lt;script&gt;window.__pwned=1&lt;/script&gt;…`,
		// per-image sections rendered by the shared partial
		`id="cell-1"`, `id="cell-1-tests"`, `id="cell-1-behaviour"`, `id="cell-0-tests"`, "Tests on <code>trixie</code>",
		"No module named &#39;distutils&#39;",
		// the image comparison
		"/compare?a=host&amp;b=trixie&amp;report=" + fmt.Sprint(id), "Compare images",
		// the finding says which image showed it
		`on <code class="fimage">trixie</code>`,
		// the environment block
		"image <code>host</code>",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the matrix report page does not show %q", want)
		}
	}
	for _, raw := range []string{"<script>window.__pwned", "<img src=x"} {
		if strings.Contains(body, raw) {
			t.Errorf("the matrix report page contains %q unescaped", raw)
		}
	}
	// The failing test of trixie shows in trixie's section, not in the host's.
	host := body[strings.Index(body, `id="cell-0"`):strings.Index(body, `id="cell-1"`)]
	if strings.Contains(host, "test_new_py") {
		t.Errorf("the host's section lists trixie's failing test")
	}
	if n := strings.Count(body, `id="tests"`); n != 0 {
		t.Errorf("a matrix report repeats the first cell's tests at the top level (%d sections)", n)
	}
	// The single-environment report keeps its sections where they were.
	_, single := get(t, fmt.Sprintf("%s/reports/%d", f.srv.URL, f.alpha["1.1"]))
	for _, want := range []string{`id="tests"`, `id="behaviour"`} {
		if !strings.Contains(single, want) {
			t.Errorf("a one-environment report lost %s", want)
		}
	}
	if strings.Contains(single, `id="matrix"`) {
		t.Errorf("a one-environment report shows a matrix")
	}
}

func TestMatrixAPI(t *testing.T) {
	f := newFixture(t)
	id := addMatrix(t, f)
	var rv struct {
		Report report.Report    `json:"report"`
		Matrix []web.MatrixCell `json:"matrix"`
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/reports/%d", f.srv.URL, id), &rv)
	if len(rv.Report.Matrix) != 3 || rv.Report.Matrix[1].Image.ID != trixieID {
		t.Fatalf("the report's matrix = %+v", rv.Report.Matrix)
	}
	var rows []string
	for _, c := range rv.Matrix {
		row := c.Image.Name + ":" + string(c.Verdict)
		for _, s := range c.Steps {
			row += " " + s.Task + "=" + s.Status
		}
		rows = append(rows, row)
	}
	want := []string{
		"host:passed fetch@host=ok build@host=ok install@host=ok import@host=ok test@host=ok",
		"trixie:tests-failed fetch@trixie=ok build@trixie=ok install@trixie=ok import@trixie=failed test@trixie=failed",
		"py27:not-applicable fetch@py27= build@py27= install@py27= import@py27= test@py27=",
	}
	if diff := cmp.Diff(want, rows); diff != "" {
		t.Errorf("matrix rows (-want +got):\n%s", diff)
	}
	var failingOnTrixie []string
	for _, c := range rv.Matrix[1].Detail.Failing {
		failingOnTrixie = append(failingOnTrixie, c.NodeID)
	}
	if diff := cmp.Diff([]string{"tests/test_m.py::test_distutils", hostileTest, "tests/test_m.py::test_new_py"}, failingOnTrixie); diff != "" {
		t.Errorf("trixie's failing tests (-want +got):\n%s", diff)
	}
	// The trixie finding belongs to trixie's install phase only.
	for i, c := range rv.Matrix {
		n := 0
		for _, p := range c.Detail.Phases {
			n += len(p.Findings)
		}
		if want := map[int]int{1: 1}[i]; n != want {
			t.Errorf("cell %s has %d findings in its phases, want %d", c.Image.Name, n, want)
		}
	}

	var c web.CellComparison
	getJSON(t, cellCompareURL(f, true, id, "host", "trixie"), &c)
	if c.A.Verdict != report.VerdictPassed || c.B.Verdict != report.VerdictTestsFailed || c.B.Image.Python != "3.13.5" {
		t.Errorf("sides: %+v / %+v", c.A, c.B)
	}
	var ids []string
	for _, d := range c.FailOnlyOnB {
		ids = append(ids, d.NodeID+"="+string(d.B))
	}
	if diff := cmp.Diff([]string{hostileTest + "=failed", "tests/test_m.py::test_distutils=error"}, ids); diff != "" {
		t.Errorf("tests passing on host, failing on trixie (-want +got):\n%s", diff)
	}
	if len(c.OnlyOnA) != 1 || c.OnlyOnA[0].NodeID != "tests/test_m.py::test_host_only" || len(c.OnlyOnB) != 1 || c.OnlyOnB[0].NodeID != "tests/test_m.py::test_new_py" {
		t.Errorf("tests on one side only: %+v / %+v", c.OnlyOnA, c.OnlyOnB)
	}
	if len(c.Imports) != 1 || c.Imports[0].Name != "gamma_compat" || c.Imports[0].B == nil || c.Imports[0].B.Missing != "distutils" {
		t.Errorf("imports that differ: %+v", c.Imports)
	}
	if c.Same || !c.Steps[3].Differs || c.Steps[1].Differs {
		t.Errorf("steps: %+v", c.Steps)
	}
	if diff := cmp.Diff([]string{"host", "trixie", "py27"}, c.Images); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}

	// Comparing an image with itself finds nothing.
	getJSON(t, cellCompareURL(f, true, id, "trixie", "trixie"), &c)
	if !c.Same {
		t.Errorf("trixie against itself differs: %+v", c.CellDiff)
	}
}

func TestCellCompareErrors(t *testing.T) {
	f := newFixture(t)
	id := addMatrix(t, f)
	for _, tc := range []struct {
		url    string
		status int
	}{
		{cellCompareURL(f, false, id, "host", "trixie"), 200},
		{cellCompareURL(f, true, id, "host", "nope"), 404},
		{cellCompareURL(f, false, id, "nope", "trixie"), 404},
		{cellCompareURL(f, true, id, "host", ""), 400},
		{cellCompareURL(f, true, f.alpha["1.0"], "host", "trixie"), 400}, // not a matrix report
		{cellCompareURL(f, true, 999999, "host", "trixie"), 404},
		{f.srv.URL + "/api/v1/compare?report=abc&a=host&b=trixie", 400},
	} {
		resp, body := get(t, tc.url)
		if resp.StatusCode != tc.status {
			t.Errorf("%s: status %d, want %d; body %.300s", tc.url, resp.StatusCode, tc.status, body)
		}
	}
	_, body := get(t, cellCompareURL(f, false, id, "host", "trixie"))
	for _, want := range []string{"Pass on <code>host</code>, fail on <code>trixie</code> (2)", "tests/test_m.py::test_distutils",
		"Run only on <code>trixie</code> (1)", "gamma_compat", `class="differs"`, "Compare other images"} {
		if !strings.Contains(body, want) {
			t.Errorf("the image comparison does not show %q", want)
		}
	}
	for _, raw := range []string{"<script>window.__pwned", "<img src=x"} {
		if strings.Contains(body, raw) {
			t.Errorf("the image comparison contains %q unescaped", raw)
		}
	}
}

func TestProjectShowsCellVerdicts(t *testing.T) {
	f := newFixture(t)
	addMatrix(t, f)
	_, body := get(t, f.srv.URL+"/projects/gamma")
	for _, want := range []string{`<span class="cellname">host</span>: <span class="v-good cellverdict">passed</span>`,
		`<span class="cellname">trixie</span>: <span class="v-warn cellverdict">tests-failed</span>`, "not-applicable"} {
		if !strings.Contains(body, want) {
			t.Errorf("the project page does not show %q", want)
		}
	}
	_, alpha := get(t, f.srv.URL+"/projects/alpha")
	if strings.Contains(alpha, `class="cells"`) {
		t.Errorf("the project page shows image verdicts for one-environment reports")
	}
	var pv struct {
		Releases []web.ReleaseView `json:"releases"`
	}
	getJSON(t, f.srv.URL+"/api/v1/projects/gamma", &pv)
	want := []web.CellVerdict{{Image: "host", Verdict: report.VerdictPassed}, {Image: "trixie", Verdict: report.VerdictTestsFailed},
		{Image: "py27", Verdict: report.VerdictNotApplicable}}
	if len(pv.Releases) != 1 {
		t.Fatalf("releases = %+v", pv.Releases)
	}
	if diff := cmp.Diff(want, pv.Releases[0].Cells); diff != "" {
		t.Errorf("the release's cells (-want +got):\n%s", diff)
	}
}
