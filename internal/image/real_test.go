package image_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/image"
)

// TestBuildRealImage builds a real bookworm image with debootstrap from the machine's Debian
// mirror and runs on it. It downloads ~150 MB and takes minutes, so it only runs with
// PYTI_TEST_IMAGES=1. With PYTI_TEST_IMAGE_DATA_DIR set, the image is built there once and
// reused (and kept) by later runs, e.g. between the steps of one CI run.
func TestBuildRealImage(t *testing.T) {
	if os.Getenv("PYTI_TEST_IMAGES") != "1" {
		t.Skip("building a real image downloads ~150 MB and takes minutes: set PYTI_TEST_IMAGES=1 to run it")
	}
	if os.Geteuid() != 0 {
		t.Skip("debootstrap needs root")
	}
	b := needBwrap(t)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()

	dataDir, keep := os.Getenv("PYTI_TEST_IMAGE_DATA_DIR"), true
	if dataDir == "" {
		dataDir, keep = t.TempDir(), false
	}
	store := image.NewStore(dataDir)
	const name = "bookworm-test"
	m, err := store.Get(name)
	if err != nil {
		start := time.Now()
		bld := &image.Builder{Store: store, Progress: testWriter{t}}
		if m, err = bld.Build(ctx, name, "bookworm"); err != nil {
			t.Fatal(err)
		}
		t.Logf("built in %s: %d MiB on disk, %d files, %s", time.Since(start).Round(time.Second), m.Content.DiskBytes>>20, m.Content.Files, m.ID())
	}
	if !strings.HasPrefix(m.Python, "3.11.") {
		t.Errorf("bookworm image has Python %q, want 3.11.x", m.Python)
	}
	list, err := store.List()
	if err != nil || len(list) == 0 || list[0].Name != name {
		t.Fatalf("List = %v, %v", list, err)
	}
	v, err := store.Verify(ctx, name)
	if err != nil || !v.OK() {
		t.Fatalf("Verify = %v (%v): manifest %s, actual %s", v.OK(), err, m.ID(), v.Actual.Hash)
	}
	root := store.Root(name)

	// The run sees the image's Python, its pip wheel, venv, headers and the tools.
	res := run(t, b, root, "/usr/bin/python3", "-c", "import sys; print(sys.version)")
	if got := string(res.Stdout); !strings.HasPrefix(got, m.Python+" ") {
		t.Errorf("python3 in the image printed %q (stderr %s), want version %s", got, res.Stderr, m.Python)
	}
	check := `set -e
python3 -m venv /tmp/v
/tmp/v/bin/python -m pip --version
python3 -c 'import pytest, coverage, pycodestyle, pyflakes, pylint, docutils; print("tools ok")'
test -f "$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["include"])')/Python.h" && echo "headers ok"
gcc --version | head -n1
`
	res = run(t, b, root, "/bin/sh", "-c", check)
	for _, want := range []string{"pip ", "tools ok", "headers ok", "gcc"} {
		if !strings.Contains(string(res.Stdout), want) {
			t.Errorf("image check lacks %q:\nstdout: %s\nstderr: %s", want, res.Stdout, res.Stderr)
		}
	}

	// Rollback: writes into the image's system directories fail, the image keeps its hash and
	// the next run sees nothing of them.
	before, err := image.HashTree(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	write := `
import glob, os, sysconfig
done = []
def attempt(what, f):
    try:
        f()
        done.append(what)
    except OSError:
        pass
stdlib = sysconfig.get_paths()["stdlib"]
def append(p):
    with open(p, "a") as fh:
        fh.write("PYTI-ROLLBACK-MARK\n")
# Debian ships sitecustomize.py (a link into /etc/python3.X): overwrite it, then make one.
attempt("sitecustomize", lambda: open(os.path.join(stdlib, "sitecustomize.py"), "w").write("# PYTI-ROLLBACK-MARK\n"))
attempt("new sitecustomize", lambda: open("/usr/lib/python3/dist-packages/sitecustomize.py", "x").write("# PYTI-ROLLBACK-MARK\n"))
attempt("append os.py", lambda: append(os.path.join(stdlib, "os.py")))
attempt("remove os.py", lambda: os.remove(os.path.join(stdlib, "os.py")))
attempt("dist-packages pth", lambda: open("/usr/lib/python3/dist-packages/evil.pth", "w").write("import os\n"))
attempt("mkdir", lambda: os.mkdir(os.path.join(stdlib, "evil")))
attempt("chmod", lambda: os.chmod(os.path.join(stdlib, "os.py"), 0o777))
attempt("passwd", lambda: append("/etc/passwd"))
attempt("etc file", lambda: open("/etc/evil.conf", "w").write("x"))
attempt("usr/local", lambda: open("/usr/local/bin/evil", "w").write("x"))
print("succeeded:", done)
`
	res = run(t, b, root, "/usr/bin/python3", "-c", write)
	if got := strings.TrimSpace(string(res.Stdout)); got != "succeeded: []" {
		t.Errorf("writes into the image: %s\nstderr: %s", got, res.Stderr)
	}
	after, err := image.HashTree(ctx, root)
	if err != nil {
		t.Fatal(err)
	}
	if after.Hash != before.Hash || after.Hash != m.ID() {
		t.Errorf("the image changed: %s before the run, %s after (manifest %s)", before.Hash, after.Hash, m.ID())
	}
	look := `
import os, sysconfig
stdlib = sysconfig.get_paths()["stdlib"]
for p in ["/usr/lib/python3/dist-packages/sitecustomize.py", "/usr/lib/python3/dist-packages/evil.pth", "/etc/evil.conf", os.path.join(stdlib, "evil"), "/usr/local/bin/evil"]:
    if os.path.exists(p):
        print("sees", p)
for p in [os.path.join(stdlib, "sitecustomize.py"), os.path.join(stdlib, "os.py"), "/etc/passwd"]:
    if "PYTI-ROLLBACK-MARK" in open(p).read():
        print("sees the mark in", p)
print("done")
`
	res = run(t, b, root, "/usr/bin/python3", "-c", look)
	if got := strings.TrimSpace(string(res.Stdout)); got != "done" {
		t.Errorf("the next run sees the writes: %s\nstderr: %s", got, res.Stderr)
	}

	if keep {
		return
	}
	if err := store.Remove(name); err != nil {
		t.Fatal(err)
	}
	if list, err := store.List(); err != nil || len(list) != 0 {
		t.Errorf("List after Remove = %v, %v", list, err)
	}
	if ents, _ := os.ReadDir(filepath.Join(dataDir, "images")); len(ents) != 0 {
		t.Errorf("images dir not empty after Remove: %v", ents)
	}
}

// testWriter turns progress lines into test log lines.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
