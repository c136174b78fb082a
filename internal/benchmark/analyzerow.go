package benchmark

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/quality"
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

// coldEnvDirs are the cache directories of the build and test environments and of the fresh
// environment the install fills (internal/tasks), which the cold variant empties before each
// repetition.
var coldEnvDirs = []string{"build-env", "test-env", "venv"}

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
	"/usr/bin/python3 -m pip --python venv/bin/python install --no-index --find-links WH PROJECT pytest coverage   (Debian's python3-pip, compiled)",
	"rm -r TREE/MODULE   (only when the package sits at the top of the tree: it would shadow the installed one)",
	"cd TREE && ../venv/bin/python -m coverage run --branch --source=SITE-PACKAGES/MODULE -m pytest --continue-on-collection-errors   (with --pyargs MODULE when the package ships its tests: the tree's copy of them went with TREE/MODULE)",
	"cd TREE && ../venv/bin/python -m coverage json -o cov.json",
}

// ManualLintSteps are what the manual way with lint adds: the three tools PYTI runs, with PYTI's
// command lines (internal/quality), over the same files (the package's installed modules, test
// files left out), started side by side once the install is done, beside the tests.
var ManualLintSteps = []string{
	"cd SITE-PACKAGES && /usr/bin/python3 -m pycodestyle --statistics -qq FILES &",
	"cd SITE-PACKAGES && /usr/bin/python3 -m pyflakes FILES &",
	"cd SITE-PACKAGES && /usr/bin/python3 -m pylint --recursive=y --score=y --persistent=n --jobs=1 --disable=duplicate-code --msg-template=... --init-hook='sys.path.extend([SITE-PACKAGES])' FILES &",
	"wait   (FILES: the .py files of SITE-PACKAGES/MODULE, test files left out as PYTI leaves them out: quality.SelectShipped)",
}

// manualVariant times the fastest manual way to do what `pyti analyze` does: unpack the sdist, a
// fresh venv without pip, an offline pip install of the project (built from its sdist), pytest and
// coverage, then pytest under coverage in the unpacked tree and the coverage JSON. With lint, the
// three quality tools run too, side by side, beside the tests (ManualLintSteps), as PYTI runs them.
func (s analyzeSetup) manualVariant(name, project, wheelhouse string, lint bool) Variant {
	return Variant{Name: name, Run: func(ctx context.Context, rep int) (time.Duration, error) {
		sdist, err := sdistOf(s.indexDir, project)
		if err != nil {
			return 0, err
		}
		dir := filepath.Join(s.tmp, fmt.Sprintf("%s-%s-%d", project, strings.NewReplacer(" ", "", "+", "").Replace(name), rep))
		if err := os.RemoveAll(dir); err != nil {
			return 0, err
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return 0, err
		}
		defer os.RemoveAll(dir)
		command := func(cwd string, args ...string) *exec.Cmd {
			cmd := exec.CommandContext(ctx, args[0], args[1:]...)
			cmd.Dir = cwd
			cmd.Env = hostEnv(dir)
			return cmd
		}
		run := func(cwd string, ok func(code int) bool, args ...string) error {
			return checkExit(command(cwd, args...).CombinedOutput())(args, ok)
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
		// Debian's own pip (python3-pip, compiled) installs into the venv: run from its zipped
		// wheel, pip would compile its modules again in every start (twice here, with the build
		// isolation's subprocess), the slower manual way.
		if err := run(dir, nil, s.py.Interpreter, "-m", "pip", "--python", py, "install", "--no-index", "--find-links", wheelhouse,
			"--progress-bar", "off", project, "pytest", "coverage"); err != nil {
			return 0, err
		}
		mod := installedPackage(venv, project)
		source, site := mod, ""
		if sites, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages", mod)); len(sites) == 1 {
			source, site = sites[0], filepath.Dir(sites[0])
		}
		// --continue-on-collection-errors, as PYTI runs pytest: a module that cannot be
		// collected (a test dependency the index lacks) does not stop the others.
		pytest := []string{py, "-m", "coverage", "run", "--branch", "--source=" + source, "-m", "pytest", "--continue-on-collection-errors"}
		// Test the installed package, as PYTI does: a copy of it at the top of the unpacked tree
		// would shadow it (and lacks a C extension's compiled module), so it goes. When the
		// package ships its tests, they went with it: pytest takes them from the installed
		// package (--pyargs), with the tree's configuration (addopts such as --doctest-modules).
		if site != "" {
			if err := os.RemoveAll(filepath.Join(tree, mod)); err != nil {
				return 0, err
			}
			if shipped, _ := installedPython(site, mod); len(shipped.Tests) > 0 && !hasTestFiles(tree) {
				pytest = append(pytest, "--pyargs", mod)
			}
		}
		var lintDone chan error
		if lint {
			if site == "" {
				return 0, fmt.Errorf("%s: no installed package %s to lint", project, mod)
			}
			shipped, err := installedPython(site, mod)
			if err != nil {
				return 0, err
			}
			lintDone = make(chan error, 1)
			go func() { lintDone <- s.manualLint(command, site, shipped) }()
		}
		// pytest exits 1 when tests fail: a complete run of a failing suite.
		err = run(tree, func(c int) bool { return c == 1 }, pytest...)
		if err == nil {
			err = run(tree, nil, py, "-m", "coverage", "json", "-o", filepath.Join(dir, "cov.json"))
		}
		if lintDone != nil {
			if lerr := <-lintDone; err == nil {
				err = lerr
			}
		}
		if err != nil {
			return 0, err
		}
		return time.Since(start), nil
	}}
}

// hasTestFiles reports whether the tree holds test modules of its own (test_*.py, *_test.py),
// outside the package that went: Markdown ships markdown/test_tools.py, a helper, and keeps its
// tests in tests/, which pytest finds from the tree.
func hasTestFiles(tree string) bool {
	found := false
	_ = filepath.WalkDir(tree, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipAll
		}
		n := d.Name()
		if d.Type().IsRegular() && strings.HasSuffix(n, ".py") && (strings.HasPrefix(n, "test_") || strings.HasSuffix(n, "_test.py")) {
			found = true
		}
		return nil
	})
	return found
}

// installedPackage is the top-level package the project installed into venv, as its dist-info's
// top_level.txt names it (Markdown installs markdown; of several, the one named after the
// project, else the first), or the project's name with its dashes made underscores.
func installedPackage(venv, project string) string {
	want := strings.ToLower(strings.NewReplacer("-", "_", ".", "_").Replace(project))
	infos, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages", "*.dist-info"))
	for _, info := range infos {
		name, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(info), ".dist-info"), "-")
		if strings.ToLower(strings.NewReplacer("-", "_", ".", "_").Replace(name)) != want {
			continue
		}
		data, err := os.ReadFile(filepath.Join(info, "top_level.txt"))
		if err != nil {
			break
		}
		first := ""
		for _, line := range strings.Split(string(data), "\n") {
			n := strings.TrimSpace(line)
			if st, err := os.Stat(filepath.Join(filepath.Dir(info), n)); n == "" || err != nil || !st.IsDir() {
				continue
			}
			if strings.ToLower(n) == want {
				return n // toolz installs tlz too: the one named after the project
			}
			if first == "" {
				first = n
			}
		}
		if first != "" {
			return first
		}
	}
	return strings.ReplaceAll(project, "-", "_")
}

// checkExit turns a command's result into an error unless it ended with 0 or a code ok accepts.
func checkExit(out []byte, err error) func(args []string, ok func(code int) bool) error {
	return func(args []string, ok func(code int) bool) error {
		var exit *exec.ExitError
		if err != nil && errors.As(err, &exit) && ok != nil && ok(exit.ExitCode()) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("%s: %w: %s", strings.Join(args, " "), err, tailOf(out))
		}
		return nil
	}
}

// installedPython lists the .py files of the installed package site/mod, relative to site, and
// parts them as PYTI's lint does (quality.SelectShipped): modules to lint, test files apart.
func installedPython(site, mod string) (quality.Shipped, error) {
	var files []string
	err := filepath.WalkDir(filepath.Join(site, mod), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && strings.HasSuffix(p, ".py") {
			rel, err := filepath.Rel(site, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	sort.Strings(files)
	return quality.SelectShipped(files), err
}

// manualLint runs pycodestyle, pyflakes and pylint side by side over the shipped modules, with
// PYTI's command lines, from site-packages (pylint sees the venv's packages there), and waits for
// all three. Each exits non-zero when it found messages: only a usage error (pylint's 32, the
// others' 2 and up) fails the run.
func (s analyzeSetup) manualLint(command func(cwd string, args ...string) *exec.Cmd, site string, shipped quality.Shipped) error {
	files := make([]string, len(shipped.Lint))
	for i, f := range shipped.Lint {
		files[i] = f.Path
	}
	if len(files) == 0 {
		return nil
	}
	withFiles := func(args []string) []string {
		// The quality package's command lines end with the directory to lint: files instead.
		return append(append([]string{s.py.Interpreter}, args[:len(args)-1]...), files...)
	}
	foundMessages := func(c int) bool { return c == 1 }
	tools := []struct {
		args []string
		ok   func(code int) bool
	}{
		{withFiles(quality.PycodestyleArgs(".", nil)), foundMessages},
		{withFiles(quality.PyflakesArgs(".")), foundMessages},
		// pylint's exit status is a bit mask of message categories; 32 is a usage error.
		{withFiles(quality.PylintArgs(".", nil, site)), func(c int) bool { return c < 32 }},
	}
	errs := make(chan error, len(tools))
	for _, t := range tools {
		go func() { errs <- checkExit(command(site, t.args...).CombinedOutput())(t.args, t.ok) }()
	}
	var first error
	for range tools {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}
