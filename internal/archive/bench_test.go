package archive

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// BenchmarkExtractWheel extracts Debian's real pip wheel (about 2 MB,
// 900+ members), both passes included.
func BenchmarkExtractWheel(b *testing.B) {
	ws, _ := filepath.Glob("/usr/share/python-wheels/pip-*.whl")
	if len(ws) == 0 {
		b.Skip("no pip wheel in /usr/share/python-wheels")
	}
	dir := b.TempDir()
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		if _, err := Extract(ctx, ws[0], filepath.Join(dir, fmt.Sprint(i)), Limits{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyRecord checks the pip wheel's RECORD.
func BenchmarkVerifyRecord(b *testing.B) {
	ws, _ := filepath.Glob("/usr/share/python-wheels/pip-*.whl")
	if len(ws) == 0 {
		b.Skip("no pip wheel in /usr/share/python-wheels")
	}
	ctx := context.Background()
	for b.Loop() {
		if mm, err := VerifyRecord(ctx, ws[0], Limits{}); err != nil || len(mm) != 0 {
			b.Fatal(err, mm)
		}
	}
}
