package image_test

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

// benchImage is the root of the image TestBuildRealImage keeps in PYTI_TEST_IMAGE_DATA_DIR.
func benchImage(b *testing.B) string {
	dir := os.Getenv("PYTI_TEST_IMAGE_DATA_DIR")
	if dir == "" {
		b.Skip("set PYTI_TEST_IMAGE_DATA_DIR to a data dir holding an image (make test builds trixie in ~/.cache/pyti/test-images)")
	}
	name := os.Getenv("PYTI_TEST_IMAGE")
	if name == "" {
		name = "trixie"
	}
	store := image.NewStore(dir)
	if _, err := store.Get(name); err != nil {
		b.Skip(err)
	}
	return store.Root(name)
}

func benchRun(b *testing.B, img string) {
	bk := bwrap.New()
	if err := bk.Check(); err != nil {
		b.Skip(err)
	}
	spec := sandbox.Spec{
		Argv: []string{"/usr/bin/python3", "-c", "pass"}, Image: img,
		Limits: sandbox.Limits{Wall: time.Minute, NoOutput: time.Minute},
	}
	for b.Loop() {
		res, err := bk.Run(context.Background(), spec)
		if err != nil {
			b.Fatal(err)
		}
		if res.Outcome != sandbox.OutcomeOK {
			b.Fatalf("%s: %s %s", res.Outcome, res.Reason, res.Stderr)
		}
	}
}

// BenchmarkPythonPassHost starts `python3 -c pass` in the sandbox on the host system.
func BenchmarkPythonPassHost(b *testing.B) { benchRun(b, "") }

// BenchmarkPythonPassImage does the same on the bookworm image.
func BenchmarkPythonPassImage(b *testing.B) { benchRun(b, benchImage(b)) }

// BenchmarkHashImage hashes the bookworm image (what verify costs).
func BenchmarkHashImage(b *testing.B) {
	root := benchImage(b)
	for b.Loop() {
		if _, err := image.HashTree(context.Background(), root); err != nil {
			b.Fatal(err)
		}
	}
}
