package tasks

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/pyti/pyti/internal/archive"
	"github.com/pyti/pyti/internal/sandbox"
)

// insidePip is where a target's unpacked, compiled pip appears inside the sandbox, read-only.
const insidePip = "/run/pyti-pip"

// pip returns the path inside the sandbox of the pip that t's steps run ("PATH/pip" is what
// python runs). pip runs from Debian's pip wheel; run from the zip, every start compiles pip's
// ~700 modules again (a zip holds no bytecode): about a second of CPU per pip run, and a job
// starts pip five or more times. So the wheel is unpacked once per (wheel, interpreter) into the
// cache and compiled there by that very interpreter, in the sandbox; the steps see it read-only
// (the package's code must not be able to change the pip that installs it). Should that fail,
// the steps run pip from the wheel, as before.
func (j *job) pip(ctx context.Context, t *target) string {
	t.pipOnce.Do(func() {
		dir, err := j.preparePip(ctx, t)
		if err != nil {
			j.log.Warn("running pip from its wheel: preparing an unpacked pip failed", "image", t.img.Name, "err", err)
			return
		}
		t.pipHost = dir
	})
	if t.pipHost == "" {
		return t.pipWheel
	}
	return insidePip
}

// pipArgv is the command line that runs t's pip with python (the target's, or an environment's)
// and args: through pip_main.py, which runs pip as `python PIP/pip` would, minus the lsb_release
// and uname processes its User-Agent probe starts in every run.
func (j *job) pipArgv(ctx context.Context, t *target, python string, args ...string) []string {
	return append([]string{python, script("pip_main.py"), j.pip(ctx, t)}, args...)
}

// preparePip makes (or finds) the cache directory holding t's pip, unpacked and compiled.
func (j *job) preparePip(ctx context.Context, t *target) (string, error) {
	wheel := filepath.Join(t.img.Root, t.pipWheel)
	sum, err := fileSHA256(wheel)
	if err != nil {
		return "", err
	}
	cache := j.opts.Client.CacheDir()
	if cache == "" {
		return "", errors.New("no cache directory")
	}
	dir := filepath.Join(cache, "pip", sum[:24]+"-"+t.pythonTag+"-nodist")
	ready := func(d string) bool { return exists(filepath.Join(d, "pip", "__main__.py")) }
	err = fillCacheDir(dir, ready, func(tmp string) (string, error) {
		if err := unpackPip(ctx, wheel, tmp); err != nil {
			return "", err
		}
		// The interpreter compiles its own bytecode, in the sandbox on its own system (an image's
		// Python is not run on the host). The directory is the run's work space there.
		if err := makeWritable(tmp); err != nil {
			return "", err
		}
		res, err := j.opts.Backend.Run(ctx, sandbox.Spec{
			Argv:    []string{t.python, "-m", "compileall", "-q", "-j", "0", insideWork + "/pip"},
			WorkDir: tmp, Image: t.img.Root,
			Limits: j.opts.stepLimits(pipSetupWall, 0, false),
		})
		if err != nil {
			return "", err
		}
		if res.Outcome != sandbox.OutcomeOK {
			return "", fmt.Errorf("compiling pip: %s: %s", res.Outcome, lastLine(string(res.Stderr)))
		}
		return tmp, nil
	})
	if err != nil {
		return "", err
	}
	return dir, nil
}

// fillCacheDir makes the cache directory dir unless ready(dir) says it is there. fill gets a
// fresh directory beside dir that the sandbox's user may write (a run's work space), and returns
// the directory that becomes dir: tmp itself or one below it. That directory is made writable by
// its owner only (executables kept so) and renamed into place, so that a reader never sees half
// of it; when another job made dir meanwhile, theirs is used.
func fillCacheDir(dir string, ready func(string) bool, fill func(tmp string) (string, error)) error {
	if ready(dir) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	if err := os.Chmod(tmp, 0o777); err != nil {
		return err
	}
	made, err := fill(tmp)
	if err != nil {
		return err
	}
	if err := readOnlyModes(made); err != nil {
		return err
	}
	if err := os.Rename(made, dir); err != nil {
		if ready(dir) {
			return nil // another job made it meanwhile
		}
		return err
	}
	return nil
}

// unpackPip unpacks a pip wheel into dest with PYTI's safe extractor, without its dist-info:
// seen on sys.path, that would make pip believe pip is installed wherever it installs (and skip
// installing pip itself when pip is the package analysed).
func unpackPip(ctx context.Context, wheel, dest string) error {
	if _, err := archive.Extract(ctx, wheel, dest, archive.DefaultLimits()); err != nil {
		return fmt.Errorf("unpacking %s: %w", wheel, err)
	}
	infos, _ := filepath.Glob(filepath.Join(dest, "*.dist-info"))
	for _, d := range infos {
		if err := os.RemoveAll(d); err != nil {
			return err
		}
	}
	if _, err := os.Stat(filepath.Join(dest, "pip", "__main__.py")); err != nil {
		return fmt.Errorf("unpacking %s: no pip/__main__.py in it", wheel)
	}
	return nil
}

// readOnlyModes makes a tree writable by its owner only, keeping what was executable so (a build
// environment's scripts: a backend may run cython or cmake from its bin).
func readOnlyModes(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		} else if info, err := d.Info(); err == nil && info.Mode()&0o111 != 0 {
			mode = 0o755
		}
		return os.Chmod(path, mode)
	})
}

// fileSHA256 is the sha256 of a file of PYTI's own.
func fileSHA256(path string) (string, error) {
	sum, _, err := hashFile(path)
	return sum, err
}

// pipSetupWall is the wall-clock limit of compiling pip's bytecode in the sandbox, a step of its
// own that no phase's timeout covers.
const pipSetupWall = 5 * time.Minute
