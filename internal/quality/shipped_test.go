package quality

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSelectShipped(t *testing.T) {
	for _, tc := range []struct {
		name    string
		members []string
		modules []string
		want    Shipped
	}{
		{"a package", []string{"pkg/__init__.py", "pkg/core.py", "pkg/_speedups.cpython-311-x86_64-linux-gnu.so", "pkg/py.typed", "pkg-1.0.dist-info/METADATA", "pkg-1.0.dist-info/RECORD"}, nil,
			Shipped{Lint: []ShippedFile{{"pkg/__init__.py", "pkg/__init__.py"}, {"pkg/core.py", "pkg/core.py"}},
				Companions: []ShippedFile{{"pkg/_speedups.cpython-311-x86_64-linux-gnu.so", "pkg/_speedups.cpython-311-x86_64-linux-gnu.so"}}}},
		{"stubs of compiled modules are companions, of source modules not", []string{"bcrypt/__init__.py", "bcrypt/__init__.pyi", "bcrypt/_bcrypt.abi3.so", "bcrypt/_bcrypt.pyi", "bcrypt/tests/_fast.so", "bcrypt-1.0.data/platlib/top.pyd"}, nil,
			Shipped{Lint: []ShippedFile{{"bcrypt/__init__.py", "bcrypt/__init__.py"}},
				Companions: []ShippedFile{{"bcrypt/_bcrypt.abi3.so", "bcrypt/_bcrypt.abi3.so"}, {"bcrypt/_bcrypt.pyi", "bcrypt/_bcrypt.pyi"}, {"bcrypt-1.0.data/platlib/top.pyd", "top.pyd"}}}},
		{"a single module", []string{"six.py", "six-1.16.dist-info/METADATA"}, nil,
			Shipped{Lint: []ShippedFile{{"six.py", "six.py"}}}},
		{"tests inside the package are left out", []string{"toolz/__init__.py", "toolz/itertoolz.py", "toolz/tests/__init__.py", "toolz/tests/test_itertoolz.py", "toolz/sandbox/tests/test_core.py"}, nil,
			Shipped{Lint: []ShippedFile{{"toolz/__init__.py", "toolz/__init__.py"}, {"toolz/itertoolz.py", "toolz/itertoolz.py"}},
				Tests: []string{"toolz/tests/__init__.py", "toolz/tests/test_itertoolz.py", "toolz/sandbox/tests/test_core.py"}}},
		{"a private test package (automat/_test) is left out", []string{"automat/__init__.py", "automat/_core.py", "automat/_test/__init__.py", "automat/_test/test_core.py", "automat/_test/helpers.py"}, nil,
			Shipped{Lint: []ShippedFile{{"automat/__init__.py", "automat/__init__.py"}, {"automat/_core.py", "automat/_core.py"}},
				Tests: []string{"automat/_test/__init__.py", "automat/_test/test_core.py", "automat/_test/helpers.py"}}},
		{"a directory of tests named *_tests (pyfakefs 5.2.2's pytest_tests), and one only named like it",
			[]string{"pyfakefs/__init__.py", "pyfakefs/pytest_tests/__init__.py", "pyfakefs/pytest_tests/io.py", "pyfakefs/_tests.py"}, nil,
			Shipped{Lint: []ShippedFile{{"pyfakefs/__init__.py", "pyfakefs/__init__.py"}, {"pyfakefs/_tests.py", "pyfakefs/_tests.py"}},
				Tests: []string{"pyfakefs/pytest_tests/__init__.py", "pyfakefs/pytest_tests/io.py"}}},
		{"test modules by name", []string{"pkg/test_things.py", "pkg/things_test.py", "pkg/conftest.py", "pkg/testing.py", "pkg/latest.py", "pkg/test.py", "pkg/tests.py"}, nil,
			Shipped{Lint: []ShippedFile{{"pkg/testing.py", "pkg/testing.py"}, {"pkg/latest.py", "pkg/latest.py"}},
				Tests: []string{"pkg/test_things.py", "pkg/things_test.py", "pkg/conftest.py", "pkg/test.py", "pkg/tests.py"}}},
		{"a namespace package", []string{"jaraco/functools/__init__.py", "jaraco/functools/__init__.pyi"}, nil,
			Shipped{Lint: []ShippedFile{{"jaraco/functools/__init__.py", "jaraco/functools/__init__.py"}}}},
		{"purelib and platlib land in site-packages; scripts and data do not", []string{"pkg-1.0.data/purelib/extra.py", "pkg-1.0.data/platlib/plat/mod.py", "pkg-1.0.data/scripts/tool.py", "pkg-1.0.data/data/share/x.py", "pkg-1.0.data/headers/h.py"}, nil,
			Shipped{Lint: []ShippedFile{{"pkg-1.0.data/purelib/extra.py", "extra.py"}, {"pkg-1.0.data/platlib/plat/mod.py", "plat/mod.py"}}}},
		{"names that are not plain relative paths are never linted", []string{"/etc/evil.py", "../up.py", "a/../b.py", "a\\b.py", "./c.py"}, nil,
			Shipped{}},
		{"a module named tests.py that the test run does not collect (Jinja's template tests)", []string{"jinja2/__init__.py", "jinja2/tests.py", "jinja2/test_x.py"}, []string{"jinja2/tests.py"},
			Shipped{Lint: []ShippedFile{{"jinja2/__init__.py", "jinja2/__init__.py"}, {"jinja2/tests.py", "jinja2/tests.py"}}, Tests: []string{"jinja2/test_x.py"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, SelectShipped(tc.members, tc.modules...), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("SelectShipped (-want +got):\n%s", d)
			}
		})
	}
}
