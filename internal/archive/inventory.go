package archive

// EntryType is the kind of an archive member that may appear in an
// inventory. Device nodes, FIFOs and other special members never do: they
// are refused.
type EntryType string

// The member kinds.
const (
	TypeFile     EntryType = "file"
	TypeDir      EntryType = "dir"
	TypeSymlink  EntryType = "symlink"
	TypeHardlink EntryType = "hardlink"
	// typeOther is any special member (device, FIFO, socket, sparse, ...);
	// it is always refused.
	typeOther EntryType = "other"
)

// Inventory describes an archive and what extraction did with each member.
type Inventory struct {
	Format Format `json:"format"`
	// ArchiveBytes and ArchiveSHA256 describe the archive file itself.
	ArchiveBytes  int64  `json:"archive_bytes"`
	ArchiveSHA256 string `json:"archive_sha256"`
	// Entries lists every member in archive order.
	Entries []Entry `json:"entries"`
	// Duplicates lists (display) names that occur more than once; the first
	// copy is the one extracted.
	Duplicates []string `json:"duplicates,omitempty"`
	// CaseCollisions lists groups of (display) paths that differ only by
	// case; all of them are extracted.
	CaseCollisions [][]string `json:"case_collisions,omitempty"`
	// Skipped lists members that were kept as data but not extracted.
	Skipped []Skipped `json:"skipped,omitempty"`
	// TotalEntries counts the members, TotalBytes the content bytes of
	// regular files (first copies and duplicates alike).
	TotalEntries int   `json:"total_entries"`
	TotalBytes   int64 `json:"total_bytes"`
	// ExtractedFiles and ExtractedBytes count what was written to disk.
	ExtractedFiles int   `json:"extracted_files"`
	ExtractedBytes int64 `json:"extracted_bytes"`
}

// Entry is one archive member.
type Entry struct {
	// Name is the member name exactly as stored. It may hold invalid UTF-8,
	// control or bidi characters, so it never goes into JSON: DisplayName
	// is its lossless escaped form (strconv.Unquote of it quoted gives Name
	// back).
	Name        string `json:"-"`
	DisplayName string `json:"display_name"`
	// Path is the cleaned relative path of an extractable member; it is ""
	// for the archive root entry and for names that are not host paths.
	Path string    `json:"path,omitempty"`
	Type EntryType `json:"type"`
	// Size is the content size in bytes as read (for links: the target's
	// content size for hard links, 0 for symlinks).
	Size int64 `json:"size"`
	// Mode is the permission bits stored in the archive, in octal.
	Mode string `json:"mode"`
	// SHA256 is the hex digest of the content of files and hard links.
	SHA256 string `json:"sha256,omitempty"`
	// LinkTarget is the target of a symlink or hard link, escaped like
	// DisplayName.
	LinkTarget string `json:"link_target,omitempty"`
	Extracted  bool   `json:"extracted"`
	// NotExtracted says why a member was kept as data only.
	NotExtracted string `json:"not_extracted,omitempty"`
}

// Skipped names a member that was not extracted, and why.
type Skipped struct {
	DisplayName string `json:"display_name"`
	Reason      string `json:"reason"`
}
