package pep440

import (
	"errors"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// orderedVersions is packaging's tests/test_version.py VERSIONS list, which
// must be in ascending order.
var orderedVersions = []string{
	"1.0.dev0", "1.0.dev456", "1.0.dev456+local", "1.0a0", "1.0a0.post0.dev0", "1.0a0.post0",
	"1.0a1.dev1", "1.0a1.dev1+local", "1.0a1", "1.0a1+local", "1.0b0", "1.0b1.dev456", "1.0b2",
	"1.0b2.post345.dev456", "1.0b2.post345", "1.0b2-346", "1.0rc0", "1.0rc1.dev1", "1.0c1", "1.0rc2",
	"1.0", "1.0.post0.dev0", "1.0.post0", "1.0.post456.dev34", "1.0.post456", "1.0.post456+local",
	"1.0.1.dev1", "1.0.1a1", "1.0.1", "1.0.1+local", "1.0.1.post1", "1.1.dev1",
	"1.2+a", "1.2+abc", "1.2+abcdef", "1.2+def", "1.2+0", "1.2+1", "1.2+1.abc", "1.2+1.1", "1.2+1.1.0",
	"1.2+2", "1.2+123", "1.2+123456", "1.2.r32+123456", "1.2.rev33+123456",
	"1!1.0.dev0", "1!1.0.dev456", "1!1.0.dev456+local", "1!1.0a0", "1!1.0a0.post0.dev0", "1!1.0a0.post0",
	"1!1.0a1.dev1", "1!1.0a1.dev1+local", "1!1.0a1", "1!1.0a1+local", "1!1.0b0", "1!1.0b1.dev456",
	"1!1.0b2", "1!1.0b2.post345.dev456", "1!1.0b2.post345", "1!1.0b2-346", "1!1.0rc0", "1!1.0rc1.dev1",
	"1!1.0c1", "1!1.0rc2", "1!1.0", "1!1.0.post0.dev0", "1!1.0.post0", "1!1.0.post456.dev34",
	"1!1.0.post456", "1!1.0.post456+local", "1!1.0.1.dev1", "1!1.0.1a1", "1!1.0.1", "1!1.0.1+local",
	"1!1.0.1.post1", "1!1.1.dev1", "1!1.2+a", "1!1.2+abc", "1!1.2+abcdef", "1!1.2+def", "1!1.2+0",
	"1!1.2+1", "1!1.2+1.abc", "1!1.2+1.1", "1!1.2+1.1.0", "1!1.2+2", "1!1.2+123", "1!1.2+123456",
	"1!1.2.r32+123456", "1!1.2.rev33+123456",
}

// pep440Ordering is the summary ordering example from PEP 440 itself.
var pep440Ordering = []string{
	"1.dev0", "1.0.dev456", "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456",
	"1.0b2", "1.0b2.post345.dev456", "1.0b2.post345", "1.0rc1.dev456", "1.0rc1", "1.0",
	"1.0+abc.5", "1.0+abc.7", "1.0+5", "1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1",
}

func TestOrdering(t *testing.T) {
	for name, list := range map[string][]string{"packaging": orderedVersions, "pep440": pep440Ordering} {
		vs := make([]Version, len(list))
		for i, s := range list {
			vs[i] = MustParse(s)
		}
		for i := range vs {
			for j := range vs {
				want := 0
				switch {
				case i < j:
					want = -1
				case i > j:
					want = 1
				}
				// "1.0c1" and "1.0rc1" are not adjacent but distinct spellings
				// in the list only once each, so list position decides.
				if got := vs[i].Compare(vs[j]); got != want {
					t.Errorf("%s: Compare(%q, %q) = %d, want %d", name, list[i], list[j], got, want)
				}
			}
		}
		shuffled := slices.Clone(vs)
		slices.Reverse(shuffled)
		slices.SortFunc(shuffled, Version.Compare)
		for i := range shuffled {
			if shuffled[i].String() != vs[i].String() {
				t.Errorf("%s: sorted[%d] = %s, want %s", name, i, shuffled[i], vs[i])
			}
		}
	}
}

func TestNormalization(t *testing.T) {
	tests := []struct{ in, want string }{
		// packaging tests/test_version.py test_normalized_versions
		{"1.0dev", "1.0.dev0"}, {"1.0.dev", "1.0.dev0"}, {"1.0dev1", "1.0.dev1"}, {"1.0-dev", "1.0.dev0"},
		{"1.0-dev1", "1.0.dev1"}, {"1.0DEV", "1.0.dev0"}, {"1.0.DEV1", "1.0.dev1"}, {"1.0-DEV", "1.0.dev0"},
		{"1.0a", "1.0a0"}, {"1.0.a", "1.0a0"}, {"1.0.a1", "1.0a1"}, {"1.0-a", "1.0a0"}, {"1.0-a1", "1.0a1"},
		{"1.0alpha", "1.0a0"}, {"1.0.alpha1", "1.0a1"}, {"1.0-alpha", "1.0a0"}, {"1.0A", "1.0a0"},
		{"1.0-ALPHA1", "1.0a1"}, {"1.0b", "1.0b0"}, {"1.0.b1", "1.0b1"}, {"1.0beta", "1.0b0"},
		{"1.0-beta1", "1.0b1"}, {"1.0.BETA", "1.0b0"}, {"1.0c", "1.0rc0"}, {"1.0.c1", "1.0rc1"},
		{"1.0-c", "1.0rc0"}, {"1.0rc", "1.0rc0"}, {"1.0-rc1", "1.0rc1"}, {"1.0C", "1.0rc0"},
		{"1.0.RC1", "1.0rc1"}, {"1.0pre", "1.0rc0"}, {"1.0preview1", "1.0rc1"}, {"1.0-pre2", "1.0rc2"},
		{"1.0post", "1.0.post0"}, {"1.0.post", "1.0.post0"}, {"1.0post1", "1.0.post1"},
		{"1.0-post", "1.0.post0"}, {"1.0POST1", "1.0.post1"}, {"1.0r", "1.0.post0"}, {"1.0rev", "1.0.post0"},
		{"1.0.r1", "1.0.post1"}, {"1.0.rev1", "1.0.post1"}, {"1.0-5", "1.0.post5"}, {"1.0-r5", "1.0.post5"},
		{"1.0-rev5", "1.0.post5"}, {"1.0+AbC", "1.0+abc"}, {"1.01", "1.1"}, {"1.0a05", "1.0a5"},
		{"1.0b07", "1.0b7"}, {"1.0c056", "1.0rc56"}, {"1.0rc09", "1.0rc9"}, {"1.0.post000", "1.0.post0"},
		{"1.1.dev09000", "1.1.dev9000"}, {"00!1.2", "1.2"}, {"0100!0.0", "100!0.0"}, {"v1.0", "1.0"},
		{"   v1.0\t\n", "1.0"}, {"\u202f1.0\t\u2029\n ", "1.0"},
		// PEP 440 "Normalization" section examples
		{"1.1RC1", "1.1rc1"}, {"1.0.0-a.1", "1.0.0a1"}, {"1.1a1", "1.1a1"}, {"1.1-a1", "1.1a1"},
		{"1.1.a1", "1.1a1"}, {"1.0a.1", "1.0a1"}, {"1.1.post1", "1.1.post1"}, {"1.1-post1", "1.1.post1"},
		{"1.1_post1", "1.1.post1"}, {"1.0-r4", "1.0.post4"}, {"1.0-1", "1.0.post1"}, {"1.0dev2", "1.0.dev2"},
		{"1.2-dev2", "1.2.dev2"}, {"1.2.dev", "1.2.dev0"}, {"1.0+ubuntu-1", "1.0+ubuntu.1"},
		{"1.0+ubuntu_1", "1.0+ubuntu.1"}, {"1.0+01", "1.0+1"}, {"V1.0", "1.0"}, {"1.0a1.post2.dev3", "1.0a1.post2.dev3"},
		{"2.0-preview.3", "2.0rc3"},
		// packaging test_version_str_repr
		{"0!1.0.2", "1.0.2"}, {"0!1.0.4+8.0", "1.0.4+8.0"}, {"1.2+123abc456", "1.2+123abc456"},
		{"7!1.0b2.post345.dev456", "7!1.0b2.post345.dev456"},
	}
	for _, tt := range tests {
		v, err := Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if got := v.String(); got != tt.want {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestInvalidVersions(t *testing.T) {
	for _, s := range []string{
		// packaging tests/test_version.py test_invalid_versions
		"french toast", "1.0+a+", "1.0++", "1.0+_foobar", "1.0+foo&asd", "1.0+1+1",
		"1. 0", "1 .0", "1. 0a1", "1 .0a1", "1.0 a1", "1.0a 1", "٠١٢.٣٤٥.٦٧٨٩",
		".", "..", "1..0", "1.0.", ".1.0", "1..2.3", "1.0+\u0130", "1.0+\u212a",
		// more
		"", "   ", "v", "1.0.*", "1!", "!1.0", "1.0-", "1.0+", "1.0a1a2", "1.0.post1.post2", "1.0dev1dev2",
		"1.0-1-1", "99999999999999999999999.0", "1.0\x00", "1.0 ; x",
	} {
		_, err := Parse(s)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want error", s)
		} else if !errors.Is(err, ErrInvalidVersion) {
			t.Errorf("Parse(%q) error %v does not wrap ErrInvalidVersion", s, err)
		}
	}
}

func TestAccessors(t *testing.T) {
	type info struct {
		Epoch               int
		Release             []int
		Local, Public, Base string
		Pre, Post, Dev      bool
	}
	tests := []struct {
		in   string
		want info
	}{
		{"1.0", info{0, []int{1, 0}, "", "1.0", "1.0", false, false, false}},
		{"1.0.dev6", info{0, []int{1, 0}, "", "1.0.dev6", "1.0", true, false, true}},
		{"1.0a1.post5.dev6+deadbeef", info{0, []int{1, 0}, "deadbeef", "1.0a1.post5.dev6", "1.0", true, true, true}},
		{"1!1.0rc4+deadbeef", info{1, []int{1, 0}, "deadbeef", "1!1.0rc4", "1!1.0", true, false, false}},
		{"1!1.0.post5", info{1, []int{1, 0}, "", "1!1.0.post5", "1!1.0", false, true, false}},
		{"1.2.3+Ubuntu-1_02", info{0, []int{1, 2, 3}, "ubuntu.1.2", "1.2.3", "1.2.3", false, false, false}},
	}
	for _, tt := range tests {
		v := MustParse(tt.in)
		got := info{v.Epoch(), v.Release(), v.Local(), v.Public().String(), v.BaseVersion().String(),
			v.IsPrerelease(), v.IsPostrelease(), v.IsDevrelease()}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.in, d)
		}
	}
}

func TestEqual(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"1.0", "1.0.0", true}, {"1.0rc1", "1.0c1", true}, {"v1.0", "1.0", true}, {"1.0", "1.0+0", false},
		{"0!1.0", "1.0", true}, {"1.0.post0", "1.0", false}, {"1.0a0", "1.0a", true}, {"1.0+AbC", "1.0+abc", true},
		{"1.0+1", "1.0+01", true}, {"1.0+1.0", "1.0+1", false},
	}
	for _, tt := range tests {
		if got := MustParse(tt.a).Equal(MustParse(tt.b)); got != tt.want {
			t.Errorf("Equal(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}
