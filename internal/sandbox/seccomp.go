package sandbox

import (
	"encoding/binary"
	"fmt"
	"strings"
	"syscall"

	"golang.org/x/net/bpf"
)

// SeccompRule is one system call the sandbox's seccomp filter refuses. The filter never kills:
// a refused call fails with Errno, the way Docker's default profile refuses it.
type SeccompRule struct {
	Name string
	// AMD64 and ARM64 are the call's numbers; -1 where the architecture has no such call.
	AMD64, ARM64 int
	// Errno is what the call returns instead of running.
	Errno syscall.Errno
	// FlagsMask, when not zero, refuses the call only when its first argument (the flags of
	// clone and unshare) has one of these bits set.
	FlagsMask uint32
	// KernelRefuses marks calls that need a capability the sandbox does not hold in any user
	// namespace, and that bwrap itself makes while it sets the sandbox up (so strace cannot be
	// told to fail them): in a traced run the filter lets them through to the kernel, which
	// refuses them, and the attempt stays in the trace.
	KernelRefuses bool
	// Why says what the refusal protects.
	Why string
}

// Flags of clone and unshare (linux/sched.h) the filter refuses.
const (
	// cloneNamespaces are CLONE_NEWNS, CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
	// CLONE_NEWUSER, CLONE_NEWPID and CLONE_NEWNET: the mask of Docker's profile.
	cloneNamespaces = 0x7e020000
	// cloneRefused adds CLONE_UNTRACED, with which a child would escape strace -f.
	cloneRefused = cloneNamespaces | 0x00800000
	// unshareNamespaces adds CLONE_NEWTIME (0x80; for clone, bits of the exit signal).
	unshareNamespaces = cloneNamespaces | 0x80
)

// SeccompRules is the deny list of the bwrap backend's filter, after Docker's default profile:
// the calls that reach kernel surfaces a package never needs (and that local privilege
// escalations have used) or that would let it leave or hide from PYTI's view. Most need a
// capability the sandbox does not hold, so the kernel refuses them anyway; the filter keeps the
// kernel code behind them out of reach. ptrace, process_vm_readv and process_vm_writev stay
// allowed, as in Docker's profile since Linux 4.8: every process of a traced run is already
// traced by strace (so an inner attach fails with EPERM and shows in the trace), and PYTI's
// init is not dumpable.
var SeccompRules = []SeccompRule{
	{"keyctl", 250, 219, syscall.EPERM, 0, false, "the kernel keyring is not namespaced"},
	{"add_key", 248, 217, syscall.EPERM, 0, false, "the kernel keyring is not namespaced"},
	{"request_key", 249, 218, syscall.EPERM, 0, false, "the kernel keyring is not namespaced"},
	{"userfaultfd", 323, 282, syscall.EPERM, 0, false, "stalls kernel page faults: a classic exploit race helper"},
	{"perf_event_open", 298, 241, syscall.EPERM, 0, false, "kernel and hardware profiling leaks the host"},
	{"bpf", 321, 280, syscall.EPERM, 0, false, "loads programs into the host kernel"},
	{"io_uring_setup", 425, 425, syscall.EPERM, 0, false, "its operations bypass the syscall trace"},
	{"io_uring_enter", 426, 426, syscall.EPERM, 0, false, "its operations bypass the syscall trace"},
	{"io_uring_register", 427, 427, syscall.EPERM, 0, false, "its operations bypass the syscall trace"},
	{"setns", 308, 268, syscall.EPERM, 0, false, "no joining other namespaces"},
	{"unshare", 272, 97, syscall.EPERM, unshareNamespaces, true, "no new namespaces"},
	{"clone", 56, 220, syscall.EPERM, cloneRefused, false, "no new namespaces, and no child the tracer cannot follow"},
	{"clone3", 435, 435, syscall.ENOSYS, 0, false, "its flags hide in memory where the filter cannot look; ENOSYS makes the C library fall back to clone"},
	{"mount", 165, 40, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"umount2", 166, 39, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"pivot_root", 155, 41, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"open_tree", 428, 428, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"move_mount", 429, 429, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"fsopen", 430, 430, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"fsconfig", 431, 431, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"fsmount", 432, 432, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"fspick", 433, 433, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"mount_setattr", 442, 442, syscall.EPERM, 0, true, "the mount table is PYTI's"},
	{"init_module", 175, 105, syscall.EPERM, 0, false, "kernel modules"},
	{"finit_module", 313, 273, syscall.EPERM, 0, false, "kernel modules"},
	{"delete_module", 176, 106, syscall.EPERM, 0, false, "kernel modules"},
	{"create_module", 174, -1, syscall.EPERM, 0, false, "kernel modules"},
	{"get_kernel_syms", 177, -1, syscall.EPERM, 0, false, "kernel modules"},
	{"query_module", 178, -1, syscall.EPERM, 0, false, "kernel modules"},
	{"kexec_load", 246, 104, syscall.EPERM, 0, false, "replaces the running kernel"},
	{"kexec_file_load", 320, 294, syscall.EPERM, 0, false, "replaces the running kernel"},
	{"open_by_handle_at", 304, 265, syscall.EPERM, 0, false, "opens files by handle past the mount namespace (the shocker escape)"},
	{"name_to_handle_at", 303, 264, syscall.EPERM, 0, false, "makes the handles open_by_handle_at takes"},
	{"iopl", 172, -1, syscall.EPERM, 0, false, "raw hardware I/O ports"},
	{"ioperm", 173, -1, syscall.EPERM, 0, false, "raw hardware I/O ports"},
	{"swapon", 167, 224, syscall.EPERM, 0, false, "host swap"},
	{"swapoff", 168, 225, syscall.EPERM, 0, false, "host swap"},
	{"reboot", 169, 142, syscall.EPERM, 0, false, "the host's power"},
	{"acct", 163, 89, syscall.EPERM, 0, false, "host process accounting"},
	{"quotactl", 179, 60, syscall.EPERM, 0, false, "host disk quotas"},
	{"quotactl_fd", 443, 443, syscall.EPERM, 0, false, "host disk quotas"},
	{"syslog", 103, 116, syscall.EPERM, 0, false, "the kernel log leaks host addresses"},
	{"settimeofday", 164, 170, syscall.EPERM, 0, false, "the host's clock"},
	{"clock_settime", 227, 112, syscall.EPERM, 0, false, "the host's clock"},
	{"vhangup", 153, 58, syscall.EPERM, 0, false, "hangs up the terminal"},
	{"uselib", 134, -1, syscall.EPERM, 0, false, "obsolete, with a history of kernel bugs"},
	{"_sysctl", 156, -1, syscall.EPERM, 0, false, "obsolete, with a history of kernel bugs"},
	{"lookup_dcookie", 212, 18, syscall.EPERM, 0, false, "obsolete, with a history of kernel bugs"},
	{"nfsservctl", 180, 42, syscall.EPERM, 0, false, "obsolete, with a history of kernel bugs"},
}

// Constants of linux/seccomp.h and linux/audit.h.
const (
	seccompRetAllow = 0x7fff0000
	seccompRetErrno = 0x00050000
	seccompRetTrace = 0x7ff00000

	auditArchX86_64  = 0xc000003e
	auditArchAArch64 = 0xc00000b7
	x32SyscallBit    = 0x40000000

	// Offsets in struct seccomp_data: int nr; __u32 arch; __u64 instruction_pointer;
	// __u64 args[6]. The low half of args[0] is at 16 on the little-endian architectures here.
	seccompDataNr    = 0
	seccompDataArch  = 4
	seccompDataArg0  = 16
	seccompDataBytes = 64
)

// seccompArch is an architecture's audit number and its field of SeccompRule.
type seccompArch struct {
	audit uint32
	nr    func(SeccompRule) int
	x32   bool // refuse the x32 ABI, whose calls carry the native audit number
}

var seccompArches = map[string]seccompArch{
	"amd64": {audit: auditArchX86_64, nr: func(r SeccompRule) int { return r.AMD64 }, x32: true},
	"arm64": {audit: auditArchAArch64, nr: func(r SeccompRule) int { return r.ARM64 }},
}

func archOf(goarch string) (seccompArch, error) {
	arch, ok := seccompArches[goarch]
	if !ok {
		return seccompArch{}, fmt.Errorf("%w: no seccomp filter for architecture %s (only amd64 and arm64)", ErrInfrastructure, goarch)
	}
	return arch, nil
}

// SeccompProgram returns the classic BPF program of the filter for goarch ("amd64", "arm64").
// A call made through another ABI than the native one (i386 or x32 on amd64, arm32 on arm64)
// fails with ENOSYS; everything not in SeccompRules runs.
//
// Untraced, every call of SeccompRules fails with its errno. Traced (strace --seccomp-bpf
// outside, given SeccompStraceArgs), a refusal by the filter itself would hide the attempt from
// the trace (seccomp's errno outranks strace's own trace stop), so the calls without a flags
// condition stop for the tracer instead (SECCOMP_RET_TRACE) and strace fails them with the
// same errno, showing them as "(INJECTED)"; with no tracer attached the kernel fails them with
// ENOSYS, so they never run either way. The calls marked KernelRefuses are left to the kernel
// in a traced run, and clone's flag condition, which strace cannot inject on, stays a plain
// refusal.
func SeccompProgram(goarch string, traced bool) ([]bpf.Instruction, error) {
	arch, err := archOf(goarch)
	if err != nil {
		return nil, err
	}
	deny := func(e syscall.Errno) bpf.Instruction { return bpf.RetConstant{Val: seccompRetErrno | uint32(e)} }
	p := []bpf.Instruction{
		bpf.LoadAbsolute{Off: seccompDataArch, Size: 4},
		bpf.JumpIf{Cond: bpf.JumpEqual, Val: arch.audit, SkipTrue: 1},
		deny(syscall.ENOSYS),
		bpf.LoadAbsolute{Off: seccompDataNr, Size: 4},
	}
	if arch.x32 {
		p = append(p,
			bpf.JumpIf{Cond: bpf.JumpGreaterOrEqual, Val: x32SyscallBit, SkipFalse: 1},
			deny(syscall.ENOSYS),
		)
	}
	for _, r := range SeccompRules {
		nr := arch.nr(r)
		if nr < 0 || (traced && r.KernelRefuses) {
			continue
		}
		if r.FlagsMask == 0 {
			ret := deny(r.Errno)
			if traced {
				ret = bpf.RetConstant{Val: seccompRetTrace}
			}
			p = append(p, bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipFalse: 1}, ret)
			continue
		}
		// The number in A is reloaded after the flags are looked at.
		p = append(p,
			bpf.JumpIf{Cond: bpf.JumpEqual, Val: uint32(nr), SkipFalse: 4},
			bpf.LoadAbsolute{Off: seccompDataArg0, Size: 4},
			bpf.JumpIf{Cond: bpf.JumpBitsSet, Val: r.FlagsMask, SkipFalse: 1},
			deny(r.Errno),
			bpf.LoadAbsolute{Off: seccompDataNr, Size: 4},
		)
	}
	return append(p, bpf.RetConstant{Val: seccompRetAllow}), nil
}

// SeccompFilter returns SeccompProgram(goarch, traced) as the kernel takes it (an array of
// struct sock_filter in the machine's byte order), e.g. for bwrap --seccomp FD.
func SeccompFilter(goarch string, traced bool) ([]byte, error) {
	prog, err := SeccompProgram(goarch, traced)
	if err != nil {
		return nil, err
	}
	raw, err := bpf.Assemble(prog)
	if err != nil {
		return nil, fmt.Errorf("%w: assemble seccomp filter: %w", ErrInfrastructure, err)
	}
	out := make([]byte, 0, 8*len(raw))
	for _, ins := range raw {
		out = binary.NativeEndian.AppendUint16(out, ins.Op)
		out = append(out, ins.Jt, ins.Jf)
		out = binary.NativeEndian.AppendUint32(out, ins.K)
	}
	return out, nil
}

// SeccompStraceArgs returns the strace arguments that complete a traced run's filter: the
// names of every rule, to add to strace's -e trace= set (a call strace does not trace never
// stops for it, and the kernel's refusals should show too), and the -e inject= options that
// fail the calls the traced filter hands to strace with their errno. Names carry strace's "?" prefix, so
// that a call this strace does not know is no error.
func SeccompStraceArgs(goarch string) (trace []string, inject []string, err error) {
	arch, err := archOf(goarch)
	if err != nil {
		return nil, nil, err
	}
	byErrno := map[syscall.Errno][]string{}
	var errnos []syscall.Errno
	for _, r := range SeccompRules {
		if arch.nr(r) < 0 {
			continue
		}
		trace = append(trace, "?"+r.Name)
		if r.FlagsMask != 0 || r.KernelRefuses {
			continue
		}
		if _, ok := byErrno[r.Errno]; !ok {
			errnos = append(errnos, r.Errno)
		}
		byErrno[r.Errno] = append(byErrno[r.Errno], "?"+r.Name)
	}
	for _, e := range errnos {
		name, ok := errnoNames[e]
		if !ok {
			return nil, nil, fmt.Errorf("%w: seccomp: no strace name for errno %d", ErrInfrastructure, int(e))
		}
		inject = append(inject, "-e", "inject="+strings.Join(byErrno[e], ",")+":error="+name)
	}
	return trace, inject, nil
}

// errnoNames are the errnos SeccompRules use, by the names strace takes.
var errnoNames = map[syscall.Errno]string{syscall.EPERM: "EPERM", syscall.ENOSYS: "ENOSYS"}
