package pep440

import (
	"regexp"
	"strings"
)

var (
	nameSeparators = regexp.MustCompile(`[-_.]+`)
	validName      = regexp.MustCompile(`^([A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9])$`)
)

// NormalizeName returns the PEP 503 normalised form of a project or extra
// name: lower case, with every run of "-", "_" and "." replaced by one "-".
func NormalizeName(name string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(name, "-"))
}

// ValidName reports whether name is a valid PEP 508 distribution name:
// ASCII letters and digits, with ".", "_" and "-" allowed inside.
func ValidName(name string) bool {
	return validName.MatchString(name)
}
