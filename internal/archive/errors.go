package archive

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Refusal names the kind of reason an archive was refused. It is not a verdict: the report
// owns those (report.Verdict), and the unpack task decides one from the refusal.
type Refusal string

// The refusals this package returns.
const (
	// UnsafeArchive: a member would escape the extraction directory, is a
	// link leaving the tree, a device node, a FIFO, a setuid file, ...
	UnsafeArchive Refusal = "unsafe-archive"
	// ArchiveLimits: a byte, entry, ratio, depth or name limit was hit.
	ArchiveLimits Refusal = "archive-limits"
	// MalformedArchive: the container is truncated, corrupt, ambiguous or
	// of an unsupported kind.
	MalformedArchive Refusal = "malformed-archive"
	// MetadataTooLarge: a metadata member (PKG-INFO, METADATA, RECORD) is
	// larger than the cap given for it; it was not parsed.
	MetadataTooLarge Refusal = "metadata-too-large"
)

// Error is a refusal of an archive. Member is the raw member name as stored
// in the archive (possibly not UTF-8); it is empty when the refusal concerns
// the archive as a whole.
type Error struct {
	Refusal Refusal `json:"refusal"`
	Member  string  `json:"member,omitempty"`
	Reason  string  `json:"reason"`
}

// Error renders the refusal with the member name escaped, for example
// `unsafe archive: member "../../x": path escapes the extraction directory`.
func (e *Error) Error() string {
	v := strings.ReplaceAll(string(e.Refusal), "-", " ")
	if e.Member == "" {
		return v + ": " + e.Reason
	}
	return v + ": member " + strconv.Quote(e.Member) + ": " + e.Reason
}

// RefusalOf returns the refusal carried by err, or "" when err is not (and
// does not wrap) an *Error.
func RefusalOf(err error) Refusal {
	var e *Error
	if errors.As(err, &e) {
		return e.Refusal
	}
	return ""
}

// ErrNotFound is returned by ReadMember when no member matches.
var ErrNotFound = errors.New("archive: no matching member")

func unsafeErr(member, format string, args ...any) *Error {
	return &Error{Refusal: UnsafeArchive, Member: member, Reason: fmt.Sprintf(format, args...)}
}

func limitErr(member, format string, args ...any) *Error {
	return &Error{Refusal: ArchiveLimits, Member: member, Reason: fmt.Sprintf(format, args...)}
}

func malformedErr(member, format string, args ...any) *Error {
	return &Error{Refusal: MalformedArchive, Member: member, Reason: fmt.Sprintf(format, args...)}
}
