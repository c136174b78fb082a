package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// TaskTime is one task's wall time in one PYTI run, from report.json's run.tasks[].
type TaskTime struct {
	Name   string  `json:"name"`
	Status string  `json:"status"`
	WallMS float64 `json:"wall_ms"`
	CPUMS  float64 `json:"cpu_ms"`
}

// readBreakdown reads run.tasks[] out of a report.json.
func readBreakdown(path string) ([]TaskTime, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var rep struct {
		Verdict string `json:"verdict"`
		Run     struct {
			Tasks []TaskTime `json:"tasks"`
		} `json:"run"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(rep.Run.Tasks) == 0 {
		return nil, fmt.Errorf("%s lists no tasks", path)
	}
	return rep.Run.Tasks, nil
}

// analyzeSetup is what the analysis row needs: PYTI, the index serving the examples, and the
// directory of distribution files behind it.
type analyzeSetup struct {
	pyti     string
	indexURL string
	indexDir string
	dataDir  string
	py       Python
	tmp      string
}

// pytiArgs is the exact `pyti analyze` command line for project.
func (s analyzeSetup) pytiArgs(project, out string, noTrace bool) []string {
	args := []string{s.pyti, "analyze", "--log-level", "warn", "--index-url", s.indexURL, "--allow-private-index",
		"--data-dir", s.dataDir, "--cache-dir", filepath.Join(s.dataDir, "cache"), "--out", out}
	if noTrace {
		args = append(args, "--no-trace")
	}
	return append(args, project)
}

// coldEnvDirs are the cache directories of the build and test environments (internal/tasks),
// which the cold variant empties before each repetition.
var coldEnvDirs = []string{"build-env", "test-env"}

// pytiVariant times one `pyti analyze` and appends its report's task times to breakdown (when not
// nil). coldEnvs empties the cached build and test environments first, untimed, so that the run
// pays for installing them as pip's build isolation and a test install would.
func (s analyzeSetup) pytiVariant(name, project string, noTrace, coldEnvs bool, breakdown *[][]TaskTime) Variant {
	return Variant{Name: name, Run: func(ctx context.Context, rep int) (time.Duration, error) {
		out := filepath.Join(s.tmp, fmt.Sprintf("%s-%s-%d", project, strings.NewReplacer(" ", "", ",", "").Replace(name), rep))
		defer os.RemoveAll(out)
		if coldEnvs {
			for _, d := range coldEnvDirs {
				if err := os.RemoveAll(filepath.Join(s.dataDir, "cache", d)); err != nil {
					return 0, err
				}
			}
		}
		args := s.pytiArgs(project, out, noTrace)
		cmd := exec.CommandContext(ctx, args[0], args[1:]...)
		// On cancel, interrupt PYTI so that it cleans up (its job workspace is a tmpfs mount); kill
		// it only when it does not end in 30 seconds.
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 30 * time.Second
		start := time.Now()
		output, err := cmd.CombinedOutput()
		d := time.Since(start)
		// 0: passed, 3: the package did not pass (a failing example); both are complete analyses.
		var exit *exec.ExitError
		if err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 3) {
			return 0, fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, tailOf(output))
		}
		tasks, err := readBreakdown(filepath.Join(out, "report.json"))
		if err != nil {
			return 0, err
		}
		if breakdown != nil {
			*breakdown = append(*breakdown, tasks)
		}
		return d, nil
	}}
}

// manualWheelhouse links every file of the index into dir except the project's own wheels, so
// that pip builds the project from its sdist, as PYTI does, and finds its dependencies, the
// build requirements, pytest and coverage as wheels.
func manualWheelhouse(indexDir, project, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	entries, err := os.ReadDir(indexDir)
	if err != nil {
		return fmt.Errorf("reading the index directory: %w", err)
	}
	own := strings.ReplaceAll(project, "-", "_") + "-"
	n := 0
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".whl") || strings.HasSuffix(name, ".tar.gz") || strings.HasSuffix(name, ".zip")) {
			continue
		}
		if strings.HasSuffix(name, ".whl") && strings.HasPrefix(name, own) {
			continue
		}
		if err := os.Symlink(filepath.Join(indexDir, name), filepath.Join(dir, name)); err != nil && !os.IsExist(err) {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no distribution files in %s", indexDir)
	}
	return nil
}

// sdistOf finds the project's sdist in the index directory.
func sdistOf(indexDir, project string) (string, error) {
	for _, prefix := range []string{project, strings.ReplaceAll(project, "-", "_")} {
		m, _ := filepath.Glob(filepath.Join(indexDir, prefix+"-*.tar.gz"))
		if len(m) > 0 {
			return m[len(m)-1], nil
		}
	}
	return "", fmt.Errorf("no sdist of %s in %s", project, indexDir)
}

// ManualSteps are the commands of the manual way, as documentation (PROJECT, SDIST and WH stand
// for the project, its sdist and the wheelhouse).
var ManualSteps = []string{
	"tar xzf SDIST",
	"/usr/bin/python3 -m venv --without-pip venv",
	"venv/bin/python /usr/share/python-wheels/pip-*.whl/pip install --no-index --find-links WH PROJECT pytest coverage",
	"rm -r TREE/MODULE   (only when the package sits at the top of the tree: it would shadow the installed one)",
	"cd TREE && ../venv/bin/python -m coverage run --branch --source=SITE-PACKAGES/MODULE -m pytest",
	"cd TREE && ../venv/bin/python -m coverage json -o cov.json",
}

// manualVariant times the fastest manual way to do what `pyti analyze` does: unpack the sdist, a
// fresh venv without pip, an offline pip install of the project (built from its sdist), pytest and
// coverage, then pytest under coverage in the unpacked tree and the coverage JSON.
func (s analyzeSetup) manualVariant(project, wheelhouse string) Variant {
	return Variant{Name: "manual", Run: func(ctx context.Context, rep int) (time.Duration, error) {
		sdist, err := sdistOf(s.indexDir, project)
		if err != nil {
			return 0, err
		}
		dir := filepath.Join(s.tmp, fmt.Sprintf("%s-manual-%d", project, rep))
		if err := os.RemoveAll(dir); err != nil {
			return 0, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		run := func(cwd string, okCodes []int, args ...string) error {
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Dir = cwd
			cmd.Env = hostEnv(dir)
			out, err := cmd.CombinedOutput()
			var exit *exec.ExitError
			if err != nil && errors.As(err, &exit) {
				for _, c := range okCodes {
					if exit.ExitCode() == c {
						return nil
					}
				}
			}
			if err != nil {
				return fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, tailOf(out))
			}
			return nil
		}
		start := time.Now()
		if err := run(dir, nil, "tar", "xzf", sdist); err != nil {
			return 0, err
		}
		pkgInfo, _ := filepath.Glob(filepath.Join(dir, "*", "PKG-INFO"))
		if len(pkgInfo) != 1 {
			return 0, fmt.Errorf("unpacking %s: found %d trees", sdist, len(pkgInfo))
		}
		tree := filepath.Dir(pkgInfo[0])
		venv := filepath.Join(dir, "venv")
		if err := run(dir, nil, s.py.Interpreter, "-m", "venv", "--without-pip", venv); err != nil {
			return 0, err
		}
		py := filepath.Join(venv, "bin", "python")
		if err := run(dir, nil, py, filepath.Join(s.py.PipWheel, "pip"), "install", "--no-index", "--find-links", wheelhouse,
			"--progress-bar", "off", project, "pytest", "coverage"); err != nil {
			return 0, err
		}
		mod := strings.ReplaceAll(project, "-", "_")
		source := mod
		if sites, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages", mod)); len(sites) == 1 {
			source = sites[0]
		}
		// Test the installed package, as PYTI does: a copy of it at the top of the unpacked tree
		// would shadow it (and lacks a C extension's compiled module), so it goes.
		if source != mod {
			if err := os.RemoveAll(filepath.Join(tree, mod)); err != nil {
				return 0, err
			}
		}
		// pytest exits 1 when tests fail: a complete run of a failing suite.
		if err := run(tree, []int{1}, py, "-m", "coverage", "run", "--branch", "--source="+source, "-m", "pytest"); err != nil {
			return 0, err
		}
		if err := run(tree, nil, py, "-m", "coverage", "json", "-o", filepath.Join(dir, "cov.json")); err != nil {
			return 0, err
		}
		return time.Since(start), nil
	}}
}
