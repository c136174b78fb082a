package pypi

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

// blobStore is the content-addressed file cache: blobs/sha256/ab/<hex>.
type blobStore struct {
	dir string
}

// Path returns where the blob with this sha256 lives (whether or not it exists).
func (b *blobStore) path(sha string) string {
	return filepath.Join(b.dir, "sha256", sha[:2], sha)
}

// has returns the blob's path when it is present.
func (b *blobStore) has(sha string) (string, bool) {
	if !isHex(sha, 64) {
		return "", false
	}
	p := b.path(sha)
	st, err := os.Stat(p)
	if err != nil || !st.Mode().IsRegular() {
		return "", false
	}
	return p, true
}

// tempFile opens a temporary file inside the store (same file system).
func (b *blobStore) tempFile() (*os.File, error) {
	dir := filepath.Join(b.dir, "tmp")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("pypi: blob store: %w", err)
	}
	f, err := os.CreateTemp(dir, "dl-*")
	if err != nil {
		return nil, fmt.Errorf("pypi: blob store: %w", err)
	}
	return f, nil
}

// commit syncs tmp and renames it to the blob path for sha.
func (b *blobStore) commit(tmp *os.File, sha string) (string, error) {
	name := tmp.Name()
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(name)
		return "", fmt.Errorf("pypi: blob store: fsync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("pypi: blob store: %w", err)
	}
	dst := b.path(sha)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("pypi: blob store: %w", err)
	}
	if err := os.Chmod(name, 0o644); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("pypi: blob store: %w", err)
	}
	if err := os.Rename(name, dst); err != nil {
		os.Remove(name)
		return "", fmt.Errorf("pypi: blob store: %w", err)
	}
	if d, err := os.Open(filepath.Dir(dst)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return dst, nil
}

// BlobPath returns the cached path of the file with this sha256, if the
// content-addressed cache holds it.
func (c *Client) BlobPath(sha256 string) (string, bool) { return c.blobs.has(sha256) }

// flight is one download in progress; others asking for the same file wait.
type flight struct {
	done chan struct{}
	path string
	err  error
}

// Download fetches file into the content-addressed cache and returns its
// path, verified against the index's hashes. A file already cached is
// returned without touching the network; concurrent requests for one file
// share one download. A file the index gave no sha256 for is hashed and
// stored all the same, and that is logged.
func (c *Client) Download(ctx context.Context, file File) (string, error) {
	sha := file.SHA256()
	key := "sha256:" + sha
	if sha == "" {
		c.mu.Lock()
		learned := c.urlSHA[file.URL]
		c.mu.Unlock()
		if p, ok := c.blobs.has(learned); ok {
			return p, nil
		}
		key = "url:" + file.URL
	} else if p, ok := c.blobs.has(sha); ok {
		c.log.Debug("download cache hit", "file", file.Filename, "sha256", sha)
		return p, nil
	}
	for {
		c.mu.Lock()
		f := c.flights[key]
		if f == nil {
			f = &flight{done: make(chan struct{})}
			c.flights[key] = f
			c.mu.Unlock()
			f.path, f.err = c.download(ctx, file)
			c.mu.Lock()
			delete(c.flights, key)
			c.mu.Unlock()
			close(f.done)
			return f.path, f.err
		}
		c.mu.Unlock()
		select {
		case <-ctx.Done():
			return "", fmt.Errorf("pypi: download %s: %w", file.Filename, ctx.Err())
		case <-f.done:
		}
		// The leader's own cancellation is no answer for us: try again.
		if f.err != nil && (errors.Is(f.err, context.Canceled) || errors.Is(f.err, context.DeadlineExceeded)) && ctx.Err() == nil {
			continue
		}
		return f.path, f.err
	}
}

func (c *Client) download(ctx context.Context, file File) (string, error) {
	u, err := url.Parse(file.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return "", fmt.Errorf("pypi: download %s: bad URL %s", file.Filename, Redact(file.URL))
	}
	u.User = nil
	limit := c.opts.MaxDownloadBytes
	if file.Size >= 0 && file.Size < limit {
		limit = file.Size
	}
	var path string
	err = c.withRetries(ctx, "download "+file.Filename, func(ctx context.Context) error {
		actx, cancel := context.WithTimeout(ctx, c.opts.DownloadTimeout)
		defer cancel()
		req, err := http.NewRequestWithContext(actx, http.MethodGet, u.String(), nil)
		if err != nil {
			return fmt.Errorf("pypi: download %s: %w", file.Filename, err)
		}
		req.Header.Set("User-Agent", c.opts.UserAgent)
		c.creds.apply(req)
		resp, err := c.hc.Do(req)
		if err != nil {
			return c.netError(ctx, u, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			return statusError(u, resp)
		}
		tmp, err := c.blobs.tempFile()
		if err != nil {
			return err
		}
		v := newVerifier(file.Hashes)
		n, err := io.Copy(io.MultiWriter(tmp, v), io.LimitReader(resp.Body, limit+1))
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return c.netError(ctx, u, err)
		}
		if n > limit {
			tmp.Close()
			os.Remove(tmp.Name())
			if file.Size >= 0 && limit == file.Size {
				return fmt.Errorf("%w: %s: more bytes than the %d the index listed", ErrHashMismatch, file.Filename, file.Size)
			}
			return fmt.Errorf("%w: %s: more than %d bytes", ErrTooLarge, file.Filename, limit)
		}
		if err := v.verify(file.Filename + " from " + redactURL(u)); err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
			return err
		}
		got := v.sha256()
		if !v.checked() {
			c.log.Warn("index gave no usable hash for file; stored by the sha256 of what arrived",
				"file", file.Filename, "url", redactURL(u), "sha256", got)
		}
		p, err := c.blobs.commit(tmp, got)
		if err != nil {
			return err
		}
		path = p
		c.mu.Lock()
		c.urlSHA[file.URL] = got
		c.mu.Unlock()
		c.log.Info("downloaded", "file", file.Filename, "bytes", n, "sha256", got)
		return nil
	})
	if err != nil {
		return "", err
	}
	return path, nil
}

// metadataURL is the PEP 658 location: the file URL's path + ".metadata".
func metadataURL(fileURL string) (string, error) {
	u, err := url.Parse(fileURL)
	if err != nil {
		return "", err
	}
	u.Path += ".metadata"
	u.RawPath = ""
	u.Fragment = ""
	return u.String(), nil
}

// Metadata fetches the PEP 658 core metadata of file (its URL +
// ".metadata"), verified against the hash the index gave for it. It is
// ErrNoMetadata when the index does not advertise or serve one. Verified
// metadata is kept in the content-addressed cache.
func (c *Client) Metadata(ctx context.Context, file File) ([]byte, error) {
	if !file.CoreMetadata {
		return nil, fmt.Errorf("%w: the index does not advertise metadata for %s", ErrNoMetadata, file.Filename)
	}
	msha := file.MetadataSHA256()
	if p, ok := c.blobs.has(msha); ok {
		return os.ReadFile(p)
	}
	mu, err := metadataURL(file.URL)
	if err != nil {
		return nil, fmt.Errorf("pypi: metadata of %s: %w", file.Filename, err)
	}
	resp, err := c.get(ctx, mu, nil, c.opts.MaxMetadataBytes, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return nil, fmt.Errorf("pypi: metadata of %s: %w", file.Filename, err)
	}
	if resp.status == http.StatusNotFound {
		return nil, fmt.Errorf("%w: %s answered 404", ErrNoMetadata, Redact(mu))
	}
	v := newVerifier(file.CoreMetadataHashes)
	_, _ = v.Write(resp.body)
	if err := v.verify("metadata of " + file.Filename); err != nil {
		return nil, err
	}
	if !v.checked() {
		c.log.Warn("index gave no usable hash for metadata file", "file", file.Filename)
	}
	tmp, err := c.blobs.tempFile()
	if err != nil {
		return nil, err
	}
	if _, err := tmp.Write(resp.body); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, fmt.Errorf("pypi: blob store: %w", err)
	}
	if _, err := c.blobs.commit(tmp, v.sha256()); err != nil {
		return nil, err
	}
	return resp.body, nil
}
