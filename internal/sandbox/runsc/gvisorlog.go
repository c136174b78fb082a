package runsc

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/trace"
)

// maxLogLine caps one line of gVisor's debug log; a longer line is skipped.
const maxLogLine = 1 << 20

// Converter turns gVisor's debug log (runsc --strace) into the form `strace -f -ttt -y`
// prints, the form the rest of PYTI (trace.Parse, the conformance suite, a reader used to
// strace) expects of a trace file:
//
//	I1124 03:22:12.996834  32038 strace.go:608] [   2:   2] sh X openat(AT_FDCWD /tmp, 0x55.. /tmp/x, O_RDONLY, 0o0) = 3 (0x3) (39µs)
//
// becomes
//
//	2 1763954532.996834 openat(AT_FDCWD</tmp>, "/tmp/x", O_RDONLY, 0o0) = 3
//
// Calls are written when they return; clone, fork, vfork and execve are written unfinished
// when they start and resumed when they return, and the start of exit_group is written as
// "+++ exited with N +++". Other lines of the log are dropped.
type Converter struct {
	// Now completes the dates, which the log prints without a year.
	Now time.Time
	// FromFirstExec drops everything before the first execve: the sandbox's own set-up before
	// it execs PYTI's init (a host strace's trace, likewise, begins with the exec of bwrap).
	FromFirstExec bool
	// ForkRefused, if set, is called for every clone, fork or vfork that failed with EAGAIN
	// (the process limit).
	ForkRefused func()
}

// Convert reads the log from r until its end and writes the converted lines to w, flushing
// whenever r has nothing more to read yet, so that a run killed midway keeps its trace so far.
func (c Converter) Convert(w io.Writer, r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	bw := bufio.NewWriterSize(w, 64<<10)
	var line []byte
	long, started := false, !c.FromFirstExec
	pending := map[string]string{} // tid -> the call written unfinished
	emit := func(s string) {
		out, ok := ConvertLine(s, c.Now)
		if !ok {
			return
		}
		body := callText(out)
		if !started {
			if !strings.HasPrefix(body, "execve(") {
				return
			}
			started = true
		}
		tid, _, _ := strings.Cut(out, " ")
		if name, ok := strings.CutPrefix(body, "<... "); ok {
			name, _, _ = strings.Cut(name, " ")
			if pending[tid] != name {
				return // its start was dropped
			}
			delete(pending, tid)
		} else if strings.HasSuffix(body, unfinished) {
			name, _, _ := strings.Cut(body, "(")
			pending[tid] = name
		}
		if c.ForkRefused != nil && strings.Contains(body, " = -1 EAGAIN") {
			for _, f := range []string{"<... clone resumed>", "<... fork resumed>", "<... vfork resumed>"} {
				if strings.HasPrefix(body, f) {
					c.ForkRefused()
				}
			}
		}
		_, _ = bw.WriteString(out)
		_ = bw.WriteByte('\n')
	}
	for {
		if br.Buffered() == 0 {
			if err := bw.Flush(); err != nil {
				return fmt.Errorf("runsc trace: %w", err)
			}
		}
		chunk, isPrefix, err := br.ReadLine()
		if len(chunk) > 0 {
			if len(line)+len(chunk) > maxLogLine {
				long = true
			} else {
				line = append(line, chunk...)
			}
		}
		if err != nil {
			if len(line) > 0 && !long {
				emit(string(line))
			}
			if ferr := bw.Flush(); ferr != nil {
				return fmt.Errorf("runsc trace: %w", ferr)
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("runsc trace: %w", err)
		}
		if isPrefix {
			continue
		}
		if !long {
			emit(string(line))
		}
		line, long = line[:0], false
	}
}

const unfinished = " <unfinished ...>"

// callText returns a converted line without its pid and time.
func callText(out string) string {
	_, rest, _ := strings.Cut(out, " ")
	_, rest, _ = strings.Cut(rest, " ")
	return rest
}

// forkCalls are written unfinished when they start, so that a child's first lines, which
// gVisor may log before its parent's call returns, are tied to the parent.
var forkCalls = map[string]bool{"clone": true, "clone3": true, "fork": true, "vfork": true, "execve": true, "execveat": true}

// ConvertLine converts one line of gVisor's debug log (see Convert); ok is false for a line
// that yields nothing.
func ConvertLine(s string, now time.Time) (out string, ok bool) {
	i := strings.Index(s, " strace.go:")
	if i < 0 || len(s) < 21 {
		return "", false
	}
	ts, ok := logTime(s[1:i], now)
	if !ok {
		return "", false
	}
	rest := s[i+len(" strace.go:"):]
	j := strings.Index(rest, "] [")
	if j < 0 {
		return "", false
	}
	rest = rest[j+3:]
	k := strings.IndexByte(rest, ']')
	if k < 0 {
		return "", false
	}
	tgidText, tidText, found := strings.Cut(rest[:k], ":")
	if !found {
		return "", false
	}
	tgid, err1 := strconv.Atoi(strings.TrimSpace(tgidText))
	tid, err2 := strconv.Atoi(strings.TrimSpace(tidText))
	if err1 != nil || err2 != nil {
		return "", false
	}
	rest = rest[k+1:]
	// "<comm> E name(args)" or "<comm> X name(args) = result"; comm may hold spaces.
	phase := ""
	for _, p := range []string{" E ", " X "} {
		if x := strings.Index(rest, p); x >= 0 {
			phase, rest = p[1:2], rest[x+3:]
			break
		}
	}
	open := strings.IndexByte(rest, '(')
	if phase == "" || open <= 0 || !isIdent(rest[:open]) {
		return "", false
	}
	name, body := rest[:open], rest[open+1:]
	prefix := strconv.Itoa(tid) + " " + ts + " "
	if phase == "E" {
		switch {
		case name == "exit_group" || (name == "exit" && tgid == tid):
			n, err := strconv.ParseUint(strings.TrimPrefix(strings.TrimSuffix(body, ")"), "0x"), 16, 64)
			if err != nil {
				return "", false
			}
			return prefix + "+++ exited with " + strconv.FormatUint(n&0xff, 10) + " +++", true
		case forkCalls[name]:
			return prefix + name + "(" + trace.GVisorArgs(strings.TrimSuffix(body, ")")) + unfinished, true
		}
		return "", false
	}
	if name == "exit_group" || name == "exit" {
		return "", false
	}
	end := argsEnd(body)
	if end < 0 {
		return "", false
	}
	result := trace.GVisorResult(strings.TrimPrefix(strings.TrimLeft(body[end+1:], " "), "= "))
	if forkCalls[name] {
		return prefix + "<... " + name + " resumed>) = " + result, true
	}
	return prefix + name + "(" + trace.GVisorArgs(body[:end]) + ") = " + result, true
}

// logTime turns glog's "1124 03:22:12.996834   32038" (month, day, time, thread) into strace's
// -ttt seconds, in the year that puts it closest before now.
func logTime(s string, now time.Time) (string, bool) {
	f := strings.Fields(s)
	if len(f) < 2 {
		return "", false
	}
	t, err := time.ParseInLocation("0102 15:04:05.999999", f[0]+" "+f[1], now.Location())
	if err != nil {
		return "", false
	}
	t = t.AddDate(now.Year()-t.Year(), 0, 0)
	if t.After(now.Add(24 * time.Hour)) {
		t = t.AddDate(-1, 0, 0) // a log from December read in January
	}
	return fmt.Sprintf("%d.%06d", t.Unix(), t.Nanosecond()/1000), true
}

// argsEnd returns the index of the parenthesis closing the argument list at the start of body.
func argsEnd(body string) int {
	depth := 0
	for i := 0; i < len(body); i++ {
		switch body[i] {
		case '"':
			if j := skipString(body, i); j >= 0 {
				i = j
			} else {
				return -1
			}
		case '(', '[', '{':
			depth++
		case ']', '}':
			depth--
		case ')':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

// skipString returns the index of the quote closing the string that starts at s[i], or -1.
func skipString(s string, i int) int {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '"':
			return j
		}
	}
	return -1
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}
