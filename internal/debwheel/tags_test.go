package debwheel

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// files are payload files with these names.
func files(names ...string) []payloadFile {
	var out []payloadFile
	for _, n := range names {
		out = append(out, payloadFile{name: n})
	}
	return out
}

func TestWheelTags(t *testing.T) {
	tests := []struct {
		name     string
		files    []payloadFile
		arch, py string
		fileTag  string
		tags     []string
		wantErr  bool
	}{
		{name: "pure", files: files("pytest/__init__.py"), arch: "all", py: "13",
			fileTag: "py3-none-any", tags: []string{"py3-none-any"}},
		{name: "bookworm coverage", files: files("coverage/tracer.cpython-311-x86_64-linux-gnu.so", "coverage/x.py"), arch: "amd64", py: "11",
			fileTag: "cp311-cp311-linux_x86_64", tags: []string{"cp311-cp311-linux_x86_64"}},
		{name: "trixie coverage", files: files("coverage/tracer.cpython-313-x86_64-linux-gnu.so"), arch: "amd64", py: "13",
			fileTag: "cp313-cp313-linux_x86_64", tags: []string{"cp313-cp313-linux_x86_64"}},
		{name: "two versions, in version order", files: files("m/a.cpython-39-x86_64-linux-gnu.so", "m/a.cpython-312-x86_64-linux-gnu.so", "m/a.cpython-311-x86_64-linux-gnu.so"), arch: "amd64",
			fileTag: "cp39.cp311.cp312-cp39.cp311.cp312-linux_x86_64",
			tags:    []string{"cp39-cp39-linux_x86_64", "cp311-cp311-linux_x86_64", "cp312-cp312-linux_x86_64"}},
		{name: "mypyc helper at the top", files: files("5703180c3dd46e872cf3__mypyc.cpython-313-x86_64-linux-gnu.so"), arch: "amd64",
			fileTag: "cp313-cp313-linux_x86_64", tags: []string{"cp313-cp313-linux_x86_64"}},
		{name: "abi3 takes the root's Python as the lowest", files: files("cryptography/hazmat/bindings/_rust.abi3.so"), arch: "amd64", py: "13",
			fileTag: "cp313-abi3-linux_x86_64", tags: []string{"cp313-abi3-linux_x86_64"}},
		{name: "abi3 next to a versioned module: the versioned one rules", files: files("a/_x.abi3.so", "a/_y.cpython-311-x86_64-linux-gnu.so"), arch: "amd64", py: "11",
			fileTag: "cp311-cp311-linux_x86_64", tags: []string{"cp311-cp311-linux_x86_64"}},
		{name: "plain .so is for the root's Python", files: files("a/_x.so"), arch: "arm64", py: "11",
			fileTag: "cp311-cp311-linux_aarch64", tags: []string{"cp311-cp311-linux_aarch64"}},
		{name: "arch all: platform from the triplet", files: files("a/_x.cpython-313-aarch64-linux-gnu.so"), arch: "all",
			fileTag: "cp313-cp313-linux_aarch64", tags: []string{"cp313-cp313-linux_aarch64"}},
		{name: "debug build", files: files("a/_x.cpython-313d-x86_64-linux-gnu.so"), arch: "amd64",
			fileTag: "cp313-cp313-linux_x86_64", tags: []string{"cp313-cp313-linux_x86_64"}},
		{name: "abi3 without a known Python", files: files("a/_x.abi3.so"), arch: "amd64", wantErr: true},
		{name: "unknown architecture", files: files("a/_x.cpython-313-mips-linux-gnu.so"), arch: "mips", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fileTag, tags, err := wheelTags(tt.files, tt.arch, tt.py)
			if tt.wantErr {
				if err == nil {
					t.Fatalf("no error; got %q %q", fileTag, tags)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.fileTag, fileTag); d != "" {
				t.Errorf("file tag (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.tags, tags); d != "" {
				t.Errorf("tags (-want +got):\n%s", d)
			}
		})
	}
}

func TestChooseMetaDir(t *testing.T) {
	tests := []struct {
		name      string
		files     []payloadFile
		dir, kind string
		wantErr   bool
	}{
		{name: "dist-info", files: files("a/x.py", "a-1.dist-info/METADATA", "a-1.dist-info/WHEEL"), dir: "a-1.dist-info", kind: "dist-info"},
		{name: "egg-info", files: files("a/x.py", "a-1.egg-info/PKG-INFO"), dir: "a-1.egg-info", kind: "egg-info"},
		{name: "both, as python3-cryptography ships", files: files("cryptography.egg-info/PKG-INFO", "cryptography-38.0.4.dist-info/METADATA"),
			dir: "cryptography-38.0.4.dist-info", kind: "dist-info"},
		{name: "two dist-infos", files: files("a-1.dist-info/METADATA", "b-1.dist-info/METADATA"), wantErr: true},
		{name: "none", files: files("a/x.py"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, kind, err := chooseMetaDir(tt.files)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v, want error %v", err, tt.wantErr)
			}
			if d := cmp.Diff([2]string{tt.dir, tt.kind}, [2]string{dir, kind}); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
