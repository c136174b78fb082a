package behavior

import (
	"bytes"
)

// PthHasCode reports whether a .pth file runs code when Python starts: site.py executes
// every line that begins with "import" followed by a space or a tab; other lines only add
// directories to sys.path.
func PthHasCode(content []byte) bool {
	// Newer Pythons read .pth files as utf-8-sig: a leading BOM does not hide a line.
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	for _, line := range bytes.Split(content, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if bytes.HasPrefix(line, []byte("import ")) || bytes.HasPrefix(line, []byte("import\t")) {
			return true
		}
	}
	return false
}
