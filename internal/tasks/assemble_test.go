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
