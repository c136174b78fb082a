package trace

import (
	"strconv"
	"strings"
)

// notableSyscalls make an other-notable event whatever their arguments.
var notableSyscalls = map[string]bool{
	"bpf": true, "userfaultfd": true, "keyctl": true, "add_key": true, "request_key": true,
	"perf_event_open": true, "unshare": true, "setns": true, "mount": true, "umount2": true,
	"umount": true, "pivot_root": true, "chroot": true, "memfd_create": true, "init_module": true,
	"finit_module": true, "delete_module": true, "kexec_load": true, "process_vm_readv": true,
	"process_vm_writev": true, "open_tree": true, "move_mount": true, "fsopen": true,
}

// syscall turns one complete call into at most one event and updates the pid's state.
func (p *Parser) syscall(st *pidState, ln Line) {
	args := splitArgs(ln.Args)
	val, errno := splitResult(ln.Result)
	ev := Event{Time: ln.Time, PID: ln.PID, Syscall: ln.Name, Result: val, Errno: errno}
	arg := func(i int) string {
		if i < len(args) {
			return args[i]
		}
		return ""
	}
	str := func(i int) string {
		s, tr, _ := unquote(arg(i))
		ev.Truncated = ev.Truncated || tr
		return s
	}
	// With -y strace prints the working directory with every AT_FDCWD: learn it.
	for _, a := range args {
		if strings.HasPrefix(a, "AT_FDCWD<") {
			if d := parseFD(a); d.hasPath {
				st.cwd.dir = d.path
			}
		}
	}
	setPath := func(dir fdArg, name string) {
		pth, ok := p.resolve(st, dir, name)
		ev.Path, ev.Unresolved = pth, !ok
	}
	switch name := ln.Name; name {
	case "open", "openat", "openat2", "creat":
		dir, pi, fi := cwdFD, 0, 1
		if name == "openat" || name == "openat2" {
			dir, pi, fi = parseFD(arg(0)), 1, 2
		}
		setPath(dir, str(pi))
		flags := arg(fi)
		if name == "openat2" {
			flags = fieldValue(flags, "flags")
		}
		if name == "creat" {
			flags = "O_WRONLY|O_CREAT|O_TRUNC"
		}
		ev.Flags = flags
		ev.Kind = openKind(flags)
		if errno == "" && !ev.Unresolved {
			if fd, err := strconv.Atoi(val); err == nil {
				st.fds.m[fd] = ev.Path
			}
		}
	case "execve", "execveat":
		dir, pi, ai := cwdFD, 0, 1
		if name == "execveat" {
			dir, pi, ai = parseFD(arg(0)), 1, 2
		}
		setPath(dir, str(pi))
		argv, tr := parseStringArray(arg(ai))
		ev.Kind, ev.Argv, ev.Truncated = KindExec, argv, ev.Truncated || tr
		if errno == "" {
			first := len(st.proc.Execs) == 0
			st.proc.Execs = append(st.proc.Execs, argv)
			st.proc.Comm = ev.Program()
			if p.opts.Setup != nil && p.opts.Setup.isInit(ev.Path) {
				switch {
				case st.role == roleSetup:
					st.role = roleInit
				case st.role == roleJob && first && p.parentRole(st) == roleInit:
					// A helper the init starts from its own program (the package's code is
					// never the init's child: the init starts only the command).
					st.role = roleSetup
				}
			}
		}
	case "unlink", "rmdir":
		ev.Kind = KindFileDelete
		setPath(cwdFD, str(0))
	case "unlinkat":
		ev.Kind = KindFileDelete
		setPath(parseFD(arg(0)), str(1))
		ev.Flags = arg(2)
	case "rename", "link", "symlink":
		ev.Kind = KindRename
		if name != "rename" {
			ev.Kind = KindFileCreate
		}
		from, to := str(0), str(1)
		if name == "symlink" {
			// symlink(target, linkpath): the target is text, not resolved against the cwd.
			setPath(cwdFD, to)
			ev.Detail = "-> " + from
			break
		}
		setPath(cwdFD, from)
		if name == "link" {
			ev.NewPath = ev.Path
			setPath(cwdFD, to)
			break
		}
		np, ok := p.resolve(st, cwdFD, to)
		ev.NewPath, ev.Unresolved = np, ev.Unresolved || !ok
	case "renameat", "renameat2", "linkat":
		ev.Kind = KindRename
		if name == "linkat" {
			ev.Kind = KindFileCreate
		}
		setPath(parseFD(arg(0)), str(1))
		np, ok := p.resolve(st, parseFD(arg(2)), str(3))
		if name == "linkat" {
			ev.NewPath, ev.Path = ev.Path, np
		} else {
			ev.NewPath = np
		}
		ev.Unresolved = ev.Unresolved || !ok
		ev.Flags = arg(4)
	case "symlinkat":
		ev.Kind = KindFileCreate
		ev.Detail = "-> " + str(0)
		setPath(parseFD(arg(1)), str(2))
	case "mkdir":
		ev.Kind = KindMkdir
		setPath(cwdFD, str(0))
	case "mkdirat":
		ev.Kind = KindMkdir
		setPath(parseFD(arg(0)), str(1))
	case "mknod":
		ev.Kind, ev.Flags = KindFileCreate, arg(1)
		setPath(cwdFD, str(0))
	case "mknodat":
		ev.Kind, ev.Flags = KindFileCreate, arg(2)
		setPath(parseFD(arg(0)), str(1))
	case "truncate":
		ev.Kind = KindFileWrite
		setPath(cwdFD, str(0))
	case "chmod", "chown", "lchown":
		ev.Kind, ev.Flags = KindChmod, strings.Join(args[min(1, len(args)):], ", ")
		setPath(cwdFD, str(0))
	case "fchmodat", "fchownat", "fchmodat2":
		ev.Kind, ev.Flags = KindChmod, strings.Join(args[min(2, len(args)):], ", ")
		setPath(parseFD(arg(0)), str(1))
	case "getcwd":
		if d := str(0); errno == "" && strings.HasPrefix(d, "/") {
			st.cwd.dir = d
		}
		return
	case "chdir", "fchdir":
		if errno != "" {
			return
		}
		var dir string
		var ok bool
		if name == "chdir" {
			dir, ok = p.resolve(st, cwdFD, str(0))
		} else {
			dir, ok = p.resolve(st, parseFD(arg(0)), "")
		}
		if ok {
			st.cwd.dir = dir
		} else {
			st.cwd.dir = ""
		}
		return
	case "connect", "bind":
		ev.Kind = KindConnect
		if name == "bind" {
			ev.Kind = KindBind
		}
		if !p.setAddr(st, &ev, arg(1)) {
			return
		}
	case "sendto", "sendmsg", "sendmmsg":
		ev.Kind = KindSend
		if !p.setAddr(st, &ev, ln.Args) {
			return // a send on a connected socket: its connect was the event
		}
	case "socket":
		ev.Kind, ev.Family, ev.Detail = KindSocket, arg(0), arg(1)
	case "clone", "clone3", "fork", "vfork":
		// The child as strace names it (see tracerPID): a child in another PID namespace
		// is another number there.
		child, ok := tracerPID(ln.Result)
		if errno != "" || !ok || child <= 0 {
			return
		}
		cst := p.state(child, Line{Time: ln.Time})
		cst.proc.NSPID = callerPID(ln.Result)
		if cst.proc.PPID != st.proc.PID {
			if cst.proc.PPID != 0 {
				p.unlink(cst)
			}
			p.link(st, cst, name, ln.Args)
		}
		if cst.proc.Thread {
			return
		}
		ev.Kind, ev.ChildPID = KindProcess, child
		if name == "clone" || name == "clone3" {
			ev.Flags = fieldValue(ln.Args, "flags")
		}
	case "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo", "pidfd_send_signal":
		ti, si := 0, 1
		if name == "tgkill" || name == "rt_tgsigqueueinfo" {
			ti, si = 1, 2
		}
		ev.Kind, ev.Signal = KindSignal, arg(si)
		ev.TargetPID, _ = tracerPID(arg(ti))
		ev.Detail = "sent"
	case "ptrace":
		ev.Kind, ev.Request = KindPtrace, arg(0)
		ev.TargetPID, _ = tracerPID(arg(1))
	case "ioctl":
		req := arg(1)
		// gVisor's log, and strace for a request it cannot name, give the number.
		if n, err := strconv.ParseUint(req, 0, 64); err == nil {
			req = IoctlRequestName(uint32(n))
		}
		if benignIoctls[req] {
			return
		}
		ev.Kind, ev.Request = KindIoctl, req
		if fd := parseFD(arg(0)); fd.hasPath {
			ev.Path = fd.path
		}
	default:
		if !notableSyscalls[name] {
			return
		}
		ev.Kind = KindOtherNotable
		switch name {
		case "memfd_create":
			ev.Name = str(0)
		case "mount":
			ev.Path = str(1)
			ev.Detail = strings.Join(args, ", ")
		case "chroot", "pivot_root", "umount2", "umount":
			setPath(cwdFD, str(0))
		default:
			ev.Detail = strings.Join(args, ", ")
		}
		if len(ev.Detail) > 512 {
			ev.Detail, ev.Truncated = ev.Detail[:512], true
		}
	}
	p.emit(ev)
}

// unlink removes a provisional parent link made before the fork returned.
func (p *Parser) unlink(child *pidState) {
	if parent, ok := p.pids[child.proc.PPID]; ok {
		kids := parent.proc.Children[:0]
		for _, k := range parent.proc.Children {
			if k != child.proc.PID {
				kids = append(kids, k)
			}
		}
		parent.proc.Children = kids
	}
	child.proc.PPID = 0
}

// openKind decides what an open with these flags does to the file.
func openKind(flags string) Kind {
	has := func(f string) bool {
		for _, x := range strings.Split(flags, "|") {
			if strings.TrimSpace(x) == f {
				return true
			}
		}
		return false
	}
	switch {
	case has("O_CREAT") || has("O_TMPFILE"):
		return KindFileCreate
	case has("O_WRONLY") || has("O_RDWR") || has("O_TRUNC") || has("O_APPEND"):
		return KindFileWrite
	}
	return KindFileRead
}

// setAddr fills the address of a network event from the first socket address in text. A Unix
// socket's relative file name is made absolute against the process's working directory, as the
// kernel reads it: waitress's tests bind and connect "@test_7_tmp" (a file in their directory,
// not an abstract name); one whose directory is not known is shown as "./name".
func (p *Parser) setAddr(st *pidState, ev *Event, text string) bool {
	sa, ok := parseSockaddr(text)
	if !ok {
		return false
	}
	if sa.path && sa.addr != "" && !strings.HasPrefix(sa.addr, "/") {
		if abs, ok := p.resolve(st, cwdFD, sa.addr); ok {
			sa.addr = abs
		} else {
			sa.addr = "./" + sa.addr
		}
	}
	ev.Family, ev.Address, ev.Port = sa.family, sa.addr, sa.port
	return true
}

// fieldValue returns the value of name= in a structure ("flags=O_RDONLY|O_CLOEXEC").
func fieldValue(text, name string) string {
	i := strings.Index(text, name+"=")
	if i < 0 {
		return ""
	}
	v := text[i+len(name)+1:]
	end := strings.IndexAny(v, ",}")
	if end >= 0 {
		v = v[:end]
	}
	return strings.TrimSpace(v)
}
