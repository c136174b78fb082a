package localindex

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNormalizeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"pyti-example-base", "pyti-example-base"},
		{"PYTI_Example.Base", "pyti-example-base"},
		{"pyti__example--._base", "pyti-example-base"},
		{"Django", "django"},
		{"zope.interface", "zope-interface"},
	}
	for _, tt := range tests {
		if got := NormalizeName(tt.in); got != tt.want {
			t.Errorf("NormalizeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSdistFilename(t *testing.T) {
	if got, want := sdistFilename("PYTI-Example.Badactor", "1.0.0"), "pyti_example_badactor-1.0.0.tar.gz"; got != want {
		t.Errorf("sdistFilename = %q, want %q", got, want)
	}
}

func TestParseHeaders(t *testing.T) {
	in := "Metadata-Version: 2.1\r\nName: Frob\nVersion: 1.0\nRequires-Python: >=3.8, <4\n" +
		"Classifier: A\nClassifier: B\nLicense: line one\n        line two\nnot a header\n\n" +
		"Name: body-is-ignored\n"
	got := parseHeaders([]byte(in))
	want := headers{
		"metadata-version": {"2.1"},
		"name":             {"Frob"},
		"version":          {"1.0"},
		"requires-python":  {">=3.8, <4"},
		"classifier":       {"A", "B"},
		"license":          {"line one\nline two"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("parseHeaders mismatch (-want +got):\n%s", diff)
	}
}

func TestNegotiate(t *testing.T) {
	tests := []struct {
		accept string
		want   string
		ok     bool
	}{
		{"", ContentTypeHTML, true},
		{"*/*", ContentTypeHTML, true},
		{"text/html", ContentTypeHTML, true},
		{"application/vnd.pypi.simple.v1+json", ContentTypeJSON, true},
		{"application/vnd.pypi.simple.latest+json", ContentTypeJSON, true},
		{"application/vnd.pypi.simple.v1+html", ContentTypeHTMLv1, true},
		// What pip sends.
		{"application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html; q=0.1, text/html; q=0.01", ContentTypeJSON, true},
		{"text/html;q=0.5, application/vnd.pypi.simple.v1+json;q=0.4", ContentTypeHTML, true},
		{"application/vnd.pypi.simple.v1+json;q=0, text/html;q=0.2", ContentTypeHTML, true},
		// Ties go to the first listed.
		{"application/vnd.pypi.simple.v1+html, application/vnd.pypi.simple.v1+json", ContentTypeHTMLv1, true},
		{"APPLICATION/VND.PYPI.SIMPLE.V1+JSON", ContentTypeJSON, true},
		{"application/vnd.pypi.simple.v2+json", "", false},
		{"application/json", "", false},
		{"text/html;q=0", "", false},
		{"text/html;q=banana", "", false},
	}
	for _, tt := range tests {
		got, ok := negotiate(tt.accept)
		if got != tt.want || ok != tt.ok {
			t.Errorf("negotiate(%q) = %q, %v; want %q, %v", tt.accept, got, ok, tt.want, tt.ok)
		}
	}
}
