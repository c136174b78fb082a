package tasks

import (
	"bytes"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/testresult"
)

// pluginFlags are the command-line options of well-known pytest plugins that a configuration's
// addopts may give, with the project that defines each: pytest refuses an option no plugin
// defines. pytest-cov's are not here: PYTI's own plugin takes them (see pluginsSetAside).
var pluginFlags = map[string]string{
	"--asyncio-mode": "pytest-asyncio", "--timeout": "pytest-timeout", "--timeout-method": "pytest-timeout",
	"-n": "pytest-xdist", "--numprocesses": "pytest-xdist", "--dist": "pytest-xdist", "--maxprocesses": "pytest-xdist",
	"--reruns": "pytest-rerunfailures", "--reruns-delay": "pytest-rerunfailures",
	"--randomly-seed": "pytest-randomly", "--randomly-dont-reorganize": "pytest-randomly",
	"--benchmark-disable": "pytest-benchmark", "--benchmark-skip": "pytest-benchmark", "--benchmark-only": "pytest-benchmark",
	"--ds": "pytest-django", "--reuse-db": "pytest-django", "--nomigrations": "pytest-django",
}

// pluginFlagFamilies are the prefixes of the options of well-known pytest plugins beyond
// pluginFlags: pytest-benchmark's --benchmark-sort, --benchmark-warmup...
var pluginFlagFamilies = map[string]string{
	"--benchmark-": "pytest-benchmark", "--randomly-": "pytest-randomly", "--reruns": "pytest-rerunfailures",
	"--timeout": "pytest-timeout", "--html": "pytest-html", "--self-contained-html": "pytest-html", "--mypy": "pytest-mypy",
	"--flake8": "pytest-flake8", "--black": "pytest-black", "--isort": "pytest-isort", "--mpl": "pytest-mpl",
	"--pydocstyle": "pytest-pydocstyle", "--pycodestyle": "pytest-pycodestyle", "--pylint": "pytest-pylint",
	"--doctest-plus": "pytest-doctestplus", "--remote-data": "pytest-remotedata", "--hypothesis-": "hypothesis",
}

// pluginOfOption is the well-known pytest plugin that defines a command-line option ("--x=1" or
// "--x"), or "".
func pluginOfOption(opt string) string {
	name, _, _ := strings.Cut(opt, "=")
	if p := pluginFlags[name]; p != "" {
		return p
	}
	for prefix, p := range pluginFlagFamilies {
		if strings.HasPrefix(name, prefix) {
			return p
		}
	}
	return ""
}

// configuredPlugins are the pytest plugins that the pytest configuration pytest reads in root
// (see pytestConfig) needs, as requirement strings, once each: the plugins its required_plugins
// names, as it names them, and the well-known plugins whose ini options it sets or whose options
// its addopts give. A project's own test requirements may leave one out (blinker's sdist ships
// its tox.ini without the requirements file it names), and pytest then cannot run the tests.
func configuredPlugins(root string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(req string) {
		r, err := pep440.ParseRequirement(req)
		if err != nil {
			return
		}
		if name := pep440.NormalizeName(r.Name); !seen[name] {
			seen[name] = true
			out = append(out, req)
		}
	}
	for _, line := range pytestOption(root, "required_plugins") {
		for _, req := range strings.Fields(line) {
			add(req)
		}
	}
	for _, option := range slices.Sorted(maps.Keys(testresult.PluginIniOptions)) {
		if len(pytestOption(root, option)) > 0 {
			add(testresult.PluginIniOptions[option])
		}
	}
	for _, line := range pytestOption(root, "addopts") {
		for _, word := range shellWords(line) {
			flag, _, _ := strings.Cut(word, "=")
			if strings.HasPrefix(flag, "-n") && !strings.HasPrefix(flag, "--") {
				flag = "-n" // -n4, -nauto
			}
			if project, ok := pluginFlags[flag]; ok {
				add(project)
			}
		}
	}
	return out
}

// pluginMarks are the marks of well-known pytest plugins that run async test functions, with the
// project of each. pytest skips an async test function no plugin runs ("async def function and
// no async plugin installed"): tests marked for a plugin the project's test requirements leave
// out (async-timeout names pytest-asyncio in its requirements.txt only) need that plugin.
var pluginMarks = []struct{ mark, project string }{
	{"mark.asyncio", "pytest-asyncio"},
	{"mark.trio", "pytest-trio"},
}

// markedPlugins are the plugins that the test files below root (the first 200 found, as
// findTestFiles finds them, and the conftest.py beside each) mark tests for, by pluginMarks.
func markedPlugins(root string) []string {
	files := findTestFiles(root, 200)
	seen := map[string]bool{}
	for _, f := range files {
		if c := filepath.Join(filepath.Dir(f), "conftest.py"); !seen[c] {
			seen[c] = true
			files = append(files, c)
		}
	}
	var out []string
	for _, f := range files {
		data, err := readCapped(filepath.Join(root, f), 1<<20)
		if err != nil {
			continue
		}
		for _, pm := range pluginMarks {
			if !slices.Contains(out, pm.project) && bytes.Contains(data, []byte(pm.mark)) {
				out = append(out, pm.project)
			}
		}
		if len(out) == len(pluginMarks) {
			break
		}
	}
	return out
}

// undeclared are the requirements of reqs, once each project, whose project neither the test
// requirements (testReqs) nor the package's own metadata (its extras included) names.
func undeclared(src Source, testReqs, reqs []string) []string {
	declared := declaredNames(src, testReqs)
	var out []string
	for _, s := range reqs {
		if r, err := pep440.ParseRequirement(s); err == nil && !declared[pep440.NormalizeName(r.Name)] {
			declared[pep440.NormalizeName(r.Name)] = true
			out = append(out, s)
		}
	}
	return out
}

// declaredNames are the normalised project names that the test requirements (testReqs) and the
// package's own metadata or pyproject.toml (its extras included) name.
func declaredNames(src Source, testReqs []string) map[string]bool {
	declared := map[string]bool{}
	add := func(s string) {
		if r, err := pep440.ParseRequirement(s); err == nil {
			declared[pep440.NormalizeName(r.Name)] = true
		}
	}
	for _, s := range testReqs {
		add(s)
	}
	if src.Metadata != nil {
		for _, r := range src.Metadata.RequiresDist {
			add(r.Raw)
		}
	}
	if src.Pyproject != nil && src.Pyproject.Project != nil {
		for _, s := range src.Pyproject.Project.Dependencies {
			add(s)
		}
		for _, reqs := range src.Pyproject.Project.OptionalDependencies {
			for _, s := range reqs {
				add(s)
			}
		}
	}
	return declared
}
