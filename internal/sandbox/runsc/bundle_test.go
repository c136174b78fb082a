package runsc

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/sandbox"
)

func testSpec(t *testing.T) sandbox.Spec {
	t.Helper()
	return sandbox.Spec{
		Argv:     []string{"/bin/true"},
		WorkDir:  t.TempDir(),
		ReadOnly: []sandbox.Bind{{Src: t.TempDir(), Dst: "/wheelhouse"}},
		Limits:   sandbox.Limits{TmpBytes: 1 << 20, Pids: 77}.WithDefaults(),
	}
}

func TestConfig(t *testing.T) {
	runDir := t.TempDir()
	spec := testSpec(t)
	cfg, err := Config(spec, runDir, "/usr/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	mounts := map[string]ociMount{}
	for _, m := range cfg.Mounts {
		mounts[m.Destination] = m
	}
	type mountSummary struct{ Type, Source, Options string }
	sum := func(dst string) mountSummary {
		m := mounts[dst]
		src := m.Source
		if strings.HasPrefix(src, runDir) {
			src = "RUN" + strings.TrimPrefix(src, runDir)
		}
		return mountSummary{m.Type, src, strings.Join(m.Options, ",")}
	}
	got := map[string]mountSummary{}
	for _, dst := range []string{"/usr", "/etc", "/etc/shadow", "/etc/ssl/private", "/tmp", sandbox.Home, sandbox.InitPath, chanPath, "/wheelhouse", sandbox.WorkPath, "/sys"} {
		got[dst] = sum(dst)
	}
	want := map[string]mountSummary{
		"/usr":             {"bind", "/usr", "rbind,ro"},
		"/etc":             {"bind", "/etc", "rbind,ro"},
		"/etc/shadow":      {"bind", "RUN/empty", "rbind,ro"},
		"/etc/ssl/private": {"tmpfs", "tmpfs", "ro,size=4096,mode=755"},
		"/tmp":             {"tmpfs", "tmpfs", "nosuid,nodev,size=1048576,mode=1777"},
		sandbox.Home:       {"tmpfs", "tmpfs", "nosuid,nodev,size=1048576,mode=700,uid=1000,gid=1000"},
		sandbox.InitPath:   {"bind", "/usr/bin/true", "rbind,ro"},
		chanPath:           {"bind", "RUN/chan", "rbind,ro"},
		"/wheelhouse":      {"bind", spec.ReadOnly[0].Src, "rbind,ro"},
		sandbox.WorkPath:   {"bind", spec.WorkDir, "rbind,rw"},
		"/sys":             {"tmpfs", "tmpfs", "ro,size=4096,mode=555"},
	}
	for _, d := range []string{"/etc/shadow", "/etc/ssl/private"} {
		if _, err := os.Stat(d); err != nil {
			delete(want, d) // not on this machine: nothing to mask
			delete(got, d)
		}
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mounts (-want +got)\n%s", d)
	}
	// The mounts of a directory come before the mounts inside it.
	for i, m := range cfg.Mounts {
		for _, later := range cfg.Mounts[i+1:] {
			if strings.HasPrefix(m.Destination, later.Destination+"/") {
				t.Errorf("%s is mounted before its parent %s", m.Destination, later.Destination)
			}
		}
	}
	p := cfg.Process
	if p.User != (ociUser{UID: sandbox.SandboxUID, GID: sandbox.SandboxGID}) || !p.NoNewPrivileges ||
		len(p.Capabilities.Bounding)+len(p.Capabilities.Permitted)+len(p.Capabilities.Effective)+len(p.Capabilities.Ambient)+len(p.Capabilities.Inheritable) != 0 {
		t.Errorf("process %+v", p)
	}
	if d := cmp.Diff([]string{sandbox.InitPath}, p.Args); d != "" {
		t.Errorf("args (-want +got)\n%s", d)
	}
	if !cfg.Root.Readonly {
		t.Errorf("root is writable")
	}
	// The guest stage gets the process limit and the init's own configuration.
	var guest guestConfig
	if err := decodeEnv(p.Env, &guest); err != nil {
		t.Fatal(err)
	}
	if guest.Pids != 77 || !guest.DNS || guest.ReportSocket != chanPath+"/"+reportSockName || guest.InitPath != sandbox.InitPath || len(guest.InitEnv) != 2 {
		t.Errorf("guest config %+v", guest)
	}
}

func TestSeccompRules(t *testing.T) {
	sc := seccomp()
	denied := map[string]bool{}
	for _, r := range sc.Syscalls {
		for _, n := range r.Names {
			if r.Action != "SCMP_ACT_ERRNO" {
				t.Errorf("%s: action %s", n, r.Action)
			}
			denied[n] = true
		}
	}
	for _, n := range []string{"unshare", "clone", "setns", "bpf", "userfaultfd", "keyctl", "perf_event_open", "kill", "tkill", "tgkill"} {
		if !denied[n] {
			t.Errorf("no rule for %s", n)
		}
	}
	if sc.DefaultAction != "SCMP_ACT_ALLOW" {
		t.Errorf("default action %s", sc.DefaultAction)
	}
}

func TestWriteBundle(t *testing.T) {
	runDir := t.TempDir()
	spec := testSpec(t)
	cfg, err := Config(spec, runDir, "/usr/bin/true")
	if err != nil {
		t.Fatal(err)
	}
	if err := writeBundle(runDir, cfg); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(runDir, bundleDirName, rootfsName)
	for _, p := range []string{"tmp", "home/pyti", "work", "wheelhouse", ".pyti/chan", "proc", "dev", "sys"} {
		if fi, err := os.Stat(filepath.Join(root, p)); err != nil || !fi.IsDir() {
			t.Errorf("mount point %s: %v", p, err)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, ".pyti/init")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("init mount point: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "etc/shadow")); err == nil {
		t.Errorf("a mount point was made inside a bound host directory")
	}
	for _, d := range systemDirs {
		if fi, err := os.Lstat(d); err == nil && fi.Mode()&os.ModeSymlink != 0 {
			want, _ := os.Readlink(d)
			if got, err := os.Readlink(filepath.Join(root, d)); err != nil || got != want {
				t.Errorf("symlink %s: %q, %v; want %q", d, got, err, want)
			}
		}
	}
	if fi, err := os.Stat(filepath.Join(runDir, debugFIFOName)); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("debug log fifo: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(runDir, bundleDirName, "config.json"))
	if err != nil {
		t.Fatal(err)
	}
	var back ociSpec
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(*cfg, back); d != "" {
		t.Errorf("config.json (-want +got)\n%s", d)
	}
}

func TestOwnTree(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "a/b"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a/b/f"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	outside := filepath.Join(t.TempDir(), "outside")
	if err := os.WriteFile(outside, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		t.Skip("chown needs root")
	}
	if err := ownTree(dir); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"", "a", "a/b", "a/b/f", "link"} {
		var st = lstatOwner(t, filepath.Join(dir, p))
		if st != [2]uint32{sandbox.SandboxUID, sandbox.SandboxGID} {
			t.Errorf("%s owned by %v", p, st)
		}
	}
	if st := lstatOwner(t, outside); st != [2]uint32{0, 0} {
		t.Errorf("the symlink was followed: %s owned by %v", outside, st)
	}
}

// TestOwnEntryVanished: an entry that a task beside the sandbox removed between the listing and
// the chown is skipped, not an infrastructure failure.
func TestOwnEntryVanished(t *testing.T) {
	for _, tc := range []struct {
		name string
		make func(p string) error
	}{
		{"file", func(p string) error { return os.WriteFile(p, []byte("x"), 0o644) }},
		{"directory", func(p string) error { return os.Mkdir(p, 0o755) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "gone")
			if err := tc.make(p); err != nil {
				t.Fatal(err)
			}
			entries, err := os.ReadDir(dir)
			if err != nil || len(entries) != 1 {
				t.Fatalf("ReadDir: %v %v", entries, err)
			}
			if err := os.RemoveAll(p); err != nil {
				t.Fatal(err)
			}
			if err := ownEntry(p, entries[0]); err != nil {
				t.Errorf("ownEntry of a vanished %s: %v", tc.name, err)
			}
		})
	}
}

func TestTraceSyscalls(t *testing.T) {
	names := strings.Split(TraceSyscalls(), ",")
	for _, n := range names {
		if strings.HasPrefix(n, "%") || unknownToGVisor[n] || n == "" {
			t.Errorf("bad name %q", n)
		}
	}
	for _, want := range []string{"openat", "execve", "connect", "clone", "vfork", "unlink", "rename", "sendto", "ioctl", "memfd_create"} {
		if !slices.Contains(names, want) {
			t.Errorf("%s not traced", want)
		}
	}
}

// decodeEnv decodes the stage configuration carried by env.
func decodeEnv(env []string, v any) error {
	for _, kv := range env {
		if val, ok := strings.CutPrefix(kv, envConfig+"="); ok {
			b, err := base64.StdEncoding.DecodeString(val)
			if err != nil {
				return err
			}
			return json.Unmarshal(b, v)
		}
	}
	return errors.New("no stage configuration in the environment")
}

func lstatOwner(t *testing.T, p string) [2]uint32 {
	t.Helper()
	fi, err := os.Lstat(p)
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	return [2]uint32{st.Uid, st.Gid}
}

// TestConfigLimits checks that Config reads the limits as given: Run is the one place that
// applies their defaults (sandbox.Backend), so Config refuses incomplete limits.
func TestConfigLimits(t *testing.T) {
	noTmp := sandbox.DefaultLimits()
	noTmp.TmpBytes = 0
	tests := []struct {
		name    string
		limits  sandbox.Limits
		wantErr string
		wantTmp string // the /tmp mount's size option
	}{
		{name: "zero limits are refused, not defaulted", limits: sandbox.Limits{},
			wantErr: "runsc: sandbox infrastructure failure: limits not complete (no default applied): wall, no_output, memory_bytes, pids, file_size_bytes, open_files, tmp_bytes, output_bytes, trace_bytes"},
		{name: "one missing field is refused", limits: noTmp,
			wantErr: "runsc: sandbox infrastructure failure: limits not complete (no default applied): tmp_bytes"},
		{name: "complete limits are used as given", limits: sandbox.Limits{TmpBytes: 1 << 20}.WithDefaults(), wantTmp: "size=1048576"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			spec := testSpec(t)
			spec.Limits = tc.limits
			cfg, err := Config(spec, t.TempDir(), "/usr/bin/true")
			if tc.wantErr != "" {
				if err == nil {
					t.Fatal("no error for incomplete limits")
				}
				if d := cmp.Diff(tc.wantErr, err.Error()); d != "" {
					t.Errorf("error (-want +got)\n%s", d)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, m := range cfg.Mounts {
				if m.Destination == "/tmp" {
					for _, o := range m.Options {
						if strings.HasPrefix(o, "size=") {
							got = o
						}
					}
				}
			}
			if d := cmp.Diff(tc.wantTmp, got); d != "" {
				t.Errorf("/tmp size (-want +got)\n%s", d)
			}
		})
	}
}
