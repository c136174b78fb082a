package tasks

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDiscover checks how a source tree's tests are found, and the python_files pytest is given
// so that it collects them as their maintainers' runner would.
func TestDiscover(t *testing.T) {
	const unittestFile = "import unittest\n\nclass T(unittest.TestCase):\n    def test_x(self):\n        pass\n"
	const pytestFile = "def test_x():\n    assert True\n"
	tests := []struct {
		name  string
		files map[string]string
		want  suite
	}{
		{"pytest files with pytest's own defaults", map[string]string{"tests/test_a.py": pytestFile, "pkg/__init__.py": ""},
			suite{kind: suitePytest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)"}},
		{"a unittest suite in test.py, run as unittest discover would (test*.py)",
			map[string]string{"src/tests/__init__.py": "", "src/tests/test.py": unittestFile, "src/tests/documentation.py": "", "src/mod.py": ""},
			suite{kind: suiteUnittest, files: []string{"src/tests/test.py"}, found: "1 test file (src/tests/test.py)", pythonFiles: "test*.py *_test.py"}},
		{"a unittest suite in test_*.py files gets unittest's pattern too",
			map[string]string{"tests/test_a.py": unittestFile},
			suite{kind: suiteUnittest, files: []string{"tests/test_a.py"}, found: "1 test file (tests/test_a.py)", pythonFiles: "test*.py *_test.py"}},
		{"pytest-style tests.py next to test_*.py: pytest's defaults plus the single test modules",
			map[string]string{"pkg/tests.py": pytestFile, "pkg/test_b.py": pytestFile, "setup.cfg": "[tool:pytest]\naddopts = -q\n"},
			suite{kind: suitePytest, files: []string{"pkg/test_b.py", "pkg/tests.py"}, found: "2 test files (pkg/test_b.py, pkg/tests.py)",
				pythonFiles: "test_*.py *_test.py test.py tests.py"}},
		{"the project's own python_files wins",
			map[string]string{"test.py": unittestFile, "tox.ini": "[pytest]\npython_files = test.py\n"},
			suite{kind: suitePytest, files: []string{"test.py"}, found: "1 test file (test.py)"}},
		{"conftest.py alone is no test file", map[string]string{"conftest.py": "", "pkg/__init__.py": "", "pkg/mod.py": "x = 1\n"},
			suite{found: "no tests in the distribution"}},
		{"doctests only", map[string]string{"pkg/__init__.py": "def f():\n    \"\"\"\n    >>> f()\n    \"\"\"\n"},
			suite{kind: suiteDoctest, found: "doctests in the modules"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			writeFiles(t, root, tc.files)
			if diff := cmp.Diff(tc.want, discover(root), cmp.AllowUnexported(suite{})); diff != "" {
				t.Errorf("discover (-want +got):\n%s", diff)
			}
		})
	}
}

// TestSourceRepository: the repository a "no tests in the sdist" note points to.
func TestSourceRepository(t *testing.T) {
	tests := []struct {
		name string
		urls map[string]string
		want string
	}{
		{"a Source label wins over a changelog that sorts first",
			map[string]string{"Changelog": "https://github.com/o/r/blob/master/CHANGELOG.md", "Source Code": "https://git.example.org/o/r"}, "https://git.example.org/o/r"},
		{"a changelog on a forge gives the repository's root",
			map[string]string{"Changelog": "https://github.com/o/r/blob/master/CHANGELOG.md", "Homepage": "https://r.example.org"}, "https://github.com/o/r"},
		{"a .git suffix and a self-hosted gitlab",
			map[string]string{"Homepage": "https://gitlab.example.com/group/proj.git"}, "https://gitlab.example.com/group/proj"},
		{"Bug Reports and Resources are no repository",
			map[string]string{"Bug Reports": "https://bugs.example.org/", "Resources": "https://r.example.org/res"}, ""},
		{"a forge's front page is no repository",
			map[string]string{"Homepage": "https://github.com/"}, ""},
		{"none", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, sourceRepository(tc.urls)); diff != "" {
				t.Errorf("sourceRepository (-want +got):\n%s", diff)
			}
		})
	}
}
