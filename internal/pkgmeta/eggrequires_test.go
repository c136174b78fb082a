package pkgmeta

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseEggRequires(t *testing.T) {
	tests := []struct {
		name string
		data string
		want []EggRequirement
	}{
		{"empty", "", nil},
		{"install requirements, extras and a marker", "requests!=2.9.0\n# a comment\n\n[test]\npytest\r\n[test:python_version < \"3.8\"]\nimportlib_metadata\n",
			[]EggRequirement{{"", "requests!=2.9.0"}, {"test", "pytest"}, {"test:python_version < \"3.8\"", "importlib_metadata"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ParseEggRequires(tc.data)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseEggRequires (-want +got):\n%s", diff)
			}
			for _, r := range got {
				if e, m := r.Extra(), r.Marker(); e+map[bool]string{true: ":" + m}[m != ""] != r.Section {
					t.Errorf("%+v splits into %q and %q", r, e, m)
				}
			}
		})
	}
}
