package tasks

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"github.com/pyti/pyti/internal/jobfs"
)

func splitLines(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") }

func trimQuotes(s string) string { return strings.Trim(s, `"'`) }

// readCapped reads at most max bytes of a regular file below the job directory, or another file
// PYTI made; a larger file is an error. The job's code can replace any file it can write with a
// link to a host file: no link is followed anywhere on the path (the job directory is canonical,
// see newJob), and a FIFO or device is refused (see jobfs).
func readCapped(path string, max int64) ([]byte, error) {
	return jobfs.ReadFile("/", path, max)
}

// openNoLinks opens a regular file for reading without following a link on its path (see
// readCapped).
func openNoLinks(path string) (*os.File, error) { return jobfs.Open("/", path) }

// skipInCopy are directories a source tree copy leaves out: version control, caches and
// environments that are not part of the project.
var skipInCopy = map[string]bool{".git": true, ".hg": true, ".svn": true, ".tox": true, ".nox": true,
	"__pycache__": true, ".venv": true, "venv": true, "node_modules": true, ".mypy_cache": true, ".pytest_cache": true}

// copyTree copies a directory PYTI made (or the user gave) without following links: a link is
// copied as a link, special files are left out, and so are the directories of skipInCopy.
func copyTree(src, dst string) error { return copyTreeExcept(src, dst, nil) }

// copyTreeExcept is copyTree leaving out the top-level entries named in skipTop.
func copyTreeExcept(src, dst string, skipTop map[string]bool) error {
	return copyTreeWith(src, dst, func(rel string, d fs.DirEntry) bool {
		return skipTop[rel] || (d.IsDir() && rel != "." && skipInCopy[d.Name()])
	})
}

// copyTreeWith copies src to dst without following links (a link is copied as a link, special
// files are left out), and leaves out every entry skip names (a directory with all below it);
// a nil skip copies everything.
func copyTreeWith(src, dst string, skip func(rel string, d fs.DirEntry) bool) error {
	return eachEntry(src, dst, func(path, target, rel string, d fs.DirEntry) error {
		if skip != nil && skip(rel, d) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		switch {
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			return os.Symlink(link, target)
		case d.Type().IsRegular():
			return copyFile(path, target)
		default:
			return nil
		}
	})
}

// eachEntry walks src without following links and calls f with each entry's path, the path it
// takes below dst, its path relative to src, and the entry; f's filepath.SkipDir skips a
// directory.
func eachEntry(src, dst string, f func(path, target, rel string, d fs.DirEntry) error) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		return f(path, filepath.Join(dst, rel), rel, d)
	})
}

// linkTree makes dst a copy of the directory tree src whose files are hard links to src's:
// directories and symbolic links are made anew, with src's modes and owners, and special files
// are left out. A file written in place shows in both trees; one made, replaced or removed in
// either tree does not show in the other. No link is followed.
func linkTree(src, dst string) error {
	return eachEntry(src, dst, func(path, target, _ string, d fs.DirEntry) error {
		switch {
		case d.IsDir():
			info, err := d.Info()
			if err != nil {
				return err
			}
			if err := os.Mkdir(target, 0o700); err != nil {
				return err
			}
			if err := os.Chmod(target, info.Mode().Perm()); err != nil {
				return err
			}
			return chownLike(target, info)
		case d.Type()&fs.ModeSymlink != 0:
			link, err := os.Readlink(path)
			if err != nil {
				return err
			}
			if err := os.Symlink(link, target); err != nil {
				return err
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			return chownLike(target, info)
		case d.Type().IsRegular():
			return os.Link(path, target)
		default:
			return nil
		}
	})
}

// chownLike gives path (not what a link names) the owner of the file info describes, when PYTI
// may.
func chownLike(path string, info fs.FileInfo) error {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok || (int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid()) {
		return nil
	}
	if err := os.Lchown(path, int(st.Uid), int(st.Gid)); err != nil && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	info, err := in.Stat()
	if err != nil {
		return err
	}
	mode := os.FileMode(0o644)
	if info.Mode()&0o111 != 0 {
		mode = 0o755
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// makeWritable opens a tree up to the sandbox's unprivileged user.
func makeWritable(root string) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		mode := os.FileMode(0o666)
		if d.IsDir() {
			mode = 0o777
		} else if info, err := d.Info(); err == nil && info.Mode()&0o111 != 0 {
			mode = 0o777
		}
		return os.Chmod(path, mode)
	})
}

// tail returns the last n lines of s.
func tail(s string, n int) []string {
	s = strings.TrimRight(s, "\n")
	if strings.TrimSpace(s) == "" {
		return nil // no output: no line to show, rather than one empty one
	}
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return lines
}

// errorLines picks the lines of a log that say why a step failed, at most n, keeping the last ones.
func errorLines(log string, n int) []string {
	var out []string
	for _, line := range splitLines(log) {
		if errorLine.MatchString(line) && !commandLine.MatchString(line) {
			out = append(out, strings.TrimRight(line, " \t"))
		}
	}
	if len(out) == 0 {
		return tail(log, n)
	}
	if len(out) > n {
		out = out[len(out)-n:]
	}
	return out
}

// firstExisting returns the first of the names that exists in dir, or "".
func firstExisting(dir string, names ...string) string {
	for _, n := range names {
		p := filepath.Join(dir, n)
		if _, err := os.Lstat(p); err == nil {
			return p
		}
	}
	return ""
}

var (
	errorLine = regexp.MustCompile(`(?i)\w*error\b|\bfatal\b|exception|no matching distribution|could not find|resolutionimpossible|conflict`)
	// commandLine is a compiler or linker command echoed by a verbose build: its -Werror flags are
	// not errors.
	commandLine = regexp.MustCompile(`^\s*(\S*/)?(x86_64-linux-gnu-)?(gcc|g\+\+|cc|c\+\+|clang|ld)(-\d+)?\s`)
)
