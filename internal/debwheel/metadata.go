package debwheel

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"strings"

	"github.com/pyti/pyti/internal/pkgmeta"
)

// metaDirRe matches a distribution's metadata directory at the top of dist-packages.
var metaDirRe = regexp.MustCompile(`^([^/]+)\.(dist-info|egg-info)/`)

// header returns the first value of a metadata header.
func header(meta []byte, name string) string {
	sc := bufio.NewScanner(bytes.NewReader(meta))
	sc.Buffer(make([]byte, 64<<10), maxMetaFile)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			return ""
		}
		if v, ok := strings.CutPrefix(line, name+": "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// eggMetadata turns an egg-info PKG-INFO plus requires.txt into wheel METADATA with Requires-Dist
// and Provides-Extra headers.
func eggMetadata(pkgInfo, requires []byte) []byte {
	headerEnd := bytes.Index(pkgInfo, []byte("\n\n"))
	head, body := pkgInfo, []byte(nil)
	if headerEnd >= 0 {
		head, body = pkgInfo[:headerEnd], pkgInfo[headerEnd+2:]
	}
	var add strings.Builder
	extras := map[string]bool{}
	for _, r := range pkgmeta.ParseEggRequires(string(requires)) {
		extra, marker, line := r.Extra(), r.Marker(), r.Line
		var conds []string
		if marker != "" {
			conds = append(conds, "("+marker+")")
		}
		if extra != "" {
			conds = append(conds, fmt.Sprintf("extra == %q", extra))
			if !extras[extra] {
				extras[extra] = true
				fmt.Fprintf(&add, "Provides-Extra: %s\n", extra)
			}
		}
		req := line
		if len(conds) > 0 {
			req += "; " + strings.Join(conds, " and ")
		}
		fmt.Fprintf(&add, "Requires-Dist: %s\n", req)
	}
	out := append([]byte(nil), head...)
	out = append(out, '\n')
	out = append(out, add.String()...)
	if len(body) > 0 {
		out = append(out, '\n')
		out = append(out, body...)
	}
	return out
}
