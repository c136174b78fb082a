package localindex

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

const examplesDir = "../../testdata/examples"

// shared is the one Build of all examples made per test binary.
var shared struct {
	once sync.Once
	dir  string
	set  *Set
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// sharedDirs are the shared Build's output and cache. The cache is the
// per-user one, so that repeated test runs do not rebuild unchanged examples;
// the tests that need fresh builds use their own temporary caches.
func sharedDirs() (out, cache string) {
	return filepath.Join(shared.dir, "dist"), DefaultCacheDir()
}

// builtExamples builds every example once per test binary, with Debian's wheels.
func builtExamples(t testing.TB) *Set {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "pyti-localindex-test-")
		if shared.err != nil {
			return
		}
		out, cache := sharedDirs()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
		defer cancel()
		shared.set, shared.err = Build(ctx, examplesDir, out, nil, WithCacheDir(cache), WithDebianWheels(""))
	})
	if shared.err != nil {
		t.Fatalf("Build: %v", shared.err)
	}
	return shared.set
}

type builtSummary struct {
	Name, Version string
	Hostile       bool
	Sdist, Wheel  string
	WheelFailed   bool
	HasExpected   bool
}

func TestBuildAllExamples(t *testing.T) {
	set := builtExamples(t)
	got := map[string]builtSummary{}
	for _, e := range set.Examples {
		got[e.Dir] = builtSummary{e.Name, e.Version, e.Hostile, e.Sdist, e.Wheel, e.WheelError != "", e.Expected != ""}
	}
	pure := func(dir, name, version string) builtSummary {
		u := strings.ReplaceAll(name, "-", "_")
		return builtSummary{Name: name, Version: version, Sdist: name + "-" + version + ".tar.gz",
			Wheel: u + "-" + version + "-py3-none-any.whl", HasExpected: true}
	}
	want := map[string]builtSummary{
		"pure":       pure("pure", "pyti-example-pure", "1.0.0"),
		"unittest":   pure("unittest", "pyti-example-unittest", "1.0.0"),
		"doctests":   pure("doctests", "pyti-example-doctests", "1.0.0"),
		"failing":    pure("failing", "pyti-example-failing", "1.0.0"),
		"base":       pure("base", "pyti-example-base", "1.1"),
		"base-1.0":   pure("base-1.0", "pyti-example-base", "1.0"),
		"dependent":  pure("dependent", "pyti-example-dependent", "1.0.0"),
		"netneed":    pure("netneed", "pyti-example-netneed", "1.0.0"),
		"legacy":     pure("legacy", "pyti-example-legacy", "1.0.0"),
		"missingdep": pure("missingdep", "pyti-example-missingdep", "1.0.0"),
		"newpython":  pure("newpython", "pyti-example-newpython", "1.0.0"),
		"cext": {Name: "pyti-example-cext", Version: "1.0.0", Sdist: "pyti-example-cext-1.0.0.tar.gz",
			Wheel: "pyti_example_cext-1.0.0-cp311-cp311-linux_x86_64.whl", HasExpected: true},
		"realistic": {Name: "pyti-example-realistic", Version: "1.0.0", Sdist: "pyti-example-realistic-1.0.0.tar.gz",
			Wheel: "pyti_example_realistic-1.0.0-cp311-cp311-linux_x86_64.whl", HasExpected: true},
		"buildfail": {Name: "pyti-example-buildfail", Version: "1.0.0", Sdist: "pyti-example-buildfail-1.0.0.tar.gz",
			WheelFailed: true, HasExpected: true},
		"badactor": {Name: "pyti-example-badactor", Version: "1.0.0", Hostile: true,
			Sdist: "pyti_example_badactor-1.0.0.tar.gz", HasExpected: true},
		"forker": {Name: "pyti-example-forker", Version: "1.0.0", Hostile: true,
			Sdist: "pyti_example_forker-1.0.0.tar.gz", HasExpected: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("built examples mismatch (-want +got):\n%s", diff)
	}

	bf, _ := set.Example("buildfail")
	for _, line := range []string{"csrc/broken.c:7:5: error:", "failed with exit code 1"} {
		if !strings.Contains(bf.WheelError, line) {
			t.Errorf("buildfail WheelError lacks %q:\n%s", line, bf.WheelError)
		}
	}

	// Set.Dir holds exactly the set's files, Debian's wheels included.
	var inDir []string
	entries, err := os.ReadDir(set.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			inDir = append(inDir, e.Name())
		}
	}
	if diff := cmp.Diff(set.Files(), inDir); diff != "" {
		t.Errorf("files in %s mismatch (-want +got):\n%s", set.Dir, diff)
	}
	for _, prefix := range []string{"pip-", "setuptools-", "wheel-"} {
		found := false
		for _, f := range set.Extra {
			found = found || strings.HasPrefix(f, prefix)
		}
		if !found {
			t.Errorf("no Debian %s*.whl in Extra %v", prefix, set.Extra)
		}
	}
}

// sdistMembers lists an sdist's regular files, without the top directory.
func sdistMembers(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		_, rest, _ := strings.Cut(h.Name, "/")
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[rest] = b
	}
}

func TestSdistsShipTheirTests(t *testing.T) {
	set := builtExamples(t)
	for _, e := range set.Examples {
		members := sdistMembers(t, set.Path(e.Sdist))
		var tests []string
		for name := range members {
			// Tests in a tests/ folder, docs, doctests, or tests inside the package.
			if strings.HasPrefix(name, "tests/test_") || strings.HasPrefix(name, "docs/") || (e.Dir == "doctests" && strings.HasSuffix(name, ".py")) ||
				strings.Contains(name, "/tests/test_") {
				tests = append(tests, name)
			}
		}
		if len(tests) == 0 {
			t.Errorf("%s: sdist %s ships no tests; members %v", e.Dir, e.Sdist, keys(members))
		}
		if _, ok := members["PKG-INFO"]; !ok {
			t.Errorf("%s: sdist has no PKG-INFO", e.Dir)
		}
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func TestSecondBuildIsCached(t *testing.T) {
	set := builtExamples(t)
	out, cache := sharedDirs()
	again, err := Build(context.Background(), examplesDir, out, nil, WithCacheDir(cache), WithDebianWheels(""))
	if err != nil {
		t.Fatalf("second Build: %v", err)
	}
	for _, e := range again.Examples {
		if !e.Cached {
			t.Errorf("%s: second Build did not reuse the cache", e.Dir)
		}
	}
	if diff := cmp.Diff(set.Files(), again.Files()); diff != "" {
		t.Errorf("second Build files differ (-first +second):\n%s", diff)
	}
}

// writeProject writes files (path -> content) under dir.
func writeProject(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestHostileCodeNeverRuns proves the canary works: the same setup.py that
// writes a canary file does so when built normally, and does not when the
// project is marked hostile.
func TestHostileCodeNeverRuns(t *testing.T) {
	canary := filepath.Join(t.TempDir(), "setup-py-ran")
	setupPy := "open(" + pyString(canary) + ", 'a').write('ran\\n')\n" +
		"from setuptools import setup\nsetup(name='pyti-example-canary', version='0.1', py_modules=['canary'])\n"
	pkgInfo := "Metadata-Version: 2.1\nName: pyti-example-canary\nVersion: 0.1\n"
	for _, hostile := range []bool{false, true} {
		examples := t.TempDir()
		files := map[string]string{"setup.py": setupPy, "canary.py": "X = 1\n", "PKG-INFO": pkgInfo}
		if hostile {
			files[ConfigFile] = "hostile = true\n"
		}
		writeProject(t, filepath.Join(examples, "canary"), files)
		os.Remove(canary)
		out := t.TempDir()
		set, err := Build(context.Background(), examples, out, nil)
		if err != nil {
			t.Fatalf("hostile=%v: Build: %v", hostile, err)
		}
		_, statErr := os.Stat(canary)
		if ran := statErr == nil; ran == hostile {
			t.Errorf("hostile=%v: setup.py ran = %v", hostile, ran)
		}
		e := set.Examples[0]
		if hostile && (e.Wheel != "" || e.Sdist != "pyti_example_canary-0.1.tar.gz") {
			t.Errorf("hostile build made sdist %q wheel %q", e.Sdist, e.Wheel)
		}
	}
}

func pyString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// TestBadactorPackedWithoutRunning builds the real hostile example with HOME
// pointing at an empty directory, and checks that nothing appeared there and
// that the sdist holds exactly the example's files.
func TestBadactorPackedWithoutRunning(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	out := t.TempDir()
	set, err := Build(context.Background(), examplesDir, out, nil, WithOnly("badactor"))
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	var inHome []string
	filepath.WalkDir(home, func(p string, d fs.DirEntry, err error) error {
		if p != home {
			inHome = append(inHome, p)
		}
		return nil
	})
	if len(inHome) != 0 {
		t.Errorf("building badactor wrote to HOME: %v", inHome)
	}
	e := set.Examples[0]
	members := sdistMembers(t, set.Path(e.Sdist))
	src := filepath.Join(examplesDir, "badactor")
	files, err := listFiles(src)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{}
	for _, f := range files {
		if f.rel == ConfigFile || f.rel == ExpectedFile {
			continue
		}
		b, err := os.ReadFile(f.abs)
		if err != nil {
			t.Fatal(err)
		}
		want[f.rel] = b
	}
	if diff := cmp.Diff(want, members); diff != "" {
		t.Errorf("badactor sdist members (-want +got):\n%s", diff)
	}
	d, err := ReadDist(set.Path(e.Sdist))
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "pyti-example-badactor" || d.Version != "1.0.0" || d.RequiresPython != ">=3.8" {
		t.Errorf("badactor metadata = %q %q %q", d.Name, d.Version, d.RequiresPython)
	}
	// Packing is deterministic: a rebuild in a fresh cache gives the same bytes.
	out2 := t.TempDir()
	set2, err := Build(context.Background(), examplesDir, out2, nil, WithOnly("badactor"))
	if err != nil {
		t.Fatal(err)
	}
	d2, err := ReadDist(set2.Path(set2.Examples[0].Sdist))
	if err != nil {
		t.Fatal(err)
	}
	if d.SHA256 != d2.SHA256 {
		t.Errorf("packed sdist not reproducible: %s vs %s", d.SHA256, d2.SHA256)
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name    string
		files   map[string]string
		only    []string
		wantErr string
	}{
		{
			name:    "unknown config key",
			files:   map[string]string{"p/setup.py": "", "p/" + ConfigFile: "hostel = true\n"},
			wantErr: "unknown key",
		},
		{
			name:    "hostile without PKG-INFO",
			files:   map[string]string{"p/setup.py": "", "p/" + ConfigFile: "hostile = true\n"},
			wantErr: "PKG-INFO",
		},
		{
			name:    "no such example",
			files:   map[string]string{"p/setup.py": ""},
			only:    []string{"q"},
			wantErr: `no example project "q"`,
		},
		{
			name: "wheel expected to fail but builds",
			files: map[string]string{
				"p/setup.py":      "from setuptools import setup\nsetup(name='pyti-example-p', version='1', py_modules=[])\n",
				"p/" + ConfigFile: "wheel_build_fails = true\n",
			},
			wantErr: "expected to fail",
		},
		{
			name:    "build fails",
			files:   map[string]string{"p/setup.py": "raise SystemExit('this setup.py is broken')\n"},
			wantErr: "this setup.py is broken",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			examples := t.TempDir()
			writeProject(t, examples, tt.files)
			_, err := Build(context.Background(), examples, t.TempDir(), nil, WithOnly(tt.only...))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Build error = %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}
