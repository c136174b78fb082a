package archive

import (
	"context"
	"errors"
	"fmt"
)

// member is one archive member as the container describes it, before any
// policy is applied.
type member struct {
	name string
	typ  EntryType
	// kind describes a typeOther member for the refusal message.
	kind string
	// mode holds the Unix permission bits including setuid/setgid (07777).
	mode int64
	// size is the declared content size.
	size int64
	// link is the link target (tar); zip symlinks carry it in the body.
	link string
	// linkInBody is set when the symlink target is the member's content.
	linkInBody bool
}

// walkFunc is called for every member in archive order. body yields the
// member's content with all limits enforced; errors it returns are already
// classified. Returning errStop ends the walk without error.
type walkFunc func(m *member, body bodyReader) error

// bodyReader is a member's content.
type bodyReader interface {
	Read(p []byte) (int, error)
}

var errStop = errors.New("archive: stop walking")

// walk enumerates the members of the archive in src.
func walk(ctx context.Context, src *source, c Container, lim Limits, fn walkFunc) error {
	src.rewind()
	m := &meter{ctx: ctx, lim: lim, src: src}
	var err error
	switch c {
	case Zip:
		err = walkZip(m, fn)
	case Tar, TarGz, TarBz2:
		err = walkTar(m, c, fn)
	default:
		err = fmt.Errorf("archive: unknown container %q", c)
	}
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}

// checkDeclaredSize refuses sizes no real member has, and sizes past the
// per-entry limit, before reading anything.
func checkDeclaredSize(m *meter, name string, size int64) error {
	const absurd = 1 << 40
	switch {
	case size < 0 || size > absurd:
		return malformedErr(name, "absurd declared size %d", size)
	case size > m.lim.MaxEntryBytes:
		return limitErr(name, "declared size %d exceeds the per-entry limit of %d bytes", size, m.lim.MaxEntryBytes)
	}
	return nil
}
