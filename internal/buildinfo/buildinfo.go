// Package buildinfo says which PYTI this is: its version, the commit it was built from and the Go
// toolchain, for `pyti version`, the User-Agent sent to indexes and every report.
package buildinfo

import (
	"fmt"
	"runtime"
	"runtime/debug"
)

// Version is set at link time with -ldflags "-X github.com/pyti/pyti/internal/buildinfo.Version=v1.2.3".
var Version = "dev"

// Info describes the running binary.
type Info struct {
	Version string `json:"version"`
	Commit  string `json:"commit,omitempty"`
	Dirty   bool   `json:"dirty,omitempty"`
	Go      string `json:"go"`
}

// Read returns the build information of the running binary.
func Read() Info {
	info := Info{Version: Version, Go: runtime.Version()}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				info.Commit = s.Value
			case "vcs.modified":
				info.Dirty = s.Value == "true"
			}
		}
	}
	return info
}

// String is the one-line form printed by `pyti version`.
func (i Info) String() string {
	s := "pyti " + i.Version
	if i.Commit != "" {
		c := i.Commit
		if len(c) > 12 {
			c = c[:12]
		}
		s += " (" + c
		if i.Dirty {
			s += ", modified"
		}
		s += ")"
	}
	return fmt.Sprintf("%s %s %s/%s", s, i.Go, runtime.GOOS, runtime.GOARCH)
}

// UserAgent is what PYTI sends to package indexes, so that index operators know who is asking.
func UserAgent() string {
	return "pyti/" + Version + " (+https://github.com/pyti/pyti)"
}
