package image

import (
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/pyti/pyti/internal/sandbox"
)

// unmountUnder detaches every mount at or below dir, so that removing dir can never reach into
// the host's /proc or /sys.
func unmountUnder(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		abs = real
	}
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return fmt.Errorf("reading mounts: %w", err)
	}
	for _, mp := range sandbox.MountsUnder(string(info), abs) {
		if err := syscall.Unmount(mp, syscall.MNT_DETACH); err != nil {
			return fmt.Errorf("unmounting %s before removing %s: %w", mp, dir, err)
		}
	}
	return nil
}
