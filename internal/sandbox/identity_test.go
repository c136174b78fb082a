package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIdentityFiles: the sandbox user's entries replace any that share its name or ids, the
// others are kept, and a missing file gives the sandbox user's entry alone.
func TestIdentityFiles(t *testing.T) {
	for _, tc := range []struct {
		name                string
		passwd, group       string
		wantPass, wantGroup string
	}{
		{"the host's uid 1000 is someone else",
			"root:x:0:0:root:/root:/bin/bash\ncloudsdk:x:1000:1000::/home/cloudsdk:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n",
			"root:x:0:\ncloudsdk:x:1000:\n",
			"root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\npyti:x:1000:1000:PYTI sandbox user:/home/pyti:/bin/sh\n",
			"root:x:0:\npyti:x:1000:\n"},
		{"a user named pyti with another id", "root:x:0:0:root:/root:/bin/sh\npyti:x:1001:1001::/home/pyti:/bin/sh", "pyti:x:1001:",
			"root:x:0:0:root:/root:/bin/sh\npyti:x:1000:1000:PYTI sandbox user:/home/pyti:/bin/sh\n", "pyti:x:1000:\n"},
		{"no files", "", "", "pyti:x:1000:1000:PYTI sandbox user:/home/pyti:/bin/sh\n", "pyti:x:1000:\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			etc := t.TempDir()
			for name, text := range map[string]string{"passwd": tc.passwd, "group": tc.group} {
				if text == "" {
					continue
				}
				if err := os.WriteFile(filepath.Join(etc, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			passwd, group := IdentityFiles(etc)
			if d := cmp.Diff(tc.wantPass, string(passwd)); d != "" {
				t.Errorf("passwd (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.wantGroup, string(group)); d != "" {
				t.Errorf("group (-want +got):\n%s", d)
			}
		})
	}
}

// TestShellIsTheUsers: SHELL names the sandbox user's login shell, as a login sets it; bash
// without it looks the user up in /etc/passwd at every start.
func TestShellIsTheUsers(t *testing.T) {
	passwd, _ := IdentityFiles(t.TempDir())
	var shells []string
	for _, line := range strings.Split(strings.TrimSpace(string(passwd)), "\n") {
		if f := strings.Split(line, ":"); len(f) == 7 && f[0] == User {
			shells = append(shells, f[6])
		}
	}
	var env []string
	for _, kv := range BaseEnv() {
		if v, ok := strings.CutPrefix(kv, "SHELL="); ok {
			env = append(env, v)
		}
	}
	if d := cmp.Diff(shells, env); d != "" || len(env) != 1 {
		t.Errorf("SHELL in BaseEnv against the user's login shell (-passwd +env):\n%s", d)
	}
}
