package cli

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/tasks"
)

// fakeImage writes an image as the image store keeps one: a tiny root file system and its
// manifest, through the image package's own API (no debootstrap). It returns the manifest.
func fakeImage(t *testing.T, st *image.Store, name, release, python string) *image.Manifest {
	t.Helper()
	root := st.Root(name)
	if err := os.MkdirAll(filepath.Join(root, "usr", "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "usr", "bin", "python3"), []byte("#!/bin/false\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	content, err := image.HashTree(t.Context(), root)
	if err != nil {
		t.Fatal(err)
	}
	m := &image.Manifest{Version: image.ManifestVersion, Name: name, Release: release, Python: python,
		Created: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Content: content}
	if err := image.WriteManifest(filepath.Join(filepath.Dir(root), "manifest.json"), m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestResolveImages(t *testing.T) {
	dataDir := t.TempDir()
	st := image.NewStore(dataDir)
	bookworm := fakeImage(t, st, "bookworm", "bookworm", "3.11.2")
	trixie := fakeImage(t, st, "trixie-313", "trixie", "3.13.5")
	// A manifest without its root file system, and a manifest that is not one.
	noRoot := fakeImage(t, st, "noroot", "trixie", "3.13.5")
	if err := os.RemoveAll(st.Root(noRoot.Name)); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(st.Dir, "broken", "root"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(st.Dir, "broken", "manifest.json"), []byte(`{"name": "broken"`), 0o444); err != nil {
		t.Fatal(err)
	}
	bookwormImage := tasks.Image{Name: "bookworm", Root: st.Root("bookworm"), ID: bookworm.ID(), Release: "bookworm", Python: "3.11.2", OS: "Debian bookworm"}
	trixieImage := tasks.Image{Name: "trixie-313", Root: st.Root("trixie-313"), ID: trixie.ID(), Release: "trixie", Python: "3.13.5", OS: "Debian trixie"}
	host := tasks.Image{Name: tasks.HostImage}

	tests := []struct {
		name     string
		names    []string
		want     []tasks.Image
		wantErr  string
		notFound bool
	}{
		{name: "none is the host system", names: nil, want: nil},
		{name: "host", names: []string{"host"}, want: []tasks.Image{host}},
		{name: "one image", names: []string{"bookworm"}, want: []tasks.Image{bookwormImage}},
		{name: "a matrix keeps its order", names: []string{"trixie-313", "host", "bookworm"}, want: []tasks.Image{trixieImage, host, bookwormImage}},
		{name: "not built", names: []string{"bookworm", "sid"}, notFound: true,
			wantErr: "image sid is not built in " + dataDir + ": run pyti image build sid --release RELEASE --data-dir " + dataDir},
		{name: "invalid name", names: []string{"../etc"}, wantErr: "invalid image name"},
		{name: "manifest without a root", names: []string{"noroot"}, wantErr: "image noroot has a manifest but no root file system"},
		{name: "broken manifest", names: []string{"broken"}, wantErr: "image broken: image manifest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := resolveImages(st, tc.names)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("resolveImages(%q) = %v, want an error containing %q", tc.names, err, tc.wantErr)
				}
				if errors.Is(err, image.ErrNotFound) != tc.notFound {
					t.Errorf("errors.Is(%v, image.ErrNotFound) = %v, want %v", err, !tc.notFound, tc.notFound)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("resolveImages(%q) (-want +got):\n%s", tc.names, diff)
			}
		})
	}
}

func TestHostImageNamesAgree(t *testing.T) {
	if master.HostImage != tasks.HostImage {
		t.Errorf("master.HostImage %q, tasks.HostImage %q", master.HostImage, tasks.HostImage)
	}
}
