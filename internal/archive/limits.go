package archive

// Limits bounds the work an archive can cause. Every limit is enforced while
// streaming; declared sizes are only used to refuse early, never trusted.
// A zero field means "use the default from DefaultLimits".
type Limits struct {
	// MaxTotalBytes caps the uncompressed bytes produced by the whole
	// archive (for tar streams this includes headers and padding), and the
	// bytes written by extraction including hard-link copies.
	MaxTotalBytes int64 `json:"max_total_bytes"`
	// MaxEntryBytes caps the content of one member.
	MaxEntryBytes int64 `json:"max_entry_bytes"`
	// MaxRatio caps uncompressed/compressed bytes, checked once
	// MinRatioCheckBytes uncompressed bytes have been produced.
	MaxRatio int64 `json:"max_ratio"`
	// MinRatioCheckBytes is how much output is allowed before the ratio is
	// checked. A bomb is told by how much it expands, not by its ratio: a
	// blank image or a zeroed fixture of a few megabytes compresses a
	// thousandfold and is harmless, so the ratio only counts once the
	// output is large enough to matter (the archive's total, and a zip
	// member's own output). Below that, MaxTotalBytes and MaxEntryBytes
	// bound what is written.
	MinRatioCheckBytes int64 `json:"min_ratio_check_bytes"`
	// MaxEntries caps the number of members (directories included).
	MaxEntries int `json:"max_entries"`
	// MaxDepth caps the number of path components of a member name.
	MaxDepth int `json:"max_depth"`
	// MaxNameBytes caps the length of a member name and of a link target.
	MaxNameBytes int `json:"max_name_bytes"`
	// MaxComponentBytes caps one path component (NAME_MAX on Linux).
	MaxComponentBytes int `json:"max_component_bytes"`
	// MaxMetadataBytes caps metadata members read whole by this package
	// (a wheel's RECORD in VerifyRecord).
	MaxMetadataBytes int64 `json:"max_metadata_bytes"`
}

// DefaultLimits returns the limits PYTI applies to every archive.
func DefaultLimits() Limits {
	return Limits{
		MaxTotalBytes:      1 << 30,
		MaxEntryBytes:      256 << 20,
		MaxRatio:           200,
		MinRatioCheckBytes: 32 << 20,
		MaxEntries:         100_000,
		MaxDepth:           64,
		MaxNameBytes:       1024,
		MaxComponentBytes:  255,
		MaxMetadataBytes:   32 << 20,
	}
}

// withDefaults returns l with every zero or negative field replaced by its
// default.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxTotalBytes <= 0 {
		l.MaxTotalBytes = d.MaxTotalBytes
	}
	if l.MaxEntryBytes <= 0 {
		l.MaxEntryBytes = d.MaxEntryBytes
	}
	if l.MaxRatio <= 0 {
		l.MaxRatio = d.MaxRatio
	}
	if l.MinRatioCheckBytes <= 0 {
		l.MinRatioCheckBytes = d.MinRatioCheckBytes
	}
	if l.MaxEntries <= 0 {
		l.MaxEntries = d.MaxEntries
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxNameBytes <= 0 {
		l.MaxNameBytes = d.MaxNameBytes
	}
	if l.MaxComponentBytes <= 0 {
		l.MaxComponentBytes = d.MaxComponentBytes
	}
	if l.MaxMetadataBytes <= 0 {
		l.MaxMetadataBytes = d.MaxMetadataBytes
	}
	return l
}
