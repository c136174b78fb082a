package pkgmeta

import "errors"

// ErrTooLarge is returned (wrapped) when metadata exceeds a size limit: too
// many bytes, too many headers or a line that is too long. Such input is
// refused before it is parsed in full; test for it with errors.Is.
var ErrTooLarge = errors.New("metadata too large")

// Limits applied to untrusted metadata.
const (
	// DefaultMaxMetadataBytes is the size cap ParseCoreMetadata uses when
	// given a non-positive max.
	DefaultMaxMetadataBytes = 16 << 20
	// MaxHeaders is the largest number of header fields accepted in core
	// metadata.
	MaxHeaders = 10000
	// MaxLineBytes is the longest line accepted in core metadata, setup.cfg
	// or requirements files.
	MaxLineBytes = 1 << 20
	// MaxPyprojectBytes is the largest pyproject.toml ParsePyproject
	// decodes. Real ones are a few kilobytes; the TOML decoder is slow on
	// large, many-keyed documents, so hostile ones are refused.
	MaxPyprojectBytes = 512 << 10
	// MaxTOMLDepth is the deepest nesting (brackets, braces and dotted key
	// segments together) ParsePyproject decodes; the TOML decoder's cost
	// grows steeply with depth.
	MaxTOMLDepth = 20
	// MaxConfigBytes caps setup.cfg and requirements files.
	MaxConfigBytes = 4 << 20
)
