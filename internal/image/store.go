package image

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Store is the directory holding the images: DATA-DIR/images.
type Store struct {
	Dir string
}

// NewStore returns the store under dataDir (DATA-DIR/images).
func NewStore(dataDir string) *Store { return &Store{Dir: filepath.Join(dataDir, "images")} }

// ErrNotFound is returned for an image that does not exist.
var ErrNotFound = errors.New("no such image")

// Dir of the image name; Root is its root file system (what sandbox.Spec.Image takes).
func (s *Store) dir(name string) string { return filepath.Join(s.Dir, name) }

// Root returns the host path of the image's root file system.
func (s *Store) Root(name string) string { return filepath.Join(s.dir(name), rootDir) }

// Get returns the manifest of the image name.
func (s *Store) Get(name string) (*Manifest, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	m, err := ReadManifest(manifestPath(s.dir(name)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("image %q: %w (pyti image list shows the images)", name, ErrNotFound)
	}
	if err != nil {
		return nil, err
	}
	if m.Name != name {
		return nil, fmt.Errorf("image %q: its manifest names %q", name, m.Name)
	}
	return m, nil
}

// List returns the manifests of every image, by name. Leftovers of builds in progress or that
// were interrupted (hidden directories) are not images and are skipped.
func (s *Store) List() ([]*Manifest, error) {
	ents, err := os.ReadDir(s.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("listing images: %w", err)
	}
	var out []*Manifest
	var errs []error
	for _, e := range ents {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		m, err := s.Get(e.Name())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, m)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, errors.Join(errs...)
}

// Verification is the result of re-hashing an image.
type Verification struct {
	Manifest *Manifest
	Actual   Content
}

// OK reports whether the image is what its manifest says.
func (v Verification) OK() bool { return v.Actual.Hash == v.Manifest.Content.Hash }

// Verify re-hashes the image name and compares with its manifest.
func (s *Store) Verify(ctx context.Context, name string) (Verification, error) {
	m, err := s.Get(name)
	if err != nil {
		return Verification{}, err
	}
	c, err := HashTree(ctx, s.Root(name))
	if err != nil {
		return Verification{}, err
	}
	return Verification{Manifest: m, Actual: c}, nil
}

// Remove deletes the image name.
func (s *Store) Remove(name string) error {
	if err := CheckName(name); err != nil {
		return err
	}
	dir := s.dir(name)
	if _, err := os.Lstat(dir); errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("image %q: %w", name, ErrNotFound)
	}
	// Rename first so that a half-removed image is never listed as one.
	trash, err := os.MkdirTemp(s.Dir, ".rm-"+name+"-*")
	if err != nil {
		return fmt.Errorf("removing image %q: %w", name, err)
	}
	gone := filepath.Join(trash, name)
	if err := os.Rename(dir, gone); err != nil {
		os.Remove(trash)
		return fmt.Errorf("removing image %q: %w", name, err)
	}
	if err := removeTree(trash); err != nil {
		return fmt.Errorf("removing image %q: %w", name, err)
	}
	return nil
}

// removeTree removes dir although the image inside was made read-only: it first unmounts
// anything left mounted under it (an interrupted debootstrap leaves proc and sys mounted in its
// target), then gives its directories back their owner's write permission.
func removeTree(dir string) error {
	if err := unmountUnder(dir); err != nil {
		return err
	}
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.IsDir() {
			if fi, err := d.Info(); err == nil && fi.Mode().Perm()&0o700 != 0o700 {
				_ = os.Chmod(p, fi.Mode().Perm()|0o700)
			}
		}
		return nil
	})
	return os.RemoveAll(dir)
}
