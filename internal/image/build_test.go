package image

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeDebootstrap stands in for debootstrap in the tests of Build's own logic (the real one
// downloads ~150 MB, see TestBuildRealImage): it records its arguments and lays out what
// debootstrap leaves behind, including an apt cache and the host's resolv.conf; with fail set it
// dies half-way like a download error.
const fakeDebootstrap = `#!/bin/sh
printf '%s\n' "$@" > "$ARGS_FILE"
root="$4"
mkdir -p "$root/var/lib/dpkg" "$root/usr/share/python-wheels" "$root/var/cache/apt/archives" "$root/etc" "$root/usr/bin" "$root/tmp"
chmod 1777 "$root/tmp"
echo "I: Retrieving InRelease"
for p in a b c; do echo "I: Retrieving $p 1.0"; done
for p in a b c; do echo "I: Unpacking $p..."; done
echo "not a deb" > "$root/var/cache/apt/archives/python3_3.11.2-1_amd64.deb"
if [ -n "$FAIL" ]; then echo "E: Couldn't download packages: python3-pytest" >&2; exit 3; fi
echo "nameserver 10.1.2.3" > "$root/etc/resolv.conf"
echo "#!/bin/sh" > "$root/usr/bin/python3.11"; chmod 755 "$root/usr/bin/python3.11"
ln -s python3.11 "$root/usr/bin/python3"
touch "$root/usr/share/python-wheels/pip-23.0.1-py3-none-any.whl"
cat > "$root/var/lib/dpkg/status" <<EOS
Package: python3.11
Status: install ok installed
Version: 3.11.2-6+deb12u6

Package: gcc
Status: install ok installed
Version: 4:12.2.0-3
EOS
echo "I: Base system installed successfully."
`

func fakeBuilder(t *testing.T, fail bool) (*Builder, *bytes.Buffer, string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("building an image needs root")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "debootstrap")
	if err := os.WriteFile(script, []byte(fakeDebootstrap), 0o755); err != nil {
		t.Fatal(err)
	}
	argsFile := filepath.Join(dir, "args")
	t.Setenv("ARGS_FILE", argsFile)
	if fail {
		t.Setenv("FAIL", "1")
	}
	var progress bytes.Buffer
	b := &Builder{
		Store: NewStore(filepath.Join(dir, "data")), Mirror: "http://mirror.example/debian", Progress: &progress,
		Debootstrap: script, Now: func() time.Time { return time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC) },
	}
	return b, &progress, argsFile
}

func TestBuildWithFakeDebootstrap(t *testing.T) {
	b, progress, argsFile := fakeBuilder(t, false)
	ctx := context.Background()
	m, err := b.Build(ctx, "bw", "bookworm")
	if err != nil {
		t.Fatalf("Build: %v\n%s", err, progress)
	}
	args, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := LookupRelease("bookworm")
	wantArgs := []string{"--variant=minbase", "--include=" + strings.Join(rel.Packages(), ","), "bookworm", filepath.Join(filepath.Dir(strings.Split(string(args), "\n")[3]), rootDir), "http://mirror.example/debian", ""}
	if d := cmp.Diff(wantArgs, strings.Split(string(args), "\n")); d != "" {
		t.Errorf("debootstrap arguments (-want +got)\n%s", d)
	}
	want := &Manifest{
		Version: ManifestVersion, Name: "bw", Release: "bookworm", Python: "3.11.2", Mirror: "http://mirror.example/debian",
		Created: time.Date(2025, 5, 20, 10, 0, 0, 0, time.UTC), Include: rel.Packages(),
		Packages: []Package{{"gcc", "4:12.2.0-3"}, {"python3.11", "3.11.2-6+deb12u6"}},
	}
	if d := cmp.Diff(want, m, cmpIgnoreContent); d != "" {
		t.Errorf("manifest (-want +got)\n%s", d)
	}
	root := b.Store.Root("bw")
	if debs, _ := filepath.Glob(filepath.Join(root, "var/cache/apt/archives/*.deb")); len(debs) != 0 {
		t.Errorf("apt cache not cleaned: %v", debs)
	}
	if data, err := os.ReadFile(filepath.Join(root, "etc/resolv.conf")); err != nil || string(data) != "nameserver 127.0.0.1\n" {
		t.Errorf("resolv.conf = %q, %v; the host's must not stay in the image", data, err)
	}
	for _, p := range []string{"etc/resolv.conf", "usr/bin", "var/lib/dpkg/status", "tmp"} {
		if fi, err := os.Stat(filepath.Join(root, p)); err != nil || fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s: mode %v (%v), want no write permission", p, fi.Mode(), err)
		}
	}
	if fi, err := os.Stat(filepath.Join(root, "tmp")); err == nil && fi.Mode()&os.ModeSticky == 0 {
		t.Errorf("tmp lost its sticky bit: %v", fi.Mode())
	}
	for _, line := range []string{"debootstrap: retrieving packages", "debootstrap: unpacking packages", "debootstrap: I: Base system installed successfully.", "hashing the image"} {
		if !strings.Contains(progress.String(), line+"\n") {
			t.Errorf("progress lacks %q:\n%s", line, progress)
		}
	}
	if strings.Contains(progress.String(), "Retrieving b 1.0") {
		t.Errorf("progress repeats every package line:\n%s", progress)
	}

	list, err := b.Store.List()
	if err != nil || len(list) != 1 || list[0].ID() != m.ID() {
		t.Fatalf("List = %v, %v; want the one image", list, err)
	}
	v, err := b.Store.Verify(ctx, "bw")
	if err != nil || !v.OK() {
		t.Fatalf("Verify = %+v, %v; want ok", v, err)
	}
	if _, err := b.Build(ctx, "bw", "bookworm"); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second Build = %v, want already exists", err)
	}
	// A change behind PYTI's back is found by Verify.
	if err := os.Chmod(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "etc/evil"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if v, err := b.Store.Verify(ctx, "bw"); err != nil || v.OK() {
		t.Errorf("Verify after a change = %+v, %v; want not ok", v.OK(), err)
	}
	if err := b.Store.Remove("bw"); err != nil {
		t.Fatal(err)
	}
	assertEmpty(t, b.Store.Dir)
	if err := b.Store.Remove("bw"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Remove of a removed image = %v, want ErrNotFound", err)
	}
	if _, err := b.Store.Get("bw"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a removed image = %v, want ErrNotFound", err)
	}
}

func TestBuildFailureLeavesNothing(t *testing.T) {
	b, progress, _ := fakeBuilder(t, true)
	_, err := b.Build(context.Background(), "bw", "bookworm")
	if err == nil || !strings.Contains(err.Error(), "Couldn't download packages") {
		t.Fatalf("Build = %v, want the debootstrap failure with its output\n%s", err, progress)
	}
	assertEmpty(t, b.Store.Dir)
	if list, err := b.Store.List(); err != nil || len(list) != 0 {
		t.Errorf("List = %v, %v; want nothing", list, err)
	}
}

func TestBuildRefusesBadInput(t *testing.T) {
	b, _, _ := fakeBuilder(t, false)
	for _, tc := range [][2]string{{"../x", "bookworm"}, {"ok", "sid"}} {
		if _, err := b.Build(context.Background(), tc[0], tc[1]); err == nil {
			t.Errorf("Build(%q, %q) succeeded", tc[0], tc[1])
		}
	}
	assertEmpty(t, b.Store.Dir)
}

func assertEmpty(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	if len(names) != 0 {
		t.Errorf("%s holds %v, want nothing", dir, names)
	}
}

var cmpIgnoreContent = cmp.FilterPath(func(p cmp.Path) bool { return p.String() == "Content" }, cmp.Ignore())
