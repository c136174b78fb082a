package detectbench

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/report"
)

func TestParseReport(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      string
		want    Outcome
		wantErr string
	}{
		{
			name: "findings with evidence",
			in: `{"schema":"pyti.report/v1","verdict":"harmful","reason":"it read keys","findings":[
				{"source":"static","phase":"inspect","rule_id":"install-time-process","severity":"medium","title":"Runs programs",
				 "evidence":[{"kind":"source","detail":"os.popen(\"ls /\")","file":"setup.py","line":10}]},
				{"source":"behavior","phase":"build","rule_id":"credential-read","severity":"high","title":"Reads credentials",
				 "evidence":[{"kind":"open","detail":"/home/u/.ssh/id_rsa"}]}]}`,
			want: Outcome{Verdict: "harmful", Reason: "it read keys", Findings: []Finding{
				{RuleID: "install-time-process", Severity: "medium", Source: "static", Phase: "inspect", Title: "Runs programs", Evidence: `setup.py:10: os.popen("ls /")`},
				{RuleID: "credential-read", Severity: "high", Source: "behavior", Phase: "build", Title: "Reads credentials", Evidence: "/home/u/.ssh/id_rsa"},
			}},
		},
		{name: "no findings", in: `{"verdict":"passed","findings":[]}`, want: Outcome{Verdict: "passed"}},
		{name: "unknown fields are ignored", in: `{"verdict":"no-tests","new_field":{"x":1}}`, want: Outcome{Verdict: "no-tests"}},
		{name: "no verdict", in: `{"findings":[]}`, wantErr: "no verdict"},
		{name: "not JSON", in: `pyti: index unreachable`, wantErr: "reading the report"},
		{name: "empty", in: ``, wantErr: "reading the report"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseReport([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseReport (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOutcomeSeverities(t *testing.T) {
	o := Outcome{Findings: []Finding{
		{RuleID: "b", Severity: "low"},
		{RuleID: "a", Severity: "critical"},
		{RuleID: "b", Severity: "high"},
		{RuleID: "c", Severity: "info"},
		{RuleID: "d", Severity: "bogus"},
	}}
	for _, tc := range []struct {
		min  report.Severity
		want []string
	}{
		{"high", []string{"a", "b"}},
		{"medium", []string{"a", "b"}},
		{"low", []string{"a", "b", "b"}},
		{"info", []string{"a", "b", "b", "c"}},
	} {
		var got []string
		for _, f := range o.AtLeast(tc.min) {
			got = append(got, f.RuleID)
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("AtLeast(%s) (-want +got):\n%s", tc.min, diff)
		}
	}
	if got := o.MaxSeverity(); got != "critical" {
		t.Errorf("MaxSeverity = %q", got)
	}
	if diff := cmp.Diff([]string{"a (critical)", "b (high)", "c (info)", "d (bogus)"}, o.Rules()); diff != "" {
		t.Errorf("Rules (-want +got):\n%s", diff)
	}
	if got := (Outcome{}).MaxSeverity(); got != "" {
		t.Errorf("MaxSeverity of nothing = %q", got)
	}
}
