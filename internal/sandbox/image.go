package sandbox

import (
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// This file holds what every backend needs to run a Spec on an image (Spec.Image): where the
// system directories come from, how paths inside the image map to host paths, and how the init
// (the pyti binary) starts on a root file system whose C library is not the host's.

// SystemRoot is the root file system whose system directories the run sees: Spec.Image, or
// "/" (the host's own system, the default image).
func (s Spec) SystemRoot() string {
	if s.Image == "" {
		return "/"
	}
	return filepath.Clean(s.Image)
}

// maxLinks bounds the symlinks InRoot follows, like the kernel's ELOOP limit.
const maxLinks = 40

// InRoot returns the host path of p, an absolute path as seen by a process whose root is root,
// resolving every symlink on the way inside root (an absolute link target or a "../" never
// leaves it, as under chroot). The last component need not exist; intermediate ones must.
func InRoot(root, p string) (string, error) {
	root = filepath.Clean(root)
	if !path.IsAbs(p) {
		return "", fmt.Errorf("image path %q is not absolute", p)
	}
	todo := strings.Split(strings.TrimPrefix(path.Clean(p), "/"), "/")
	var done []string // resolved components inside root
	links := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(done) > 0 {
				done = done[:len(done)-1]
			}
			continue
		}
		host := filepath.Join(root, filepath.Join(append(done, c)...))
		fi, err := os.Lstat(host)
		if err != nil {
			if errors.Is(err, os.ErrNotExist) && len(todo) == 0 {
				done = append(done, c)
				break
			}
			return "", fmt.Errorf("resolving %s in image %s: %w", p, root, err)
		}
		if fi.Mode()&os.ModeSymlink == 0 {
			done = append(done, c)
			continue
		}
		if links++; links > maxLinks {
			return "", fmt.Errorf("resolving %s in image %s: too many levels of symbolic links", p, root)
		}
		target, err := os.Readlink(host)
		if err != nil {
			return "", fmt.Errorf("resolving %s in image %s: %w", p, root, err)
		}
		if path.IsAbs(target) {
			done = nil
		}
		todo = append(strings.Split(target, "/"), todo...)
	}
	return filepath.Join(root, filepath.Join(done...)), nil
}

// InitLibDir is where a dynamically linked init's loader and C libraries are bound inside the
// sandbox when it runs on an image.
const InitLibDir = "/.pyti/lib"

// InitLoader says how to start the init on an image. The pyti binary PYTI ships is static
// (CGO_ENABLED=0) and needs nothing; a dynamically linked one (a cgo build, or a `go test`
// binary) would otherwise be loaded by the image's dynamic loader against the image's C library,
// which may be older than the one it was linked against. So the host's loader and libraries are
// bound at InitLibDir and the init is started through that loader.
type InitLoader struct {
	// Binds are host files to bind read-only inside (Dst under InitLibDir).
	Binds []Bind
	// Prefix goes before InitPath on the command line (empty for a static binary).
	Prefix []string
}

// LoaderFor inspects the ELF binary at self and returns what starting it on an image needs.
func LoaderFor(self string) (InitLoader, error) {
	interp, needed, err := elfDeps(self)
	if err != nil {
		return InitLoader{}, fmt.Errorf("%w: inspecting the init binary %s: %w", ErrInfrastructure, self, err)
	}
	if interp == "" {
		return InitLoader{}, nil
	}
	ld := path.Join(InitLibDir, path.Base(interp))
	real, err := filepath.EvalSymlinks(interp)
	if err != nil {
		return InitLoader{}, fmt.Errorf("%w: the init's loader %s: %w", ErrInfrastructure, interp, err)
	}
	l := InitLoader{
		Binds:  []Bind{{Src: real, Dst: ld}},
		Prefix: []string{ld, "--library-path", InitLibDir},
	}
	seen := map[string]bool{path.Base(interp): true}
	dirs := libDirs(filepath.Dir(real))
	for len(needed) > 0 {
		name := needed[0]
		needed = needed[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		src, err := findLib(name, dirs)
		if err != nil {
			return InitLoader{}, fmt.Errorf("%w: the init needs %s: %w", ErrInfrastructure, name, err)
		}
		l.Binds = append(l.Binds, Bind{Src: src, Dst: path.Join(InitLibDir, name)})
		_, more, err := elfDeps(src)
		if err != nil {
			return InitLoader{}, fmt.Errorf("%w: inspecting %s: %w", ErrInfrastructure, src, err)
		}
		needed = append(needed, more...)
	}
	return l, nil
}

// elfDeps returns the ELF interpreter (empty for a static binary) and the DT_NEEDED libraries.
func elfDeps(file string) (interp string, needed []string, err error) {
	f, err := elf.Open(file)
	if err != nil {
		return "", nil, err
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type != elf.PT_INTERP {
			continue
		}
		b := make([]byte, p.Filesz)
		if _, err := p.ReadAt(b, 0); err != nil {
			return "", nil, fmt.Errorf("reading PT_INTERP: %w", err)
		}
		interp = strings.TrimRight(string(b), "\x00")
	}
	needed, err = f.ImportedLibraries()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return "", nil, fmt.Errorf("reading DT_NEEDED: %w", err)
	}
	return interp, needed, nil
}

// libDirs are the host directories searched for the init's libraries, the loader's first.
func libDirs(first string) []string {
	dirs := []string{first}
	for _, pat := range []string{"/lib/*-linux-gnu*", "/usr/lib/*-linux-gnu*"} {
		m, _ := filepath.Glob(pat)
		dirs = append(dirs, m...)
	}
	return append(dirs, "/lib64", "/usr/lib64", "/lib", "/usr/lib")
}

func findLib(name string, dirs []string) (string, error) {
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return filepath.EvalSymlinks(p)
		}
	}
	return "", fmt.Errorf("not found in %s", strings.Join(dirs, ", "))
}
