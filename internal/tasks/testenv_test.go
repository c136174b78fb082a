package tasks

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/testfs"
)

// TestPluginsSetAside: the options that keep pytest-cov and pytest-xdist from taking the
// measurement are given for the plugins installed in either library directory of the test
// environment, and only for those (pytest refuses an option no plugin defines).
func TestPluginsSetAside(t *testing.T) {
	for _, tc := range []struct {
		name        string
		site, layer []string // .dist-info directories in the venv and in the test layer
		want        []string
	}{
		{"no plugin", []string{"pytest-8.0.0.dist-info", "coverage-7.4.0.dist-info"}, nil, nil},
		{"pytest-cov in the venv", []string{"pytest_cov-4.1.0.dist-info"}, nil, []string{"-p", "no:pytest_cov"}},
		{"pytest-xdist in the layer", nil, []string{"pytest_xdist-3.5.0.dist-info", "execnet-2.0.2.dist-info"}, []string{"-n", "0"}},
		{"both, either place", []string{"pytest_xdist-3.1.0.dist-info"}, []string{"pytest_cov-4.0.0.dist-info"}, []string{"-p", "no:pytest_cov", "-n", "0"}},
		{"a name that only starts alike", []string{"pytest_covers-1.0.dist-info", "pytest_xdist_extra-1.0.dist-info"}, nil, nil},
		{"an egg-info is not read", []string{"pytest_cov-4.1.0.egg-info"}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			site := filepath.Join(root, "venv", "lib", "python3.11", "site-packages")
			layer := &buildPrefix{host: filepath.Join(root, "layer"), libDirs: []string{"lib/python3.11/site-packages"}}
			for dir, names := range map[string][]string{site: tc.site, filepath.Join(layer.host, layer.libDirs[0]): tc.layer} {
				for _, n := range names {
					if err := os.MkdirAll(filepath.Join(dir, n), 0o755); err != nil {
						t.Fatal(err)
					}
				}
			}
			if d := cmp.Diff(tc.want, pluginsSetAside(installedProjects(libraryDirs(site, layer)))); d != "" {
				t.Errorf("options (-want +got):\n%s", d)
			}
		})
	}
}

// TestLayerPth: a layer's .pth file, as site-packages holds it, puts the layer on sys.path first
// and resolves its path lines in the layer, as site would have in the layer's own directory.
func TestLayerPth(t *testing.T) {
	prefix := "/run/pyti-test-env/lib/python3.11/site-packages\n"
	tests := []struct {
		name, in, want string
	}{
		{"an import line", "import os; os.environ.get('X') and __import__('_hack').add_shim();\n",
			prefix + "import os; os.environ.get('X') and __import__('_hack').add_shim();\n"},
		{"path lines, relative and absolute, a comment and a blank line", "# paths\nsub/dir\n\n/opt/abs\r\nimport\tsys\n",
			prefix + "# paths\n/run/pyti-test-env/lib/python3.11/site-packages/sub/dir\n\n/opt/abs\nimport\tsys\n"},
		{"no final newline", "extra", prefix + "/run/pyti-test-env/lib/python3.11/site-packages/extra\n"},
		{"an empty file", "", prefix + "\n"},
		{"setuptools' -nspkg.pth reads the directory site is reading: the layer's",
			"import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('zope',))\n",
			prefix + "import sys, types, os;p = os.path.join('/run/pyti-test-env/lib/python3.11/site-packages', *('zope',))\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(layerPth(prefix, "/run/pyti-test-env/lib/python3.11/site-packages", []byte(tt.in)))
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("layerPth (-want +got):\n%s", d)
			}
		})
	}
}

// TestLayerNspkgPthRuns: setuptools' -nspkg.pth of a distribution in the test layer, copied into
// the environment's site-packages as layerPth writes it, sets up the namespace package from the
// layer, and Python starts without an error about it (testfixtures' tests compare a child
// Python's stderr; zope.component's .pth printed "Error processing line 2").
func TestLayerNspkgPthRuns(t *testing.T) {
	if _, err := os.Stat("/usr/bin/python3"); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	// What setuptools 66 writes into acme.core-1-nspkg.pth for namespace package "acme".
	const nspkg = `import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('acme',));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and sys.modules.setdefault('acme', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('acme', [os.path.dirname(p)])));m = m or sys.modules.setdefault('acme', types.ModuleType('acme'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)` + "\n"
	dir := t.TempDir()
	layer, site := filepath.Join(dir, "layer"), filepath.Join(dir, "site")
	testfs.Write(t, layer, map[string]string{"acme/core/__init__.py": "WHERE = 'layer'\n"})
	testfs.Write(t, site, map[string]string{"acme.core-1-nspkg.pth": string(layerPth(layer+"\n", layer, []byte(nspkg)))})
	cmd := exec.Command("/usr/bin/python3", "-S", "-c", "import site, sys; site.addsitedir(sys.argv[1]); import acme.core; print(acme.core.WHERE)", site)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil || strings.TrimSpace(string(out)) != "layer" || stderr.Len() > 0 {
		t.Errorf("python: %v, printed %q, stderr %q", err, out, stderr.String())
	}
}

// TestSharedDists: a project the environment and the test dependencies' layer hold at one
// version is shared; at two versions, pip installs the test dependencies.
func TestSharedDists(t *testing.T) {
	tests := []struct {
		name      string
		installed []report.Package
		layer     map[string]string
		want      map[string]bool
		wantErr   string
	}{
		{"the venv's setuptools and pip, and a shared dependency", []report.Package{{Name: "pip", Version: "23.0.1"}, {Name: "setuptools", Version: "66.1.1"}, {Name: "Packaging", Version: "23.0"}, {Name: "mypkg", Version: "1"}},
			map[string]string{"setuptools": "66.1.1", "packaging": "23.0", "pytest": "7.2.1"}, map[string]bool{"setuptools": true, "packaging": true}, ""},
		{"another version", []report.Package{{Name: "pyti_example_base", Version: "1.0"}}, map[string]string{"pyti-example-base": "1.1"}, nil,
			"the environment already holds pyti-example-base 1.0, which the test dependencies installed alone would take at 1.1"},
		{"nothing shared", []report.Package{{Name: "mypkg", Version: "1"}}, map[string]string{"pytest": "7.2.1"}, map[string]bool{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sharedDists(tt.installed, tt.layer)
			if tt.wantErr != "" {
				if err == nil || !errors.Is(err, errNoTestLayer) || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want one wrapping errNoTestLayer with %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("shared (-want +got):\n%s", d)
			}
		})
	}
}

// TestSplitPackage: a regular package of the test dependencies' layer that the environment also
// has a directory for is a split namespace package: pip installs the test dependencies into the
// environment, where the two merge.
func TestSplitPackage(t *testing.T) {
	const lib = "lib/python3.11/site-packages"
	pasteDeploy := map[string]string{"paste/deploy/__init__.py": "", "PasteDeploy-3.0.1-py3.11-nspkg.pth": "import sys\n"}
	tests := []struct {
		name    string
		site    map[string]string
		layer   map[string]string
		wantErr string
	}{
		{"a regular portion of the environment's namespace package (Debian's Paste beside PasteDeploy)", pasteDeploy,
			map[string]string{"paste/__init__.py": "", "paste/fixture.py": "", "Paste-3.5.2.dist-info/METADATA": "Name: Paste\nVersion: 3.5.2\n",
				"Paste-3.5.2.dist-info/RECORD": "paste/__init__.py,,\npaste/fixture.py,,\n"},
			"the test dependencies and the environment both install the package paste"},
		{"a portion without __init__.py (PyPI's Paste, with its -nspkg.pth)", pasteDeploy,
			map[string]string{"paste/fixture.py": "", "Paste-3.5.2-py3.11-nspkg.pth": "import sys\n", "Paste-3.5.2.dist-info/METADATA": "Name: Paste\nVersion: 3.5.2\n",
				"Paste-3.5.2.dist-info/RECORD": "paste/fixture.py,,\nPaste-3.5.2-py3.11-nspkg.pth,,\n"}, ""},
		{"a regular portion its own -nspkg.pth sets up as a namespace (Debian's zope.exceptions)", map[string]string{"zope/__init__.py": "", "zope/interface/__init__.py": "", "zope.interface-5.5.2-nspkg.pth": "import sys\n"},
			map[string]string{"zope/__init__.py": "", "zope/exceptions/__init__.py": "", "zope.exceptions-4.6-nspkg.pth": "import sys, types, os;p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('zope',));m = 1\n",
				"zope.exceptions-4.6.dist-info/METADATA": "Name: zope.exceptions\nVersion: 4.6\n", "zope.exceptions-4.6.dist-info/RECORD": "zope/__init__.py,,\nzope/exceptions/__init__.py,,\nzope.exceptions-4.6-nspkg.pth,,\n"}, ""},
		{"a distribution both hold", map[string]string{"packaging/__init__.py": "", "packaging-23.0.dist-info/METADATA": "Name: packaging\nVersion: 23.0\n"},
			map[string]string{"packaging/__init__.py": "", "packaging-23.0.dist-info/METADATA": "Name: packaging\nVersion: 23.0\n", "packaging-23.0.dist-info/RECORD": "packaging/__init__.py,,\n"}, ""},
		{"different packages", pasteDeploy,
			map[string]string{"_pytest/__init__.py": "", "pytest-7.2.1.dist-info/METADATA": "Name: pytest\nVersion: 7.2.1\n", "pytest-7.2.1.dist-info/RECORD": "_pytest/__init__.py,,\n"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, prefix := filepath.Join(t.TempDir(), "site"), t.TempDir()
			testfs.Write(t, site, tt.site)
			testfs.Write(t, filepath.Join(prefix, lib), tt.layer)
			layer, err := readDists(&buildPrefix{host: prefix, libDirs: []string{lib}})
			if err != nil {
				t.Fatal(err)
			}
			shared, err := sharedDists(installedPackages(site), layer.names)
			if err != nil {
				t.Fatal(err)
			}
			err = splitPackage(site, layer, shared)
			if tt.wantErr == "" {
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
				return
			}
			if err == nil || !errors.Is(err, errNoTestLayer) || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one wrapping errNoTestLayer with %q", err, tt.wantErr)
			}
		})
	}
}
