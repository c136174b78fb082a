package archive

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sdistEntries is a small but complete sdist: root entry, directories, an
// executable script, an inside symlink, an inside hard link.
func sdistEntries() []tarEntry {
	return []tarEntry{
		{Name: "./", Type: tar.TypeDir, Mode: 0o755},
		{Name: "./demo-1.0/", Type: tar.TypeDir, Mode: 0o775},
		{Name: "./demo-1.0/PKG-INFO", Body: "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"},
		{Name: "./demo-1.0/setup.py", Body: "from setuptools import setup\nsetup()\n", Mode: 0o664},
		{Name: "./demo-1.0/run.sh", Body: "#!/bin/sh\necho hi\n", Mode: 0o775},
		{Name: "./demo-1.0/demo/__init__.py", Body: "X = 1\n", Mode: 0o600},
		{Name: "./demo-1.0/README", Type: tar.TypeSymlink, Link: "demo/__init__.py"},
		{Name: "./demo-1.0/docs/up", Type: tar.TypeSymlink, Link: "../demo"},
		{Name: "./demo-1.0/copy.py", Type: tar.TypeLink, Link: "demo-1.0/demo/__init__.py"},
	}
}

var sdistTree = map[string]string{
	"demo-1.0":                  "dir 0755",
	"demo-1.0/PKG-INFO":         "file 0644 Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
	"demo-1.0/setup.py":         "file 0644 from setuptools import setup\nsetup()\n",
	"demo-1.0/run.sh":           "file 0755 #!/bin/sh\necho hi\n",
	"demo-1.0/demo":             "dir 0755",
	"demo-1.0/demo/__init__.py": "file 0644 X = 1\n",
	"demo-1.0/README":           "symlink -> demo/__init__.py",
	"demo-1.0/docs":             "dir 0755",
	"demo-1.0/docs/up":          "symlink -> ../demo",
	"demo-1.0/copy.py":          "file 0644 X = 1\n",
}

func TestExtractValidSdist(t *testing.T) {
	raw := func(t *testing.T) []byte { return tarBytes(t, sdistEntries()) }
	for _, tc := range []struct {
		file      string
		data      func(t *testing.T) []byte
		container Container
	}{
		{"demo-1.0.tar.gz", func(t *testing.T) []byte { return gz(t, raw(t)) }, TarGz},
		{"demo-1.0.tgz", func(t *testing.T) []byte { return gz(t, raw(t)) }, TarGz},
		{"demo-1.0.tar.bz2", func(t *testing.T) []byte { return bz2(t, raw(t)) }, TarBz2},
		{"demo-1.0.tar", raw, Tar},
	} {
		t.Run(tc.file, func(t *testing.T) {
			j := newJail(t)
			p := j.archive(tc.file)
			writeFile(t, p, tc.data(t))
			inv, err := j.extract(t, p, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sdistTree, tree(t, j.dest)); diff != "" {
				t.Errorf("extracted tree (-want +got):\n%s", diff)
			}
			if inv.Format != (Format{Dist: Sdist, Container: tc.container}) {
				t.Errorf("format %+v", inv.Format)
			}
			if inv.TotalEntries != 9 || inv.ExtractedFiles != 5 || len(inv.Skipped) != 1 || inv.Skipped[0].Reason != "archive root directory" {
				t.Errorf("inventory totals: %d entries, %d files, skipped %+v", inv.TotalEntries, inv.ExtractedFiles, inv.Skipped)
			}
			// The hard link is a copy, never a link to the original.
			a, _ := os.Stat(filepath.Join(j.dest, "demo-1.0/copy.py"))
			b, _ := os.Stat(filepath.Join(j.dest, "demo-1.0/demo/__init__.py"))
			if os.SameFile(a, b) {
				t.Error("hard link extracted as a hard link")
			}
			last := inv.Entries[len(inv.Entries)-1]
			want := Entry{Name: "./demo-1.0/copy.py", DisplayName: "./demo-1.0/copy.py", Path: "demo-1.0/copy.py", Type: TypeHardlink,
				Size: 6, Mode: "0644", SHA256: "0b1e6ef1a1b8bd76bb6e1d5d1ef6e41f0ed3c8ea3ae4b2c9cb1ba1b4bc5c8b8b", LinkTarget: "demo-1.0/demo/__init__.py", Extracted: true}
			want.SHA256 = inv.Entries[5].SHA256
			if diff := cmp.Diff(want, last); diff != "" {
				t.Errorf("hard link entry (-want +got):\n%s", diff)
			}
			if _, err := json.Marshal(inv); err != nil {
				t.Errorf("inventory does not marshal: %v", err)
			}
		})
	}
}

func TestExtractZipSdist(t *testing.T) {
	j := newJail(t)
	p := j.archive("demo-1.0.zip")
	writeFile(t, p, zipBytes(t, []zipEntry{
		{Name: "demo-1.0/"},
		{Name: "demo-1.0/setup.py", Body: "setup()\n"},
		{Name: "demo-1.0/bin/tool", Body: "#!/bin/sh\n", Mode: 0o755},
		{Name: "demo-1.0/link", Body: "setup.py", Mode: fs.ModeSymlink | 0o777},
		{Name: "demo-1.0/stored.txt", Body: "stored", Method: 0x8000}, // replaced below
	}[:4]))
	inv, err := j.extract(t, p, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"demo-1.0":          "dir 0755",
		"demo-1.0/setup.py": "file 0644 setup()\n",
		"demo-1.0/bin":      "dir 0755",
		"demo-1.0/bin/tool": "file 0755 #!/bin/sh\n",
		"demo-1.0/link":     "symlink -> setup.py",
	}
	if diff := cmp.Diff(want, tree(t, j.dest)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	if inv.Format != (Format{Dist: Sdist, Container: Zip}) {
		t.Errorf("format %+v", inv.Format)
	}
}

func TestExtractNamesKeptAsData(t *testing.T) {
	j := newJail(t)
	p := j.archive("names-1.0.tar.gz")
	writeFile(t, p, gz(t, tarBytes(t, []tarEntry{
		{Name: "pkg/ok.py", Body: "ok"},
		{Name: "pkg/\xff\xfe.py", Body: "latin1"},
		{Name: "pkg/evil\u202etxt.py", Body: "bidi"},
		{Name: "pkg/bell\x07.py", Body: "control"},
		{Name: "pkg/dup.py", Body: "first"},
		{Name: "./pkg/dup.py", Body: "first"},
		{Name: "pkg/README", Body: "upper"},
		{Name: "pkg/readme", Body: "lower"},
		{Name: "Pkg/x", Body: "other dir"},
		{Name: "pkg/link\u2066", Type: tar.TypeSymlink, Link: "ok.py"},
		{Name: "pkg/tolink", Type: tar.TypeSymlink, Link: "bad\u202e"},
	})))
	inv, err := j.extract(t, p, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"pkg":        "dir 0755",
		"pkg/ok.py":  "file 0644 ok",
		"pkg/dup.py": "file 0644 first",
		"pkg/README": "file 0644 upper",
		"pkg/readme": "file 0644 lower",
		"Pkg":        "dir 0755",
		"Pkg/x":      "file 0644 other dir",
	}
	if diff := cmp.Diff(want, tree(t, j.dest)); diff != "" {
		t.Errorf("tree (-want +got):\n%s", diff)
	}
	wantSkipped := []Skipped{
		{`pkg/\xff\xfe.py`, "name is not valid UTF-8"},
		{`pkg/evil\u202etxt.py`, "name contains bidi control characters"},
		{`pkg/bell\a.py`, "name contains control characters"},
		{"./pkg/dup.py", "duplicate of an earlier member"},
		{`pkg/link\u2066`, "name contains bidi control characters"},
		{"pkg/tolink", "symlink target: name contains bidi control characters"},
	}
	if diff := cmp.Diff(wantSkipped, inv.Skipped); diff != "" {
		t.Errorf("skipped (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"pkg/dup.py"}, inv.Duplicates); diff != "" {
		t.Errorf("duplicates (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([][]string{{"pkg", "Pkg"}, {"pkg/README", "pkg/readme"}}, inv.CaseCollisions); diff != "" {
		t.Errorf("case collisions (-want +got):\n%s", diff)
	}
	// Every name in the JSON report is escaped and valid.
	b, err := json.Marshal(inv)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "\u202e") || strings.Contains(string(b), "\u2066") {
		t.Errorf("raw bidi control in the JSON: names are shown escaped only through display_name")
	}
}

// TestBidiInJSON documents that the raw Name keeps the bytes while
// DisplayName is escaped.
func TestDisplayName(t *testing.T) {
	for in, want := range map[string]string{
		"plain/name.py":     "plain/name.py",
		"\xff":              `\xff`,
		"a\u202eb":          `a\u202eb`,
		"tab\there":         `tab\there`,
		`back\slash"quote"`: `back\\slash\"quote\"`,
		"café":              "café",
	} {
		if got := DisplayName(in); got != want {
			t.Errorf("DisplayName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestErrorMessage(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		want string
	}{
		{unsafeErr("../../x", "path escapes the extraction directory"), `unsafe archive: member "../../x": path escapes the extraction directory`},
		{limitErr("", "archive has 20 entries, limit 10"), "archive limits: archive has 20 entries, limit 10"},
		{malformedErr("a\u202e", "x"), `malformed archive: member "a\u202e": x`},
		{&Error{Refusal: MetadataTooLarge, Member: "M", Reason: "r"}, `metadata too large: member "M": r`},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got %s, want %s", got, tc.want)
		}
		wrapped := errors.Join(errors.New("context"), tc.err)
		if RefusalOf(wrapped) != tc.err.Refusal {
			t.Errorf("RefusalOf(wrapped) = %q", RefusalOf(wrapped))
		}
	}
}

func TestExtractRefusesUsedDestination(t *testing.T) {
	j := newJail(t)
	p := j.archive("demo-1.0.tar.gz")
	writeFile(t, p, gz(t, tarBytes(t, sdistEntries())))
	if _, err := j.extract(t, p, Limits{}); err != nil {
		t.Fatal(err)
	}
	// A second archive planting a link in the same tree is never extracted
	// there: the destination is not empty.
	second := j.archive("evil-1.0.tar.gz")
	writeFile(t, second, gz(t, tarBytes(t, []tarEntry{{Name: "demo-1.0/demo", Type: tar.TypeSymlink, Link: "/etc"}})))
	j.freeze(t)
	if _, err := Extract(context.Background(), second, j.dest, Limits{}); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("second extraction into a used tree: %v", err)
	}
	j.check(t)
	if diff := cmp.Diff(sdistTree, tree(t, j.dest)); diff != "" {
		t.Errorf("first tree changed (-want +got):\n%s", diff)
	}

	// A destination that is a symlink, or a file, is refused too.
	link := filepath.Join(j.job, "link")
	if err := os.Symlink(j.base, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Extract(context.Background(), p, link, Limits{}); err == nil {
		t.Error("extraction through a symlinked destination succeeded")
	}
	if _, err := Extract(context.Background(), p, filepath.Join(j.job, "canary"), Limits{}); err == nil {
		t.Error("extraction onto a file succeeded")
	}
}

func TestExtractIntoEmptyExistingDir(t *testing.T) {
	j := newJail(t)
	if err := os.Mkdir(j.dest, 0o700); err != nil {
		t.Fatal(err)
	}
	p := j.archive("bad-1.0.tar.gz")
	writeFile(t, p, gz(t, tarBytes(t, []tarEntry{{Name: "ok", Body: "x"}, {Name: "../x", Body: "y"}})))
	if _, err := j.extract(t, p, Limits{}); RefusalOf(err) != UnsafeArchive {
		t.Fatalf("got %v", err)
	}
	if fi, err := os.Stat(j.dest); err != nil || !fi.IsDir() {
		t.Errorf("pre-existing destination removed: %v", err)
	}
}

func TestArchiveIsAFIFO(t *testing.T) {
	j := newJail(t)
	p := j.archive("fifo-1.0.tar.gz")
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Extract(context.Background(), p, j.dest, Limits{}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("got %v", err)
	}
}

func TestExtractCancelled(t *testing.T) {
	j := newJail(t)
	p := j.archive("demo-1.0.tar.gz")
	writeFile(t, p, gz(t, tarBytes(t, sdistEntries())))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	j.freeze(t)
	_, err := Extract(ctx, p, j.dest, Limits{})
	if !errors.Is(err, context.Canceled) || RefusalOf(err) != "" {
		t.Fatalf("got %v", err)
	}
	j.check(t)
	j.checkEmpty(t)
}

// TestMillionEntries streams a tar.gz of a million empty files to disk and
// checks that the entry cap stops extraction without writing anything.
func TestMillionEntries(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a million tar headers")
	}
	j := newJail(t)
	p := j.archive("many-1.0.tar.gz")
	writeManyEntries(t, p, 1_000_000)
	_, err := j.extract(t, p, Limits{})
	wantRefusal(t, err, ArchiveLimits, "p/100000")
}

// writeManyEntries streams n empty-file ustar headers through gzip into p,
// patching one header template instead of formatting each header.
func writeManyEntries(t *testing.T, p string, n int) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bw := bufio.NewWriterSize(f, 1<<20)
	zw, _ := gzip.NewWriterLevel(bw, gzip.BestSpeed)
	var tmpl [512]byte
	copy(tmpl[100:], "0000644\x00")
	copy(tmpl[108:], "0000000\x00")
	copy(tmpl[116:], "0000000\x00")
	copy(tmpl[124:], "00000000000\x00")
	copy(tmpl[136:], "14533351600\x00")
	copy(tmpl[148:], "        ")
	tmpl[156] = '0'
	copy(tmpl[257:], "ustar\x0000")
	base := 0
	for _, c := range tmpl {
		base += int(c)
	}
	blk := tmpl
	for i := range n {
		name := "p/" + strconv.Itoa(i)
		clear(blk[:100])
		copy(blk[:], name)
		sum := base
		for j := 0; j < len(name); j++ {
			sum += int(name[j])
		}
		copy(blk[148:], fmt.Sprintf("%06o\x00 ", sum))
		if _, err := zw.Write(blk[:]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := zw.Write(make([]byte, 1024)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := bw.Flush(); err != nil {
		t.Fatal(err)
	}
}

// TestManyEntriesGenerator checks the hand-made headers with archive/tar.
func TestManyEntriesGenerator(t *testing.T) {
	p := filepath.Join(t.TempDir(), "few.tar.gz")
	writeManyEntries(t, p, 3)
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
	}
	if diff := cmp.Diff([]string{"p/0", "p/1", "p/2"}, names); diff != "" {
		t.Error(diff)
	}
}

// TestArchiveChangedBetweenPasses: the second pass must see the members the
// first pass checked; content swapped in between is refused, not written.
func TestArchiveChangedBetweenPasses(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a-1.0.tar.gz")
	b := filepath.Join(dir, "b-1.0.tar.gz")
	writeFile(t, a, gz(t, tarBytes(t, []tarEntry{{Name: "pkg/x.py", Body: "checked"}})))
	writeFile(t, b, gz(t, tarBytes(t, []tarEntry{{Name: "pkg/x.py", Body: "swapped"}})))
	ctx := context.Background()
	lim := DefaultLimits()
	srcA, format, err := openSource(a)
	if err != nil {
		t.Fatal(err)
	}
	defer srcA.Close()
	pl, err := scan(ctx, srcA, format, lim)
	if err != nil {
		t.Fatal(err)
	}
	srcB, _, err := openSource(b)
	if err != nil {
		t.Fatal(err)
	}
	defer srcB.Close()
	dest := filepath.Join(dir, "out")
	if err := os.Mkdir(dest, 0o755); err != nil {
		t.Fatal(err)
	}
	root, err := os.OpenRoot(dest)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	err = writePlan(ctx, srcB, format, lim, pl, root)
	wantRefusal(t, err, MalformedArchive, "pkg/x.py")
}
