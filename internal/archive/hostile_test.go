package archive

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"crypto/rand"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileCase is one hostile archive: its file name, its bytes, the limits
// it is extracted under, and the refusal it must cause.
type hostileCase struct {
	name    string
	file    string
	data    func(t *testing.T) []byte
	lim     Limits
	verdict Refusal
	member  string
}

func zeros(n int) string { return string(make([]byte, n)) }

func randomString(t *testing.T, n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func tarCases() []hostileCase {
	tgz := func(entries ...tarEntry) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return gz(t, tarBytes(t, entries)) }
	}
	ok := tarEntry{Name: "pkg-1.0/ok.txt", Body: "fine"}
	return []hostileCase{
		{name: "dotdot", data: tgz(ok, tarEntry{Name: "../../x", Body: "pwned"}), verdict: UnsafeArchive, member: "../../x"},
		{name: "dotdot canary", data: tgz(tarEntry{Name: "../canary", Body: "pwned"}), verdict: UnsafeArchive, member: "../canary"},
		{name: "dotdot inside", data: tgz(tarEntry{Name: "pkg/../../x", Body: "pwned"}), verdict: UnsafeArchive, member: "pkg/../../x"},
		{name: "absolute", data: tgz(tarEntry{Name: "/etc/x", Body: "pwned"}), verdict: UnsafeArchive, member: "/etc/x"},
		{name: "backslash", data: tgz(tarEntry{Name: `..\..\x`, Body: "pwned"}), verdict: UnsafeArchive, member: `..\..\x`},
		{name: "symlink to root then member under it", data: tgz(
			tarEntry{Name: "link", Type: tar.TypeSymlink, Link: "/"},
			tarEntry{Name: "link/etc/x", Body: "pwned"}), verdict: UnsafeArchive, member: "link"},
		{name: "symlink to dotdot then member under it", data: tgz(
			tarEntry{Name: "up", Type: tar.TypeSymlink, Link: "../.."},
			tarEntry{Name: "up/x", Body: "pwned"}), verdict: UnsafeArchive, member: "up/x"},
		{name: "member under an inside symlink", data: tgz(
			tarEntry{Name: "real/", Type: tar.TypeDir},
			tarEntry{Name: "alias", Type: tar.TypeSymlink, Link: "real"},
			tarEntry{Name: "alias/x", Body: "through a link"}), verdict: UnsafeArchive, member: "alias/x"},
		{name: "member before the symlink above it", data: tgz(
			tarEntry{Name: "d/x", Body: "first"},
			tarEntry{Name: "d", Type: tar.TypeSymlink, Link: ".."}), verdict: UnsafeArchive, member: "d/x"},
		{name: "symlink escaping alone", data: tgz(tarEntry{Name: "pkg/etc", Type: tar.TypeSymlink, Link: "../../../etc"}), verdict: UnsafeArchive, member: "pkg/etc"},
		{name: "symlink chain escaping", data: tgz(
			tarEntry{Name: "b", Type: tar.TypeSymlink, Link: "a/.."},
			tarEntry{Name: "a", Type: tar.TypeSymlink, Link: "."}), verdict: UnsafeArchive, member: "b"},
		{name: "symlink through absolute symlink", data: tgz(
			tarEntry{Name: "a", Type: tar.TypeSymlink, Link: "/tmp"},
			tarEntry{Name: "b", Type: tar.TypeSymlink, Link: "a"}), verdict: UnsafeArchive, member: "a"},
		{name: "duplicate with other content", data: tgz(
			tarEntry{Name: "pkg-1.0/setup.py", Body: "print('the copy PYTI checked')"},
			tarEntry{Name: "pkg-1.0/./setup.py", Body: "open('/tmp/pyti-second-copy-ran', 'w')"}), verdict: UnsafeArchive, member: "pkg-1.0/./setup.py"},
		{name: "duplicate replaced by a symlink", data: tgz(
			tarEntry{Name: "pkg-1.0/setup.py", Body: "print('checked')"},
			tarEntry{Name: "pkg-1.0/setup.py", Type: tar.TypeSymlink, Link: "other.py"}), verdict: UnsafeArchive, member: "pkg-1.0/setup.py"},
		{name: "hardlink outside", data: tgz(tarEntry{Name: "passwd", Type: tar.TypeLink, Link: "../../etc/passwd"}), verdict: UnsafeArchive, member: "passwd"},
		{name: "hardlink absolute", data: tgz(tarEntry{Name: "passwd", Type: tar.TypeLink, Link: "/etc/passwd"}), verdict: UnsafeArchive, member: "passwd"},
		{name: "hardlink to later member", data: tgz(
			tarEntry{Name: "l", Type: tar.TypeLink, Link: "f"},
			tarEntry{Name: "f", Body: "x"}), verdict: UnsafeArchive, member: "l"},
		{name: "hardlink to symlink", data: tgz(
			tarEntry{Name: "s", Type: tar.TypeSymlink, Link: "f"},
			tarEntry{Name: "l", Type: tar.TypeLink, Link: "s"}), verdict: UnsafeArchive, member: "l"},
		{name: "char device", data: tgz(ok, tarEntry{Name: "pkg-1.0/null", Type: tar.TypeChar}), verdict: UnsafeArchive, member: "pkg-1.0/null"},
		{name: "block device", data: tgz(tarEntry{Name: "sda", Type: tar.TypeBlock}), verdict: UnsafeArchive, member: "sda"},
		{name: "fifo", data: tgz(tarEntry{Name: "pkg-1.0/fifo", Type: tar.TypeFifo}), verdict: UnsafeArchive, member: "pkg-1.0/fifo"},
		{name: "setuid", data: tgz(tarEntry{Name: "pkg-1.0/suid", Body: "#!/bin/sh\n", Mode: 0o4755}), verdict: UnsafeArchive, member: "pkg-1.0/suid"},
		{name: "setgid", data: tgz(tarEntry{Name: "pkg-1.0/sgid", Body: "#!/bin/sh\n", Mode: 0o2755}), verdict: UnsafeArchive, member: "pkg-1.0/sgid"},
		{name: "file then member inside it", data: tgz(
			tarEntry{Name: "f", Body: "x"},
			tarEntry{Name: "f/y", Body: "y"}), verdict: MalformedArchive, member: "f/y"},
		{name: "gzip bomb", data: tgz(tarEntry{Name: "bomb", Body: zeros(64 << 20)}), verdict: ArchiveLimits, member: "bomb"},
		{name: "gzip of zeros", data: func(t *testing.T) []byte { return gz(t, make([]byte, 64<<20)) }, verdict: ArchiveLimits},
		{name: "total byte cap", data: func(t *testing.T) []byte {
			return gz(t, tarBytes(t, []tarEntry{{Name: "a", Body: randomString(t, 600<<10)}, {Name: "b", Body: randomString(t, 600<<10)}}))
		}, lim: Limits{MaxTotalBytes: 1 << 20}, verdict: ArchiveLimits, member: "b"},
		{name: "per entry cap", data: func(t *testing.T) []byte {
			return gz(t, tarBytes(t, []tarEntry{{Name: "big", Body: randomString(t, 2<<20)}}))
		}, lim: Limits{MaxEntryBytes: 1 << 20}, verdict: ArchiveLimits, member: "big"},
		{name: "deep path", data: tgz(tarEntry{Name: strings.Repeat("d/", 100) + "x", Body: "deep"}), verdict: ArchiveLimits, member: strings.Repeat("d/", 100) + "x"},
		{name: "4 kB name", data: tgz(tarEntry{Name: strings.Repeat("n", 4096), Body: "long"}), verdict: ArchiveLimits, member: strings.Repeat("n", 4096)},
		{name: "long component", data: tgz(tarEntry{Name: "p/" + strings.Repeat("c", 300), Body: "long"}), verdict: ArchiveLimits, member: "p/" + strings.Repeat("c", 300)},
		{name: "entry count", data: func(t *testing.T) []byte {
			var es []tarEntry
			for i := range 20 {
				es = append(es, tarEntry{Name: "f" + strings.Repeat("x", i), Body: "x"})
			}
			return gz(t, tarBytes(t, es))
		}, lim: Limits{MaxEntries: 10}, verdict: ArchiveLimits, member: "f" + strings.Repeat("x", 10)},
		{name: "truncated gzip", data: func(t *testing.T) []byte {
			b := gz(t, tarBytes(t, []tarEntry{{Name: "a", Body: randomString(t, 64<<10)}}))
			return b[:len(b)/2]
		}, verdict: MalformedArchive, member: "a"},
		{name: "gzip without trailer", data: func(t *testing.T) []byte {
			b := gz(t, tarBytes(t, []tarEntry{{Name: "a", Body: "x"}}))
			return b[:len(b)-4]
		}, verdict: MalformedArchive},
		{name: "gzip with trailing garbage", data: func(t *testing.T) []byte {
			return append(gz(t, tarBytes(t, []tarEntry{{Name: "a", Body: "x"}})), "garbage!garbage!"...)
		}, verdict: MalformedArchive},
		{name: "absurd size", data: tgz(tarEntry{Name: "huge", Size: 1 << 50}), verdict: MalformedArchive, member: "huge"},
		{name: "declared size past per-entry cap", data: tgz(tarEntry{Name: "big", Size: 300 << 20}), verdict: ArchiveLimits, member: "big"},
		{name: "plain tar size beyond file", file: "x.tar", data: func(t *testing.T) []byte {
			return tarBytes(t, []tarEntry{{Name: "huge", Size: 1 << 30}})
		}, verdict: MalformedArchive, member: "huge"},
		{name: "root is a file", data: tgz(tarEntry{Name: ".", Body: "x"}), verdict: MalformedArchive, member: "."},
	}
}

func zipCases() []hostileCase {
	z := func(entries ...zipEntry) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return zipBytes(t, entries) }
	}
	return []hostileCase{
		{name: "zip dotdot", data: z(zipEntry{Name: "../../x", Body: "pwned"}), verdict: UnsafeArchive, member: "../../x"},
		{name: "zip absolute", data: z(zipEntry{Name: "/etc/x", Body: "pwned"}), verdict: UnsafeArchive, member: "/etc/x"},
		{name: "zip backslashes", data: z(zipEntry{Name: `..\..\x`, Body: "pwned"}), verdict: UnsafeArchive, member: `..\..\x`},
		{name: "zip drive prefix", data: z(zipEntry{Name: `C:\x`, Body: "pwned"}), verdict: UnsafeArchive, member: `C:\x`},
		{name: "zip drive relative", data: z(zipEntry{Name: `C:x`, Body: "pwned"}), verdict: UnsafeArchive, member: `C:x`},
		{name: "zip symlink out", data: z(zipEntry{Name: "l", Body: "/etc", Mode: fs.ModeSymlink | 0o777}, zipEntry{Name: "l/x", Body: "y"}), verdict: UnsafeArchive, member: "l"},
		{name: "zip fifo", data: z(zipEntry{Name: "fifo", Mode: fs.ModeNamedPipe | 0o644}), verdict: UnsafeArchive, member: "fifo"},
		{name: "zip device", data: z(zipEntry{Name: "dev", Mode: fs.ModeDevice | fs.ModeCharDevice | 0o644}), verdict: UnsafeArchive, member: "dev"},
		{name: "zip setuid", data: z(zipEntry{Name: "suid", Body: "x", Mode: fs.ModeSetuid | 0o755}), verdict: UnsafeArchive, member: "suid"},
		{name: "zip duplicate with other content", data: z(zipEntry{Name: "pkg/__init__.py", Body: "checked = True"},
			zipEntry{Name: "pkg/__init__.py", Body: "import os; os.system('id')"}), verdict: UnsafeArchive, member: "pkg/__init__.py"},
		{name: "zip bomb", data: z(zipEntry{Name: "bomb", Body: zeros(64 << 20)}), verdict: ArchiveLimits, member: "bomb"},
		{name: "zip total cap", data: func(t *testing.T) []byte {
			return zipBytes(t, []zipEntry{{Name: "a", Body: randomString(t, 600<<10)}, {Name: "b", Body: randomString(t, 600<<10)}})
		}, lim: Limits{MaxTotalBytes: 1 << 20}, verdict: ArchiveLimits, member: "b"},
		{name: "zip entry cap", data: func(t *testing.T) []byte {
			return zipBytes(t, []zipEntry{{Name: "big", Body: randomString(t, 2<<20)}})
		}, lim: Limits{MaxEntryBytes: 1 << 20}, verdict: ArchiveLimits, member: "big"},
		{name: "zip entry count", data: func(t *testing.T) []byte {
			var es []zipEntry
			for i := range 20 {
				es = append(es, zipEntry{Name: "f" + strings.Repeat("x", i), Body: "x"})
			}
			return zipBytes(t, es)
		}, lim: Limits{MaxEntries: 10}, verdict: ArchiveLimits},
		{name: "zip entry larger than declared", data: lyingZip, verdict: ArchiveLimits, member: "liar"},
		{name: "zip local name disagrees", data: func(t *testing.T) []byte {
			b := zipBytes(t, []zipEntry{{Name: "aaaa.txt", Body: "hello"}})
			i := bytes.Index(b, []byte("aaaa.txt")) // the local header comes first
			copy(b[i:], "bbbb.txt")
			return b
		}, verdict: MalformedArchive, member: "aaaa.txt"},
		{name: "zip local method disagrees", data: func(t *testing.T) []byte {
			b := zipBytes(t, []zipEntry{{Name: "a.txt", Body: "hello"}})
			b[8] = 0 // local header method: stored
			return b
		}, verdict: MalformedArchive, member: "a.txt"},
		{name: "zip central size disagrees", data: func(t *testing.T) []byte {
			b := zipBytes(t, []zipEntry{{Name: "a.txt", Body: "hello", Method: zip.Store}})
			i := bytes.LastIndex(b, []byte("PK\x01\x02"))
			b[i+20] = 0xff // central compressed size
			b[i+21] = 0xff
			b[i+22] = 0xff
			b[i+23] = 0x7f
			return b
		}, verdict: MalformedArchive, member: "a.txt"},
		{name: "zip truncated", data: func(t *testing.T) []byte {
			b := zipBytes(t, []zipEntry{{Name: "a.txt", Body: "hello"}})
			return b[:len(b)-10]
		}, verdict: MalformedArchive},
		{name: "zip overlapping members", data: overlappingZip, verdict: MalformedArchive},
		{name: "zip unsupported method", data: func(t *testing.T) []byte {
			var buf bytes.Buffer
			zw := zip.NewWriter(&buf)
			w, err := zw.CreateRaw(&zip.FileHeader{Name: "a", Method: 14, CRC32: 0, CompressedSize64: 3, UncompressedSize64: 3})
			if err != nil {
				t.Fatal(err)
			}
			w.Write([]byte("abc"))
			zw.Close()
			return buf.Bytes()
		}, verdict: MalformedArchive, member: "a"},
	}
}

// lyingZip declares 10 bytes for a member that inflates to 8 MiB, with
// consistent local and central headers.
func lyingZip(t *testing.T) []byte {
	body := []byte(randomString(t, 8<<20))
	var comp bytes.Buffer
	cw := zipDeflate(t, &comp)
	cw.Write(body)
	cw.Close()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "liar", Method: zip.Deflate, CRC32: crc32.ChecksumIEEE(body[:10]),
		CompressedSize64: uint64(comp.Len()), UncompressedSize64: 10})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(comp.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// overlappingZip makes two central directory entries share one local
// header and its data (the "better zip bomb" layout).
func overlappingZip(t *testing.T) []byte {
	b := zipBytes(t, []zipEntry{{Name: "a", Body: "same data"}, {Name: "b", Body: "same data"}})
	// Point the second central entry at the first local header, and make
	// the names equal so that the local header check passes.
	i := bytes.LastIndex(b, []byte("PK\x01\x02"))
	copy(b[i+42:i+46], []byte{0, 0, 0, 0})
	b[i+46] = 'a'
	return b
}

// TestCompressibleFilesAreNotBombs: real projects ship blank images and zeroed fixtures of a
// few megabytes, which compress a thousandfold; under the default limits they are extracted, and
// a second copy identical to the first is kept as a reported duplicate.
func TestCompressibleFilesAreNotBombs(t *testing.T) {
	for _, zipped := range []bool{false, true} {
		j := newJail(t)
		var p string
		if zipped {
			p = j.archive("blank-1.0.zip")
			writeFile(t, p, zipBytes(t, []zipEntry{{Name: "blank-1.0/tests/blank.png", Body: zeros(4 << 20)}, {Name: "blank-1.0/setup.py", Body: "x"}}))
		} else {
			p = j.archive("blank-1.0.tar.gz")
			writeFile(t, p, gz(t, tarBytes(t, []tarEntry{{Name: "blank-1.0/tests/blank.png", Body: zeros(4 << 20)},
				{Name: "blank-1.0/tests/zeros.bin", Body: zeros(8 << 20)}, {Name: "blank-1.0/setup.py", Body: "x"}, {Name: "blank-1.0/setup.py", Body: "x"}})))
		}
		inv, err := j.extract(t, p, DefaultLimits())
		if err != nil {
			t.Fatalf("zip=%v: %v", zipped, err)
		}
		fi, err := os.Stat(filepath.Join(j.dest, "blank-1.0", "tests", "blank.png"))
		if err != nil || fi.Size() != 4<<20 {
			t.Errorf("zip=%v: blank.png %v %v", zipped, fi, err)
		}
		if !zipped && !cmp.Equal([]string{"blank-1.0/setup.py"}, inv.Duplicates) {
			t.Errorf("duplicates %q", inv.Duplicates)
		}
	}
}

func TestHostileArchives(t *testing.T) {
	cases := append(tarCases(), zipCases()...)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			j := newJail(t)
			file := tc.file
			if file == "" {
				file = "hostile-1.0.tar.gz"
				if strings.HasPrefix(tc.name, "zip") {
					file = "hostile-1.0.zip"
				}
			}
			p := j.archive(file)
			writeFile(t, p, tc.data(t))
			_, err := j.extract(t, p, tc.lim)
			if msg := fmt.Sprint(err); len(msg) < 300 {
				t.Log(msg)
			}
			if tc.member == "" {
				if RefusalOf(err) != tc.verdict {
					t.Fatalf("got %v, want refusal %s", err, tc.verdict)
				}
				return
			}
			wantRefusal(t, err, tc.verdict, tc.member)
		})
	}
}

// TestSparseFiles uses GNU tar to make sparse members (100 MB of holes in a
// few hundred bytes): refused in both the PAX and the old GNU encoding.
func TestSparseFiles(t *testing.T) {
	if _, err := exec.LookPath("tar"); err != nil {
		t.Skip("GNU tar not installed")
	}
	for _, format := range []string{"pax", "gnu"} {
		t.Run(format, func(t *testing.T) {
			j := newJail(t)
			src := filepath.Join(t.TempDir(), "pkg-1.0")
			if err := os.Mkdir(src, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(src, "holes"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(filepath.Join(src, "holes"), 100<<20); err != nil {
				t.Fatal(err)
			}
			p := j.archive("sparse-1.0.tar.gz")
			cmd := exec.Command("tar", "-S", "--format="+format, "-czf", p, "-C", filepath.Dir(src), "pkg-1.0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("tar: %v\n%s", err, out)
			}
			_, err := j.extract(t, p, Limits{})
			wantRefusal(t, err, UnsafeArchive, "pkg-1.0/holes")
		})
	}
}

// TestPAXGlobalHeader: a git-archive style global header is metadata, not
// a refused member.
func TestPAXGlobalHeader(t *testing.T) {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeXGlobalHeader, Name: "pax_global_header", PAXRecords: map[string]string{"comment": "0123abcd"}}); err != nil {
		t.Fatal(err)
	}
	tw.WriteHeader(&tar.Header{Name: "pkg-1.0/a.py", Mode: 0o644, Size: 1})
	tw.Write([]byte("x"))
	tw.Close()
	j := newJail(t)
	p := j.archive("pkg-1.0.tar.gz")
	writeFile(t, p, gz(t, buf.Bytes()))
	inv, err := j.extract(t, p, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"pkg-1.0": "dir 0755", "pkg-1.0/a.py": "file 0644 x"}, tree(t, j.dest)); diff != "" {
		t.Error(diff)
	}
	if inv.TotalEntries != 1 {
		t.Errorf("entries %d", inv.TotalEntries)
	}
}
