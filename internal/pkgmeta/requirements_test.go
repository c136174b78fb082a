package pkgmeta

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseRequirementsFile(t *testing.T) {
	in := "# test requirements\r\n" +
		"-r requirements.txt\n" +
		"--requirement=base.txt\n" +
		"-cconstraints.txt\n" +
		"--index-url https://example.com/simple\n" +
		"--pre\n" +
		"pytest>=7.0  # the runner\n" +
		"pytest-cov[toml] >= 4 ; python_version >= \"3.8\"\n" +
		"requests==2.31.0 \\\n" +
		"    --hash=sha256:aaaa \\\n" +
		"    --hash sha256:bbbb\n" +
		"-e .\n" +
		"--editable git+https://example.com/x.git#egg=x\n" +
		"./wheels/local-1.0-py3-none-any.whl\n" +
		"https://example.com/pkg-1.0.tar.gz\n" +
		"not a requirement!\n" +
		"url#fragment stays\n" +
		"--hash=sha256:cccc\n" +
		"-i\n" +
		"\n   \n"
	rf, ps := ParseRequirementsFile([]byte(in))
	want := &RequirementsFile{
		Requirements: []RequirementLine{
			{Line: 7, RequirementEntry: RequirementEntry{Raw: "pytest>=7.0", Name: "pytest", Specifier: ">=7.0"}},
			{Line: 8, RequirementEntry: RequirementEntry{Raw: `pytest-cov[toml] >= 4 ; python_version >= "3.8"`, Name: "pytest-cov", Extras: []string{"toml"}, Specifier: ">=4", Marker: `python_version >= "3.8"`}},
			{Line: 9, RequirementEntry: RequirementEntry{Raw: "requests==2.31.0", Name: "requests", Specifier: "==2.31.0"}, Hashes: []string{"sha256:aaaa", "sha256:bbbb"}},
			{Line: 12, RequirementEntry: RequirementEntry{Raw: "."}, Editable: true, Direct: true},
			{Line: 13, RequirementEntry: RequirementEntry{Raw: "git+https://example.com/x.git#egg=x"}, Editable: true, Direct: true},
			{Line: 14, RequirementEntry: RequirementEntry{Raw: "./wheels/local-1.0-py3-none-any.whl"}, Direct: true},
			{Line: 15, RequirementEntry: RequirementEntry{Raw: "https://example.com/pkg-1.0.tar.gz"}, Direct: true},
			{Line: 16, RequirementEntry: RequirementEntry{Raw: "not a requirement!"}},
			{Line: 17, RequirementEntry: RequirementEntry{Raw: "url#fragment stays"}},
		},
		Includes: []RequirementsInclude{
			{Line: 2, Kind: "requirements", Path: "requirements.txt"},
			{Line: 3, Kind: "requirements", Path: "base.txt"},
			{Line: 4, Kind: "constraints", Path: "constraints.txt"},
		},
		Options: []RequirementsOption{
			{Line: 5, Option: "--index-url", Value: "https://example.com/simple"},
			{Line: 6, Option: "--pre"},
		},
	}
	if diff := cmp.Diff(want, rf, ignoreParsed, cmpOptsIgnoreError); diff != "" {
		t.Errorf("ParseRequirementsFile (-want +got):\n%s", diff)
	}
	wantPs := []Problem{
		{"requirements line 16", SeverityError, `"not a requirement!" is not a valid requirement: `},
		{"requirements line 17", SeverityError, `"url#fragment stays" is not a valid requirement: `},
		{"requirements line 18", SeverityWarning, "--hash without a requirement on the same line"},
		{"requirements line 19", SeverityError, "option -i needs a value"},
	}
	for i := range ps {
		if i < len(wantPs) && strings.HasSuffix(wantPs[i].Message, ": ") && strings.HasPrefix(ps[i].Message, wantPs[i].Message) {
			ps[i].Message = wantPs[i].Message
		}
	}
	if diff := cmp.Diff(wantPs, ps); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, r := range rf.Requirements {
		if wantErr := r.Line == 16 || r.Line == 17; (r.Error != "") != wantErr {
			t.Errorf("line %d: Error = %q", r.Line, r.Error)
		}
	}
}

func TestParseRequirementsFileTooLarge(t *testing.T) {
	rf, ps := ParseRequirementsFile(make([]byte, MaxConfigBytes+1))
	if rf == nil || len(ps) != 1 || !strings.Contains(ps[0].Message, ErrTooLarge.Error()) {
		t.Errorf("got %v, %v", rf, ps)
	}
}
