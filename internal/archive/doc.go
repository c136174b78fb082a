// Package archive owns the safe reading and extraction of Python
// distributions on the host: sdists (.tar.gz, .tgz, .tar.bz2, .tar, .zip)
// and wheels (.whl).
//
// Everything in an archive is untrusted. The package detects the container
// from magic bytes (cross-checked with the file name), enforces byte, entry,
// ratio, depth and name limits while streaming, refuses unsafe members
// (absolute paths, "..", links leaving the tree, devices, FIFOs, setuid
// files) and malformed containers (truncated streams, zip central directory
// and local headers that disagree), and writes only through an os.Root
// opened on a fresh destination directory. Every refusal is an *Error
// carrying a Refusal and the offending member.
//
// Extract unpacks an archive and returns its Inventory; ReadMember reads one
// member (such as PKG-INFO or a wheel's METADATA) without extracting;
// VerifyRecord checks a wheel's RECORD against its files.
package archive
