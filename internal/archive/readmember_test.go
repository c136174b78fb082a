package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadMember(t *testing.T) {
	dir := t.TempDir()
	sdist := filepath.Join(dir, "demo-1.0.tar.gz")
	writeFile(t, sdist, gz(t, tarBytes(t, sdistEntries())))
	ctx := context.Background()

	name, data, err := ReadMember(ctx, sdist, Limits{}, IsSdistPKGInfo, 1<<20)
	if err != nil || name != "demo-1.0/PKG-INFO" || !strings.HasPrefix(string(data), "Metadata-Version: 2.1\n") {
		t.Fatalf("got %q %q %v", name, data, err)
	}
	if _, _, err := ReadMember(ctx, sdist, Limits{}, IsWheelMetadata, 1<<20); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing member: %v", err)
	}
	// Exactly max bytes is allowed; one less is too large.
	n := int64(len(data))
	if _, _, err := ReadMember(ctx, sdist, Limits{}, IsSdistPKGInfo, n); err != nil {
		t.Errorf("member of exactly max bytes: %v", err)
	}
	_, _, err = ReadMember(ctx, sdist, Limits{}, IsSdistPKGInfo, n-1)
	wantRefusal(t, err, MetadataTooLarge, "./demo-1.0/PKG-INFO")

	// A member walked over before the match is still checked.
	evil := filepath.Join(dir, "evil-1.0.tar.gz")
	writeFile(t, evil, gz(t, tarBytes(t, []tarEntry{{Name: "../x", Body: "x"}, {Name: "evil-1.0/PKG-INFO", Body: "Name: evil"}})))
	_, _, err = ReadMember(ctx, evil, Limits{}, IsSdistPKGInfo, 1<<20)
	wantRefusal(t, err, UnsafeArchive, "../x")
}

// TestReadMemberHugeMetadata is the "100 MB METADATA" row: refused from the
// declared size before reading, and a member lying about its size is cut
// off while streaming.
func TestReadMemberHugeMetadata(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()

	sdist := filepath.Join(dir, "huge-1.0.tar.gz")
	writeHugePKGInfo(t, sdist, 100<<20)
	_, _, err := ReadMember(ctx, sdist, Limits{}, IsSdistPKGInfo, 1<<20)
	wantRefusal(t, err, MetadataTooLarge, "huge-1.0/PKG-INFO")

	// Declared 100 MB in the zip headers, a few bytes of data: refused
	// without decompressing anything.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "huge-1.0.dist-info/METADATA", Method: zip.Deflate, CompressedSize64: 4, UncompressedSize64: 100 << 20})
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte{1, 2, 3, 4})
	zw.Close()
	whl := filepath.Join(dir, "huge-1.0-py3-none-any.whl")
	writeFile(t, whl, buf.Bytes())
	_, _, err = ReadMember(ctx, whl, Limits{}, IsWheelMetadata, 1<<20)
	wantRefusal(t, err, MetadataTooLarge, "huge-1.0.dist-info/METADATA")

	// Declared 10 bytes, inflates to 8 MiB.
	liar := filepath.Join(dir, "liar-1.0-py3-none-any.whl")
	writeFile(t, liar, lyingZip(t))
	_, _, err = ReadMember(ctx, liar, Limits{}, func(n string) bool { return n == "liar" }, 1<<20)
	wantRefusal(t, err, ArchiveLimits, "liar")
}

// TestRealSdist builds an sdist with the real Python build tool and reads
// and extracts it.
func TestRealSdist(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	proj := t.TempDir()
	writeFile(t, filepath.Join(proj, "pyproject.toml"), []byte(`[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "realdemo"
version = "0.1"
`))
	if err := os.MkdirAll(filepath.Join(proj, "realdemo"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(proj, "realdemo", "__init__.py"), []byte("VALUE = 42\n"))
	out := t.TempDir()
	cmd := exec.Command(py, "-m", "build", "--sdist", "--no-isolation", "--outdir", out, proj)
	cmd.Env = append(os.Environ(), "PIP_NO_INDEX=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("python -m build: %v\n%s", err, b)
	}
	sdists, _ := filepath.Glob(filepath.Join(out, "*.tar.gz"))
	if len(sdists) != 1 {
		t.Fatalf("built %v", sdists)
	}
	j := newJail(t)
	p := j.archive(filepath.Base(sdists[0]))
	b, err := os.ReadFile(sdists[0])
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, p, b)
	name, meta, err := ReadMember(context.Background(), p, Limits{}, IsSdistPKGInfo, 1<<20)
	if err != nil || !bytes.Contains(meta, []byte("Name: realdemo")) {
		t.Fatalf("PKG-INFO: %q %v", name, err)
	}
	inv, err := j.extract(t, p, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(j.dest, "realdemo-0.1", "realdemo", "__init__.py"))
	if err != nil || string(got) != "VALUE = 42\n" {
		t.Errorf("extracted module: %q %v", got, err)
	}
	if inv.Format != (Format{Dist: Sdist, Container: TarGz}) || len(inv.Skipped) != 0 {
		t.Errorf("inventory %+v skipped %v", inv.Format, inv.Skipped)
	}
}

// writeHugePKGInfo streams a tar.gz whose PKG-INFO holds size bytes of
// classifier lines.
func writeHugePKGInfo(t *testing.T, p string, size int64) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zw, _ := gzip.NewWriterLevel(f, gzip.BestSpeed)
	tw := tar.NewWriter(zw)
	if err := tw.WriteHeader(&tar.Header{Name: "huge-1.0/PKG-INFO", Mode: 0o644, Size: size}); err != nil {
		t.Fatal(err)
	}
	line := []byte(strings.Repeat("Classifier: Programming Language :: Python\n", 1000))
	for n := int64(0); n < size; n += int64(len(line)) {
		chunk := line[:min(int64(len(line)), size-n)]
		if _, err := tw.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []interface{ Close() error }{tw, zw} {
		if err := c.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
