package benchmark

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
)

// pipEnv keeps pip away from user configuration, caches and the network, alike in every variant.
var pipEnv = []string{"PIP_CONFIG_FILE=/dev/null", "PIP_NO_CACHE_DIR=1", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1"}

// hostEnv is the clean environment of the direct and manual runs: the sandbox's own (PATH, HOME,
// LANG, TMPDIR, see sandbox.BaseEnv) without the decoys, plus pipEnv, so that nothing in the
// caller's environment (PIP_FIND_LINKS, PYTHONDONTWRITEBYTECODE, ...) changes what pip or Python do.
func hostEnv(home string) []string {
	return append([]string{"PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
		"HOME=" + home, "LANG=C.UTF-8", "TMPDIR=" + os.TempDir()}, pipEnv...)
}

// Python names the interpreter and the pip wheel every measurement uses.
type Python struct {
	Interpreter string // /usr/bin/python3
	PipWheel    string // /usr/share/python-wheels/pip-*.whl, run as WHEEL/pip
	Wheelhouse  string // /usr/share/python-wheels
	WheelWheel  string // /usr/share/python-wheels/wheel-*.whl, the package row 2 installs
}

// FindPython locates Debian's interpreter and wheels.
func FindPython() (Python, error) {
	p := Python{Interpreter: "/usr/bin/python3", Wheelhouse: "/usr/share/python-wheels"}
	if _, err := os.Stat(p.Interpreter); err != nil {
		return p, fmt.Errorf("no %s: apt-get install python3-venv: %w", p.Interpreter, err)
	}
	for _, f := range []struct {
		glob string
		dst  *string
	}{{"pip-*.whl", &p.PipWheel}, {"wheel-*.whl", &p.WheelWheel}} {
		m, _ := filepath.Glob(filepath.Join(p.Wheelhouse, f.glob))
		if len(m) == 0 {
			return p, fmt.Errorf("no %s in %s: apt-get install python3-pip-whl python3-wheel-whl", f.glob, p.Wheelhouse)
		}
		*f.dst = m[len(m)-1]
	}
	return p, nil
}

// pipInstallArgs is the pip command line installing the wheel wheel with python.
func (p Python) pipInstallArgs(python string) []string {
	return []string{python, filepath.Join(p.PipWheel, "pip"), "install", "--no-index", "--find-links", p.Wheelhouse,
		"--progress-bar", "off", p.WheelWheel}
}

// freshVenv makes dir/venv with python -m venv --without-pip (untimed set-up).
func (p Python) freshVenv(ctx context.Context, dir string) (string, error) {
	if err := os.RemoveAll(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	venv := filepath.Join(dir, "venv")
	if out, err := exec.CommandContext(ctx, p.Interpreter, "-m", "venv", "--without-pip", venv).CombinedOutput(); err != nil {
		return "", fmt.Errorf("python3 -m venv --without-pip: %w: %s", err, tailOf(out))
	}
	return venv, nil
}

// installed reports whether the wheel package landed in the environment.
func installed(venv string) error {
	m, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages", "wheel-*.dist-info"))
	if len(m) == 0 {
		return fmt.Errorf("pip reported success but no wheel-*.dist-info is in %s", venv)
	}
	return nil
}

// pipInstallVariants time pip installing Debian's wheel wheel into a fresh venv without pip:
// directly, in the sandbox, and in the traced sandbox. The venv is made before the clock starts.
func pipInstallVariants(be sandbox.Backend, py Python, tmp string) []Variant {
	sandboxed := func(name string, trace bool) Variant {
		return Variant{Name: name, Run: func(ctx context.Context, rep int) (time.Duration, error) {
			dir := filepath.Join(tmp, fmt.Sprintf("%s-%d", name, rep))
			defer os.RemoveAll(dir)
			venv, err := py.freshVenv(ctx, dir)
			if err != nil {
				return 0, err
			}
			spec := sandbox.Spec{Argv: py.pipInstallArgs(sandbox.WorkPath + "/venv/bin/python"), Env: pipEnv, WorkDir: dir, Dir: sandbox.WorkPath}
			d, err := timedRun(ctx, be, spec, trace, filepath.Join(tmp, fmt.Sprintf("%s-%d.strace", name, rep)), "pip install")
			if err != nil {
				return 0, err
			}
			return d, installed(venv)
		}}
	}
	return []Variant{
		{Name: "direct", Run: func(ctx context.Context, rep int) (time.Duration, error) {
			dir := filepath.Join(tmp, fmt.Sprintf("direct-%d", rep))
			defer os.RemoveAll(dir)
			venv, err := py.freshVenv(ctx, dir)
			if err != nil {
				return 0, err
			}
			args := py.pipInstallArgs(filepath.Join(venv, "bin", "python"))
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Dir = dir
			cmd.Env = hostEnv(dir)
			start := time.Now()
			out, err := cmd.CombinedOutput()
			d := time.Since(start)
			if err != nil {
				return 0, fmt.Errorf("pip install: %w: %s", err, tailOf(out))
			}
			return d, installed(venv)
		}},
		sandboxed("sandbox", false),
		sandboxed("sandbox+trace", true),
	}
}
