package sandbox

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"

	"github.com/pyti/pyti/internal/trace"
)

// Watching ioctl without strace.
//
// Python asks every file it opens whether it is a terminal (ioctl TCGETS), so ioctl was a third
// of the stops of a traced test run, each a round trip through strace, for a call the trace
// drops (see trace.BenignIoctlRequests). A traced run of the bwrap backend leaves ioctl out of
// strace's set instead; the init installs a seccomp filter that lets the benign requests run
// and hands every other request to the init first (SECCOMP_RET_USER_NOTIF). The init reports
// the call on the report channel and lets it run unchanged (SECCOMP_USER_NOTIF_FLAG_CONTINUE):
// the kernel decides its outcome as before, which the watcher does not learn, so the call's
// result is "?". The requests that push input into a terminal (refusedIoctls) it refuses with
// EPERM instead, so that their outcome is known: in a sandbox without a terminal (a new
// session, stdin /dev/null) the kernel refuses them too. The rules see each call as they saw
// strace's line (IoctlCall.Event).

// IoctlCall is one ioctl outside trace.BenignIoctlRequests that a process in the sandbox made.
type IoctlCall struct {
	Time time.Time `json:"time"`
	// PID is the caller's pid (or thread id) in the sandbox's namespace.
	PID     int    `json:"pid"`
	FD      int    `json:"fd"`
	Path    string `json:"path,omitempty"` // behind FD, when the init could read it
	Request uint32 `json:"request"`
	// Errno is the error the watcher answered in the kernel's place ("EPERM"), or "" when
	// the call ran.
	Errno string `json:"errno,omitempty"`
}

// refusedIoctls are the requests the watcher refuses: TIOCSTI pushes characters into a
// terminal's input, TIOCLINUX (its subcode 2 and 3) pastes a console's selection.
var refusedIoctls = map[uint32]bool{unix.TIOCSTI: true, unix.TIOCLINUX: true}

// Event returns the call as the trace would have shown it, its pid as the trace tr names it.
func (c IoctlCall) Event(tr *trace.Trace) trace.Event {
	pid, comm, _ := tr.TracerPID(c.PID, c.Time)
	return trace.NewIoctlEvent(c.Time, pid, comm, c.Path, c.Request, c.Errno)
}

// maxIoctlRecords bounds the calls the init reports; the rest are counted.
const maxIoctlRecords = 10000

// ioctlNumbers are ioctl's numbers by architecture.
var ioctlNumbers = map[string]uint32{"amd64": 16, "arm64": 29}

// seccompDataArg1 is the low half of args[1], the request (see seccompDataArg0).
const seccompDataArg1 = seccompDataArg0 + 8

// ioctlWatchProgram returns the filter the init installs to watch ioctl: a call of the native
// ABI to ioctl whose request (its low 32 bits, all the kernel reads) is not benign goes to the
// listener; everything else runs (a foreign ABI is the bwrap filter's to refuse). The init's
// own requests on the listener run too, so that no thread of it can wait on itself.
func ioctlWatchProgram(goarch string) ([]bpf.Instruction, error) {
	arch, err := archOf(goarch)
	if err != nil {
		return nil, err
	}
	nr, ok := ioctlNumbers[goarch]
	if !ok {
		return nil, fmt.Errorf("%w: no ioctl number for architecture %s", ErrInfrastructure, goarch)
	}
	allowed := append(trace.BenignIoctlRequests(),
		uint32(unix.SECCOMP_IOCTL_NOTIF_RECV), uint32(unix.SECCOMP_IOCTL_NOTIF_SEND), uint32(unix.SECCOMP_IOCTL_NOTIF_ID_VALID))
	slices.Sort(allowed)
	allow := bpf.RetConstant{Val: seccompRetAllow}
	p := []bpf.Instruction{
		bpf.LoadAbsolute{Off: seccompDataArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch.audit, SkipTrue: 1},
		allow,
		bpf.LoadAbsolute{Off: seccompDataNr, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: nr, SkipTrue: 1},
		allow,
		bpf.LoadAbsolute{Off: seccompDataArg1, Size: 4},
	}
	// Each request that matches jumps over the rest and the notification, to the last allow.
	for i, req := range allowed {
		p = append(p, bpf.JumpIf{Cond: bpf.JumpEqual, Val: req, SkipTrue: uint8(len(allowed) - i)})
	}
	return append(p, bpf.RetConstant{Val: unix.SECCOMP_RET_USER_NOTIF}, allow), nil
}

// IoctlWatchSupported reports whether this kernel lets the init watch ioctl: seccomp's user
// notification (Linux 5.0) that can let the call run on (Linux 5.5). Without it the bwrap
// backend leaves ioctl in strace's set.
func IoctlWatchSupported() error {
	avail, err := os.ReadFile("/proc/sys/kernel/seccomp/actions_avail")
	if err != nil {
		return fmt.Errorf("seccomp actions: %w", err)
	}
	if !slices.Contains(strings.Fields(string(avail)), "user_notif") {
		return errors.New("seccomp has no user notification")
	}
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return fmt.Errorf("uname: %w", err)
	}
	if !kernelAtLeast(unix.ByteSliceToString(u.Release[:]), 5, 5) {
		return fmt.Errorf("kernel %s is older than 5.5, whose seccomp lets a watched call run on", unix.ByteSliceToString(u.Release[:]))
	}
	return nil
}

// kernelAtLeast compares a release ("6.1.0-18-amd64") with major.minor.
func kernelAtLeast(release string, major, minor int) bool {
	parts := strings.SplitN(release, ".", 3)
	if len(parts) < 2 {
		return false
	}
	ma, err1 := strconv.Atoi(parts[0])
	// The minor number's digits, before any suffix ("15-rc1").
	digits := strings.IndexFunc(parts[1], func(r rune) bool { return r < '0' || r > '9' })
	if digits < 0 {
		digits = len(parts[1])
	}
	mi, err2 := strconv.Atoi(parts[1][:digits])
	if err1 != nil || err2 != nil {
		return false
	}
	return ma > major || ma == major && mi >= minor
}

// struct seccomp_notif and struct seccomp_notif_resp (linux/seccomp.h).
type seccompNotif struct {
	id    uint64
	pid   uint32
	flags uint32
	nr    int32
	arch  uint32
	ip    uint64
	args  [6]uint64
}

type seccompNotifResp struct {
	id    uint64
	val   int64
	error int32
	flags uint32
}

// watchIoctls installs the ioctl filter on the calling thread, which it locks: the command the
// init forks from this thread inherits it, and the init's other threads stay outside it. The
// watcher reports each call before it lets the call run, so that no report is lost when the
// command ends.
func watchIoctls(rep *reporter) error {
	prog, err := ioctlWatchProgram(runtime.GOARCH)
	if err != nil {
		return err
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return fmt.Errorf("assemble the ioctl filter: %w", err)
	}
	filter := make([]unix.SockFilter, len(raw))
	for i, ins := range raw {
		filter[i] = unix.SockFilter{Code: ins.Op, Jt: ins.Jt, Jf: ins.Jf, K: ins.K}
	}
	fprog := unix.SockFprog{Len: uint16(len(filter)), Filter: &filter[0]}
	runtime.LockOSThread()
	fd, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_NEW_LISTENER, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(filter)
	if errno != 0 {
		return fmt.Errorf("install the ioctl filter: %w", errno)
	}
	unix.CloseOnExec(int(fd))
	go serveIoctls(rep, int(fd))
	return nil
}

// serveIoctls answers the filter's notifications until the listener fails.
func serveIoctls(rep *reporter, fd int) {
	for {
		var n seccompNotif
		if _, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(unix.SECCOMP_IOCTL_NOTIF_RECV), uintptr(unsafe.Pointer(&n))); e != 0 {
			if e == unix.EINTR || e == unix.ENOENT {
				continue // interrupted, or the caller died before we read it
			}
			return
		}
		c := IoctlCall{Time: time.Now(), PID: int(n.pid), FD: int(int32(n.args[0])), Request: uint32(n.args[1])}
		if p, err := os.Readlink("/proc/" + strconv.Itoa(c.PID) + "/fd/" + strconv.Itoa(c.FD)); err == nil {
			c.Path = p
		}
		resp := seccompNotifResp{id: n.id, flags: unix.SECCOMP_USER_NOTIF_FLAG_CONTINUE}
		if refusedIoctls[c.Request] {
			c.Errno = "EPERM"
			resp.error, resp.flags = -int32(unix.EPERM), 0
		}
		rep.ioctl(c)
		// ENOENT: the caller died meanwhile; nothing to answer.
		_, _, _ = unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(unix.SECCOMP_IOCTL_NOTIF_SEND), uintptr(unsafe.Pointer(&resp)))
	}
}
