package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pyti/pyti/internal/localindex"
)

// TestResolveAgainstALoopbackIndex serves Debian's real wheels from a real index on loopback and
// asks what PYTI would fetch.
func TestResolveAgainstALoopbackIndex(t *testing.T) {
	wheels, _ := filepath.Glob("/usr/share/python-wheels/*.whl")
	if len(wheels) == 0 {
		t.Skip("no Debian wheels (python3-*-whl)")
	}
	dir := t.TempDir()
	for _, w := range wheels {
		data, err := os.ReadFile(w)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.Base(w)), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := localindex.Start(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	env := map[string]string{"PYTI_CACHE_DIR": t.TempDir()}
	code, out, errOut := run(t, env, "resolve", "--index-url", srv.SimpleURL(), "--allow-private-index", "wheel")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"wheel 0.", "wheel-0.", "sha256:", "pytest (>=3.0.0) ; extra == 'test'"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, _, errOut = run(t, env, "resolve", "--index-url", srv.SimpleURL(), "--allow-private-index", "no-such-project")
	if code != ExitError || !strings.Contains(errOut, "no such project") {
		t.Errorf("exit %d, stderr %q: want one line saying there is no such project", code, errOut)
	}
	code, _, errOut = run(t, env, "resolve", "--index-url", srv.SimpleURL(), "wheel")
	if code != ExitError || !strings.Contains(errOut, "allow") {
		t.Errorf("exit %d, stderr %q: a loopback index must be refused unless allowed", code, errOut)
	}
}
