package inspection

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
)

// Fact is one thing the scanner (python/static_scan.py) read in a file; see the script's doc for
// the kinds.
type Fact struct {
	T      string   `json:"t"`
	File   string   `json:"file"`
	Line   int      `json:"line"`
	Layers []string `json:"layers"`
	// Role is the file's: setup, module, test, example, script, pth (filled in from its file fact).
	Role string `json:"role"`
	// Ctx is where the code runs: install (setup.py and its command hooks), module (at import),
	// called (a function called at import), main (under __main__), function (only if called).
	Ctx   string            `json:"ctx"`
	Name  string            `json:"name"`
	Args  []string          `json:"args"`
	Kw    map[string]string `json:"kw"`
	Taint []string          `json:"taint"`
	Chain []string          `json:"chain"`
	Value string            `json:"value"`
	Text  string            `json:"text"`
	// file facts
	Parse string `json:"parse"`
	Note  string `json:"note"`
	Bytes int64  `json:"bytes"`
	// binary facts
	Kind string `json:"kind"`
	// setup facts
	Cmdclass []string `json:"cmdclass"`
	Hooks    []string `json:"hooks"`
	// done
	Files     int     `json:"files"`
	Seconds   float64 `json:"seconds"`
	Truncated string  `json:"truncated"`
	Crypto    bool    `json:"crypto"`
}

// text is what a rule's patterns read.
func (f *Fact) text() string {
	switch f.T {
	case "call":
		return f.Name + "(" + strings.Join(f.Args, ", ") + ")"
	case "str":
		return f.Value
	case "layer", "pth", "bidi", "obfuscation":
		return f.Text
	case "binary":
		return f.Kind + " " + f.File
	case "setup":
		return "cmdclass:" + strings.Join(f.Cmdclass, ",")
	case "file":
		return "parse:" + f.Parse + " " + f.Note
	}
	return f.Value
}

// ScanStats says what the scanner read and what it passed over.
type ScanStats struct {
	Files   int      `json:"files"`
	Parsed  int      `json:"parsed"`
	Layers  int      `json:"decoded_layers"`
	Seconds float64  `json:"seconds"`
	Skipped []string `json:"skipped,omitempty"`
	// TokenScan are the files that did not parse (Python 2, say), read by a token scan instead.
	TokenScan []string `json:"token_scan,omitempty"`
	Truncated string   `json:"truncated,omitempty"`
	// Crypto: the scanner could decrypt Fernet payloads with a constant key.
	Crypto bool `json:"crypto"`
	// Complete: the scanner finished (its last line came).
	Complete bool `json:"complete"`
}

// ReadFacts reads the scanner's JSON lines, at most maxFacts of them, and fills in each fact's
// role from its file's.
func ReadFacts(r io.Reader, maxFacts int) ([]Fact, ScanStats, error) {
	var out []Fact
	var st ScanStats
	roles := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 8<<20)
	for sc.Scan() {
		var f Fact
		if err := json.Unmarshal(sc.Bytes(), &f); err != nil {
			continue
		}
		switch f.T {
		case "file":
			roles[f.File] = f.Role
			switch f.Parse {
			case "ast", "pth":
				st.Parsed++
			case "tokens":
				st.TokenScan = append(st.TokenScan, Display(f.File)+": "+f.Note)
			case "skipped":
				st.Skipped = append(st.Skipped, Display(f.File)+": "+f.Note)
			}
			st.Files++
		case "layer":
			st.Layers++
		case "done":
			st.Seconds, st.Truncated, st.Crypto, st.Complete = f.Seconds, f.Truncated, f.Crypto, true
			continue
		}
		if len(out) < maxFacts {
			out = append(out, f)
		} else if st.Truncated == "" {
			st.Truncated = fmt.Sprintf("more than %d facts; the rest were not read", maxFacts)
		}
	}
	if err := sc.Err(); err != nil {
		return out, st, fmt.Errorf("reading the scanner's output: %w", err)
	}
	for i := range out {
		if r, ok := roles[out[i].File]; ok {
			out[i].Role = r
		} else if out[i].Role == "" {
			out[i].Role = "module"
		}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].File < out[b].File })
	return out, st, nil
}
