package behavior

import (
	"bytes"
	"regexp"
	"strings"
)

// PthHasCode reports whether a .pth file runs code when Python starts: site.py executes
// every line that begins with "import" followed by a space or a tab; other lines only add
// directories to sys.path.
func PthHasCode(content []byte) bool {
	// Newer Pythons read .pth files as utf-8-sig: a leading BOM does not hide a line.
	content = bytes.TrimPrefix(content, []byte("\xef\xbb\xbf"))
	for _, line := range bytes.Split(content, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if bytes.HasPrefix(line, []byte("import ")) || bytes.HasPrefix(line, []byte("import\t")) {
			return true
		}
	}
	return false
}

// NamespacePth reports whether a .pth file is exactly what setuptools writes for the
// pkg_resources-style namespace packages of a distribution (its "-nspkg.pth": one line per
// namespace package, from setuptools' template, which only puts the namespace's directory in
// site-packages on the package's __path__), and names the packages. Anything else in the file,
// a byte more or less, and it is not.
func NamespacePth(content []byte) ([]string, bool) {
	var pkgs []string
	for _, line := range strings.Split(string(content), "\n") {
		if line == "" {
			continue
		}
		m := nspkgName.FindStringSubmatch(line)
		if m == nil || line != nspkgLine(m[1]) {
			return nil, false
		}
		pkgs = append(pkgs, m[1])
	}
	return pkgs, len(pkgs) > 0
}

// nspkgName finds the package a candidate line is about; nspkgLine then rebuilds the whole line.
var nspkgName = regexp.MustCompile(`;m = has_mfs and sys\.modules\.setdefault\('([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)', `)

// nspkgLine is setuptools' line for namespace package pkg (setuptools/namespaces.py,
// Installer._gen_nspkg_line), as Python's % formatting renders it.
func nspkgLine(pkg string) string {
	parts := strings.Split(pkg, ".")
	pth := "('" + strings.Join(parts, "', '") + "')"
	if len(parts) == 1 {
		pth = "('" + pkg + "',)"
	}
	q := "'" + pkg + "'"
	lines := []string{
		"import sys, types, os",
		"has_mfs = sys.version_info > (3, 5)",
		"p = os.path.join(sys._getframe(1).f_locals['sitedir'], *" + pth + ")",
		"importlib = has_mfs and __import__('importlib.util')",
		"has_mfs and __import__('importlib.machinery')",
		"m = has_mfs and sys.modules.setdefault(" + q + ", importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec(" + q + ", [os.path.dirname(p)])))",
		"m = m or sys.modules.setdefault(" + q + ", types.ModuleType(" + q + "))",
		"mp = (m or []) and m.__dict__.setdefault('__path__',[])",
		"(p not in mp) and mp.append(p)",
	}
	if len(parts) > 1 {
		lines = append(lines, "m and setattr(sys.modules['"+strings.Join(parts[:len(parts)-1], ".")+"'], '"+parts[len(parts)-1]+"', m)")
	}
	return strings.Join(lines, ";")
}
