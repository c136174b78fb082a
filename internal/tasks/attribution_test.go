package tasks

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
)

// TestForkedPayloadsAttributed analyses pyti-example-forker, whose code connects out from its
// main process, a thread, a child forked without exec and a double-forked daemon, each to its own
// port, whenever it runs: each of the four is a finding, at build (setup.py), import and test
// time, with evidence naming its own process.
func TestForkedPayloadsAttributed(t *testing.T) {
	t.Parallel()
	rep := analyze(t, "pyti-example-forker")
	if rep.Verdict != report.VerdictHarmful {
		t.Errorf("verdict %s (%s), want harmful", rep.Verdict, rep.Reason)
	}
	type seen struct {
		PID     int
		Program string
	}
	got := map[string]map[int]seen{} // phase -> port -> the process
	for _, f := range rep.Findings {
		if f.Source != "behavior" || (f.RuleID != "network-attempt" && f.RuleID != "network-attempt-test") {
			continue
		}
		for _, e := range f.Evidence {
			for port := 9001; port <= 9004; port++ {
				if e.Detail != fmt.Sprintf("203.0.113.9:%d", port) {
					continue
				}
				if got[f.Phase] == nil {
					got[f.Phase] = map[int]seen{}
				}
				got[f.Phase][port] = seen{PID: e.PID, Program: e.Program}
			}
		}
	}
	for _, phase := range []string{"build", "import", "test"} {
		pids := map[int]bool{}
		for port := 9001; port <= 9004; port++ {
			s, ok := got[phase][port]
			if !ok {
				t.Errorf("%s: no finding for the connect to port %d", phase, port)
				continue
			}
			if s.PID == 0 || s.Program == "" {
				t.Errorf("%s: the evidence for port %d does not name its process: %+v", phase, port, s)
			}
			pids[s.PID] = true
		}
		if len(got[phase]) == 4 && len(pids) != 4 {
			t.Errorf("%s: four connects from %d processes, want four: %+v", phase, len(pids), got[phase])
		}
	}
}

// randomName matches the random part of a temporary name made by Python's tempfile.
var randomName = regexp.MustCompile(`\b(tmp|pip-[a-z-]+-)[a-z0-9_]{8}\b`)

// TestSameBehaviourTwice analyses one example twice: the behaviour summaries of every phase are
// the same (times and pids aside), the sandbox's own processes being none of the package's.
func TestSameBehaviourTwice(t *testing.T) {
	t.Parallel()
	summary := func(rep *report.Report) map[string]report.Behavior {
		out := map[string]report.Behavior{}
		phases := map[string]*report.Phase{}
		if rep.Results().Fetch != nil {
			phases["fetch"] = &rep.Results().Fetch.Phase
		}
		if rep.Results().Build != nil {
			phases["build"] = &rep.Results().Build.Phase
		}
		if rep.Results().Install != nil {
			phases["install"] = &rep.Results().Install.Phase
		}
		if rep.Results().Import != nil {
			phases["import"] = &rep.Results().Import.Phase
		}
		if rep.Results().Tests != nil {
			phases["test"] = &rep.Results().Tests.Phase
		}
		for name, ph := range phases {
			if ph != nil && ph.Behavior != nil {
				b := *ph.Behavior
				// The number of events varies with timing (polls, retries); what was done does not.
				// Temporary names are random, and the commands of a shell pipeline start in any
				// order.
				b.Events, b.EventsDropped = 0, 0
				b.Executed = append([]string(nil), b.Executed...)
				for i, c := range b.Executed {
					b.Executed[i] = randomName.ReplaceAllString(c, "${1}XXXXXXXX")
				}
				sort.Strings(b.Executed)
				if name == "fetch" {
					// The fetch reads PYTI's download cache, shared by the analyses of this file:
					// warm for the second one.
					b.FilesRead = 0
				}
				out[name] = b
			}
		}
		return out
	}
	first := summary(analyze(t, "pyti-example-pure"))
	second := summary(analyze(t, "pyti-example-pure"))
	if len(first) == 0 {
		t.Fatal("no behaviour summary in the report")
	}
	if d := cmp.Diff(first, second); d != "" {
		t.Errorf("two analyses of one package behave differently (-first +second):\n%s", d)
	}
	for name, b := range first {
		for _, c := range b.Executed {
			if strings.Contains(c, "bwrap") || strings.Contains(c, sandbox.InitPath) {
				t.Errorf("%s: the package's commands hold the sandbox's own %q", name, c)
			}
		}
	}
}
