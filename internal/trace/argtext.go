package trace

import (
	"strconv"
	"strings"
)

// splitArgs splits a raw argument list at its top-level commas.
func splitArgs(s string) []string {
	var out []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			j := skipString(s, i)
			if j < 0 {
				i = len(s)
				continue
			}
			i = j
		case '<':
			if j := skipDecoration(s, i); j > i {
				i = j
			}
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(s[start:i]))
				start = i + 1
			}
		}
	}
	if tail := strings.TrimSpace(s[start:]); tail != "" || len(out) > 0 {
		out = append(out, tail)
	}
	return out
}

// unquote decodes a strace string literal: "..." with C escapes and octal or hex bytes,
// possibly followed by "..." when strace cut it short.
func unquote(tok string) (s string, truncated, ok bool) {
	tok = strings.TrimSpace(tok)
	if len(tok) < 2 || tok[0] != '"' {
		return "", false, false
	}
	end := skipString(tok, 0)
	if end < 0 {
		// Cut by the line-length cap: decode what there is.
		end, truncated = len(tok), true
	} else if strings.HasPrefix(tok[end+1:], "...") {
		truncated = true
	}
	return unescape(tok[1:end]), truncated, true
}

// unescape decodes the escapes strace writes inside a string.
func unescape(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b = append(b, c)
			continue
		}
		i++
		switch e := s[i]; e {
		case 'n':
			b = append(b, '\n')
		case 't':
			b = append(b, '\t')
		case 'r':
			b = append(b, '\r')
		case 'v':
			b = append(b, '\v')
		case 'f':
			b = append(b, '\f')
		case 'a':
			b = append(b, '\a')
		case 'b':
			b = append(b, '\b')
		case 'x':
			n, j := 0, i+1
			for ; j < len(s) && j < i+3 && isHex(s[j]); j++ {
				n = n*16 + hexVal(s[j])
			}
			if j == i+1 {
				b = append(b, '\\', 'x')
				continue
			}
			b = append(b, byte(n))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			n, j := 0, i
			for ; j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7'; j++ {
				n = n*8 + int(s[j]-'0')
			}
			b = append(b, byte(n))
			i = j - 1
		default:
			b = append(b, e)
		}
	}
	return string(b)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	}
	return int(c-'A') + 10
}

// fdArg is a file descriptor argument: its number (atFDCWD for AT_FDCWD) and the path strace
// printed with -y, if any.
type fdArg struct {
	fd      int
	path    string
	hasPath bool
	ok      bool
}

const atFDCWD = -100

func parseFD(tok string) fdArg {
	tok = strings.TrimSpace(tok)
	num, deco := tok, ""
	if i := strings.IndexByte(tok, '<'); i > 0 {
		num = tok[:i]
		end := skipDecoration(tok, i)
		if end > i {
			deco = tok[i+1 : end]
		}
	}
	var a fdArg
	if num == "AT_FDCWD" {
		a.fd, a.ok = atFDCWD, true
	} else if n, err := strconv.Atoi(num); err == nil {
		a.fd, a.ok = n, true
	}
	if deco != "" && strings.HasPrefix(deco, "/") {
		a.path, a.hasPath = unescape(deco), true
	}
	return a
}

// parseStringArray decodes ["a", "b", ...] as printed for argv.
func parseStringArray(tok string) (out []string, truncated bool) {
	tok = strings.TrimSpace(tok)
	if !strings.HasPrefix(tok, "[") {
		return nil, false
	}
	inner := strings.TrimPrefix(tok, "[")
	if strings.HasSuffix(inner, "]") {
		inner = inner[:len(inner)-1]
	} else {
		truncated = true
	}
	for _, el := range splitArgs(inner) {
		if el == "..." {
			truncated = true
			continue
		}
		s, tr, ok := unquote(el)
		if !ok {
			continue
		}
		truncated = truncated || tr
		out = append(out, s)
	}
	return out, truncated
}

// sockaddr is a decoded socket address.
type sockaddr struct {
	family string
	addr   string
	port   int
	// path: addr is a Unix socket's file name (not an abstract name, which strace writes
	// @"name" and addr keeps as @name).
	path bool
}

// parseSockaddr finds the first {sa_family=...} structure in text and decodes it.
func parseSockaddr(text string) (sockaddr, bool) {
	var sa sockaddr
	i := strings.Index(text, "sa_family=")
	if i < 0 {
		return sa, false
	}
	rest := text[i+len("sa_family="):]
	sa.family = rest[:identEnd(rest)]
	if sa.family == "" {
		return sa, false
	}
	// The rest of this structure only.
	body := rest
	if end := structEnd(rest); end >= 0 {
		body = rest[:end]
	}
	if p := strings.Index(body, "_port=htons("); p >= 0 {
		num := body[p+len("_port=htons("):]
		if n, err := strconv.Atoi(num[:digitsEnd(num)]); err == nil {
			sa.port = n
		}
	}
	switch {
	case strings.Contains(body, "inet_addr("):
		sa.addr = firstString(body[strings.Index(body, "inet_addr("):])
	case strings.Contains(body, "inet_pton("):
		sa.addr = firstString(body[strings.Index(body, "inet_pton("):])
	case strings.Contains(body, "sun_path="):
		p := body[strings.Index(body, "sun_path=")+len("sun_path="):]
		if strings.HasPrefix(p, "@") {
			sa.addr = "@" + firstString(p)
		} else {
			sa.addr, sa.path = firstString(p), true
		}
	case strings.Contains(body, "nl_pid="):
		p := body[strings.Index(body, "nl_pid=")+len("nl_pid="):]
		sa.addr = "pid=" + p[:digitsEnd(p)]
	}
	return sa, true
}

// structEnd returns the index of the '}' closing the structure s is inside of, or -1.
func structEnd(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '"':
			j := skipString(s, i)
			if j < 0 {
				return -1
			}
			i = j
		case '{', '(', '[':
			depth++
		case ')', ']':
			depth--
		case '}':
			if depth == 0 {
				return i
			}
			depth--
		}
	}
	return -1
}

func firstString(s string) string {
	q := strings.IndexByte(s, '"')
	if q < 0 {
		return ""
	}
	v, _, _ := unquote(s[q:])
	return v
}

func identEnd(s string) int {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return i
		}
	}
	return len(s)
}

func digitsEnd(s string) int {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return i
		}
	}
	return len(s)
}

// splitResult splits "-1 ENOENT (No such file or directory)" into "-1" and "ENOENT", and
// "3</etc/passwd>" into "3" and no errno.
func splitResult(r string) (val, errno string) {
	val, rest, _ := strings.Cut(r, " ")
	if i := strings.IndexByte(val, '<'); i > 0 {
		val = val[:i]
	}
	if strings.HasPrefix(val, "-") {
		rest = strings.TrimSpace(rest)
		if e := rest[:identEnd(rest)]; strings.HasPrefix(e, "E") {
			errno = e
		}
	}
	return val, errno
}
