package pkgmeta

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseCoreMetadata checks that no input panics and that the parse and
// validation results hold together.
func FuzzParseCoreMetadata(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*[A-Z]*"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"", "\n", ":", " :\n", "Name:\n\tx\n", "Description: a\n       |b\n        c\n\nbody",
		"Requires-Dist: a[b]>=1;extra=='c'\n", "Project-URL: ,\n", "Name: a\xff\n\n\xfe",
		"Metadata-Version: 9.9\nDynamic: name\n", "Classifier: ::\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseCoreMetadata(bytes.NewReader(data), 1<<16)
		if err != nil {
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("unexpected error kind: %v", err)
			}
			return
		}
		if len(m.Headers) > MaxHeaders {
			t.Fatalf("%d headers passed the cap", len(m.Headers))
		}
		for _, r := range m.RequiresDist {
			if (r.Parsed == nil) == (r.Error == "") {
				t.Fatalf("requirement %q: Parsed and Error disagree", r.Raw)
			}
		}
		for _, p := range Validate(m, "x-1.0.tar.gz") {
			if p.Field == "" || p.Message == "" {
				t.Fatalf("empty problem: %+v", p)
			}
		}
	})
}

// FuzzParseConfig runs the pyproject, setup.cfg and requirements readers on
// the same inputs: none may panic or return nil.
func FuzzParseConfig(f *testing.F) {
	for _, name := range []string{"pep621.pyproject.toml", "pep735.pyproject.toml", "setuptools-docs.setup.cfg"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("[dependency-groups]\na=[{include-group='a'}]\n"))
	f.Add([]byte("-r x\n-e .\nfoo==1 --hash=sha256:0\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if p, _ := ParsePyproject(data); p == nil {
			t.Fatal("nil Pyproject")
		}
		if c, _ := ParseSetupCfg(data); c == nil {
			t.Fatal("nil SetupCfg")
		}
		if r, _ := ParseRequirementsFile(data); r == nil {
			t.Fatal("nil RequirementsFile")
		}
		_, _ = ParseDistFilename(string(data))
	})
}
