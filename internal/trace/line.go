package trace

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"time"
)

// LineType says what one line of strace output is.
type LineType int

// The line types.
const (
	LineSyscall    LineType = iota // name(args) = result
	LineUnfinished                 // name(args <unfinished ...>
	LineResumed                    // <... name resumed>args) = result
	LineSignal                     // --- SIGCHLD {...} ---
	LineExited                     // +++ exited with N +++
	LineKilled                     // +++ killed by SIGKILL +++
	LineOther                      // +++ superseded by execve +++, --- stopped by ... ---
)

// Line is one line of strace output, split but not yet interpreted.
type Line struct {
	PID  int
	Time time.Time
	Type LineType
	// Name is the syscall name; for LineSignal and LineKilled, the signal name.
	Name string
	// Args is the raw argument text: everything between the parentheses for LineSyscall, the
	// beginning of it for LineUnfinished, the rest of it for LineResumed.
	Args string
	// Result is the text after " = ": "3", "-1 ENOENT (No such file or directory)", "?".
	Result string
	// Status is the exit status of LineExited.
	Status int
	// Text is the rest of a signal or other line.
	Text string
}

// ErrNotStrace is returned by ParseLine for a line that is not strace output.
var ErrNotStrace = errors.New("not a strace line")

const unfinishedMark = " <unfinished ...>"

// ParseLine splits one line of `strace -f -ttt` output. It accepts lines with or without the
// pid column ("[pid N]" too) and with or without the timestamp.
func ParseLine(s string) (Line, error) {
	var ln Line
	s = strings.TrimRight(s, "\r\n")
	rest := strings.TrimLeft(s, " ")
	if strings.HasPrefix(rest, "[pid ") {
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return ln, ErrNotStrace
		}
		pid, err := strconv.Atoi(strings.TrimSpace(rest[5:end]))
		if err != nil {
			return ln, ErrNotStrace
		}
		ln.PID = pid
		rest = strings.TrimLeft(rest[end+1:], " ")
	} else if f, r, ok := strings.Cut(rest, " "); ok && isDigits(f) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			return ln, ErrNotStrace
		}
		ln.PID = pid
		rest = strings.TrimLeft(r, " ")
	}
	if f, r, ok := strings.Cut(rest, " "); ok && isTimestamp(f) {
		ln.Time = parseTimestamp(f)
		rest = strings.TrimLeft(r, " ")
	}
	switch {
	case strings.HasPrefix(rest, "--- "):
		body := strings.TrimSuffix(strings.TrimPrefix(rest, "--- "), " ---")
		name, text, _ := strings.Cut(body, " ")
		if strings.HasPrefix(name, "SIG") {
			ln.Type, ln.Name, ln.Text = LineSignal, name, text
			return ln, nil
		}
		ln.Type, ln.Text = LineOther, body
		return ln, nil
	case strings.HasPrefix(rest, "+++ "):
		body := strings.TrimSuffix(strings.TrimPrefix(rest, "+++ "), " +++")
		if st, ok := strings.CutPrefix(body, "exited with "); ok {
			n, err := strconv.Atoi(strings.TrimSpace(st))
			if err != nil {
				return ln, ErrNotStrace
			}
			ln.Type, ln.Status = LineExited, n
			return ln, nil
		}
		if sig, ok := strings.CutPrefix(body, "killed by "); ok {
			name, text, _ := strings.Cut(sig, " ")
			ln.Type, ln.Name, ln.Text = LineKilled, name, text
			return ln, nil
		}
		ln.Type, ln.Text = LineOther, body
		return ln, nil
	case strings.HasPrefix(rest, "<... "):
		end := strings.Index(rest[5:], " resumed>")
		if end < 0 {
			return ln, ErrNotStrace
		}
		end += 5
		ln.Type, ln.Name = LineResumed, rest[5:end]
		body := rest[end+len(" resumed>"):]
		// A call cut short by the death of its process: "<... wait4 resumed> <unfinished ...>) = ?".
		body = strings.TrimPrefix(body, unfinishedMark)
		args, result, ok := splitCall(body)
		if !ok {
			return ln, ErrNotStrace
		}
		ln.Args, ln.Result = args, result
		return ln, nil
	}
	open := strings.IndexByte(rest, '(')
	if open <= 0 || !isIdent(rest[:open]) {
		return ln, ErrNotStrace
	}
	ln.Name = rest[:open]
	body := rest[open+1:]
	if strings.HasSuffix(body, unfinishedMark) {
		ln.Type, ln.Args = LineUnfinished, strings.TrimSuffix(body, unfinishedMark)
		return ln, nil
	}
	args, result, ok := splitCall(body)
	if !ok {
		return ln, ErrNotStrace
	}
	ln.Type, ln.Args, ln.Result = LineSyscall, args, result
	return ln, nil
}

// splitCall splits `args) = result` at the closing parenthesis of the call.
func splitCall(body string) (args, result string, ok bool) {
	end := scanArgs(body)
	if end < 0 {
		return "", "", false
	}
	args = body[:end]
	tail := strings.TrimLeft(body[end+1:], " ")
	r, found := strings.CutPrefix(tail, "= ")
	if !found {
		if tail == "=" || tail == "= ?" {
			return args, "?", true
		}
		return "", "", false
	}
	return args, strings.TrimSpace(r), true
}

// scanArgs returns the index of the parenthesis closing the argument list that body begins
// inside of, or -1. It skips quoted strings, nested brackets, comments and -y path decorations.
func scanArgs(body string) int {
	depth := 0
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '"':
			i = skipString(body, i)
			if i < 0 {
				return -1
			}
		case '<':
			if j := skipDecoration(body, i); j > i {
				i = j
			}
		case '/':
			if i+1 < len(body) && body[i+1] == '*' {
				j := strings.Index(body[i+2:], "*/")
				if j < 0 {
					return -1
				}
				i += j + 3
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

// skipString returns the index of the closing quote of the string that opens at i, or -1.
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

// skipDecoration returns the index of the '>' closing a -y decoration ("3</tmp/x>",
// "AT_FDCWD</work>") that opens at i, or i when s[i] does not open one. strace escapes '<'
// and '>' inside the path, so the first bare '>' closes it.
func skipDecoration(s string, i int) int {
	if i == 0 {
		return i
	}
	p := s[i-1]
	if !(p >= '0' && p <= '9') && !strings.HasSuffix(s[:i], "AT_FDCWD") {
		return i
	}
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			j++
		case '>':
			return j
		}
	}
	return i
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isIdent(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			return false
		}
	}
	return s != ""
}

func isTimestamp(s string) bool {
	dot := strings.IndexByte(s, '.')
	return dot > 0 && isDigits(s[:dot]) && isDigits(s[dot+1:])
}

func parseTimestamp(s string) time.Time {
	sec, frac, _ := strings.Cut(s, ".")
	n, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || n > math.MaxInt32*4 {
		return time.Time{}
	}
	if len(frac) > 9 {
		frac = frac[:9]
	}
	ns, err := strconv.ParseInt(frac+strings.Repeat("0", 9-len(frac)), 10, 64)
	if err != nil {
		ns = 0
	}
	return time.Unix(n, ns).UTC()
}
