package debwheel

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/localindex"
)

// imageRootEnv names the root file system of a PYTI image (for instance
// DATA-DIR/images/trixie/root, built by `pyti image build trixie`) for TestImageAndHostTools.
const imageRootEnv = "PYTI_TEST_IMAGE_ROOT"

// TestImageAndHostTools repackages the test tools of this machine and of an image (another
// Debian release, so another Python) into one index served on loopback, then installs pytest and
// coverage from it with real pip twice: into a fresh environment of the image's own Python, run
// inside the image with bwrap, and into one of the host's /usr/bin/python3. Each must get the
// coverage built for its Python (with its C tracer) and a pytest that runs a suite under it.
func TestImageAndHostTools(t *testing.T) {
	root := os.Getenv(imageRootEnv)
	if root == "" {
		t.Skipf("%s is not set: point it at an image's root file system (e.g. /tmp/imgdata/images/trixie/root) to test repackaging its tools", imageRootEnv)
	}
	if _, err := os.Stat(filepath.Join(root, "var/lib/dpkg/status")); err != nil {
		t.Fatalf("%s=%s is not a Debian root file system: %v", imageRootEnv, root, err)
	}
	for _, tool := range []string{"/usr/bin/bwrap", "/usr/bin/python3"} {
		if _, err := os.Stat(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	for _, p := range TestTools {
		if err := exec.Command("dpkg", "-s", p).Run(); err != nil {
			t.Skipf("%s is not installed on this machine", p)
		}
	}
	hostPip, _ := filepath.Glob("/usr/share/python-wheels/pip-*.whl")
	imagePip, _ := filepath.Glob(filepath.Join(root, "usr/share/python-wheels/pip-*.whl"))
	if len(hostPip) == 0 || len(imagePip) == 0 {
		t.Skip("no pip wheel on this machine or in the image (python3-pip-whl)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	dir := t.TempDir()
	wh := filepath.Join(dir, "wheelhouse")
	hostWheels, err := Build(ctx, wh, TestTools)
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := Dependencies(root, TestTools)
	if err != nil {
		t.Fatal(err)
	}
	res, err := BuildFrom(ctx, root, wh, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("image packages %v: missing %v, kept %v", pkgs, res.Missing, res.Kept)
	hostCoverage := coverageVersion(t, hostWheels, "cp311")
	imageCoverage := coverageVersion(t, res.Wheels, "")

	srv, err := localindex.Start(wh)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	pipEnv := []string{"PIP_CONFIG_FILE=/dev/null", "PIP_NO_CACHE_DIR=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PYTHONDONTWRITEBYTECODE=1"}

	// The image's Python, inside the image; dir/image is /tmp/work there.
	work := filepath.Join(dir, "image")
	writeSuite(t, work)
	inImage := func(args ...string) string {
		t.Helper()
		bw := []string{"--ro-bind", root, "/", "--tmpfs", "/tmp", "--proc", "/proc", "--dev", "/dev",
			"--bind", work, "/tmp/work", "--chdir", "/tmp/work", "--unshare-all", "--share-net", "--die-with-parent",
			"--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp"}
		for _, e := range pipEnv {
			k, v, _ := strings.Cut(e, "=")
			bw = append(bw, "--setenv", k, v)
		}
		return run(t, ctx, nil, "", "/usr/bin/bwrap", append(append(bw, "--"), args...)...)
	}
	inImage("/usr/bin/python3", "-m", "venv", "--without-pip", "/tmp/work/venv")
	py := "/tmp/work/venv/bin/python"
	logInstalled(t, "image", inImage(py, "/usr/share/python-wheels/"+filepath.Base(imagePip[0])+"/pip", "install", "--index-url", srv.SimpleURL(), "pytest", "coverage"))
	checkTools(t, inImage, py, imageCoverage, "/tmp/work/suite")

	// The host's Python, from the same index.
	hostDir := filepath.Join(dir, "host")
	writeSuite(t, hostDir)
	onHost := func(args ...string) string {
		t.Helper()
		return run(t, ctx, append(os.Environ(), pipEnv...), hostDir, args[0], args[1:]...)
	}
	onHost("/usr/bin/python3", "-m", "venv", "--without-pip", filepath.Join(hostDir, "venv"))
	hostPy := filepath.Join(hostDir, "venv", "bin", "python")
	logInstalled(t, "host", onHost(hostPy, filepath.Join(hostPip[0], "pip"), "install", "--index-url", srv.SimpleURL(), "pytest", "coverage"))
	checkTools(t, onHost, hostPy, hostCoverage, filepath.Join(hostDir, "suite"))
	if hostCoverage == imageCoverage {
		t.Logf("the host and the image have the same coverage version %s: only the tags tell them apart", hostCoverage)
	}
}

// coverageVersion finds the coverage wheel among wheels, checks that it is a CPython wheel (with
// the tag prefix want, if given) and returns its version.
func coverageVersion(t *testing.T, wheels []string, want string) string {
	t.Helper()
	re := regexp.MustCompile(`^coverage-([^-]+)-(cp3\d+)-cp3\d+-linux_\w+\.whl$`)
	for _, w := range wheels {
		if m := re.FindStringSubmatch(filepath.Base(w)); m != nil {
			if want != "" && m[2] != want {
				t.Fatalf("coverage wheel %s, want tag %s", filepath.Base(w), want)
			}
			return m[1]
		}
	}
	t.Fatalf("no CPython coverage wheel among %v", wheels)
	return ""
}

// logInstalled logs what pip said it installed.
func logInstalled(t *testing.T, where, pipOutput string) {
	t.Helper()
	for _, line := range strings.Split(pipOutput, "\n") {
		if strings.HasPrefix(line, "Successfully installed") {
			t.Logf("%s: %s", where, line)
		}
	}
}

func writeSuite(t *testing.T, dir string) {
	t.Helper()
	suite := filepath.Join(dir, "suite")
	if err := os.MkdirAll(suite, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(suite, "test_a.py"), []byte("def test_a():\n    assert 1 + 1 == 2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkTools checks that pytest and coverage (the version wantCoverage, with its C tracer) run
// in the environment of py, and that a suite passes under coverage.
func checkTools(t *testing.T, runIn func(...string) string, py, wantCoverage, suite string) {
	t.Helper()
	if out := runIn(py, "-m", "pytest", "--version"); !strings.HasPrefix(strings.TrimSpace(out), "pytest ") {
		t.Errorf("pytest --version: %q", out)
	}
	if out := runIn(py, "-m", "coverage", "--version"); !strings.Contains(out, "version "+wantCoverage+" with C extension") {
		t.Errorf("coverage --version, want %s with C extension:\n%s", wantCoverage, out)
	}
	if out := runIn(py, "-m", "coverage", "debug", "sys"); !regexp.MustCompile(`CTracer: available`).MatchString(out) {
		t.Errorf("coverage debug sys shows no C tracer:\n%s", out)
	}
	runIn(py, "-c", "import coverage.tracer, sys; assert '/venv/' in coverage.tracer.__file__, coverage.tracer.__file__")
	if out := runIn(py, "-m", "coverage", "run", "-m", "pytest", "-p", "no:cacheprovider", suite); !strings.Contains(out, "1 passed") {
		t.Errorf("pytest under coverage:\n%s", out)
	}
}

// run runs a command in dir (env nil: the test's own), failing the test with its output if it
// fails.
func run(t *testing.T, ctx context.Context, env []string, dir, name string, args ...string) string {
	t.Helper()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	cmd.Dir = dir
	cmd.WaitDelay = 10 * time.Second
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
