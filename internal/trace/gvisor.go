package trace

import (
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// gVisor's own strace (runsc --strace --debug-log) writes glog lines such as
//
//	I1124 03:22:12.996834   32038 strace.go:608] [   1:   1] python3 X openat(AT_FDCWD /tmp, 0x7f9a3d3cfd70 g1.txt, O_WRONLY|O_CREAT, 0o666) = 3 (0x3) (39.464µs)
//	I1124 03:22:13.000277   32038 strace.go:605] [   1:   1] python3 X connect(0x3 socket:[1], 0x7f28edab90e0 {Family: AF_INET, Addr: 203.0.113.7, Port: 443}, 0x10) = 0 (0x0) errno=113 (no route to host) (21.371µs)
//
// (pkg/sentry/strace/strace.go: "%s E %s(%s)" on entry, "%s X %s(%s) = %s" on exit). Paths
// are printed unquoted after their address, so a path holding ", " can be mis-split. The pids
// are those inside the sandbox. The glog time has no year: the parser takes it from
// Options.Year (or the current year).

// isGVisorLine reports whether s is a glog line ("I1124 03:22:12.996834 ...").
func isGVisorLine(s string) bool {
	if len(s) < 22 || !strings.ContainsRune("IWEFD", rune(s[0])) {
		return false
	}
	return isDigits(s[1:5]) && s[5] == ' ' && s[8] == ':' && s[11] == ':'
}

// parseGVisorLine turns one strace line of a gVisor debug log into the strace form the rest of
// the parser reads. ok is false for the other lines of the log.
func parseGVisorLine(s string, year int) (Line, bool) {
	var ln Line
	i := strings.Index(s, " strace.go:")
	if i < 0 {
		return ln, false
	}
	rest := s[i+len(" strace.go:"):]
	j := strings.Index(rest, "] [")
	if j < 0 {
		return ln, false
	}
	rest = rest[j+3:]
	k := strings.IndexByte(rest, ']')
	if k < 0 {
		return ln, false
	}
	tgid, tid, ok := strings.Cut(rest[:k], ":")
	if !ok {
		return ln, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(tid))
	if err != nil {
		return ln, false
	}
	if _, err := strconv.Atoi(strings.TrimSpace(tgid)); err != nil {
		return ln, false
	}
	ln.PID = pid
	ln.Time = glogTime(s[1:i], year)
	rest = strings.TrimLeft(rest[k+1:], " ")
	// "<comm> E name(args)" or "<comm> X name(args) = result"
	var phase string
	for _, p := range []string{" E ", " X "} {
		if x := strings.Index(rest, p); x >= 0 {
			phase, rest = p[1:2], rest[x+3:]
			break
		}
	}
	open := strings.IndexByte(rest, '(')
	if phase == "" || open <= 0 || !isIdent(rest[:open]) {
		return ln, false
	}
	ln.Name = rest[:open]
	body := rest[open+1:]
	if phase == "E" {
		switch ln.Name {
		case "exit_group", "exit":
			// The process ends here; its X line, if any, says nothing more.
			n, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(strings.TrimSuffix(body, ")"), "0x"), ")"), 16, 32)
			ln.Type, ln.Status = LineExited, int(n&0xff)
			if ln.Name == "exit" && tgid != tid {
				ln.Type = LineOther
			}
			return ln, true
		case "clone", "clone3", "fork", "vfork", "execve", "execveat":
			// Marks a fork in progress, so that a child seen early is adopted.
			ln.Type, ln.Args = LineUnfinished, GVisorArgs(strings.TrimSuffix(body, ")"))
			return ln, true
		}
		ln.Type = LineOther
		return ln, true
	}
	if ln.Name == "exit_group" || ln.Name == "exit" {
		ln.Type = LineOther
		return ln, true
	}
	end := scanArgs(body)
	if end < 0 {
		return ln, false
	}
	res := strings.TrimPrefix(strings.TrimLeft(body[end+1:], " "), "= ")
	ln.Type, ln.Args, ln.Result = LineSyscall, GVisorArgs(body[:end]), GVisorResult(res)
	return ln, true
}

// glogTime parses "1124 03:22:12.996834   32038" (month, day, time, thread).
func glogTime(s string, year int) time.Time {
	f := strings.Fields(s)
	if len(f) < 2 {
		return time.Time{}
	}
	t, err := time.Parse("0102 15:04:05.999999", f[0]+" "+f[1])
	if err != nil {
		return time.Time{}
	}
	return t.AddDate(year-t.Year(), 0, 0).UTC()
}

// GVisorResult turns "3 (0x3) (39µs)" into "3" and "0 (0x0) errno=2 (no such file or
// directory) (1µs)" into "-1 ENOENT (no such file or directory)".
func GVisorResult(r string) string {
	val, _, _ := strings.Cut(r, " ")
	if e := strings.Index(r, "errno="); e >= 0 {
		num := r[e+len("errno="):]
		n, err := strconv.Atoi(num[:digitsEnd(num)])
		if err != nil {
			return "-1"
		}
		name := unix.ErrnoName(syscall.Errno(n))
		if name == "" {
			name = "E" + strconv.Itoa(n)
		}
		msg := ""
		if p := strings.IndexByte(num, '('); p >= 0 {
			if q := strings.IndexByte(num[p:], ')'); q >= 0 {
				msg = " " + num[p:p+q+1]
			}
		}
		return "-1 " + name + msg
	}
	return val
}

// GVisorArgs rewrites gVisor's argument text into strace's: "0x7f.. /path" becomes "\"/path\"",
// "AT_FDCWD /tmp" and "0x3 /tmp/x" become -y decorations, socket addresses become strace's
// structures, bare hexadecimal numbers become decimal. The runsc backend uses it (and
// GVisorResult) to hand the parser strace's own format.
func GVisorArgs(args string) string {
	parts := splitArgs(args)
	for i, a := range parts {
		parts[i] = gvisorArg(a)
	}
	return strings.Join(parts, ", ")
}

func gvisorArg(a string) string {
	if rest, ok := strings.CutPrefix(a, "AT_FDCWD "); ok {
		return "AT_FDCWD<" + escapeDecoration(rest) + ">"
	}
	if !strings.HasPrefix(a, "0x") {
		return a
	}
	num, rest, hasRest := strings.Cut(a, " ")
	n, err := strconv.ParseUint(num[2:], 16, 64)
	if err != nil {
		return a
	}
	if !hasRest {
		return strconv.FormatUint(n, 10)
	}
	switch {
	case strings.HasPrefix(rest, "{Family: "):
		return gvisorSockaddr(rest)
	case strings.HasPrefix(rest, "["), strings.HasPrefix(rest, "{"), strings.HasPrefix(rest, "\""), strings.HasPrefix(rest, "("):
		return rest
	case n < 1<<20:
		// A descriptor with what it refers to.
		if strings.HasPrefix(rest, "/") {
			return strconv.FormatUint(n, 10) + "<" + escapeDecoration(rest) + ">"
		}
		return strconv.FormatUint(n, 10)
	}
	// An address followed by the path it holds.
	return quoteC(rest)
}

// gvisorSockaddr turns {Family: AF_INET, Addr: 203.0.113.7, Port: 443} into strace's form.
func gvisorSockaddr(s string) string {
	body := strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	fields := map[string]string{}
	for _, f := range splitArgs(body) {
		k, v, _ := strings.Cut(f, ": ")
		fields[k] = v
	}
	fam, addr, port := fields["Family"], fields["Addr"], fields["Port"]
	switch fam {
	case "AF_INET":
		return "{sa_family=AF_INET, sin_port=htons(" + port + "), sin_addr=inet_addr(" + quoteC(addr) + ")}"
	case "AF_INET6":
		return "{sa_family=AF_INET6, sin6_port=htons(" + port + "), inet_pton(AF_INET6, " + quoteC(addr) + ", &sin6_addr)}"
	case "AF_UNIX":
		if strings.HasPrefix(addr, "\"") {
			return "{sa_family=AF_UNIX, sun_path=" + addr + "}"
		}
		return "{sa_family=AF_UNIX, sun_path=" + quoteC(addr) + "}"
	}
	return "{sa_family=" + fam + "}"
}

func escapeDecoration(s string) string {
	return strings.NewReplacer(`\`, `\\`, "<", `\74`, ">", `\76`).Replace(s)
}

// quoteC quotes s the way strace does, so that unquote reads it back.
func quoteC(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20 || c >= 0x7f:
			b.WriteString(`\` + strconv.FormatUint(uint64(c), 8))
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}
