package trace

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
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

// callerPID returns the pid as the caller's namespace sees it: the number strace printed
// before its annotation (see tracerPID); 0 when the text holds none.
func callerPID(s string) int {
	s, _, _ = strings.Cut(s, "/*")
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

// TracerPID returns the pid strace names the process by that had pid nsPID in the sandbox's
// namespace at time at (a pid the namespace reuses names the process alive then), and its
// program; ok is false when the trace saw no such process. It reads a finished trace: the first
// call indexes the processes by their namespace pid, and later processes are not seen.
func (t *Trace) TracerPID(nsPID int, at time.Time) (pid int, comm string, ok bool) {
	if t.byNSPID == nil {
		t.byNSPID = map[int][]*Process{}
		for _, p := range t.Processes {
			if p.NSPID != 0 {
				t.byNSPID[p.NSPID] = append(t.byNSPID[p.NSPID], p)
			}
		}
		for _, ps := range t.byNSPID {
			slices.SortFunc(ps, func(a, b *Process) int { return a.Start.Compare(b.Start) })
		}
	}
	ps := t.byNSPID[nsPID]
	// The last process with the pid that had started by then.
	i := sort.Search(len(ps), func(i int) bool { return ps[i].Start.After(at) })
	if i == 0 {
		return 0, "", false
	}
	return ps[i-1].PID, ps[i-1].Comm, true
}
