package sqlite

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pyti/pyti/internal/store"
)

// blobPath is where a blob lives: blobs/ab/abcdef….gz.
func (s *Store) blobPath(sum string) string {
	return filepath.Join(s.dir, "blobs", sum[:2], sum+".gz")
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// PutBlob stores r's bytes gzip-compressed under their sha256: written to a temporary file, then
// renamed into place, so that a blob file is either whole or absent.
func (s *Store) PutBlob(ctx context.Context, r io.Reader) (store.Blob, error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "blobs"), ".tmp-*")
	if err != nil {
		return store.Blob{}, fmt.Errorf("storing a blob: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	defer tmp.Close()
	disk := &countingWriter{w: tmp}
	zw, err := gzip.NewWriterLevel(disk, gzip.BestSpeed)
	if err != nil {
		return store.Blob{}, fmt.Errorf("storing a blob: %w", err)
	}
	h := sha256.New()
	sniff := newTextSniffer()
	n, err := io.Copy(io.MultiWriter(zw, h, sniff), ctxReader{ctx, r})
	if err != nil {
		return store.Blob{}, fmt.Errorf("storing a blob: %w", err)
	}
	if err := zw.Close(); err != nil {
		return store.Blob{}, fmt.Errorf("storing a blob: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return store.Blob{}, fmt.Errorf("storing a blob: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return store.Blob{}, fmt.Errorf("storing a blob: %w", err)
	}
	b := store.Blob{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n, StoredSize: disk.n, Text: sniff.text()}
	final := s.blobPath(b.SHA256)
	if st, err := os.Stat(final); err == nil && st.Mode().IsRegular() {
		b.StoredSize = st.Size() // the same bytes are stored already
	} else {
		if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
			return store.Blob{}, fmt.Errorf("storing a blob: %w", err)
		}
		if err := os.Rename(tmp.Name(), final); err != nil {
			return store.Blob{}, fmt.Errorf("storing a blob: %w", err)
		}
	}
	_, err = s.write.ExecContext(ctx, `INSERT INTO blobs(sha256, size, stored_size, text, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(sha256) DO NOTHING`,
		b.SHA256, b.Size, b.StoredSize, b.Text, micros(time.Now()))
	if err != nil {
		return store.Blob{}, fmt.Errorf("recording blob %s: %w", b.SHA256, err)
	}
	return b, nil
}

// ctxReader stops a copy when the context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

func validDigest(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	for _, c := range sum {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// OpenBlob opens a stored blob, decompressing it as it is read.
func (s *Store) OpenBlob(ctx context.Context, sum string) (io.ReadCloser, store.Blob, error) {
	if !validDigest(sum) {
		return nil, store.Blob{}, fmt.Errorf("blob %q: not a lowercase hex sha256: %w", sum, store.ErrInvalid)
	}
	b := store.Blob{SHA256: sum}
	err := s.read.QueryRowContext(ctx, `SELECT size, stored_size, text FROM blobs WHERE sha256 = ?`, sum).Scan(&b.Size, &b.StoredSize, &b.Text)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.Blob{}, fmt.Errorf("blob %s: %w", sum, store.ErrNotFound)
	}
	if err != nil {
		return nil, store.Blob{}, fmt.Errorf("reading blob %s: %w", sum, err)
	}
	f, err := os.Open(s.blobPath(sum))
	if errors.Is(err, os.ErrNotExist) {
		return nil, store.Blob{}, fmt.Errorf("blob %s: its file is missing: %w", sum, store.ErrNotFound)
	}
	if err != nil {
		return nil, store.Blob{}, fmt.Errorf("opening blob %s: %w", sum, err)
	}
	zr, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, store.Blob{}, fmt.Errorf("opening blob %s: %w", sum, err)
	}
	return &blobReader{zr: zr, f: f}, b, nil
}

type blobReader struct {
	zr *gzip.Reader
	f  *os.File
}

func (b *blobReader) Read(p []byte) (int, error) { return b.zr.Read(p) }

func (b *blobReader) Close() error { return errors.Join(b.zr.Close(), b.f.Close()) }
