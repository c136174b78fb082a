package pep440

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseMarkerValid(t *testing.T) {
	// packaging test_parses_valid: every variable (and the PEP 345 and
	// setuptools spellings), every operator, every value, both ways round.
	vars := []string{"extra", "implementation_name", "implementation_version", "os_name", "platform_machine",
		"platform_release", "platform_system", "platform_version", "python_full_version", "python_version",
		"platform_python_implementation", "sys_platform", "os.name", "sys.platform", "platform.version",
		"platform.machine", "platform.python_implementation", "python_implementation"}
	ops := []string{"===", "==", ">=", "<=", "!=", "~=", ">", "<", "in", "not in"}
	values := []string{"1.0", "5.6a0", "dog", "freebsd", "literally any string can go here", "things @#4 dsfd ((("}
	for _, v := range vars {
		for _, op := range ops {
			for _, val := range values {
				for _, s := range []string{fmt.Sprintf("%s %s '%s'", v, op, val), fmt.Sprintf("'%s' %s %s", val, op, v)} {
					if _, err := ParseMarker(s); err != nil {
						t.Errorf("ParseMarker(%q): %v", s, err)
					}
				}
			}
		}
	}
}

func TestParseMarkerInvalid(t *testing.T) {
	for _, s := range []string{
		// packaging test_parses_invalid
		"this_isnt_a_real_variable >= '1.0'", "python_version", "(python_version)",
		"python_version >= 1.0 and (python_version)", `(python_version == "2.7" and os_name == "linux"`,
		`(python_version == "2.7") with random text`,
		// more
		"", "python_version >= '1.0' and", "python_version = '1'", "python_version not '1'", "python_version notin '1'",
		"'unterminated == python_version", "python_version >= '1' android os_name == 'a'", "python_versionx == '1'",
		"os_name == 'a' or or os_name == 'b'", "()", "os_name == \"a\" )",
	} {
		_, err := ParseMarker(s)
		if err == nil {
			t.Errorf("ParseMarker(%q) succeeded, want error", s)
		} else if !errors.Is(err, ErrInvalidMarker) {
			t.Errorf("ParseMarker(%q) error %v does not wrap ErrInvalidMarker", s, err)
		}
	}
}

func TestParseMarkerDeepNesting(t *testing.T) {
	s := strings.Repeat("(", 100000) + "os_name == 'a'" + strings.Repeat(")", 100000)
	if _, err := ParseMarker(s); !errors.Is(err, ErrInvalidMarker) {
		t.Errorf("deeply nested marker: error = %v, want ErrInvalidMarker", err)
	}
}

func TestMarkerString(t *testing.T) {
	// packaging test_str_repr_eq_hash
	tests := []struct{ in, want string }{
		{"python_version == '2.7'", `python_version == "2.7"`},
		{`python_version == "2.7"`, `python_version == "2.7"`},
		{`python_version == "2.7" and os_name == "linux"`, `python_version == "2.7" and os_name == "linux"`},
		{`python_version == "2.7" or os_name == "linux"`, `python_version == "2.7" or os_name == "linux"`},
		{`python_version == "2.7" and os_name == "linux" or sys_platform == "win32"`,
			`python_version == "2.7" and os_name == "linux" or sys_platform == "win32"`},
		{`(python_version == "2.7")`, `python_version == "2.7"`},
		{`(python_version == "2.7" and sys_platform == "win32")`, `python_version == "2.7" and sys_platform == "win32"`},
		{`python_version == "2.7" and (sys_platform == "win32" or sys_platform == "linux")`,
			`python_version == "2.7" and (sys_platform == "win32" or sys_platform == "linux")`},
		{"os.name=='posix'", `os_name == "posix"`},
		{"python_implementation=='Jython'", `platform_python_implementation == "Jython"`},
		{"'linux'in\tsys_platform", `"linux" in sys_platform`},
		{"'win'  not   in sys_platform", `"win" not in sys_platform`},
		{`os_name == 'say "hi"'`, `os_name == 'say "hi"'`},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.in)
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", tt.in, err)
			continue
		}
		if got := m.String(); got != tt.want {
			t.Errorf("ParseMarker(%q).String() = %q, want %q", tt.in, got, tt.want)
		}
		again, err := ParseMarker(m.String())
		if err != nil || !again.Equal(m) {
			t.Errorf("ParseMarker(%q) round trip: %v, %v", m.String(), again, err)
		}
	}
	a, _ := ParseMarker(`python_version == "2.7" and (os_name == "linux" or sys_platform == "win32")`)
	b, _ := ParseMarker(`python_version == "2.7" and os_name == "linux" or sys_platform == "win32"`)
	if a.Equal(b) {
		t.Error("markers with different precedence compare equal")
	}
}

func TestMarkerEvaluate(t *testing.T) {
	tests := []struct {
		marker string
		env    Environment
		want   bool
	}{
		// packaging test_evaluates and friends
		{"os_name == 'foo'", Environment{"os_name": "foo"}, true},
		{"os_name == 'foo'", Environment{"os_name": "bar"}, false},
		{"'2.7' in python_version", Environment{"python_version": "2.7.5"}, true},
		{"'2.7' not in python_version", Environment{"python_version": "2.7"}, false},
		{"os_name == 'foo' and python_version ~= '2.7.0'", Environment{"os_name": "foo", "python_version": "2.7.6"}, true},
		{"python_version ~= '2.7.0' and (os_name == 'foo' or os_name == 'bar')", Environment{"os_name": "foo", "python_version": "2.7.4"}, true},
		{"python_version ~= '2.7.0' and (os_name == 'foo' or os_name == 'bar')", Environment{"os_name": "bar", "python_version": "2.7.4"}, true},
		{"python_version ~= '2.7.0' and (os_name == 'foo' or os_name == 'bar')", Environment{"os_name": "other", "python_version": "2.7.4"}, false},
		{"extra == 'security'", Environment{"extra": "quux"}, false},
		{"extra == 'security'", Environment{"extra": "security"}, true},
		{"extra == 'SECURITY'", Environment{"extra": "security"}, true},
		{"extra == 'security'", Environment{"extra": "SECURITY"}, true},
		{"extra == 'pep-685-norm'", Environment{"extra": "PEP_685...norm"}, true},
		{"extra == 'Different.punctuation..is...equal'", Environment{"extra": "different__punctuation_is_EQUAL"}, true},
		{"extra == 'im_valid'", Environment{}, false},
		{"sys.platform == 'win32'", Environment{"sys_platform": "linux2"}, false},
		{"platform.version in 'Ubuntu'", Environment{"platform_version": "#39"}, false},
		{"platform.machine=='x86_64'", Environment{"platform_machine": "x86_64"}, true},
		{"platform.python_implementation=='Jython'", Environment{"platform_python_implementation": "CPython"}, false},
		{"python_implementation=='Jython'", Environment{"platform_python_implementation": "CPython"}, false},
		// test_prefers_pep440, test_new_string_rules, test_allows_prerelease
		{`"2.7.9" < python_full_version`, Environment{"python_full_version": "2.7.10"}, true},
		{`"2.7.9" < python_full_version`, Environment{"python_full_version": "2.7.8"}, false},
		{`"b" < python_full_version`, Environment{"python_full_version": "c"}, true},
		{`"b" < python_full_version`, Environment{"python_full_version": "a"}, false},
		{`"b" > "a"`, Environment{}, true},
		{`"a" <= "a"`, Environment{}, true},
		{`python_full_version > "3.6.2"`, Environment{"python_full_version": "3.11.0a5"}, true},
		{`python_full_version >= "3.13"`, Environment{"python_full_version": "3.13.0+"}, true},
		// precedence: PEP 508 "a and b or c" is "(a and b) or c"
		{"os_name=='a' and os_name=='b' or os_name=='c'", Environment{"os_name": "c"}, true},
		{"os_name=='a' and (os_name=='b' or os_name=='c')", Environment{"os_name": "c"}, false},
		{"os_name=='a' or os_name=='b' and os_name=='c'", Environment{"os_name": "a"}, true},
		{"(os_name=='a' or os_name=='b') and os_name=='c'", Environment{"os_name": "a"}, false},
		// versions against the default environment
		{`python_version >= "3.8" and platform_system == "Linux"`, DefaultEnvironment("3.11.2"), true},
		{`python_version < "3.10"`, DefaultEnvironment("3.11.2"), false},
		{`python_version == "3.11.*"`, DefaultEnvironment("3.11.2"), true},
		{`python_version == "3.1.*"`, DefaultEnvironment("3.11.2"), false},
		{`python_full_version == "3.11.*"`, DefaultEnvironment("3.11.2"), true},
		{`python_version > "3.9"`, DefaultEnvironment("3.11.2"), true},
		{`implementation_name == "cpython" and platform_machine == "x86_64"`, DefaultEnvironment("3.11.2"), true},
		{`platform_release >= "5"`, DefaultEnvironment("3.11.2"), true}, // not a version: string comparison
		{`python_version < "3.13" and python_full_version >= "3.13.0rc1"`, DefaultEnvironment("3.13.0rc1"), false},
		{`python_full_version >= "3.13.0rc1"`, DefaultEnvironment("3.13.0rc1"), true},
		{`python_full_version >= "3.13.0"`, DefaultEnvironment("3.13.0rc1"), false},
		{`python_version === "3.11"`, DefaultEnvironment("3.11.2"), true},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Errorf("ParseMarker(%q): %v", tt.marker, err)
			continue
		}
		got, err := m.Evaluate(tt.env)
		if err != nil {
			t.Errorf("%q.Evaluate(%v): %v", tt.marker, tt.env, err)
		} else if got != tt.want {
			t.Errorf("%q.Evaluate(%v) = %v, want %v", tt.marker, tt.env, got, tt.want)
		}
	}
}

func TestMarkerEvaluateErrors(t *testing.T) {
	for _, tt := range []struct {
		marker string
		env    Environment
	}{
		{"'2.7.0' ~= os_name", Environment{"os_name": "posix"}},
		{"os_name == 'a'", Environment{}},
		{"os_name == 'a' or python_version > '3'", Environment{"os_name": "b"}},
	} {
		m, err := ParseMarker(tt.marker)
		if err != nil {
			t.Fatalf("ParseMarker(%q): %v", tt.marker, err)
		}
		if _, err := m.Evaluate(tt.env); !errors.Is(err, ErrUndefinedMarker) {
			t.Errorf("%q.Evaluate(%v) error = %v, want ErrUndefinedMarker", tt.marker, tt.env, err)
		}
	}
	var nilMarker *Marker
	if ok, err := nilMarker.Evaluate(nil); !ok || err != nil {
		t.Errorf("nil marker: %v, %v; want true, nil", ok, err)
	}
}

func TestDefaultEnvironment(t *testing.T) {
	env := DefaultEnvironment("3.11.2")
	want := map[string]string{
		"python_version": "3.11", "python_full_version": "3.11.2", "os_name": "posix", "sys_platform": "linux",
		"platform_machine": "x86_64", "platform_python_implementation": "CPython", "platform_system": "Linux",
		"implementation_name": "cpython", "implementation_version": "3.11.2",
	}
	for k, v := range want {
		if env[k] != v {
			t.Errorf("DefaultEnvironment[%q] = %q, want %q", k, env[k], v)
		}
	}
	if got := DefaultEnvironment("3.10.0")["python_version"]; got != "3.10" {
		t.Errorf("python_version for 3.10.0 = %q", got)
	}
}

func TestMarkerForExtras(t *testing.T) {
	tests := []struct {
		in       string
		extras   []string
		want     string
		mentions bool
	}{
		{`extra == "test"`, []string{"test"}, `extra == ""`, true},
		{`extra == "docs"`, []string{"test"}, `extra == "docs"`, true},
		{`extra == 'Test_Utils'`, []string{"test-utils"}, `extra == ""`, true},
		{`python_version < "3.8" and extra == "test"`, []string{"test"}, `python_version < "3.8" and extra == ""`, true},
		{`(extra == "test" or extra == "docs") and os_name == "posix"`, []string{"test"},
			`(extra == "" or extra == "docs") and os_name == "posix"`, true},
		{`"test" == extra`, []string{"test"}, `"" == extra`, true},
		{`python_version < "3.8"`, []string{"test"}, `python_version < "3.8"`, false},
		{`extra == "test"`, nil, `extra == "test"`, true},
	}
	for _, tt := range tests {
		m, err := ParseMarker(tt.in)
		if err != nil {
			t.Fatalf("ParseMarker(%q): %v", tt.in, err)
		}
		got, mentions := m.ForExtras(tt.extras)
		if got.String() != tt.want || mentions != tt.mentions {
			t.Errorf("ParseMarker(%q).ForExtras(%q) = %q, %v; want %q, %v", tt.in, tt.extras, got, mentions, tt.want, tt.mentions)
		}
		if m.String() != mustMarker(t, tt.in).String() {
			t.Errorf("ForExtras changed the marker it was called on: %q", m)
		}
	}
}

func mustMarker(t *testing.T, s string) *Marker {
	t.Helper()
	m, err := ParseMarker(s)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestMarkerForExtrasEvaluates checks the point of ForExtras: with extra "" (pip's command line),
// a rewritten marker holds for the chosen extras only.
func TestMarkerForExtrasEvaluates(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{`extra == "test"`, true},
		{`extra == "docs"`, false},
		{`extra == "test" and python_version >= "3"`, true},
		{`extra != "test"`, false},
	}
	env := DefaultEnvironment("3.11.2")
	for _, tt := range tests {
		m, _ := mustMarker(t, tt.in).ForExtras([]string{"test"})
		got, err := m.Evaluate(env)
		if err != nil || got != tt.want {
			t.Errorf("%q rewritten %q: %v, %v; want %v", tt.in, m, got, err, tt.want)
		}
	}
}
