package quality

import (
	"path"
	"slices"
	"strings"
)

// Shipped is the part of a wheel that is linted: the Python modules it installs, test files left
// out. Paths are relative to the install root (site-packages), as Python imports them.
type Shipped struct {
	// Lint maps each linted file's install path to its member name in the wheel.
	Lint []ShippedFile
	// Tests are the install paths of the test files the wheel ships, not linted.
	Tests []string
	// Companions are the other module files installed beside the linted ones: extension modules
	// (.so, .pyd) and the stubs (.pyi) of modules that have no .py. They are laid out, not linted,
	// so that pylint resolves the package's imports of them as it does in site-packages.
	Companions []ShippedFile
}

// ShippedFile is one module file of a wheel.
type ShippedFile struct {
	Member string // the member name in the wheel
	Path   string // where it is installed, relative to site-packages
}

// Scope says, in the report, what a lint of Shipped files covered.
const Scope = "the Python modules the wheel installs; test files left out"

// SelectShipped picks, from a wheel's member names, the Python source files the wheel installs
// into site-packages (its .data/purelib and .data/platlib trees included; its dist-info, scripts,
// headers and data left out), and tells its test files apart: a file under a directory named
// tests or test, or named test_*.py, *_test.py or conftest.py. Test files are what a maintainer
// ships by accident or for reference, not the package's code; they are counted, not linted. The
// extension modules and stubs beside the modules are its Companions.
// modules are install paths that are the package's code whatever their names say (Jinja's
// jinja2/tests.py, its template tests, which its test run does not collect).
func SelectShipped(members []string, modules ...string) Shipped {
	var s Shipped
	sources := map[string]bool{}
	for _, m := range members {
		if p, ok := installPath(m); ok && strings.HasSuffix(p, ".py") {
			sources[strings.TrimSuffix(p, ".py")] = true
		}
	}
	for _, m := range members {
		p, ok := installPath(m)
		if !ok {
			continue
		}
		if !strings.HasSuffix(p, ".py") {
			if isCompanion(p, sources) && !isTestFile(p) {
				s.Companions = append(s.Companions, ShippedFile{Member: m, Path: p})
			}
			continue
		}
		if isTestFile(p) && !slices.Contains(modules, p) {
			s.Tests = append(s.Tests, p)
			continue
		}
		s.Lint = append(s.Lint, ShippedFile{Member: m, Path: p})
	}
	return s
}

// isCompanion tells an extension module, or the stub of a module with no .py among sources (install
// paths without ".py").
func isCompanion(p string, sources map[string]bool) bool {
	switch {
	case strings.HasSuffix(p, ".so"), strings.HasSuffix(p, ".pyd"):
		return true
	case strings.HasSuffix(p, ".pyi"):
		return !sources[strings.TrimSuffix(p, ".pyi")]
	}
	return false
}

// ModuleName is the name Python imports a module file by: its base name up to the first dot
// (_speedups for _speedups.cpython-311-x86_64-linux-gnu.so).
func ModuleName(p string) string {
	name, _, _ := strings.Cut(path.Base(p), ".")
	return name
}

// installPath is where a wheel member lands relative to site-packages, and false for members that
// do not land there (metadata, scripts, headers, data) or whose names are not plain relative paths.
func installPath(member string) (string, bool) {
	clean := path.Clean(member)
	if clean != member || path.IsAbs(clean) || clean == "." || strings.HasPrefix(clean, "../") || strings.Contains(clean, "\\") {
		return "", false
	}
	top, rest, nested := strings.Cut(clean, "/")
	switch {
	case strings.HasSuffix(top, ".dist-info"):
		return "", false
	case strings.HasSuffix(top, ".data"):
		if !nested {
			return "", false
		}
		scheme, p, ok := strings.Cut(rest, "/")
		if !ok || (scheme != "purelib" && scheme != "platlib") {
			return "", false
		}
		return p, true
	}
	return clean, true
}

// testDirNames are the names of a package's directories of tests: tests/ and test/, and the
// private _tests/ and _test/ (automat/_test).
var testDirNames = []string{"tests", "test", "_tests", "_test"}

// TestDirNames returns testDirNames, a copy the caller may change.
func TestDirNames() []string { return slices.Clone(testDirNames) }

// IsTestDir tells a package's directory of tests by its name: one of TestDirNames, or a name
// ending in _tests (pyfakefs 5.2.2's pytest_tests/, beside its tests/; unit_tests/,
// integration_tests/). It runs for every path of a wheel or a tree walked, so it reads the list
// without copying it.
func IsTestDir(name string) bool {
	return slices.Contains(testDirNames, name) || (strings.HasSuffix(name, "_tests") && len(name) > len("_tests"))
}

// isTestFile tells a test module by its directory or its name.
func isTestFile(p string) bool {
	dirs := strings.Split(path.Dir(p), "/")
	for _, d := range dirs {
		if IsTestDir(d) {
			return true
		}
	}
	base := path.Base(p)
	return base == "conftest.py" || base == "test.py" || base == "tests.py" || strings.HasPrefix(base, "test_") || strings.HasSuffix(base, "_test.py")
}
