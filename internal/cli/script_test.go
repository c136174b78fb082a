package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite the expected output in testdata/script/*.txtar (cmp with a file of the archive) from what pyti prints")

// TestScripts runs the CLI's script tests, testdata/script/*.txtar, in the style of cmd/go's:
// each runs the real pyti program (this test binary under the name pyti, see TestMain) as a
// process and checks its stdout, stderr and exit code. Besides testscript's own commands:
//
//	pyti ARGS...       run pyti; "! pyti" expects a failure, whose code "status" then checks
//	status CODE        the exit code of the last pyti
//	waitfile FILE VAR  wait until FILE is written (by a pyti in the background), then set $VAR
//	                   to its first line
//
// $EXAMPLES is the repository's testdata/examples; the condition [debian-wheels] says whether
// Debian's pip, setuptools and wheel wheels are installed (pyti index serve serves them). The
// scripts see a clean environment: HOME is /no-home, so no user's config, cache or data
// directory is read. go test -run TestScripts -update-scripts rewrites the expected output.
func TestScripts(t *testing.T) {
	bin := t.TempDir()
	if err := copyExecutable(filepath.Join(bin, "pyti")); err != nil {
		t.Fatal(err)
	}
	examples, err := filepath.Abs(filepath.Join("..", "..", "testdata", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("testdata", "script"),
		RequireUniqueNames:  true,
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Setup: func(e *testscript.Env) error {
			e.Setenv("PATH", bin+string(filepath.ListSeparator)+e.Getenv("PATH"))
			e.Setenv("EXAMPLES", examples)
			e.Values[statusKey{}] = new(int)
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "debian-wheels" {
				wheels, err := filepath.Glob("/usr/share/python-wheels/*.whl")
				return len(wheels) > 0, err
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"pyti":     cmdPyti,
			"status":   cmdStatus,
			"waitfile": cmdWaitfile,
		},
	})
}

type statusKey struct{}

// cmdPyti runs the pyti program and keeps its exit code for status.
func cmdPyti(ts *testscript.TestScript, neg bool, args []string) {
	err := ts.Exec("pyti", args...)
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		ts.Fatalf("running pyti: %v", err)
	}
	*ts.Value(statusKey{}).(*int) = code
	if neg && code == 0 {
		ts.Fatalf("pyti succeeded, want a failure")
	}
	if !neg && code != 0 {
		ts.Fatalf("pyti exited %d, want 0", code)
	}
}

func cmdStatus(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 || neg {
		ts.Fatalf("usage: status CODE")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	if got := *ts.Value(statusKey{}).(*int); got != want {
		ts.Fatalf("pyti exited %d, want %d", got, want)
	}
}

func cmdWaitfile(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || neg {
		ts.Fatalf("usage: waitfile FILE VAR")
	}
	path := ts.MkAbs(args[0])
	// Generous: the machine may be loaded. A pyti that fails ends the wait sooner through the
	// script's own deadline.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(50 * time.Millisecond) {
		data, err := os.ReadFile(path)
		if line, _, _ := strings.Cut(string(data), "\n"); err == nil && strings.HasSuffix(string(data), "\n") {
			ts.Setenv(args[1], line)
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s was not written", args[0])
		}
	}
}

// copyExecutable puts a copy of the test binary at path (a hard link when it can).
func copyExecutable(path string) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	if os.Link(self, path) == nil {
		return nil
	}
	src, err := os.Open(self)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_EXCL, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return fmt.Errorf("copying the test binary: %w", err)
	}
	return dst.Close()
}
