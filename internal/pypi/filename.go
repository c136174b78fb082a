package pypi

import (
	"fmt"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
)

// Kind of a distribution file.
const (
	KindSdist = "sdist"
	KindWheel = "wheel"
)

// sdistSuffixes are the source archive extensions, longest first.
var sdistSuffixes = []string{".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz", ".tar", ".zip"}

// ignoredSuffixes are distribution formats PYTI never selects.
var ignoredSuffixes = []string{".egg", ".exe", ".msi", ".rpm", ".dmg", ".deb", ".whl.metadata", ".asc"}

// ParsedFilename is what a distribution file name says.
type ParsedFilename struct {
	Kind    string // KindSdist or KindWheel
	Name    string // normalized project name
	Version pep440.Version
	// Wheel tags (wheels only).
	Build, PythonTag, ABITag, PlatformTag string
}

// ParseFilename reads the project name and version from a wheel name
// ({name}-{ver}(-{build})?-{py}-{abi}-{plat}.whl) or an sdist name
// ({name}-{ver}.tar.gz and other archive suffixes). project, when given,
// splits legacy sdist names whose project part contains "-". Eggs, exe and
// other formats, and unparsable versions, are errors.
func ParseFilename(filename, project string) (ParsedFilename, error) {
	lower := strings.ToLower(filename)
	for _, s := range ignoredSuffixes {
		if strings.HasSuffix(lower, s) {
			return ParsedFilename{}, fmt.Errorf("%s: %s files are not supported", filename, s)
		}
	}
	if strings.HasSuffix(lower, ".whl") {
		parts := strings.Split(filename[:len(filename)-4], "-")
		if len(parts) != 5 && len(parts) != 6 {
			return ParsedFilename{}, fmt.Errorf("%s: a wheel name has 5 or 6 dash-separated parts", filename)
		}
		v, err := pep440.Parse(parts[1])
		if err != nil {
			return ParsedFilename{}, fmt.Errorf("%s: %w", filename, err)
		}
		p := ParsedFilename{Kind: KindWheel, Name: pep440.NormalizeName(parts[0]), Version: v}
		if len(parts) == 6 {
			p.Build = parts[2]
		}
		n := len(parts)
		p.PythonTag, p.ABITag, p.PlatformTag = parts[n-3], parts[n-2], parts[n-1]
		return p, nil
	}
	for _, s := range sdistSuffixes {
		if !strings.HasSuffix(lower, s) {
			continue
		}
		stem := filename[:len(filename)-len(s)]
		norm := pep440.NormalizeName(project)
		// Prefer the split whose name part is the project; else the last dash.
		cut := -1
		if norm != "" {
			for i := 0; i < len(stem); i++ {
				if stem[i] == '-' && pep440.NormalizeName(stem[:i]) == norm {
					cut = i
					break
				}
			}
		}
		if cut < 0 {
			cut = strings.LastIndex(stem, "-")
		}
		if cut <= 0 || cut == len(stem)-1 {
			return ParsedFilename{}, fmt.Errorf("%s: no name-version split", filename)
		}
		v, err := pep440.Parse(stem[cut+1:])
		if err != nil {
			return ParsedFilename{}, fmt.Errorf("%s: %w", filename, err)
		}
		return ParsedFilename{Kind: KindSdist, Name: pep440.NormalizeName(stem[:cut]), Version: v}, nil
	}
	return ParsedFilename{}, fmt.Errorf("%s: not a wheel or sdist file name", filename)
}
