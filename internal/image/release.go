package image

import (
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Release is a Debian release an image can be built from.
type Release struct {
	Name   string // Debian codename
	Python string // the python3 minor version it ships, e.g. "3.11"
	// PipWheel is the package shipping /usr/share/python-wheels/pip-*.whl (the pip PYTI runs).
	PipWheel string
}

// releases are the Debian releases PYTI knows how to build.
var releases = []Release{
	{Name: "bullseye", Python: "3.9", PipWheel: "python-pip-whl"},
	{Name: "bookworm", Python: "3.11", PipWheel: "python3-pip-whl"},
	{Name: "trixie", Python: "3.13", PipWheel: "python3-pip-whl"},
}

// Releases returns the releases images can be built from, oldest first.
func Releases() []Release { return slices.Clone(releases) }

// LookupRelease returns the release named name.
func LookupRelease(name string) (Release, error) {
	for _, r := range releases {
		if r.Name == name {
			return r, nil
		}
	}
	names := make([]string, len(releases))
	for i, r := range releases {
		names[i] = r.Name
	}
	return Release{}, fmt.Errorf("unknown release %q: one of %s", name, strings.Join(names, ", "))
}

// Packages are the Debian packages debootstrap --include installs on top of minbase, sorted.
func (r Release) Packages() []string {
	p := []string{
		"python3", "python3-venv", r.PipWheel, "python3-dev", "gcc",
		"python3-pytest", "python3-coverage", "python3-pycodestyle", "python3-pyflakes", "pylint",
		"python3-docutils",
	}
	sort.Strings(p)
	return p
}
