// Package inspection reads an unpacked distribution without running any of it. A Python script
// (python/static_scan.py, run in the sandbox) parses every Python file with Python's own ast,
// folds constants, resolves names reached through __import__, getattr and globals(), decodes
// encoded layers and reads them again as code, and writes facts; the rules (rules.toml, data
// with their own tests) turn facts into findings whose severity depends on where the code is.
// The package also judges names that imitate well-known projects and scores the packaging.
package inspection

import (
	_ "embed"

	"github.com/pyti/pyti/internal/report"
)

// Finding is one static observation with its evidence.
type Finding struct {
	RuleID   string          `json:"rule_id"`
	Severity report.Severity `json:"severity"`
	Title    string          `json:"title"`
	Message  string          `json:"message"`
	// File is relative to the source tree, shown escaped; Line is 1-based (0: the whole file).
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Snippet string `json:"snippet,omitempty"`
	// Count is how many places matched in that file; the most severe is shown.
	Count int `json:"count"`
	// Layers is the chain of decoded layers the code was found in ("line 6: base64+zlib"), outermost
	// first; empty for code as shipped.
	Layers []string `json:"layers,omitempty"`
}

// ScannerScript is the Python scanner, run as `python3 -I static_scan.py ROOT OUT CONFIG`.
//
//go:embed python/static_scan.py
var ScannerScript []byte
