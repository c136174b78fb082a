// Package jobfs reads what an untrusted job left in its directories. The job's code can replace
// any file or directory there with a symbolic link to a host file (its own, the user's keys), or
// with a FIFO that blocks a reader: so every read resolves the path below a root without
// following any link on the way, takes only regular files, and stops at a size cap. A link where
// a result was expected is ErrLink: the result is missing, never replaced by what the link names.
package jobfs

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

var (
	// ErrLink: a symbolic link on the path (the file itself or a directory above it).
	ErrLink = errors.New("a symbolic link where a file was expected")
	// ErrNotRegular: the path names a directory, FIFO, socket or device.
	ErrNotRegular = errors.New("not a regular file")
	// ErrTooLarge: the file is larger than the cap.
	ErrTooLarge = errors.New("file larger than the cap")
	// ErrOutside: the path is not below the root.
	ErrOutside = errors.New("path outside the job directory")
)

// Open opens path, which must lie below root, for reading: no symbolic link is followed on any
// component below root, and only a regular file is returned. The descriptor is the file that was
// checked, so replacing it afterwards changes nothing.
func Open(root, path string) (*os.File, error) {
	// O_NONBLOCK: opening a FIFO must not wait for a writer; the type is checked right after.
	fd, err := openUnder(root, path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY)
	if err != nil {
		return nil, err
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		unix.Close(fd)
		return nil, fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if err := unix.SetNonblock(fd, false); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "fcntl", Path: path, Err: err}
	}
	return os.NewFile(uintptr(fd), path), nil
}

// OpenDir opens the directory path, which must lie below root, as a path descriptor (O_PATH):
// no symbolic link is followed on any component below root, the directory itself included. What
// is bound or read through the descriptor is the directory that was opened, whatever replaces it
// afterwards.
func OpenDir(root, path string) (*os.File, error) {
	fd, err := openUnder(root, path, unix.O_PATH|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC)
	if err != nil {
		// The last component a link (O_DIRECTORY|O_NOFOLLOW says ENOTDIR for one) or a file.
		var st unix.Stat_t
		if errors.Is(err, unix.ENOTDIR) && unix.Lstat(path, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
			return nil, fmt.Errorf("%s: %w", path, ErrLink)
		}
		return nil, err
	}
	return os.NewFile(uintptr(fd), path), nil
}

// openUnder opens path, which must lie below root, with flags, following no link below root
// (see openBeneath): a link on the way is ErrLink, a path leading out ErrOutside.
func openUnder(root, path string, flags int) (int, error) {
	rel, err := relBelow(root, path)
	if err != nil {
		return -1, err
	}
	dir, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(dir)
	fd, err := openBeneath(dir, rel, flags)
	switch {
	case err == nil:
		return fd, nil
	case errors.Is(err, unix.ELOOP):
		return -1, fmt.Errorf("%s: %w", path, ErrLink)
	case errors.Is(err, unix.EXDEV):
		return -1, fmt.Errorf("%s: %w", path, ErrOutside)
	}
	return -1, &os.PathError{Op: "open", Path: path, Err: err}
}

// openBeneath opens rel below dir without following any link: openat2 with RESOLVE_BENEATH and
// RESOLVE_NO_SYMLINKS where the kernel has it (5.6+), else one component at a time with
// O_NOFOLLOW.
func openBeneath(dir int, rel string, flags int) (int, error) {
	return openBeneathMode(dir, rel, flags, 0)
}

// openBeneathMode is openBeneath with the mode of a file O_CREAT makes.
func openBeneathMode(dir int, rel string, flags int, mode uint32) (int, error) {
	if !useOpenat2 {
		return walkBeneath(dir, rel, flags, mode)
	}
	how := unix.OpenHow{Flags: uint64(flags), Mode: uint64(mode), Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS}
	// EAGAIN: a rename raced the lookup; a job renaming in a loop must not keep PYTI spinning.
	for range 64 {
		fd, err := unix.Openat2(dir, rel, &how)
		switch {
		case err == unix.EINTR || err == unix.EAGAIN:
			continue
		case err == unix.ENOSYS || err == unix.EPERM:
			// No openat2 (or a seccomp policy refusing it): walk.
			return walkBeneath(dir, rel, flags, mode)
		}
		return fd, err
	}
	return walkBeneath(dir, rel, flags, mode)
}

// walkBeneath opens rel below dir component by component, each with O_NOFOLLOW.
func walkBeneath(dir int, rel string, flags int, mode uint32) (int, error) {
	parts := strings.Split(rel, "/")
	cur, err := unix.Dup(dir)
	if err != nil {
		return -1, err
	}
	for i, p := range parts {
		if p == ".." {
			unix.Close(cur)
			return -1, unix.EXDEV
		}
		f := unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC
		if i == len(parts)-1 {
			f = flags
		}
		next, err := unix.Openat(cur, p, f, mode)
		unix.Close(cur)
		if err != nil {
			if err == unix.ENOTDIR && i < len(parts)-1 {
				// A link opened with O_DIRECTORY|O_NOFOLLOW says ENOTDIR: tell links apart.
				var st unix.Stat_t
				if unix.Fstatat(dir, strings.Join(parts[:i+1], "/"), &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK {
					return -1, unix.ELOOP
				}
			}
			return -1, err
		}
		cur = next
	}
	return cur, nil
}

// useOpenat2 is false in tests of the fallback.
var useOpenat2 = true

// relBelow returns path relative to root, or ErrOutside.
func relBelow(root, path string) (string, error) {
	if !filepath.IsAbs(path) {
		path = filepath.Join(root, path)
	}
	rel, err := filepath.Rel(root, path)
	if err != nil || rel == "." || !filepath.IsLocal(rel) {
		return "", fmt.Errorf("%s: %w (%s)", path, ErrOutside, root)
	}
	return filepath.ToSlash(rel), nil
}

// ReadFile reads the regular file path below root, at most max bytes (see Open).
func ReadFile(root, path string, max int64) ([]byte, error) {
	f, err := Open(root, path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w of %d bytes", path, ErrTooLarge, max)
	}
	return data, nil
}

// CopyFile copies the regular file src below root to dst (created, or truncated), at most max
// bytes; a larger file leaves no dst behind. It returns the bytes copied.
func CopyFile(root, src, dst string, max int64) (int64, error) {
	in, err := Open(root, src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(out, io.LimitReader(in, max+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err == nil && n > max {
		err = fmt.Errorf("%s: %w of %d bytes", src, ErrTooLarge, max)
	}
	if err != nil {
		os.Remove(dst)
		return 0, err
	}
	return n, nil
}

// Refused says whether err is one of the refusals of a hostile file (a link, not a regular file,
// too large, outside), as opposed to a file that is simply missing or unreadable.
func Refused(err error) bool {
	return errors.Is(err, ErrLink) || errors.Is(err, ErrNotRegular) || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrOutside)
}

// MkdirAll makes sure dir, below root, is a directory reached without any link: missing
// components are created with perm, and a link on the way is ErrLink. PYTI calls it before it
// writes into a directory the sandbox could write to, so that a link planted there (to /etc, to a
// user's home) never redirects a host write.
func MkdirAll(root, dir string, perm os.FileMode) error {
	rel, err := relBelow(root, dir)
	if err != nil {
		return err
	}
	cur, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer func() { unix.Close(cur) }()
	for _, p := range strings.Split(rel, "/") {
		if p == ".." {
			return fmt.Errorf("%s: %w", dir, ErrOutside)
		}
		if err := unix.Mkdirat(cur, p, uint32(perm.Perm())); err != nil && err != unix.EEXIST {
			return &os.PathError{Op: "mkdir", Path: dir, Err: err}
		}
		next, err := unix.Openat(cur, p, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			var st unix.Stat_t
			if unix.Fstatat(cur, p, &st, unix.AT_SYMLINK_NOFOLLOW) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK || err == unix.ELOOP {
				return fmt.Errorf("%s: %w", dir, ErrLink)
			}
			if err == unix.ENOTDIR {
				return fmt.Errorf("%s: %w", dir, ErrNotRegular)
			}
			return &os.PathError{Op: "open", Path: dir, Err: err}
		}
		unix.Close(cur)
		cur = next
	}
	return nil
}

// WriteFile writes data to path below root, creating or truncating it, without following a
// link: its directory must be reached without one (see MkdirAll, which it does not call), and a
// link, FIFO or device at path is refused rather than written through.
func WriteFile(root, path string, data []byte, perm os.FileMode) error {
	rel, err := relBelow(root, path)
	if err != nil {
		return err
	}
	dir, err := unix.Open(root, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: root, Err: err}
	}
	defer unix.Close(dir)
	how := unix.O_WRONLY | unix.O_CREAT | unix.O_NOFOLLOW | unix.O_NONBLOCK | unix.O_CLOEXEC | unix.O_NOCTTY
	fd, err := openBeneathMode(dir, rel, how, uint32(perm.Perm()))
	if err != nil {
		if errors.Is(err, unix.ELOOP) {
			return fmt.Errorf("%s: %w", path, ErrLink)
		}
		if errors.Is(err, unix.ENXIO) {
			return fmt.Errorf("%s: %w", path, ErrNotRegular) // a FIFO without a reader
		}
		return &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return fmt.Errorf("%s: %w", path, ErrNotRegular)
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Close()
}
