package benchmark

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInstalledPackage: the manual way measures the package the project installs, which its
// dist-info names, not a module named after the project.
func TestInstalledPackage(t *testing.T) {
	tests := []struct {
		name, project string
		files         []string
		want          string
	}{
		{"a package named otherwise", "Markdown", []string{"Markdown-3.6.dist-info/top_level.txt:markdown", "markdown/__init__.py:"}, "markdown"},
		{"the project's own name", "toolz", []string{"toolz-1.1.0.dist-info/top_level.txt:tlz\ntoolz", "toolz/__init__.py:", "tlz/__init__.py:"}, "toolz"},
		{"a dashed name, no top_level.txt", "python-dateutil", []string{"python_dateutil-2.9.0.dist-info/RECORD:", "dateutil/__init__.py:"}, "python_dateutil"},
		{"another project's dist-info", "pkg", []string{"other-1.dist-info/top_level.txt:other", "other/__init__.py:"}, "pkg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			venv := t.TempDir()
			site := filepath.Join(venv, "lib", "python3.11", "site-packages")
			for _, f := range tt.files {
				name, body, _ := strings.Cut(f, ":")
				p := filepath.Join(site, name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := installedPackage(venv, tt.project); got != tt.want {
				t.Errorf("installedPackage = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestHasTestFiles: the manual way takes the tests from the installed package only when the tree
// has none of its own.
func TestHasTestFiles(t *testing.T) {
	tests := []struct {
		name  string
		files []string
		want  bool
	}{
		{"tests in tests/", []string{"tests/test_api.py", "setup.py"}, true},
		{"a test module at the top", []string{"foo_test.py"}, true},
		{"only the project's tooling", []string{"setup.py", "docs/conf.py"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tree := t.TempDir()
			for _, f := range tt.files {
				p := filepath.Join(tree, f)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, nil, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if got := hasTestFiles(tree); got != tt.want {
				t.Errorf("hasTestFiles = %v, want %v", got, tt.want)
			}
		})
	}
}
