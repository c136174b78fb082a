package tasks

import (
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
