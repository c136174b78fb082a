package trace

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"
)

// The generic descriptor requests (asm-generic/ioctls.h), which x/sys/unix leaves out.
const (
	fionread = 0x541b
	fionbio  = 0x5421
	fionclex = 0x5450
	fioclex  = 0x5451
	fioasync = 0x5452
)

// benignIoctlRequests are the terminal and descriptor queries every program makes, by number
// (the same on amd64 and arm64) and by the name strace prints: they make no event. Python
// alone asks TCGETS of every file it opens. A sandbox that watches ioctl itself (see
// IoctlRequestName) lets these through unwatched.
var benignIoctlRequests = map[uint32]string{
	unix.TCGETS: "TCGETS", unix.TCGETS2: "TCGETS2", unix.TCSETS: "TCSETS", unix.TCSETSW: "TCSETSW",
	unix.TCSETSF: "TCSETSF", fioclex: "FIOCLEX", fionclex: "FIONCLEX", fionbio: "FIONBIO",
	fionread: "FIONREAD", fioasync: "FIOASYNC", unix.TIOCGWINSZ: "TIOCGWINSZ",
	unix.TIOCGPGRP: "TIOCGPGRP", unix.TIOCSPGRP: "TIOCSPGRP", unix.TIOCGPTN: "TIOCGPTN",
	unix.TIOCSPTLCK: "TIOCSPTLCK", unix.TIOCGSID: "TIOCGSID", unix.TCFLSH: "TCFLSH",
	unix.TIOCSWINSZ: "TIOCSWINSZ", unix.FS_IOC_GETFLAGS: "FS_IOC_GETFLAGS", unix.FICLONE: "FICLONE",
	unix.SIOCGIFCONF: "SIOCGIFCONF", unix.SIOCGIFFLAGS: "SIOCGIFFLAGS", unix.SIOCGIFINDEX: "SIOCGIFINDEX",
	unix.SIOCGIFNAME: "SIOCGIFNAME",
}

// benignIoctls are benignIoctlRequests by name; strace calls FICLONE BTRFS_IOC_CLONE too.
var benignIoctls = func() map[string]bool {
	m := map[string]bool{"BTRFS_IOC_CLONE": true}
	for _, name := range benignIoctlRequests {
		m[name] = true
	}
	return m
}()

// BenignIoctlRequests returns the numbers of the requests that make no event.
func BenignIoctlRequests() []uint32 {
	out := make([]uint32, 0, len(benignIoctlRequests))
	for req := range benignIoctlRequests {
		out = append(out, req)
	}
	return out
}

// notableIoctlRequests name the requests the behaviour rules and a reader care about, as
// strace names them; any other request is written in hex.
var notableIoctlRequests = map[uint32]string{
	unix.TIOCSTI: "TIOCSTI", unix.TIOCLINUX: "TIOCLINUX", unix.TIOCSCTTY: "TIOCSCTTY",
	unix.TIOCNOTTY: "TIOCNOTTY", unix.TIOCCONS: "TIOCCONS", unix.TIOCSETD: "TIOCSETD",
	unix.TIOCSIG: "TIOCSIG", unix.TIOCVHANGUP: "TIOCVHANGUP", unix.TIOCEXCL: "TIOCEXCL",
	unix.TCSBRK: "TCSBRK", unix.TIOCOUTQ: "TIOCOUTQ", unix.TIOCMGET: "TIOCMGET",
	unix.FS_IOC_SETFLAGS: "FS_IOC_SETFLAGS",
	unix.SIOCSIFFLAGS:    "SIOCSIFFLAGS", unix.SIOCSIFADDR: "SIOCSIFADDR", unix.SIOCADDRT: "SIOCADDRT",
	unix.SIOCGIFADDR: "SIOCGIFADDR", unix.SIOCGIFHWADDR: "SIOCGIFHWADDR",
	unix.TUNSETIFF: "TUNSETIFF", unix.LOOP_SET_FD: "LOOP_SET_FD", unix.LOOP_CTL_GET_FREE: "LOOP_CTL_GET_FREE",
}

// IoctlRequestName returns the name strace gives an ioctl request, or its number in hex.
func IoctlRequestName(req uint32) string {
	if n, ok := benignIoctlRequests[req]; ok {
		return n
	}
	if n, ok := notableIoctlRequests[req]; ok {
		return n
	}
	return fmt.Sprintf("%#x", req)
}

// NewIoctlEvent makes the event for an ioctl a sandbox saw without strace (see
// sandbox.IoctlCall): pid as strace names the process (see Trace.TracerPID; 0 when unknown),
// the path behind the descriptor ("" when unknown), the request, and the errno name when the
// call was refused (its result is unknown otherwise: "?").
func NewIoctlEvent(t time.Time, pid int, comm, path string, req uint32, errno string) Event {
	ev := Event{Time: t, PID: pid, Comm: comm, Syscall: "ioctl", Kind: KindIoctl, Result: "?",
		Path: path, Request: IoctlRequestName(req)}
	if errno != "" {
		ev.Result, ev.Errno = "-1", errno
	}
	return ev
}
