package tasks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/pyti/pyti/internal/sandbox"
)

// The environment the install fills is what `python -m venv` makes: the interpreter's links, its
// activate scripts, and pip and setuptools installed by ensurepip from the wheels the interpreter
// ships. ensurepip installing them is three seconds of CPU per analysis, every time the same. PYTI
// makes it once per interpreter and place, with the same command in the same sandbox, into a cache
// directory named by everything that command reads (see venvTemplateKey), and copies that into
// each job: the copy is what the command would have made there, byte for byte.

// venvTemplateKey names the environment `python -m venv inside` makes for t: the interpreter (its
// path, version and file), the image, the place, and the wheels ensurepip installs from (the
// stdlib's bundled ones, and Debian's /usr/share/python-wheels, which its ensurepip prefers).
func venvTemplateKey(t *target, inside string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "pyti venv v1\npython %s %s\nimage %s %s\nplace %s\n", t.python, t.pythonVersion, t.img.Name, t.img.ID, inside)
	python := filepath.Join(t.img.Root, t.python)
	real, err := filepath.EvalSymlinks(python)
	if err != nil {
		return "", fmt.Errorf("the interpreter %s: %w", t.python, err)
	}
	if t.img.Root != "" && !strings.HasPrefix(real, t.img.Root+string(filepath.Separator)) {
		// An absolute link inside the image resolved against the host: the stamp would be the
		// host's file. The image's ID covers its interpreter.
		real = python
	}
	info, err := os.Stat(real)
	if err != nil {
		return "", fmt.Errorf("the interpreter %s: %w", t.python, err)
	}
	fmt.Fprintf(h, "interpreter %s %d %d\n", real, info.Size(), info.ModTime().UnixNano())
	minor := t.pythonVersion
	if parts := strings.SplitN(minor, ".", 3); len(parts) >= 2 {
		minor = parts[0] + "." + parts[1]
	}
	seeds := []string{
		filepath.Join(filepath.Dir(filepath.Dir(real)), "lib", "python"+minor, "ensurepip", "_bundled"),
		filepath.Join(t.img.Root, "/usr/share/python-wheels"),
	}
	for _, dir := range seeds {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue // not this interpreter's: ensurepip does not read it either
		}
		for _, e := range entries {
			info, err := e.Info()
			if err != nil {
				continue
			}
			fmt.Fprintf(h, "seed %s %d %d\n", filepath.Join(dir, e.Name()), info.Size(), info.ModTime().UnixNano())
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

// venvTemplate returns the cached environment `python -m venv inside` makes for t, making it
// first when missing. inside is a path below the sandbox's work space.
func (j *job) venvTemplate(ctx context.Context, t *target, inside string) (string, error) {
	cache := j.opts.Client.CacheDir()
	if cache == "" {
		return "", errors.New("no cache directory")
	}
	rel, ok := strings.CutPrefix(inside, insideWork+"/")
	if !ok {
		return "", fmt.Errorf("%s is not below %s", inside, insideWork)
	}
	key, err := venvTemplateKey(t, inside)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "venv", key)
	ready := func(d string) bool { return exists(filepath.Join(d, "pyvenv.cfg")) }
	err = fillCacheDir(dir, ready, func(tmp string) (string, error) {
		made := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(made), 0o777); err != nil {
			return "", err
		}
		if err := makeWritable(tmp); err != nil {
			return "", err
		}
		// The interpreter's own venv and ensurepip modules, offline from the wheels it ships:
		// none of any package's code runs, so the run is not traced.
		spec := sandbox.Spec{
			Argv:    []string{t.python, "-m", "venv", inside},
			Env:     []string{"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_CONFIG_FILE=/dev/null", "PIP_NO_INPUT=1", "PIP_NO_CACHE_DIR=1"},
			Dir:     insideWork,
			WorkDir: tmp,
			Image:   t.img.Root,
			Limits:  j.opts.stepLimits(j.opts.InstallTimeout, 0, false),
		}
		res, err := j.opts.Backend.Run(ctx, spec)
		if err != nil {
			return "", err
		}
		if res.Outcome != sandbox.OutcomeOK {
			return "", fmt.Errorf("python -m venv: %s: %s", res.Outcome, lastLine(string(res.Stdout)+string(res.Stderr)))
		}
		return made, nil
	})
	if err != nil {
		return "", err
	}
	return dir, nil
}
