package archive

import (
	"context"
	"fmt"
	"io"
)

// ReadMember reads the first regular-file member whose cleaned path (for
// example "pkg-1.0/PKG-INFO", see IsSdistPKGInfo and IsWheelMetadata)
// satisfies pred, without extracting anything. Members walked over before
// the match are checked as Extract checks them one by one (names, types,
// limits). The content is capped at max bytes before anything parses it:
// a larger member (declared or actual) is an *Error with verdict
// MetadataTooLarge. ErrNotFound is returned when nothing matches.
func ReadMember(ctx context.Context, archivePath string, lim Limits, pred func(name string) bool, max int64) (string, []byte, error) {
	lim = lim.withDefaults()
	src, format, err := openSource(archivePath)
	if err != nil {
		return "", nil, err
	}
	defer src.Close()
	var (
		name  string
		data  []byte
		found bool
	)
	err = walk(ctx, src, format.Container, lim, func(m *member, body bodyReader) error {
		if m.typ == typeOther {
			return unsafeErr(m.name, "member is a %s", m.kind)
		}
		p, why, err := cleanName(m.name, lim)
		if err != nil {
			return err
		}
		if m.typ != TypeFile || why != "" || p == "" || !pred(p) {
			return nil
		}
		if m.size > max {
			return &Error{Refusal: MetadataTooLarge, Member: m.name, Reason: tooLarge(m.size, max)}
		}
		b, err := io.ReadAll(io.LimitReader(body, max+1))
		if err != nil {
			return err
		}
		if int64(len(b)) > max {
			return &Error{Refusal: MetadataTooLarge, Member: m.name, Reason: tooLarge(int64(len(b)), max)}
		}
		name, data, found = p, b, true
		return errStop
	})
	if err != nil {
		return "", nil, err
	}
	if !found {
		return "", nil, ErrNotFound
	}
	return name, data, nil
}

func tooLarge(n, max int64) string {
	return fmt.Sprintf("member is larger than the %d-byte cap (at least %d bytes)", max, n)
}
