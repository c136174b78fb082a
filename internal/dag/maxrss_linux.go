package dag

import (
	"os"
	"syscall"
)

// peakRSS returns the process's max RSS in bytes; Linux reports KiB.
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok && ru != nil {
		return ru.Maxrss * 1024
	}
	return 0
}
