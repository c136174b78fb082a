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
		})
	}
}

func TestEggRequirementSection(t *testing.T) {
	tests := []struct {
		section, extra, marker string
	}{
		{"", "", ""},
		{"test", "test", ""},
		{"test:python_version < \"3.8\"", "test", "python_version < \"3.8\""},
		{":sys_platform == \"win32\"", "", "sys_platform == \"win32\""},
	}
	for _, tc := range tests {
		r := EggRequirement{Section: tc.section}
		if diff := cmp.Diff([2]string{tc.extra, tc.marker}, [2]string{r.Extra(), r.Marker()}); diff != "" {
			t.Errorf("section %q: extra and marker (-want +got):\n%s", tc.section, diff)
		}
	}
}
