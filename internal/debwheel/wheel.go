package debwheel

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
)

var distNameRe = regexp.MustCompile(`[^A-Za-z0-9.]+`)

// distMetadata reads the distribution's metadata from its dist-info or egg-info directory and
// returns the wheel's METADATA plus the other dist-info files to carry over.
func distMetadata(rfs *rootFS, metaDir, kind string) ([]byte, map[string][]byte, error) {
	metaPath := DistPackages + "/" + metaDir
	extra := map[string][]byte{}
	for _, n := range []string{"entry_points.txt", "top_level.txt"} {
		if b, err := rfs.readFile(metaPath+"/"+n, maxMetaFile); err == nil {
			extra[n] = b
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, nil, err
		}
	}
	if kind == "dist-info" {
		metadata, err := rfs.readFile(metaPath+"/METADATA", maxMetaFile)
		return metadata, extra, err
	}
	pkgInfo, err := rfs.readFile(metaPath+"/PKG-INFO", maxMetaFile)
	if err != nil {
		return nil, nil, err
	}
	requires, err := rfs.readFile(metaPath+"/requires.txt", maxMetaFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, nil, err
	}
	return eggMetadata(pkgInfo, requires), extra, nil
}

// chooseMetaDir picks the metadata directory of the distribution among files. Some Debian
// packages (python3-cryptography) ship both a dist-info and an egg-info directory for the same
// distribution: the dist-info one wins. Two of the same kind are two distributions: refused.
func chooseMetaDir(files []payloadFile) (dir, kind string, err error) {
	found := map[string][]string{}
	for _, f := range files {
		if m := metaDirRe.FindStringSubmatch(f.name); m != nil {
			d := m[1] + "." + m[2]
			if !slices.Contains(found[m[2]], d) {
				found[m[2]] = append(found[m[2]], d)
			}
		}
	}
	for _, k := range []string{"dist-info", "egg-info"} {
		switch len(found[k]) {
		case 0:
			continue
		case 1:
			return found[k][0], k, nil
		default:
			return "", "", fmt.Errorf("two distributions in one package: %s", strings.Join(found[k], ", "))
		}
	}
	return "", "", fmt.Errorf("no dist-info or egg-info directory")
}

// buildWheel writes the wheel of package p, made of files, into outDir. It returns the wheel's
// path and whether a different file of that name was already there (and kept).
func buildWheel(ctx context.Context, rfs *rootFS, outDir string, p *dpkgPackage, pyMinor string, files []payloadFile) (string, bool, error) {
	metaDir, kind, err := chooseMetaDir(files)
	if err != nil {
		return "", false, err
	}
	var payload []payloadFile
	for _, f := range files {
		if !metaDirRe.MatchString(f.name) {
			payload = append(payload, f)
		}
	}
	metadata, extra, err := distMetadata(rfs, metaDir, kind)
	if err != nil {
		return "", false, err
	}
	name, version := header(metadata, "Name"), header(metadata, "Version")
	if name == "" || version == "" {
		return "", false, fmt.Errorf("metadata without Name or Version")
	}
	fileTag, tags, err := wheelTags(payload, p.Architecture, pyMinor)
	if err != nil {
		return "", false, err
	}
	distName := distNameRe.ReplaceAllString(name, "_")
	wheelVersion := strings.ReplaceAll(version, "-", "_")
	if !safeName(distName) || !safeName(wheelVersion) || strings.Contains(distName+wheelVersion, "/") {
		return "", false, fmt.Errorf("unusable name or version %q %q", name, version)
	}
	distInfo := distName + "-" + wheelVersion + ".dist-info"
	path := filepath.Join(outDir, distName+"-"+wheelVersion+"-"+fileTag+".whl")

	tmp, err := os.CreateTemp(outDir, ".debwheel-*.whl")
	if err != nil {
		return "", false, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	w := &wheelWriter{zw: zip.NewWriter(tmp)}
	w.record = csv.NewWriter(&w.recordBuf)
	for _, f := range payload {
		if err := ctx.Err(); err != nil {
			return "", false, err
		}
		data, err := rfs.readRel(DistPackages+"/"+f.name, f.resolved, maxFile)
		if err != nil {
			return "", false, err
		}
		if err := w.add(f.name, data); err != nil {
			return "", false, err
		}
	}
	if err := w.add(distInfo+"/METADATA", metadata); err != nil {
		return "", false, err
	}
	var wheelFile strings.Builder
	fmt.Fprintf(&wheelFile, "Wheel-Version: 1.0\nGenerator: pyti-debwheel (from Debian package %s %s)\nRoot-Is-Purelib: %v\n",
		p.Name, p.Version, fileTag == "py3-none-any")
	for _, t := range tags {
		fmt.Fprintf(&wheelFile, "Tag: %s\n", t)
	}
	if err := w.add(distInfo+"/WHEEL", []byte(wheelFile.String())); err != nil {
		return "", false, err
	}
	names := make([]string, 0, len(extra))
	for n := range extra {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if err := w.add(distInfo+"/"+n, extra[n]); err != nil {
			return "", false, err
		}
	}
	if err := w.finish(distInfo + "/RECORD"); err != nil {
		return "", false, err
	}
	if err := tmp.Close(); err != nil {
		return "", false, err
	}
	kept, err := placeNew(tmp.Name(), path)
	return path, kept, err
}

// wheelWriter writes the members of a wheel and keeps its RECORD.
type wheelWriter struct {
	zw        *zip.Writer
	recordBuf bytes.Buffer
	record    *csv.Writer
	size      int64
}

func (w *wheelWriter) add(name string, data []byte) error {
	if w.size += int64(len(data)); w.size > maxWheelBytes {
		return fmt.Errorf("more than %d bytes of files", maxWheelBytes)
	}
	zf, err := w.zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Deflate})
	if err != nil {
		return err
	}
	if _, err := zf.Write(data); err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	return w.record.Write([]string{name, "sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]), fmt.Sprint(len(data))})
}

// finish writes RECORD, which lists every member and itself without a hash, and closes the zip.
func (w *wheelWriter) finish(recordName string) error {
	if err := w.record.Write([]string{recordName, "", ""}); err != nil {
		return err
	}
	w.record.Flush()
	if err := w.record.Error(); err != nil {
		return err
	}
	zf, err := w.zw.Create(recordName)
	if err != nil {
		return err
	}
	if _, err := zf.Write(w.recordBuf.Bytes()); err != nil {
		return err
	}
	return w.zw.Close()
}

// placeNew gives the finished file tmp the name dst unless dst exists: an identical dst is
// fine, a different one is kept (kept is true) and tmp is dropped. It never replaces dst.
func placeNew(tmp, dst string) (kept bool, err error) {
	err = os.Link(tmp, dst)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: rename, having checked that nothing is there.
		if _, lerr := os.Lstat(dst); !errors.Is(lerr, fs.ErrNotExist) {
			return false, fmt.Errorf("placing %s: %w", filepath.Base(dst), err)
		}
		if err := os.Rename(tmp, dst); err != nil {
			return false, fmt.Errorf("placing %s: %w", filepath.Base(dst), err)
		}
		return false, nil
	}
	same, err := sameContent(tmp, dst)
	if err != nil {
		return false, err
	}
	return !same, nil
}

func sameContent(a, b string) (bool, error) {
	ha, err := fileHash(a)
	if err != nil {
		return false, err
	}
	hb, err := fileHash(b)
	if err != nil {
		return false, err
	}
	return ha == hb, nil
}

func fileHash(p string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(p)
	if err != nil {
		return sum, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, fmt.Errorf("reading %s: %w", p, err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}
