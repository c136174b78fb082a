package pkgmeta

import (
	"errors"
	"io"
	"runtime"
	"testing"
)

// genReader yields head, then body repeated until n bytes in all, without
// ever holding more than one copy of each: a 1 GB input costs nothing.
type genReader struct {
	head, body []byte
	n          int64 // bytes still to give
	read       int64 // bytes given
	pos        int   // position in head, then in body
	inBody     bool
}

func newGenReader(head, body string, n int64) *genReader {
	return &genReader{head: []byte(head), body: []byte(body), n: n}
}

func (g *genReader) Read(p []byte) (int, error) {
	if g.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > g.n {
		p = p[:g.n]
	}
	w := 0
	for w < len(p) {
		src := g.head
		if g.inBody {
			src = g.body
		}
		if g.pos >= len(src) {
			if g.inBody {
				g.pos = 0
			} else {
				g.inBody, g.pos = true, 0
			}
			continue
		}
		c := copy(p[w:], src[g.pos:])
		g.pos += c
		w += c
	}
	g.n -= int64(w)
	g.read += int64(w)
	return w, nil
}

func TestParseCoreMetadataHostile(t *testing.T) {
	const (
		mb = 1 << 20
		gb = 1 << 30
	)
	tests := []struct {
		name     string
		r        *genReader
		max      int64
		maxRead  int64  // the parser must stop reading by then
		maxAlloc uint64 // and allocate no more than this in all
	}{
		{
			name:     "100 MB METADATA",
			r:        newGenReader("Metadata-Version: 2.1\nName: big\nVersion: 1.0\n\n", "a line of a very long description that never seems to end......\n", 100*mb),
			max:      0, // DefaultMaxMetadataBytes
			maxRead:  DefaultMaxMetadataBytes + mb,
			maxAlloc: 4*DefaultMaxMetadataBytes + 8*mb,
		},
		{
			name:     "a million headers",
			r:        newGenReader("Metadata-Version: 2.1\n", "Classifier: Topic :: Software Development\n", 1_000_000*42),
			max:      0,
			maxRead:  MaxHeaders*42 + mb,
			maxAlloc: 16 * mb,
		},
		{
			name:     "a 1 GB header line",
			r:        newGenReader("Metadata-Version: 2.1\nSummary: ", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", gb),
			max:      2 * gb,
			maxRead:  MaxLineBytes + mb,
			maxAlloc: 8 * MaxLineBytes,
		},
		{
			name:     "a 1 GB body line",
			r:        newGenReader("Metadata-Version: 2.1\n\n", "b", gb),
			max:      2 * gb,
			maxRead:  MaxLineBytes + mb,
			maxAlloc: 8 * MaxLineBytes,
		},
		{
			name:     "a 1 GB continuation",
			r:        newGenReader("Metadata-Version: 2.1\nDescription: x\n", "        more\n", gb),
			max:      0,
			maxRead:  DefaultMaxMetadataBytes + mb,
			maxAlloc: 4*DefaultMaxMetadataBytes + 8*mb,
		},
		{
			name:     "caller's small cap",
			r:        newGenReader("Metadata-Version: 2.1\nName: x\n\n", "0123456789\n", 10*mb),
			max:      4096,
			maxRead:  4096 + 64<<10,
			maxAlloc: 2 * mb,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			m, err := ParseCoreMetadata(tt.r, tt.max)
			runtime.ReadMemStats(&after)
			if !errors.Is(err, ErrTooLarge) {
				t.Fatalf("err = %v, want ErrTooLarge", err)
			}
			if m != nil {
				t.Errorf("got metadata with the error")
			}
			if tt.r.read > tt.maxRead {
				t.Errorf("read %d bytes before refusing, want at most %d", tt.r.read, tt.maxRead)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > tt.maxAlloc {
				t.Errorf("allocated %d bytes, want at most %d", alloc, tt.maxAlloc)
			}
			t.Logf("%v (read %d bytes)", err, tt.r.read)
		})
	}
}

func TestParseCoreMetadataAtLimits(t *testing.T) {
	// Exactly MaxHeaders headers and a line of exactly MaxLineBytes pass.
	r := newGenReader("Summary: "+string(make([]byte, 0))+repeatByte('s', MaxLineBytes-len("Summary: "))+"\n", "Classifier: Topic :: X\n", int64(MaxLineBytes+1+(MaxHeaders-1)*23))
	m, err := ParseCoreMetadata(r, 0)
	if err != nil {
		t.Fatalf("at the limits: %v", err)
	}
	if len(m.Headers) != MaxHeaders || len(m.Summary) != MaxLineBytes-len("Summary: ") {
		t.Errorf("got %d headers and a %d-byte summary", len(m.Headers), len(m.Summary))
	}
}

func repeatByte(b byte, n int) string {
	s := make([]byte, n)
	for i := range s {
		s[i] = b
	}
	return string(s)
}
