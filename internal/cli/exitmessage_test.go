package cli

import (
	"strings"
	"testing"
)

// TestExitMessage: with --json there is no verdict above to point to.
func TestExitMessage(t *testing.T) {
	for _, tc := range []struct {
		code           int
		json           bool
		want, wantNone string
	}{
		{ExitPackageFailed, false, "see the verdict above", ""},
		{ExitPackageFailed, true, "on stdout", "above"},
		{ExitFindings, true, "--fail-on", "above"},
	} {
		got := exitMessage(tc.code, tc.json)
		if !strings.Contains(got, tc.want) || (tc.wantNone != "" && strings.Contains(got, tc.wantNone)) {
			t.Errorf("exitMessage(%d, json=%v) = %q, want it to say %q and not %q", tc.code, tc.json, got, tc.want, tc.wantNone)
		}
	}
}
