package cgroup

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseProcCgroup(t *testing.T) {
	in := "9:name=systemd:/\n4:memory:/process_api/abc\n2:cpu,cpuacct:/x\n0::/user.slice/s.scope\n"
	want := map[string]string{"name=systemd": "/", "memory": "/process_api/abc", "cpu": "/x", "cpuacct": "/x", "": "/user.slice/s.scope"}
	if d := cmp.Diff(want, parseProcCgroup(in)); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestRelativeTo(t *testing.T) {
	tests := []struct{ path, root, want string }{
		{"/a/b", "/", "/a/b"},
		{"/a/b", "/a", "/b"},
		{"/a", "/a", "/"},
		{"/c/d", "/a", "/c/d"},
	}
	for _, tc := range tests {
		if got := relativeTo(tc.path, tc.root); got != tc.want {
			t.Errorf("relativeTo(%q, %q) = %q, want %q", tc.path, tc.root, got, tc.want)
		}
	}
}

func TestParseKeyed(t *testing.T) {
	data := "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"
	if v, ok := parseKeyed(data, "oom_kill"); !ok || v != 3 {
		t.Errorf("oom_kill = %d, %v", v, ok)
	}
	if _, ok := parseKeyed(data, "missing"); ok {
		t.Errorf("found a missing key")
	}
}

// exercise puts a sleeping process into g, then kills and removes the group.
func exercise(t *testing.T, g *Group) {
	t.Helper()
	cmd := exec.Command("sleep", "100")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	for _, f := range g.ProcsFiles() {
		if err := os.WriteFile(f, []byte(strconv.Itoa(cmd.Process.Pid)), 0); err != nil {
			cmd.Process.Kill()
			t.Fatal(err)
		}
	}
	pids, err := g.Pids()
	if err != nil || len(pids) != 1 || pids[0] != cmd.Process.Pid {
		t.Errorf("Pids = %v, %v; want [%d]", pids, err, cmd.Process.Pid)
	}
	if err := g.Kill(); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; err == nil || err.Error() != "signal: killed" {
		t.Errorf("sleep ended with %v, want killed", err)
	}
	if _, err := g.Stats(); err != nil {
		t.Error(err)
	}
	dirs := g.Dirs()
	if err := g.Remove(); err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if _, err := os.Stat(d); !os.IsNotExist(err) {
			t.Errorf("%s still exists", d)
		}
	}
}

func TestGroupDetected(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("creating cgroups needs root here")
	}
	l, err := Detect()
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(l, Limits{MemoryBytes: 64 << 20, Pids: 16})
	if err != nil {
		t.Fatal(err)
	}
	if l.Version == V1 {
		got, _ := os.ReadFile(filepath.Join(g.dirs["pids"], "pids.max"))
		if string(got) != "16\n" {
			t.Errorf("pids.max = %q", got)
		}
	}
	exercise(t, g)
}

// TestGroupV2 runs the v2 code (cgroup.kill) on a hybrid machine's unified hierarchy, without
// limits since its controllers live in v1 there.
func TestGroupV2(t *testing.T) {
	const unified = "/sys/fs/cgroup/unified"
	if os.Geteuid() != 0 {
		t.Skip("creating cgroups needs root here")
	}
	if _, err := os.Stat(filepath.Join(unified, "cgroup.controllers")); err != nil {
		t.Skip("no cgroup2 hierarchy at " + unified)
	}
	l, err := V2At(unified)
	if err != nil {
		t.Fatal(err)
	}
	g, err := New(l, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	exercise(t, g)
}
