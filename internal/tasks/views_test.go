package tasks

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/behavior"
	"github.com/pyti/pyti/internal/inspection"
	"github.com/pyti/pyti/internal/report"
)

func TestMarkViews(t *testing.T) {
	seenAs := byRule(map[string][]string{"exec-decoded": {"network-attempt"}, "raw-ip-url": {"network-attempt"}, "clipboard-access": {"clipboard"}})
	tests := []struct {
		name string
		in   []report.Finding
		want []string
	}{
		{"static alone is read", []report.Finding{{Source: "static", RuleID: "exec-decoded"}}, []string{"read"}},
		{"behaviour alone is seen", []report.Finding{{Source: "behavior", RuleID: "network-attempt"}}, []string{"seen"}},
		{"predicted and seen is both, on both sides",
			[]report.Finding{{Source: "static", RuleID: "exec-decoded"}, {Source: "behavior", RuleID: "network-attempt"}, {Source: "behavior", RuleID: "shell-command"}},
			[]string{"both", "both", "seen"}},
		{"a behaviour no static rule predicts leaves the static one read",
			[]report.Finding{{Source: "static", RuleID: "clipboard-access"}, {Source: "behavior", RuleID: "network-attempt"}},
			[]string{"read", "seen"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, f := range markViews(tc.in, seenAs) {
				got = append(got, f.View)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("views (-want +got):\n%s", d)
			}
		})
	}
}

// Every behaviour rule a static rule names as its confirmation exists.
func TestSeenAsNamesBehaviourRules(t *testing.T) {
	rules, err := behaviorRuleIDs()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range inspectionRules() {
		for _, b := range r.SeenAs {
			if !rules[b] {
				t.Errorf("static rule %s names unknown behaviour rule %s", r.ID, b)
			}
		}
	}
}

func behaviorRuleIDs() (map[string]bool, error) {
	rs, err := behavior.DefaultRules()
	if err != nil {
		return nil, err
	}
	// The sinkhole's rules are fixed in code, beside the rules.toml ones.
	ids := map[string]bool{behavior.RuleSinkholeRequest: true, behavior.RuleSinkholeIndex: true, behavior.RuleSinkholeRequestTest: true,
		behavior.RuleSinkholeExfiltration: true, behavior.RuleSinkholeCredentials: true, behavior.RuleDNSData: true}
	for _, r := range rs {
		ids[r.ID] = true
	}
	return ids, nil
}

func inspectionRules() []*inspection.Rule { return inspection.DefaultRules().List() }
