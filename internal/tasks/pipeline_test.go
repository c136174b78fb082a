package tasks

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/sandbox"
)

// TestStepLimits: a step's wall limit is its own; a quiet one (pylint, which may print nothing
// for minutes on a large package) is ended by that limit alone, not by the no-output one.
func TestStepLimits(t *testing.T) {
	o := Options{Limits: sandbox.Limits{NoOutput: 5 * time.Minute, Pids: 1024}}
	for _, tc := range []struct {
		name      string
		wall, cpu time.Duration
		quiet     bool
		want      sandbox.Limits
	}{
		{"a step", 20 * time.Minute, 0, false, sandbox.Limits{Wall: 20 * time.Minute, NoOutput: 5 * time.Minute, Pids: 1024}},
		{"a quiet step", 10 * time.Minute, 0, true, sandbox.Limits{Wall: 10 * time.Minute, NoOutput: 10 * time.Minute, Pids: 1024}},
		{"a quiet step without a wall limit keeps the no-output one", 0, 0, true, sandbox.Limits{NoOutput: 5 * time.Minute, Pids: 1024}},
		{"a linter: CPU time, and thrice it on the wall clock", 30 * time.Minute, 10 * time.Minute, true,
			sandbox.Limits{Wall: 30 * time.Minute, CPU: 10 * time.Minute, NoOutput: 30 * time.Minute, Pids: 1024}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, o.stepLimits(tc.wall, tc.cpu, tc.quiet)); d != "" {
				t.Errorf("limits (-want +got)\n%s", d)
			}
		})
	}
}
