// Package inspection looks at an unpacked distribution without running any of it: suspicious code
// in setup.py and the package (encoded payloads handed to exec, network or process calls at install
// time, obfuscation, .pth files with code), names that imitate well-known projects, and a
// packaging-quality score with its reasons. Pure Go, on the host, before any sandbox.
package inspection

// Severity orders findings; the values match the behaviour rules' severities.
type Severity string

// The severities, least to most serious.
const (
	Info     Severity = "info"
	Low      Severity = "low"
	Medium   Severity = "medium"
	High     Severity = "high"
	Critical Severity = "critical"
)

// Finding is one static observation with its evidence.
type Finding struct {
	RuleID   string   `json:"rule_id"`
	Severity Severity `json:"severity"`
	Title    string   `json:"title"`
	Message  string   `json:"message"`
	// File is relative to the source tree, shown escaped; Line is 1-based (0: the whole file).
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Snippet string `json:"snippet,omitempty"`
	// Count is how many places matched in that file; the first is shown.
	Count int `json:"count"`
}
