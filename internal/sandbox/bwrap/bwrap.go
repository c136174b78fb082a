package bwrap

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/cgroup"
	"github.com/pyti/pyti/internal/trace"
)

// Backend runs specs under bubblewrap.
type Backend struct {
	// Layout overrides the detected cgroup layout (nil: detect).
	Layout *cgroup.Layout
}

// New returns a bwrap backend using the machine's cgroup layout.
func New() *Backend { return &Backend{} }

var _ sandbox.Backend = (*Backend)(nil)

// Name implements sandbox.Backend.
func (b *Backend) Name() string { return "bwrap" }

// RunsImages implements sandbox.ImageRunner: bwrap shows an image's system directories.
func (b *Backend) RunsImages() bool { return true }

// Check implements sandbox.Backend.
func (b *Backend) Check() error {
	var errs []error
	if _, err := exec.LookPath("bwrap"); err != nil {
		errs = append(errs, errors.New("bwrap not found: apt-get install bubblewrap"))
	}
	if _, err := exec.LookPath("strace"); err != nil {
		errs = append(errs, errors.New("strace not found (needed for traced runs): apt-get install strace"))
	} else if err := trace.CheckStrace(); err != nil {
		errs = append(errs, err)
	}
	if _, err := sandbox.FindNft(); err != nil {
		errs = append(errs, err)
	}
	if _, err := os.Executable(); err != nil {
		errs = append(errs, fmt.Errorf("cannot find the pyti binary to use as the sandbox init: %w", err))
	}
	if b.Layout == nil {
		if _, err := cgroup.Detect(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Run implements sandbox.Backend.
func (b *Backend) Run(ctx context.Context, spec sandbox.Spec) (*sandbox.Result, error) {
	if len(spec.Argv) == 0 {
		return nil, errors.New("bwrap: empty command")
	}
	// The one place a bwrap run's limits get their defaults (see sandbox.Backend): Args and
	// Supervise read them as they are.
	spec.Limits = spec.Limits.WithDefaults()
	if spec.IndexSocket == "" {
		spec.IndexPort = 0
	}
	bw, err := exec.LookPath("bwrap")
	if err != nil {
		return nil, fmt.Errorf("%w: bwrap not found: apt-get install bubblewrap", sandbox.ErrInfrastructure)
	}
	runDir, err := os.MkdirTemp("", "pyti-run-*")
	if err != nil {
		return nil, fmt.Errorf("%w: %w", sandbox.ErrInfrastructure, err)
	}
	defer os.RemoveAll(runDir)
	args, err := Args(spec, runDir)
	if err != nil {
		return nil, err
	}
	filter, err := os.Open(filepath.Join(runDir, seccompFile))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", sandbox.ErrInfrastructure, err)
	}
	defer filter.Close()
	// The Over binds' directories, opened here and bound by descriptor (see Args).
	over, err := spec.OpenOver()
	if err != nil {
		return nil, err
	}
	defer func() {
		for _, f := range over {
			f.Close()
		}
	}()
	argv := append([]string{bw}, args...)
	if spec.Trace {
		st, err := exec.LookPath("strace")
		if err != nil {
			return nil, fmt.Errorf("%w: strace not found: apt-get install strace", sandbox.ErrInfrastructure)
		}
		sa, err := straceArgs(runtime.GOARCH, watchIoctls(spec))
		if err != nil {
			return nil, err
		}
		argv = append(append([]string{st}, sa...), argv...)
	}
	var full []string
	if spec.WorkDir != "" {
		full = append(full, spec.WorkDir)
	}
	res, err := sandbox.Supervise(ctx, sandbox.Plan{
		Spec: spec, Exec: argv, Env: []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"},
		DNS: true, Sinkhole: true, Layout: b.Layout, FullPaths: full, ExtraFiles: append([]*os.File{filter}, over...),
		PinCPU: spec.Trace,
	})
	if err != nil {
		return nil, err
	}
	if spec.Trace {
		// The trace begins with bwrap; PYTI's init, started by bwrap inside the namespaces,
		// starts the command (see Args).
		loader := ""
		if spec.Image != "" {
			if self, err := os.Executable(); err == nil {
				if l, err := sandbox.LoaderFor(self); err == nil && len(l.Prefix) > 0 {
					loader = l.Prefix[0]
				}
			}
		}
		res.TraceSetup = sandbox.InitSetup(loader)
	}
	return res, nil
}

// seccompFile is the run directory's file with the compiled seccomp program, which bwrap reads
// from descriptor sandbox.FirstExtraFD (--seccomp) and applies right before it execs the init.
const seccompFile = "seccomp.bpf"

// ioctlWatch says once whether this kernel lets the init watch ioctl (see sandbox.IoctlCall).
var ioctlWatch = sync.OnceValue(func() bool { return sandbox.IoctlWatchSupported() == nil })

// watchIoctls says whether the init watches ioctl for spec, and strace leaves it out: in a
// traced run, where the kernel allows it.
func watchIoctls(spec sandbox.Spec) bool { return spec.Trace && ioctlWatch() }

// straceArgs are trace.StraceArgs with the seccomp filter's calls added to the traced set and
// failed by strace (see sandbox.SeccompProgram: in a traced run the filter hands them to strace,
// so that the attempts show in the trace), and without ioctl when the init watches it.
func straceArgs(goarch string, noIoctl bool) ([]string, error) {
	names, inject, err := sandbox.SeccompStraceArgs(goarch)
	if err != nil {
		return nil, err
	}
	base := trace.StraceArgs(sandbox.TraceFDPath)
	var out []string
	found := false
	for i, a := range base {
		if a == "--" {
			if !found {
				break
			}
			out = append(append(out, inject...), base[i:]...)
			return out, nil
		}
		if set, ok := strings.CutPrefix(a, "trace="); ok && i > 0 && base[i-1] == "-e" && !found {
			calls := strings.Split(set, ",")
			if noIoctl {
				calls = slices.DeleteFunc(calls, func(c string) bool { return c == "ioctl" })
			}
			a, found = "trace="+strings.Join(append(calls, names...), ","), true
		}
		out = append(out, a)
	}
	return nil, fmt.Errorf("%w: strace arguments %q have no -e trace= set before --", sandbox.ErrInfrastructure, base)
}

// systemDirs are bound read-only (or recreated as the same symlink).
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"}

// Args builds the bwrap arguments for spec; runDir is a private host directory for the run's
// generated files (resolv.conf, the empty mask file, the seccomp program). bwrap reads the
// seccomp program from descriptor sandbox.FirstExtraFD, where Run hands it runDir's copy, and
// the directories of spec.Over from the descriptors after it, in their order.
// spec.Limits must be complete (Run applies the defaults; see sandbox.Backend): Args applies none
// of its own and refuses incomplete ones.
func Args(spec sandbox.Spec, runDir string) ([]string, error) {
	lim := spec.Limits
	if err := lim.Complete(); err != nil {
		return nil, fmt.Errorf("bwrap: %w", err)
	}
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", sandbox.ErrInfrastructure, err)
	}
	empty := filepath.Join(runDir, "empty")
	resolv := filepath.Join(runDir, "resolv.conf")
	if err := os.WriteFile(empty, nil, 0o444); err != nil {
		return nil, fmt.Errorf("%w: %w", sandbox.ErrInfrastructure, err)
	}
	if err := os.WriteFile(resolv, []byte("nameserver 127.0.0.1\noptions timeout:2 attempts:1\n"), 0o444); err != nil {
		return nil, fmt.Errorf("%w: %w", sandbox.ErrInfrastructure, err)
	}
	filter, err := sandbox.SeccompFilter(runtime.GOARCH, spec.Trace)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(runDir, seccompFile), filter, 0o444); err != nil {
		return nil, fmt.Errorf("%w: %w", sandbox.ErrInfrastructure, err)
	}
	a := []string{
		"--seccomp", strconv.Itoa(sandbox.FirstExtraFD),
		"--unshare-user", "--uid", strconv.Itoa(sandbox.SandboxUID), "--gid", strconv.Itoa(sandbox.SandboxGID),
		"--unshare-pid", "--unshare-ipc", "--unshare-uts", "--unshare-cgroup-try",
		"--hostname", "pyti-sandbox",
		"--die-with-parent", "--new-session", "--as-pid-1",
		"--cap-drop", "ALL", "--disable-userns",
		"--clearenv",
	}
	sys, err := systemArgs(spec.SystemRoot(), runDir)
	if err != nil {
		return nil, err
	}
	a = append(a, sys...)
	tmp := strconv.FormatInt(lim.TmpBytes, 10)
	a = append(a,
		"--proc", "/proc",
		"--dev", "/dev",
		"--size", tmp, "--perms", "1777", "--tmpfs", "/tmp",
		"--size", tmp, "--perms", "0700", "--tmpfs", sandbox.Home,
		"--chmod", "0755", "/home",
		"--ro-bind", self, sandbox.InitPath,
	)
	var initPrefix []string
	if spec.Image != "" {
		l, err := sandbox.LoaderFor(self)
		if err != nil {
			return nil, err
		}
		for _, b := range l.Binds {
			a = append(a, "--ro-bind", b.Src, b.Dst)
		}
		initPrefix = l.Prefix
	}
	for _, bd := range spec.ReadOnly {
		dst := bd.Dst
		if dst == "" {
			dst = bd.Src
		}
		a = append(a, "--ro-bind", bd.Src, dst)
	}
	dir := spec.Dir
	stat := []string{"/tmp", sandbox.Home}
	if spec.WorkDir != "" {
		a = append(a, "--bind", spec.WorkDir, sandbox.WorkPath)
		if dir == "" {
			dir = sandbox.WorkPath
		}
		// Each Over bind by the descriptor Run opened its directory with (after the seccomp
		// program's), never by its path, which another run may have replaced with a link.
		if err := spec.CheckOver(); err != nil {
			return nil, err
		}
		for i, o := range spec.Over {
			a = append(a, "--bind-fd", strconv.Itoa(sandbox.FirstExtraFD+1+i), filepath.Clean(o.Dst))
		}
		stat = append(stat, sandbox.WorkPath)
	}
	if dir == "" {
		dir = sandbox.Home
	}
	cfg := sandbox.InitConfig{
		Argv: spec.Argv, Env: sandbox.MergeEnv(sandbox.BaseEnv(), spec.Env), Dir: dir,
		FileSize: lim.FileSizeBytes, OpenFiles: lim.OpenFiles, DNS: true, Sinkhole: true,
		Decoys: true, StatPaths: stat, WatchIoctls: watchIoctls(spec),
	}
	if spec.IndexSocket != "" {
		if spec.IndexPort <= 0 || spec.IndexPort > 65535 {
			return nil, fmt.Errorf("bwrap: IndexSocket set but IndexPort %d is not a port", spec.IndexPort)
		}
		a = append(a, "--ro-bind", spec.IndexSocket, sandbox.IndexSocketPath)
		cfg.IndexPort, cfg.IndexSocket = spec.IndexPort, sandbox.IndexSocketPath
	}
	env, err := sandbox.InitEnv(cfg)
	if err != nil {
		return nil, err
	}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		a = append(a, "--setenv", k, v)
	}
	// Everything is mounted: make the root itself (bwrap's tmpfs) read-only too.
	a = append(a, "--remount-ro", "/", "--chdir", "/", "--")
	return append(append(a, initPrefix...), sandbox.InitPath), nil
}

// systemArgs binds the system directories of root ("/" for the host, else an image) read-only,
// masks its secrets and binds the run's resolv.conf (from runDir) over its /etc/resolv.conf.
func systemArgs(root, runDir string) ([]string, error) {
	// at maps a path inside root to the host: the path itself for the host, else resolved
	// inside the image (its absolute symlinks point into the image, not at the host).
	at := func(p string) (string, bool) {
		if root == "/" {
			return p, true
		}
		h, err := sandbox.InRoot(root, p)
		return h, err == nil
	}
	empty := filepath.Join(runDir, "empty")
	var a []string
	for _, d := range systemDirs {
		src := filepath.Join(root, d)
		fi, err := os.Lstat(src)
		if err != nil {
			continue
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(src)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", sandbox.ErrInfrastructure, err)
			}
			a = append(a, "--symlink", target, d)
			continue
		}
		a = append(a, "--ro-bind", src, d)
	}
	etc, ok := at("/etc")
	if !ok {
		return nil, fmt.Errorf("%w: image %s has no /etc", sandbox.ErrInfrastructure, root)
	}
	files, dirs := sandbox.SecretPaths(etc)
	inside := func(h string) string { // host path under etc -> path inside the sandbox
		rel, err := filepath.Rel(etc, h)
		if err != nil {
			return h
		}
		return filepath.Join("/etc", rel)
	}
	for i := range files {
		files[i] = inside(files[i])
	}
	for i := range dirs {
		dirs[i] = inside(dirs[i])
	}
	for _, f := range append(files, sandbox.MaskedFiles...) {
		if h, ok := at(f); ok {
			if fi, err := os.Lstat(h); err == nil && fi.Mode().IsRegular() {
				a = append(a, "--ro-bind", empty, f)
			}
		}
	}
	for _, d := range append(dirs, sandbox.MaskedDirs...) {
		if h, ok := at(d); ok {
			if fi, err := os.Lstat(h); err == nil && fi.IsDir() {
				a = append(a, "--tmpfs", d, "--remount-ro", d)
			}
		}
	}
	// The sandbox user's name and group, over the system's (see sandbox.IdentityFiles).
	passwd, group := sandbox.IdentityFiles(etc)
	for _, f := range []struct {
		name string
		data []byte
	}{{"passwd", passwd}, {"group", group}} {
		dst := "/etc/" + f.name
		h, ok := at(dst)
		if fi, err := os.Lstat(h); !ok || err != nil || !fi.Mode().IsRegular() {
			continue // no file to bind over in a read-only /etc
		}
		src := filepath.Join(runDir, f.name)
		if err := os.WriteFile(src, f.data, 0o444); err != nil {
			return nil, fmt.Errorf("%w: %w", sandbox.ErrInfrastructure, err)
		}
		a = append(a, "--ro-bind", src, dst)
	}
	resolvDst := "/etc/resolv.conf"
	if root == "/" {
		if t, err := filepath.EvalSymlinks(resolvDst); err == nil && t != resolvDst {
			resolvDst = t // bind where the symlink points, or the bind would follow it out of /etc
		}
	} else if h, ok := at(resolvDst); ok {
		// Where the image's link points, as a path inside; no mount point there means no bind
		// (a read-only image cannot grow one), and glibc then asks 127.0.0.1 all the same.
		resolvDst = filepath.Join("/", strings.TrimPrefix(h, root))
		if _, err := os.Lstat(h); err != nil {
			return a, nil
		}
	}
	return append(a, "--ro-bind", filepath.Join(runDir, "resolv.conf"), resolvDst), nil
}
