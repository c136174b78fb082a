package archive

import (
	"archive/tar"
	"archive/zip"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// source is the archive file, read sequentially (tar streams) or at offsets
// (zip), bounded by the size seen when it was opened. It remembers the first
// host I/O error so that it is not mistaken for a malformed archive.
type source struct {
	f     *os.File
	size  int64
	off   int64
	ioErr error
}

// openSource opens path without ever blocking on a FIFO and without
// accepting anything but a regular file, and detects its format.
func openSource(path string) (*source, Format, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, Format{}, fmt.Errorf("opening archive: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, Format{}, fmt.Errorf("opening archive: %w", err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, Format{}, fmt.Errorf("opening archive %s: not a regular file", path)
	}
	s := &source{f: f, size: fi.Size()}
	head := make([]byte, 512)
	n, err := s.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		f.Close()
		return nil, Format{}, fmt.Errorf("reading archive: %w", err)
	}
	format, err := detectFormat(path, head[:n])
	if err != nil {
		f.Close()
		return nil, Format{}, err
	}
	return s, format, nil
}

func (s *source) Close() error { return s.f.Close() }

// rewind starts sequential reading again from the beginning.
func (s *source) rewind() { s.off = 0 }

func (s *source) Read(p []byte) (int, error) {
	if s.off >= s.size {
		return 0, io.EOF
	}
	if rest := s.size - s.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n, err := s.ReadAt(p, s.off)
	s.off += int64(n)
	if errors.Is(err, io.EOF) && n > 0 {
		err = nil
	}
	return n, err
}

func (s *source) ReadAt(p []byte, off int64) (int, error) {
	n, err := s.f.ReadAt(p, off)
	if err != nil && !errors.Is(err, io.EOF) && s.ioErr == nil {
		s.ioErr = err
	}
	return n, err
}

// meter enforces the archive-wide limits on produced bytes and tells
// refusals, cancellations and host I/O errors apart.
type meter struct {
	ctx context.Context
	lim Limits
	src *source
	// in reports the compressed bytes consumed so far.
	in  func() int64
	out int64
	// content counts member content bytes handed out.
	content int64
	entries int
	// cur is the member being read, for error messages.
	cur string
	err error
}

func (m *meter) check() error {
	if m.err != nil {
		return m.err
	}
	if err := m.ctx.Err(); err != nil {
		m.err = fmt.Errorf("archive: %w", err)
	}
	return m.err
}

// countEntry counts one more member and refuses past the entry limit.
func (m *meter) countEntry(name string) error {
	m.cur = name
	m.entries++
	if m.entries > m.lim.MaxEntries {
		m.err = limitErr(name, "archive has more than %d entries", m.lim.MaxEntries)
	}
	return m.check()
}

// produced accounts n uncompressed bytes.
func (m *meter) produced(n int64) error {
	if m.err != nil {
		return m.err
	}
	m.out += n
	if m.out > m.lim.MaxTotalBytes {
		m.err = limitErr(m.cur, "archive expands to more than %d bytes", m.lim.MaxTotalBytes)
		return m.err
	}
	if m.out >= m.lim.MinRatioCheckBytes {
		in := max(m.in(), 1)
		if m.out/in >= m.lim.MaxRatio {
			m.err = limitErr(m.cur, "compression ratio exceeds %d:1 (%d bytes from %d)", m.lim.MaxRatio, m.out, in)
		}
	}
	return m.err
}

// contentRead accounts n bytes of member content.
func (m *meter) contentRead(n int64) error {
	if m.err != nil {
		return m.err
	}
	m.content += n
	if m.content > m.lim.MaxTotalBytes {
		m.err = limitErr(m.cur, "archive content exceeds %d bytes", m.lim.MaxTotalBytes)
	}
	return m.err
}

// classify turns an error met while reading into a refusal, a cancellation
// or a host I/O error.
func (m *meter) classify(member string, err error) error {
	if err == nil {
		return nil
	}
	if m.err != nil {
		return m.err
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	if cerr := m.ctx.Err(); cerr != nil {
		return fmt.Errorf("archive: %w", cerr)
	}
	if m.src.ioErr != nil {
		return fmt.Errorf("reading archive: %w", m.src.ioErr)
	}
	return malformedErr(member, "%s", describe(err))
}

func describe(err error) string {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return "archive is truncated"
	case errors.Is(err, gzip.ErrChecksum):
		return "gzip checksum mismatch"
	case errors.Is(err, gzip.ErrHeader):
		return "invalid gzip header or trailing garbage"
	case errors.Is(err, tar.ErrHeader):
		return "invalid tar header"
	case errors.Is(err, zip.ErrFormat):
		return "invalid zip structure"
	case errors.Is(err, zip.ErrChecksum):
		return "zip checksum mismatch"
	}
	return err.Error()
}

// meterReader accounts every byte a decompressor produces.
type meterReader struct {
	r io.Reader
	m *meter
}

func (mr *meterReader) Read(p []byte) (int, error) {
	if err := mr.m.check(); err != nil {
		return 0, err
	}
	n, err := mr.r.Read(p)
	if n > 0 {
		if e := mr.m.produced(int64(n)); e != nil {
			return 0, e
		}
	}
	return n, err
}
