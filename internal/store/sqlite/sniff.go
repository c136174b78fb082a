package sqlite

import (
	"bytes"
	"unicode/utf8"
)

// sniffBytes is how much of a blob decides whether it is text.
const sniffBytes = 64 << 10

// textSniffer keeps the first sniffBytes written to decide whether they are UTF-8 text.
type textSniffer struct{ head []byte }

func newTextSniffer() *textSniffer { return &textSniffer{head: make([]byte, 0, 4096)} }

func (t *textSniffer) Write(p []byte) (int, error) {
	if room := sniffBytes - len(t.head); room > 0 {
		t.head = append(t.head, p[:min(room, len(p))]...)
	}
	return len(p), nil
}

// text is true for valid UTF-8 with no NUL byte; a rune cut at the end of the head is allowed.
func (t *textSniffer) text() bool {
	b := t.head
	if bytes.IndexByte(b, 0) >= 0 {
		return false
	}
	// Drop a rune cut short by the head's end.
	for i := 0; i < utf8.UTFMax && len(b) > 0; i++ {
		if utf8.Valid(b) {
			return true
		}
		if len(t.head) < sniffBytes {
			return false
		}
		b = b[:len(b)-1]
	}
	return utf8.Valid(b)
}
