package pep440

import (
	"fmt"
	"strconv"
)

// maxQuoted bounds how much of an input string an error message repeats.
const maxQuoted = 120

// quote returns s quoted for an error message, cut to maxQuoted bytes so a
// hostile megabyte-long input does not make a megabyte-long error.
func quote(s string) string {
	if len(s) <= maxQuoted {
		return strconv.Quote(s)
	}
	return strconv.Quote(s[:maxQuoted]) + fmt.Sprintf("... (%d bytes)", len(s))
}
