package tasks

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/testfs"
)

// TestConfiguredPlugins: the plugins a pytest configuration needs come from its required_plugins,
// the ini options of well-known plugins it sets and the plugins' options in its addopts, from the
// one file pytest reads.
func TestConfiguredPlugins(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"blinker's asyncio_mode in pyproject.toml",
			map[string]string{"pyproject.toml": "[project]\nname = \"blinker\"\n[tool.pytest.ini_options]\nasyncio_mode = \"auto\"\ntestpaths = [\"tests\"]\nfilterwarnings = [\"error\"]\n"},
			[]string{"pytest-asyncio"}},
		{"required_plugins as written, then ini options and addopts, once each",
			map[string]string{"pytest.ini": "[pytest]\nrequired_plugins = pytest-mock>=3.10 pytest-timeout\ntimeout = 30\naddopts = -nauto --timeout=60 --reruns 2 --cov=pkg -p no:cacheprovider\n"},
			[]string{"pytest-mock>=3.10", "pytest-timeout", "pytest-xdist", "pytest-rerunfailures"}},
		{"setup.cfg's [tool:pytest]", map[string]string{"setup.cfg": "[tool:pytest]\naddopts =\n    --asyncio-mode=strict\n    -n 4\n"},
			[]string{"pytest-asyncio", "pytest-xdist"}},
		{"pytest-cov's options are PYTI's own plugin's", map[string]string{"tox.ini": "[pytest]\naddopts = --cov=pkg --cov-report=term\n"}, nil},
		{"only the file pytest reads: pytest.ini before setup.cfg",
			map[string]string{"pytest.ini": "[pytest]\naddopts = -ra\n", "setup.cfg": "[tool:pytest]\ntimeout = 5\n"}, nil},
		{"no configuration", map[string]string{"setup.py": "from setuptools import setup\nsetup()\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if d := cmp.Diff(tc.want, configuredPlugins(root)); d != "" {
				t.Errorf("configuredPlugins (-want +got):\n%s", d)
			}
		})
	}
}

// TestUndeclared: a needed plugin that the test requirements or the package's metadata already
// name is left to them, and one needed twice is asked for once.
func TestUndeclared(t *testing.T) {
	src := Source{Metadata: &pkgmeta.CoreMetadata{RequiresDist: []pkgmeta.RequirementEntry{{Raw: "pytest-xdist; extra == 'test'"}}},
		Pyproject: &pkgmeta.Pyproject{Project: &pkgmeta.Project{OptionalDependencies: map[string][]string{"testing": {"pytest_timeout>=2"}}}}}
	got := undeclared(src, []string{"Pytest-Asyncio==0.21"}, []string{"pytest-asyncio", "pytest-xdist", "pytest-timeout", "pytest-mock", "pytest_mock>=3"})
	if d := cmp.Diff([]string{"pytest-mock"}, got); d != "" {
		t.Errorf("undeclared (-want +got):\n%s", d)
	}
}

// TestMarkedPlugins: tests marked for an async plugin (in a test file or its conftest.py) need it.
func TestMarkedPlugins(t *testing.T) {
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"async-timeout's @pytest.mark.asyncio", map[string]string{"tests/test_timeout.py": "import pytest\n@pytest.mark.asyncio\nasync def test_x():\n    pass\n"},
			[]string{"pytest-asyncio"}},
		{"a module mark in conftest.py, and trio", map[string]string{"tests/conftest.py": "import pytest\npytestmark = pytest.mark.trio\n",
			"tests/test_a.py": "def test_a(): pass\n", "tests/test_b.py": "from pytest import mark\n@mark.asyncio\nasync def test_b(): pass\n"},
			[]string{"pytest-asyncio", "pytest-trio"}},
		{"a mark outside the test files", map[string]string{"pkg/util.py": "pytest.mark.asyncio\n", "tests/test_a.py": "def test_a(): pass\n"}, nil},
		{"no async marks", map[string]string{"tests/test_a.py": "import asyncio\ndef test_a():\n    asyncio.run(main())\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, tc.files)
			if d := cmp.Diff(tc.want, markedPlugins(root)); d != "" {
				t.Errorf("markedPlugins (-want +got):\n%s", d)
			}
		})
	}
}
