package pkgmeta

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const validHeaders = "Metadata-Version: 2.1\nName: good-pkg\nVersion: 1.0\n"

func TestValidate(t *testing.T) {
	tests := []struct {
		name     string
		metadata string
		filename string
		want     []Problem
	}{
		{
			name:     "valid, file name matches after normalisation",
			metadata: validHeaders + "\nA description.\n",
			filename: "Good_Pkg-1.0.tar.gz",
		},
		{
			name:     "valid wheel with normalised version",
			metadata: "Metadata-Version: 2.1\nName: Good.Pkg\nVersion: 1.0.0alpha1\n\nbody\n",
			filename: "good_pkg-1.0.0a1-1-py3-none-any.whl",
		},
		{
			name:     "legacy sdist name with a dash in the version",
			metadata: "Metadata-Version: 1.0\nName: foo\nVersion: 1.0-1\nDescription: d\n",
			filename: "foo-1.0-1.tar.gz",
		},
		{
			name:     "missing everything",
			metadata: "Summary: nothing else\n\nbody\n",
			want: []Problem{
				{"Metadata-Version", SeverityError, "missing"},
				{"Name", SeverityError, "missing"},
				{"Version", SeverityError, "missing"},
			},
		},
		{
			name:     "unknown metadata version",
			metadata: "Metadata-Version: 3.0\nName: a\nVersion: 1\n\nbody\n",
			want:     []Problem{{"Metadata-Version", SeverityError, `"3.0" is not a known metadata version (1.0, 1.1, 1.2, 2.1, 2.2, 2.3, 2.4)`}},
		},
		{
			name:     "newer metadata version",
			metadata: "Metadata-Version: 2.5\nName: a\nVersion: 1\n\nbody\n",
			want:     []Problem{{"Metadata-Version", SeverityWarning, "2.5 is newer than the versions PYTI knows (1.0 to 2.4)"}},
		},
		{
			name:     "invalid name and version",
			metadata: "Metadata-Version: 2.1\nName: -bad name-\nVersion: one point oh\n\nbody\n",
			want: []Problem{
				{"Name", SeverityError, `"-bad name-" is not a valid project name (letters, digits, '.', '_' and '-', starting and ending with a letter or digit)`},
				{"Version", SeverityError, `"one point oh" is not a valid PEP 440 version: `},
			},
		},
		{
			name:     "local version",
			metadata: "Metadata-Version: 2.1\nName: a\nVersion: 1.0+local.7\n\nbody\n",
			want:     []Problem{{"Version", SeverityWarning, `"1.0+local.7" has a local version label, which PyPI refuses`}},
		},
		{
			name:     "sdist name mismatch",
			metadata: validHeaders + "\nbody\n",
			filename: "other-1.0.tar.gz",
			want:     []Problem{{"filename", SeverityError, `file name "other-1.0.tar.gz" names project "other", metadata says "good-pkg"`}},
		},
		{
			name:     "wheel version mismatch",
			metadata: validHeaders + "\nbody\n",
			filename: "dist/good_pkg-1.1-py3-none-any.whl",
			want:     []Problem{{"filename", SeverityError, `file name "good_pkg-1.1-py3-none-any.whl" carries version 1.1, metadata says 1.0`}},
		},
		{
			name:     "wheel name with dashes' spelling",
			metadata: validHeaders + "\nbody\n",
			filename: "good.pkg-1.0-py3-none-any.whl",
			want:     []Problem{{"filename", SeverityWarning, `wheel file name "good.pkg-1.0-py3-none-any.whl" should spell the name with underscores ("good_pkg")`}},
		},
		{
			name:     "unparseable file name",
			metadata: validHeaders + "\nbody\n",
			filename: "good-pkg-1.0.egg",
			want:     []Problem{{"filename", SeverityError, `"good-pkg-1.0.egg": not a wheel or sdist file name (want .whl or one of .tar.gz, .tar.bz2, .tar.xz, .tgz, .zip, .tar)`}},
		},
		{
			name:     "malformed Requires-Dist and Requires-Python",
			metadata: validHeaders + "Requires-Dist: foo (>=>1)\nRequires-Python: >=3.x\n\nbody\n",
			want: []Problem{
				{"Requires-Dist", SeverityError, `"foo (>=>1)" is not a valid PEP 508 requirement: `},
				{"Requires-Python", SeverityError, `">=3.x" is not a valid version specifier: `},
			},
		},
		{
			name:     "unknown description content type",
			metadata: validHeaders + "Description-Content-Type: text/html\n\nbody\n",
			want:     []Problem{{"Description-Content-Type", SeverityError, `"text/html" is not one of text/plain, text/x-rst, text/markdown`}},
		},
		{
			name:     "bad charset and markdown variant",
			metadata: validHeaders + "Description-Content-Type: text/markdown; variant=MyDown\n\nbody\n",
			want:     []Problem{{"Description-Content-Type", SeverityError, `markdown variant "MyDown" is not GFM or CommonMark`}},
		},
		{
			name:     "non-UTF-8 charset",
			metadata: validHeaders + "Description-Content-Type: text/plain; charset=latin-1\n\nbody\n",
			want:     []Problem{{"Description-Content-Type", SeverityError, `charset "latin-1" is not UTF-8`}},
		},
		{
			name:     "unparseable content type",
			metadata: validHeaders + "Description-Content-Type: ;;\n\nbody\n",
			want:     []Problem{{"Description-Content-Type", SeverityError, `";;" is not a valid content type: mime: no media type`}},
		},
		{
			name:     "no description",
			metadata: validHeaders,
			want:     []Problem{{"Description", SeverityInfo, "no long description; the project page will be empty"}},
		},
		{
			name:     "malformed and private classifiers",
			metadata: validHeaders + "Classifier: Topic\nClassifier: Topic ::  X\nClassifier: Topic::X\nClassifier: Topic :: \nClassifier: Private :: Do Not Upload\n\nbody\n",
			want: []Problem{
				{"Classifier", SeverityError, `"Topic" is not a well-formed classifier ("Topic :: Subtopic")`},
				{"Classifier", SeverityError, `"Topic ::  X" is not a well-formed classifier ("Topic :: Subtopic")`},
				{"Classifier", SeverityError, `"Topic::X" is not a well-formed classifier ("Topic :: Subtopic")`},
				{"Classifier", SeverityError, `"Topic ::" is not a well-formed classifier ("Topic :: Subtopic")`},
				{"Classifier", SeverityWarning, `"Private :: Do Not Upload": PyPI refuses uploads with Private :: classifiers`},
			},
		},
		{
			name:     "license expression with legacy license fields",
			metadata: "Metadata-Version: 2.4\nName: a\nVersion: 1\nLicense: MIT\nLicense-Expression: MIT\nClassifier: License :: OSI Approved :: MIT License\nLicense-File: ../../etc/passwd\nLicense-File: /abs\n\nbody\n",
			want: []Problem{
				{"License", SeverityError, "must not be used together with License-Expression"},
				{"Classifier", SeverityError, `"License :: OSI Approved :: MIT License": license classifiers must not be used together with License-Expression`},
				{"License-File", SeverityError, `"../../etc/passwd" must be a relative path inside the distribution`},
				{"License-File", SeverityError, `"/abs" must be a relative path inside the distribution`},
			},
		},
		{
			name:     "license expression in metadata older than 2.4, as older hatchling wrote it",
			metadata: "Metadata-Version: 2.1\nName: a\nVersion: 1\nSummary: s\nLicense-Expression: BSD-3-Clause\nClassifier: License :: OSI Approved :: BSD License\n\nbody\n",
			want: []Problem{
				{"License-Expression", SeverityWarning, "field needs Metadata-Version 2.4 or later, file says 2.1"},
			},
		},
		{
			name:     "fields newer than the metadata version",
			metadata: "Metadata-Version: 1.0\nName: a\nVersion: 1\nProvides-Extra: test\nLicense-Expression: MIT\nDynamic: Summary\n\nbody\n",
			want: []Problem{
				{"Provides-Extra", SeverityWarning, "field needs Metadata-Version 2.1 or later, file says 1.0"},
				{"Dynamic", SeverityWarning, "field needs Metadata-Version 2.2 or later, file says 1.0"},
				{"License-Expression", SeverityWarning, "field needs Metadata-Version 2.4 or later, file says 1.0"},
			},
		},
		{
			name:     "bad extras",
			metadata: "Metadata-Version: 2.3\nName: a\nVersion: 1\nProvides-Extra: Test_Extra\nProvides-Extra: -no-\n\nbody\n",
			want: []Problem{
				{"Provides-Extra", SeverityWarning, `"Test_Extra" is not normalised (Metadata 2.3+ wants "test-extra")`},
				{"Provides-Extra", SeverityError, `"-no-" is not a valid extra name`},
			},
		},
		{
			name:     "project URLs",
			metadata: validHeaders + "Project-URL: nolabel\nProject-URL: Source, javascript:alert(1)\nProject-URL: " + strings.Repeat("L", 33) + ", https://example.com\n\nbody\n",
			want: []Problem{
				{"Project-URL", SeverityError, `"nolabel" is not of the form "label, url"`},
				{"Project-URL", SeverityError, `"javascript:alert(1)" is not an http or https URL`},
				{"Project-URL", SeverityError, `label "` + strings.Repeat("L", 33) + `" is longer than 32 characters`},
			},
		},
		{
			name:     "dynamic name and version",
			metadata: "Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: Name\nDynamic: Version\n\nbody\n",
			want: []Problem{
				{"Dynamic", SeverityError, "Name must not be dynamic"},
				{"Dynamic", SeverityError, "Version must not be dynamic"},
			},
		},
		{
			name:     "parse problems are included",
			metadata: validHeaders + "Name: again\n\nbody\n",
			want:     []Problem{{"Name", SeverityError, "single-use field appears more than once; the first value is used"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := ParseCoreMetadata(strings.NewReader(tt.metadata), 0)
			if err != nil {
				t.Fatal(err)
			}
			got := Validate(m, tt.filename)
			// Messages quoting another package's error are compared up to
			// that error, which its own tests pin.
			for i := range got {
				if i < len(tt.want) && strings.HasSuffix(tt.want[i].Message, ": ") && strings.HasPrefix(got[i].Message, tt.want[i].Message) {
					got[i].Message = tt.want[i].Message
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Validate mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidateNil(t *testing.T) {
	want := []Problem{{"metadata", SeverityError, "no metadata"}}
	if diff := cmp.Diff(want, Validate(nil, "")); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
