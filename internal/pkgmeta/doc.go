// Package pkgmeta owns PYTI's reading of Python packaging metadata: core
// metadata (PKG-INFO and METADATA, Metadata-Version 1.0 to 2.4), pyproject.toml
// ([build-system], the PEP 621 [project] table and PEP 735
// [dependency-groups]), setuptools' setup.cfg, requirements files, and
// distribution file names (sdists and wheels).
//
// Everything read here comes from untrusted packages, so parsing is lenient
// and bounded: what is malformed is recorded as a Problem rather than
// failing, and input larger than the documented limits is refused with
// ErrTooLarge before it is parsed. Validate reports what a package index
// such as PyPI would check before accepting an upload.
//
// Version, specifier, name and requirement syntax is delegated to
// internal/pep440.
package pkgmeta
