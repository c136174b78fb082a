package trace

import "time"

// Process is one traced pid (a process or a thread) in the process tree.
type Process struct {
	PID    int  `json:"pid"`
	PPID   int  `json:"ppid,omitempty"`
	Thread bool `json:"thread,omitempty"`
	// Execs lists every successful exec of this pid, in order.
	Execs [][]string `json:"execs,omitempty"`
	// Exited is set once the pid's end was seen; then ExitCode or Signal says how it ended.
	Exited   bool      `json:"exited"`
	ExitCode int       `json:"exit_code"`
	Signal   string    `json:"signal,omitempty"`
	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Children []int     `json:"children,omitempty"`
	// Comm is the base name of the program the pid runs: its last exec's, or the one its
	// parent ran when it was created.
	Comm string `json:"comm,omitempty"`
	// NSPID is the pid its creator's namespace gave it (the sandbox's, where strace runs
	// outside it; see tracerPID); 0 when the trace did not say.
	NSPID int `json:"ns_pid,omitempty"`
}

// Command is the last command line this pid executed, or nil.
func (p *Process) Command() []string {
	if len(p.Execs) == 0 {
		return nil
	}
	return p.Execs[len(p.Execs)-1]
}

// pidState is what the parser tracks per pid while reading.
type pidState struct {
	proc    *Process
	cwd     *cwdRef
	fds     *fdTable
	pending *Line // the unfinished call, if any
	role    role
	held    []Event // events of an undecided process, in order
}

// role says whose a traced process is (see Setup).
type role uint8

const (
	roleJob       role = iota // the job's: its events are the trace
	roleSetup                 // the sandbox's own set-up
	roleInit                  // the sandbox's init and its threads: what they create is the job
	roleUndecided             // created by a fork that has not returned yet
)

// cwdRef is shared between pids created with CLONE_FS.
type cwdRef struct{ dir string }

// fdTable maps descriptors to the paths they were opened with; shared with CLONE_FILES.
type fdTable struct{ m map[int]string }

func (t *fdTable) clone() *fdTable {
	c := &fdTable{m: make(map[int]string, len(t.m))}
	for k, v := range t.m {
		c.m[k] = v
	}
	return c
}
