package pep440

import "testing"

func FuzzParse(f *testing.F) {
	for _, s := range orderedVersions {
		f.Add(s)
	}
	for _, s := range []string{"v1.0", " 1.0-1 ", "1.0.POST", "1!2.0rc1.post2.dev3+Ubuntu-1_02", "1.0+", "0100!0.0"} {
		f.Add(s)
	}
	ref := MustParse("1.0")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if err != nil {
			return
		}
		w, err := Parse(v.String())
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, v.String(), err)
		}
		if !w.Equal(v) || w.String() != v.String() {
			t.Fatalf("round trip of %q: %q became %q", s, v.String(), w.String())
		}
		if v.Compare(ref) != -ref.Compare(v) {
			t.Fatalf("Compare is not antisymmetric for %q and 1.0", s)
		}
	})
}

func FuzzParseRequirement(f *testing.F) {
	for _, s := range []string{
		"name [fred,bar] @ http://foo.com ; python_version=='2.7'", "name[quux, strange];python_version<'2.7' and platform_version=='2'",
		"name; os_name=='a' and (os_name=='b' or os_name=='c')", "name (>=1.0, !=1.5.*)", "x===lolwat; extra == 'a'",
		"x ; 'linux' not in sys_platform", "x[]", "x @ file:///tmp/x.whl",
	} {
		f.Add(s)
	}
	env := DefaultEnvironment("3.11.2")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseRequirement(s)
		if err != nil {
			return
		}
		again, err := ParseRequirement(r.String())
		if err != nil {
			t.Fatalf("ParseRequirement(%q).String() = %q does not parse: %v", s, r.String(), err)
		}
		if again.String() != r.String() {
			t.Fatalf("round trip of %q: %q became %q", s, r.String(), again.String())
		}
		_, _ = r.Marker.Evaluate(env)
		_ = r.Specifier.Contains(MustParse("1.0"), false)
	})
}
