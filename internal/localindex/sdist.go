package localindex

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"
)

// packEpoch is the fixed modification time of packed sdist members, so the
// same files always give the same archive.
var packEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// packSdist writes the sdist of a hostile example without running any of its
// code: the files (less the builder's own) under a "name-version/" top
// directory, with the checked-in PKG-INFO giving name and version. It returns
// the file name written in outDir.
func packSdist(files []sourceFile, outDir string) (string, error) {
	var pkgInfo *sourceFile
	var members []sourceFile
	for i, f := range files {
		switch f.rel {
		case ConfigFile, ExpectedFile:
			continue
		case "PKG-INFO":
			pkgInfo = &files[i]
		}
		members = append(members, f)
	}
	if pkgInfo == nil {
		return "", fmt.Errorf("a hostile example needs a checked-in PKG-INFO")
	}
	raw, err := os.ReadFile(pkgInfo.abs)
	if err != nil {
		return "", fmt.Errorf("read PKG-INFO: %w", err)
	}
	hdr := parseHeaders(raw)
	name, version := hdr.get("name"), hdr.get("version")
	if name == "" || version == "" {
		return "", fmt.Errorf("PKG-INFO lacks Name or Version")
	}
	top := sdistStem(name, version)
	filename := sdistFilename(name, version)

	out, err := os.Create(filepath.Join(outDir, filename))
	if err != nil {
		return "", fmt.Errorf("pack sdist: %w", err)
	}
	gz := gzip.NewWriter(out)
	tw := tar.NewWriter(gz)
	if err := writeMembers(tw, top, members); err != nil {
		out.Close()
		return "", err
	}
	if err := tw.Close(); err != nil {
		out.Close()
		return "", fmt.Errorf("pack sdist: %w", err)
	}
	if err := gz.Close(); err != nil {
		out.Close()
		return "", fmt.Errorf("pack sdist: %w", err)
	}
	if err := out.Close(); err != nil {
		return "", fmt.Errorf("pack sdist: %w", err)
	}
	return filename, nil
}

func writeMembers(tw *tar.Writer, top string, members []sourceFile) error {
	dirs := map[string]bool{top: true}
	for _, m := range members {
		for d := path.Dir(m.rel); d != "."; d = path.Dir(d) {
			dirs[path.Join(top, d)] = true
		}
	}
	dirList := make([]string, 0, len(dirs))
	for d := range dirs {
		dirList = append(dirList, d)
	}
	sort.Strings(dirList)
	for _, d := range dirList {
		h := &tar.Header{Typeflag: tar.TypeDir, Name: d + "/", Mode: 0o755, ModTime: packEpoch, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("pack sdist: %w", err)
		}
	}
	for _, m := range members {
		b, err := os.ReadFile(m.abs)
		if err != nil {
			return fmt.Errorf("pack sdist: %w", err)
		}
		mode := int64(0o644)
		if m.mode.Perm()&0o111 != 0 {
			mode = 0o755
		}
		h := &tar.Header{Typeflag: tar.TypeReg, Name: path.Join(top, m.rel), Mode: mode, Size: int64(len(b)), ModTime: packEpoch, Format: tar.FormatPAX}
		if err := tw.WriteHeader(h); err != nil {
			return fmt.Errorf("pack sdist: %w", err)
		}
		if _, err := tw.Write(b); err != nil {
			return fmt.Errorf("pack sdist: %w", err)
		}
	}
	return nil
}
