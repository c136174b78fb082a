package detectbench

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// maxWheelBytes bounds what asWheel copies out of one archive.
const maxWheelBytes = 256 << 20

// wheelBase returns the wheel file name a dataset archive stands for: the research dataset
// stores some wheels as NAME-VER-py3-none-any.tar.gz or .zip (the wheel itself renamed, or its
// files re-packed as a tar). ok is false for any other name.
func wheelBase(file string) (string, bool) {
	base := filepath.Base(file)
	var stem string
	switch {
	case strings.HasSuffix(base, ".tar.gz"):
		stem = strings.TrimSuffix(base, ".tar.gz")
	case strings.HasSuffix(base, ".zip"):
		stem = strings.TrimSuffix(base, ".zip")
	default:
		return "", false
	}
	parts := strings.Split(stem, "-")
	if len(parts) < 5 || len(parts) > 6 {
		return "", false
	}
	py, abi, plat := parts[len(parts)-3], parts[len(parts)-2], parts[len(parts)-1]
	if !(strings.HasPrefix(py, "py") || strings.HasPrefix(py, "cp")) || abi == "" || plat == "" {
		return "", false
	}
	return stem + ".whl", true
}

// asWheel gives back, in dir, the wheel a dataset archive stores under another name (see
// wheelBase), so that `pyti analyze` sees the distribution as PyPI served it: a zip is copied
// as it is; a tar's regular files are written into a zip in name order with a fixed time, so
// that the same sample always gives the same bytes (and the same cache key). It returns
// ("", nil) when file is not such an archive, cannot be read as one, or holds no
// .dist-info/WHEEL.
func asWheel(file, dir string) (string, error) {
	name, ok := wheelBase(file)
	if !ok {
		return "", nil
	}
	isZip, err := zipMagic(file)
	if err != nil {
		return "", err
	}
	files, err := readMembers(file, isZip)
	if err != nil {
		// Not readable as a stored wheel: analysed as it is, and PYTI says what it is.
		return "", nil
	}
	hasWheel := false
	for n := range files {
		if dirName, f := path.Split(n); f == "WHEEL" && strings.HasSuffix(strings.TrimSuffix(dirName, "/"), ".dist-info") && strings.Count(n, "/") == 1 {
			hasWheel = true
		}
	}
	if !hasWheel {
		return "", nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	if isZip {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", err
		}
		return out, os.WriteFile(out, data, 0o600)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	f, err := os.Create(out)
	if err != nil {
		return "", err
	}
	zw := zip.NewWriter(f)
	stamp := time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Deflate, Modified: stamp})
		if err == nil {
			_, err = w.Write(files[n])
		}
		if err != nil {
			f.Close()
			return "", err
		}
	}
	if err := zw.Close(); err != nil {
		f.Close()
		return "", err
	}
	return out, f.Close()
}

// zipMagic reports whether file starts as a zip archive does, whatever its name says (the
// dataset names some zips .tar.gz).
func zipMagic(file string) (bool, error) {
	f, err := os.Open(file)
	if err != nil {
		return false, err
	}
	defer f.Close()
	head := make([]byte, 4)
	if _, err := io.ReadFull(f, head); err != nil {
		return false, nil
	}
	return bytes.Equal(head, []byte("PK\x03\x04")), nil
}

// readMembers reads the regular files of a zip or a gzipped tar, refusing names that leave the
// archive's root and stopping at maxWheelBytes. Nothing is written to disk.
func readMembers(file string, isZip bool) (map[string][]byte, error) {
	out := map[string][]byte{}
	total := 0
	add := func(name string, r io.Reader) error {
		n := path.Clean(strings.TrimPrefix(name, "./"))
		if n == "." || strings.HasPrefix(n, "../") || n == ".." || path.IsAbs(n) {
			return fmt.Errorf("unsafe member name %q", name)
		}
		data, err := io.ReadAll(io.LimitReader(r, int64(maxWheelBytes-total+1)))
		if err != nil {
			return err
		}
		total += len(data)
		if total > maxWheelBytes {
			return errors.New("larger than the limit")
		}
		out[n] = data
		return nil
	}
	if isZip {
		zr, err := zip.OpenReader(file)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		for _, zf := range zr.File {
			if !zf.Mode().IsRegular() {
				continue
			}
			rc, err := zf.Open()
			if err != nil {
				return nil, err
			}
			err = add(zf.Name, rc)
			rc.Close()
			if err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if err := add(h.Name, tr); err != nil {
			return nil, err
		}
	}
}
