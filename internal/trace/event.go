package trace

import (
	"strconv"
	"strings"
	"time"
)

// Kind says what an event means for a person reading the trace.
type Kind string

// The kinds of event the parser produces.
const (
	KindFileRead     Kind = "file-read"
	KindFileWrite    Kind = "file-write"
	KindFileCreate   Kind = "file-create"
	KindFileDelete   Kind = "file-delete"
	KindRename       Kind = "rename"
	KindChmod        Kind = "chmod"
	KindMkdir        Kind = "mkdir"
	KindExec         Kind = "exec"
	KindConnect      Kind = "connect"
	KindBind         Kind = "bind"
	KindSend         Kind = "send"
	KindSocket       Kind = "socket"
	KindDNS          Kind = "dns"
	KindSignal       Kind = "signal"
	KindExit         Kind = "exit"
	KindPtrace       Kind = "ptrace"
	KindIoctl        Kind = "ioctl"
	KindProcess      Kind = "process"
	KindOtherNotable Kind = "other-notable"
)

// Kinds lists every kind, in a stable order.
var Kinds = []Kind{
	KindFileRead, KindFileWrite, KindFileCreate, KindFileDelete, KindRename, KindChmod, KindMkdir,
	KindExec, KindConnect, KindBind, KindSend, KindSocket, KindDNS, KindSignal, KindExit,
	KindPtrace, KindIoctl, KindProcess, KindOtherNotable,
}

// Event is one thing a traced process did.
//
// Path is absolute when it could be resolved (against the pid's working directory or the
// directory descriptor); otherwise it is kept as written and Unresolved is set. For a rename
// or a link, Path is the source and NewPath the destination. Result is the raw return value
// ("3", "-1", "?"), Errno its error name when the call failed.
type Event struct {
	Time time.Time `json:"time"`
	PID  int       `json:"pid"`
	PPID int       `json:"ppid,omitempty"`
	// Comm is the program the pid runs (the base name of its last exec, inherited on fork).
	Comm       string   `json:"comm,omitempty"`
	Syscall    string   `json:"syscall,omitempty"`
	Kind       Kind     `json:"kind"`
	Result     string   `json:"result,omitempty"`
	Errno      string   `json:"errno,omitempty"`
	Path       string   `json:"path,omitempty"`
	NewPath    string   `json:"new_path,omitempty"`
	Unresolved bool     `json:"unresolved,omitempty"`
	Flags      string   `json:"flags,omitempty"`
	Argv       []string `json:"argv,omitempty"`
	Family     string   `json:"family,omitempty"`
	Address    string   `json:"address,omitempty"`
	Port       int      `json:"port,omitempty"`
	Request    string   `json:"request,omitempty"`
	Signal     string   `json:"signal,omitempty"`
	ExitCode   *int     `json:"exit_code,omitempty"`
	ChildPID   int      `json:"child_pid,omitempty"`
	TargetPID  int      `json:"target_pid,omitempty"`
	Name       string   `json:"name,omitempty"`
	Detail     string   `json:"detail,omitempty"`
	Truncated  bool     `json:"truncated,omitempty"`
}

// Failed reports whether the call returned an error.
func (e Event) Failed() bool { return e.Errno != "" }

// Program is the base name of the executed program for an exec event (argv[0] when the path is
// unknown), and Comm for any other event.
func (e Event) Program() string {
	if e.Kind != KindExec {
		return e.Comm
	}
	p := e.Path
	if p == "" && len(e.Argv) > 0 {
		p = e.Argv[0]
	}
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		p = p[i+1:]
	}
	return p
}

// Subject is the short text that identifies what an event touched: a path, an address, a
// command line, a DNS name, a request or a signal.
func (e Event) Subject() string {
	switch e.Kind {
	case KindExec:
		if len(e.Argv) > 0 {
			return strings.Join(e.Argv, " ")
		}
		return e.Path
	case KindConnect, KindBind, KindSend:
		return e.Endpoint()
	case KindSocket:
		return e.Family + " " + e.Detail
	case KindDNS:
		return e.Name
	case KindIoctl, KindPtrace:
		return e.Request
	case KindSignal:
		return e.Signal
	case KindRename:
		return e.Path + " -> " + e.NewPath
	case KindOtherNotable:
		if e.Detail != "" {
			return e.Syscall + " " + e.Detail
		}
		return e.Syscall
	}
	return e.Path
}

// Endpoint formats the address of a network event: "203.0.113.7:443", "[::1]:53",
// "unix:/run/x.sock".
func (e Event) Endpoint() string {
	switch e.Family {
	case "AF_INET":
		return e.Address + ":" + strconv.Itoa(e.Port)
	case "AF_INET6":
		return "[" + e.Address + "]:" + strconv.Itoa(e.Port)
	case "AF_UNIX":
		return "unix:" + e.Address
	case "":
		return e.Address
	}
	if e.Address == "" {
		return e.Family
	}
	return e.Family + ":" + e.Address
}

// NewDNSEvent makes the event for a name looked up through the sandbox's own resolver, from
// that resolver's log: the time, the name asked for, the query type ("A", "AAAA", "TXT") and the
// answer given (may be empty). pid is 0 when the resolver does not know the asker.
func NewDNSEvent(t time.Time, pid int, name, qtype, answer string) Event {
	ev := Event{Time: t, PID: pid, Kind: KindDNS, Name: strings.TrimSuffix(name, "."), Request: qtype}
	if answer != "" {
		ev.Detail = answer
	}
	return ev
}
