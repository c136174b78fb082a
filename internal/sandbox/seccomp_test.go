package sandbox

import (
	"encoding/binary"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
)

// seccompData encodes a struct seccomp_data for golang.org/x/net/bpf's VM, whose loads are
// big-endian: each 32-bit field is written in that order, so that the VM's word loads see the
// values the kernel's native-endian loads see.
func seccompData(arch uint32, nr int32, arg0 uint64) []byte {
	b := make([]byte, seccompDataBytes)
	binary.BigEndian.PutUint32(b[seccompDataNr:], uint32(nr))
	binary.BigEndian.PutUint32(b[seccompDataArch:], arch)
	binary.BigEndian.PutUint32(b[seccompDataArg0:], uint32(arg0))       // low half (little-endian layout)
	binary.BigEndian.PutUint32(b[seccompDataArg0+4:], uint32(arg0>>32)) // high half
	return b
}

// vmFor runs the filter as the kernel gets it: SeccompFilter's bytes, decoded and disassembled.
func vmFor(t *testing.T, goarch string, traced bool) *bpf.VM {
	t.Helper()
	raw, err := SeccompFilter(goarch, traced)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw)%8 != 0 {
		t.Fatalf("filter of %d bytes is not a sock_filter array", len(raw))
	}
	var prog []bpf.RawInstruction
	for i := 0; i < len(raw); i += 8 {
		prog = append(prog, bpf.RawInstruction{
			Op: binary.NativeEndian.Uint16(raw[i:]), Jt: raw[i+2], Jf: raw[i+3], K: binary.NativeEndian.Uint32(raw[i+4:]),
		})
	}
	ins, ok := bpf.Disassemble(prog)
	if !ok {
		t.Fatalf("the filter does not disassemble: %v", ins)
	}
	vm, err := bpf.NewVM(ins)
	if err != nil {
		t.Fatal(err)
	}
	return vm
}

func TestSeccompFilter(t *testing.T) {
	const (
		allow   = seccompRetAllow
		trace   = seccompRetTrace
		eperm   = seccompRetErrno | uint32(syscall.EPERM)
		enosys  = seccompRetErrno | uint32(syscall.ENOSYS)
		i386    = 0x40000003
		arm32   = 0x40000028
		newUser = 0x10000000
		thread  = 0x003d0f00 // what glibc's pthread_create passes to clone
	)
	tests := []struct {
		name   string
		goarch string
		traced bool
		arch   uint32
		nr     int32
		arg0   uint64
		want   uint32
	}{
		{"getpid runs", "amd64", false, auditArchX86_64, 39, 0, allow},
		{"keyctl refused", "amd64", false, auditArchX86_64, 250, 0, eperm},
		{"userfaultfd refused", "amd64", false, auditArchX86_64, 323, 1, eperm},
		{"perf_event_open refused", "amd64", false, auditArchX86_64, 298, 0, eperm},
		{"bpf refused", "amd64", false, auditArchX86_64, 321, 0, eperm},
		{"io_uring_setup refused", "amd64", false, auditArchX86_64, 425, 1, eperm},
		{"last rule refused", "amd64", false, auditArchX86_64, 180, 0, eperm},
		{"mount refused", "amd64", false, auditArchX86_64, 165, 0, eperm},
		{"ptrace runs", "amd64", false, auditArchX86_64, 101, 0, allow},
		{"clone of a thread runs", "amd64", false, auditArchX86_64, 56, thread, allow},
		{"clone with a new user namespace refused", "amd64", false, auditArchX86_64, 56, newUser | 17, eperm},
		{"clone with CLONE_UNTRACED refused", "amd64", false, auditArchX86_64, 56, 0x00800000 | 17, eperm},
		{"clone with high bits only runs", "amd64", false, auditArchX86_64, 56, 1 << 40, allow},
		{"clone3 is ENOSYS", "amd64", false, auditArchX86_64, 435, 0, enosys},
		{"unshare of a network namespace refused", "amd64", false, auditArchX86_64, 272, 0x40000000, eperm},
		{"unshare of a time namespace refused", "amd64", false, auditArchX86_64, 272, 0x80, eperm},
		{"unshare of the fd table runs", "amd64", false, auditArchX86_64, 272, 0x400, allow},
		{"i386 ABI is ENOSYS", "amd64", false, i386, 20, 0, enosys},
		{"x32 ABI is ENOSYS", "amd64", false, auditArchX86_64, x32SyscallBit | 39, 0, enosys},
		{"traced: keyctl stops for the tracer", "amd64", true, auditArchX86_64, 250, 0, trace},
		{"traced: clone3 stops for the tracer", "amd64", true, auditArchX86_64, 435, 0, trace},
		{"traced: mount left to the kernel", "amd64", true, auditArchX86_64, 165, 0, allow},
		{"traced: unshare left to the kernel", "amd64", true, auditArchX86_64, 272, newUser, allow},
		{"traced: clone flags still refused", "amd64", true, auditArchX86_64, 56, newUser | 17, eperm},
		{"traced: getpid runs", "amd64", true, auditArchX86_64, 39, 0, allow},
		{"traced: i386 ABI is ENOSYS", "amd64", true, i386, 20, 0, enosys},
		{"arm64: keyctl refused", "arm64", false, auditArchAArch64, 219, 0, eperm},
		{"arm64: clone with a new user namespace refused", "arm64", false, auditArchAArch64, 220, newUser, eperm},
		{"arm64: amd64's keyctl number runs", "arm64", false, auditArchAArch64, 250, 0, allow},
		{"arm64: no x32 check", "arm64", false, auditArchAArch64, x32SyscallBit | 39, 0, allow},
		{"arm64: arm32 ABI is ENOSYS", "arm64", false, arm32, 20, 0, enosys},
		{"arm64: amd64 ABI is ENOSYS", "arm64", false, auditArchX86_64, 39, 0, enosys},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vmFor(t, tc.goarch, tc.traced).Run(seccompData(tc.arch, tc.nr, tc.arg0))
			if err != nil {
				t.Fatal(err)
			}
			if uint32(got) != tc.want {
				t.Errorf("filter returns %#x, want %#x", uint32(got), tc.want)
			}
		})
	}
}

// TestSeccompEveryRule: every rule's call is refused with its errno on both architectures,
// whatever arguments it has, except the flag-conditioned ones, which need their flags.
func TestSeccompEveryRule(t *testing.T) {
	for _, goarch := range []string{"amd64", "arm64"} {
		vm := vmFor(t, goarch, false)
		arch := seccompArches[goarch]
		for _, r := range SeccompRules {
			nr := arch.nr(r)
			if nr < 0 {
				continue
			}
			got, err := vm.Run(seccompData(arch.audit, int32(nr), uint64(r.FlagsMask)))
			if err != nil {
				t.Fatal(err)
			}
			if want := seccompRetErrno | uint32(r.Errno); uint32(got) != want {
				t.Errorf("%s %s: %#x, want %#x", goarch, r.Name, uint32(got), want)
			}
		}
	}
}

func TestSeccompUnknownArch(t *testing.T) {
	if _, err := SeccompFilter("riscv64", false); err == nil || !strings.Contains(err.Error(), "riscv64") {
		t.Errorf("riscv64: %v, want a clear refusal", err)
	}
	if _, _, err := SeccompStraceArgs("386"); err == nil {
		t.Errorf("386: no error")
	}
}

func TestSeccompStraceArgs(t *testing.T) {
	names, inject, err := SeccompStraceArgs("amd64")
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"?keyctl", "?mount", "?unshare", "?clone", "?iopl"} {
		if !slices.Contains(names, n) {
			t.Errorf("traced names lack %s: %v", n, names)
		}
	}
	if len(inject) != 4 || inject[0] != "-e" || inject[2] != "-e" {
		t.Fatalf("inject args %q", inject)
	}
	eperm, enosys := inject[1], inject[3]
	if !strings.HasPrefix(eperm, "inject=?keyctl,") || !strings.HasSuffix(eperm, ":error=EPERM") {
		t.Errorf("EPERM injection %q", eperm)
	}
	if d := cmp.Diff("inject=?clone3:error=ENOSYS", enosys); d != "" {
		t.Errorf("ENOSYS injection (-want +got)\n%s", d)
	}
	// Calls bwrap makes itself, and clone's flag condition, are never injected.
	injected := strings.Split(strings.TrimSuffix(strings.TrimPrefix(eperm, "inject="), ":error=EPERM"), ",")
	for _, n := range []string{"?mount", "?umount2", "?pivot_root", "?unshare", "?clone", "?fsopen"} {
		if slices.Contains(injected, n) {
			t.Errorf("%s is injected: %s", n, eperm)
		}
	}
	if !slices.Contains(injected, "?setns") || !slices.Contains(injected, "?bpf") {
		t.Errorf("setns or bpf not injected: %s", eperm)
	}
	arm, _, err := SeccompStraceArgs("arm64")
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(arm, "?iopl") {
		t.Errorf("arm64 traces iopl, which it does not have")
	}
}
