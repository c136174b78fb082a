package pypi

import (
	"fmt"
	"net/netip"
	"os"
	"testing"
)

// TestMain makes every dial of this package's tests end on loopback: if the
// SSRF guard ever broke, a test would fail instead of reaching out.
func TestMain(m *testing.M) {
	lastDialCheck = func(address string) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil || !ap.Addr().Unmap().IsLoopback() {
			return fmt.Errorf("test safety net: dial to non-loopback %s attempted", address)
		}
		return nil
	}
	os.Exit(m.Run())
}
