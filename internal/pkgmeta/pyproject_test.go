package pkgmeta

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePyprojectPEP621(t *testing.T) {
	p, ps := ParsePyproject(readTestdata(t, "pep621.pyproject.toml"))
	want := &Pyproject{Project: &Project{
		Name:           "spam",
		Version:        "2020.0.0",
		Description:    "Lovely Spam! Wonderful Spam!",
		Readme:         &Readme{File: "README.rst", ContentType: "text/x-rst"},
		RequiresPython: ">=3.8",
		License:        &License{File: "LICENSE.txt"},
		Keywords:       []string{"egg", "bacon", "sausage", "tomatoes", "Lobster Thermidor"},
		Authors:        []Contact{{Email: "hi@pradyunsg.me"}, {Name: "Tzu-ping Chung"}},
		Maintainers:    []Contact{{Name: "Brett Cannon", Email: "brett@python.org"}},
		Classifiers:    []string{"Development Status :: 4 - Beta", "Programming Language :: Python"},
		URLs: []ProjectURL{
			{Label: "changelog", URL: "https://github.com/me/spam/blob/master/CHANGELOG.md"},
			{Label: "documentation", URL: "https://readthedocs.org"},
			{Label: "homepage", URL: "https://example.com"},
			{Label: "repository", URL: "https://github.com"},
		},
		Scripts:      map[string]string{"spam-cli": "spam:main_cli"},
		GUIScripts:   map[string]string{"spam-gui": "spam:main_gui"},
		EntryPoints:  map[string]map[string]string{"spam.magical": {"tomatoes": "spam:main_tomatoes"}},
		Dependencies: []string{"httpx", "gidgethub[httpx]>4.0.0", "django>2.1; os_name != 'nt'", "django>2.0; os_name == 'nt'"},
		OptionalDependencies: map[string][]string{
			"gui":  {"PyQt5"},
			"cli":  {"rich", "click"},
			"test": {"pytest < 5.0.0", "pytest-cov[all]"},
		},
	}}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParsePyproject (-want +got):\n%s", diff)
	}
	wantPs := []Problem{
		{"build-system", SeverityInfo, "no [build-system] table; pip falls back to setuptools' legacy backend"},
		{"project.license", SeverityInfo, "the table form is deprecated by PEP 639; use an SPDX expression string"},
	}
	if diff := cmp.Diff(wantPs, ps); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	wantDeps := []TestDependencies{{Source: "pyproject.toml", Kind: "extra", Name: "test", Requirements: []string{"pytest < 5.0.0", "pytest-cov[all]"}}}
	if diff := cmp.Diff(wantDeps, PyprojectTestDependencies(p)); diff != "" {
		t.Errorf("PyprojectTestDependencies (-want +got):\n%s", diff)
	}
}

func TestParsePyprojectPEP735(t *testing.T) {
	p, ps := ParsePyproject(readTestdata(t, "pep735.pyproject.toml"))
	want := &Pyproject{
		BuildSystem: &BuildSystem{Requires: []string{"hatchling"}, BuildBackend: "hatchling.build"},
		Project:     &Project{Name: "groups-example", Dynamic: []string{"version"}},
		DependencyGroups: []DependencyGroup{
			{Name: "docs", Requirements: []string{"sphinx", "sphinx-rtd-theme"}},
			{Name: "test", Requirements: []string{"pytest", "coverage"}},
			{Name: "typing", Requirements: []string{"mypy", "types-requests"}},
			{Name: "typing-test", Includes: []string{"typing", "test"}, Requirements: []string{"mypy", "types-requests", "pytest", "coverage", "useful-types"}},
		},
		Tools: []string{"hatch", "pytest"},
	}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("ParsePyproject (-want +got):\n%s", diff)
	}
	if len(ps) != 0 {
		t.Errorf("unexpected problems: %v", ps)
	}
	wantDeps := []TestDependencies{
		{Source: "pyproject.toml", Kind: "dependency-group", Name: "test", Requirements: []string{"pytest", "coverage"}},
	}
	if diff := cmp.Diff(wantDeps, PyprojectTestDependencies(p)); diff != "" {
		t.Errorf("PyprojectTestDependencies (-want +got):\n%s", diff)
	}
	if g := p.Group("Typing_Test"); g == nil || g.Name != "typing-test" {
		t.Errorf("Group(Typing_Test) = %v", g)
	}
	if g := p.Group("nope"); g != nil {
		t.Errorf("Group(nope) = %v, want nil", g)
	}
}

func TestParsePyprojectProblems(t *testing.T) {
	const bs = "[build-system]\nrequires = [\"setuptools\"]\nbuild-backend = \"setuptools.build_meta\"\n"
	tests := []struct {
		name   string
		in     string
		groups []DependencyGroup
		want   []Problem
	}{
		{
			name: "include-group cycle",
			in:   bs + "[dependency-groups]\na = [\"x\", {include-group = \"b\"}]\nb = [{include-group = \"A\"}, \"y\"]\n",
			groups: []DependencyGroup{
				{Name: "a", Includes: []string{"b"}, Requirements: []string{"x", "y"}},
				{Name: "b", Includes: []string{"A"}, Requirements: []string{"y"}},
			},
			want: []Problem{{"dependency-groups.b", SeverityError, "include-group cycle: a -> b -> a"}},
		},
		{
			name:   "self include",
			in:     bs + "[dependency-groups]\nself = [{include-group = \"self\"}]\n",
			groups: []DependencyGroup{{Name: "self", Includes: []string{"self"}, Requirements: []string{}}},
			want:   []Problem{{"dependency-groups.self", SeverityError, "include-group cycle: self -> self"}},
		},
		{
			name:   "unknown include, bad entries, duplicate names",
			in:     bs + "[dependency-groups]\nTest = [{include-group = \"missing\"}, 3, {include-group = \"x\", extra = 1}, \"bad req ===\"]\ntest = []\nnot-array = \"x\"\n",
			groups: []DependencyGroup{{Name: "Test", Includes: []string{"missing"}, Requirements: []string{"bad req ==="}}},
			want: []Problem{
				{"dependency-groups.Test", SeverityError, "entry 1 must be a string or an include-group table, not an integer"},
				{"dependency-groups.Test", SeverityError, "entry 2: a table entry must have exactly one key, include-group, with a string value"},
				{"dependency-groups.Test", SeverityError, `"bad req ===" is not a valid PEP 508 requirement: `},
				{"dependency-groups.not-array", SeverityError, "must be an array, not a string"},
				{"dependency-groups.test", SeverityError, `duplicate group: "Test" and "test" normalise to the same name`},
				{"dependency-groups.Test", SeverityError, `includes unknown group "missing"`},
			},
		},
		{
			name: "invalid TOML",
			in:   "[project\nname = 1",
			want: []Problem{{"pyproject.toml", SeverityError, "invalid TOML: "}},
		},
		{
			name: "build-system without requires or backend",
			in:   "[build-system]\nbackend-path = [\"/abs\", \"../up\", \"ok\"]\n",
			want: []Problem{
				{"build-system.requires", SeverityError, "missing (PEP 518 makes it mandatory)"},
				{"build-system.build-backend", SeverityInfo, "not set; pip uses setuptools' legacy backend"},
				{"build-system.backend-path", SeverityError, `"/abs" must be a relative path inside the project`},
				{"build-system.backend-path", SeverityError, `"../up" must be a relative path inside the project`},
			},
		},
		{
			name: "project errors",
			in: bs + `[project]
name = "-bad-"
version = "x.y"
requires-python = ">=three"
dependencies = ["ok", 7, "no good ==="]
dynamic = ["name", "version", "colour"]
readme = "README.html"
license = {file = "A", text = "B"}
authors = ["me", {name = "x", url = "u"}, {}]
entry-points = {console_scripts = {a = "b:c"}}
optional-dependencies = {"-x-" = ["pytest"]}
homepage = "https://example.com"
`,
			want: []Problem{
				{"project.dependencies", SeverityError, "entry 1 must be a string, not an integer"},
				{"project.authors", SeverityError, "entry 0 must be a table with name and/or email, not a string"},
				{"project.authors", SeverityError, `entry 1 has unknown key "url" (only name and email)`},
				{"project.authors", SeverityError, "entry 2 has neither name nor email"},
				{"project.readme", SeverityError, `cannot tell the content type of "README.html" (use .md, .rst or .txt, or a table with content-type)`},
				{"project.license", SeverityError, "has both file and text"},
				{"project.license", SeverityInfo, "the table form is deprecated by PEP 639; use an SPDX expression string"},
				{"project.homepage", SeverityWarning, "not a key PEP 621 defines"},
				{"project.dynamic", SeverityError, "name must not be dynamic"},
				{"project.version", SeverityError, "given statically and also listed in project.dynamic"},
				{"project.dynamic", SeverityError, `"colour" is not a [project] field`},
				{"project.name", SeverityError, `"-bad-" is not a valid project name`},
				{"project.version", SeverityError, `"x.y" is not a valid PEP 440 version: `},
				{"project.requires-python", SeverityError, `">=three" is not a valid version specifier: `},
				{"project.dependencies", SeverityError, `"no good ===" is not a valid PEP 508 requirement: `},
				{"project.optional-dependencies.-x-", SeverityError, `"-x-" is not a valid extra name`},
				{"project.entry-points.console_scripts", SeverityError, "must be given as project.scripts or project.gui-scripts"},
			},
		},
		{
			name: "missing name and version, readme table",
			in:   bs + "[project]\nreadme = {text = \"hi\", file = \"R.md\"}\nlicense = \"\"\n",
			want: []Problem{
				{"project.readme", SeverityError, "has both file and text"},
				{"project.readme.content-type", SeverityError, "missing (required in the table form)"},
				{"project.license", SeverityError, "empty license expression"},
				{"project.name", SeverityError, "missing"},
				{"project.version", SeverityError, "missing and not listed in project.dynamic"},
			},
		},
		{
			name: "wrong table types",
			in:   "build-system = 1\nproject = \"x\"\ndependency-groups = []\ntool = 2\n",
			want: []Problem{
				{"build-system", SeverityError, "must be a table, not an integer"},
				{"build-system", SeverityInfo, "no [build-system] table; pip falls back to setuptools' legacy backend"},
				{"project", SeverityError, "must be a table, not a string"},
				{"dependency-groups", SeverityError, "must be a table, not an array"},
				{"tool", SeverityError, "must be a table, not an integer"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ps := ParsePyproject([]byte(tt.in))
			if p == nil {
				t.Fatal("nil Pyproject")
			}
			for i := range ps {
				if i < len(tt.want) && strings.HasSuffix(tt.want[i].Message, ": ") && strings.HasPrefix(ps[i].Message, tt.want[i].Message) {
					ps[i].Message = tt.want[i].Message
				}
			}
			if diff := cmp.Diff(tt.want, ps); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
			if tt.groups != nil {
				if diff := cmp.Diff(tt.groups, p.DependencyGroups); diff != "" {
					t.Errorf("groups (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestParsePyprojectHostile(t *testing.T) {
	var many strings.Builder
	for i := 0; many.Len() <= MaxPyprojectBytes; i++ {
		fmt.Fprintf(&many, "k%d = 1\n", i)
	}
	tests := []struct {
		name string
		in   string
	}{
		{"deep inline tables", "a = " + strings.Repeat("{b = ", 1000) + "1" + strings.Repeat("}", 1000)},
		{"deep arrays", "a = " + strings.Repeat("[", 100000)},
		{"deep dotted key", strings.Repeat("a.", 100000) + "a = 1"},
		{"deep quoted dotted key", strings.Repeat(`"a".`, 100) + "a = 1"},
		{"deep table header", "[[" + strings.Repeat("a.", 100) + "a]]"},
		{"too many bytes", many.String()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, ps := ParsePyproject([]byte(tt.in))
			if p == nil || len(ps) != 1 || ps[0].Severity != SeverityError || !strings.Contains(ps[0].Message, ErrTooLarge.Error()) {
				t.Errorf("got %v, %v; want one metadata-too-large error", p, ps)
			}
		})
	}
	// Strings and comments full of brackets and dots are not nesting.
	ok := "# [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[.........................\n" +
		"[project]\nname = \"a\"\nversion = \"1\"\ndescription = \"" + strings.Repeat("[{.", 50) + "\"\n" +
		"keywords = ['''" + strings.Repeat("[.]", 50) + "''', \"\"\"x\n" + strings.Repeat("{", 50) + "\"\"\"]\n"
	if _, ps := ParsePyproject([]byte(ok)); len(ps) != 1 || ps[0].Field != "build-system" {
		t.Errorf("brackets in strings and comments: %v", ps)
	}
	if !errors.Is(tooLarge("x"), ErrTooLarge) {
		t.Error("tooLarge does not wrap ErrTooLarge")
	}
}
