package debwheel

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
)

// Limits on what is read from a root file system, which is data and may be odd.
const (
	maxSymlinks   = 40        // symbolic links followed while resolving one path, as Linux does
	maxMetaFile   = 64 << 20  // dpkg's status file, a .list file, METADATA, PKG-INFO, ...
	maxFile       = 256 << 20 // one file put into a wheel
	maxWheelBytes = 1 << 30   // all the files of one wheel together
	maxWheelFiles = 100000    // files in one wheel
	maxDirDepth   = 16        // directories followed below a symbolic link to a directory
	maxDirs       = 10000     // directories read below one symbolic link to a directory
)

// rootFS reads files of a root file system as a chroot would see them: absolute symbolic links
// are taken relative to the root and ".." stops at it, so nothing outside the root is ever read.
// The os.Root underneath refuses any escape as well.
type rootFS struct {
	dir string
	r   *os.Root
}

func openRoot(dir string) (*rootFS, error) {
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening root file system: %w", err)
	}
	return &rootFS{dir: dir, r: r}, nil
}

func (f *rootFS) Close() error { return f.r.Close() }

// resolve turns an absolute path inside the root into a relative path ("." for the root itself)
// with no symbolic link in it, following links the way the kernel would inside a chroot.
func (f *rootFS) resolve(p string) (string, error) {
	var done []string // resolved components, none a symbolic link
	todo := splitPath(p)
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		next := path.Join(append(append([]string{}, done...), c)...)
		fi, err := f.r.Lstat(next)
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			done = append(done, c)
			continue
		}
		if links++; links > maxSymlinks {
			return "", fmt.Errorf("%s: too many levels of symbolic links", p)
		}
		target, err := f.r.Readlink(next)
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(target, "/") {
			done = nil
		}
		todo = append(splitPath(target), todo...)
	}
	if len(done) == 0 {
		return ".", nil
	}
	return path.Join(done...), nil
}

func splitPath(p string) []string {
	var out []string
	for _, c := range strings.Split(p, "/") {
		if c != "" {
			out = append(out, c)
		}
	}
	return out
}

// stat resolves p and returns the resolved relative path and what it is.
func (f *rootFS) stat(p string) (string, fs.FileInfo, error) {
	rel, err := f.resolve(p)
	if err != nil {
		return "", nil, err
	}
	fi, err := f.r.Lstat(rel)
	if err != nil {
		return "", nil, err
	}
	return rel, fi, nil
}

// readFile reads the regular file at p (an absolute path inside the root), refusing one larger
// than limit bytes.
func (f *rootFS) readFile(p string, limit int64) ([]byte, error) {
	rel, fi, err := f.stat(p)
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	return f.readRel(p, rel, limit)
}

// readRel reads the regular file at the resolved relative path rel; p names it in errors.
func (f *rootFS) readRel(p, rel string, limit int64) ([]byte, error) {
	fh, err := f.r.Open(rel)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	fi, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", p)
	}
	data, err := io.ReadAll(io.LimitReader(fh, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", p, limit)
	}
	return data, nil
}

// exists reports whether p exists in the root (after following links).
func (f *rootFS) exists(p string) bool {
	_, _, err := f.stat(p)
	return err == nil
}

var pythonNameRe = regexp.MustCompile(`^python3\.(\d+)$`)

// pythonVersion returns the minor version of the root's default Python 3 ("13" for 3.13), read
// from where /usr/bin/python3 points, or "" when it cannot tell.
func (f *rootFS) pythonVersion() string {
	rel, err := f.resolve("/usr/bin/python3")
	if err != nil {
		return ""
	}
	if m := pythonNameRe.FindStringSubmatch(path.Base(rel)); m != nil {
		return m[1]
	}
	return ""
}

// walkFiles calls fn for each regular file below the resolved directory rel, with its path
// relative to rel and its own resolved path, following symbolic links inside the root (never out
// of it) to a bounded depth and number of directories.
func (f *rootFS) walkFiles(rel string, fn func(sub, resolved string) error) error {
	dirs := 0
	return f.walk(rel, 0, &dirs, fn)
}

func (f *rootFS) walk(rel string, depth int, dirs *int, fn func(sub, resolved string) error) error {
	if depth > maxDirDepth {
		return fmt.Errorf("/%s: directories nested too deep", rel)
	}
	if *dirs++; *dirs > maxDirs {
		return fmt.Errorf("/%s: more than %d directories", rel, maxDirs)
	}
	dir, err := f.r.Open(rel)
	if err != nil {
		return err
	}
	ents, err := dir.ReadDir(-1)
	dir.Close()
	if err != nil {
		return err
	}
	for _, e := range ents {
		child := path.Join(rel, e.Name())
		crel, fi, err := f.stat("/" + child)
		if errors.Is(err, fs.ErrNotExist) {
			continue // a dangling link
		}
		if err != nil {
			return err
		}
		switch {
		case fi.Mode().IsRegular():
			if err := fn(e.Name(), crel); err != nil {
				return err
			}
		case fi.IsDir():
			err := f.walk(crel, depth+1, dirs, func(sub, resolved string) error {
				return fn(e.Name()+"/"+sub, resolved)
			})
			if err != nil {
				return err
			}
		}
	}
	return nil
}
