package detectbench

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWheelBase(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"a/systemdemon-2.9-py3-none-any.tar.gz", "systemdemon-2.9-py3-none-any.whl", true},
		{"x_y-0.3.5-py3-none-any.zip", "x_y-0.3.5-py3-none-any.whl", true},
		{"pkg-1.0-1-cp311-cp311-linux_x86_64.tar.gz", "pkg-1.0-1-cp311-cp311-linux_x86_64.whl", true},
		{"requests-2.31.0.tar.gz", "", false},
		{"ctf-q21-empire-tmp-bw126616-0.0.8.tar.gz", "", false},
		{"mult_flow-1.0.0-py3-none-any.whl", "", false},
	} {
		got, ok := wheelBase(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("wheelBase(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestAsWheelRepacksAStoredWheel(t *testing.T) {
	dir := t.TempDir()
	members := map[string]string{
		"demo/__init__.py":            "VALUE = 1\n",
		"demo-1.0.dist-info/WHEEL":    "Wheel-Version: 1.0\n",
		"demo-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
		"demo-1.0.dist-info/RECORD":   "",
	}
	writeTarGz := func(name string, files map[string]string, evil bool) string {
		var buf bytes.Buffer
		gz := gzip.NewWriter(&buf)
		tw := tar.NewWriter(gz)
		for n, c := range files {
			if err := tw.WriteHeader(&tar.Header{Name: n, Mode: 0o644, Size: int64(len(c)), Typeflag: tar.TypeReg}); err != nil {
				t.Fatal(err)
			}
			tw.Write([]byte(c))
		}
		if evil {
			tw.WriteHeader(&tar.Header{Name: "../../escape.py", Mode: 0o644, Size: 1, Typeflag: tar.TypeReg})
			tw.Write([]byte("x"))
		}
		tw.Close()
		gz.Close()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	src := writeTarGz("demo-1.0-py3-none-any.tar.gz", members, false)
	out := filepath.Join(dir, "out")
	whl, err := asWheel(src, out)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(out, "demo-1.0-py3-none-any.whl"); whl != want {
		t.Fatalf("asWheel = %q, want %q", whl, want)
	}
	zr, err := zip.OpenReader(whl)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	zr.Close()
	want := make([]string, 0, len(members))
	for n := range members {
		want = append(want, n)
	}
	sort.Strings(want)
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("wheel members (-want +got):\n%s", diff)
	}
	first, _ := FileSHA256(whl)
	if _, err := asWheel(src, out); err != nil {
		t.Fatal(err)
	}
	if again, _ := FileSHA256(whl); again != first {
		t.Errorf("repacking twice gave other bytes: the cache key would change")
	}

	// An sdist-like name without a dist-info/WHEEL stays as it is; an escaping member is refused.
	plain := writeTarGz("other-1.0-py3-none-any.tar.gz", map[string]string{"other-1.0/setup.py": "x"}, false)
	if got, err := asWheel(plain, out); got != "" || err != nil {
		t.Errorf("asWheel(no WHEEL) = %q, %v; want it left alone", got, err)
	}
	evil := writeTarGz("evil-1.0-py3-none-any.tar.gz", members, true)
	if got, err := asWheel(evil, out); got != "" || err != nil {
		t.Errorf("asWheel(member leaving the archive) = %q, %v; want it left alone", got, err)
	}

	// A wheel stored under a .tar.gz name (a zip inside) is copied byte for byte.
	named := filepath.Join(dir, "demo-1.0-py3-none-any.tar.gz")
	if err := os.Rename(whl, named); err != nil {
		t.Fatal(err)
	}
	back, err := asWheel(named, filepath.Join(dir, "out2"))
	if err != nil || back == "" {
		t.Fatalf("asWheel(zip named .tar.gz) = %q, %v", back, err)
	}
	if sum, _ := FileSHA256(back); sum != first {
		t.Errorf("a stored zip was not copied as it is")
	}
}
