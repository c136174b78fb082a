package sandbox

import (
	"io/fs"
	"path/filepath"
)

// MaskedFiles are host secrets under the bound system directories that every backend replaces
// with an empty file, whatever their permissions.
var MaskedFiles = []string{
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd",
	"/etc/sudoers", "/etc/machine-id", "/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key",
	"/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_dsa_key", "/etc/pip.conf", "/etc/netrc",
}

// MaskedDirs are host secret directories every backend replaces with an empty read-only tmpfs.
var MaskedDirs = []string{"/etc/ssl/private", "/etc/sudoers.d", "/etc/NetworkManager/system-connections", "/etc/wireguard"}

// SecretPaths finds what under root the world may not read: regular files without o+r and
// directories without o+x. Such files must be masked whatever their name: the sandbox must not
// depend on its uid to keep them (under bwrap the sandbox user counts as the host's uid for
// permission checks).
func SecretPaths(root string) (files, dirs []string) {
	_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // unreadable entries are skipped, not fatal
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		switch {
		case fi.IsDir() && fi.Mode().Perm()&0o001 == 0 && p != root:
			dirs = append(dirs, p)
			return filepath.SkipDir
		case fi.Mode().IsRegular() && fi.Mode().Perm()&0o004 == 0:
			files = append(files, p)
		}
		return nil
	})
	return files, dirs
}
