package localindex

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
)

// ConfigFile is the optional per-example file that tells the builder how to
// treat the example.
const ConfigFile = "pyti-example.toml"

// ExpectedFile holds, in each example, what a correct analysis shows.
const ExpectedFile = "expected.md"

// Config is the content of an example's pyti-example.toml.
type Config struct {
	// Hostile examples never have their code run on the host: the sdist is
	// packed in Go from the files and the checked-in PKG-INFO, and no wheel
	// is built.
	Hostile bool `toml:"hostile"`
	// BuildWheel is false to serve the sdist only (default true).
	BuildWheel *bool `toml:"build_wheel"`
	// WheelBuildFails marks an example whose wheel build fails on purpose:
	// the failure is recorded, not returned as an error.
	WheelBuildFails bool `toml:"wheel_build_fails"`
	// UnmetBuildRequires marks an example whose build requirements name a project only the
	// index serves (another example), which the host's build then does without: its backend
	// needs nothing of it (python -m build's --skip-dependency-check).
	UnmetBuildRequires bool `toml:"unmet_build_requires"`
}

func (c Config) wantWheel() bool {
	if c.Hostile {
		return false
	}
	return c.BuildWheel == nil || *c.BuildWheel
}

// readConfig reads dir's pyti-example.toml; a missing file is the zero Config.
func readConfig(dir string) (Config, error) {
	var c Config
	md, err := toml.DecodeFile(filepath.Join(dir, ConfigFile), &c)
	if errors.Is(err, fs.ErrNotExist) {
		return Config{}, nil
	}
	if err != nil {
		return Config{}, fmt.Errorf("read %s: %w", ConfigFile, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return Config{}, fmt.Errorf("%s: unknown key %q", filepath.Join(dir, ConfigFile), und[0].String())
	}
	return c, nil
}

// isExample reports whether dir looks like a Python project.
func isExample(dir string) bool {
	for _, f := range []string{"pyproject.toml", "setup.py", "PKG-INFO"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err == nil && st.Mode().IsRegular() {
			return true
		}
	}
	return false
}

// skipName reports whether a file or directory name is a build or tool
// by-product that is neither hashed nor copied.
func skipName(name string, isDir bool) bool {
	if isDir {
		switch name {
		case "__pycache__", "build", "dist", ".pytest_cache", ".git", ".tox", ".venv":
			return true
		}
		return strings.HasSuffix(name, ".egg-info")
	}
	for _, suf := range []string{".pyc", ".pyo", ".so", ".o", "~"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return name == ".coverage"
}

// sourceFile is one file of an example.
type sourceFile struct {
	rel  string // slash-separated path relative to the example
	abs  string
	mode fs.FileMode
}

// listFiles returns an example's files in a stable order, refusing anything
// but regular files and directories.
func listFiles(dir string) ([]sourceFile, error) {
	var files []sourceFile
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == dir {
			return nil
		}
		if skipName(d.Name(), d.IsDir()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: only regular files are allowed in an example", p)
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		files = append(files, sourceFile{rel: filepath.ToSlash(rel), abs: p, mode: info.Mode()})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list example files: %w", err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	return files, nil
}

// contentHash hashes an example's files (names, executable bits and bytes)
// together with everything else that changes the build's output.
func contentHash(files []sourceFile, salt string) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00", builderVersion, salt)
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00", f.rel, f.mode.Perm()&0o111)
		if err := hashFile(h, f.abs); err != nil {
			return "", err
		}
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

func hashFile(w io.Writer, p string) error {
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("hash example: %w", err)
	}
	defer f.Close()
	if _, err := io.Copy(w, f); err != nil {
		return fmt.Errorf("hash example: %w", err)
	}
	return nil
}

// copyTree copies files into dst, creating directories as needed.
func copyTree(files []sourceFile, dst string) error {
	for _, f := range files {
		target := filepath.Join(dst, filepath.FromSlash(f.rel))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return fmt.Errorf("copy example: %w", err)
		}
		if err := copyFile(f.abs, target, f.mode.Perm()|0o200); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return fmt.Errorf("copy: %w", err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	if err := out.Close(); err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return nil
}
