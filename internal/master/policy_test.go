package master_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/store"
)

// TestIndexPolicy: a job names no index (the workers' own) or exactly one the operator listed;
// everything else is refused, naming the rule, before anything is dialled.
func TestIndexPolicy(t *testing.T) {
	p, err := master.NewIndexPolicy([]string{"http://127.0.0.1:3141/root/pypi/+simple/", "https://Mirror.Example.com/simple"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		job       store.NewJob
		wantRule  string
		forbidden bool
	}{
		{name: "the workers' own index", job: store.NewJob{Spec: "requests==2.31.0"}},
		{name: "a listed index", job: store.NewJob{Spec: "requests", Index: "http://127.0.0.1:3141/root/pypi/+simple/"}},
		{name: "a listed index, host case and no final slash", job: store.NewJob{Spec: "requests", Index: "https://mirror.example.com/simple"}},
		{name: "another port of the listed host", job: store.NewJob{Spec: "requests", Index: "http://127.0.0.1:3142/root/pypi/+simple/"},
			wantRule: master.RuleIndexNotAllow, forbidden: true},
		{name: "another path of the listed host", job: store.NewJob{Spec: "requests", Index: "http://127.0.0.1:3141/other/"},
			wantRule: master.RuleIndexNotAllow, forbidden: true},
		{name: "cloud metadata", job: store.NewJob{Spec: "requests", Index: "http://169.254.169.254/latest/meta-data/"},
			wantRule: master.RuleIndexNotAllow, forbidden: true},
		{name: "a private range", job: store.NewJob{Spec: "requests", Index: "http://10.0.0.5/simple/"},
			wantRule: master.RuleIndexNotAllow, forbidden: true},
		{name: "public but not listed", job: store.NewJob{Spec: "requests", Index: "https://pypi.org/simple/"},
			wantRule: master.RuleIndexNotAllow, forbidden: true},
		{name: "file URL", job: store.NewJob{Spec: "requests", Index: "file:///etc/"}, wantRule: master.RuleIndexURL},
		{name: "javascript URL", job: store.NewJob{Spec: "requests", Index: "javascript:alert(1)"}, wantRule: master.RuleIndexURL},
		{name: "not a URL", job: store.NewJob{Spec: "requests", Index: "not a url"}, wantRule: master.RuleIndexURL},
		{name: "relative", job: store.NewJob{Spec: "requests", Index: "/simple/"}, wantRule: master.RuleIndexURL},
		{name: "credentials in the URL", job: store.NewJob{Spec: "requests", Index: "http://u:p@127.0.0.1:3141/root/pypi/+simple/"},
			wantRule: master.RuleIndexURL},
		{name: "a query", job: store.NewJob{Spec: "requests", Index: "http://127.0.0.1:3141/root/pypi/+simple/?x=1"}, wantRule: master.RuleIndexURL},
		{name: "an index of 1 MB", job: store.NewJob{Spec: "requests", Index: "http://a/" + strings.Repeat("a", 1<<20)},
			wantRule: master.RuleIndexTooLong},
		{name: "a spec of 1 MB", job: store.NewJob{Spec: "requests" + strings.Repeat(" ", 1<<20)}, wantRule: master.RuleSpecTooLong},
		{name: "a direct URL", job: store.NewJob{Spec: "requests @ http://127.0.0.1:9/x.whl"}, wantRule: master.RuleSpec},
		{name: "not a requirement", job: store.NewJob{Spec: "../../etc/passwd"}, wantRule: master.RuleSpec},
		{name: "an empty spec", job: store.NewJob{Spec: ""}, wantRule: master.RuleSpec},
		{name: "too many images", job: store.NewJob{Spec: "requests", Images: strings.Split(strings.Repeat("host,", 17)+"x", ",")},
			wantRule: master.RuleImages},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := p.CheckJob(tc.job)
			var pe *master.PolicyError
			type got struct {
				Rule      string
				Forbidden bool
			}
			var g got
			if errors.As(err, &pe) {
				g = got{pe.Rule, pe.Forbidden}
			} else if err != nil {
				t.Fatalf("err = %v, not a PolicyError", err)
			}
			if diff := cmp.Diff(got{tc.wantRule, tc.forbidden}, g); diff != "" {
				t.Errorf("rule (-want +got):\n%s\nerr: %v", diff, err)
			}
			if err != nil && !errors.Is(err, store.ErrInvalid) {
				t.Errorf("a refusal is not store.ErrInvalid: %v", err)
			}
			if err != nil && len(err.Error()) > 1000 {
				t.Errorf("the refusal is %d bytes long", len(err.Error()))
			}
		})
	}
}

// TestNoIndexAllowedByDefault: without a list, a job can name no index at all, and the refusal
// says how the operator allows one.
func TestNoIndexAllowedByDefault(t *testing.T) {
	p, err := master.NewIndexPolicy(nil)
	if err != nil {
		t.Fatal(err)
	}
	err = p.CheckJob(store.NewJob{Spec: "requests", Index: "http://127.0.0.1:3141/simple/"})
	if err == nil || !strings.Contains(err.Error(), "--job-index") {
		t.Errorf("err = %v, want a refusal naming --job-index", err)
	}
	if _, err := master.NewIndexPolicy([]string{"file:///srv/index"}); err == nil {
		t.Error("the operator could allow a file URL")
	}
}
