package sandbox

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// identityLimit bounds the passwd and group files read to make the sandbox's.
const identityLimit = 1 << 20

// IdentityFiles returns the /etc/passwd and /etc/group the sandbox shows, made from those of
// the system directory etc (the host's, or an image's): each entry that holds the sandbox
// user's name or ids is replaced by the sandbox user's own (User, SandboxUID, SandboxGID, Home),
// so that the user the code runs as has one name, whichever way the code asks for it: USER and
// LOGNAME, pwd.getpwuid(os.getuid()) and the group's name agree, as on the machines maintainers
// run their tests on. The host's uid 1000 is someone else (psutil's test_username compared
// "cloudsdk" with "pyti"), or no one, and then pwd raises KeyError. A file that is missing, not
// a regular file or too large is read as empty.
func IdentityFiles(etc string) (passwd, group []byte) {
	uid, gid := strconv.Itoa(SandboxUID), strconv.Itoa(SandboxGID)
	passwd = withEntry(readIdentity(filepath.Join(etc, "passwd")), 2,
		fmt.Sprintf("%s:x:%s:%s:PYTI sandbox user:%s:%s", User, uid, gid, Home, Shell), uid)
	group = withEntry(readIdentity(filepath.Join(etc, "group")), 2, fmt.Sprintf("%s:x:%s:", User, gid), gid)
	return passwd, group
}

func readIdentity(p string) string {
	fi, err := os.Lstat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > identityLimit {
		return ""
	}
	data, err := os.ReadFile(p)
	if err != nil {
		return ""
	}
	return string(data)
}

// withEntry is the colon-separated file text without the lines naming User or holding id in
// field idField, and with entry at its end.
func withEntry(text string, idField int, entry, id string) []byte {
	var b strings.Builder
	for _, line := range strings.Split(text, "\n") {
		f := strings.Split(line, ":")
		if strings.TrimSpace(line) == "" || f[0] == User || (len(f) > idField && f[idField] == id) {
			continue
		}
		b.WriteString(line + "\n")
	}
	b.WriteString(entry + "\n")
	return []byte(b.String())
}
