package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestHeadTail(t *testing.T) {
	tests := []struct {
		name        string
		limit       int64
		writes      []string
		want        string
		wantDropped int64
	}{
		{"fits", 10, []string{"abc", "de"}, "abcde", 0},
		{"exact", 4, []string{"abcd"}, "abcd", 0},
		{"one big write", 4, []string{"abcdefgh"}, "abgh", 4},
		{"many small writes", 6, []string{"ab", "cd", "ef", "gh", "ij"}, "abchij", 4},
		{"ring wraps", 4, []string{"a", "b", "c", "d", "e", "f", "g"}, "abfg", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHeadTail(tc.limit)
			for _, w := range tc.writes {
				if n, err := h.Write([]byte(w)); n != len(w) || err != nil {
					t.Fatalf("Write = %d, %v", n, err)
				}
			}
			if d := cmp.Diff(tc.want, string(h.Bytes())); d != "" {
				t.Errorf("Bytes (-want +got)\n%s", d)
			}
			if h.Dropped() != tc.wantDropped {
				t.Errorf("Dropped = %d, want %d", h.Dropped(), tc.wantDropped)
			}
		})
	}
}

func TestCappedFile(t *testing.T) {
	var in strings.Builder
	for i := range 1000 {
		in.WriteString(strings.Repeat("x", i%50) + "\n")
	}
	tests := []struct {
		name  string
		input string
		limit int64
	}{
		{"small", "a\nb\n", 1 << 20},
		{"capped", in.String(), 4096},
		{"no newline at all", strings.Repeat("y", 10000), 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "out")
			dropped, err := CappedFile(p, strings.NewReader(tc.input), tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(got)) > tc.limit {
				t.Errorf("kept %d bytes, limit %d", len(got), tc.limit)
			}
			if int64(len(got))+dropped != int64(len(tc.input)) {
				t.Errorf("kept %d + dropped %d != %d", len(got), dropped, len(tc.input))
			}
			if int64(len(tc.input)) <= tc.limit && string(got) != tc.input {
				t.Errorf("small input changed")
			}
			// Every kept line is a whole line of the input.
			if strings.Contains(tc.input, "\n") {
				for _, line := range strings.SplitAfter(string(got), "\n") {
					if line != "" && !strings.Contains(tc.input, "\n"+line) && !strings.HasPrefix(tc.input, line) {
						t.Errorf("kept a partial line %q", line)
					}
				}
				if !bytes.HasSuffix(got, []byte("\n")) || !strings.HasSuffix(tc.input, strings.SplitAfter(string(got), "\n")[len(strings.SplitAfter(string(got), "\n"))-2]) {
					t.Errorf("lost the end of the input")
				}
			}
		})
	}
}

func TestBatchedPipe(t *testing.T) {
	line := func(i int) string { return fmt.Sprintf("%d %s\n", i, strings.Repeat("z", i%80)) }
	var many []string
	for i := range 20000 {
		many = append(many, line(i))
	}
	tests := []struct {
		name   string
		writes []string
	}{
		{"nothing", nil},
		{"one line", []string{"a\n"}},
		{"a line per write, as strace writes", many},
		{"one write larger than the pipe", []string{strings.Repeat(line(7), 3*tracePipeBytes/len(line(7)))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, w, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			go func() {
				defer w.Close()
				for _, s := range tc.writes {
					if _, err := w.WriteString(s); err != nil {
						return
					}
				}
			}()
			got, err := io.ReadAll(newBatchedPipe(r))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(strings.Join(tc.writes, ""), string(got)); diff != "" {
				t.Errorf("read (-want +got):\n%s", diff[:min(len(diff), 2000)])
			}
		})
	}
}
