package tasks

import (
	"crypto/sha256"
	"encoding/base64"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/behavior"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/testfs"
	"github.com/pyti/pyti/internal/trace"
)

// TestVetPthWrite: a .pth file written into site-packages while the package was installed is
// info when it is what every such install writes (a tool's own .pth, setuptools' or pytest-cov's, as
// its own RECORD lists it, a namespace package's -nspkg.pth, path lines only), and keeps its severity
// otherwise: code, a changed setuptools file, a file outside site-packages or one that is gone.
// While the tests are set up, a test dependency's own .pth (its RECORD lists it) is info too.
func TestVetPthWrite(t *testing.T) {
	const distutils = "import os; var = 'SETUPTOOLS_USE_DISTUTILS'; enabled = os.environ.get(var, 'local') == 'local'; enabled and __import__('_distutils_hack').add_shim(); \n"
	nspkg := strings.Join([]string{"import sys, types, os", "has_mfs = sys.version_info > (3, 5)",
		"p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('zope',))", "importlib = has_mfs and __import__('importlib.util')",
		"has_mfs and __import__('importlib.machinery')",
		"m = has_mfs and sys.modules.setdefault('zope', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('zope', [os.path.dirname(p)])))",
		"m = m or sys.modules.setdefault('zope', types.ModuleType('zope'))", "mp = (m or []) and m.__dict__.setdefault('__path__',[])",
		"(p not in mp) and mp.append(p)"}, ";") + "\n"
	recordOf := func(name, content string) string {
		sum := sha256.Sum256([]byte(content))
		return name + ",sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]) + "," + strconv.Itoa(len(content)) + "\n"
	}
	const covPth = "import os, sys;exec('if \\'COV_CORE_SOURCE\\' in os.environ:\\n try:\\n  from pytest_cov.embed import init\\n  init()\\n except Exception: pass')\n"
	setuptools := map[string]string{"setuptools-66.1.1.dist-info/RECORD": "setuptools/__init__.py,sha256=x,1\n" + recordOf("distutils-precedence.pth", distutils) +
		"setuptools-66.1.1.dist-info/RECORD,,\n"}
	pytestCov := map[string]string{"pytest_cov-4.0.0.dist-info/RECORD": "pytest_cov/__init__.py,sha256=x,1\n" + recordOf("pytest-cov.pth", covPth) +
		"pytest_cov-4.0.0.dist-info/RECORD,,\n"}
	// A wheel that ships a copy of pytest-cov's .dist-info to vouch for its own pytest-cov.pth.
	vouched := map[string]string{
		"pytest_cov-4.0.0.dist-info/RECORD": recordOf("pytest-cov.pth", covPth),
		"evil-1.dist-info/RECORD":           recordOf("pytest_cov-4.0.0.dist-info/RECORD", recordOf("pytest-cov.pth", covPth)) + recordOf("pytest-cov.pth", covPth),
	}
	const coloredlogs = "import os; exec('if os.environ.get(\\'COLOREDLOGS_AUTO_INSTALL\\'): __import__(\\'coloredlogs\\').install()')\n"
	coloredlogsRecord := map[string]string{"coloredlogs-15.0.1.dist-info/RECORD": recordOf("coloredlogs.pth", coloredlogs) + "coloredlogs-15.0.1.dist-info/RECORD,,\n"}
	const site = "lib/python3.11/site-packages"
	for _, tc := range []struct {
		name, file, content string
		records             map[string]string
		path                string // as the sandbox saw it; default: the file in site-packages
		testDepsOf          string
		want                report.Severity
	}{
		{"setuptools' own, as its RECORD lists it", "distutils-precedence.pth", distutils, setuptools, "", "", report.SeverityInfo},
		{"setuptools' name, no setuptools installed", "distutils-precedence.pth", distutils, nil, "", "", report.SeverityMedium},
		{"setuptools' name, other content", "distutils-precedence.pth", distutils + "import os; os.system('id')\n", setuptools, "", "", report.SeverityMedium},
		{"setuptools' name, listed by pytest-cov", "distutils-precedence.pth", distutils, map[string]string{"pytest_cov-4.0.0.dist-info/RECORD": recordOf("distutils-precedence.pth", distutils)}, "", "", report.SeverityMedium},
		{"pytest-cov's own, as its RECORD lists it", "pytest-cov.pth", covPth, pytestCov, "", "", report.SeverityInfo},
		{"pytest-cov's, vouched for by a copied .dist-info", "pytest-cov.pth", covPth, vouched, "", "", report.SeverityMedium},
		{"a namespace package's -nspkg.pth", "zope.proxy-5.1-nspkg.pth", nspkg, nil, "", "", report.SeverityInfo},
		{"path lines only", "extra.pth", "/opt/extra\n../lib\n", nil, "", "", report.SeverityInfo},
		{"code", "evil.pth", "import os; os.system('id')\n", nil, "", "", report.SeverityMedium},
		{"outside site-packages", "extra.pth", "/opt/extra\n", nil, "/work/other/extra.pth", "", report.SeverityMedium},
		{"gone after the step", "", "", nil, "/work/venv/" + site + "/gone.pth", "", report.SeverityMedium},
		{"a test dependency's own, while the tests are set up", "coloredlogs.pth", coloredlogs, coloredlogsRecord, "", "humanfriendly", report.SeverityInfo},
		{"a dependency's own, at install", "coloredlogs.pth", coloredlogs, coloredlogsRecord, "", "", report.SeverityMedium},
		{"the package's own, while its tests are set up", "coloredlogs.pth", coloredlogs, coloredlogsRecord, "", "coloredlogs", report.SeverityMedium},
		{"no RECORD lists it, while the tests are set up", "coloredlogs.pth", coloredlogs, nil, "", "humanfriendly", report.SeverityMedium},
	} {
		t.Run(tc.name, func(t *testing.T) {
			work := t.TempDir()
			host := filepath.Join(work, "venv", site)
			files := map[string]string{}
			if tc.file != "" {
				files[tc.file] = tc.content
			}
			for name, content := range tc.records {
				files[name] = content
			}
			if err := os.MkdirAll(host, 0o755); err != nil {
				t.Fatal(err)
			}
			testfs.Write(t, host, files)
			path := tc.path
			if path == "" {
				path = insideWork + "/venv/" + site + "/" + tc.file
			}
			j := &job{jobEnv: &jobEnv{work: work}}
			f := behavior.Finding{RuleID: "pth-file-written", Severity: report.SeverityMedium, Message: "m",
				Evidence: []trace.Event{{Path: path}}, Count: 1, Distinct: 1}
			got := j.vetPthWrite(insideWork+"/venv/"+site, tc.testDepsOf, f)
			if d := cmp.Diff(tc.want, got.Severity); d != "" {
				t.Errorf("severity (-want +got):\n%s\nmessage: %s", d, got.Message)
			}
		})
	}
}

// TestInstalledPackages: the environment's distributions are read from their .dist-info, and from
// the .egg-info (a directory or a single file) that a legacy `setup.py install` leaves.
func TestInstalledPackages(t *testing.T) {
	site := t.TempDir()
	testfs.Write(t, site, map[string]string{
		"pytest-7.2.1.dist-info/METADATA":        "Metadata-Version: 2.1\nName: pytest\nVersion: 7.2.1\n\nbody\n",
		"legacydep-1.0-py3.11.egg-info/PKG-INFO": "Metadata-Version: 2.1\nName: legacydep\nVersion: 1.0\n",
		"olddist-0.3-py3.11.egg-info":            "Metadata-Version: 1.0\nName: olddist\nVersion: 0.3\n",
		"broken.dist-info/RECORD":                "",
		"pkg/__init__.py":                        "",
	})
	want := []report.Package{{Name: "legacydep", Version: "1.0"}, {Name: "olddist", Version: "0.3"}, {Name: "pytest", Version: "7.2.1"}}
	if d := cmp.Diff(want, installedPackages(site)); d != "" {
		t.Errorf("installedPackages (-want +got):\n%s", d)
	}
}
