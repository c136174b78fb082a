package archive

import (
	"archive/zip"
	"encoding/binary"
	"errors"
	"io"
	"sort"
)

// The zip checks below parse the end records and the central directory
// independently of archive/zip and require both readings to agree, and
// require every local header to agree with its central directory entry.
// Any disagreement is a malformed archive: two tools could see two
// different archives in it.

const (
	sigLocal      = 0x04034b50
	sigCentral    = 0x02014b50
	sigEnd        = 0x06054b50
	sigEnd64      = 0x06064b50
	sigEnd64Loc   = 0x07064b50
	sigDescriptor = 0x08074b50
	endLen        = 22
	end64LocLen   = 20
	end64Len      = 56
	centralLen    = 46
	localLen      = 30
	zip64ExtraID  = 0x0001
)

type cdEntry struct {
	name   string
	flags  uint16
	method uint16
	crc    uint32
	csize  uint64
	usize  uint64
	offset uint64
}

type zipLayout struct {
	entries []cdEntry
	cdStart int64
}

func readAtFull(r io.ReaderAt, size int64, off int64, n int) ([]byte, error) {
	if off < 0 || n < 0 || off+int64(n) > size {
		return nil, io.ErrUnexpectedEOF
	}
	b := make([]byte, n)
	if _, err := r.ReadAt(b, off); err != nil && !(errors.Is(err, io.EOF)) {
		return nil, err
	}
	return b, nil
}

// readZipLayout parses the end of central directory record (zip64 aware)
// and the central directory. It refuses an entry count above the limit
// before reading any entry.
func readZipLayout(r io.ReaderAt, size int64, lim Limits) (*zipLayout, error) {
	bLen := min(size, 65*1024)
	buf, err := readAtFull(r, size, size-bLen, int(bLen))
	if err != nil {
		return nil, err
	}
	p := -1
	for i := len(buf) - endLen; i >= 0; i-- {
		if binary.LittleEndian.Uint32(buf[i:]) == sigEnd {
			n := int(binary.LittleEndian.Uint16(buf[i+endLen-2:]))
			if i+endLen+n > len(buf) {
				return nil, malformedErr("", "end of central directory comment runs past the end of the file")
			}
			p = i
			break
		}
	}
	if p < 0 {
		return nil, malformedErr("", "no end of central directory record")
	}
	e := buf[p:]
	endOff := size - bLen + int64(p)
	disk, cdDisk := binary.LittleEndian.Uint16(e[4:]), binary.LittleEndian.Uint16(e[6:])
	nDisk, nTotal := uint64(binary.LittleEndian.Uint16(e[8:])), uint64(binary.LittleEndian.Uint16(e[10:]))
	cdSize, cdOff := uint64(binary.LittleEndian.Uint32(e[12:])), uint64(binary.LittleEndian.Uint32(e[16:]))
	commentLen := int64(binary.LittleEndian.Uint16(e[20:]))
	if endOff+endLen+commentLen != size {
		return nil, malformedErr("", "trailing data after the end of central directory record")
	}
	cdEnd := endOff
	if nTotal == 0xffff || cdSize == 0xffff || cdSize == 0xffffffff || cdOff == 0xffffffff {
		if loc, err := readAtFull(r, size, endOff-end64LocLen, end64LocLen); err == nil && binary.LittleEndian.Uint32(loc) == sigEnd64Loc {
			off64 := binary.LittleEndian.Uint64(loc[8:])
			if off64 > uint64(size) {
				return nil, malformedErr("", "zip64 end record offset is outside the file")
			}
			rec, err := readAtFull(r, size, int64(off64), end64Len)
			if err != nil || binary.LittleEndian.Uint32(rec) != sigEnd64 {
				return nil, malformedErr("", "missing zip64 end of central directory record")
			}
			if recLen := binary.LittleEndian.Uint64(rec[4:]); recLen > uint64(size) || int64(off64)+12+int64(recLen) != endOff-end64LocLen {
				return nil, malformedErr("", "zip64 end record does not end at its locator")
			}
			disk, cdDisk = 0, 0
			if binary.LittleEndian.Uint32(rec[16:]) != 0 || binary.LittleEndian.Uint32(rec[20:]) != 0 {
				disk = 1
			}
			nDisk, nTotal = binary.LittleEndian.Uint64(rec[24:]), binary.LittleEndian.Uint64(rec[32:])
			cdSize, cdOff = binary.LittleEndian.Uint64(rec[40:]), binary.LittleEndian.Uint64(rec[48:])
			cdEnd = int64(off64)
		}
	}
	if disk != 0 || cdDisk != 0 || nDisk != nTotal {
		return nil, malformedErr("", "multi-disk zip archives are not supported")
	}
	if nTotal > uint64(lim.MaxEntries) {
		return nil, limitErr("", "archive has %d entries, limit %d", nTotal, lim.MaxEntries)
	}
	if cdSize > uint64(size) || cdOff > uint64(size) || int64(cdOff+cdSize) != cdEnd {
		return nil, malformedErr("", "central directory does not end where the end record begins")
	}
	cd, err := readAtFull(r, size, int64(cdOff), int(cdSize))
	if err != nil {
		return nil, err
	}
	out := &zipLayout{entries: make([]cdEntry, 0, nTotal), cdStart: int64(cdOff)}
	for i := uint64(0); i < nTotal; i++ {
		if len(cd) < centralLen || binary.LittleEndian.Uint32(cd) != sigCentral {
			return nil, malformedErr("", "central directory entry %d is invalid", i)
		}
		c := cdEntry{
			flags:  binary.LittleEndian.Uint16(cd[8:]),
			method: binary.LittleEndian.Uint16(cd[10:]),
			crc:    binary.LittleEndian.Uint32(cd[16:]),
			csize:  uint64(binary.LittleEndian.Uint32(cd[20:])),
			usize:  uint64(binary.LittleEndian.Uint32(cd[24:])),
			offset: uint64(binary.LittleEndian.Uint32(cd[42:])),
		}
		nl, el, cl := int(binary.LittleEndian.Uint16(cd[28:])), int(binary.LittleEndian.Uint16(cd[30:])), int(binary.LittleEndian.Uint16(cd[32:]))
		if len(cd) < centralLen+nl+el+cl {
			return nil, malformedErr("", "central directory entry %d is truncated", i)
		}
		c.name = string(cd[centralLen : centralLen+nl])
		extra := cd[centralLen+nl : centralLen+nl+el]
		needU, needC, needO := c.usize == 0xffffffff, c.csize == 0xffffffff, c.offset == 0xffffffff
		if needU || needC || needO {
			f := findExtra(extra, zip64ExtraID)
			take := func(need bool, v *uint64) bool {
				if !need {
					return true
				}
				if len(f) < 8 {
					return false
				}
				*v, f = binary.LittleEndian.Uint64(f), f[8:]
				return true
			}
			if !take(needU, &c.usize) || !take(needC, &c.csize) || !take(needO, &c.offset) {
				return nil, malformedErr(c.name, "zip64 extra field is missing or short")
			}
		}
		out.entries = append(out.entries, c)
		cd = cd[centralLen+nl+el+cl:]
	}
	if len(cd) != 0 {
		return nil, malformedErr("", "central directory holds more data than its entries")
	}
	return out, nil
}

// findExtra returns the data of the first extra field with the given id.
func findExtra(extra []byte, id uint16) []byte {
	for len(extra) >= 4 {
		tag, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		extra = extra[4:]
		if n > len(extra) {
			return nil
		}
		if tag == id {
			return extra[:n]
		}
		extra = extra[n:]
	}
	return nil
}

// checkZipConsistency requires archive/zip's reading to match ours, every
// local header to match its central directory entry, and member data not to
// overlap (overlapping members are a zip bomb technique).
func checkZipConsistency(r io.ReaderAt, size int64, zr *zip.Reader, lay *zipLayout) error {
	if len(zr.File) != len(lay.entries) {
		return malformedErr("", "central directory entry count is ambiguous (%d or %d)", len(zr.File), len(lay.entries))
	}
	type span struct {
		start, end int64
		name       string
	}
	spans := make([]span, 0, len(lay.entries))
	for i, f := range zr.File {
		c := lay.entries[i]
		if f.Name != c.name || f.Method != c.method || f.CRC32 != c.crc || f.CompressedSize64 != c.csize || f.UncompressedSize64 != c.usize {
			return malformedErr(f.Name, "central directory entry is ambiguous")
		}
		if c.csize > uint64(size) || c.offset > uint64(size) {
			return malformedErr(f.Name, "absurd size or offset in the central directory")
		}
		dataOff, err := f.DataOffset()
		if err != nil {
			return malformedErr(f.Name, "local header is unreadable: %s", describe(err))
		}
		lh, err := readAtFull(r, size, int64(c.offset), localLen)
		if err != nil || binary.LittleEndian.Uint32(lh) != sigLocal {
			return malformedErr(f.Name, "local header is missing")
		}
		lflags := binary.LittleEndian.Uint16(lh[6:])
		lmethod := binary.LittleEndian.Uint16(lh[8:])
		lcrc := binary.LittleEndian.Uint32(lh[14:])
		lcsize := uint64(binary.LittleEndian.Uint32(lh[18:]))
		lusize := uint64(binary.LittleEndian.Uint32(lh[22:]))
		nl, el := int64(binary.LittleEndian.Uint16(lh[26:])), int64(binary.LittleEndian.Uint16(lh[28:]))
		if int64(c.offset)+localLen+nl+el != dataOff {
			return malformedErr(f.Name, "local header position is ambiguous")
		}
		rest, err := readAtFull(r, size, int64(c.offset)+localLen, int(nl+el))
		if err != nil {
			return malformedErr(f.Name, "local header is truncated")
		}
		if lname := string(rest[:nl]); lname != c.name {
			return malformedErr(f.Name, "local header names %q but the central directory names %q", lname, c.name)
		}
		if lmethod != c.method {
			return malformedErr(f.Name, "compression method differs between the local header (%d) and the central directory (%d)", lmethod, c.method)
		}
		zip64 := false
		if lcsize == 0xffffffff || lusize == 0xffffffff {
			x := findExtra(rest[nl:], zip64ExtraID)
			if len(x) < 16 {
				return malformedErr(f.Name, "local zip64 extra field is missing or short")
			}
			lusize, lcsize, zip64 = binary.LittleEndian.Uint64(x), binary.LittleEndian.Uint64(x[8:]), true
		}
		end := dataOff + int64(c.csize)
		if end > size {
			return malformedErr(f.Name, "member data runs past the end of the file")
		}
		if lflags&0x8 == 0 {
			if lcrc != c.crc || lcsize != c.csize || lusize != c.usize {
				return malformedErr(f.Name, "sizes or CRC-32 differ between the local header and the central directory")
			}
		} else {
			if (lcrc != 0 && lcrc != c.crc) || (lcsize != 0 && lcsize != c.csize) || (lusize != 0 && lusize != c.usize) {
				return malformedErr(f.Name, "sizes or CRC-32 differ between the local header and the central directory")
			}
			n, ok := matchDescriptor(r, size, end, c, zip64)
			if !ok {
				return malformedErr(f.Name, "data descriptor differs from the central directory")
			}
			end += n
		}
		spans = append(spans, span{int64(c.offset), end, f.Name})
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].start < spans[j].start })
	for i, s := range spans {
		if s.end > lay.cdStart {
			return malformedErr(s.name, "member data overlaps the central directory")
		}
		if i > 0 && s.start < spans[i-1].end {
			return malformedErr(s.name, "member data overlaps member %q", spans[i-1].name)
		}
	}
	return nil
}

// matchDescriptor finds a data descriptor at off that agrees with c, trying
// the layouts in use (with or without signature, 32- or 64-bit sizes), and
// returns its length.
func matchDescriptor(r io.ReaderAt, size, off int64, c cdEntry, zip64 bool) (int64, bool) {
	for _, sig := range []bool{true, false} {
		for _, wide := range []bool{zip64, !zip64} {
			n := int64(12)
			if wide {
				n = 20
			}
			if sig {
				n += 4
			}
			b, err := readAtFull(r, size, off, int(n))
			if err != nil {
				continue
			}
			if sig {
				if binary.LittleEndian.Uint32(b) != sigDescriptor {
					continue
				}
				b = b[4:]
			}
			crc := binary.LittleEndian.Uint32(b)
			var cs, us uint64
			if wide {
				cs, us = binary.LittleEndian.Uint64(b[4:]), binary.LittleEndian.Uint64(b[12:])
			} else {
				cs, us = uint64(binary.LittleEndian.Uint32(b[4:])), uint64(binary.LittleEndian.Uint32(b[8:]))
			}
			if crc == c.crc && cs == c.csize && us == c.usize {
				return n, true
			}
		}
	}
	return 0, false
}
