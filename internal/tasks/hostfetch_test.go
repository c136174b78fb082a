package tasks

import (
	"archive/zip"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/pypi"
)

// pagesIndex is an index of project pages whose wheels lie in a directory.
type pagesIndex struct {
	dir   string
	pages map[string]*pypi.ProjectPage
}

func (p pagesIndex) Project(_ context.Context, name string) (*pypi.ProjectPage, error) {
	if pg, ok := p.pages[name]; ok {
		return pg, nil
	}
	return nil, fmt.Errorf("%w: %s", pypi.ErrNoSuchProject, name)
}

func (p pagesIndex) Download(_ context.Context, f pypi.File) (string, error) {
	path := filepath.Join(p.dir, f.Filename)
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	return path, nil
}

// dist describes one file of a test index: a wheel's METADATA requirements, or an sdist.
type dist struct {
	file     string
	requires []string
	pyReq    string // the index's data-requires-python
	yanked   bool
	noHash   bool   // the index gave no sha256, and the proxy leaves the file out
	metaPy   string // the wheel's METADATA Requires-Python
}

func newPagesIndex(t *testing.T, dists []dist) pagesIndex {
	t.Helper()
	idx := pagesIndex{dir: t.TempDir(), pages: map[string]*pypi.ProjectPage{}}
	for _, d := range dists {
		pf, err := pypi.ParseFilename(d.file, "")
		if err != nil {
			t.Fatal(err)
		}
		if pf.Kind == pypi.KindWheel {
			f, err := os.Create(filepath.Join(idx.dir, d.file))
			if err != nil {
				t.Fatal(err)
			}
			zw := zip.NewWriter(f)
			w, err := zw.Create(strings.Join(strings.Split(d.file, "-")[:2], "-") + ".dist-info/METADATA")
			if err != nil {
				t.Fatal(err)
			}
			md := "Metadata-Version: 2.1\nName: " + pf.Name + "\nVersion: " + pf.Version.String() + "\n"
			if d.metaPy != "" {
				md += "Requires-Python: " + d.metaPy + "\n"
			}
			for _, r := range d.requires {
				md += "Requires-Dist: " + r + "\n"
			}
			if _, err := w.Write([]byte(md)); err != nil {
				t.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				t.Fatal(err)
			}
			f.Close()
		}
		pg := idx.pages[pf.Name]
		if pg == nil {
			pg = &pypi.ProjectPage{Name: pf.Name}
			idx.pages[pf.Name] = pg
		}
		sum := fmt.Sprintf("%064x", len(pg.Files)+1)
		if d.noHash {
			sum = ""
		}
		pg.Files = append(pg.Files, pypi.File{Filename: d.file, RequiresPython: d.pyReq, Yanked: d.yanked, Hashes: map[string]string{"sha256": sum}})
	}
	return idx
}

// TestResolveOnHost checks when the host's answer is pip's, and that every other case goes to pip.
func TestResolveOnHost(t *testing.T) {
	base := []dist{
		{file: "setuptools-66.1.1-py3-none-any.whl"},
		{file: "setuptools-65.0.0-py3-none-any.whl"},
		{file: "wheel-0.38.4-py3-none-any.whl"},
		{file: "hatchling-1.12.2-py3-none-any.whl", requires: []string{
			"editables>=0.3", "packaging>=21.3", `tomli>=1.2.2; python_version < "3.11"`, `pluggy>=1.0.0; extra == "plugins"`}},
		{file: "editables-0.3-py3-none-any.whl"},
		{file: "packaging-23.0-py3-none-any.whl"},
		{file: "packaging-24.0-py3-none-any.whl", yanked: true},
		{file: "pluggy-1.0.0-py2.py3-none-any.whl"},
		{file: "cython-3.0.0-cp310-cp310-manylinux_2_17_x86_64.whl"},
		{file: "cython-3.0.0.tar.gz"},
		{file: "sdistonly-1.0.tar.gz"},
		{file: "newpy-2.0-py3-none-any.whl", pyReq: ">=3.12"},
		{file: "newpy-1.0-py3-none-any.whl"},
		{file: "old-1.0-py311-none-any.whl"},
		{file: "older-1.0-py39-none-any.whl"},
		{file: "py2only-1.0-py2-none-any.whl"},
		{file: "pinsold-1.0-py3-none-any.whl", requires: []string{"wheel<0.38"}},
		{file: "wheel-0.37.0-py3-none-any.whl"},
		{file: "coverage-6.5.0-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl"},
		{file: "coverage-6.5.0-cp311-cp311-musllinux_1_1_x86_64.whl"},
		{file: "coverage-6.5.0-cp310-cp310-manylinux_2_17_x86_64.whl"},
		{file: "coverage-6.5.0-cp311-cp311-win_amd64.whl"},
		{file: "coverage-6.5.0-pp37.pp38.pp39-none-any.whl"},
		{file: "coverage-6.5.0.tar.gz"},
		{file: "abi3ext-1.0-cp38-abi3-manylinux_2_28_x86_64.whl"},
		{file: "newglibc-1.0-cp311-cp311-manylinux_2_34_x86_64.whl"},
		{file: "newglibc-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"},
		{file: "twofit-1.0-cp311-cp311-linux_x86_64.whl"},
		{file: "twofit-1.0-py3-none-any.whl"},
		{file: "newcp-2.0-cp313-cp313-manylinux2014_x86_64.whl"},
		{file: "newcp-1.0-cp311-cp311-manylinux2014_x86_64.whl"},
		{file: "lyingpy-1.0-py3-none-any.whl", metaPy: ">=3.12"},
		{file: "nohash-2.0-py3-none-any.whl", noHash: true},
		{file: "nohash-1.0-py3-none-any.whl"},
	}
	tests := []struct {
		name  string
		reqs  []string
		picks []string
		why   string
	}{
		{"setuptools' backend", []string{"setuptools>=40.8.0", "wheel"}, []string{"setuptools-66.1.1-py3-none-any.whl", "wheel-0.38.4-py3-none-any.whl"}, ""},
		{"a pin", []string{"setuptools==65.0.0"}, []string{"setuptools-65.0.0-py3-none-any.whl"}, ""},
		{"dependencies, by marker, the yanked release left out", []string{"hatchling"},
			[]string{"hatchling-1.12.2-py3-none-any.whl", "editables-0.3-py3-none-any.whl", "packaging-23.0-py3-none-any.whl"}, ""},
		{"an extra's dependencies", []string{"hatchling[plugins]"},
			[]string{"hatchling-1.12.2-py3-none-any.whl", "editables-0.3-py3-none-any.whl", "packaging-23.0-py3-none-any.whl", "pluggy-1.0.0-py2.py3-none-any.whl"}, ""},
		{"a requirement whose marker is false here", []string{"wheel", `cython; python_version < "3"`}, []string{"wheel-0.38.4-py3-none-any.whl"}, ""},
		{"a pure wheel for this minor version", []string{"old"}, []string{"old-1.0-py311-none-any.whl"}, ""},
		{"a pure wheel for an older minor version", []string{"older"}, []string{"older-1.0-py39-none-any.whl"}, ""},
		{"a wheel for Python 2 only, which pip never sees", []string{"py2only"}, nil, "no sdist or wheel"},
		{"a file without a sha256, which pip never sees", []string{"nohash"}, []string{"nohash-1.0-py3-none-any.whl"}, ""},
		{"the one platform wheel for this Python among many", []string{"coverage"},
			[]string{"coverage-6.5.0-cp311-cp311-manylinux_2_5_x86_64.manylinux1_x86_64.manylinux_2_17_x86_64.manylinux2014_x86_64.whl"}, ""},
		{"an abi3 wheel of an earlier Python", []string{"abi3ext"}, []string{"abi3ext-1.0-cp38-abi3-manylinux_2_28_x86_64.whl"}, ""},
		{"a wheel for a glibc not every system has", []string{"newglibc"}, nil, "a glibc PYTI cannot vouch for"},
		{"two wheels for this Python, which pip ranks", []string{"twofit"}, nil, "has 2 wheels for this Python"},
		{"no wheel for this Python, an sdist to build", []string{"cython==3.0.0", "wheel"}, nil, "has 0 wheels for this Python"},
		{"an sdist alone", []string{"sdistonly"}, nil, "has 0 wheels"},
		{"a newer release for another Python, which pip skips", []string{"newpy"}, []string{"newpy-1.0-py3-none-any.whl"}, ""},
		{"a newer release with only a wheel for another Python, which pip skips", []string{"newcp"}, []string{"newcp-1.0-cp311-cp311-manylinux2014_x86_64.whl"}, ""},
		{"a newer release whose METADATA excludes this Python", []string{"lyingpy"}, nil, "Requires-Python >=3.12"},
		{"two requirements wanting different releases", []string{"wheel", "pinsold"}, nil, "two requirements want different releases"},
		{"a project the index lacks", []string{"nosuch"}, nil, "nosuch"},
		{"a direct URL", []string{"wheel @ https://example.org/wheel-0.38.4-py3-none-any.whl"}, nil, "a direct URL"},
		{"a marker on the machine's release", []string{`wheel; platform_release >= "6"`}, nil, "the machine's release"},
	}
	idx := newPagesIndex(t, base)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			picks, why := resolveOnHost(t.Context(), idx, "3.11.2", tt.reqs)
			var got []string
			for _, p := range picks {
				got = append(got, p.Filename)
			}
			if d := cmp.Diff(tt.picks, got); d != "" {
				t.Errorf("picks (-want +got)\n%s", d)
			}
			if (tt.why == "") != (why == "") || !strings.Contains(why, tt.why) {
				t.Errorf("why %q, want one naming %q", why, tt.why)
			}
		})
	}
}
