package sandbox

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// runLauncher runs on the host, as the first process of the run's cgroup and network namespace
// (the supervisor started it with CLONE_NEWNET). It joins the cgroup before anything untrusted
// exists, brings loopback up, binds PYTI's resolver and bridge sockets on fixed fds, then execs
// strace/bwrap. It returns only on failure.
func runLauncher() int {
	fail := func(err error) int {
		b, _ := json.Marshal(report{Error: "launcher: " + err.Error()})
		_, _ = unix.Write(fdReport, append(b, '\n'))
		return 125
	}
	var cfg LaunchConfig
	if err := decodeConfig(&cfg); err != nil {
		return fail(err)
	}
	if len(cfg.Exec) == 0 {
		return fail(fmt.Errorf("nothing to exec"))
	}
	for _, fd := range fixedFDs {
		if err := checkPlaceholder(fd); err != nil {
			return fail(err)
		}
		// Unused, it must not reach the sandbox; bindAt's dup3 makes a socket inheritable.
		unix.CloseOnExec(fd)
	}
	// Raw syscalls from here on: nothing needs the runtime's poller (which package inits may have
	// started all the same, at descriptors other than the fixed ones: see fixedFDs).
	pid := []byte(strconv.Itoa(os.Getpid()))
	for _, f := range cfg.ProcsFiles {
		if err := writeRaw(f, pid); err != nil {
			return fail(fmt.Errorf("join cgroup: %w", err))
		}
	}
	if err := loopbackUp(); err != nil {
		return fail(err)
	}
	if cfg.DNS {
		if err := bindAt(fdDNSUDP, unix.SOCK_DGRAM, 53); err != nil {
			return fail(err)
		}
		if err := bindAt(fdDNSTCP, unix.SOCK_STREAM, 53); err != nil {
			return fail(err)
		}
	}
	if cfg.Sinkhole {
		if err := setupSinkhole(); err != nil {
			return fail(err)
		}
	}
	if cfg.IndexPort > 0 {
		if err := bindAt(fdIndex, unix.SOCK_STREAM, cfg.IndexPort); err != nil {
			return fail(err)
		}
	}
	// CPU affinity belongs to a thread, and execve keeps only the calling thread: pin and exec
	// on one thread, or a goroutine moved between the two (under load it is) execs unpinned.
	runtime.LockOSThread()
	pinToCPU(cfg.CPU)
	err := syscall.Exec(cfg.Exec[0], cfg.Exec, cfg.Env)
	return fail(fmt.Errorf("exec %s: %w", cfg.Exec[0], err))
}

// checkPlaceholder checks that fd holds the /dev/null the supervisor handed in (see fixedFDs),
// and not a descriptor of this process's own runtime.
func checkPlaceholder(fd int) error {
	var st, null unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("descriptor %d, held for a socket: %w", fd, err)
	}
	if err := unix.Stat(os.DevNull, &null); err != nil {
		return fmt.Errorf("stat %s: %w", os.DevNull, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != null.Rdev {
		return fmt.Errorf("descriptor %d, held for a socket, is not the supervisor's %s", fd, os.DevNull)
	}
	return nil
}

func writeRaw(path string, data []byte) error {
	fd, err := unix.Open(path, unix.O_WRONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open %s: %w", path, err)
	}
	_, werr := unix.Write(fd, data)
	cerr := unix.Close(fd)
	if werr != nil {
		return fmt.Errorf("write %s: %w", path, werr)
	}
	if cerr != nil {
		return fmt.Errorf("close %s: %w", path, cerr)
	}
	return nil
}

// loopbackUp sets IFF_UP on lo in the current network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return fmt.Errorf("loopback: %w", err)
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("loopback up: %w", err)
	}
	return nil
}

// bindAt binds a socket of type typ to 127.0.0.1:port and places it, inheritable, at fd target.
func bindAt(target, typ, port int) error {
	fd, err := unix.Socket(unix.AF_INET, typ|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return fmt.Errorf("socket option: %w", err)
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: port, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fmt.Errorf("bind 127.0.0.1:%d: %w", port, err)
	}
	if typ == unix.SOCK_STREAM {
		if err := unix.Listen(fd, 128); err != nil {
			return fmt.Errorf("listen 127.0.0.1:%d: %w", port, err)
		}
	}
	if fd != target {
		if err := unix.Dup3(fd, target, 0); err != nil {
			return fmt.Errorf("dup: %w", err)
		}
		unix.Close(fd)
		return nil
	}
	_, err = unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0)
	return err
}
