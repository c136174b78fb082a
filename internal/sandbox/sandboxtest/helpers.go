package sandboxtest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
)

// Python is the interpreter hostile snippets run with.
const Python = "/usr/bin/python3"

// suite carries what every subtest needs.
type suite struct {
	b sandbox.Backend
}

// job is one run's identity: a unique marker in its environment and in its work dir's path, so
// that any process of it left on the host can be found.
type job struct {
	marker  string
	workDir string
}

func newJob(t *testing.T) job {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	m := "pytimark" + hex.EncodeToString(b[:])
	dir := filepath.Join(t.TempDir(), "job-"+m)
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return job{marker: m, workDir: dir}
}

// spec returns a Spec for argv with the job's marker and work dir and short limits.
func (j job) spec(argv ...string) sandbox.Spec {
	return sandbox.Spec{
		Argv:    argv,
		Env:     []string{"PYTI_TEST_MARKER=" + j.marker},
		WorkDir: j.workDir,
		Limits: sandbox.Limits{
			Wall: 20 * time.Second, NoOutput: 15 * time.Second, MemoryBytes: 512 << 20, Pids: 128,
			OutputBytes: 1 << 20, TmpBytes: 64 << 20,
		},
	}
}

func sh(script string) []string { return []string{"/bin/sh", "-c", script} }
func py(code string) []string   { return []string{Python, "-c", code} }

func (s suite) run(t *testing.T, spec sandbox.Spec) *sandbox.Result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := s.b.Run(ctx, spec)
	if err != nil {
		t.Fatalf("Run(%q): %v", spec.Argv, err)
	}
	return res
}

func describe(r *sandbox.Result) string {
	return "outcome=" + string(r.Outcome) + " code=" + strconv.Itoa(r.ExitCode) + " signal=" + strconv.Itoa(r.Signal) +
		" reason=" + r.Reason + "\nstdout:\n" + tail(r.Stdout) + "\nstderr:\n" + tail(r.Stderr)
}

func tail(b []byte) string {
	if len(b) > 2000 {
		b = b[len(b)-2000:]
	}
	return string(b)
}

func wantOutcome(t *testing.T, r *sandbox.Result, want sandbox.Outcome) {
	t.Helper()
	if r.Outcome != want {
		t.Fatalf("outcome %q, want %q\n%s", r.Outcome, want, describe(r))
	}
}

// strayProcesses lists host processes (other than this one) whose command line or environment
// carries marker.
func strayProcesses(marker string) []string {
	ents, _ := os.ReadDir("/proc")
	self := os.Getpid()
	var out []string
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == self {
			continue
		}
		for _, f := range []string{"cmdline", "environ"} {
			data, err := os.ReadFile(filepath.Join("/proc", e.Name(), f))
			if err == nil && bytes.Contains(data, []byte(marker)) {
				cmd, _ := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
				out = append(out, e.Name()+": "+strings.ReplaceAll(string(cmd), "\x00", " "))
				break
			}
		}
	}
	return out
}

// canaries are host files outside any job that no run may change.
type canaries map[string][]byte

func plantCanaries(t *testing.T) canaries {
	t.Helper()
	dir := t.TempDir()
	c := canaries{}
	for i, content := range []string{"host canary one\n", "host canary two\n"} {
		p := filepath.Join(dir, "canary"+strconv.Itoa(i))
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{filepath.Join(dir, "canary0"), filepath.Join(dir, "canary1"), "/root/.bashrc", "/etc/passwd", "/etc/hosts"} {
		data, err := os.ReadFile(p)
		if err != nil {
			data = []byte("<absent>")
		}
		c[p] = data
	}
	return c
}

// hostUntouched checks the canaries, that nothing of the job is left running, and that the
// next run works.
func (s suite) hostUntouched(t *testing.T, c canaries, j job) {
	t.Helper()
	for p, want := range c {
		got, err := os.ReadFile(p)
		if err != nil {
			got = []byte("<absent>")
		}
		if !bytes.Equal(got, want) {
			t.Errorf("host file %s changed", p)
		}
	}
	if left := strayProcesses(j.marker); len(left) > 0 {
		t.Errorf("processes of the job survive it:\n%s", strings.Join(left, "\n"))
	}
	next := newJob(t)
	r := s.run(t, next.spec("/bin/echo", "next"))
	if r.Outcome != sandbox.OutcomeOK || string(r.Stdout) != "next\n" {
		t.Errorf("the next run is not fine: %s", describe(r))
	}
}
