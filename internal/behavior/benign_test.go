package behavior

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBenignPipInstall: a real pip install of a real wheel into a fresh environment, with the
// cache in the work directory, is the noise every job makes; it must produce no finding.
func TestBenignPipInstall(t *testing.T) {
	pips, _ := filepath.Glob("/usr/share/python-wheels/pip-*.whl")
	wheels, _ := filepath.Glob("/usr/share/python-wheels/wheel-*.whl")
	if len(pips) == 0 || len(wheels) == 0 {
		t.Skip("Debian's python-wheels are not installed")
	}
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	j := newJob(t)
	env := filepath.Join(j.work, "env")
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	if b, err := exec.CommandContext(ctx, "/usr/bin/python3", "-m", "venv", "--without-pip", env).CombinedOutput(); err != nil {
		t.Fatalf("venv: %v\n%s", err, b)
	}
	events := traceRun(t, j, false, filepath.Join(env, "bin", "python"), filepath.Join(pips[0], "pip"),
		"install", "--no-index", "--no-deps", wheels[0])
	if _, err := os.Stat(filepath.Join(j.site, "wheel", "__init__.py")); err != nil {
		t.Fatalf("pip did not install wheel: %v", err)
	}
	var wrote bool
	for _, e := range events {
		if e.Kind == "file-create" && filepath.Dir(e.Path) == filepath.Join(j.site, "wheel") {
			wrote = true
		}
	}
	if !wrote {
		t.Fatalf("the trace does not show pip writing site-packages/wheel (%d events)", len(events))
	}
	for _, phase := range []string{"build", "install", "import", "test"} {
		fs, err := Evaluate(events, j.ctx(phase), rules)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			t.Errorf("%s: %s %s: %s (%d events)", phase, f.Severity, f.RuleID, f.Message, f.Count)
		}
	}
}
