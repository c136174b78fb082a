package pkgmeta

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// ignoreParsed leaves out the pep440 value (its own package tests it); the
// JSON-facing fields beside it carry the same information.
var ignoreParsed = cmpopts.IgnoreFields(RequirementEntry{}, "Parsed")

// cmpOptsIgnoreError leaves out pep440's error texts, checked by presence.
var cmpOptsIgnoreError = cmpopts.IgnoreFields(RequirementEntry{}, "Error")

func parseFile(t *testing.T, name string) *CoreMetadata {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m, err := ParseCoreMetadata(f, 0)
	if err != nil {
		t.Fatalf("ParseCoreMetadata(%s): %v", name, err)
	}
	return m
}

func TestParseCoreMetadataRealFiles(t *testing.T) {
	tests := []struct {
		file        string
		want        *CoreMetadata
		headers     int
		descPrefix  string
		requiresLen int
	}{
		{
			file: "pip.METADATA",
			want: &CoreMetadata{
				MetadataVersion: "2.1", Name: "pip", Version: "23.0.1",
				Summary:  "The PyPA recommended tool for installing Python packages.",
				Homepage: "https://pip.pypa.io/", Author: "The pip developers",
				AuthorEmail: "distutils-sig@python.org", License: "MIT",
				ProjectURLs: []ProjectURL{
					{Label: "Documentation", URL: "https://pip.pypa.io"},
					{Label: "Source", URL: "https://github.com/pypa/pip"},
					{Label: "Changelog", URL: "https://pip.pypa.io/en/stable/news/"},
				},
				Classifiers: []string{
					"Development Status :: 5 - Production/Stable",
					"Intended Audience :: Developers",
					"License :: OSI Approved :: MIT License",
					"Topic :: Software Development :: Build Tools",
					"Programming Language :: Python",
					"Programming Language :: Python :: 3",
					"Programming Language :: Python :: 3 :: Only",
					"Programming Language :: Python :: 3.7",
					"Programming Language :: Python :: 3.8",
					"Programming Language :: Python :: 3.9",
					"Programming Language :: Python :: 3.10",
					"Programming Language :: Python :: 3.11",
					"Programming Language :: Python :: Implementation :: CPython",
					"Programming Language :: Python :: Implementation :: PyPy",
				},
				RequiresPython:    ">=3.7",
				LicenseFiles:      []string{"LICENSE.txt"},
				DescriptionInBody: true,
			},
			headers:    27,
			descPrefix: "pip - The Python Package Installer\n==================================\n\n.. image::",
		},
		{
			file: "wheel.METADATA",
			want: &CoreMetadata{
				MetadataVersion: "2.1", Name: "wheel", Version: "0.38.4",
				Summary:  "A built-package format for Python",
				Homepage: "https://github.com/pypa/wheel", Author: "Daniel Holth",
				AuthorEmail: "dholth@fastmail.fm", Maintainer: "Alex Grönholm",
				MaintainerEmail: "alex.gronholm@nextday.fi", License: "MIT",
				ProjectURLs: []ProjectURL{
					{Label: "Documentation", URL: "https://wheel.readthedocs.io/"},
					{Label: "Changelog", URL: "https://wheel.readthedocs.io/en/stable/news.html"},
					{Label: "Issue Tracker", URL: "https://github.com/pypa/wheel/issues"},
				},
				Keywords: []string{"wheel", "packaging"},
				Classifiers: []string{
					"Development Status :: 5 - Production/Stable",
					"Intended Audience :: Developers",
					"Topic :: System :: Archiving :: Packaging",
					"License :: OSI Approved :: MIT License",
					"Programming Language :: Python",
					"Programming Language :: Python :: 3 :: Only",
					"Programming Language :: Python :: 3.7",
					"Programming Language :: Python :: 3.8",
					"Programming Language :: Python :: 3.9",
					"Programming Language :: Python :: 3.10",
					"Programming Language :: Python :: 3.11",
				},
				RequiresPython: ">=3.7",
				LicenseFiles:   []string{"LICENSE.txt"},
				ProvidesExtra:  []string{"test"},
				RequiresDist: []RequirementEntry{{
					Raw: "pytest (>=3.0.0) ; extra == 'test'", Name: "pytest",
					Specifier: ">=3.0.0", Marker: `extra == "test"`,
				}},
				DescriptionInBody: true,
			},
			headers:    29,
			descPrefix: "wheel\n=====\n\nThis library is the reference implementation",
		},
		{
			file: "legacy-1.0.PKG-INFO",
			want: &CoreMetadata{
				MetadataVersion: "1.0", Name: "oldpkg", Version: "0.9.1",
				Summary:     "An old-style package summary",
				Homepage:    "http://example.com/oldpkg",
				Author:      "Ann Author",
				AuthorEmail: "ann@example.com",
				License:     "UNKNOWN",
				Description: "Old package\n===========\n\nAn indented description, written by distutils' rfc822_escape.\n\n    Indented code stays indented.",
				Keywords:    []string{"old", "legacy", "distutils"},
				Platform:    []string{"UNKNOWN"},
			},
			headers: 11,
		},
		{
			file: "pipe-1.2.PKG-INFO",
			want: &CoreMetadata{
				MetadataVersion: "1.2", Name: "piped", Version: "1.0",
				Summary:        "Description with the pipe convention",
				Description:    "This project provides powerful math functions\nFor example, you can use `sum()` to sum numbers:\n\nExample::\n\n    >>> sum(1, 2)\n    3",
				RequiresDist:   []RequirementEntry{{Raw: "pkginfo", Name: "pkginfo"}},
				RequiresPython: ">=2.7",
				ProjectURLs:    []ProjectURL{{Label: "Bug Tracker", URL: "http://bitbucket.org/tarek/distribute/issues/"}},
			},
			headers: 8,
		},
		{
			file: "license-2.4.METADATA",
			want: &CoreMetadata{
				MetadataVersion: "2.4", Name: "modern-pkg", Version: "2.0.0rc1",
				Summary:           "A package using PEP 639 license metadata",
				AuthorEmail:       "Jane Doe <jane@example.org>",
				LicenseExpression: "MIT AND (Apache-2.0 OR BSD-2-Clause)",
				LicenseFiles:      []string{"LICENSE", "licenses/LICENSE.APACHE", "licenses/LICENSE.BSD"},
				Classifiers:       []string{"Programming Language :: Python :: 3", "Topic :: Software Development :: Libraries"},
				RequiresPython:    ">=3.9",
				RequiresDist: []RequirementEntry{
					{Raw: "requests>=2.31", Name: "requests", Specifier: ">=2.31"},
					{Raw: `tomli>=1.1.0; python_version < "3.11"`, Name: "tomli", Specifier: ">=1.1.0", Marker: `python_version < "3.11"`},
					{Raw: `pytest>=8; extra == "test"`, Name: "pytest", Specifier: ">=8", Marker: `extra == "test"`},
				},
				ProvidesExtra: []string{"test"},
				ProjectURLs: []ProjectURL{
					{Label: "Homepage", URL: "https://example.org/modern-pkg"},
					{Label: "Source", URL: "https://github.com/example/modern-pkg"},
				},
				Dynamic:                []string{"license-file"},
				DescriptionContentType: "text/markdown; charset=UTF-8; variant=GFM",
				Description:            "# modern-pkg\n\nA description in the *body*.",
				DescriptionInBody:      true,
			},
			headers: 20,
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := parseFile(t, tt.file)
			opts := []cmp.Option{ignoreParsed, cmpopts.IgnoreFields(CoreMetadata{}, "Headers")}
			if tt.descPrefix != "" {
				opts = append(opts, cmpopts.IgnoreFields(CoreMetadata{}, "Description"))
				if !strings.HasPrefix(m.Description, tt.descPrefix) {
					t.Errorf("Description starts %q, want prefix %q", truncate(m.Description, 100), tt.descPrefix)
				}
			}
			if diff := cmp.Diff(tt.want, m, opts...); diff != "" {
				t.Errorf("ParseCoreMetadata mismatch (-want +got):\n%s", diff)
			}
			if len(m.Headers) != tt.headers {
				t.Errorf("got %d raw headers, want %d", len(m.Headers), tt.headers)
			}
			if ps := Validate(m, ""); hasSeverity(ps, SeverityError) {
				t.Errorf("Validate found errors in a real file: %v", ps)
			}
		})
	}
}

func TestParseCoreMetadataSetuptoolsExtras(t *testing.T) {
	m := parseFile(t, "setuptools.METADATA")
	if diff := cmp.Diff([]string{"certs", "docs", "ssl", "testing", "testing-integration"}, m.ProvidesExtra); diff != "" {
		t.Errorf("ProvidesExtra (-want +got):\n%s", diff)
	}
	if len(m.RequiresDist) != 45 {
		t.Errorf("got %d Requires-Dist, want 45", len(m.RequiresDist))
	}
	for _, r := range m.RequiresDist {
		if r.Parsed == nil || r.Error != "" {
			t.Errorf("Requires-Dist %q not parsed: %s", r.Raw, r.Error)
		}
	}
	if diff := cmp.Diff([]string{"testing", "testing-integration"}, TestExtras(m)); diff != "" {
		t.Errorf("TestExtras (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(Header{Name: "Keywords", Value: "CPAN PyPI distutils eggs package management"}, m.Headers[9]); diff != "" {
		t.Errorf("raw header (-want +got):\n%s", diff)
	}
}

func TestParseCoreMetadataMalformed(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want *CoreMetadata
	}{
		{
			name: "CRLF and folded summary kept raw",
			in:   "Metadata-Version: 2.1\r\nName: a\r\nVersion: 1\r\nSummary: one\r\n  two\r\n",
			want: &CoreMetadata{
				MetadataVersion: "2.1", Name: "a", Version: "1", Summary: "one two",
				Headers: []Header{{"Metadata-Version", "2.1"}, {"Name", "a"}, {"Version", "1"}, {"Summary", "one\n  two"}},
			},
		},
		{
			name: "continuation before any header",
			in:   "  stray\nName: a\n",
			want: &CoreMetadata{
				Name: "a", Headers: []Header{{"Name", "a"}},
				Problems: []Problem{{"headers", SeverityWarning, "continuation line before any header is ignored"}},
			},
		},
		{
			name: "non-header line starts the body",
			in:   "Name: a\nthis is not a header\nmore body\n",
			want: &CoreMetadata{
				Name: "a", Headers: []Header{{"Name", "a"}},
				Description: "this is not a header\nmore body", DescriptionInBody: true,
				Problems: []Problem{{"headers", SeverityWarning, "line 2 is not a header; no blank line separates headers from body"}},
			},
		},
		{
			name: "duplicate single-use field keeps the first",
			in:   "Name: a\nName: b\nName: c\n",
			want: &CoreMetadata{
				Name: "a", Headers: []Header{{"Name", "a"}, {"Name", "b"}, {"Name", "c"}},
				Problems: []Problem{{"Name", SeverityError, "single-use field appears more than once; the first value is used"}},
			},
		},
		{
			name: "invalid UTF-8 replaced",
			in:   "Name: a\xffb\n",
			want: &CoreMetadata{
				Name: "a\uFFFDb", Headers: []Header{{"Name", "a\uFFFDb"}},
				Problems: []Problem{{"encoding", SeverityError, "metadata is not valid UTF-8; invalid bytes replaced"}},
			},
		},
		{
			name: "Project-URL without label",
			in:   "Project-URL: https://example.com\n",
			want: &CoreMetadata{
				ProjectURLs: []ProjectURL{{URL: "https://example.com"}},
				Headers:     []Header{{"Project-URL", "https://example.com"}},
				Problems:    []Problem{{"Project-URL", SeverityError, `"https://example.com" is not of the form "label, url"`}},
			},
		},
		{
			name: "description as header and body",
			in:   "Description: header text\n\nbody text\n",
			want: &CoreMetadata{
				Description: "body text", DescriptionInBody: true,
				Headers:  []Header{{"Description", "header text"}},
				Problems: []Problem{{"Description", SeverityWarning, "description given both as a header and as the message body; the body is used"}},
			},
		},
		{
			name: "header names are case-insensitive, no trailing newline",
			in:   "NAME: a\nversion:1.0",
			want: &CoreMetadata{Name: "a", Version: "1.0", Headers: []Header{{"NAME", "a"}, {"version", "1.0"}}},
		},
		{
			name: "bad requirement kept with its error",
			in:   "Requires-Dist: foo >= >=\n",
			want: &CoreMetadata{
				RequiresDist: []RequirementEntry{{Raw: "foo >= >="}},
				Headers:      []Header{{"Requires-Dist", "foo >= >="}},
			},
		},
		{
			name: "empty input",
			in:   "",
			want: &CoreMetadata{Headers: []Header{}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseCoreMetadata(strings.NewReader(tt.in), 0)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, m, ignoreParsed, cmpOptsIgnoreError); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			for _, r := range m.RequiresDist {
				if (r.Parsed == nil) == (r.Error == "") {
					t.Errorf("requirement %q: Parsed and Error disagree (%v, %q)", r.Raw, r.Parsed, r.Error)
				}
			}
		})
	}
}

func hasSeverity(ps []Problem, s Severity) bool {
	for _, p := range ps {
		if p.Severity == s {
			return true
		}
	}
	return false
}
