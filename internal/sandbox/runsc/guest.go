package runsc

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/pyti/pyti/internal/sandbox"
)

// runGuest is the container's first process, inside gVisor, as the sandbox user with no
// capabilities. It connects the report channel to the host stage, binds PYTI's resolver and
// bridge sockets on the sandbox's loopback (gVisor's netstack, where they cannot be handed in
// from the host), places all of them at the descriptors the init expects and execs the init.
// Like the launcher it uses raw system calls only: the Go runtime's poller must not own a
// descriptor that is about to be replaced.
func runGuest() int {
	reportFD := -1
	fail := func(err error) int {
		msg := "runsc guest: " + err.Error()
		if reportFD >= 0 {
			_ = sandbox.ReportError(fdWriter(reportFD), msg)
		} else {
			_, _ = unix.Write(2, []byte("pyti sandbox: "+msg+"\n"))
		}
		return 125
	}
	var cfg guestConfig
	if err := decodeConfig(&cfg); err != nil {
		return fail(err)
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail(fmt.Errorf("report socket: %w", err))
	}
	if err := unix.Connect(fd, &unix.SockaddrUnix{Name: cfg.ReportSocket}); err != nil {
		return fail(fmt.Errorf("connect %s: %w", cfg.ReportSocket, err))
	}
	if err := place(fd, sandbox.InitReportFD); err != nil {
		return fail(err)
	}
	reportFD = sandbox.InitReportFD
	if cfg.DNS {
		if err := bindAt(sandbox.InitDNSUDPFD, unix.SOCK_DGRAM, 53); err != nil {
			return fail(err)
		}
		if err := bindAt(sandbox.InitDNSTCPFD, unix.SOCK_STREAM, 53); err != nil {
			return fail(err)
		}
	}
	if cfg.IndexPort > 0 {
		if err := bindAt(sandbox.InitIndexFD, unix.SOCK_STREAM, cfg.IndexPort); err != nil {
			return fail(err)
		}
	}
	if cfg.Pids > 0 {
		// Inside gVisor the sandbox user's tasks are the sandbox's tasks: the process limit is
		// exact here, where the host cgroup sees gVisor's own threads instead.
		lim := &unix.Rlimit{Cur: uint64(cfg.Pids), Max: uint64(cfg.Pids)}
		if err := unix.Setrlimit(unix.RLIMIT_NPROC, lim); err != nil {
			return fail(fmt.Errorf("setrlimit nproc: %w", err))
		}
	}
	err = syscall.Exec(cfg.InitPath, []string{cfg.InitPath}, cfg.InitEnv)
	return fail(fmt.Errorf("exec %s: %w", cfg.InitPath, err))
}

// fdWriter writes to a raw descriptor.
type fdWriter int

func (w fdWriter) Write(p []byte) (int, error) { return unix.Write(int(w), p) }

// place moves fd to target, inheritable across exec. The target must be free: this process's
// runtime may hold descriptors too (an epoll, once a package's init opened a file; see
// sandbox.fixedFDs), and a dup3 over one of them makes the runtime throw at its next poll.
// Under gVisor the guest starts with stdio alone, so the targets are free unless that changes.
func place(fd, target int) error {
	if fd == target {
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, 0); err != nil {
			return fmt.Errorf("fcntl: %w", err)
		}
		return nil
	}
	if _, err := unix.FcntlInt(uintptr(target), unix.F_GETFD, 0); err != unix.EBADF {
		return fmt.Errorf("descriptor %d, meant for a socket, is already open in the guest", target)
	}
	if err := unix.Dup3(fd, target, 0); err != nil {
		return fmt.Errorf("dup to %d: %w", target, err)
	}
	return unix.Close(fd)
}

// bindAt binds a socket of type typ to 127.0.0.1:port (listening for a stream) at fd target.
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
	return place(fd, target)
}
