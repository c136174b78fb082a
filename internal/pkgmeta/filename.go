package pkgmeta

import (
	"fmt"
	"path"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
)

// Distribution kinds.
const (
	KindSdist = "sdist"
	KindWheel = "wheel"
)

// sdistExtensions are the source archive suffixes accepted, longest first.
// Only .tar.gz is current (PEP 625); the others exist on PyPI from older
// tools.
var sdistExtensions = []string{".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar"}

// DistFilename is what a distribution file name says. Name and Version are
// as written in the file name (Version is not normalised); the tag fields
// are set for wheels only, each compressed tag set ("py2.py3") split.
type DistFilename struct {
	Filename     string   `json:"filename"`
	Kind         string   `json:"kind"`
	Extension    string   `json:"extension"`
	Name         string   `json:"name"`
	Version      string   `json:"version"`
	BuildTag     string   `json:"build_tag,omitempty"`
	PythonTags   []string `json:"python_tags,omitempty"`
	ABITags      []string `json:"abi_tags,omitempty"`
	PlatformTags []string `json:"platform_tags,omitempty"`
}

// ParseDistFilename parses an sdist ("name-version.tar.gz") or wheel
// ("name-version[-build]-python-abi-platform.whl") file name. A directory
// part is ignored. The version must be a valid PEP 440 version.
func ParseDistFilename(filename string) (DistFilename, error) {
	base := path.Base(strings.ReplaceAll(filename, "\\", "/"))
	if strings.HasSuffix(strings.ToLower(base), ".whl") {
		return parseWheelFilename(base)
	}
	for _, ext := range sdistExtensions {
		if strings.HasSuffix(strings.ToLower(base), ext) {
			return parseSdistFilename(base, base[len(base)-len(ext):])
		}
	}
	return DistFilename{}, fmt.Errorf("%q: not a wheel or sdist file name (want .whl or one of %s)", filename, strings.Join(sdistExtensions, ", "))
}

func parseWheelFilename(base string) (DistFilename, error) {
	d := DistFilename{Filename: base, Kind: KindWheel, Extension: base[len(base)-4:]}
	parts := strings.Split(base[:len(base)-4], "-")
	if len(parts) != 5 && len(parts) != 6 {
		return d, fmt.Errorf("wheel file name %q: want 5 or 6 dash-separated parts, got %d", base, len(parts))
	}
	d.Name, d.Version = parts[0], parts[1]
	if len(parts) == 6 {
		d.BuildTag = parts[2]
		if d.BuildTag == "" || d.BuildTag[0] < '0' || d.BuildTag[0] > '9' {
			return d, fmt.Errorf("wheel file name %q: build tag %q must start with a digit", base, d.BuildTag)
		}
	}
	n := len(parts)
	d.PythonTags = strings.Split(parts[n-3], ".")
	d.ABITags = strings.Split(parts[n-2], ".")
	d.PlatformTags = strings.Split(parts[n-1], ".")
	for _, set := range [][]string{d.PythonTags, d.ABITags, d.PlatformTags} {
		for _, t := range set {
			if t == "" {
				return d, fmt.Errorf("wheel file name %q: empty compatibility tag", base)
			}
		}
	}
	if d.Name == "" || !pep440.ValidName(d.Name) {
		return d, fmt.Errorf("wheel file name %q: invalid project name %q", base, d.Name)
	}
	if _, err := pep440.Parse(d.Version); err != nil {
		return d, fmt.Errorf("wheel file name %q: invalid version %q: %w", base, d.Version, err)
	}
	return d, nil
}

// parseSdistFilename splits "name-version" at the rightmost dash whose right
// side is a valid version, so that legacy names with dashes ("foo-bar-1.0")
// still parse.
func parseSdistFilename(base, ext string) (DistFilename, error) {
	d := DistFilename{Filename: base, Kind: KindSdist, Extension: ext}
	stem := base[:len(base)-len(ext)]
	last := strings.LastIndexByte(stem, '-')
	if last <= 0 {
		return d, fmt.Errorf("sdist file name %q: want name-version%s", base, ext)
	}
	for i := last; i > 0; i = strings.LastIndexByte(stem[:i], '-') {
		if _, err := pep440.Parse(stem[i+1:]); err == nil && pep440.ValidName(stem[:i]) {
			d.Name, d.Version = stem[:i], stem[i+1:]
			return d, nil
		}
	}
	d.Name, d.Version = stem[:last], stem[last+1:]
	if !pep440.ValidName(d.Name) {
		return d, fmt.Errorf("sdist file name %q: invalid project name %q", base, d.Name)
	}
	_, err := pep440.Parse(d.Version)
	return d, fmt.Errorf("sdist file name %q: invalid version %q: %w", base, d.Version, err)
}
