package image

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func sampleManifest() *Manifest {
	return &Manifest{
		Version: ManifestVersion, Name: "bookworm", Release: "bookworm", Python: "3.11.2",
		Mirror: DefaultMirror, Created: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC),
		Include:  []string{"gcc", "python3"},
		Packages: []Package{{Name: "python3.11", Version: "3.11.2-6+deb12u6"}},
		Content:  Content{Hash: HashPrefix + strings.Repeat("ab", 32), Files: 3, Bytes: 10, DiskBytes: 4096},
	}
}

func TestManifestRoundTrip(t *testing.T) {
	p := filepath.Join(t.TempDir(), manifestFile)
	m := sampleManifest()
	if err := WriteManifest(p, m); err != nil {
		t.Fatal(err)
	}
	got, err := ReadManifest(p)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(m, got); d != "" {
		t.Errorf("round trip (-want +got)\n%s", d)
	}
	if got.ShortID() != strings.Repeat("ab", 6) {
		t.Errorf("ShortID = %q", got.ShortID())
	}
	if fi, err := os.Stat(p); err != nil || fi.Mode().Perm()&0o222 != 0 {
		t.Errorf("manifest is writable or missing: %v %v", fi.Mode(), err)
	}
	if err := WriteManifest(p, m); err == nil {
		t.Error("WriteManifest replaced an existing manifest")
	}
}

func TestManifestRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(m *Manifest)
		want string
	}{
		{"bad hash", func(m *Manifest) { m.Content.Hash = "md5:abc" }, "content hash"},
		{"short hash", func(m *Manifest) { m.Content.Hash = HashPrefix + "ab" }, "content hash"},
		{"bad name", func(m *Manifest) { m.Name = "../etc" }, "invalid image name"},
		{"future version", func(m *Manifest) { m.Version = 99 }, "manifest_version"},
		{"no python", func(m *Manifest) { m.Python = "" }, "python missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := sampleManifest()
			tt.edit(m)
			err := WriteManifest(filepath.Join(t.TempDir(), manifestFile), m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("WriteManifest error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestReadManifestRejectsGarbage(t *testing.T) {
	tests := map[string]string{
		"not json":      "{",
		"unknown field": `{"manifest_version":1,"name":"x","release":"bookworm","python":"3.11.2","content":{"hash":"sha256:` + strings.Repeat("0", 64) + `"},"extra":1}`,
		"missing hash":  `{"manifest_version":1,"name":"x","release":"bookworm","python":"3.11.2"}`,
	}
	for name, data := range tests {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), manifestFile)
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			if _, err := ReadManifest(p); err == nil {
				t.Error("ReadManifest accepted it")
			}
		})
	}
}

func TestCheckName(t *testing.T) {
	tests := map[string]bool{
		"bookworm": true, "py3.13-trixie": true, "a_b": true, "0": true,
		"": false, ".hidden": false, "a/b": false, "..": false, "UPPER": false, "-x": false,
		strings.Repeat("a", 64): true, strings.Repeat("a", 65): false,
	}
	for name, ok := range tests {
		if err := CheckName(name); (err == nil) != ok {
			t.Errorf("CheckName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}

func TestReleases(t *testing.T) {
	got := map[string]string{}
	for _, r := range Releases() {
		got[r.Name] = r.Python
		pk := r.Packages()
		for _, want := range []string{"python3-venv", "python3-dev", "gcc", "python3-pytest", "python3-coverage", "python3-pycodestyle", "python3-pyflakes", "pylint", r.PipWheel} {
			if !contains(pk, want) {
				t.Errorf("%s: packages %v lack %s", r.Name, pk, want)
			}
		}
	}
	if d := cmp.Diff(map[string]string{"bullseye": "3.9", "bookworm": "3.11", "trixie": "3.13"}, got); d != "" {
		t.Errorf("releases (-want +got)\n%s", d)
	}
	if _, err := LookupRelease("sid"); err == nil || !strings.Contains(err.Error(), "bookworm") {
		t.Errorf("LookupRelease(sid) = %v, want an error naming the known releases", err)
	}
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
