package runsc

import (
	"slices"
	"strings"

	"github.com/pyti/pyti/internal/trace"
)

// syscallClasses are strace's classes (x86_64) as gVisor's --strace-syscalls needs them: names.
// Calls gVisor does not know are left out (runsc refuses the whole list otherwise).
var syscallClasses = map[string][]string{
	"%file": {
		"open", "openat", "openat2", "creat", "stat", "lstat", "newfstatat", "statx", "statfs",
		"access", "faccessat", "faccessat2", "readlink", "readlinkat", "chdir", "chmod", "fchmodat",
		"chown", "lchown", "fchownat", "link", "linkat", "unlink", "unlinkat", "symlink",
		"symlinkat", "rename", "renameat", "renameat2", "mkdir", "mkdirat", "rmdir", "mknod",
		"mknodat", "truncate", "utime", "utimes", "futimesat", "utimensat", "execve", "execveat",
		"getxattr", "lgetxattr", "setxattr", "lsetxattr", "listxattr", "llistxattr", "removexattr",
		"lremovexattr", "mount", "umount2", "pivot_root", "chroot", "swapon", "swapoff", "acct",
		"name_to_handle_at", "inotify_add_watch", "fanotify_mark", "uselib",
	},
	"%process": {
		"clone", "clone3", "fork", "vfork", "execve", "execveat", "exit", "exit_group", "wait4",
		"waitid", "kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
	},
	"%network": {
		"socket", "socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname",
		"getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg",
		"shutdown", "setsockopt", "getsockopt",
	},
}

// TraceSyscalls returns the comma-separated names for runsc --strace-syscalls: trace.Syscalls
// with its classes expanded, without the calls gVisor does not implement.
func TraceSyscalls() string {
	var out []string
	for _, item := range strings.Split(trace.Syscalls, ",") {
		item = strings.TrimPrefix(strings.TrimSpace(item), "?")
		if names, ok := syscallClasses[item]; ok {
			out = append(out, names...)
		} else if item != "" && !strings.HasPrefix(item, "%") {
			out = append(out, item)
		}
	}
	slices.Sort(out)
	out = slices.Compact(out)
	out = slices.DeleteFunc(out, func(s string) bool { return unknownToGVisor[s] })
	return strings.Join(out, ",")
}

// unknownToGVisor are the calls runsc 20221219's strace table does not name.
var unknownToGVisor = map[string]bool{"faccessat2": true, "openat2": true, "fchmodat2": true}
