package archive

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Verdict names the reason an archive was refused. Verdicts go into the
// job report as they are.
type Verdict string

// The verdicts this package returns.
const (
	// UnsafeArchive: a member would escape the extraction directory, is a
	// link leaving the tree, a device node, a FIFO, a setuid file, ...
	UnsafeArchive Verdict = "unsafe-archive"
	// ArchiveLimits: a byte, entry, ratio, depth or name limit was hit.
	ArchiveLimits Verdict = "archive-limits"
	// MalformedArchive: the container is truncated, corrupt, ambiguous or
	// of an unsupported kind.
	MalformedArchive Verdict = "malformed-archive"
	// MetadataTooLarge: a metadata member (PKG-INFO, METADATA, RECORD) is
	// larger than the cap given for it; it was not parsed.
	MetadataTooLarge Verdict = "metadata-too-large"
)

// Error is a refusal of an archive. Member is the raw member name as stored
// in the archive (possibly not UTF-8); it is empty when the refusal concerns
// the archive as a whole.
type Error struct {
	Verdict Verdict `json:"verdict"`
	Member  string  `json:"member,omitempty"`
	Reason  string  `json:"reason"`
}

// Error renders the refusal with the member name escaped, for example
// `unsafe archive: member "../../x": path escapes the extraction directory`.
func (e *Error) Error() string {
	v := strings.ReplaceAll(string(e.Verdict), "-", " ")
	if e.Member == "" {
		return v + ": " + e.Reason
	}
	return v + ": member " + strconv.Quote(e.Member) + ": " + e.Reason
}

// VerdictOf returns the verdict carried by err, or "" when err is not (and
// does not wrap) an *Error.
func VerdictOf(err error) Verdict {
	var e *Error
	if errors.As(err, &e) {
		return e.Verdict
	}
	return ""
}

// ErrNotFound is returned by ReadMember when no member matches.
var ErrNotFound = errors.New("archive: no matching member")

func unsafeErr(member, format string, args ...any) *Error {
	return &Error{Verdict: UnsafeArchive, Member: member, Reason: fmt.Sprintf(format, args...)}
}

func limitErr(member, format string, args ...any) *Error {
	return &Error{Verdict: ArchiveLimits, Member: member, Reason: fmt.Sprintf(format, args...)}
}

func malformedErr(member, format string, args ...any) *Error {
	return &Error{Verdict: MalformedArchive, Member: member, Reason: fmt.Sprintf(format, args...)}
}
