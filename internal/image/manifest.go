package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"
)

// ManifestVersion is the version of the manifest format written by this PYTI.
const ManifestVersion = 1

// Package is one installed Debian package.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Manifest describes a built image; it sits next to the image's root as manifest.json.
type Manifest struct {
	Version  int       `json:"manifest_version"`
	Name     string    `json:"name"`
	Release  string    `json:"release"`
	Python   string    `json:"python"` // full version of the image's python3, e.g. "3.11.2"
	Mirror   string    `json:"mirror"`
	Created  time.Time `json:"created"`
	Include  []string  `json:"include"`  // what was asked of debootstrap --include
	Packages []Package `json:"packages"` // everything installed, by name
	Content  Content   `json:"content"`  // the hash identifies the image
}

// ID is the image's identity: its content hash.
func (m *Manifest) ID() string { return m.Content.Hash }

// ShortID is the first 12 hex digits of the content hash, for listings.
func (m *Manifest) ShortID() string {
	h := m.Content.Hash[len(HashPrefix):]
	return h[:min(12, len(h))]
}

var nameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)

// CheckName reports whether name can name an image (and a directory).
func CheckName(name string) error {
	if !nameRE.MatchString(name) {
		return fmt.Errorf("invalid image name %q: lower-case letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64", name)
	}
	return nil
}

// maxManifest bounds what ReadManifest reads.
const maxManifest = 16 << 20

// ReadManifest reads and checks the manifest at path.
func ReadManifest(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading image manifest: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("reading image manifest: %w", err)
	}
	if fi.Size() > maxManifest {
		return nil, fmt.Errorf("image manifest %s: larger than %d bytes", path, maxManifest)
	}
	var m Manifest
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, fmt.Errorf("image manifest %s: %w", path, err)
	}
	if err := m.check(); err != nil {
		return nil, fmt.Errorf("image manifest %s: %w", path, err)
	}
	return &m, nil
}

var hashRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

func (m *Manifest) check() error {
	var errs []error
	if m.Version != ManifestVersion {
		errs = append(errs, fmt.Errorf("manifest_version %d, this PYTI reads %d", m.Version, ManifestVersion))
	}
	if err := CheckName(m.Name); err != nil {
		errs = append(errs, err)
	}
	if !hashRE.MatchString(m.Content.Hash) {
		errs = append(errs, fmt.Errorf("content hash %q is not sha256:<64 hex digits>", m.Content.Hash))
	}
	if m.Release == "" || m.Python == "" {
		errs = append(errs, errors.New("release or python missing"))
	}
	return errors.Join(errs...)
}

// WriteManifest writes m to path (read-only), replacing nothing: path must not exist.
func WriteManifest(path string, m *Manifest) error {
	if err := m.check(); err != nil {
		return fmt.Errorf("writing image manifest: %w", err)
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return fmt.Errorf("writing image manifest: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o444)
	if err != nil {
		return fmt.Errorf("writing image manifest: %w", err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("writing image manifest: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing image manifest: %w", err)
	}
	return nil
}

// manifestFile and rootDir are the two entries of an image's directory.
const (
	manifestFile = "manifest.json"
	rootDir      = "root"
)

func manifestPath(dir string) string { return filepath.Join(dir, manifestFile) }
