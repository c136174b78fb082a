package localindex

import (
	"regexp"
	"strings"
)

var nameSeparators = regexp.MustCompile(`[-_.]+`)

// NormalizeName returns the PEP 503 normalised form of a project name:
// lower case, with every run of '-', '_' and '.' replaced by one '-'.
func NormalizeName(name string) string {
	return strings.ToLower(nameSeparators.ReplaceAllString(name, "-"))
}

// sdistFilename returns the PEP 625 file name of an sdist.
func sdistFilename(name, version string) string {
	return sdistStem(name, version) + ".tar.gz"
}

// sdistStem is the PEP 625 "{name}-{version}" stem, also the sdist's top
// directory: the name normalised with underscores.
func sdistStem(name, version string) string {
	return strings.ReplaceAll(NormalizeName(name), "-", "_") + "-" + version
}
