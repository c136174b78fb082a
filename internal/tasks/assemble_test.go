package tasks

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/report"
)

func TestMergeFindings(t *testing.T) {
	ev := func(d string) []report.Evidence { return []report.Evidence{{Kind: "file-read", Detail: d}} }
	in := []report.Finding{
		{Source: "behavior", Phase: "fetch", RuleID: "decoy", Evidence: ev("/home/pyti/.ssh/id_rsa"), Count: 1},
		{Source: "behavior", Phase: "fetch", RuleID: "decoy", Evidence: ev("/home/pyti/.aws/credentials"), Count: 1},
		{Source: "behavior", Phase: "fetch", RuleID: "decoy", Evidence: ev("/home/pyti/.ssh/id_rsa"), Count: 2},
		{Source: "behavior", Phase: "build", RuleID: "decoy", Evidence: ev("/home/pyti/.ssh/id_rsa"), Count: 1},
	}
	got := mergeFindings(in)
	want := []report.Finding{
		{Source: "behavior", Phase: "fetch", RuleID: "decoy", Evidence: ev("/home/pyti/.ssh/id_rsa"), Count: 3},
		{Source: "behavior", Phase: "fetch", RuleID: "decoy", Evidence: ev("/home/pyti/.aws/credentials"), Count: 1},
		{Source: "behavior", Phase: "build", RuleID: "decoy", Evidence: ev("/home/pyti/.ssh/id_rsa"), Count: 1},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("merged (-want +got):\n%s", d)
	}
}

func TestErrorLines(t *testing.T) {
	log := `running build_ext
x86_64-linux-gnu-gcc -Wall -Werror=format-security -fPIC -c csrc/broken.c -o build/broken.o
csrc/broken.c: In function 'add':
csrc/broken.c:7:5: error: 'y' undeclared (first use in this function)
error: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1
ERROR: Failed to build one or more wheels`
	want := []string{
		"csrc/broken.c:7:5: error: 'y' undeclared (first use in this function)",
		"error: command '/usr/bin/x86_64-linux-gnu-gcc' failed with exit code 1",
		"ERROR: Failed to build one or more wheels",
	}
	if d := cmp.Diff(want, errorLines(log, 10)); d != "" {
		t.Errorf("error lines (-want +got):\n%s", d)
	}
	for _, empty := range []string{"", "\n\n", "  \n"} {
		if got := errorLines(empty, 10); got != nil {
			t.Errorf("error lines of output %q: %q, want none", empty, got)
		}
	}
	if got := lastLine(log); got != want[0] {
		t.Errorf("main error %q, want the compiler's", got)
	}
	if got := lastLine("Traceback:\n  x\nModuleNotFoundError: No module named 'foo'\n"); got != "ModuleNotFoundError: No module named 'foo'" {
		t.Errorf("main error %q", got)
	}
}

// collecting is a job for one task's run over e, with what that run collects.
func collecting(e *jobEnv) (*job, *produced) {
	if e.refused == nil {
		e.refused = &refusedSet{}
	}
	p := &produced{}
	return &job{jobEnv: e, out: &collector{b: &board{}, into: p}}, p
}

// TestAssembleReport: the report is the tasks' outputs put in their places, a failed task's part
// included; the findings merged and the most severe first, the artifacts in order; a target's
// results in the report's own fields, or in its matrix cell.
func TestAssembleReport(t *testing.T) {
	high := report.Finding{Source: "behavior", Phase: "build", RuleID: "decoy-credential-read", Severity: report.SeverityHigh, Count: 1,
		Evidence: []report.Evidence{{Kind: "file-read", Detail: "/home/pyti/.ssh/id_rsa"}}}
	low := report.Finding{Source: "static", Phase: "inspect", RuleID: "empty-information", Severity: report.SeverityLow, Count: 1}
	medium := report.Finding{Source: "static", Phase: "unpack", RuleID: "archive-duplicate", Severity: report.SeverityMedium, Count: 1}
	art := func(task, name string) report.Artifact {
		return report.Artifact{Task: task, Name: name, Path: "raw/" + task + "/" + name}
	}
	meta := &report.Metadata{Name: "pkg", Version: "1.0", ProjectURLs: map[string]string{"Source": "https://example.org/pkg"}}
	failedBuild := &report.Build{Phase: report.Phase{Outcome: "exit", ExitCode: 1}, Frontend: "pip", ErrorLines: []string{"error: Python.h"}}
	one := []targetInfo{{Cell: -1, Image: "host", Python: "3.11.2"}}
	base := report.Report{Schema: report.Schema, ID: "job", Findings: []report.Finding{}, Artifacts: []report.Artifact{}}
	matrixBase := base
	matrixBase.Matrix = []report.Cell{{Image: report.ImageRef{Name: "a", Python: "3.11"}}, {Image: report.ImageRef{Name: "b", Python: "3.12"}}}
	tests := []struct {
		name    string
		base    report.Report
		targets []targetInfo
		outs    outputs
		want    report.Report
	}{
		{
			name: "one target: each task's part, a failed build's log, findings merged and ordered",
			base: base, targets: one,
			outs: outputs{
				Resolve: slot[resolved]{Out: resolved{Project: "pkg", Version: "1.0", Files: []report.File{{Filename: "pkg-1.0.tar.gz", Kind: "sdist", Chosen: true}}}},
				Unpack: slot[unpacked]{Out: unpacked{Metadata: meta, Named: true, Project: "Pkg", Version: "1.0.0", Problems: []report.Problem{{Field: "license", Severity: "warning", Message: "none"}}},
					produced: produced{Findings: []report.Finding{medium}, Artifacts: []report.Artifact{art("unpack", "inventory.json")}}},
				Inspect: slot[*report.Packaging]{Out: &report.Packaging{Score: 7, Max: 10}, produced: produced{Findings: []report.Finding{low}}},
				Targets: []targetOutputs{{
					Fetch: slot[fetched]{Out: fetched{Fetch: &report.Fetch{Phase: report.Phase{Outcome: "ok"}}},
						produced: produced{CodeRan: []string{"setup.py during fetch"}, Artifacts: []report.Artifact{art("fetch", "pip-download.stdout.txt")}}},
					Build: slot[built]{Out: built{Build: failedBuild},
						produced: produced{CodeRan: []string{"setup.py during build", "setup.py during fetch"}, Findings: []report.Finding{high, high},
							Artifacts: []report.Artifact{art("build", "pip-wheel.stdout.txt"), art("build", "pip-wheel.strace")},
							Hints:     []verdictHint{{Verdict: report.VerdictTimeout, Reason: "ignored here"}}}},
				}},
			},
			want: report.Report{Schema: report.Schema, ID: "job", Project: "pkg", Version: "1.0",
				Files:    []report.File{{Filename: "pkg-1.0.tar.gz", Kind: "sdist", Chosen: true}},
				Metadata: meta, Problems: []report.Problem{{Field: "license", Severity: "warning", Message: "none"}},
				Packaging: &report.Packaging{Score: 7, Max: 10},
				TargetResults: report.TargetResults{
					Fetch:   &report.Fetch{Phase: report.Phase{Outcome: "ok"}},
					Build:   failedBuild,
					CodeRan: []string{"setup.py during fetch", "setup.py during build"},
				},
				Findings: []report.Finding{
					func() report.Finding { f := high; f.Count, f.View = 2, report.ViewSeen; return f }(),
					func() report.Finding { f := medium; f.View = report.ViewRead; return f }(),
					func() report.Finding { f := low; f.View = report.ViewRead; return f }(),
				},
				Artifacts: []report.Artifact{art("build", "pip-wheel.stdout.txt"), art("build", "pip-wheel.strace"), art("fetch", "pip-download.stdout.txt"), art("unpack", "inventory.json")},
			},
		},
		{
			name: "a source directory is named by its metadata; the built wheel's metadata names what nothing else did",
			base: base, targets: one,
			outs: outputs{
				Unpack: slot[unpacked]{Out: unpacked{Tree: true}},
				Targets: []targetOutputs{{
					Build: slot[built]{Out: built{Build: &report.Build{Phase: report.Phase{Outcome: "ok"}, Wheel: "pkg-1.0-py3-none-any.whl"}, Wheel: Wheel{Metadata: meta}}},
				}},
			},
			want: report.Report{Schema: report.Schema, ID: "job", Project: "pkg", Version: "1.0", Metadata: meta,
				TargetResults: report.TargetResults{Build: &report.Build{Phase: report.Phase{Outcome: "ok"}, Wheel: "pkg-1.0-py3-none-any.whl"}},
				Findings:      []report.Finding{}, Artifacts: []report.Artifact{}},
		},
		{
			name: "a local source tree: its metadata's name wins over the directory's",
			base: base, targets: one,
			outs: outputs{
				Resolve: slot[resolved]{Out: resolved{Project: "checkout", Version: ""}},
				Unpack:  slot[unpacked]{Out: unpacked{Tree: true, Named: true, Project: "pkg", Version: "2.0"}},
			},
			want: report.Report{Schema: report.Schema, ID: "job", Project: "pkg", Version: "2.0", Findings: []report.Finding{}, Artifacts: []report.Artifact{}},
		},
		{
			name:    "a matrix: each target's results in its cell, none at the top until the verdict is decided",
			base:    matrixBase,
			targets: []targetInfo{{Cell: 0, Image: "a", Python: "3.11"}, {Cell: 1, Image: "b", Python: "3.12"}},
			outs: outputs{Targets: []targetOutputs{
				{Fetch: slot[fetched]{Out: fetched{Fetch: &report.Fetch{Phase: report.Phase{Outcome: "skipped", Reason: "not for 3.11"}}}}},
				{Build: slot[built]{Out: built{Build: failedBuild}, produced: produced{CodeRan: []string{"setup.py during build"}}}},
			}},
			want: report.Report{Schema: report.Schema, ID: "job", Findings: []report.Finding{}, Artifacts: []report.Artifact{},
				Matrix: []report.Cell{
					{Image: report.ImageRef{Name: "a", Python: "3.11"}, TargetResults: report.TargetResults{Fetch: &report.Fetch{Phase: report.Phase{Outcome: "skipped", Reason: "not for 3.11"}}}},
					{Image: report.ImageRef{Name: "b", Python: "3.12"}, TargetResults: report.TargetResults{Build: failedBuild, CodeRan: []string{"setup.py during build"}}},
				}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := cloneReport(t, tc.base)
			got := assembleReport(tc.base, tc.targets, tc.outs)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("report (-want +got)\n%s", d)
			}
			if d := cmp.Diff(before, tc.base); d != "" {
				t.Errorf("assembling changed the base report (-before +after)\n%s", d)
			}
		})
	}
}

// cloneReport is a deep copy of r (through JSON, as reports travel).
func cloneReport(t *testing.T, r report.Report) report.Report {
	t.Helper()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var c report.Report
	if err := json.Unmarshal(data, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestHintsOf: the hints are per target, a later task's reason replacing an earlier one's.
func TestHintsOf(t *testing.T) {
	outs := outputs{
		Resolve: slot[resolved]{produced: produced{Hints: []verdictHint{{Verdict: report.VerdictNotFound, Reason: "no such project"}}}},
		Targets: []targetOutputs{{
			Fetch:  slot[fetched]{produced: produced{Hints: []verdictHint{{Target: "a", Verdict: report.VerdictError, Reason: "bridge"}}}},
			Import: slot[*report.Import]{produced: produced{Hints: []verdictHint{{Target: "a", Verdict: report.VerdictError, Reason: "sandbox"}, {Target: "a", Verdict: report.VerdictTimeout, Reason: "import hangs"}}}},
		}},
	}
	want := map[string]map[report.Verdict]string{
		"":  {report.VerdictNotFound: "no such project"},
		"a": {report.VerdictError: "sandbox", report.VerdictTimeout: "import hangs"},
	}
	if d := cmp.Diff(want, hintsOf(outs)); d != "" {
		t.Errorf("hints (-want +got)\n%s", d)
	}
	if got := hintsOf(outputs{}); got != nil {
		t.Errorf("hints of nothing: %v", got)
	}
}
