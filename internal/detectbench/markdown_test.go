package detectbench

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func testRun() Run {
	sample := func(name, loc, tech string) Target {
		return Target{Kind: KindSample, Name: name, SHA256: "s-" + name, Sample: &ManifestRow{Path: name, Location: loc, Technique: tech, Year: "2024"}}
	}
	benign := func(name string) Target {
		return Target{Kind: KindDebian, Name: name, SHA256: "b-" + name, Package: "python3-" + name}
	}
	res := func(t Target, verdict string, f ...Finding) Result {
		return Result{Kind: t.Kind, Name: t.Name, SHA256: t.SHA256, Outcome: Outcome{Verdict: verdict, Findings: f}}
	}
	high := Finding{RuleID: "exec-decoded", Severity: "high", Source: "static", Phase: "inspect"}
	med := Finding{RuleID: "install-time-process", Severity: "medium", Source: "static", Phase: "inspect"}
	crit := Finding{RuleID: "credential-read", Severity: "critical", Source: "behavior", Phase: "build", Evidence: "/home/u/.ssh/id_rsa"}
	s1, s2, s3, s4, s5 := sample("a.tar.gz", "setup.py", "process"), sample("b.tar.gz", "module", "process"),
		sample("c.tar.gz", "__init__.py", "dns"), sample("d.tar.gz", "none", "other"), sample("e.tar.gz", "setup.py", "dns")
	b1, b2, b3 := benign("six"), benign("keyring"), benign("idna")
	return Run{
		Started: "2026-12-03 09:00", Finished: "2026-12-03 10:00", PytiVersion: "v1",
		Samples: []Target{s1, s2, s3, s4, s5},
		Benign:  []Target{b1, b2, b3},
		Results: []Result{
			res(s1, "harmful", med, high),
			res(s2, "no-tests", med),
			{Kind: s3.Kind, Name: s3.Name, SHA256: s3.SHA256, Error: "time limit 15m0s reached", TimedOut: true},
			res(s4, "passed"),
			// s5 not run
			res(b1, "passed"),
			res(b2, "no-tests", crit, med),
			res(b3, "no-tests", Finding{RuleID: "x", Severity: "low"}),
		},
	}
}

func TestSummarise(t *testing.T) {
	got := Summarise(testRun())
	want := Summary{
		Payload:     Tally{N: 3, High: 1, Medium: 2, Any: 2},
		NoPayload:   Tally{N: 1},
		ByTechnique: map[string]Tally{"process": {N: 2, High: 1, Medium: 2, Any: 2}, "dns": {N: 1}},
		Benign:      3,
		FalseAlarms: []FalseAlarm{{Project: "keyring", Finding: Finding{RuleID: "credential-read", Severity: "critical", Source: "behavior", Phase: "build", Evidence: "/home/u/.ssh/id_rsa"}}},
		NoReport:    1,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Summarise (-want +got):\n%s", diff)
	}
}

func TestWriteMarkdown(t *testing.T) {
	var b strings.Builder
	if err := WriteMarkdown(&b, testRun()); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, want := range []string{
		"| recall at high or critical, samples with a payload | 1/3 = 33.3 % |",
		"| recall at any severity, samples with a payload | 2/3 = 66.7 % |",
		"| MANIFEST `none` rows (may carry no payload) at high or critical | 0/1 = 0.0 % |",
		"| false alarms: benign projects with a high or critical finding | 1 of 3 (1 findings) |",
		"Neither holds in this run.",
		"| process | 2 | 1/2 = 50.0 % | 2/2 = 100.0 % |",
		"| keyring | `credential-read` | critical | behavior / build | /home/u/.ssh/id_rsa |",
		"| a.tar.gz | 2024 | setup.py | process | harmful | high | exec-decoded (high), install-time-process (medium) |",
		"| c.tar.gz | 2024 | __init__.py | dns | no report (time limit 15m0s reached) | - | - |",
		"| e.tar.gz | 2024 | setup.py | dns | not run |  |  |",
		"| six | debian (python3-six) | passed | - | - |",
		"- samples analysed: 4 of 5; benign projects analysed: 3 of 3",
		"| harmful | 1 | 1 |\n| no report | 1 | 0 |\n| no-tests | 1 | 0 |\n| passed | 1 | 0 |\n",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("DETECTION.md lacks %q; it is:\n%s", want, md)
		}
	}
}
