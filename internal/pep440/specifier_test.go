package pep440

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSpecifierInvalid(t *testing.T) {
	// packaging tests/test_specifiers.py test_specifiers_invalid, plus more.
	for _, s := range []string{
		"2.0", "=>2.0", "==", "~=1.0+5", ">=1.0+deadbeef", "<=1.0+abc123", ">1.0+watwat", "<1.0+1.0",
		"~=1.0.*", ">=1.0.*", "<=1.0.*", ">1.0.*", "<1.0.*", "==1.0.*+5", "!=1.0.*+deadbeef",
		"==2.0a1.*", "!=2.0a1.*", "==2.0.post1.*", "!=2.0.post1.*", "==2.0.dev1.*", "!=2.0.dev1.*",
		"==1.0+5.*", "!=1.0+deadbeef.*", "==1.0.*.5", "~=1", "==1.0.dev1.*", "!=1.0.dev1.*",
		"==1.2+\u0130", "==1.2+\u0130\u0131\u017fK", "", ">= 1.0 .*", "==1.0 .*", ">=1 0", "===a b", "===a;b",
		"===a)", "== ", "~=1.0.*", "~= 1", "<>1.0", "=1.0",
	} {
		_, err := ParseSpecifier(s)
		if err == nil {
			t.Errorf("ParseSpecifier(%q) succeeded, want error", s)
		} else if !errors.Is(err, ErrInvalidSpecifier) {
			t.Errorf("ParseSpecifier(%q) error %v does not wrap ErrInvalidSpecifier", s, err)
		}
	}
}

func TestParseSpecifierValid(t *testing.T) {
	tests := []struct{ in, op, version, str string }{
		{"~=2.0", "~=", "2.0", "~=2.0"}, {"==2.1.*", "==", "2.1.*", "==2.1.*"},
		{"==2.1.0.3", "==", "2.1.0.3", "==2.1.0.3"}, {"!=2.2.*", "!=", "2.2.*", "!=2.2.*"},
		{"!=2.2.0.5", "!=", "2.2.0.5", "!=2.2.0.5"}, {"<=5", "<=", "5", "<=5"}, {">=7.9a1", ">=", "7.9a1", ">=7.9a1"},
		{"<1.0.dev1", "<", "1.0.dev1", "<1.0.dev1"}, {">2.0.post1", ">", "2.0.post1", ">2.0.post1"},
		{"===lolwat", "===", "lolwat", "===lolwat"}, {"< 2", "<", "2", "<2"}, {"  >=  1.0  ", ">=", "1.0", ">=1.0"},
		{"==1.0+Local", "==", "1.0+Local", "==1.0+Local"}, {"  \r \f \v ~=v1.0\t\n", "~=", "v1.0", "~=v1.0"},
		{"~=1.0-5", "~=", "1.0-5", "~=1.0-5"}, {"== 0!1.*", "==", "0!1.*", "==0!1.*"},
	}
	for _, tt := range tests {
		sp, err := ParseSpecifier(tt.in)
		if err != nil {
			t.Errorf("ParseSpecifier(%q): %v", tt.in, err)
			continue
		}
		got := []string{sp.Operator(), sp.Version(), sp.String()}
		if d := cmp.Diff([]string{tt.op, tt.version, tt.str}, got); d != "" {
			t.Errorf("ParseSpecifier(%q) (-want +got):\n%s", tt.in, d)
		}
	}
}

// specifierCases come from packaging's test_specifiers.py test_specifiers
// (which checks with prereleases=True) and PEP 440's own examples.
var specifierCases = []struct {
	version, spec string
	want          bool
}{
	{"2.0", "==2", true}, {"2.0", "==2.0", true}, {"2.0", "==2.0.0", true}, {"2.0+deadbeef", "==2", true},
	{"2.0+deadbeef", "==2.0", true}, {"2.0+deadbeef", "==2+deadbeef", true}, {"2.0+deadbeef", "==2.0.0+deadbeef", true},
	{"2.0+deadbeef.0", "==2.0.0+deadbeef.00", true},
	{"2.dev1", "==2.*", true}, {"2a1", "==2.*", true}, {"2a1.post1", "==2.*", true}, {"2b1", "==2.*", true},
	{"2b1.dev1", "==2.*", true}, {"2c1", "==2.*", true}, {"2c1.post1.dev1", "==2.*", true},
	{"2c1.post1.dev1", "==2.0.*", true}, {"2rc1", "==2.*", true}, {"2rc1", "==2.0.*", true}, {"2", "==2.*", true},
	{"2", "==2.0.*", true}, {"2", "==2.0.0.*", true}, {"2", "==0!2.*", true}, {"0!2", "==2.*", true},
	{"2.0", "==2.*", true}, {"2.0.0", "==2.*", true}, {"2.0.0.0", "==2.0.*", true}, {"2.1+local.version", "==2.1.*", true},
	{"2.1", "!=2", true}, {"2.1", "!=2.0", true}, {"2.0.1", "!=2", true}, {"2.0.1", "!=2.0", true},
	{"2.0.1", "!=2.0.0", true}, {"2.0", "!=2.0+deadbeef", true},
	{"2.0", "!=3.*", true}, {"2.1", "!=2.0.*", true}, {"3", "!=2.0.0.*", true}, {"2.1.0.0", "!=2.0.*", true},
	{"2.0", ">=2", true}, {"2.0", ">=2.0", true}, {"2.0", ">=2.0.0", true}, {"2.0.post1", ">=2", true},
	{"2.0.post1.dev1", ">=2", true}, {"3", ">=2", true}, {"3.0.0a8", ">=3.0.0a7", true},
	{"2.0", "<=2", true}, {"2.0", "<=2.0", true}, {"2.0", "<=2.0.0", true}, {"2.0.dev1", "<=2", true},
	{"2.0a1", "<=2", true}, {"2.0a1.dev1", "<=2", true}, {"2.0b1", "<=2", true}, {"2.0b1.post1", "<=2", true},
	{"2.0c1", "<=2", true}, {"2.0c1.post1.dev1", "<=2", true}, {"2.0rc1", "<=2", true}, {"1", "<=2", true},
	{"3.0.0a7", "<=3.0.0a8", true},
	{"3", ">2", true}, {"2.1", ">2.0", true}, {"2.0.1", ">2", true}, {"2.1.post1", ">2", true},
	{"2.1+local.version", ">2", true}, {"3.0.0a8", ">3.0.0a7", true},
	{"1", "<2", true}, {"2.0", "<2.1", true}, {"2.0.dev0", "<2.1", true}, {"3.0.0a7", "<3.0.0a8", true},
	{"1", "~=1.0", true}, {"1.0.1", "~=1.0", true}, {"1.1", "~=1.0", true}, {"1.9999999", "~=1.0", true},
	{"1.1", "~=1.0a1", true}, {"2022.01.01", "~=2022.01.01", true},
	{"2!1.0", "~=2!1.0", true}, {"2!1.0", "==2!1.*", true}, {"2!1.0", "==2!1.0", true}, {"2!1.0", "!=1.0", true},
	{"2!1.0.0", "==2!1.0.0.0.*", true}, {"2!1.0.0", "==2!1.0.*", true}, {"2!1.0.0", "==2!1.*", true},
	{"1.0", "!=2!1.0", true}, {"1.0", "<=2!0.1", true}, {"2!1.0", ">=2.0", true}, {"1.0", "<2!0.1", true},
	{"2!1.0", ">2.0", true}, {"2.0.5", ">2.0dev", true},
	{"1.0+local", ">1.0.dev1", true}, {"4.1.0a2.dev1235+local", ">4.1.0a2.dev1234", true},
	{"1.0a2+local", ">1.0a1", true}, {"1.0b2+local", ">1.0b1", true}, {"1.0rc2+local", ">1.0rc1", true},
	{"1.0.post2+local", ">1.0.post1", true}, {"1.0.dev2+local", ">1.0.dev1", true},
	{"1.0a1.dev2+local", ">1.0a1.dev1", true}, {"1.0.post1.dev2+local", ">1.0.post1.dev1", true},

	{"2.1", "==2", false}, {"2.1", "==2.0", false}, {"2.1", "==2.0.0", false}, {"2.0", "==2.0+deadbeef", false},
	{"2.0", "==3.*", false}, {"2.1", "==2.0.*", false}, {"3", "==2.0.0.*", false}, {"2.1.0.0", "==2.0.*", false},
	{"2.0", "!=2", false}, {"2.0", "!=2.0", false}, {"2.0", "!=2.0.0", false}, {"2.0+deadbeef", "!=2", false},
	{"2.0+deadbeef", "!=2.0", false}, {"2.0+deadbeef", "!=2.0.0", false}, {"2.0+deadbeef", "!=2+deadbeef", false},
	{"2.0+deadbeef", "!=2.0+deadbeef", false}, {"2.0+deadbeef", "!=2.0.0+deadbeef", false},
	{"2.0+deadbeef.0", "!=2.0.0+deadbeef.00", false},
	{"2.dev1", "!=2.*", false}, {"2a1", "!=2.*", false}, {"2a1.post1", "!=2.*", false}, {"2b1", "!=2.*", false},
	{"2b1.dev1", "!=2.*", false}, {"2c1", "!=2.*", false}, {"2c1.post1.dev1", "!=2.*", false},
	{"2c1.post1.dev1", "!=2.0.*", false}, {"2rc1", "!=2.*", false}, {"2rc1", "!=2.0.*", false}, {"2", "!=2.*", false},
	{"2", "!=2.0.*", false}, {"2", "!=2.0.0.*", false}, {"2.0", "!=2.*", false}, {"2.0.0", "!=2.*", false},
	{"2.0.0.0", "!=2.0.*", false},
	{"2.0.dev1", ">=2", false}, {"2.0a1", ">=2", false}, {"2.0a1.dev1", ">=2", false}, {"2.0b1", ">=2", false},
	{"2.0b1.post1", ">=2", false}, {"2.0c1", ">=2", false}, {"2.0c1.post1.dev1", ">=2", false},
	{"2.0rc1", ">=2", false}, {"1", ">=2", false},
	{"2.0.post1", "<=2", false}, {"2.0.post1.dev1", "<=2", false}, {"3", "<=2", false},
	{"1", ">2", false}, {"2.0.dev1", ">2", false}, {"2.0a1", ">2", false}, {"2.0a1.post1", ">2", false},
	{"2.0b1", ">2", false}, {"2.0b1.dev1", ">2", false}, {"2.0c1", ">2", false}, {"2.0c1.post1.dev1", ">2", false},
	{"2.0rc1", ">2", false}, {"2.0", ">2", false}, {"2.0.post1", ">2", false}, {"2.0.post1.dev1", ">2", false},
	{"2.0+local.version", ">2", false}, {"4.1.0a2.dev1234+local", ">4.1.0a2.dev1234", false},
	{"1.0a1+local", ">1.0a1", false}, {"1.0b1+local", ">1.0b1", false}, {"1.0rc1+local", ">1.0rc1", false},
	{"1.0.post1+local", ">1.0.post1", false}, {"1.0.dev1+local", ">1.0.dev1", false},
	{"1.0a1.dev1+local", ">1.0a1.dev1", false}, {"1.0.post1.dev1+local", ">1.0.post1.dev1", false},
	{"2.0.dev1", "<2", false}, {"2.0a1", "<2", false}, {"2.0a1.post1", "<2", false}, {"2.0b1", "<2", false},
	{"2.0b2.dev1", "<2", false}, {"2.0c1", "<2", false}, {"2.0c1.post1.dev1", "<2", false}, {"2.0rc1", "<2", false},
	{"2.0", "<2", false}, {"2.post1", "<2", false}, {"2.post1.dev1", "<2", false}, {"3", "<2", false},
	{"2.0", "~=1.0", false}, {"1.1.0", "~=1.0.0", false}, {"1.1.post1", "~=1.0.0", false},
	{"1.0", "~=2!1.0", false}, {"2!1.0", "~=1.0", false}, {"2!1.0", "==1.0", false}, {"1.0", "==2!1.0", false},
	{"2!1.0", "==1.0.0.*", false}, {"1.0", "==2!1.0.0.*", false}, {"2!1.0", "==1.*", false},
	{"1.0", "==2!1.*", false}, {"2!1.0", "!=2!1.0", false},

	// packaging test_specifiers_prereleases: exclusive ordered comparisons.
	{"1.0.dev0", ">1.0.dev1", false}, {"1.0.dev2", ">1.0.dev1", true}, {"1.0.post0", ">1.0.dev1", true},
	{"1.0.post1", ">1.0.dev1", true}, {"1.0.post0", ">1.0.dev0", true}, {"1.0.post0", ">1.0a1", true},
	{"1.0.post0", ">1.0b1", true}, {"1.0.post0", ">1.0rc1", true}, {"1.0a1.post0", ">1.0a1", false},
	{"1.0b2.post0", ">1.0b2", false}, {"1.0rc1.post0", ">1.0rc1", false}, {"1.0a2.post0", ">1.0a1", true},
	{"1.0b2.post0", ">1.0b1", true}, {"1.0", ">1.0.dev1", true}, {"1.0a1", ">1.0.dev1", true},
	{"1.1", ">1.0.dev1", true}, {"1.0.post0", ">1.0", false}, {"1.0.post1", ">1.0", false},
	{"2.0.post0", ">1.0", true}, {"0.9.post0", ">1.0", false}, {"1.1.post0", ">1.0.dev1", true},
	{"0.9.post0", ">1.0.dev1", false}, {"1.0.post1.dev0", "<1.0.post1", false},
	{"1.0.post0.dev0", "<1.0.post0", false}, {"1.0.dev0", "<1.0.post1", true}, {"1.0a1", "<1.0.post1", true},
	{"1.0rc1", "<1.0.post1", true}, {"1.0.dev0", "<1.0.post0", true}, {"1.0b1", "<1.0.post0", true},
	{"1.0.post0.dev0", "<1.0.post1", true}, {"1.0.post1.dev0", "<1.0.post2", true}, {"1.0", "<1.0.post1", true},
	{"1.0.post0", "<1.0.post1", true}, {"0.9", "<1.0.post1", true}, {"1.0", "<1.0.post0", true},
	{"1.0.post9.dev0", "<1.0.post10", true}, {"1.0+local", "<1.0.post1", true},
	{"1.0.post0+local", "<1.0.post1", true}, {"0.9.dev0", "<1.0.post1", true},
	{"2.0a1", "<2.0", false}, {"2.0a1", "<2.0a2", true},

	// PEP 440 examples: ~= expansions, local versions, exclusive comparisons.
	{"2.2", "~=2.2", true}, {"2.9", "~=2.2", true}, {"3.0", "~=2.2", false}, {"2.2.post3", "~=2.2.post3", true},
	{"2.3", "~=2.2.post3", true}, {"3.0", "~=2.2.post3", false}, {"1.4.5", "~=1.4.5", true}, {"1.4.9", "~=1.4.5", true},
	{"1.5.0", "~=1.4.5", false}, {"1.4.5a4", "~=1.4.5a4", true}, {"1.4.9", "~=1.4.5a4", true}, {"1.5", "~=1.4.5a4", false},
	{"1.1.0", "==1.1", true}, {"1.1.post1", "==1.1", false}, {"1.1.a1", "==1.1", false}, {"1.1.post1", "==1.1.post1", true},
	{"1.1.post1", "==1.1.*", true}, {"1.1+local", "==1.1", true}, {"1.1+local", "==1.1+local", true},
	{"1.1+other", "==1.1+local", false}, {"1.1.post1", "!=1.1", true}, {"1.1a1", "!=1.1", true},
	{"1.1.post1", "!=1.1.post1", false}, {"1.1.post1", "!=1.1.*", false},
	{"1.7.1", ">1.7", true}, {"1.7.0.post1", ">1.7", false}, {"1.7.1", ">1.7.post2", true}, {"1.7.0.post3", ">1.7.post2", true},
	{"1.7.0", ">1.7.post2", false}, {"1.7.0rc1", "<1.7", false}, {"1.6.9", "<1.7", true}, {"1.7.0.dev1", "<1.7", false},
	{"1.7+local", ">1.7", false}, {"1.7+local", ">=1.7", true}, {"1.7+local", "<=1.7", true},
}

func TestSpecifierContains(t *testing.T) {
	for _, tt := range specifierCases {
		sp, err := ParseSpecifier(tt.spec)
		if err != nil {
			t.Errorf("ParseSpecifier(%q): %v", tt.spec, err)
			continue
		}
		if got := sp.Contains(MustParse(tt.version), true); got != tt.want {
			t.Errorf("%q contains %q = %v, want %v", tt.spec, tt.version, got, tt.want)
		}
	}
}

func TestSpecifierPrereleases(t *testing.T) {
	// packaging test_specifier_prereleases_detection
	tests := []struct {
		spec string
		want bool
	}{
		{"==1.0", false}, {">=1.0", false}, {"<=1.0", false}, {"~=1.0", false}, {"<1.0", false}, {">1.0", false},
		{"<1.0.dev1", true}, {">1.0.dev1", true}, {"!=1.0.dev1", false}, {"==1.0.*", false}, {"==1.0.dev1", true},
		{">=1.0.dev1", true}, {"<=1.0.dev1", true}, {"~=1.0.dev1", true}, {"===1.0a1", true}, {"===lolwat", false},
	}
	for _, tt := range tests {
		if got := MustParseSpecifier(tt.spec).Prereleases(); got != tt.want {
			t.Errorf("%q.Prereleases() = %v, want %v", tt.spec, got, tt.want)
		}
	}
}

func TestSpecifierSetContains(t *testing.T) {
	tests := []struct {
		set, version string
		prereleases  bool
		want         bool
	}{
		// the empty set
		{"", "1.0", false, true}, {"", "1.0a1", false, false}, {"", "1.0a1", true, true}, {"", "1!1.2.rev33+123456", false, true},
		// packaging test_specifier_contains_prereleases and friends
		{">=1.0", "2.0.dev1", false, false}, {">=1.0", "2.0.dev1", true, true},
		{">=2.0.dev1", "2.0a1", false, true}, {"==2.0.*", "2.0a1.dev1", false, false}, {"==2.0.*", "2.0a1.dev1", true, true},
		{"<=2.0", "1.0.dev1", false, false}, {"<=2.0.dev1", "1.0a1", false, true},
		{"<2.0", "2.0a1", true, false}, {"<2.0a2", "2.0a1", false, true},
		{">=1.0,<2.0", "1.5", false, true}, {">=1.0,<2.0", "2.0", false, false}, {">=1.0, !=1.5", "1.5", false, false},
		{">=1.0.dev1,!=1.5", "1.4a1", false, true}, {"!=1.0a1", "1.0a2", false, false},
		{"~=1.4.5", "1.4.6", false, true}, {"~= 1.4.5 , != 1.4.7", "1.4.7", false, false},
		{"==1.*", "1.9", false, true}, {"==1.*", "2.0", false, false}, {"!=1.0", "1.0.0", false, false},
		{"===1.0", "1.0", false, true}, {"===1.0", "1.0.0", false, false}, {"===1.0", "1.0+downstream1", false, false},
		{"===1.0A1", "1.0a1", false, true},
	}
	for _, tt := range tests {
		set, err := ParseSpecifiers(tt.set)
		if err != nil {
			t.Errorf("ParseSpecifiers(%q): %v", tt.set, err)
			continue
		}
		if got := set.Contains(MustParse(tt.version), tt.prereleases); got != tt.want {
			t.Errorf("%q.Contains(%q, %v) = %v, want %v", tt.set, tt.version, tt.prereleases, got, tt.want)
		}
	}
}

func TestSpecifierSetString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""}, {">=1.0.0,!=1.0.1", "!=1.0.1,>=1.0.0"}, {" >= 1 , < 2 ", "<2,>=1"}, {",,>=1,", ">=1"},
		{">=1.0,>=1", ">=1.0"}, {"~=1.18.0,~=1.18", "~=1.18,~=1.18.0"}, {"==2.8.0,==2.8", "==2.8.0"},
	}
	for _, tt := range tests {
		set, err := ParseSpecifiers(tt.in)
		if err != nil {
			t.Errorf("ParseSpecifiers(%q): %v", tt.in, err)
			continue
		}
		if got := set.String(); got != tt.want {
			t.Errorf("ParseSpecifiers(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
	}
	for _, bad := range []string{">=1.0,2.0", ">=1.0;<2", "foo", ">=1.0 <2"} {
		if _, err := ParseSpecifiers(bad); !errors.Is(err, ErrInvalidSpecifier) {
			t.Errorf("ParseSpecifiers(%q) error = %v, want ErrInvalidSpecifier", bad, err)
		}
	}
	if !MustParseSpecifiers(">=1,<2").Equal(MustParseSpecifiers("<2.0, >=1.0")) {
		t.Error("equal sets compare unequal")
	}
	if MustParseSpecifiers(">=1,<2").Equal(MustParseSpecifiers(">=1,<3")) {
		t.Error("different sets compare equal")
	}
}

func TestSpecifierSetFilter(t *testing.T) {
	tests := []struct {
		set         string
		prereleases bool
		in, want    []string
	}{
		// packaging test_specifier_filter (prereleases None is our false)
		{">=1.0.dev1", false, []string{"1.0", "2.0a1"}, []string{"1.0", "2.0a1"}},
		{">=1.2.3", false, []string{"1.2", "1.5a1"}, []string{"1.5a1"}},
		{">=1.2.3", false, []string{"1.3", "1.5a1"}, []string{"1.3"}},
		{">=1.0", false, []string{"2.0a1"}, []string{"2.0a1"}},
		{"!=2.0a1", false, []string{"1.0a2", "1.0", "2.0a1"}, []string{"1.0"}},
		{"==2.0a1", false, []string{"2.0a1"}, []string{"2.0a1"}},
		{">2.0a1", false, []string{"2.0a1", "3.0a2", "3.0"}, []string{"3.0a2", "3.0"}},
		{"<2.0a1", false, []string{"1.0a2", "1.0", "2.0a1"}, []string{"1.0a2", "1.0"}},
		{"~=2.0a1", false, []string{"1.0", "2.0a1", "3.0a2", "3.0"}, []string{"2.0a1"}},
		{">=1.0", true, []string{"1.0", "2.0a1"}, []string{"1.0", "2.0a1"}},
		{"===1.0", false, []string{"1.0", "1.0.0", "2.0"}, []string{"1.0"}},
		// the empty set
		{"", false, []string{"1.3", "1.5a1"}, []string{"1.3"}},
		{"", false, []string{"1.5a1"}, []string{"1.5a1"}},
		{"", true, []string{"1.3", "1.5a1"}, []string{"1.3", "1.5a1"}},
		// sets
		{">=1.0,<2", false, []string{"0.9", "1.0", "1.5b1", "1.9", "2.0"}, []string{"1.0", "1.9"}},
		{">=1.0,<2", false, []string{"0.9", "1.5b1", "2.0"}, []string{"1.5b1"}},
		{">=1.0,<2", false, []string{"0.9", "2.0a1", "2.0"}, nil},
	}
	for _, tt := range tests {
		in := make([]Version, len(tt.in))
		for i, s := range tt.in {
			in[i] = MustParse(s)
		}
		var got []string
		for _, v := range MustParseSpecifiers(tt.set).Filter(in, tt.prereleases) {
			got = append(got, v.String())
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%q.Filter(%v, %v) (-want +got):\n%s", tt.set, tt.in, tt.prereleases, d)
		}
	}
}

func TestContainsString(t *testing.T) {
	tests := []struct {
		set, v string
		want   bool
	}{
		{"===foobar", "foobar", true}, {"===foobar", "FooBar", true}, {"===foobar", "baz", false},
		{"===1.01", "1.01", true}, {"===1.01", "1.1", false}, {"===1.1", "1.01", false},
		{"===1.0-1", "1.0-1", true}, {"===1.0-1", "1.0.post1", false}, {"===0!1.0", "0!1.0", true},
		{">=1.0", "not a valid version", false}, {"!=1.0", "invalid", false}, {"", "foobar", false},
		{">=1.0", "1.5", true}, {">=1.0", "0.5", false}, {">=1.0", "2.0a1", false}, {">=1.0a1", "2.0a1", true},
		{"", "1.0", true},
	}
	for _, tt := range tests {
		if got := MustParseSpecifiers(tt.set).ContainsString(tt.v); got != tt.want {
			t.Errorf("%q.ContainsString(%q) = %v, want %v", tt.set, tt.v, got, tt.want)
		}
	}
}
