package image

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
)

// DefaultMirror is Debian's redirector, used when the machine's apt sources name no Debian mirror.
const DefaultMirror = "http://deb.debian.org/debian"

// AptMirror returns the Debian archive mirror this machine's apt uses (from /etc/apt/sources.list
// and sources.list.d), or DefaultMirror.
func AptMirror() string {
	files := []string{"/etc/apt/sources.list"}
	for _, pat := range []string{"/etc/apt/sources.list.d/*.list", "/etc/apt/sources.list.d/*.sources"} {
		m, _ := filepath.Glob(pat)
		files = append(files, m...)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var m string
		if strings.HasSuffix(f, ".sources") {
			m = mirrorFromDeb822(string(data))
		} else {
			m = mirrorFromList(string(data))
		}
		if m != "" {
			return m
		}
	}
	return DefaultMirror
}

// isDebianArchive reports whether uri looks like a Debian archive (not its security archive,
// not a third-party repository).
func isDebianArchive(uri string) bool {
	u := strings.TrimRight(uri, "/")
	return (strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://")) && strings.HasSuffix(u, "/debian")
}

// mirrorFromList finds a Debian archive in one-line "deb [opts] URI suite comps" format.
func mirrorFromList(text string) string {
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "deb" {
			continue
		}
		f = f[1:]
		if strings.HasPrefix(f[0], "[") {
			for len(f) > 0 && !strings.HasSuffix(f[0], "]") {
				f = f[1:]
			}
			if len(f) == 0 {
				continue
			}
			f = f[1:]
		}
		if len(f) > 0 && isDebianArchive(f[0]) {
			return strings.TrimRight(f[0], "/")
		}
	}
	return ""
}

// mirrorFromDeb822 finds a Debian archive in deb822 .sources format.
func mirrorFromDeb822(text string) string {
	for _, para := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		fields := map[string]string{}
		for _, line := range strings.Split(para, "\n") {
			if strings.HasPrefix(line, "#") {
				continue
			}
			if k, v, ok := strings.Cut(line, ":"); ok && !strings.HasPrefix(line, " ") {
				fields[strings.ToLower(strings.TrimSpace(k))] = strings.TrimSpace(v)
			}
		}
		if !strings.Contains(" "+fields["types"]+" ", " deb ") || strings.EqualFold(fields["enabled"], "no") {
			continue
		}
		for _, u := range strings.Fields(fields["uris"]) {
			if isDebianArchive(u) {
				return strings.TrimRight(u, "/")
			}
		}
	}
	return ""
}
