package sandbox

import (
	"encoding/binary"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/bpf"
	"golang.org/x/sys/unix"
)

func TestIoctlWatchProgram(t *testing.T) {
	const (
		allow  = seccompRetAllow
		notify = unix.SECCOMP_RET_USER_NOTIF
	)
	tests := []struct {
		name   string
		goarch string
		arch   uint32
		nr     int32
		req    uint64
		want   uint32
	}{
		{"another call", "amd64", auditArchX86_64, 0, unix.TIOCSTI, allow},
		{"TCGETS", "amd64", auditArchX86_64, 16, unix.TCGETS, allow},
		{"FIONBIO", "amd64", auditArchX86_64, 16, 0x5421, allow},
		{"TIOCSTI", "amd64", auditArchX86_64, 16, unix.TIOCSTI, notify},
		{"TIOCSTI with high bits the kernel ignores", "amd64", auditArchX86_64, 16, 1<<32 | unix.TIOCSTI, notify},
		{"TCGETS with high bits", "amd64", auditArchX86_64, 16, 1<<40 | unix.TCGETS, allow},
		{"an unknown request", "amd64", auditArchX86_64, 16, 0xdeadbeef, notify},
		{"the init's own listener", "amd64", auditArchX86_64, 16, unix.SECCOMP_IOCTL_NOTIF_RECV, allow},
		{"i386 is the other filter's", "amd64", 0x40000003, 54, unix.TIOCSTI, allow},
		{"arm64 TIOCSTI", "arm64", auditArchAArch64, 29, unix.TIOCSTI, notify},
		{"arm64 TCGETS", "arm64", auditArchAArch64, 29, unix.TCGETS, allow},
		{"arm64 number 16 is another call", "arm64", auditArchAArch64, 16, unix.TIOCSTI, allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			prog, err := ioctlWatchProgram(tc.goarch)
			if err != nil {
				t.Fatal(err)
			}
			vm, err := bpf.NewVM(prog)
			if err != nil {
				t.Fatal(err)
			}
			// The VM's loads are big-endian: write each 32-bit field so that they see what the
			// kernel's native loads see (see seccompData).
			b := make([]byte, seccompDataBytes)
			binary.BigEndian.PutUint32(b[seccompDataNr:], uint32(tc.nr))
			binary.BigEndian.PutUint32(b[seccompDataArch:], tc.arch)
			binary.BigEndian.PutUint32(b[seccompDataArg1:], uint32(tc.req))
			binary.BigEndian.PutUint32(b[seccompDataArg1+4:], uint32(tc.req>>32))
			got, err := vm.Run(b)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, uint32(got)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestKernelAtLeast(t *testing.T) {
	tests := []struct {
		release string
		want    bool
	}{
		{"6.1.0-18-amd64", true},
		{"5.5.0", true},
		{"5.4.0-150-generic", false},
		{"5.10", true},
		{"5.15-rc1", true},
		{"5.4-rc7", false},
		{"4.19.0", false},
		{"6.18.44-fc-v1272", true},
		{"garbage", false},
	}
	for _, tc := range tests {
		if d := cmp.Diff(tc.want, kernelAtLeast(tc.release, 5, 5)); d != "" {
			t.Errorf("kernelAtLeast(%q, 5, 5) (-want +got)\n%s", tc.release, d)
		}
	}
}
