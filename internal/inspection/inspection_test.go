package inspection

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
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

func ruleIDs(fs []Finding) map[string]string {
	out := map[string]string{}
	for _, f := range fs {
		out[f.RuleID] = f.File
	}
	return out
}

func TestScanFindsEachRule(t *testing.T) {
	blob := strings.Repeat("QUJD", 150)
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"evil-1.0/setup.py": `import base64, os, subprocess, urllib.request
from setuptools import setup
from setuptools.command.install import install
class Post(install):
    def run(self):
        exec(base64.b64decode("cHJpbnQoMSk="))
        urllib.request.urlopen("http://203.0.113.7/x")
        subprocess.run(["sh", "-c", "id"])
        open(os.path.expanduser("~/.ssh/id_rsa")).read()
        subprocess.check_call(["pip", "install", "other"])
setup(name="evil", cmdclass={"install": Post})
`,
		"evil-1.0/evil/__init__.py": "DATA = \"" + blob + "\"\nf = getattr(__builtins__, 'ev' + 'al')\n",
		"evil-1.0/evil/hook.pth":    "import os; os.system('true')\n",
		"evil-1.0/evil/ok.pth":      "some/dir\n",
	})
	findings, stats, err := Scan(dir, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"exec-encoded-payload":   "evil-1.0/setup.py",
		"install-time-network":   "evil-1.0/setup.py",
		"install-time-process":   "evil-1.0/setup.py",
		"install-time-pip":       "evil-1.0/setup.py",
		"credential-paths":       "evil-1.0/setup.py",
		"credential-paths-code":  "evil-1.0/setup.py",
		"custom-install-command": "evil-1.0/setup.py",
		"encoded-blob":           "evil-1.0/evil/__init__.py",
		"obfuscation":            "evil-1.0/evil/__init__.py",
		"pth-with-code":          "evil-1.0/evil/hook.pth",
	}
	if d := cmp.Diff(want, ruleIDs(findings)); d != "" {
		t.Errorf("findings (-want +got):\n%s", d)
	}
	if stats.Files != 4 {
		t.Errorf("read %d files, want 4", stats.Files)
	}
	for _, f := range findings {
		if f.Line == 0 || f.Snippet == "" || f.Message == "" {
			t.Errorf("finding %s lacks evidence: %+v", f.RuleID, f)
		}
	}
}

// Install-time rules only read setup.py: the same calls in the package's own code are normal.
func TestInstallTimeRulesOnlyInSetupPy(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"pkg-1.0/setup.py":        "from setuptools import setup\nsetup(name='pkg')\n",
		"pkg-1.0/pkg/__init__.py": "import subprocess, urllib.request\ndef f():\n    subprocess.run(['ls'])\n    return urllib.request.urlopen('https://example.org')\n",
	})
	findings, _, err := Scan(dir, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if len(findings) != 0 {
		t.Errorf("want no findings, got %+v", findings)
	}
}

// Real, benign code shipped by Debian yields no high-severity finding.
func TestRealPackagesAreQuiet(t *testing.T) {
	for _, dir := range []string{"/usr/lib/python3/dist-packages/pip", "/usr/lib/python3/dist-packages/setuptools", "/usr/lib/python3/dist-packages/_pytest"} {
		if _, err := os.Stat(dir); err != nil {
			continue
		}
		findings, stats, err := Scan(dir, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		if stats.Files == 0 {
			t.Errorf("%s: read no files", dir)
		}
		for _, f := range findings {
			if f.Severity == High || f.Severity == Critical {
				t.Errorf("%s: false alarm %s in %s:%d: %s", dir, f.RuleID, f.File, f.Line, f.Snippet)
			}
		}
	}
}

func TestLimits(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"big.py":  strings.Repeat("x = 1\n", 1000),
		"long.py": "exec(base64.b64decode(" + strings.Repeat("a", 100) + "))\n",
	})
	lim := DefaultLimits()
	lim.MaxFileBytes = 1000
	lim.MaxLineBytes = 10
	findings, stats, err := Scan(dir, lim)
	if err != nil {
		t.Fatal(err)
	}
	if len(stats.Skipped) != 1 || !strings.Contains(stats.Skipped[0], "big.py") {
		t.Errorf("skipped = %v", stats.Skipped)
	}
	if len(findings) != 0 {
		t.Errorf("a line cut at 10 bytes cannot match, got %+v", findings)
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
		{"beautifulsoup", true},
		{"cryptograpy", true},
		{"my-own-project", false},
		{"pyti-example-pure", false},
		{"six", false},
		{"sox", false}, // too short to judge
		{"py-yaml", true},
	}
	for _, tc := range tests {
		got := Typosquat(tc.name, popular)
		if (got != nil) != tc.want {
			t.Errorf("Typosquat(%q) = %+v, want reported=%v", tc.name, got, tc.want)
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
}
