package debwheel

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const fakeStatus = `Package: python3-demo
Status: install ok installed
Architecture: all
Version: 1.0-1
Depends: python3:any, python3-dep (>= 1) | python3-other,
 python3-nodist
Description: demo

Package: python3-dep
Status: install ok installed
Architecture: all
Version: 3.0-1

Package: python3-other
Status: install ok installed
Architecture: all
Version: 1

Package: python3-nodist
Status: install ok installed
Architecture: all
Version: 1

Package: python3-gone
Status: deinstall ok config-files
Architecture: all
Version: 1

Package: python3-ext
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Version: 2.0-1
`

// fakeRoot makes a small Debian root file system whose packages try to lead outside it.
func fakeRoot(t *testing.T) (root, outside string) {
	t.Helper()
	base := t.TempDir()
	root = filepath.Join(base, "root")
	outside = filepath.Join(base, "outside.txt")
	dp := "usr/lib/python3/dist-packages/"
	files := map[string]string{
		"var/lib/dpkg/status":                            fakeStatus,
		dp + "demo/__init__.py":                          "print('demo')\n",
		dp + "demo/__pycache__/__init__.cpython-313.pyc": "bytecode",
		dp + "demo-1.0.dist-info/METADATA":               "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\nRequires-Dist: dep\n",
		dp + "demo-1.0.dist-info/entry_points.txt":       "[console_scripts]\ndemo = demo:main\n",
		dp + "demo-1.0.dist-info/INSTALLER":              "debian\n",
		"etc/secret":                                     "inside the root\n",
		"etc/secret2":                                    "also inside\n",
		"usr/share/demo/html/a.html":                     "<p>a</p>\n",
		"usr/share/demo/html/sub/b.css":                  "p {}\n",
		dp + "dep/__init__.py":                           "",
		dp + "dep-3.0.egg-info/PKG-INFO":                 "Metadata-Version: 2.1\nName: dep\nVersion: 3.0\n",
		dp + "ext/__init__.py":                           "",
		dp + "ext/_x.cpython-313-x86_64-linux-gnu.so":    "\x7fELF",
		dp + "ext-2.0.dist-info/METADATA":                "Metadata-Version: 2.1\nName: ext\nVersion: 2.0\n",
		"usr/bin/python3.13":                             "",
		"usr/share/doc/python3-nodist/copyright":         "",
	}
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(outside, []byte("HOST FILE, MUST NOT BE READ\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		dp + "demo/secret": "/etc/secret",                               // absolute: inside the root
		dp + "demo/up":     "../../../../../../../../../../etc/secret2", // ".." stops at the root
		dp + "demo/abs":    outside,                                     // the host's path does not exist in the root
		dp + "demo/html":   "/usr/share/demo/html",                      // a directory
		"usr/bin/python3":  "python3.13",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	lists := map[string][]string{
		"python3-demo": {"/.", "/usr", "/usr/lib/python3/dist-packages", "/" + dp + "demo", "/" + dp + "demo/__init__.py",
			"/" + dp + "demo/__pycache__/__init__.cpython-313.pyc", "/" + dp + "demo/secret", "/" + dp + "demo/up",
			"/" + dp + "demo/abs", "/" + dp + "demo/html", "/" + dp + "demo/../../../../../etc/passwd",
			"/" + dp + "demo-1.0.dist-info", "/" + dp + "demo-1.0.dist-info/METADATA",
			"/" + dp + "demo-1.0.dist-info/entry_points.txt", "/" + dp + "demo-1.0.dist-info/INSTALLER"},
		"python3-dep":       {"/" + dp + "dep/__init__.py", "/" + dp + "dep-3.0.egg-info/PKG-INFO"},
		"python3-nodist":    {"/usr/share/doc/python3-nodist/copyright"},
		"python3-other":     {"/usr/share/doc/python3-other"},
		"python3-ext:amd64": {"/" + dp + "ext/__init__.py", "/" + dp + "ext/_x.cpython-313-x86_64-linux-gnu.so", "/" + dp + "ext-2.0.dist-info/METADATA"},
	}
	for name, lines := range lists {
		p := filepath.Join(root, "var/lib/dpkg/info", name+".list")
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

// wheelMembers reads a wheel and checks its RECORD against its members.
func wheelMembers(t *testing.T, path string) map[string]string {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	out := map[string]string{}
	var record string
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name] = string(b)
		if strings.HasSuffix(f.Name, ".dist-info/RECORD") {
			record = string(b)
		}
	}
	rows, err := csv.NewReader(strings.NewReader(record)).ReadAll()
	if err != nil {
		t.Fatalf("RECORD: %v", err)
	}
	if len(rows) != len(out) {
		t.Errorf("RECORD has %d rows for %d members", len(rows), len(out))
	}
	for _, r := range rows {
		if r[1] == "" {
			continue
		}
		sum := sha256.Sum256([]byte(out[r[0]]))
		if want := "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]); r[1] != want || r[2] != fmt.Sprint(len(out[r[0]])) {
			t.Errorf("RECORD row %q does not match the member", r)
		}
	}
	return out
}

func TestDependencies(t *testing.T) {
	root, _ := fakeRoot(t)
	got, err := Dependencies(root, []string{"python3-demo", "python3-missing"})
	if err != nil {
		t.Fatal(err)
	}
	// python3-dep is the first installed alternative; python3-nodist ships no distribution and
	// python3 is not a python3-* package; python3-other is not chosen.
	if d := cmp.Diff([]string{"python3-demo", "python3-missing", "python3-dep"}, got); d != "" {
		t.Errorf("Dependencies (-want +got):\n%s", d)
	}
}

func TestBuildFromStaysInsideTheRoot(t *testing.T) {
	root, _ := fakeRoot(t)
	out := t.TempDir()
	res, err := BuildFrom(context.Background(), root, out, []string{"python3-demo", "python3-gone", "python3-ext", "python3-dep"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range res.Wheels {
		names = append(names, filepath.Base(w))
	}
	want := &Result{Wheels: []string{"demo-1.0-py3-none-any.whl", "ext-2.0-cp313-cp313-linux_x86_64.whl", "dep-3.0-py3-none-any.whl"}, Missing: []string{"python3-gone"}}
	if d := cmp.Diff(want, &Result{Wheels: names, Missing: res.Missing, Kept: res.Kept}); d != "" {
		t.Errorf("result (-want +got):\n%s", d)
	}
	members := wheelMembers(t, filepath.Join(out, "demo-1.0-py3-none-any.whl"))
	var got []string
	for n := range members {
		got = append(got, n)
	}
	sort.Strings(got)
	wantNames := []string{"demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/RECORD", "demo-1.0.dist-info/WHEEL",
		"demo-1.0.dist-info/entry_points.txt", "demo/__init__.py", "demo/html/a.html", "demo/html/sub/b.css", "demo/secret", "demo/up"}
	if d := cmp.Diff(wantNames, got); d != "" {
		t.Errorf("members (-want +got):\n%s", d)
	}
	for name, content := range map[string]string{"demo/secret": "inside the root\n", "demo/up": "also inside\n", "demo/html/sub/b.css": "p {}\n"} {
		if members[name] != content {
			t.Errorf("%s = %q, want %q (read from inside the root)", name, members[name], content)
		}
	}
	for name, content := range members {
		if strings.Contains(content, "HOST FILE") || strings.Contains(content, "root:") {
			t.Errorf("%s holds a file from outside the root", name)
		}
	}
	wheel := members["demo-1.0.dist-info/WHEEL"]
	if !strings.Contains(wheel, "Tag: py3-none-any\n") || !strings.Contains(wheel, "python3-demo 1.0-1") {
		t.Errorf("WHEEL:\n%s", wheel)
	}
	ext := wheelMembers(t, filepath.Join(out, "ext-2.0-cp313-cp313-linux_x86_64.whl"))
	if !strings.Contains(ext["ext-2.0.dist-info/WHEEL"], "Root-Is-Purelib: false\nTag: cp313-cp313-linux_x86_64\n") {
		t.Errorf("ext WHEEL:\n%s", ext["ext-2.0.dist-info/WHEEL"])
	}
	if dep := wheelMembers(t, filepath.Join(out, "dep-3.0-py3-none-any.whl")); !strings.Contains(dep["dep-3.0.dist-info/METADATA"], "Name: dep\n") {
		t.Errorf("dep METADATA from PKG-INFO: %q", dep["dep-3.0.dist-info/METADATA"])
	}
	if _, err := buildFrom(context.Background(), root, t.TempDir(), []string{"python3-demo", "python3-gone"}, false); err == nil || !strings.Contains(err.Error(), "python3-gone") {
		t.Errorf("strict build with a package not installed: %v", err)
	}
}

func TestBuildFromNeverReplacesAWheel(t *testing.T) {
	root, _ := fakeRoot(t)
	out := t.TempDir()
	ctx := context.Background()
	first, err := BuildFrom(ctx, root, out, []string{"python3-demo"})
	if err != nil {
		t.Fatal(err)
	}
	path := first.Wheels[0]
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := BuildFrom(ctx, root, out, []string{"python3-demo"})
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Kept) != 0 {
		t.Errorf("the same build again reports kept wheels: %v", again.Kept)
	}
	// Same name and version, other content: the first file stays.
	if err := os.WriteFile(filepath.Join(root, "usr/lib/python3/dist-packages/demo/__init__.py"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	third, err := BuildFrom(ctx, root, out, []string{"python3-demo"})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{path}, third.Kept); d != "" {
		t.Errorf("kept (-want +got):\n%s", d)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("the existing wheel was overwritten")
	}
	left, _ := filepath.Glob(filepath.Join(out, ".debwheel-*"))
	if len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}
