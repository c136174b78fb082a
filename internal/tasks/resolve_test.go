package tasks

import (
	"testing"

	"github.com/pyti/pyti/internal/pypi"
)

// TestBestWheel: without an sdist, the wheel analysed is one CPython 3.11 on Linux x86_64 can
// install, the most specific one.
func TestBestWheel(t *testing.T) {
	files := func(names ...string) []pypi.File {
		var out []pypi.File
		for _, n := range names {
			out = append(out, pypi.File{Filename: n})
		}
		return out
	}
	tests := []struct {
		name   string
		wheels []pypi.File
		want   string
	}{
		{"pure", files("a-1.0-py3-none-any.whl"), "a-1.0-py3-none-any.whl"},
		{"exact CPython over pure", files("a-1.0-py3-none-any.whl", "a-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"),
			"a-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{"older stable ABI is fine", files("a-1.0-cp39-abi3-manylinux_2_17_x86_64.whl"), "a-1.0-cp39-abi3-manylinux_2_17_x86_64.whl"},
		{"newer stable ABI is not", files("a-1.0-cp312-abi3-manylinux_2_17_x86_64.whl"), ""},
		{"other CPython is not", files("a-1.0-cp39-cp39-manylinux_2_17_x86_64.whl", "a-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"), ""},
		{"other platforms are not", files("a-1.0-cp311-cp311-win_amd64.whl", "a-1.0-cp311-cp311-macosx_11_0_arm64.whl", "a-1.0-cp311-cp311-manylinux_2_17_aarch64.whl"), ""},
		{"python 2 only is not", files("a-1.0-py2-none-any.whl"), ""},
	}
	for _, tc := range tests {
		got := ""
		if w := bestWheel(tc.wheels, "cp311"); w != nil {
			got = w.Filename
		}
		if got != tc.want {
			t.Errorf("%s: chose %q, want %q", tc.name, got, tc.want)
		}
	}
}
