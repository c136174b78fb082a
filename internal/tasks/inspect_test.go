package tasks

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/inspection"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/testfs"
)

func TestDeclaredDependencies(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		metadata string
		pyproj   []string
		want     []string
	}{
		{"nothing declared", nil, "", nil, nil},
		{"a setup.py's install_requires, kept in the egg-info's requires.txt", map[string]string{
			"acme.egg-info/requires.txt": "requests!=2.9.0\npython-aliyun-sdk-core>=2.13.12\n\n[test]\npytest\n",
		}, "", nil, []string{"requests", "python-aliyun-sdk-core"}},
		{"a src layout's egg-info", map[string]string{
			"src/acme.egg-info/requires.txt": "six\n",
		}, "", nil, []string{"six"}},
		{"Requires-Dist without the extras', and pyproject's dependencies, once each",
			nil, "Metadata-Version: 2.1\nName: acme\nVersion: 1.0\nRequires-Dist: attrs>=20\nRequires-Dist: pytest; extra == \"test\"\n",
			[]string{"Attrs", "idna ; python_version < '3.12'"}, []string{"attrs", "idna"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			src := Source{Root: root}
			if tc.metadata != "" {
				m, err := pkgmeta.ParseCoreMetadata(strings.NewReader(tc.metadata), 1<<20)
				if err != nil {
					t.Fatal(err)
				}
				src.Metadata = m
			}
			if tc.pyproj != nil {
				src.Pyproject = &pkgmeta.Pyproject{Project: &pkgmeta.Project{Name: "acme", Dependencies: tc.pyproj}}
			}
			if diff := cmp.Diff(tc.want, declaredDependencies(src)); diff != "" {
				t.Errorf("declaredDependencies (-want +got):\n%s", diff)
			}
		})
	}
}

// TestHasLicenseFile: a licence file is found by its usual names and by those that name the
// licence too.
func TestHasLicenseFile(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"LICENSE", map[string]string{"LICENSE": "x"}, true},
		{"COPYING.LESSER", map[string]string{"COPYING.LESSER": "x"}, true},
		{"ordered-set 4.1.0's MIT-LICENSE", map[string]string{"MIT-LICENSE": "x"}, true},
		{"a REUSE LICENSES/ directory", map[string]string{"LICENSES/MIT.txt": "x"}, true},
		{"none", map[string]string{"README.md": "x", "setup.py": "x"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if got := hasLicenseFile(root); got != tc.want {
				t.Errorf("hasLicenseFile = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestShipsTests(t *testing.T) {
	const doctested = "def f():\n    \"\"\"\n    >>> f()\n    1\n    \"\"\"\n    return 1\n"
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  bool
	}{
		{"test modules", map[string]string{"tests/test_a.py": "def test_a():\n    pass\n"}, true},
		{"a runner of its own (feedparser's tests/runtests.py)", map[string]string{"tests/runtests.py": "import unittest\n"}, true},
		{"the module doctests its pytest configuration asks for (jaraco.context 4.3.0)",
			map[string]string{"jaraco/context.py": doctested, "pytest.ini": "[pytest]\naddopts = --doctest-modules\n"}, true},
		{"doctests nobody asks for", map[string]string{"pkg/__init__.py": doctested}, false},
		{"a configuration that asks for doctests the modules do not hold",
			map[string]string{"pkg/__init__.py": "X = 1\n", "pytest.ini": "[pytest]\naddopts = --doctest-modules\n"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if got := shipsTests(root); got != tc.want {
				t.Errorf("shipsTests = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestProjectFactsFromPyproject: a source tree without PKG-INFO (a checkout given as a
// directory) has its metadata read from pyproject.toml's [project] table, its readme file
// included: tomli 2.0.1's tree scored 4/10 with "no description" beside the metadata its wheel
// was built with.
func TestProjectFactsFromPyproject(t *testing.T) {
	root := t.TempDir()
	pyproject := `[project]
name = "tomli"
version = "2.0.1"
description = "A lil' TOML parser"
readme = "README.md"
requires-python = ">=3.7"
license = { file = "LICENSE" }
authors = [{ name = "Taneli Hukkinen", email = "hukkin@users.noreply.github.com" }]
keywords = ["toml"]
classifiers = ["License :: OSI Approved :: MIT License"]

[project.urls]
"Homepage" = "https://github.com/hukkin/tomli"
`
	testfs.Write(t, root, map[string]string{"pyproject.toml": pyproject, "README.md": "# Tomli\n\nA lil' TOML parser.\n", "LICENSE": "MIT"})
	pp, _ := pkgmeta.ParsePyproject([]byte(pyproject)) // its problems (no [build-system]) are no matter here
	if pp == nil || pp.Project == nil {
		t.Fatal("pyproject.toml: no [project] table read")
	}
	got := (&job{}).projectFacts(t.Context(), Source{Root: root, Pyproject: pp})
	got.Requires, got.HasPyproject, got.HasBuildSystem, got.HasSetupPy, got.HasTests, got.HasLicenseFile, got.HasReadme = nil, false, false, false, false, false, false
	want := inspection.Project{Name: "tomli", Version: "2.0.1", Summary: "A lil' TOML parser", Description: "# Tomli\n\nA lil' TOML parser.\n",
		DescriptionContentType: "text/markdown", License: "LICENSE", RequiresPython: ">=3.7", Author: "Taneli Hukkinen", Keywords: "toml",
		Classifiers: []string{"License :: OSI Approved :: MIT License"}, URLs: 1, Emails: []string{"hukkin@users.noreply.github.com"},
		HomeURLs: []string{"https://github.com/hukkin/tomli"}, DescriptionRenders: true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("facts (-want +got):\n%s", d)
	}
}
