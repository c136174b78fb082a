package pypi

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func jsonAPIServer(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	serveFile := func(name string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", `application/json; charset="UTF-8"`)
			_, _ = w.Write(readTestdata(t, name))
		}
	}
	mux.HandleFunc("/pypi/sampleproject/json", serveFile("warehouse_json_sampleproject.json"))
	mux.HandleFunc("/pypi/sampleproject/4.0.0/json", serveFile("warehouse_json_sampleproject.json"))
	mux.HandleFunc("/pypi/django/json", serveFile("warehouse_json_vulnerabilities.json"))
	mux.HandleFunc("/pypi/htmlonly/json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html>not an API</html>"))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestProjectJSON(t *testing.T) {
	srv := jsonAPIServer(t)
	o := testOptions(t, srv.URL+"/simple/", nil)
	o.JSONAPIURL = srv.URL + "/pypi/"
	c := newTestClient(t, o)

	info, err := c.ProjectJSON(testCtx(t), "SampleProject")
	if err != nil {
		t.Fatal(err)
	}
	wantInfo := JSONInfo{
		Name: "sampleproject", Version: "4.0.0", Summary: "A sample Python project", Description: "...",
		DescriptionContentType: "text/markdown", License: "...",
		AuthorEmail:     `"A. Random Developer" <author@example.com>`,
		MaintainerEmail: `"A. Great Maintainer" <maintainer@example.com>`,
		ProjectURL:      "https://pypi.org/project/sampleproject/",
		ProjectURLs: map[string]string{
			"Bug Reports": "https://github.com/pypa/sampleproject/issues",
			"Funding":     "https://donate.pypi.org",
			"Homepage":    "https://github.com/pypa/sampleproject",
			"Say Thanks!": "http://saythanks.io/to/example",
			"Source":      "https://github.com/pypa/sampleproject/",
		},
		Keywords: "sample, setuptools, development",
		Classifiers: []string{
			"Development Status :: 3 - Alpha", "Intended Audience :: Developers", "License :: OSI Approved :: MIT License",
			"Programming Language :: Python :: 3", "Programming Language :: Python :: 3 :: Only",
			"Programming Language :: Python :: 3.10", "Programming Language :: Python :: 3.11",
			"Programming Language :: Python :: 3.12", "Programming Language :: Python :: 3.13",
			"Programming Language :: Python :: 3.9", "Topic :: Software Development :: Build Tools",
		},
		RequiresDist:   []string{"peppercorn", "check-manifest ; extra == 'dev'", "coverage ; extra == 'test'"},
		RequiresPython: ">=3.9", ProvidesExtra: []string{"dev", "test"}, Dynamic: []string{"requires_dist"},
	}
	if diff := cmp.Diff(wantInfo, info.Info); diff != "" {
		t.Errorf("info (-want +got):\n%s", diff)
	}
	wantWheel := JSONFile{
		Filename: "sampleproject-4.0.0-py3-none-any.whl",
		URL:      "https://files.pythonhosted.org/packages/d7/73/c16e5f3f0d37c60947e70865c255a58dc408780a6474de0523afd0ec553a/sampleproject-4.0.0-py3-none-any.whl",
		Digests: map[string]string{
			"blake2b_256": "d773c16e5f3f0d37c60947e70865c255a58dc408780a6474de0523afd0ec553a",
			"md5":         "d3857a217dacbca9e40a85f06f2b34f1",
			"sha256":      "c23e447ea90d796d1e645c35c4b2de125040add12a845825546f91c93f391b6b",
		},
		PackageType: "bdist_wheel", PythonVersion: "py3", RequiresPython: ">=3.9", Size: 4661,
		UploadTime:   time.Date(2024, 11, 6, 22, 37, 9, 220617000, time.UTC),
		CoreMetadata: true, CoreMetadataHashes: map[string]string{"sha256": "a1d0c6e83f027327d8461063f4ac58a6e4a7a5d0a0e0d5b6c3b2e1f0a9b8c7d6"},
	}
	if len(info.URLs) != 2 {
		t.Fatalf("urls: %d entries, want 2", len(info.URLs))
	}
	if diff := cmp.Diff(wantWheel, info.URLs[0]); diff != "" {
		t.Errorf("urls[0] (-want +got):\n%s", diff)
	}
	counts := map[string]int{}
	for v, fs := range info.Releases {
		counts[v] = len(fs)
	}
	// The docs' "..." placeholders are skipped.
	wantCounts := map[string]int{"1.0": 0, "1.2.0": 2, "1.3.0": 0, "1.3.1": 0, "2.0.0": 0, "3.0.0": 0, "4.0.0": 2}
	if diff := cmp.Diff(wantCounts, counts); diff != "" {
		t.Errorf("release file counts (-want +got):\n%s", diff)
	}
	if info.LastSerial != 25862117 || len(info.Vulnerabilities) != 0 {
		t.Errorf("last_serial %d, vulnerabilities %v", info.LastSerial, info.Vulnerabilities)
	}

	rel, err := c.ReleaseJSON(testCtx(t), "sampleproject", "4.0.0")
	if err != nil || rel.Info.Version != "4.0.0" {
		t.Errorf("ReleaseJSON: %+v, %v", rel, err)
	}

	vulns, err := c.ProjectJSON(testCtx(t), "django")
	if err != nil {
		t.Fatal(err)
	}
	wantVulns := []Vulnerability{
		{ID: "PYSEC-2021-9", Aliases: []string{"CVE-2021-3281"}, Link: "https://osv.dev/vulnerability/PYSEC-2021-9", Source: "osv",
			Summary: "A shorter summary of the vulnerability",
			Details: `In Django 2.2 before 2.2.18, 3.0 before 3.0.12, and 3.1 before 3.1.6, the django.utils.archive.extract method (used by "startapp --template" and "startproject --template") allows directory traversal via an archive with absolute paths or relative paths with dot segments.`,
			FixedIn: []string{"2.2.18", "3.0.12", "3.1.6"}},
		{ID: "PYSEC-2022-XXX", Aliases: []string{"CVE-2022-XXXXX"}, Link: "https://osv.dev/vulnerability/PYSEC-2022-XXX", Source: "osv",
			Summary: "A shorter summary.", Details: "A long description.", FixedIn: []string{"1.2.3"},
			Withdrawn: time.Date(2022, 6, 28, 16, 39, 6, 0, time.UTC)},
	}
	if diff := cmp.Diff(wantVulns, vulns.Vulnerabilities); diff != "" {
		t.Errorf("vulnerabilities (-want +got):\n%s", diff)
	}

	for _, tc := range []struct {
		name    string
		call    func() error
		wantErr error
	}{
		{"404 project", func() error { _, err := c.ProjectJSON(testCtx(t), "missing"); return err }, ErrNoSuchProject},
		{"404 release", func() error { _, err := c.ReleaseJSON(testCtx(t), "sampleproject", "0.0.1"); return err }, ErrNoSuchVersion},
		{"HTML instead of JSON", func() error { _, err := c.ProjectJSON(testCtx(t), "htmlonly"); return err }, ErrNoJSONAPI},
	} {
		if err := tc.call(); !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
		}
	}
}

func TestNoJSONAPI(t *testing.T) {
	c := newTestClient(t, testOptions(t, "https://packages.example.com/simple/", nil))
	if _, err := c.ProjectJSON(testCtx(t), "x"); !errors.Is(err, ErrNoJSONAPI) {
		t.Errorf("err = %v, want ErrNoJSONAPI", err)
	}
}

func TestDeriveJSONAPI(t *testing.T) {
	tests := map[string]string{
		"https://pypi.org/simple/":                 "https://pypi.org/pypi/",
		"https://user:tok@pypi.org/simple/":        "https://pypi.org/pypi/",
		"https://test.pypi.org/simple":             "https://test.pypi.org/pypi/",
		"https://packages.example.com/simple/":     "",
		"http://127.0.0.1:8080/root/pypi/+simple/": "",
		"https://pypi.org.evil.example/simple/":    "",
	}
	for in, want := range tests {
		c := newTestClient(t, testOptions(t, in, nil))
		if c.opts.JSONAPIURL != want {
			t.Errorf("%s: JSON API %q, want %q", in, c.opts.JSONAPIURL, want)
		}
		if c.IndexURL() == in && c.index.User != nil {
			t.Errorf("%s: credentials kept in the index URL", in)
		}
	}
}
