package image

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Builder builds images into a Store.
type Builder struct {
	Store *Store
	// Mirror is the Debian archive to bootstrap from (AptMirror() when empty).
	Mirror string
	// Progress receives one line per step (nil: discarded).
	Progress io.Writer
	// Debootstrap is the debootstrap program ("debootstrap" from PATH when empty).
	Debootstrap string
	// Now gives the creation time (time.Now when nil).
	Now func() time.Time
}

// Build creates image name from release. It builds into a hidden directory of the store and
// renames it into place only when everything succeeded, so a failed or interrupted build leaves
// no image behind (and the hidden leftover of a killed PYTI is removed by the next build).
func (b *Builder) Build(ctx context.Context, name, release string) (*Manifest, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	rel, err := LookupRelease(release)
	if err != nil {
		return nil, err
	}
	deb := b.Debootstrap
	if deb == "" {
		deb = "debootstrap"
	}
	if deb, err = exec.LookPath(deb); err != nil {
		return nil, fmt.Errorf("debootstrap not found: apt-get install debootstrap (%w)", err)
	}
	if os.Geteuid() != 0 {
		return nil, errors.New("building an image needs root (debootstrap creates device nodes and root-owned files)")
	}
	mirror := b.Mirror
	if mirror == "" {
		mirror = AptMirror()
	}
	final := b.Store.dir(name)
	if _, err := os.Lstat(final); err == nil {
		return nil, fmt.Errorf("image %q already exists: pyti image rm %s first", name, name)
	}
	if err := os.MkdirAll(b.Store.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating the image store: %w", err)
	}
	b.removeStale(name)
	tmp, err := os.MkdirTemp(b.Store.Dir, ".build-"+name+"-*")
	if err != nil {
		return nil, fmt.Errorf("creating the build directory: %w", err)
	}
	done := false
	defer func() {
		if !done {
			if err := removeTree(tmp); err != nil {
				b.say("could not remove the failed build %s: %v", tmp, err)
			}
		}
	}()
	// The directory holding the image must let the sandbox user reach the root.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return nil, fmt.Errorf("creating the build directory: %w", err)
	}
	root := filepath.Join(tmp, rootDir)
	start := b.now()
	b.say("building image %s: Debian %s (Python %s) from %s; this takes minutes", name, rel.Name, rel.Python, mirror)
	if err := b.debootstrap(ctx, deb, rel, root, mirror); err != nil {
		return nil, err
	}
	b.say("cleaning apt caches")
	if err := finishRoot(root); err != nil {
		return nil, err
	}
	m, err := describe(root, rel)
	if err != nil {
		return nil, err
	}
	m.Name, m.Mirror, m.Created = name, mirror, start.UTC().Truncate(time.Second)
	b.say("making the image read-only")
	if err := makeReadOnly(root); err != nil {
		return nil, err
	}
	b.say("hashing the image")
	if m.Content, err = HashTree(ctx, root); err != nil {
		return nil, err
	}
	if err := WriteManifest(manifestPath(tmp), m); err != nil {
		return nil, err
	}
	if err := os.Rename(tmp, final); err != nil {
		return nil, fmt.Errorf("moving the built image into place: %w", err)
	}
	done = true
	b.say("image %s built in %s: Python %s, %d packages, %d MiB on disk, %s",
		name, b.now().Sub(start).Round(time.Second), m.Python, len(m.Packages), m.Content.DiskBytes>>20, m.Content.Hash)
	return m, nil
}

func (b *Builder) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}

func (b *Builder) say(format string, a ...any) {
	if b.Progress != nil {
		fmt.Fprintf(b.Progress, format+"\n", a...)
	}
}

// removeStale removes hidden leftovers of earlier builds or removals of name whose PYTI was
// killed before it could clean up; one older than a day is taken as abandoned (a build takes
// minutes), a younger one may belong to a build still running and is left alone.
func (b *Builder) removeStale(name string) {
	for _, pat := range []string{".build-" + name + "-*", ".rm-" + name + "-*"} {
		m, _ := filepath.Glob(filepath.Join(b.Store.Dir, pat))
		for _, d := range m {
			if fi, err := os.Lstat(d); err == nil && time.Since(fi.ModTime()) > 24*time.Hour {
				if err := removeTree(d); err == nil {
					b.say("removed the leftover of an interrupted build: %s", d)
				}
			}
		}
	}
}

// perPackage are debootstrap's one-line-per-package progress messages.
var perPackage = regexp.MustCompile(`^I: (Retrieving|Validating|Extracting|Unpacking|Configuring) \S+`)

// debootstrap runs debootstrap into root, turning its output into progress lines: phase changes
// and a count every 50 packages, warnings and errors as they come. On failure the error carries
// the tail of its output.
func (b *Builder) debootstrap(ctx context.Context, deb string, rel Release, root, mirror string) error {
	args := []string{"--variant=minbase", "--include=" + strings.Join(rel.Packages(), ","), rel.Name, root, mirror}
	b.say("running debootstrap %s", strings.Join(args, " "))
	cmd := exec.CommandContext(ctx, deb, args...)
	cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive", "LC_ALL=C")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	var (
		wg   sync.WaitGroup
		tail []string
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		verb, n := "", 0
		for sc.Scan() {
			line := sc.Text()
			tail = append(tail, line)
			if len(tail) > 30 {
				tail = tail[1:]
			}
			if m := perPackage.FindStringSubmatch(line); m != nil {
				if m[1] != verb {
					verb, n = m[1], 0
					b.say("debootstrap: %s packages", strings.ToLower(m[1]))
				}
				if n++; n%50 == 0 {
					b.say("debootstrap: %s packages: %d", strings.ToLower(verb), n)
				}
				continue
			}
			verb = ""
			b.say("debootstrap: %s", line)
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	err := cmd.Run()
	pw.Close()
	wg.Wait()
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("debootstrap interrupted: %w", ctx.Err())
		}
		return fmt.Errorf("debootstrap %s failed: %w\n%s", rel.Name, err, strings.Join(tail, "\n"))
	}
	return nil
}

// finishRoot cleans the apt caches and replaces the files debootstrap copies from the host
// (resolv.conf, hostname) with neutral ones, so nothing of the building machine stays inside.
func finishRoot(root string) error {
	var errs []error
	for _, pat := range []string{"var/cache/apt/archives/*.deb", "var/cache/apt/*.bin", "var/lib/apt/lists/*_*", "var/log/*.log", "var/log/apt/*"} {
		m, _ := filepath.Glob(filepath.Join(root, pat))
		for _, p := range m {
			if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
				errs = append(errs, os.Remove(p))
			}
		}
	}
	for name, data := range map[string]string{
		"etc/resolv.conf": "nameserver 127.0.0.1\n",
		"etc/hostname":    "pyti-image\n",
	} {
		p := filepath.Join(root, name)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, err)
		}
		errs = append(errs, os.WriteFile(p, []byte(data), 0o644))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("finishing the image: %w", err)
	}
	return nil
}

// describe reads what the image holds: its packages and Python, and checks that the pip wheel
// PYTI runs pip from is there.
func describe(root string, rel Release) (*Manifest, error) {
	f, err := os.Open(filepath.Join(root, "var/lib/dpkg/status"))
	if err != nil {
		return nil, fmt.Errorf("reading the image's packages: %w", err)
	}
	defer f.Close()
	pkgs, err := installedPackages(f)
	if err != nil {
		return nil, err
	}
	py, err := pythonVersion(pkgs, rel.Python)
	if err != nil {
		return nil, err
	}
	if m, _ := filepath.Glob(filepath.Join(root, "usr/share/python-wheels/pip-*.whl")); len(m) == 0 {
		return nil, fmt.Errorf("the image has no /usr/share/python-wheels/pip-*.whl (from %s)", rel.PipWheel)
	}
	return &Manifest{
		Version: ManifestVersion, Release: rel.Name, Python: py, Include: rel.Packages(), Packages: pkgs,
	}, nil
}

// makeReadOnly removes every write permission in the tree (symlinks have none of their own).
func makeReadOnly(root string) error {
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSymlink != 0 {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if m := fi.Mode(); m.Perm()&0o222 != 0 {
			// Keep setuid/setgid/sticky: os.Chmod takes them from the FileMode.
			return os.Chmod(p, m&^0o222&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky))
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("making the image read-only: %w", err)
	}
	return nil
}
