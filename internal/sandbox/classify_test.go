package sandbox

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestClassify(t *testing.T) {
	lim := Limits{Wall: time.Second, NoOutput: time.Second, MemoryBytes: 256 << 20, Pids: 64, FileSizeBytes: 1 << 20}
	tests := []struct {
		name string
		f    runFacts
		want Outcome
	}{
		{"ok", runFacts{exitKnown: true}, OutcomeOK},
		{"exit", runFacts{exitKnown: true, code: 2}, OutcomeExit},
		{"signal", runFacts{exitKnown: true, code: 137, signal: 9}, OutcomeKilled},
		{"timeout", runFacts{timedOut: true}, OutcomeTimeout},
		{"CPU time used up", runFacts{cpuOut: true}, OutcomeTimeout},
		{"no output", runFacts{noOutput: true}, OutcomeNoOutputTimeout},
		{"oom beats timeout", runFacts{timedOut: true, oomKills: 1}, OutcomeOOM},
		{"oom even when the parent survived", runFacts{exitKnown: true, code: 1, oomKills: 2}, OutcomeOOM},
		{"tmpfs files fill the memory budget", runFacts{exitKnown: true, code: 137, signal: 9, oomKills: 1, shmem: 250 << 20}, OutcomeNoSpace},
		{"a memory hog with a few files", runFacts{exitKnown: true, code: 137, signal: 9, oomKills: 1, shmem: 20 << 20}, OutcomeOOM},
		{"tmpfs full without an oom kill", runFacts{exitKnown: true, shmem: 250 << 20}, OutcomeOK},
		{"pids beats timeout", runFacts{timedOut: true, pidsHit: true}, OutcomePids},
		{"pids with a clean exit", runFacts{exitKnown: true, pidsHit: true}, OutcomePids},
		{"full workspace", runFacts{exitKnown: true, code: 1, full: []string{"/work"}}, OutcomeNoSpace},
		{"SIGXFSZ", runFacts{exitKnown: true, code: 153, signal: 25}, OutcomeNoSpace},
		{"shell saw SIGXFSZ", runFacts{exitKnown: true, code: 153, fileSizeMsg: true}, OutcomeNoSpace},
		{"ENOSPC message and failure", runFacts{exitKnown: true, code: 1, noSpaceMsg: true}, OutcomeNoSpace},
		{"ENOSPC message but success", runFacts{exitKnown: true, noSpaceMsg: true}, OutcomeOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.f.limits = lim
			got, reason := classify(tc.f)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			if got != OutcomeOK && reason == "" {
				t.Errorf("no reason for %s", got)
			}
		})
	}
}

func TestMergeEnv(t *testing.T) {
	got := MergeEnv([]string{"A=1", "B=2"}, []string{"B=3", "C=4", "A=5"})
	if d := cmp.Diff([]string{"A=5", "B=3", "C=4"}, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestLimitsWithDefaults(t *testing.T) {
	d := DefaultLimits()
	set := Limits{Wall: time.Second, NoOutput: 2 * time.Second, MemoryBytes: 3, Pids: 4, FileSizeBytes: 5,
		OpenFiles: 6, TmpBytes: 7, OutputBytes: 8, TraceBytes: 9}
	withWall := d
	withWall.Wall = time.Second
	tests := []struct {
		name string
		in   Limits
		want Limits
	}{
		{"zero is every default", Limits{}, d},
		{"a set field is kept", Limits{Wall: time.Second}, withWall},
		{"negative is the default", Limits{Wall: -time.Second, Pids: -1, MemoryBytes: -1}, d},
		{"a complete set is kept as is", set, set},
		{"applying twice changes nothing", d.WithDefaults(), d},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.in.WithDefaults()
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			if err := got.Complete(); err != nil {
				t.Errorf("WithDefaults gave incomplete limits: %v", err)
			}
		})
	}
}

func TestLimitsComplete(t *testing.T) {
	noPids := DefaultLimits()
	noPids.Pids = 0
	negWall := DefaultLimits()
	negWall.Wall = -1
	tests := []struct {
		name string
		in   Limits
		want string // "" for complete
	}{
		{"defaults are complete", DefaultLimits(), ""},
		{"zero names every field", Limits{}, "sandbox infrastructure failure: limits not complete (no default applied): wall, no_output, memory_bytes, pids, file_size_bytes, open_files, tmp_bytes, output_bytes, trace_bytes"},
		{"one zero field", noPids, "sandbox infrastructure failure: limits not complete (no default applied): pids"},
		{"a negative field", negWall, "sandbox infrastructure failure: limits not complete (no default applied): wall"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ""
			if err := tc.in.Complete(); err != nil {
				got = err.Error()
				if !errors.Is(err, ErrInfrastructure) {
					t.Errorf("%v is not ErrInfrastructure", err)
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
