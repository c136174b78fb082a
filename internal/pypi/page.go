package pypi

import (
	"strings"
	"time"
)

// File is one distribution file listed on a project page.
type File struct {
	Filename string `json:"filename"`
	// URL is absolute (resolved against the page URL), without fragment.
	URL string `json:"url"`
	// Hashes maps lower-case hash names to hex digests (the PEP 503
	// fragment or the PEP 691 "hashes" object).
	Hashes         map[string]string `json:"hashes,omitempty"`
	RequiresPython string            `json:"requires_python,omitempty"`
	Yanked         bool              `json:"yanked,omitempty"`
	YankedReason   string            `json:"yanked_reason,omitempty"`
	// CoreMetadata says the PEP 658 metadata file (URL + ".metadata") exists;
	// CoreMetadataHashes holds its hashes when the index gave them.
	CoreMetadata       bool              `json:"core_metadata,omitempty"`
	CoreMetadataHashes map[string]string `json:"core_metadata_hashes,omitempty"`
	// Size in bytes (PEP 700), -1 when the index did not say.
	Size int64 `json:"size"`
	// UploadTime (PEP 700), zero when the index did not say.
	UploadTime time.Time `json:"upload_time,omitzero"`
}

// SHA256 returns the file's sha256 from the index, lower case, or "" when
// the index gave none (or gave something that is not 64 hex digits).
func (f File) SHA256() string {
	h := strings.ToLower(f.Hashes["sha256"])
	if !isHex(h, 64) {
		return ""
	}
	return h
}

// MetadataSHA256 returns the sha256 of the PEP 658 metadata file, or "".
func (f File) MetadataSHA256() string {
	h := strings.ToLower(f.CoreMetadataHashes["sha256"])
	if !isHex(h, 64) {
		return ""
	}
	return h
}

// ProjectPage is the parsed Simple API page of one project.
type ProjectPage struct {
	// Name is the PEP 503 normalized project name.
	Name string `json:"name"`
	// URL is the page URL after redirects (no credentials).
	URL string `json:"url"`
	// Format is "json" (PEP 691) or "html" (PEP 503).
	Format string `json:"format"`
	// APIVersion is meta.api-version (JSON) or pypi:repository-version (HTML).
	APIVersion string `json:"api_version,omitempty"`
	// Versions is the PEP 700 versions list (JSON API 1.1+ only).
	Versions []string `json:"versions,omitempty"`
	Files    []File   `json:"files"`
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}
