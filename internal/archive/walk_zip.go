package archive

import (
	"archive/zip"
	"compress/flate"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"io/fs"
	"strings"
)

func walkZip(m *meter, fn walkFunc) error {
	src := m.src
	lay, err := readZipLayout(src, src.size, m.lim)
	if err != nil {
		return m.classify("", err)
	}
	zr, err := zip.NewReader(src, src.size)
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return m.classify("", err)
	}
	if err := checkZipConsistency(src, src.size, zr, lay); err != nil {
		return m.classify("", err)
	}
	var consumed int64
	m.in = func() int64 { return consumed }
	for _, f := range zr.File {
		if err := m.countEntry(f.Name); err != nil {
			return err
		}
		mem, err := zipMember(f)
		if err != nil {
			return err
		}
		if mem.typ == TypeFile || mem.typ == TypeSymlink {
			if err := checkDeclaredSize(m, f.Name, mem.size); err != nil {
				return err
			}
		}
		body := &zipBody{f: f, m: m, consumed: &consumed}
		if err := fn(mem, body); err != nil {
			return err
		}
	}
	return nil
}

func zipMember(f *zip.File) (*member, error) {
	mode := f.Mode()
	mem := &member{name: f.Name, mode: int64(mode.Perm()), size: int64(f.UncompressedSize64)}
	if f.UncompressedSize64 > 1<<62 {
		mem.size = -1
	}
	if mode&fs.ModeSetuid != 0 {
		mem.mode |= 0o4000
	}
	if mode&fs.ModeSetgid != 0 {
		mem.mode |= 0o2000
	}
	switch {
	case mode&fs.ModeSymlink != 0:
		mem.typ, mem.linkInBody = TypeSymlink, true
	case mode&fs.ModeCharDevice != 0:
		mem.typ, mem.kind = typeOther, "character device"
	case mode&fs.ModeDevice != 0:
		mem.typ, mem.kind = typeOther, "block device"
	case mode&fs.ModeNamedPipe != 0:
		mem.typ, mem.kind = typeOther, "FIFO"
	case mode&fs.ModeSocket != 0:
		mem.typ, mem.kind = typeOther, "socket"
	case mode&fs.ModeIrregular != 0:
		mem.typ, mem.kind = typeOther, "irregular file"
	case mode.IsDir() || strings.HasSuffix(f.Name, "/"):
		mem.typ = TypeDir
		if f.UncompressedSize64 != 0 {
			return nil, malformedErr(f.Name, "directory entry has content")
		}
	default:
		mem.typ = TypeFile
	}
	return mem, nil
}

// zipBody decompresses one member itself (stored or deflate), so that it
// can refuse content beyond the declared size as a limit, check the ratio
// per entry and verify the CRC-32 against the central directory.
type zipBody struct {
	f        *zip.File
	m        *meter
	consumed *int64
	dec      io.Reader
	crc      hash.Hash32
	n        int64
	err      error
}

func (b *zipBody) fail(err error) (int, error) {
	b.err = err
	return 0, err
}

func (b *zipBody) open() error {
	f := b.f
	raw, err := f.OpenRaw()
	if err != nil {
		return b.m.classify(f.Name, err)
	}
	switch f.Method {
	case zip.Store:
		if f.CompressedSize64 != f.UncompressedSize64 {
			return malformedErr(f.Name, "stored member has different compressed (%d) and uncompressed (%d) sizes", f.CompressedSize64, f.UncompressedSize64)
		}
		b.dec = raw
	case zip.Deflate:
		b.dec = flate.NewReader(raw)
	default:
		return malformedErr(f.Name, "unsupported compression method %d", f.Method)
	}
	b.crc = crc32.NewIEEE()
	*b.consumed += int64(f.CompressedSize64)
	b.m.cur = f.Name
	return nil
}

func (b *zipBody) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.dec == nil {
		if err := b.open(); err != nil {
			return b.fail(err)
		}
	}
	if err := b.m.check(); err != nil {
		return b.fail(err)
	}
	f, lim := b.f, b.m.lim
	n, err := b.dec.Read(p)
	if n > 0 {
		b.n += int64(n)
		switch {
		case b.n > int64(f.UncompressedSize64):
			return b.fail(limitErr(f.Name, "entry is larger than its declared size of %d bytes", f.UncompressedSize64))
		case b.n > lim.MaxEntryBytes:
			return b.fail(limitErr(f.Name, "entry exceeds the per-entry limit of %d bytes", lim.MaxEntryBytes))
		case b.n >= lim.MinRatioCheckBytes && b.n/max(int64(f.CompressedSize64), 1) >= lim.MaxRatio:
			return b.fail(limitErr(f.Name, "compression ratio exceeds %d:1", lim.MaxRatio))
		}
		if e := b.m.produced(int64(n)); e != nil {
			return b.fail(e)
		}
		b.crc.Write(p[:n])
	}
	if errors.Is(err, io.EOF) {
		if b.n != int64(f.UncompressedSize64) {
			return b.fail(malformedErr(f.Name, "entry is shorter (%d bytes) than its declared size of %d bytes", b.n, f.UncompressedSize64))
		}
		if b.crc.Sum32() != f.CRC32 {
			return b.fail(malformedErr(f.Name, "CRC-32 mismatch"))
		}
		b.err = io.EOF
		return n, io.EOF
	}
	if err != nil {
		return b.fail(b.m.classify(f.Name, err))
	}
	return n, nil
}
