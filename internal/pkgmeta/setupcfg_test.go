package pkgmeta

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseSetupCfgSetuptoolsDocs(t *testing.T) {
	c, ps := ParseSetupCfg(readTestdata(t, "setuptools-docs.setup.cfg"))
	want := &SetupCfg{
		Metadata: SetupMetadata{
			Name:        "my_package",
			Author:      "Your Name",
			AuthorEmail: "your@email.address",
			Description: "My package description",
			Keywords:    []string{"one", "two"},
			License:     "BSD-3-Clause",
			Classifiers: []string{"Framework :: Django", "Programming Language :: Python :: 3"},
		},
		Options: SetupOptions{
			PythonRequires:  ">=3.7",
			InstallRequires: []string{"requests", `importlib-metadata; python_version<"3.8"`},
			PackagesFind:    "find:",
			FindExclude:     []string{"examples*", "tools*", "docs*", "my_package.tests*"},
		},
		ExtrasRequire: map[string][]string{
			"pdf":  {"ReportLab>=1.2", "RXP"},
			"rest": {"docutils>=0.3", "pack ==1.1, ==1.3"},
		},
		EntryPoints: map[string][]string{"console_scripts": {"executable-name = my_package.module:function"}},
		Directives: []Directive{
			{Section: "metadata", Key: "version", Kind: "attr", Args: []string{"my_package.VERSION"}},
			{Section: "metadata", Key: "long_description", Kind: "file", Args: []string{"README.rst", "CHANGELOG.rst", "LICENSE.rst"}},
		},
	}
	if diff := cmp.Diff(want, c, cmpopts.IgnoreFields(SetupCfg{}, "Sections")); diff != "" {
		t.Errorf("ParseSetupCfg (-want +got):\n%s", diff)
	}
	if len(ps) != 0 {
		t.Errorf("unexpected problems: %v", ps)
	}
	var names []string
	for _, s := range c.Sections {
		names = append(names, s.Name)
	}
	wantNames := []string{"metadata", "options", "options.package_data", "options.entry_points", "options.extras_require", "options.packages.find"}
	if diff := cmp.Diff(wantNames, names); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(IniEntry{Key: "*", Value: "*.txt, *.rst", Line: 24}, c.Sections[2].Entries[0]); diff != "" {
		t.Errorf("raw entry (-want +got):\n%s", diff)
	}
}

func TestParseSetupCfgProblemsAndTests(t *testing.T) {
	in := `
stray = 1
[metadata]
name = -bad-
version = 1.0.x
author-email = a@b.c
home_page = https://example.com
long_description_content_type = text/html
project_urls =
    Source = https://github.com/x/y
    Broken line
# a comment
[options]
python_requires = >=three
install_requires = foo; python_version < "3.8"
tests_require =
    pytest>=7
    # a comment inside the value
    ; another
    mock >=>=
packages =
    pkg
    pkg.sub
package_dir =
    =src
not a key value
[options.extras_require]
testing = pytest-cov
docs = file: ../docs/reqs.txt
[options]
py_modules = a, b
py_modules = c
`
	c, ps := ParseSetupCfg([]byte(in))
	wantPs := []Problem{
		{"setup.cfg", SeverityError, "line 2: entry outside any [section] ignored"},
		{"setup.cfg", SeverityError, `line 26: "not a key value" is not "key = value"; ignored`},
		{"setup.cfg", SeverityError, "line 30: section [options] repeated (configparser refuses this); entries merged"},
		{"setup.cfg", SeverityError, `line 32: key "py_modules" repeated in [options] (configparser refuses this); the last value is used`},
		{"metadata.name", SeverityError, `"-bad-" is not a valid project name`},
		{"metadata.version", SeverityError, `"1.0.x" is not a valid PEP 440 version: `},
		{"metadata.author-email", SeverityWarning, `dashed key is deprecated by setuptools; use "author_email"`},
		{"metadata.long_description_content_type", SeverityError, `"text/html" is not one of text/plain, text/x-rst, text/markdown`},
		{"metadata.project_urls", SeverityError, `"Broken line" is not "label = url"`},
		{"options.python_requires", SeverityError, `">=three" is not a valid version specifier: `},
		{"options.install_requires", SeverityWarning, `"foo; python_version < \"3.8\"" is read as two requirements; put the requirement on its own line so that "python_version < \"3.8\"" stays its environment marker`},
		{"options.install_requires", SeverityError, `"python_version < \"3.8\"" is not a valid PEP 508 requirement: `},
		{"options.tests_require", SeverityError, `"mock >=>=" is not a valid PEP 508 requirement: `},
		{"options.tests_require", SeverityInfo, "deprecated and ignored by setuptools; PYTI still uses it to find test dependencies"},
		{"options.extras_require.docs", SeverityError, `file: "../docs/reqs.txt" must be a relative path inside the project`},
	}
	for i := range ps {
		if i < len(wantPs) && strings.HasSuffix(wantPs[i].Message, ": ") && strings.HasPrefix(ps[i].Message, wantPs[i].Message) {
			ps[i].Message = wantPs[i].Message
		}
	}
	if diff := cmp.Diff(wantPs, ps); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	wantMeta := SetupMetadata{
		Name: "-bad-", Version: "1.0.x", AuthorEmail: "a@b.c", URL: "https://example.com",
		LongDescriptionContentType: "text/html",
		ProjectURLs:                []ProjectURL{{Label: "Source", URL: "https://github.com/x/y"}},
	}
	if diff := cmp.Diff(wantMeta, c.Metadata); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	wantOpts := SetupOptions{
		PythonRequires:  ">=three",
		InstallRequires: []string{"foo", `python_version < "3.8"`},
		TestsRequire:    []string{"pytest>=7", "mock >=>="},
		Packages:        []string{"pkg", "pkg.sub"},
		PackageDir:      map[string]string{"": "src"},
		PyModules:       []string{"c"},
	}
	if diff := cmp.Diff(wantOpts, c.Options); diff != "" {
		t.Errorf("options (-want +got):\n%s", diff)
	}
	wantDeps := []TestDependencies{
		{Source: "setup.cfg", Kind: "tests_require", Requirements: []string{"pytest>=7", "mock >=>="}},
		{Source: "setup.cfg", Kind: "extra", Name: "testing", Requirements: []string{"pytest-cov"}},
	}
	if diff := cmp.Diff(wantDeps, SetupCfgTestDependencies(c)); diff != "" {
		t.Errorf("SetupCfgTestDependencies (-want +got):\n%s", diff)
	}
}

func TestParseSetupCfgTooLarge(t *testing.T) {
	c, ps := ParseSetupCfg(make([]byte, MaxConfigBytes+1))
	if c == nil || len(ps) != 1 || !strings.Contains(ps[0].Message, ErrTooLarge.Error()) {
		t.Errorf("got %v, %v", c, ps)
	}
}

// TestSetupCfgRequirementLines: requirement lines are read as setuptools reads them, comments
// and "\" continuations included, with no problem reported for what setuptools accepts.
func TestSetupCfgRequirementLines(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		want        []string
		problems    int
	}{
		{"one a line", "\n    pytest >= 6\n    pytest-cov\n", []string{"pytest >= 6", "pytest-cov"}, 0},
		{"a continuation across a comment line (jaraco's skeleton)",
			"\n\t# upstream\n\tpytest >= 6\n\tpytest-flake8; \\\n\t\t# workaround for tholo/pytest-flake8#87\n\t\tpython_version < \"3.12\"\n\tflake8 < 5\n",
			[]string{"pytest >= 6", `pytest-flake8; python_version < "3.12"`, "flake8 < 5"}, 0},
		{"an inline comment", "\n    pytest  # the runner\n    mock\n", []string{"pytest", "mock"}, 0},
		{"a continuation that nothing follows", "\n    pytest\n    mock; \\\n", []string{"pytest"}, 0},
		{"a URL's fragment is not a comment", "\n    pkg @ https://example.com/pkg.zip#sha256=00\n", []string{"pkg @ https://example.com/pkg.zip#sha256=00"}, 0},
		{"a broken requirement is still one", "\n    mock >=>=\n", []string{"mock >=>="}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ps := ParseSetupCfg([]byte("[options]\ninstall_requires =" + tc.value))
			if d := cmp.Diff(tc.want, c.Options.InstallRequires); d != "" {
				t.Errorf("install_requires (-want +got):\n%s", d)
			}
			if len(ps) != tc.problems {
				t.Errorf("problems: %v, want %d", ps, tc.problems)
			}
		})
	}
}
