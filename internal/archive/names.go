package archive

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// DisplayName returns name escaped the way strconv.Quote escapes it, without
// the surrounding quotes: invalid UTF-8, control characters and bidi
// controls become visible escapes, so the result is safe to show and to put
// into JSON losslessly.
func DisplayName(name string) string {
	q := strconv.Quote(name)
	return q[1 : len(q)-1]
}

// cleanName validates a member name and returns its cleaned relative path
// ("" for the archive root, e.g. "./"), a reason why the path must not be
// used on the host (kept as data, not extracted) or "", and a refusal.
func cleanName(name string, lim Limits) (string, string, error) {
	if len(name) > lim.MaxNameBytes {
		return "", "", limitErr(name, "name is %d bytes long, limit %d", len(name), lim.MaxNameBytes)
	}
	if name == "" {
		return "", "", malformedErr(name, "empty member name")
	}
	if strings.ContainsRune(name, '\\') {
		return "", "", unsafeErr(name, "name contains a backslash")
	}
	if hasDrivePrefix(name) {
		return "", "", unsafeErr(name, "name has a drive prefix")
	}
	if name[0] == '/' {
		return "", "", unsafeErr(name, "path is absolute")
	}
	parts := strings.Split(name, "/")
	out := make([]string, 0, len(parts))
	for _, c := range parts {
		switch c {
		case "", ".":
			continue
		case "..":
			return "", "", unsafeErr(name, "path escapes the extraction directory")
		}
		if len(c) > lim.MaxComponentBytes {
			return "", "", limitErr(name, "path component is %d bytes long, limit %d", len(c), lim.MaxComponentBytes)
		}
		out = append(out, c)
	}
	if len(out) > lim.MaxDepth {
		return "", "", limitErr(name, "path is %d levels deep, limit %d", len(out), lim.MaxDepth)
	}
	p := strings.Join(out, "/")
	return p, hostPathProblem(p), nil
}

func hasDrivePrefix(s string) bool {
	if len(s) < 2 || s[1] != ':' {
		return false
	}
	c := s[0]
	return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// hostPathProblem says why s must not become a host path, or "".
func hostPathProblem(s string) string {
	if !utf8.ValidString(s) {
		return "name is not valid UTF-8"
	}
	for _, r := range s {
		switch {
		case r < 0x20, r == 0x7f, 0x80 <= r && r <= 0x9f, r == 0x2028, r == 0x2029:
			return "name contains control characters"
		case isBidiControl(r):
			return "name contains bidi control characters"
		}
	}
	return ""
}

func isBidiControl(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case 0x202a <= r && r <= 0x202e:
		return true
	case 0x2066 <= r && r <= 0x2069:
		return true
	}
	return false
}

// IsWheelMetadata matches the cleaned path of a wheel's metadata file,
// "<name>-<version>.dist-info/METADATA". Use it as ReadMember's predicate.
func IsWheelMetadata(name string) bool {
	dir, file, ok := strings.Cut(name, "/")
	return ok && file == "METADATA" && strings.HasSuffix(dir, ".dist-info") && len(dir) > len(".dist-info")
}

// IsWheelRecord matches the cleaned path of a wheel's RECORD file.
func IsWheelRecord(name string) bool {
	dir, file, ok := strings.Cut(name, "/")
	return ok && file == "RECORD" && strings.HasSuffix(dir, ".dist-info") && len(dir) > len(".dist-info")
}

// IsSdistPKGInfo matches the cleaned path of an sdist's PKG-INFO at the top
// directory, "<name>-<version>/PKG-INFO". Use it as ReadMember's predicate.
func IsSdistPKGInfo(name string) bool {
	dir, file, ok := strings.Cut(name, "/")
	return ok && dir != "" && file == "PKG-INFO"
}
