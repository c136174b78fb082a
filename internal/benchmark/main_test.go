package benchmark

import (
	"os"
	"testing"

	"github.com/pyti/pyti/internal/sandbox"
)

func TestMain(m *testing.M) {
	sandbox.MaybeRunHelper()
	os.Exit(m.Run())
}
