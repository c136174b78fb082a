package archive

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// debianWheels lists the real wheels Debian ships (python3-pip-whl,
// python3-setuptools-whl, python3-wheel-whl).
func debianWheels(t *testing.T) []string {
	t.Helper()
	ws, _ := filepath.Glob("/usr/share/python-wheels/*.whl")
	if len(ws) == 0 {
		t.Skip("no wheels in /usr/share/python-wheels (Debian package python3-pip-whl)")
	}
	return ws
}

func TestRealWheels(t *testing.T) {
	for _, w := range debianWheels(t) {
		t.Run(filepath.Base(w), func(t *testing.T) {
			j := newJail(t)
			p := j.archive(filepath.Base(w))
			b, err := os.ReadFile(w)
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, p, b)
			ctx := context.Background()
			mm, err := VerifyRecord(ctx, p, Limits{})
			if err != nil || len(mm) != 0 {
				t.Fatalf("VerifyRecord: %v %+v", err, mm)
			}
			name, meta, err := ReadMember(ctx, p, Limits{}, IsWheelMetadata, 1<<20)
			if err != nil || !IsWheelMetadata(name) || !bytes.Contains(meta, []byte("\nName: ")) {
				t.Fatalf("ReadMember: %q %v", name, err)
			}
			inv, err := j.extract(t, p, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if inv.Format != (Format{Dist: Wheel, Container: Zip}) || inv.ExtractedFiles == 0 || len(inv.Skipped) != 0 {
				t.Errorf("inventory: %+v, %d files, skipped %v", inv.Format, inv.ExtractedFiles, inv.Skipped)
			}
			got, err := os.ReadFile(filepath.Join(j.dest, name))
			if err != nil || !bytes.Equal(got, meta) {
				t.Errorf("extracted %s differs from ReadMember's: %v", name, err)
			}
		})
	}
}

// rewriteWheel copies the zip at src to dst, letting edit change, drop
// (return nil) or keep each member, and appending extra members.
func rewriteWheel(t *testing.T, src, dst string, edit func(name string, data []byte) []byte, extra map[string]string) {
	t.Helper()
	zr, err := zip.OpenReader(src)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		data = edit(f.Name, data)
		if data == nil {
			continue
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	for n, body := range extra {
		w, _ := zw.Create(n)
		io.WriteString(w, body)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	writeFile(t, dst, buf.Bytes())
}

func TestVerifyRecordFindsTampering(t *testing.T) {
	var pip string
	for _, w := range debianWheels(t) {
		if strings.HasPrefix(filepath.Base(w), "pip-") {
			pip = w
		}
	}
	if pip == "" {
		t.Skip("no pip wheel in /usr/share/python-wheels")
	}
	const target = "pip/__init__.py"
	for _, tc := range []struct {
		name  string
		edit  func(name string, data []byte) []byte
		extra map[string]string
		want  []RecordMismatch
	}{
		{
			name: "untouched copy",
			edit: func(_ string, d []byte) []byte { return d },
		},
		{
			name: "one byte changed",
			edit: func(n string, d []byte) []byte {
				if n == target {
					d = bytes.Clone(d)
					d[0] ^= 0x20
				}
				return d
			},
			want: []RecordMismatch{{Kind: MismatchHash, Path: target}},
		},
		{
			name: "file appended to",
			edit: func(n string, d []byte) []byte {
				if n == target {
					d = append(bytes.Clone(d), "import os\n"...)
				}
				return d
			},
			want: []RecordMismatch{{Kind: MismatchHash, Path: target}, {Kind: MismatchSize, Path: target}},
		},
		{
			name:  "file added",
			edit:  func(_ string, d []byte) []byte { return d },
			extra: map[string]string{"pip/evil.pth": "import os"},
			want:  []RecordMismatch{{Kind: MismatchNotInRecord, Path: "pip/evil.pth"}},
		},
		{
			name: "file removed",
			edit: func(n string, d []byte) []byte {
				if n == target {
					return nil
				}
				return d
			},
			want: []RecordMismatch{{Kind: MismatchMissingFile, Path: target}},
		},
		{
			name: "record removed",
			edit: func(n string, d []byte) []byte {
				if IsWheelRecord(n) {
					return nil
				}
				return d
			},
			want: []RecordMismatch{{Kind: MismatchNoRecord}},
		},
		{
			name: "record with an md5 line",
			edit: func(n string, d []byte) []byte {
				if IsWheelRecord(n) {
					return append(bytes.Clone(d), "pip/extra.py,md5=abc,3\n"...)
				}
				return d
			},
			extra: map[string]string{"pip/extra.py": "abc"},
			want:  []RecordMismatch{{Kind: MismatchUnsupportedHash, Path: "pip/extra.py"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), filepath.Base(pip))
			rewriteWheel(t, pip, p, tc.edit, tc.extra)
			got, err := VerifyRecord(context.Background(), p, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			// Digests are long; compare kinds and paths.
			for i := range got {
				got[i].Expected, got[i].Actual = "", ""
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatches (-want +got):\n%s", diff)
			}
		})
	}
}

func TestVerifyRecordRefusesSdist(t *testing.T) {
	p := filepath.Join(t.TempDir(), "demo-1.0.tar.gz")
	writeFile(t, p, gz(t, tarBytes(t, sdistEntries())))
	if _, err := VerifyRecord(context.Background(), p, Limits{}); RefusalOf(err) != MalformedArchive {
		t.Fatalf("got %v", err)
	}
}

func TestVerifyRecordCapsRecord(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big-1.0-py3-none-any.whl")
	writeFile(t, p, zipBytes(t, []zipEntry{
		{Name: "big/__init__.py", Body: ""},
		{Name: "big-1.0.dist-info/RECORD", Body: strings.Repeat("big/__init__.py,,\n", 10000)},
	}))
	_, err := VerifyRecord(context.Background(), p, Limits{MaxMetadataBytes: 1000})
	wantRefusal(t, err, MetadataTooLarge, "big-1.0.dist-info/RECORD")
}
