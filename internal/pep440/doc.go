// Package pep440 owns PYTI's reading of Python packaging versions and
// dependency specifications: PEP 440 versions, their ordering and version
// specifiers; PEP 503 project name normalisation; and PEP 508 requirements
// with their environment markers.
//
// Behaviour follows PEP 440/503/508 as the reference implementation,
// pypa/packaging, reads them: its lenient version spellings, its
// pre-release rules for specifiers (as in packaging 26, which fixed the
// exclusive ordered comparisons and epoch wildcards of older releases), and
// its fallback to string comparison in markers. Everything here is pure
// logic on untrusted strings: nothing panics on bad input, and every parse
// error says what was wrong without repeating megabytes of it.
package pep440
