package sandbox

import (
	"testing"

	"golang.org/x/sys/unix"
)

// TestSeccompNumbersAMD64 checks the table's amd64 numbers against golang.org/x/sys.
func TestSeccompNumbersAMD64(t *testing.T) {
	want := map[string]int{
		"keyctl": unix.SYS_KEYCTL, "add_key": unix.SYS_ADD_KEY, "request_key": unix.SYS_REQUEST_KEY,
		"userfaultfd": unix.SYS_USERFAULTFD, "perf_event_open": unix.SYS_PERF_EVENT_OPEN, "bpf": unix.SYS_BPF,
		"io_uring_setup": unix.SYS_IO_URING_SETUP, "io_uring_enter": unix.SYS_IO_URING_ENTER,
		"io_uring_register": unix.SYS_IO_URING_REGISTER, "setns": unix.SYS_SETNS, "unshare": unix.SYS_UNSHARE,
		"clone": unix.SYS_CLONE, "clone3": unix.SYS_CLONE3, "mount": unix.SYS_MOUNT, "umount2": unix.SYS_UMOUNT2,
		"pivot_root": unix.SYS_PIVOT_ROOT, "open_tree": unix.SYS_OPEN_TREE, "move_mount": unix.SYS_MOVE_MOUNT,
		"fsopen": unix.SYS_FSOPEN, "fsconfig": unix.SYS_FSCONFIG, "fsmount": unix.SYS_FSMOUNT, "fspick": unix.SYS_FSPICK,
		"mount_setattr": unix.SYS_MOUNT_SETATTR, "init_module": unix.SYS_INIT_MODULE,
		"finit_module": unix.SYS_FINIT_MODULE, "delete_module": unix.SYS_DELETE_MODULE,
		"create_module": unix.SYS_CREATE_MODULE, "get_kernel_syms": unix.SYS_GET_KERNEL_SYMS,
		"query_module": unix.SYS_QUERY_MODULE, "kexec_load": unix.SYS_KEXEC_LOAD,
		"kexec_file_load": unix.SYS_KEXEC_FILE_LOAD, "open_by_handle_at": unix.SYS_OPEN_BY_HANDLE_AT,
		"name_to_handle_at": unix.SYS_NAME_TO_HANDLE_AT, "iopl": unix.SYS_IOPL, "ioperm": unix.SYS_IOPERM,
		"swapon": unix.SYS_SWAPON, "swapoff": unix.SYS_SWAPOFF, "reboot": unix.SYS_REBOOT, "acct": unix.SYS_ACCT,
		"quotactl": unix.SYS_QUOTACTL, "quotactl_fd": unix.SYS_QUOTACTL_FD, "syslog": unix.SYS_SYSLOG,
		"settimeofday": unix.SYS_SETTIMEOFDAY, "clock_settime": unix.SYS_CLOCK_SETTIME, "vhangup": unix.SYS_VHANGUP,
		"uselib": unix.SYS_USELIB, "_sysctl": unix.SYS__SYSCTL, "lookup_dcookie": unix.SYS_LOOKUP_DCOOKIE,
		"nfsservctl": unix.SYS_NFSSERVCTL,
	}
	seen := map[string]bool{}
	for _, r := range SeccompRules {
		if seen[r.Name] {
			t.Errorf("%s twice in the table", r.Name)
		}
		seen[r.Name] = true
		w, ok := want[r.Name]
		if !ok {
			t.Errorf("%s: no x/sys number to check against", r.Name)
			continue
		}
		if r.AMD64 != w {
			t.Errorf("%s: amd64 number %d, x/sys says %d", r.Name, r.AMD64, w)
		}
	}
}
