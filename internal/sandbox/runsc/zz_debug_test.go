package runsc_test

import (
	"context"
	"os"
	"testing"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/runsc"
)

func TestZZDebug(t *testing.T) {
	argv := []string{"/bin/sh", "-c", os.Getenv("ZZ_CMD")}
	r, err := runsc.New().Run(context.Background(), sandbox.Spec{Argv: argv, Stderr: os.Stderr, Stdout: os.Stdout, WorkDir: t.TempDir(), Trace: os.Getenv("ZZ_TRACE") != "", TracePath: os.Getenv("ZZ_TRACE")})
	t.Logf("%+v %v", r, err)
}
