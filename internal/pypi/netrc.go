package pypi

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// netrcEntry is one machine (or the default) in a .netrc file.
type netrcEntry struct {
	Machine  string // "" for the default entry
	Login    string
	Password string
}

// parseNetrc reads the .netrc format: whitespace-separated tokens "machine
// NAME", "default", "login", "password", "account", "macdef NAME" (whose
// body runs to the next empty line), "#" comments to the end of the line and
// double-quoted tokens with backslash escapes.
func parseNetrc(data string) ([]netrcEntry, error) {
	toks, err := netrcTokens(data)
	if err != nil {
		return nil, err
	}
	var out []netrcEntry
	var cur *netrcEntry
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		next := func() (string, error) {
			if i+1 >= len(toks) {
				return "", fmt.Errorf("netrc: %q at end of file needs a value", t.text)
			}
			i++
			return toks[i].text, nil
		}
		switch t.text {
		case "machine":
			name, err := next()
			if err != nil {
				return nil, err
			}
			out = append(out, netrcEntry{Machine: name})
			cur = &out[len(out)-1]
		case "default":
			out = append(out, netrcEntry{})
			cur = &out[len(out)-1]
		case "login", "password", "account":
			v, err := next()
			if err != nil {
				return nil, err
			}
			if cur == nil {
				return nil, fmt.Errorf("netrc: %q outside a machine entry", t.text)
			}
			switch t.text {
			case "login":
				cur.Login = v
			case "password":
				cur.Password = v
			}
		case "macdef":
			// The tokenizer already skipped the macro body.
			if _, err := next(); err != nil {
				return nil, err
			}
			cur = nil
		default:
			return nil, fmt.Errorf("netrc: unexpected token %q", t.text)
		}
	}
	return out, nil
}

type netrcToken struct {
	text string
}

func netrcTokens(s string) ([]netrcToken, error) {
	var toks []netrcToken
	i := 0
	skipMacro := false
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			continue
		}
		var text string
		if c == '"' {
			i++
			var b strings.Builder
			closed := false
			for i < len(s) {
				if s[i] == '\\' && i+1 < len(s) {
					b.WriteByte(s[i+1])
					i += 2
					continue
				}
				if s[i] == '"' {
					i++
					closed = true
					break
				}
				b.WriteByte(s[i])
				i++
			}
			if !closed {
				return nil, fmt.Errorf("netrc: unterminated quoted token")
			}
			text = b.String()
		} else {
			start := i
			for i < len(s) && !strings.ContainsRune(" \t\n\r\f\v", rune(s[i])) {
				i++
			}
			text = s[start:i]
			if text == "macdef" {
				skipMacro = true
				toks = append(toks, netrcToken{text: text})
				continue
			}
		}
		toks = append(toks, netrcToken{text: text})
		if skipMacro {
			// This was the macro name: its body runs from the next line to
			// the first empty line.
			skipMacro = false
			if nl := strings.IndexByte(s[i:], '\n'); nl >= 0 {
				i += nl + 1
				if end := strings.Index(s[i:], "\n\n"); end >= 0 && !strings.HasPrefix(s[i:], "\n") {
					i += end + 2
				} else if strings.HasPrefix(s[i:], "\n") {
					i++
				} else {
					i = len(s)
				}
			} else {
				i = len(s)
			}
		}
	}
	return toks, nil
}

// netrcLookup finds the entry for host (exact machine name, else default).
func netrcLookup(entries []netrcEntry, host string) (netrcEntry, bool) {
	host = strings.ToLower(host)
	for _, e := range entries {
		if e.Machine != "" && strings.ToLower(e.Machine) == host {
			return e, true
		}
	}
	for _, e := range entries {
		if e.Machine == "" {
			return e, true
		}
	}
	return netrcEntry{}, false
}

// loadNetrc reads the netrc file named by path ("" means $NETRC or
// ~/.netrc; "-" disables). A missing file is no error.
func loadNetrc(path string, getenv func(string) string) ([]netrcEntry, string, error) {
	if path == "-" {
		return nil, "", nil
	}
	if path == "" {
		path = getenv("NETRC")
	}
	if path == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, "", nil
		}
		path = filepath.Join(home, ".netrc")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, path, nil
		}
		return nil, path, fmt.Errorf("pypi: reading netrc %s: %w", path, err)
	}
	entries, err := parseNetrc(string(data))
	if err != nil {
		return nil, path, fmt.Errorf("pypi: %s: %w", path, err)
	}
	return entries, path, nil
}
