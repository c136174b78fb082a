package pkgmeta

import (
	"bufio"
	"errors"
	"fmt"
	"io"
)

// lineReader yields lines without their terminator ("\n" or "\r\n"), and
// fails with ErrTooLarge as soon as the input passes maxBytes or a line
// passes maxLine. Memory is bounded by maxLine plus the read buffer,
// whatever the input.
type lineReader struct {
	br       *bufio.Reader
	maxBytes int64
	maxLine  int
	total    int64
	lines    int
	buf      []byte
	done     bool
}

func newLineReader(r io.Reader, maxBytes int64, maxLine int) *lineReader {
	return &lineReader{br: bufio.NewReaderSize(r, 64<<10), maxBytes: maxBytes, maxLine: maxLine}
}

func tooLarge(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrTooLarge, fmt.Sprintf(format, args...))
}

// next returns the next line, valid until the following call, or io.EOF.
func (lr *lineReader) next() ([]byte, error) {
	if lr.done {
		return nil, io.EOF
	}
	lr.buf = lr.buf[:0]
	for {
		chunk, err := lr.br.ReadSlice('\n')
		lr.total += int64(len(chunk))
		if lr.total > lr.maxBytes {
			return nil, tooLarge("more than %d bytes", lr.maxBytes)
		}
		if len(lr.buf)+len(chunk) > lr.maxLine+2 {
			return nil, tooLarge("line %d longer than %d bytes", lr.lines+1, lr.maxLine)
		}
		lr.buf = append(lr.buf, chunk...)
		switch {
		case err == nil:
			lr.lines++
			return trimEOL(lr.buf), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF:
			lr.done = true
			if len(lr.buf) == 0 {
				return nil, io.EOF
			}
			lr.lines++
			return trimEOL(lr.buf), nil
		default:
			return nil, fmt.Errorf("reading metadata: %w", err)
		}
	}
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}
