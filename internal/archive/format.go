package archive

import (
	"bytes"
	"path/filepath"
	"strconv"
	"strings"
)

// Container is the archive container kind, detected from magic bytes.
type Container string

// The containers this package reads.
const (
	TarGz  Container = "tar.gz"
	TarBz2 Container = "tar.bz2"
	Tar    Container = "tar"
	Zip    Container = "zip"
)

// Dist is the kind of Python distribution, from the file name.
type Dist string

// The distribution kinds.
const (
	Sdist       Dist = "sdist"
	Wheel       Dist = "wheel"
	UnknownDist Dist = "unknown"
)

// Format is what an archive is: the distribution kind and the container.
type Format struct {
	Dist      Dist      `json:"dist"`
	Container Container `json:"container"`
}

// suffixes maps lower-case file name endings to what they claim. An empty
// Container means a known but unsupported format.
var suffixes = []struct {
	suffix string
	format Format
}{
	{".whl", Format{Wheel, Zip}},
	{".tar.gz", Format{Sdist, TarGz}},
	{".tgz", Format{Sdist, TarGz}},
	{".tar.bz2", Format{Sdist, TarBz2}},
	{".tbz2", Format{Sdist, TarBz2}},
	{".tbz", Format{Sdist, TarBz2}},
	{".tar", Format{Sdist, Tar}},
	{".zip", Format{Sdist, Zip}},
	{".tar.xz", Format{Sdist, ""}},
	{".txz", Format{Sdist, ""}},
	{".tar.zst", Format{Sdist, ""}},
	{".tar.lz", Format{Sdist, ""}},
	{".tar.z", Format{Sdist, ""}},
}

// detectFormat decides the format from the file name and the first bytes of
// the file (up to 512). The content decides the container; a name that
// claims another container is refused as malformed.
func detectFormat(path string, head []byte) (Format, error) {
	base := strings.ToLower(filepath.Base(path))
	claim := Format{Dist: UnknownDist}
	for _, s := range suffixes {
		if strings.HasSuffix(base, s.suffix) {
			claim = s.format
			if claim.Container == "" {
				return Format{}, malformedErr("", "unsupported archive format %q", s.suffix)
			}
			break
		}
	}
	c := sniff(head)
	if c == "" {
		return Format{}, malformedErr("", "unrecognized archive content")
	}
	if claim.Container != "" && claim.Container != c {
		return Format{}, malformedErr("", "file name says %s but the content is %s", claim.Container, c)
	}
	return Format{Dist: claim.Dist, Container: c}, nil
}

func sniff(h []byte) Container {
	switch {
	case bytes.HasPrefix(h, []byte("PK\x03\x04")), bytes.HasPrefix(h, []byte("PK\x05\x06")):
		return Zip
	case bytes.HasPrefix(h, []byte{0x1f, 0x8b}):
		return TarGz
	case len(h) >= 4 && bytes.HasPrefix(h, []byte("BZh")) && '1' <= h[3] && h[3] <= '9':
		return TarBz2
	case len(h) >= 512 && isTarHeader(h[:512]):
		return Tar
	}
	return ""
}

// isTarHeader accepts a ustar/GNU magic, a valid v7 checksum, or an all-zero
// block (an empty tar).
func isTarHeader(b []byte) bool {
	if string(b[257:262]) == "ustar" {
		return true
	}
	if bytes.Count(b, []byte{0}) == len(b) {
		return true
	}
	field := strings.TrimRight(strings.TrimSpace(string(bytes.TrimRight(b[148:156], "\x00 "))), "\x00")
	want, err := strconv.ParseUint(field, 8, 32)
	if err != nil {
		return false
	}
	var sum uint64
	for i, c := range b {
		if 148 <= i && i < 156 {
			c = ' '
		}
		sum += uint64(c)
	}
	return sum == want
}
