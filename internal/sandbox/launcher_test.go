package sandbox

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// TestLauncherFiles checks the launcher's descriptors: every fixed one holds the placeholder,
// whatever the number of extra files, so that no descriptor of the launcher's own runtime can
// be there when it places its sockets.
func TestLauncherFiles(t *testing.T) {
	// Files by name alone: their descriptors are never used, and no process is started.
	n := uintptr(1 << 20)
	named := func(name string) *os.File { n++; return os.NewFile(n, name) }
	trace, rep, null := named("trace"), named("report"), named("null")
	tests := []struct {
		name  string
		extra []string
		want  map[int]string
	}{
		{"no extra files", nil, map[int]string{3: "trace", 4: "report", 10: "null", 11: "null", 12: "null", 13: "null", 14: "null"}},
		{"one", []string{"seccomp"}, map[int]string{3: "trace", 4: "report", 5: "seccomp", 10: "null", 11: "null", 12: "null", 13: "null", 14: "null"}},
		{"as many as fit", []string{"seccomp", "over0", "over1", "over2", "over3"}, map[int]string{
			3: "trace", 4: "report", 5: "seccomp", 6: "over0", 7: "over1", 8: "over2", 9: "over3",
			10: "null", 11: "null", 12: "null", 13: "null", 14: "null"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var extra []*os.File
			for _, n := range tt.extra {
				extra = append(extra, named(n))
			}
			got := map[int]string{}
			for i, f := range launcherFiles(trace, rep, null, extra) {
				if f != nil {
					got[3+i] = f.Name()
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("descriptors (-want +got)\n%s", d)
			}
		})
	}
}

// TestCheckPlaceholder: the launcher accepts /dev/null at a fixed descriptor and refuses
// anything else there, the Go runtime's epoll included.
func TestCheckPlaceholder(t *testing.T) {
	null, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer null.Close()
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ep)
	f, err := os.CreateTemp(t.TempDir(), "file")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	closed, err := unix.Dup(int(null.Fd()))
	if err != nil {
		t.Fatal(err)
	}
	unix.Close(closed)
	tests := []struct {
		name string
		fd   int
		ok   bool
	}{
		{"dev null", int(null.Fd()), true},
		{"an epoll", ep, false},
		{"a regular file", int(f.Fd()), false},
		{"a closed descriptor", closed, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := checkPlaceholder(tt.fd); (err == nil) != tt.ok {
				t.Errorf("checkPlaceholder: %v, want ok %v", err, tt.ok)
			}
		})
	}
}
