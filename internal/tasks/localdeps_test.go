package tasks

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/testfs"
)

// TestLocalTestProjects finds the projects of the tree that the test environment installs from
// a path, and nothing else.
func TestLocalTestProjects(t *testing.T) {
	pkg := map[string]string{"tests/helperpkg/setup.py": "", "tests/helperpkg/_helper.py": ""}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"cloudpickle 2.2.1: tox's -r file names ./tests/cloudpickle_testpkg", map[string]string{
			"tox.ini":                  "[testenv]\ndeps = -rdev-requirements.txt\ncommands = pytest\n",
			"dev-requirements.txt":     "flake8\npytest\n# Required for running the tests\n./tests/helperpkg\n",
			"tests/helperpkg/setup.py": ""}, []string{"tests/helperpkg"}},
		{"an editable line in tox's deps, with extras", map[string]string{"tox.ini": "[testenv]\ndeps =\n    -e tests/helperpkg[x]\n    pytest\n"}, []string{"tests/helperpkg"}},
		{"a test requirements file, with a file: path", map[string]string{"requirements-test.txt": "file:./tests/helperpkg\n"}, []string{"tests/helperpkg"}},
		{"the project itself is not one", map[string]string{"tox.ini": "[testenv]\ndeps = -e .[test]\n", "requirements-test.txt": ".\n-e .\n"}, nil},
		{"a directory without a project, a path out of the tree, a URL, a name", map[string]string{
			"requirements-test.txt": "./tests\n../elsewhere\nhttps://example.invalid/x.tar.gz\nhelperpkg\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			testfs.Write(t, root, pkg)
			testfs.Write(t, root, tc.files)
			if d := cmp.Diff(tc.want, localTestProjects(root)); d != "" {
				t.Errorf("local test projects (-want +got)\n%s", d)
			}
		})
	}
}
