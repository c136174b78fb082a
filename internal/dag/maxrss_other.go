//go:build !linux

package dag

import "os"

// peakRSS is not reported on this platform: units of Maxrss differ.
func peakRSS(*os.ProcessState) int64 { return 0 }
