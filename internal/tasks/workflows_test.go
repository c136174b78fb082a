package tasks

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/testfs"
)

// TestWorkflowPytestCommand: the pytest command a project's CI workflows agree on, read from
// their run steps (block and inline scalars, cd, background servers), and no answer when they
// disagree or hide what they run in a variable.
func TestWorkflowPytestCommand(t *testing.T) {
	type got struct {
		P  toxPytest
		OK bool
	}
	// websocket-client 1.6.4's shape: a server started in the background, the suite, and
	// coverage runs of a part of it.
	const build = `name: build
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v3
      - name: Start the echo server
        run: |
          pip3 install -U websockets asyncio
          python3 pkg/tests/echo-server.py &
      - name: Run tests
        run: |
          pytest pkg/tests -v -rP
        env:
          TEST_WITH_INTERNET: 1
`
	const coverage = `jobs:
  cov:
    steps:
      - run: |
          pytest -vrP --cov=pkg pkg/tests --cov-config=.coveragerc --cov-append
          coverage report
      - run: pytest -vrP --cov=pkg pkg/tests -k "testSSLopt"
`
	// Its doctest job, over documentation that holds no test file.
	const doctest = "steps:\n  - run: |\n      pip3 install pytest 'pkg[docs]' rel\n      pytest ./docs/source -v --doctest-glob=\"*.rst\" --doctest-modules\n"
	tests := []struct {
		name  string
		files map[string]string
		want  got
	}{
		{"the suite, beside a background server and a run of a part of it",
			map[string]string{".github/workflows/build.yml": build, ".github/workflows/codecoverage.yaml": coverage, ".github/workflows/doctest.yml": doctest, "docs/source/index.rst": ""},
			got{toxPytest{paths: []string{"pkg/tests"}, alone: true, source: ".github/workflows/build.yml"}, true}},
		{"cd into the tests (jmespath's `cd tests/ && py.test`)",
			map[string]string{".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n    - name: Test\n      run: cd tests/ && py.test --cov jmespath --cov-report term-missing\n"},
			got{toxPytest{alone: true, changedir: "tests", source: ".github/workflows/ci.yml"}, true}},
		{"a quoted inline command with its doctests (networkx's --doctest-modules --pyargs)",
			map[string]string{".github/workflows/t.yml": "steps:\n  - run: \"pytest --doctest-modules --durations=10 --pyargs pkg\"\n"},
			got{toxPytest{args: []string{"--doctest-modules"}, paths: []string{"pkg"}, alone: true, source: ".github/workflows/t.yml"}, true}},
		{"jobs with and without the doctests, one with a variable set: the suite with them (networkx's)",
			map[string]string{".github/workflows/a.yml": "steps:\n  - run: pytest --durations=10 --pyargs pkg\n  - run: NX_BACKEND=loopback pytest --doctest-modules --pyargs pkg\n", ".github/workflows/b.yml": "steps:\n  - run: python -m tarfile --list dist/pkg.tar.gz\n"},
			got{toxPytest{args: []string{"--doctest-modules"}, paths: []string{"pkg"}, alone: true, source: ".github/workflows/a.yml"}, true}},
		{"jobs that select different markers", map[string]string{".github/workflows/a.yml": "steps:\n  - run: pytest -m 'not slow' tests\n  - run: pytest -m slow tests\n"},
			got{}},
		{"another runner beside it: not the suite alone",
			map[string]string{".github/workflows/t.yml": "steps:\n  - run: |\n      python -m unittest discover -s other\n      python -m pytest tests \\\n        -v\n"},
			got{toxPytest{paths: []string{"tests"}, source: ".github/workflows/t.yml"}, true}},
		{"jobs that disagree", map[string]string{".github/workflows/a.yml": "steps:\n  - run: pytest tests\n", ".github/workflows/b.yml": "steps:\n  - run: pytest pkg/tests\n"},
			got{}},
		{"a variable hides what runs", map[string]string{".github/workflows/a.yml": "steps:\n  - run: pytest ${{ matrix.args }} tests\n"},
			got{}},
		{"a cd out of the tree", map[string]string{".github/workflows/a.yml": "steps:\n  - run: |\n      cd /tmp\n      pytest --pyargs pkg\n"},
			got{}},
		{"no pytest in them", map[string]string{".github/workflows/a.yml": "steps:\n  - run: make test # pytest is in the makefile\n"},
			got{}},
		{"no workflows", map[string]string{}, got{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := workflowTree(t, tc.files)
			p, ok := workflowPytestCommand(root)
			if d := cmp.Diff(tc.want, got{p, ok}, cmp.AllowUnexported(toxPytest{})); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestProjectPytestCommand: tox.ini's commands come first; the workflows speak only when tox.ini
// runs none.
func TestProjectPytestCommand(t *testing.T) {
	const workflow = "steps:\n  - run: pytest pkg/tests\n"
	tests := []struct {
		name  string
		files map[string]string
		want  toxPytest
	}{
		{"tox.ini's command", map[string]string{"tox.ini": "[testenv]\ncommands = pytest tests\n", ".github/workflows/a.yml": workflow},
			toxPytest{paths: []string{"tests"}, alone: true}},
		{"tox.ini running another runner (jmespath's nosetests)", map[string]string{"tox.ini": "[testenv]\ncommands = nosetests\n", ".github/workflows/a.yml": workflow},
			toxPytest{paths: []string{"pkg/tests"}, alone: true, source: ".github/workflows/a.yml"}},
		{"tox.ini with no command", map[string]string{"tox.ini": "[flake8]\nmax-line-length = 99\n", ".github/workflows/a.yml": workflow},
			toxPytest{paths: []string{"pkg/tests"}, alone: true, source: ".github/workflows/a.yml"}},
		// cytoolz 0.12.1's sdist: no tox.ini, no workflow, a Makefile.
		{"the Makefile's test target", map[string]string{"Makefile": "PYTHON ?= python\n\ninplace:\n\t$(PYTHON) setup.py build_ext --inplace\n\n" +
			"test: inplace\n\tpytest -s --doctest-modules pkg/\n\tpython -c 'import pkg'\n\nclean:\n\trm -rf build/\n"},
			toxPytest{args: []string{"--doctest-modules"}, paths: []string{"pkg/"}, alone: true, source: "Makefile"}},
		{"the Makefile's test target with $(PYTHON), beside a lint target", map[string]string{"Makefile": "lint:\n\tpytest --flake8 -k flake8\n" +
			"check tests: lint\n\t@$(PYTHON) -m pytest tests\n"},
			toxPytest{paths: []string{"tests"}, alone: true, source: "Makefile"}},
		{"the Makefile's test target runs a part", map[string]string{"Makefile": "test:\n\tpytest -k fast tests\n"}, toxPytest{}},
		{"the Makefile's test target with a variable", map[string]string{"Makefile": "test:\n\tpytest $(TESTS)\n"}, toxPytest{}},
		{"a workflow outranks the Makefile", map[string]string{"Makefile": "test:\n\tpytest tests\n", ".github/workflows/a.yml": workflow},
			toxPytest{paths: []string{"pkg/tests"}, alone: true, source: ".github/workflows/a.yml"}},
		{"neither", map[string]string{}, toxPytest{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := workflowTree(t, tc.files)
			if d := cmp.Diff(tc.want, projectPytestCommand(root), cmp.AllowUnexported(toxPytest{})); d != "" {
				t.Error(d)
			}
		})
	}
}

// workflowTree writes a tree with a test file at tests/, a package with its own tests, and files.
func workflowTree(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	all := map[string]string{"tests/test_a.py": "", "pkg/__init__.py": "", "pkg/tests/test_b.py": ""}
	for k, v := range files {
		all[k] = v
	}
	testfs.Write(t, root, all)
	return root
}
