package sandbox

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestMountsUnder(t *testing.T) {
	info := `22 1 8:1 / / rw - ext4 /dev/sda1 rw
30 22 0:5 / /img/.build-x/root/proc rw - proc proc rw
31 22 0:6 / /img/.build-x/root/sys rw - sysfs sysfs rw
32 31 0:7 / /img/.build-x/root/sys/fs/cgroup rw - cgroup2 cgroup rw
33 22 0:8 / /img/.build-x2/root/proc rw - proc proc rw
34 22 0:9 / /img/.build-x/with\040space rw - tmpfs tmpfs rw
35 22 0:9 / /img/.build-x rw - tmpfs tmpfs rw
`
	got := MountsUnder(info, "/img/.build-x")
	want := []string{"/img/.build-x/root/sys/fs/cgroup", "/img/.build-x/with space", "/img/.build-x/root/proc", "/img/.build-x/root/sys", "/img/.build-x"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mounts (-want +got)\n%s", d)
	}
	if got := unescapeMount(`/a\040b\134c`); got != `/a b\c` {
		t.Errorf("unescape = %q", got)
	}
}

func isMounted(t *testing.T, dir string) bool {
	t.Helper()
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range MountsUnder(string(info), dir) {
		if m == dir {
			return true
		}
	}
	return false
}

// TestReclaimWorkspaces: a workspace whose owner died (kill -9) is detached; a live one, and a
// tmpfs that is not a workspace of PYTI's, stay.
func TestReclaimWorkspaces(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("workspaces are tmpfs mounts only as root")
	}
	root := t.TempDir()
	mk := func(name string) *Workspace {
		if err := os.MkdirAll(filepath.Join(root, name), 0o755); err != nil {
			t.Fatal(err)
		}
		w, err := NewWorkspace(filepath.Join(root, name, "work"), 1<<20)
		if err != nil || !w.Tmpfs {
			t.Fatalf("workspace: %v %+v", err, w)
		}
		return w
	}
	live := mk("live")
	defer live.Close()
	dead := mk("dead")
	// The owner of "dead" is a process that has exited.
	cmd := exec.Command("/bin/true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	start, err := startTime(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "dead", ownerFile), []byte(strings.Join([]string{itoa(cmd.Process.Pid), start}, " ")), 0o644); err != nil {
		t.Fatal(err)
	}
	foreign := filepath.Join(root, "foreign", "work")
	if err := os.MkdirAll(foreign, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := mountTmpfs(foreign); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	defer unmount(foreign)

	got, err := ReclaimWorkspaces(root)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{dead.Dir}, got); d != "" {
		t.Errorf("reclaimed (-want +got)\n%s", d)
	}
	for dir, want := range map[string]bool{live.Dir: true, dead.Dir: false, foreign: true} {
		if isMounted(t, dir) != want {
			t.Errorf("%s mounted = %v, want %v", dir, !want, want)
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func mountTmpfs(dir string) error { return unix.Mount("tmpfs", dir, "tmpfs", 0, "size=1m") }

func unmount(dir string) { _ = unix.Unmount(dir, unix.MNT_DETACH) }
