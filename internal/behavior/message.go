package behavior

import (
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/trace"
)

// messageData is what a rule's message template sees: the first evidence event, made readable.
type messageData struct {
	Path, NewPath, Endpoint, Address, Family string
	Command, Program, Name, Request, Syscall string
	Detail, Signal, Outcome, Phase, Errno    string
	PID, PPID, Port, Count, Subjects         int
}

func newMessageData(ev trace.Event, phase string, count, subjects int) messageData {
	d := messageData{
		Path: ev.Path, NewPath: ev.NewPath, Address: ev.Address, Family: ev.Family,
		Command: quoteArgv(ev.Argv), Program: ev.Program(), Name: ev.Name, Request: ev.Request,
		Syscall: ev.Syscall, Detail: ev.Detail, Signal: ev.Signal, Phase: phase, Errno: ev.Errno,
		PID: ev.PID, PPID: ev.PPID, Port: ev.Port, Count: count, Subjects: subjects,
	}
	switch ev.Kind {
	case trace.KindConnect, trace.KindBind, trace.KindSend:
		d.Endpoint = ev.Endpoint()
	}
	if d.Program == "" {
		d.Program = "a process"
	}
	if d.Command == "" {
		d.Command = ev.Path
	}
	switch {
	case ev.Failed():
		d.Outcome = "it failed with " + ev.Errno
	case ev.Result == "?" || ev.Result == "":
		d.Outcome = "its result is unknown"
	default:
		d.Outcome = "it succeeded"
	}
	return d
}

// quoteArgv writes a command line a person can read, quoting arguments with spaces.
func quoteArgv(argv []string) string {
	parts := make([]string, len(argv))
	for i, a := range argv {
		if a == "" || strings.ContainsAny(a, " \t\n\"'\\$`") {
			a = strconv.Quote(a)
		}
		parts[i] = a
	}
	return strings.Join(parts, " ")
}

func sampleData() messageData {
	return messageData{Path: "/p", Command: "c", Count: 1, Subjects: 1, PID: 1}
}
