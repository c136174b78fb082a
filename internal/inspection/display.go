package inspection

import (
	"strconv"
	"unicode"
	"unicode/utf8"
)

// Display shows a name or text a package controls: valid, printable UTF-8 as it is; anything else
// (control or bidi characters, invalid bytes) escaped.
func Display(s string) string {
	if !utf8.ValidString(s) {
		return strconv.Quote(s)
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '\u200b' {
			return strconv.Quote(s)
		}
	}
	return s
}
