package tasks

import (
	"crypto/sha256"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
	"github.com/pyti/pyti/internal/testfs"
)

// TestVenvTemplateKey: the cached environment is named by everything `python -m venv` reads:
// the interpreter, its version, the image, the place, and the wheels ensurepip installs.
func TestVenvTemplateKey(t *testing.T) {
	setup := func(t *testing.T) *target {
		root := t.TempDir()
		testfs.Write(t, root, map[string]string{
			"opt/py/bin/python3.11":                               "interpreter",
			"opt/py/lib/python3.11/ensurepip/_bundled/pip-23.whl": "pip",
			"usr/share/python-wheels/setuptools-66.whl":           "setuptools",
		})
		if err := os.Symlink("python3.11", filepath.Join(root, "opt/py/bin/python3")); err != nil {
			t.Fatal(err)
		}
		return &target{img: Image{Name: "img", ID: "id1", Root: root}, python: "/opt/py/bin/python3", pythonVersion: "3.11.2"}
	}
	later := time.Now().Add(time.Hour)
	for _, tc := range []struct {
		name   string
		inside string
		change func(t *testing.T, tg *target)
		same   bool
	}{
		{name: "same inputs", same: true},
		{name: "another place", inside: "/work/t1/venv"},
		{name: "another version", change: func(t *testing.T, tg *target) { tg.pythonVersion = "3.11.3" }},
		{name: "another image", change: func(t *testing.T, tg *target) { tg.img.ID = "id2" }},
		{name: "the interpreter changed", change: func(t *testing.T, tg *target) {
			os.Chtimes(filepath.Join(tg.img.Root, "opt/py/bin/python3.11"), later, later)
		}},
		{name: "a bundled wheel changed", change: func(t *testing.T, tg *target) {
			testfs.Write(t, tg.img.Root, map[string]string{"opt/py/lib/python3.11/ensurepip/_bundled/pip-24.whl": "pip"})
		}},
		{name: "a Debian wheel changed", change: func(t *testing.T, tg *target) {
			os.Chtimes(filepath.Join(tg.img.Root, "usr/share/python-wheels/setuptools-66.whl"), later, later)
		}},
		{name: "a file ensurepip does not read", same: true, change: func(t *testing.T, tg *target) {
			testfs.Write(t, tg.img.Root, map[string]string{"opt/py/lib/python3.11/os.py": ""})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tg := setup(t)
			ref, err := venvTemplateKey(tg, "/work/venv")
			if err != nil {
				t.Fatal(err)
			}
			if tc.change != nil {
				tc.change(t, tg)
			}
			inside := "/work/venv"
			if tc.inside != "" {
				inside = tc.inside
			}
			got, err := venvTemplateKey(tg, inside)
			if err != nil {
				t.Fatal(err)
			}
			if (got == ref) != tc.same {
				t.Errorf("key %s, reference %s: same = %v, want %v", got, ref, got == ref, tc.same)
			}
		})
	}
	if _, err := venvTemplateKey(&target{img: Image{Root: t.TempDir()}, python: "/no/python"}, "/work/venv"); err == nil {
		t.Error("no error for a missing interpreter")
	}
}

// TestVenvCopyIsWhatVenvMakes: the environment copied from the cache is the one `python -m
// venv` makes in the job: the same files, links and modes, the same bytes (bytecode aside, which
// records its source's time), and it runs.
func TestVenvCopyIsWhatVenvMakes(t *testing.T) {
	if testing.Short() {
		t.Skip("makes environments in the sandbox; skipped with -short")
	}
	if err := bwrap.New().Check(); err != nil {
		t.Skipf("no sandbox: %v", err)
	}
	client, err := pypi.NewClient(pypi.Options{IndexURL: "http://127.0.0.1:1/simple/", CacheDir: t.TempDir(), AllowPrivate: true})
	if err != nil {
		t.Fatal(err)
	}
	newJob := func(t *testing.T) *job {
		opts, err := Options{Client: client, Backend: bwrap.New(), Dir: filepath.Join(t.TempDir(), "job"), Logger: slog.New(slog.DiscardHandler)}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		e, err := newJobEnv(Request{Spec: "x"}, opts)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.close() })
		if err := os.MkdirAll(e.src, 0o755); err != nil { // unpack makes it
			t.Fatal(err)
		}
		j, _ := collecting(e)
		return j
	}
	made := newJob(t)
	mt := made.targets[0]
	want, err := made.runVenv(t.Context(), mt, filepath.Join(mt.work, "venv"))
	if err != nil || !want.Made {
		t.Fatalf("python -m venv: %v %s", err, want.Output)
	}
	for _, round := range []string{"first (fills the cache)", "second (from the cache)"} {
		t.Run(round, func(t *testing.T) {
			j := newJob(t)
			got, err := j.copyVenvTemplate(t.Context(), j.targets[0], filepath.Join(j.targets[0].work, "venv"))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(venvListing(t, want.Env.Venv), venvListing(t, got.Env.Venv)); d != "" {
				t.Errorf("the copy differs from what python -m venv makes (-made +copied):\n%s", d)
			}
			res, err := j.run(t.Context(), step{t: j.targets[0], task: "install", name: "check", dir: j.in(j.work), wall: time.Minute,
				argv: []string{j.in(got.Env.Python), "-c", "import sys, pip; print(sys.prefix)"}})
			if err != nil {
				t.Fatal(err)
			}
			if !res.ok() || strings.TrimSpace(res.output) != j.in(got.Env.Venv) {
				t.Errorf("the copied environment's python: %s, %q", res.res.Outcome, res.output)
			}
		})
	}
}

// venvListing describes every entry below root: its kind and mode, and its link target or the
// digest of its content (not bytecode's, which records its source's time and refcount-dependent
// marshalling).
func venvListing(t *testing.T, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		info, err := d.Info()
		if err != nil {
			return err
		}
		desc := info.Mode().String()
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			link, _ := os.Readlink(p)
			desc += " -> " + link
		case d.Type().IsRegular() && !strings.HasSuffix(p, ".pyc"):
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			desc += fmt.Sprintf(" %x", sha256.Sum256(data))
		}
		out[rel] = desc
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
