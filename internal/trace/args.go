// Package trace runs strace around sandboxed work and turns its output into typed events:
// files opened, written, created, deleted and renamed; processes executed; network connects,
// binds and sends; DNS names looked up (from the sandbox resolver's log, via NewDNSEvent); the
// process tree. The parser streams strace -f output (or gVisor's runsc --strace debug log), keeps
// a bounded number of events (head and tail, saying how many it dropped) and hands every event to
// an optional callback, so that rules can judge a trace too large to keep.
package trace

// Syscalls is the strace -e trace= expression PYTI traces: every call that opens, executes,
// creates, deletes, renames or changes a file, every process call, the network calls that reach
// or offer an endpoint, and the few calls that matter for anti-analysis and escapes. It names the
// calls the parser turns into events rather than strace's %file and %network classes: those
// add stat, access, readlink and the socket reads and options, which make no event but were
// three quarters of a Python program's trace, each a stop of the traced process. getcwd, which
// makes no event either, is left out too: pytest asks for the working directory thousands of
// times (a quarter of the stops of pygments' test run), and the parser learns it from chdir and
// from the directory -y prints with every AT_FDCWD. ioctl is in the set, but a sandbox may take
// it out and watch it itself (the bwrap backend does, see sandbox.IoctlCall): Python asks TCGETS
// of every file it opens. A leading '?' lets strace skip a call this architecture lacks (arm64
// has no open, rename, ...).
const Syscalls = "?open,openat,openat2,?creat,execve,execveat,?unlink,unlinkat,?rmdir,?rename,renameat,renameat2," +
	"?link,linkat,?symlink,symlinkat,?mkdir,mkdirat,?mknod,mknodat,truncate,?chmod,fchmodat,?fchmodat2," +
	"?chown,?lchown,fchownat,chdir,fchdir,chroot,pivot_root,umount2," +
	"%process,socket,connect,bind,listen,sendto,sendmsg,sendmmsg," +
	"ioctl,ptrace,kill,tkill,tgkill,bpf,userfaultfd,keyctl,perf_event_open,unshare,setns,mount,memfd_create"

// StraceArgs returns the strace command line (without the strace binary itself and without the
// traced command) that writes a trace to out. strace runs outside the sandbox: --seccomp-bpf keeps
// its cost low, -f follows every child, --decode-pids=pidns (strace 6.0 or later) prints beside
// a pid the sandbox's namespace sees the pid strace names that process by (see tracerPID), -ttt
// stamps each line with the time, and -y prints the path behind every file descriptor argument
// (AT_FDCWD</work>, 3</tmp/x>) so that relative paths resolve exactly even after fchdir or
// through openat(dirfd, ...).
func StraceArgs(out string) []string {
	return []string{"-o", out, "-f", "--decode-pids=pidns", "--seccomp-bpf", "-q", "-ttt", "-y", "-s", "4096", "-e", "trace=" + Syscalls, "--"}
}
