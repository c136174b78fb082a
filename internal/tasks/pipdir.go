package tasks

import (
	"archive/zip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

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
	if _, err := os.Stat(filepath.Join(dir, "pip", "__main__.py")); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), ".tmp-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	if err := unzipTrusted(wheel, tmp); err != nil {
		return "", fmt.Errorf("unpacking %s: %w", wheel, err)
	}
	// The interpreter compiles its own bytecode, in the sandbox on its own system (an image's
	// Python is not run on the host). The directory is the run's work space there.
	if err := os.Chmod(tmp, 0o777); err != nil {
		return "", err
	}
	if err := makeWritable(tmp); err != nil {
		return "", err
	}
	res, err := j.opts.Backend.Run(ctx, sandbox.Spec{
		Argv:    []string{t.python, "-m", "compileall", "-q", "-j", "0", insideWork + "/pip"},
		WorkDir: tmp, Image: t.img.Root,
		Limits: sandbox.Limits{Wall: 5 * time.Minute, NoOutput: 5 * time.Minute, MemoryBytes: j.opts.MemoryBytes, Pids: j.opts.Pids},
	})
	if err != nil {
		return "", err
	}
	if res.Outcome != sandbox.OutcomeOK {
		return "", fmt.Errorf("compiling pip: %s: %s", res.Outcome, lastLine(string(res.Stderr)))
	}
	if err := readOnlyModes(tmp); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		// Another job made it meanwhile: use theirs.
		if _, serr := os.Stat(filepath.Join(dir, "pip", "__main__.py")); serr == nil {
			return dir, nil
		}
		return "", err
	}
	return dir, nil
}

// unzipTrusted unpacks a wheel that Debian ships (the system's own pip) into dir. Names are still
// checked: nothing is written outside dir.
func unzipTrusted(path, dir string) error {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return err
	}
	defer zr.Close()
	for _, f := range zr.File {
		name := filepath.Clean(f.Name)
		if filepath.IsAbs(name) || name == ".." || strings.HasPrefix(name, "../") {
			return fmt.Errorf("unsafe member %q", f.Name)
		}
		// Without its own dist-info: seen on sys.path, it would make pip believe that pip is
		// installed wherever it installs (and skip installing pip itself, when pip is analysed).
		if top, _, _ := strings.Cut(filepath.ToSlash(name), "/"); strings.HasSuffix(top, ".dist-info") {
			continue
		}
		dst := filepath.Join(dir, name)
		if f.FileInfo().IsDir() {
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := extractMember(f, dst); err != nil {
			return err
		}
	}
	return nil
}

func extractMember(f *zip.File, dst string) error {
	r, err := f.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, io.LimitReader(r, 64<<20)); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// readOnlyModes makes a tree writable by its owner only.
func readOnlyModes(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		mode := os.FileMode(0o644)
		if d.IsDir() {
			mode = 0o755
		}
		return os.Chmod(path, mode)
	})
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
