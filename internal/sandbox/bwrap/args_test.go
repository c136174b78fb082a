package bwrap_test

import (
	"errors"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

// TestArgsLimits checks that Args reads the limits as given: Run is the one place that applies
// their defaults (sandbox.Backend), so Args refuses incomplete limits rather than filling them
// in a second time.
func TestArgsLimits(t *testing.T) {
	withTmp := func(n int64) sandbox.Limits {
		l := sandbox.DefaultLimits()
		l.TmpBytes = n
		return l
	}
	noFiles := sandbox.DefaultLimits()
	noFiles.OpenFiles = 0
	tests := []struct {
		name    string
		limits  sandbox.Limits
		wantErr string // the fields named as missing; "" for no error
		// wantTmp is the size of /tmp and of HOME in the arguments.
		wantTmp int64
	}{
		{name: "zero limits are refused, not defaulted", limits: sandbox.Limits{},
			wantErr: "bwrap: sandbox infrastructure failure: limits not complete (no default applied): wall, no_output, memory_bytes, pids, file_size_bytes, open_files, tmp_bytes, output_bytes, trace_bytes"},
		{name: "one missing field is refused", limits: noFiles,
			wantErr: "bwrap: sandbox infrastructure failure: limits not complete (no default applied): open_files"},
		{name: "the defaults as Run completes them", limits: sandbox.Limits{}.WithDefaults(), wantTmp: sandbox.DefaultLimits().TmpBytes},
		{name: "a set limit is used as given", limits: withTmp(1 << 20), wantTmp: 1 << 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := bwrap.Args(sandbox.Spec{Argv: []string{"/bin/true"}, Limits: tc.limits}, t.TempDir())
			if tc.wantErr != "" {
				if err == nil {
					t.Fatalf("no error for incomplete limits; args %q", a)
				}
				if d := cmp.Diff(tc.wantErr, err.Error()); d != "" {
					t.Errorf("error (-want +got)\n%s", d)
				}
				if !errors.Is(err, sandbox.ErrInfrastructure) {
					t.Errorf("error %v is not sandbox.ErrInfrastructure", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string // the tmpfs each --size applies to, with its size
			for i := range a {
				if a[i] == "--size" && i+4 < len(a) && a[i+4] == "--tmpfs" {
					got = append(got, a[i+5]+"="+a[i+1])
				}
			}
			size := strconv.FormatInt(tc.wantTmp, 10)
			want := []string{"/tmp=" + size, sandbox.Home + "=" + size}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("tmpfs sizes (-want +got)\n%s\nargs %q", d, a)
			}
			if !slices.Contains(a, sandbox.InitPath) {
				t.Errorf("args do not start the init: %q", a)
			}
		})
	}
}
