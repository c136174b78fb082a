package behavior

import (
	"os"
	"testing"

	"github.com/pyti/pyti/internal/sandbox"
)

// TestMain lets the test binary act as the sandbox's launcher and init (contact_real_test.go).
func TestMain(m *testing.M) {
	sandbox.MaybeRunHelper()
	os.Exit(m.Run())
}
