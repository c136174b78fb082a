package debwheel

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestEggMetadata(t *testing.T) {
	pkgInfo := "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n\nThe description.\n"
	requires := "base>=1\n\n[:python_version < \"3.8\"]\nimportlib-metadata\n\n[testing]\npytest\n\n[fast:sys_platform == \"linux\"]\nuvloop\n"
	got := string(eggMetadata([]byte(pkgInfo), []byte(requires)))
	want := "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n" +
		"Requires-Dist: base>=1\n" +
		"Requires-Dist: importlib-metadata; (python_version < \"3.8\")\n" +
		"Provides-Extra: testing\nRequires-Dist: pytest; extra == \"testing\"\n" +
		"Provides-Extra: fast\nRequires-Dist: uvloop; (sys_platform == \"linux\") and extra == \"fast\"\n" +
		"\nThe description.\n"
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("METADATA (-want +got):\n%s", d)
	}
}

// TestToolWheelsInstallAndRun repackages Debian's pytest and coverage, installs them with real pip
// into a fresh environment without system site-packages, and runs them.
func TestToolWheelsInstallAndRun(t *testing.T) {
	for _, p := range TestTools {
		if err := exec.Command("dpkg", "-s", p).Run(); err != nil {
			t.Skipf("%s is not installed", p)
		}
	}
	pipWheels, _ := filepath.Glob("/usr/share/python-wheels/pip-*.whl")
	if len(pipWheels) == 0 {
		t.Skip("no pip wheel (python3-pip-whl)")
	}
	dir := t.TempDir()
	wheels, err := Build(context.Background(), filepath.Join(dir, "wh"), TestTools)
	if err != nil {
		t.Fatal(err)
	}
	if len(wheels) != len(TestTools) {
		t.Fatalf("built %d wheels for %d packages", len(wheels), len(TestTools))
	}
	venv := filepath.Join(dir, "venv")
	if out, err := exec.Command("/usr/bin/python3", "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, out)
	}
	py := filepath.Join(venv, "bin", "python")
	install := exec.Command(py, filepath.Join(pipWheels[0], "pip"), "install", "--no-index", "--find-links", filepath.Join(dir, "wh"), "pytest", "coverage")
	install.Env = append(os.Environ(), "PIP_CONFIG_FILE=/dev/null", "PIP_NO_CACHE_DIR=1", "PIP_DISABLE_PIP_VERSION_CHECK=1")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("pip install: %v\n%s", err, out)
	}
	suite := filepath.Join(dir, "suite")
	_ = os.MkdirAll(suite, 0o755)
	_ = os.WriteFile(filepath.Join(suite, "test_a.py"), []byte("def test_a():\n    assert 1\n"), 0o644)
	run := exec.Command(py, "-m", "coverage", "run", filepath.Join(venv, "bin", "pytest"), "-p", "no:cacheprovider", suite)
	run.Dir = dir
	out, err := run.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 passed") {
		t.Fatalf("pytest under coverage in the fresh environment: %v\n%s", err, out)
	}
	// coverage's HTML templates live in a directory that Debian links to /usr/share: the wheel
	// must carry them for `coverage html` to work.
	html := exec.Command(py, "-m", "coverage", "html", "-d", filepath.Join(dir, "htmlcov"))
	html.Dir = dir
	if out, err := html.CombinedOutput(); err != nil {
		t.Fatalf("coverage html: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "htmlcov", "index.html")); err != nil {
		t.Errorf("coverage html wrote no index.html: %v", err)
	}
}
