package pkgmeta

import "fmt"

// Severity ranks a Problem.
type Severity string

// The severities of a Problem.
const (
	// SeverityError is what an index would refuse or a tool would fail on.
	SeverityError Severity = "error"
	// SeverityWarning is accepted but likely wrong or deprecated.
	SeverityWarning Severity = "warning"
	// SeverityInfo is worth knowing but harmless.
	SeverityInfo Severity = "info"
)

// Problem is one finding about a piece of metadata. Field names the header,
// table key or option concerned (for example "Requires-Dist",
// "project.version" or "options.install_requires").
type Problem struct {
	Field    string   `json:"field"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
}

// String renders the problem for humans: "error: Name: missing".
func (p Problem) String() string {
	return fmt.Sprintf("%s: %s: %s", p.Severity, p.Field, p.Message)
}

func errorf(field, format string, args ...any) Problem {
	return Problem{Field: field, Severity: SeverityError, Message: fmt.Sprintf(format, args...)}
}

func warnf(field, format string, args ...any) Problem {
	return Problem{Field: field, Severity: SeverityWarning, Message: fmt.Sprintf(format, args...)}
}

func infof(field, format string, args ...any) Problem {
	return Problem{Field: field, Severity: SeverityInfo, Message: fmt.Sprintf(format, args...)}
}
