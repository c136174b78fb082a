package pypi

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// pageCache keeps index pages with their validators (ETag, Last-Modified)
// under CacheDir/http/, one JSON file per URL and Accept header.
type pageCache struct {
	dir string
}

type cachedPage struct {
	URL          string `json:"url"` // redacted request URL, for people reading the cache
	FinalURL     string `json:"final_url"`
	ETag         string `json:"etag,omitempty"`
	LastModified string `json:"last_modified,omitempty"`
	ContentType  string `json:"content_type"`
	Body         []byte `json:"body"`
}

func (p *pageCache) path(rawURL, accept string) string {
	sum := sha256.Sum256([]byte(accept + "\n" + rawURL))
	return filepath.Join(p.dir, hex.EncodeToString(sum[:])+".json")
}

// load returns the cached page, or nil when there is none or it is unreadable.
func (p *pageCache) load(rawURL, accept string) *cachedPage {
	data, err := os.ReadFile(p.path(rawURL, accept))
	if err != nil {
		return nil
	}
	var cp cachedPage
	if json.Unmarshal(data, &cp) != nil || (cp.ETag == "" && cp.LastModified == "") {
		return nil
	}
	return &cp
}

// store writes the page atomically.
func (p *pageCache) store(rawURL, accept string, cp *cachedPage) error {
	data, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(p.dir, 0o755); err != nil {
		return fmt.Errorf("pypi: page cache: %w", err)
	}
	return writeFileAtomic(p.path(rawURL, accept), data)
}

// writeFileAtomic writes data to a temporary file next to dst, syncs it and
// renames it into place.
func writeFileAtomic(dst string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return fmt.Errorf("pypi: cache write: %w", err)
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if werr != nil || serr != nil || cerr != nil {
		os.Remove(name)
		return fmt.Errorf("pypi: cache write %s: %v %v %v", dst, werr, serr, cerr)
	}
	if err := os.Rename(name, dst); err != nil {
		os.Remove(name)
		return fmt.Errorf("pypi: cache write: %w", err)
	}
	return nil
}
