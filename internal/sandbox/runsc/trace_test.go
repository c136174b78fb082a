package runsc_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/runsc"
	"github.com/pyti/pyti/internal/trace"
)

// A real traced run under gVisor: trace.Parse reads its trace file and finds the files the
// command created, the programs it ran and the address it tried to reach.
func TestTraceParses(t *testing.T) {
	b := runsc.New()
	if err := b.Check(); err != nil {
		t.Fatalf("runsc not usable here: %v", err)
	}
	code := `
import os, socket, subprocess
open("/tmp/made-by-job.txt", "w").write("x")
os.rename("/tmp/made-by-job.txt", "/tmp/renamed-by-job.txt")
s = socket.socket()
s.settimeout(5)
try:
    s.connect(("203.0.113.7", 443))
except OSError:
    pass
subprocess.run(["/bin/sh", "-c", "cat /etc/hostname > /dev/null"])
`
	spec := sandbox.Spec{
		Argv: []string{"/usr/bin/python3", "-c", code}, WorkDir: t.TempDir(),
		Trace: true, TracePath: filepath.Join(t.TempDir(), "trace.txt"),
		Limits: sandbox.Limits{Wall: time.Minute},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	r, err := b.Run(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	if r.Outcome != sandbox.OutcomeOK {
		t.Fatalf("outcome %s: %s\n%s", r.Outcome, r.Reason, r.Stderr)
	}
	f, err := os.Open(spec.TracePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr, err := trace.Parse(f, trace.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if tr.BadLines != 0 {
		t.Errorf("%d trace lines not understood", tr.BadLines)
	}
	type seen struct{ create, rename, connect, execSh, execCat, execPython, readHostname bool }
	var got seen
	for _, e := range tr.Events {
		switch {
		case e.Kind == trace.KindFileCreate && e.Path == "/tmp/made-by-job.txt":
			got.create = true
		case e.Kind == trace.KindRename && e.Path == "/tmp/made-by-job.txt" && e.NewPath == "/tmp/renamed-by-job.txt":
			got.rename = true
		case e.Kind == trace.KindConnect && e.Address == "203.0.113.7" && e.Port == 443 && e.Failed():
			got.connect = true
		case e.Kind == trace.KindExec && e.Path == "/bin/sh":
			got.execSh = true
		case e.Kind == trace.KindExec && slices.Equal(e.Argv, []string{"cat", "/etc/hostname"}):
			got.execCat = true
		case e.Kind == trace.KindExec && e.Path == "/usr/bin/python3":
			got.execPython = true
		case e.Kind == trace.KindFileRead && e.Path == "/etc/hostname":
			got.readHostname = true
		}
	}
	if got != (seen{true, true, true, true, true, true, true}) {
		t.Errorf("events seen: %+v (of %d events)", got, len(tr.Events))
	}
}
