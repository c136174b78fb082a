package image_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

// miniImage builds a tiny root file system without debootstrap: the host's dash and C library
// copied into a merged-/usr layout, an /etc with a marker and a secret, and a python3.11 library
// directory. It is what the sandbox needs to run /bin/sh on an image, a few MB.
func miniImage(t *testing.T) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "root")
	copyFile := func(src, dst string, mode os.FileMode) {
		t.Helper()
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(root, dst), string(data), mode)
	}
	copyFile("/bin/dash", "usr/bin/sh", 0o755)
	libc, err := filepath.EvalSymlinks("/lib/x86_64-linux-gnu/libc.so.6")
	if err != nil {
		t.Skipf("this test copies the host's x86-64 glibc: %v", err)
	}
	copyFile(libc, "usr/lib/x86_64-linux-gnu/libc.so.6", 0o755)
	copyFile("/lib64/ld-linux-x86-64.so.2", "usr/lib64/ld-linux-x86-64.so.2", 0o755)
	for l, target := range map[string]string{"bin": "usr/bin", "sbin": "usr/bin", "lib": "usr/lib", "lib64": "usr/lib64"} {
		if err := os.Symlink(target, filepath.Join(root, l)); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(root, "etc/os-release"), "PRETTY_NAME=pyti-mini-image\n", 0o644)
	writeFile(t, filepath.Join(root, "etc/passwd"), "root:x:0:0:root:/root:/bin/sh\n", 0o644)
	writeFile(t, filepath.Join(root, "etc/shadow"), "root:image-secret-hash:19000::::::\n", 0o640)
	writeFile(t, filepath.Join(root, "etc/resolv.conf"), "nameserver 127.0.0.1\n", 0o644)
	writeFile(t, filepath.Join(root, "usr/lib/python3.11/os.py"), "# the image's os module\n", 0o644)
	return root
}

func writeFile(t *testing.T, p, data string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func needBwrap(t *testing.T) *bwrap.Backend {
	t.Helper()
	b := bwrap.New()
	if err := b.Check(); err != nil {
		t.Skipf("bwrap backend not usable here: %v", err)
	}
	return b
}

func run(t *testing.T, b sandbox.Backend, img string, argv ...string) *sandbox.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := b.Run(ctx, sandbox.Spec{
		Argv: argv, Image: img, WorkDir: t.TempDir(),
		Limits: sandbox.Limits{Wall: time.Minute, NoOutput: time.Minute, MemoryBytes: 1 << 30, Pids: 128, TmpBytes: 64 << 20},
	})
	if err != nil {
		t.Fatalf("Run(%q): %v", argv, err)
	}
	return res
}

func hashOf(t *testing.T, root string) string {
	t.Helper()
	c, err := image.HashTree(context.Background(), root)
	if err != nil {
		t.Fatal(err)
	}
	return c.Hash
}

// writeAttempts tries to change the image's system directories in every way a package might.
// It prints one line per attempt that succeeded.
const writeAttempts = `
for d in /usr/lib/python3*; do
  echo 'import os; os.system("evil")' > "$d/sitecustomize.py" 2>/dev/null && echo "wrote $d/sitecustomize.py"
  echo 'x' >> "$d/os.py" 2>/dev/null && echo "appended to $d/os.py"
  mkdir "$d/site-packages-evil" 2>/dev/null && echo "made $d/site-packages-evil"
  rm -f "$d/os.py" 2>/dev/null; [ -e "$d/os.py" ] || echo "removed $d/os.py"
done
echo 'evil:x:0:0::/:/bin/sh' >> /etc/passwd 2>/dev/null && echo "appended to /etc/passwd"
echo x > /etc/cron.evil 2>/dev/null && echo "wrote /etc/cron.evil"
echo x > /etc/resolv.conf 2>/dev/null && echo "wrote /etc/resolv.conf"
echo x > /usr/bin/evil 2>/dev/null && echo "wrote /usr/bin/evil"
echo x > /bin/evil2 2>/dev/null && echo "wrote /bin/evil2"
echo done
`

// seen reports what of the writes a later run sees.
const seen = `
for p in /usr/lib/python3*/sitecustomize.py /usr/lib/python3*/site-packages-evil /etc/cron.evil /usr/bin/evil /bin/evil2; do
  [ -e "$p" ] && echo "sees $p"
done
while read -r line; do case "$line" in evil*) echo "sees evil in /etc/passwd";; esac; done < /etc/passwd
echo done
`

// TestImageRunCannotChangeTheImage is the rollback guarantee: a run that writes into the image's
// /usr/lib/python3*/ and /etc leaves the image unchanged (equal hash) and the next run on it does
// not see the writes.
func TestImageRunCannotChangeTheImage(t *testing.T) {
	b := needBwrap(t)
	root := miniImage(t)
	before := hashOf(t, root)

	res := run(t, b, root, "/bin/sh", "-c", writeAttempts)
	if got := strings.TrimSpace(string(res.Stdout)); got != "done" {
		t.Errorf("writes into the image succeeded:\n%s\nstderr: %s", got, res.Stderr)
	}
	if after := hashOf(t, root); after != before {
		t.Errorf("the image changed: hash %s before, %s after", before, after)
	}
	res = run(t, b, root, "/bin/sh", "-c", seen)
	if got := strings.TrimSpace(string(res.Stdout)); got != "done" {
		t.Errorf("the next run sees the first one's writes:\n%s\nstderr: %s", got, res.Stderr)
	}
}

// TestImageRunSeesTheImage checks that the run's system is the image's, not the host's, and
// that the image's secrets are masked as the host's are.
func TestImageRunSeesTheImage(t *testing.T) {
	b := needBwrap(t)
	root := miniImage(t)
	script := `
read -r line < /etc/os-release; echo "$line"
[ -e /usr/bin/python3 ] && echo "host python visible"
[ -e /usr/lib/python3.11/os.py ] && echo "image python lib"
read -r s < /etc/shadow && echo "shadow: $s"
[ -s /etc/shadow ] || echo "shadow masked"
echo "$HOME"
`
	res := run(t, b, root, "/bin/sh", "-c", script)
	want := "PRETTY_NAME=pyti-mini-image\nimage python lib\nshadow masked\n" + sandbox.Home + "\n"
	if d := cmp.Diff(want, string(res.Stdout)); d != "" {
		t.Errorf("stdout (-want +got)\n%s\nstderr: %s\n%s", d, res.Stderr, res.Reason)
	}
	if res.Outcome != sandbox.OutcomeOK {
		t.Errorf("outcome %s (%s)", res.Outcome, res.Reason)
	}
}

func TestImageArgs(t *testing.T) {
	root := miniImage(t)
	runDir := t.TempDir()
	spec := sandbox.Spec{Argv: []string{"/bin/sh"}, Image: root, Limits: sandbox.DefaultLimits()}
	a, err := bwrap.Args(spec, runDir)
	if err != nil {
		t.Fatal(err)
	}
	joined := "\x00" + strings.Join(a, "\x00") + "\x00"
	has := func(args ...string) bool { return strings.Contains(joined, "\x00"+strings.Join(args, "\x00")+"\x00") }
	for _, want := range [][]string{
		{"--ro-bind", filepath.Join(root, "usr"), "/usr"},
		{"--ro-bind", filepath.Join(root, "etc"), "/etc"},
		{"--symlink", "usr/bin", "/bin"},
		{"--symlink", "usr/lib64", "/lib64"},
		{"--ro-bind", filepath.Join(runDir, "empty"), "/etc/shadow"},
		{"--ro-bind", filepath.Join(runDir, "resolv.conf"), "/etc/resolv.conf"},
	} {
		if !has(want...) {
			t.Errorf("args lack %q:\n%q", want, a)
		}
	}
	for _, host := range [][]string{{"--ro-bind", "/usr", "/usr"}, {"--ro-bind", "/etc", "/etc"}} {
		if has(host...) {
			t.Errorf("args bind the host's %s on an image", host[1])
		}
	}
	// The init comes last, started through the host's loader when it is dynamically linked.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	l, err := sandbox.LoaderFor(self)
	if err != nil {
		t.Fatal(err)
	}
	wantTail := append(append([]string{"--"}, l.Prefix...), sandbox.InitPath)
	if d := cmp.Diff(wantTail, a[len(a)-len(wantTail):]); d != "" {
		t.Errorf("command tail (-want +got)\n%s", d)
	}
	for _, bd := range l.Binds {
		if !has("--ro-bind", bd.Src, bd.Dst) {
			t.Errorf("args lack the init's library %s", bd.Dst)
		}
	}

	// Without an image, the host's system as before, and no loader.
	host, err := bwrap.Args(sandbox.Spec{Argv: []string{"/bin/sh"}, Limits: sandbox.DefaultLimits()}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(host, "/usr") || slices.Contains(host, filepath.Join(root, "usr")) {
		t.Errorf("host args do not bind the host's /usr: %q", host)
	}
	if slices.Contains(host, sandbox.InitLibDir+"/libc.so.6") || host[len(host)-2] != "--" {
		t.Errorf("host args start the init through a loader: %q", host[len(host)-4:])
	}
}

func TestLoaderFor(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	l, err := sandbox.LoaderFor(self)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(self)
	if err != nil {
		t.Fatal(err)
	}
	head := make([]byte, 1<<16)
	n, _ := io.ReadFull(f, head)
	f.Close()
	dynamic := strings.Contains(string(head[:n]), "ld-linux")
	if dynamic != (len(l.Prefix) > 0) {
		t.Fatalf("binary dynamic=%v but loader prefix %q", dynamic, l.Prefix)
	}
	if !dynamic {
		return
	}
	var dsts []string
	for _, b := range l.Binds {
		dsts = append(dsts, b.Dst)
		if fi, err := os.Stat(b.Src); err != nil || !fi.Mode().IsRegular() {
			t.Errorf("bind source %s: %v", b.Src, err)
		}
	}
	if !slices.Contains(dsts, sandbox.InitLibDir+"/libc.so.6") || l.Prefix[0] != dsts[0] {
		t.Errorf("loader binds %q, prefix %q: want the loader first and libc", dsts, l.Prefix)
	}
}

func TestInRoot(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "usr/lib/x/file"), "", 0o644)
	for l, target := range map[string]string{
		"lib": "usr/lib", "etc/abs": "/usr/lib", "etc/up": "../../../../usr/lib", "etc/loop": "loop", "etc/dangling": "/nowhere/x", "etc/dangling2": "/usr/lib/nothing",
	} {
		writeFile(t, filepath.Join(root, "etc/.keep"), "", 0o644)
		if err := os.Symlink(target, filepath.Join(root, l)); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		in, want string
		err      bool
	}{
		{"/lib/x/file", "usr/lib/x/file", false},
		{"/etc/abs/x", "usr/lib/x", false},
		{"/etc/up/x", "usr/lib/x", false},
		{"/../../etc/abs", "usr/lib", false},
		{"/etc/missing", "etc/missing", false},
		{"/etc/dangling2", "usr/lib/nothing", false},
		{"/etc/dangling", "", true},
		{"/etc/loop", "", true},
		{"/nodir/x", "", true},
		{"relative", "", true},
	}
	for _, tt := range tests {
		got, err := sandbox.InRoot(root, tt.in)
		if (err != nil) != tt.err {
			t.Errorf("InRoot(%q) error %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !tt.err && got != filepath.Join(root, tt.want) {
			t.Errorf("InRoot(%q) = %q, want %q", tt.in, got, filepath.Join(root, tt.want))
		}
	}
}
