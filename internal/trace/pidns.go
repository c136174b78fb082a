package trace

import (
	"strconv"
	"strings"
)

// strace runs outside the sandbox's PID namespace: the pids a traced call returns or takes
// (clone's child, kill's target) are those of the caller's namespace, while strace names every
// traced process by its pid in strace's own namespace. With --decode-pids=pidns strace prints
// both: "= 43 /* 24376 in strace's PID NS */". The parser reads the second, so that a child is
// tied to the process that created it whatever namespace it lives in.

const pidNSMark = " in strace's PID NS */"

// tracerPID returns the pid, in strace's namespace, that a pid argument or return value names:
// the annotated pid when strace printed one, else the number itself. ok is false when the text
// holds no pid.
func tracerPID(s string) (pid int, ok bool) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, "/* "); i >= 0 {
		if j := strings.Index(s[i:], pidNSMark); j > 0 {
			if n, err := strconv.Atoi(strings.TrimSpace(s[i+3 : i+j])); err == nil {
				return n, true
			}
		}
		s = strings.TrimSpace(s[:i])
	}
	if f, _, _ := strings.Cut(s, " "); f != "" {
		s = f
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}
