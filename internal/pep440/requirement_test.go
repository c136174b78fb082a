package pep440

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRequirement(t *testing.T) {
	type parsed struct {
		Name      string
		Extras    []string
		Specifier string
		URL       string
		Marker    string
		String    string
	}
	tests := []struct {
		in   string
		want parsed
	}{
		// PEP 508's own test list
		{"A", parsed{Name: "A", String: "A"}},
		{"A.B-C_D", parsed{Name: "A.B-C_D", String: "A.B-C_D"}},
		{"aa", parsed{Name: "aa", String: "aa"}},
		{"name", parsed{Name: "name", String: "name"}},
		{"name<=1", parsed{Name: "name", Specifier: "<=1", String: "name<=1"}},
		{"name>=3", parsed{Name: "name", Specifier: ">=3", String: "name>=3"}},
		{"name>=3,<2", parsed{Name: "name", Specifier: "<2,>=3", String: "name<2,>=3"}},
		{"name@http://foo.com", parsed{Name: "name", URL: "http://foo.com", String: "name @ http://foo.com"}},
		{"name [fred,bar] @ http://foo.com ; python_version=='2.7'", parsed{
			Name: "name", Extras: []string{"bar", "fred"}, URL: "http://foo.com", Marker: `python_version == "2.7"`,
			String: `name[bar,fred] @ http://foo.com ; python_version == "2.7"`}},
		{"name[quux, strange];python_version<'2.7' and platform_version=='2'", parsed{
			Name: "name", Extras: []string{"quux", "strange"}, Marker: `python_version < "2.7" and platform_version == "2"`,
			String: `name[quux,strange]; python_version < "2.7" and platform_version == "2"`}},
		{"name; os_name=='a' or os_name=='b'", parsed{Name: "name", Marker: `os_name == "a" or os_name == "b"`,
			String: `name; os_name == "a" or os_name == "b"`}},
		{"name; os_name=='a' and (os_name=='b' or os_name=='c')", parsed{Name: "name",
			Marker: `os_name == "a" and (os_name == "b" or os_name == "c")`,
			String: `name; os_name == "a" and (os_name == "b" or os_name == "c")`}},
		// packaging tests/test_requirements.py
		{`name[bar]>=3; python_version == "2.7"`, parsed{Name: "name", Extras: []string{"bar"}, Specifier: ">=3",
			Marker: `python_version == "2.7"`, String: `name[bar]>=3; python_version == "2.7"`}},
		{`name@ http://foo.com ; extra == "feature"`, parsed{Name: "name", URL: "http://foo.com",
			Marker: `extra == "feature"`, String: `name @ http://foo.com ; extra == "feature"`}},
		{"foo-bar.quux_baz", parsed{Name: "foo-bar.quux_baz", String: "foo-bar.quux_baz"}},
		{"name (==4)", parsed{Name: "name", Specifier: "==4", String: "name==4"}},
		{"name >=2, <3", parsed{Name: "name", Specifier: "<3,>=2", String: "name<3,>=2"}},
		{"name ( >= 2 , < 3 )", parsed{Name: "name", Specifier: "<3,>=2", String: "name<3,>=2"}},
		{"foobar [quux,bar]", parsed{Name: "foobar", Extras: []string{"bar", "quux"}, String: "foobar[bar,quux]"}},
		{"foo[]", parsed{Name: "foo", String: "foo"}},
		{"name @ file:///absolute/path", parsed{Name: "name", URL: "file:///absolute/path", String: "name @ file:///absolute/path"}},
		{"name @ file://.", parsed{Name: "name", URL: "file://.", String: "name @ file://."}},
		{"foo @ https://example.com/name;v=1.1/?query=foo&bar=baz#blah ; python_version=='3.4'", parsed{
			Name: "foo", URL: "https://example.com/name;v=1.1/?query=foo&bar=baz#blah", Marker: `python_version == "3.4"`,
			String: `foo @ https://example.com/name;v=1.1/?query=foo&bar=baz#blah ; python_version == "3.4"`}},
		{"foobar[quux]<2,>=3; os_name=='a'", parsed{Name: "foobar", Extras: []string{"quux"}, Specifier: "<2,>=3",
			Marker: `os_name == "a"`, String: `foobar[quux]<2,>=3; os_name == "a"`}},
		// more
		{"  requests [security , socks] >= 2.8.1 , == 2.8.* ; python_version < \"2.7\"  ", parsed{
			Name: "requests", Extras: []string{"security", "socks"}, Specifier: "==2.8.*,>=2.8.1",
			Marker: `python_version < "2.7"`, String: `requests[security,socks]==2.8.*,>=2.8.1; python_version < "2.7"`}},
		{"pip===lolwat", parsed{Name: "pip", Specifier: "===lolwat", String: "pip===lolwat"}},
		{"x; extra == 'test'", parsed{Name: "x", Marker: `extra == "test"`, String: `x; extra == "test"`}},
		{"x;python_version>='3'", parsed{Name: "x", Marker: `python_version >= "3"`, String: `x; python_version >= "3"`}},
		{"x>=1.0,", parsed{Name: "x", Specifier: ">=1.0", String: "x>=1.0"}},
	}
	for _, tt := range tests {
		r, err := ParseRequirement(tt.in)
		if err != nil {
			t.Errorf("ParseRequirement(%q): %v", tt.in, err)
			continue
		}
		got := parsed{Name: r.Name, Extras: r.Extras, Specifier: r.Specifier.String(), URL: r.URL,
			Marker: r.Marker.String(), String: r.String()}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("ParseRequirement(%q) (-want +got):\n%s", tt.in, d)
		}
		// The normalised form parses back to the same requirement.
		again, err := ParseRequirement(r.String())
		if err != nil {
			t.Errorf("ParseRequirement(%q) (re-parse of %q): %v", r.String(), tt.in, err)
		} else if d := cmp.Diff(r, again); d != "" {
			t.Errorf("re-parse of %q differs (-first +second):\n%s", r.String(), d)
		}
	}
}

func TestParseRequirementInvalid(t *testing.T) {
	for _, s := range []string{
		"", " ", "foo!", "name; foobar=='x'", "name @ gopher:/foo/com", "name @ file:.", "name @ file:/.",
		"toto 42", "name==1.0.org1", "name>=1.x.y;python_version=='2.6'", "name[", "name[a b]", "name[a,]",
		"name[a", "name (>=1", "name >=1 <2", "name @", "name; ", "name;os_name",
		"-name", "name @ http://x.com extra", "name==1.0 extra=='x'", "name[a]]", "name >= 1.0 ; os_name == 'a' and",
		"name; os_name == 'a' )",
	} {
		_, err := ParseRequirement(s)
		if err == nil {
			t.Errorf("ParseRequirement(%q) succeeded, want error", s)
		} else if !errors.Is(err, ErrInvalidRequirement) {
			t.Errorf("ParseRequirement(%q) error %v does not wrap ErrInvalidRequirement", s, err)
		}
	}
}

func TestRequirementEvaluate(t *testing.T) {
	env := DefaultEnvironment("3.11.2")
	tests := []struct {
		req   string
		extra string
		want  bool
	}{
		{`something>=1.2.3; sys_platform == "linux"`, "", true},
		{`aviato>=1.2.3; 'lin' in sys_platform`, "", true},
		{`pywin32; sys_platform == "win32"`, "", false},
		{`pytest; extra == "Test_Extra"`, "test-extra", true},
		{`pytest; extra == "test"`, "", false},
		{`tomli; python_version < "3.11"`, "", false},
		{`typing-extensions; python_full_version >= "3.11.1"`, "", true},
	}
	for _, tt := range tests {
		r := mustRequirement(t, tt.req)
		e := Environment{}
		for k, v := range env {
			e[k] = v
		}
		if tt.extra != "" {
			e["extra"] = tt.extra
		}
		got, err := r.Marker.Evaluate(e)
		if err != nil {
			t.Errorf("%q: %v", tt.req, err)
		} else if got != tt.want {
			t.Errorf("%q with extra %q = %v, want %v", tt.req, tt.extra, got, tt.want)
		}
	}
}

func mustRequirement(t *testing.T, s string) Requirement {
	t.Helper()
	r, err := ParseRequirement(s)
	if err != nil {
		t.Fatalf("ParseRequirement(%q): %v", s, err)
	}
	return r
}
