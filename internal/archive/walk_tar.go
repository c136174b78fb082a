package archive

import (
	"archive/tar"
	"compress/bzip2"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
)

// countingReader counts the compressed bytes pulled from the file.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func walkTar(m *meter, c Container, fn walkFunc) error {
	cr := &countingReader{r: m.src}
	m.in = func() int64 { return cr.n }
	var stream io.Reader = cr
	switch c {
	case TarGz:
		zr, err := gzip.NewReader(cr)
		if err != nil {
			return m.classify("", err)
		}
		defer zr.Close()
		stream = zr
	case TarBz2:
		stream = bzip2.NewReader(cr)
	}
	mr := &meterReader{r: stream, m: m}
	tr := tar.NewReader(mr)
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, tar.ErrInsecurePath) {
			return m.classify(m.cur, err)
		}
		if err := m.countEntry(hdr.Name); err != nil {
			return err
		}
		if hdr.Typeflag == tar.TypeXGlobalHeader {
			// Archive-wide PAX records (git archive writes one): metadata,
			// not a member.
			continue
		}
		mem := tarMember(hdr)
		if mem.typ == TypeFile {
			if c == Tar && hdr.Size > m.src.size {
				return malformedErr(hdr.Name, "declared size %d is larger than the archive", hdr.Size)
			}
			if err := checkDeclaredSize(m, hdr.Name, hdr.Size); err != nil {
				return err
			}
		}
		body := &tarBody{tr: tr, m: m, name: hdr.Name}
		if err := fn(mem, body); err != nil {
			return err
		}
	}
	// Read the rest of the compressed stream so that its checksum and any
	// trailing garbage are checked, under the same limits.
	if c != Tar {
		if _, err := io.Copy(io.Discard, mr); err != nil {
			return m.classify("", err)
		}
	}
	return nil
}

func tarMember(h *tar.Header) *member {
	mem := &member{name: h.Name, mode: h.Mode & 0o7777, size: h.Size}
	switch h.Typeflag {
	case tar.TypeReg, '\x00', tar.TypeCont:
		mem.typ = TypeFile
	case tar.TypeDir:
		mem.typ = TypeDir
	case tar.TypeSymlink:
		mem.typ, mem.link = TypeSymlink, h.Linkname
	case tar.TypeLink:
		mem.typ, mem.link = TypeHardlink, h.Linkname
	case tar.TypeChar:
		mem.typ, mem.kind = typeOther, "character device"
	case tar.TypeBlock:
		mem.typ, mem.kind = typeOther, "block device"
	case tar.TypeFifo:
		mem.typ, mem.kind = typeOther, "FIFO"
	case tar.TypeGNUSparse:
		mem.typ, mem.kind = typeOther, "sparse file"
	default:
		mem.typ, mem.kind = typeOther, fmt.Sprintf("member of tar type %q", h.Typeflag)
	}
	for k := range h.PAXRecords {
		// archive/tar expands PAX sparse files into holes that no limit on
		// the compressed stream sees.
		if strings.HasPrefix(k, "GNU.sparse.") {
			mem.typ, mem.kind = typeOther, "sparse file"
		}
	}
	return mem
}

type tarBody struct {
	tr   *tar.Reader
	m    *meter
	name string
	n    int64
}

// Read also counts the content itself, so that bytes archive/tar makes up
// (sparse holes) are bounded too.
func (b *tarBody) Read(p []byte) (int, error) {
	n, err := b.tr.Read(p)
	if err != nil && !errors.Is(err, io.EOF) {
		return n, b.m.classify(b.name, err)
	}
	b.n += int64(n)
	if b.n > b.m.lim.MaxEntryBytes {
		return 0, limitErr(b.name, "entry exceeds the per-entry limit of %d bytes", b.m.lim.MaxEntryBytes)
	}
	if e := b.m.contentRead(int64(n)); e != nil {
		return 0, e
	}
	return n, err
}
