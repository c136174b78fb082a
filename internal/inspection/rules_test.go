package inspection

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

func python(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed")
	}
	return p
}

// Every rule's own examples: the rule fires (with the given severity) or does not.
func TestRuleExamples(t *testing.T) {
	py := python(t)
	rs := DefaultRules()
	for _, r := range rs.List() {
		for i, tc := range r.Tests {
			t.Run(r.ID, func(t *testing.T) {
				dir := t.TempDir()
				file := tc.File
				if file == "" {
					file = "pkg/__init__.py"
				}
				write(t, dir, map[string]string{file: tc.Code})
				_, _, facts, err := ScanLocal(context.Background(), py, dir, rs, DefaultLimits())
				if err != nil {
					t.Fatal(err)
				}
				var got *Finding
				for _, f := range evaluate(rs, facts, true) {
					if f.RuleID == r.ID {
						got = &f
						break
					}
				}
				if (got != nil) != tc.Fires {
					t.Errorf("example %d: fired = %v, want %v\n%s\nfacts: %+v", i, got != nil, tc.Fires, tc.Code, facts)
					return
				}
				if got != nil && tc.Severity != "" && got.Severity != tc.Severity {
					t.Errorf("example %d: severity %s, want %s", i, got.Severity, tc.Severity)
				}
			})
		}
	}
}

// Every rule that is reported has at least one example that fires, and each is well formed.
func TestRulesHaveExamples(t *testing.T) {
	for _, r := range DefaultRules().List() {
		if r.Fact == "metadata" || r.ID == "file-too-large" || r.Hidden && len(r.Tests) == 0 {
			continue
		}
		fires := false
		for _, tc := range r.Tests {
			fires = fires || tc.Fires
		}
		if !fires {
			t.Errorf("rule %s has no example that fires", r.ID)
		}
	}
}

func TestParseRulesRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"no id":            "[[rule]]\nseverity='high'\ntitle='t'\nmessage='m'\nfact='str'\n",
		"bad fact":         "[[rule]]\nid='a'\nseverity='high'\ntitle='t'\nmessage='m'\nfact='nope'\n",
		"bad regexp":       "[[rule]]\nid='a'\nseverity='high'\ntitle='t'\nmessage='m'\nfact='str'\npatterns=['(']\n",
		"unknown requires": "[[rule]]\nid='a'\nseverity='high'\ntitle='t'\nmessage='m'\nfact='str'\nrequires=['b']\n",
		"bad severity_in":  "[[rule]]\nid='a'\nseverity='high'\ntitle='t'\nmessage='m'\nfact='str'\nseverity_in={x='low'}\n",
		"duplicate":        "[[rule]]\nid='a'\nseverity='high'\ntitle='t'\nmessage='m'\nfact='str'\n[[rule]]\nid='a'\nseverity='high'\ntitle='t'\nmessage='m'\nfact='str'\n",
	} {
		if _, err := ParseRules([]byte(doc)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

var _ = os.Getenv
var _ = filepath.Join
