package localindex

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"
)

// maxMetadataSize caps a METADATA or PKG-INFO read from a distribution.
const maxMetadataSize = 16 << 20

// Dist kinds.
const (
	KindSdist = "sdist"
	KindWheel = "wheel"
)

// Dist describes one distribution file as the index serves it.
type Dist struct {
	Filename       string
	Kind           string // KindSdist or KindWheel
	Name           string // Name from the core metadata, as written
	Version        string
	RequiresPython string
	Size           int64
	SHA256         string
	// Metadata is the wheel's METADATA file (PEP 658); nil for sdists.
	Metadata       []byte
	MetadataSHA256 string
	UploadTime     time.Time
}

// distKind tells an index file's kind from its name; ok is false for files
// the index does not serve.
func distKind(filename string) (kind string, ok bool) {
	switch {
	case strings.HasSuffix(filename, ".whl"):
		return KindWheel, true
	case strings.HasSuffix(filename, ".tar.gz"):
		return KindSdist, true
	}
	return "", false
}

// ReadDist reads a distribution file's hash, size and core metadata.
func ReadDist(file string) (Dist, error) {
	filename := path.Base(file)
	kind, ok := distKind(filename)
	if !ok {
		return Dist{}, fmt.Errorf("%s: not a .whl or .tar.gz distribution", filename)
	}
	d := Dist{Filename: filename, Kind: kind}
	f, err := os.Open(file)
	if err != nil {
		return Dist{}, fmt.Errorf("read distribution: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return Dist{}, fmt.Errorf("read distribution: %w", err)
	}
	d.Size = st.Size()
	d.UploadTime = st.ModTime().UTC()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return Dist{}, fmt.Errorf("hash %s: %w", filename, err)
	}
	d.SHA256 = hex.EncodeToString(h.Sum(nil))

	var meta []byte
	if kind == KindWheel {
		meta, err = wheelMetadata(file)
		d.Metadata = meta
		if err == nil {
			sum := sha256.Sum256(meta)
			d.MetadataSHA256 = hex.EncodeToString(sum[:])
		}
	} else {
		meta, err = sdistPKGInfo(file)
	}
	if err != nil {
		return Dist{}, fmt.Errorf("%s: %w", filename, err)
	}
	hdr := parseHeaders(meta)
	d.Name = hdr.get("name")
	d.Version = hdr.get("version")
	d.RequiresPython = hdr.get("requires-python")
	if d.Name == "" || d.Version == "" {
		return Dist{}, fmt.Errorf("%s: core metadata lacks Name or Version", filename)
	}
	return d, nil
}

// wheelMetadata returns the .dist-info/METADATA file of a wheel.
func wheelMetadata(file string) ([]byte, error) {
	zr, err := zip.OpenReader(file)
	if err != nil {
		return nil, fmt.Errorf("open wheel: %w", err)
	}
	defer zr.Close()
	// The dist-info directory is named after the wheel's first two
	// file-name components; fall back to the only top-level one.
	parts := strings.SplitN(path.Base(file), "-", 3)
	want := ""
	if len(parts) == 3 {
		want = parts[0] + "-" + parts[1] + ".dist-info/METADATA"
	}
	var found []*zip.File
	for _, zf := range zr.File {
		dir, base := path.Split(zf.Name)
		if base == "METADATA" && strings.Count(zf.Name, "/") == 1 && strings.HasSuffix(dir, ".dist-info/") {
			if zf.Name == want {
				found = []*zip.File{zf}
				break
			}
			found = append(found, zf)
		}
	}
	if len(found) != 1 {
		return nil, fmt.Errorf("wheel has %d .dist-info/METADATA files, want 1", len(found))
	}
	if found[0].UncompressedSize64 > maxMetadataSize {
		return nil, fmt.Errorf("wheel METADATA is %d bytes, over the %d limit", found[0].UncompressedSize64, maxMetadataSize)
	}
	rc, err := found[0].Open()
	if err != nil {
		return nil, fmt.Errorf("open wheel METADATA: %w", err)
	}
	defer rc.Close()
	return readCapped(rc, "wheel METADATA")
}

// sdistPKGInfo returns the top-level PKG-INFO of a .tar.gz sdist.
func sdistPKGInfo(file string) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("open sdist: %w", err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("open sdist: %w", err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil, errors.New("sdist has no top-level PKG-INFO")
		}
		if err != nil {
			return nil, fmt.Errorf("read sdist: %w", err)
		}
		name := strings.TrimPrefix(h.Name, "./")
		if h.Typeflag == tar.TypeReg && strings.Count(name, "/") == 1 && path.Base(name) == "PKG-INFO" {
			return readCapped(tr, "sdist PKG-INFO")
		}
	}
}

func readCapped(r io.Reader, what string) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxMetadataSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", what, err)
	}
	if len(b) > maxMetadataSize {
		return nil, fmt.Errorf("%s is over the %d byte limit", what, maxMetadataSize)
	}
	return b, nil
}

// headers holds core metadata fields by lower-cased name.
type headers map[string][]string

func (h headers) get(key string) string {
	if v := h[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// parseHeaders reads the RFC 822 style header block of a core metadata file
// (up to the first blank line), joining continuation lines.
func parseHeaders(b []byte) headers {
	h := headers{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 64<<10), maxMetadataSize)
	last := ""
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break
		}
		if (line[0] == ' ' || line[0] == '\t') && last != "" {
			vals := h[last]
			vals[len(vals)-1] += "\n" + strings.TrimSpace(line)
			continue
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			last = ""
			continue
		}
		last = strings.ToLower(strings.TrimSpace(key))
		h[last] = append(h[last], strings.TrimSpace(val))
	}
	return h
}
