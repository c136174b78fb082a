package runsc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pyti/pyti/internal/sandbox"
)

// Paths inside the sandbox.
const (
	chanPath       = "/.pyti/chan" // the run directory's socket dir, bound read-only
	reportSockName = "report.sock" // the guest's report channel, served by the host stage
	indexSockName  = "index.sock"  // the index relay, served by the host stage
)

// Layout of a run's private host directory.
const (
	bundleDirName = "bundle"
	rootfsName    = "rootfs"
	chanDirName   = "chan"
	stateDirName  = "state"
	emptyName     = "empty"
	resolvName    = "resolv.conf"
	passwdName    = "passwd"
	groupName     = "group"
	runscLogName  = "runsc.log"
	debugLogName  = "debug.%COMMAND%" // runsc's --debug-log; the sandbox's log is debug.boot
	debugFIFOName = "debug.boot"
	pidsMarkName  = "pids-hit"
)

// systemDirs are bound read-only (or recreated as the same symlink).
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc"}

// seccomp returns the bundle's filter: sandbox.SeccompRules, the bwrap backend's deny list, by
// name with the same errnos (gVisor implements few of these calls, but a refusal is the
// contract, not an accident of the implementation), plus the rules that protect PYTI's init.
// gVisor's strace does not log a call its seccomp refuses.
func seccomp() *ociSeccomp {
	eperm := uint(unix.EPERM)
	sc := &ociSeccomp{DefaultAction: "SCMP_ACT_ALLOW", Architectures: []string{"SCMP_ARCH_X86_64"}}
	for _, r := range sandbox.SeccompRules {
		if r.AMD64 < 0 || r.Name == "clone3" {
			// This gVisor does not implement clone3 (ENOSYS, and the C library falls back to
			// clone); a rule for it would answer EPERM, which this runsc's seccomp gives for
			// every errnoRet, and the fallback would not happen.
			continue
		}
		errno := uint(r.Errno)
		if r.FlagsMask == 0 {
			sc.Syscalls = append(sc.Syscalls, ociSyscallRule{Names: []string{r.Name}, Action: "SCMP_ACT_ERRNO", ErrnoRet: &errno})
			continue
		}
		// One rule per flag: a masked comparison tests the bits of its mask all set.
		for bit := uint64(1); bit < 1<<32; bit <<= 1 {
			if uint64(r.FlagsMask)&bit != 0 {
				sc.Syscalls = append(sc.Syscalls, ociSyscallRule{Names: []string{r.Name}, Action: "SCMP_ACT_ERRNO", ErrnoRet: &errno,
					Args: []ociSeccArg{{Index: 0, Value: bit, ValueTwo: bit, Op: "SCMP_CMP_MASKED_EQ"}}})
			}
		}
	}
	// gVisor lets a process of the sandbox kill its PID 1 (Linux drops SIGKILL and SIGSTOP sent
	// to a namespace's init from inside): PYTI's init is protected by refusing every signal
	// aimed at its thread group, and SIGKILL and SIGSTOP to the caller's own process group
	// (which the init heads) or to a single thread. kill(-1) already spares the init.
	deny := func(name string, args ...ociSeccArg) {
		sc.Syscalls = append(sc.Syscalls, ociSyscallRule{Names: []string{name}, Action: "SCMP_ACT_ERRNO", ErrnoRet: &eperm, Args: args})
	}
	eq := func(index uint, v uint64) ociSeccArg { return ociSeccArg{Index: index, Value: v, Op: "SCMP_CMP_EQ"} }
	for _, name := range []string{"kill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo"} {
		deny(name, eq(0, 1))
	}
	for _, sig := range []uint64{uint64(unix.SIGKILL), uint64(unix.SIGSTOP)} {
		deny("kill", eq(0, 0), eq(1, sig))
		deny("tkill", eq(1, sig))
	}
	return sc
}

// Config returns the OCI configuration of spec's run. runDir is the run's private host
// directory (its files are made by writeBundle), self the pyti binary bound as the init.
// spec.Limits must be complete (Run applies the defaults; see sandbox.Backend): Config applies
// none of its own and refuses incomplete ones.
func Config(spec sandbox.Spec, runDir, self string) (*ociSpec, error) {
	lim := spec.Limits
	if err := lim.Complete(); err != nil {
		return nil, fmt.Errorf("runsc: %w", err)
	}
	cfg := &ociSpec{
		OCIVersion: "1.0.2",
		Root:       ociRoot{Path: filepath.Join(runDir, bundleDirName, rootfsName), Readonly: true},
		Hostname:   "pyti-sandbox",
		Linux: ociLinux{
			Namespaces: []ociNamespace{{"pid"}, {"ipc"}, {"uts"}, {"mount"}, {"network"}},
			Seccomp:    seccomp(),
		},
	}
	add := func(m ociMount) { cfg.Mounts = append(cfg.Mounts, m) }
	ro := []string{"rbind", "ro"}
	add(ociMount{Destination: "/proc", Type: "proc", Source: "proc"})
	add(ociMount{Destination: "/dev", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "mode=755"}})
	// gVisor's own sysfs says little, but nothing of /sys is needed: an empty one.
	add(ociMount{Destination: "/sys", Type: "tmpfs", Source: "tmpfs", Options: []string{"ro", "size=4096", "mode=555"}})
	for _, d := range systemDirs {
		fi, err := os.Lstat(d)
		if err != nil || fi.Mode()&os.ModeSymlink != 0 {
			continue // symlinks are recreated in the root by writeBundle
		}
		add(ociMount{Destination: d, Type: "bind", Source: d, Options: ro})
	}
	empty := filepath.Join(runDir, emptyName)
	files, dirs := sandbox.SecretPaths("/etc")
	for _, f := range append(files, sandbox.MaskedFiles...) {
		if fi, err := os.Lstat(f); err == nil && fi.Mode().IsRegular() {
			add(ociMount{Destination: f, Type: "bind", Source: empty, Options: ro})
		}
	}
	for _, d := range append(dirs, sandbox.MaskedDirs...) {
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() {
			add(ociMount{Destination: d, Type: "tmpfs", Source: "tmpfs", Options: []string{"ro", "size=4096", "mode=755"}})
		}
	}
	// The sandbox user's name and group, over the host's (see sandbox.IdentityFiles).
	for _, name := range []string{passwdName, groupName} {
		dst := "/etc/" + name
		if fi, err := os.Lstat(dst); err == nil && fi.Mode().IsRegular() {
			add(ociMount{Destination: dst, Type: "bind", Source: filepath.Join(runDir, name), Options: ro})
		}
	}
	resolvDst := "/etc/resolv.conf"
	if t, err := filepath.EvalSymlinks(resolvDst); err == nil && t != resolvDst {
		resolvDst = t // bind where the symlink points
	}
	add(ociMount{Destination: resolvDst, Type: "bind", Source: filepath.Join(runDir, resolvName), Options: ro})
	tmp := "size=" + strconv.FormatInt(lim.TmpBytes, 10)
	add(ociMount{Destination: "/tmp", Type: "tmpfs", Source: "tmpfs", Options: []string{"nosuid", "nodev", tmp, "mode=1777"}})
	add(ociMount{Destination: sandbox.Home, Type: "tmpfs", Source: "tmpfs", Options: []string{
		"nosuid", "nodev", tmp, "mode=700",
		"uid=" + strconv.Itoa(sandbox.SandboxUID), "gid=" + strconv.Itoa(sandbox.SandboxGID),
	}})
	add(ociMount{Destination: sandbox.InitPath, Type: "bind", Source: self, Options: ro})
	add(ociMount{Destination: chanPath, Type: "bind", Source: filepath.Join(runDir, chanDirName), Options: ro})
	for _, bd := range spec.ReadOnly {
		dst := bd.Dst
		if dst == "" {
			dst = bd.Src
		}
		if !filepath.IsAbs(bd.Src) || !filepath.IsAbs(dst) {
			return nil, fmt.Errorf("runsc: read-only bind %q -> %q: paths must be absolute", bd.Src, dst)
		}
		add(ociMount{Destination: filepath.Clean(dst), Type: "bind", Source: bd.Src, Options: ro})
	}
	dir := spec.Dir
	stat := []string{"/tmp", sandbox.Home}
	if spec.WorkDir != "" {
		add(ociMount{Destination: sandbox.WorkPath, Type: "bind", Source: spec.WorkDir, Options: []string{"rbind", "rw"}})
		if dir == "" {
			dir = sandbox.WorkPath
		}
		// runsc binds by path: the directory is checked to be reached without a link, then
		// named (a run changing the work space between the check and runsc's mount could still
		// redirect it; bwrap binds the checked descriptor itself).
		over, err := spec.OpenOver()
		if err != nil {
			return nil, err
		}
		for i, o := range spec.Over {
			over[i].Close()
			add(ociMount{Destination: filepath.Clean(o.Dst), Type: "bind", Source: o.Src, Options: []string{"rbind", "rw"}})
		}
		stat = append(stat, sandbox.WorkPath)
	}
	if dir == "" {
		dir = sandbox.Home
	}
	initCfg := sandbox.InitConfig{
		Argv: spec.Argv, Env: sandbox.MergeEnv(sandbox.BaseEnv(), spec.Env), Dir: dir,
		FileSize: lim.FileSizeBytes, OpenFiles: lim.OpenFiles, DNS: true,
		Decoys: true, StatPaths: stat,
	}
	if spec.IndexSocket != "" {
		initCfg.IndexPort, initCfg.IndexSocket = spec.IndexPort, chanPath+"/"+indexSockName
	}
	initEnv, err := sandbox.InitEnv(initCfg)
	if err != nil {
		return nil, err
	}
	env, err := roleEnv(roleGuest, guestConfig{
		ReportSocket: chanPath + "/" + reportSockName, DNS: true, IndexPort: initCfg.IndexPort, Pids: lim.Pids,
		InitPath: sandbox.InitPath, InitEnv: initEnv,
	})
	if err != nil {
		return nil, err
	}
	cfg.Process = ociProcess{
		User: ociUser{UID: sandbox.SandboxUID, GID: sandbox.SandboxGID},
		Args: []string{sandbox.InitPath}, Env: env, Cwd: "/", NoNewPrivileges: true,
		Capabilities: ociCapabilities{Bounding: []string{}, Effective: []string{}, Inheritable: []string{}, Permitted: []string{}, Ambient: []string{}},
	}
	return cfg, nil
}

// writeBundle makes the run directory's files: config.json, the root (the system directories'
// symlinks and every mount point that no bound directory provides), the channel directory, the
// empty mask file, resolv.conf, the sandbox's passwd and group, and the FIFO gVisor writes its
// log to.
func writeBundle(runDir string, cfg *ociSpec) error {
	root := cfg.Root.Path
	for _, d := range []string{filepath.Join(runDir, chanDirName), filepath.Join(runDir, stateDirName), root} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		// The sandbox user must traverse the root and the channel directory.
		if err := os.Chmod(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(runDir, emptyName), nil, 0o444); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(runDir, resolvName), []byte("nameserver 127.0.0.1\noptions timeout:2 attempts:1\n"), 0o444); err != nil {
		return err
	}
	passwd, group := sandbox.IdentityFiles("/etc")
	if err := os.WriteFile(filepath.Join(runDir, passwdName), passwd, 0o444); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(runDir, groupName), group, 0o444); err != nil {
		return err
	}
	if err := unix.Mkfifo(filepath.Join(runDir, debugFIFOName), 0o600); err != nil {
		return fmt.Errorf("debug log fifo: %w", err)
	}
	for _, d := range systemDirs {
		fi, err := os.Lstat(d)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			continue
		}
		target, err := os.Readlink(d)
		if err != nil {
			return err
		}
		if err := os.Symlink(target, filepath.Join(root, d)); err != nil {
			return err
		}
	}
	var bound []string // directories bound from the host: their content is the host's
	for _, m := range cfg.Mounts {
		if underAny(m.Destination, bound) {
			continue // the host directory provides it (and a mask only covers what exists)
		}
		isFile := false
		if m.Type == "bind" {
			fi, err := os.Stat(m.Source)
			if err != nil {
				return fmt.Errorf("bind source: %w", err)
			}
			isFile = !fi.IsDir()
			if fi.IsDir() {
				bound = append(bound, m.Destination)
			}
		}
		if err := mountPoint(root, m.Destination, isFile); err != nil {
			return err
		}
	}
	data, err := json.MarshalIndent(cfg, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(runDir, bundleDirName, "config.json"), data, 0o600)
}

// mountPoint creates dst (a directory, or an empty file) below root, with every missing
// parent, world-readable.
func mountPoint(root, dst string, isFile bool) error {
	p := filepath.Join(root, dst)
	parent := p
	if isFile {
		parent = filepath.Dir(p)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	if !isFile {
		return nil
	}
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY, 0o444)
	if err != nil {
		return err
	}
	return f.Close()
}

func underAny(p string, dirs []string) bool {
	for _, d := range dirs {
		if p != d && strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// ownTree gives the work dir's tree to the sandbox user: gVisor checks permissions with the
// host's owners (bwrap maps the sandbox user to the host's root instead), and the job's code
// must be able to write where it works. Symlinks are not followed.
//
// Tasks that run on the host beside this one (lint unpacks and removes a wheel) work below the
// same directory, so an entry may vanish between the directory's listing and its chown: it is
// skipped, as nothing in the sandbox can need what is gone.
func ownTree(dir string) error {
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p != dir && errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		return ownEntry(p, d)
	})
}

// ownEntry gives one entry of the work dir to the sandbox user; an entry that no longer exists
// is not an error.
func ownEntry(p string, d fs.DirEntry) error {
	fi, err := d.Info()
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok && st.Uid == sandbox.SandboxUID && st.Gid == sandbox.SandboxGID {
		return nil
	}
	if err := os.Lchown(p, sandbox.SandboxUID, sandbox.SandboxGID); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("give the work dir to the sandbox user: %w", err)
	}
	return nil
}
