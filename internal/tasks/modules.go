package tasks

import (
	"bytes"
	"encoding/csv"
	"io"
	"io/fs"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/quality"
)

// Layout is what an installed wheel ships for Python to import, found the way Python finds it:
// from the wheel's RECORD (what the installer writes into site-packages) and top_level.txt.
type Layout struct {
	// Modules are the importable names: packages, the portions of namespace packages (PEP 420,
	// pkg_resources- or pkgutil-style) by their dotted name, single modules and extension
	// modules, also those below a directory a .pth file adds to sys.path.
	Modules []string
	// ByLocation is code that no import statement reaches because its name is not an
	// identifier (a "my-pkg/" directory, a "my-mod.py" file): paths relative to site-packages,
	// imported by file location.
	ByLocation []string
	// Submodules are the other modules of the packages (dotted names), imported after the
	// top-level check so that code a package does not import itself runs too (capped).
	Submodules []string
	// Extensions are the extension modules inside the packages (dotted names), imported by name
	// after Modules, each deciding the outcome as they do (capped, the rest swept): a compiled
	// module that does not import is a broken build, which the package may hide by falling back
	// to its pure-Python code (msgpack._cmsgpack, zope.interface's C optimizations).
	Extensions []string
	// Pth are the .pth files whose import lines run at every interpreter start.
	Pth []string
	// Tests are the test files the wheel installs (test_*.py, tests/..., as lint tells them
	// apart), paths relative to site-packages: coverage leaves them out wherever the tests run
	// from.
	Tests []string
	// Why says why Modules and ByLocation are empty, when they are.
	Why string
}

// maxSubmodules caps the modules swept after the top-level check.
const maxSubmodules = 300

// maxExtensions caps the extension modules inside packages imported by name, each in an
// interpreter of its own (a mypyc-compiled package ships one per module).
const maxExtensions = 16

// maxNamespaceDepth bounds the descent into namespace packages.
const maxNamespaceDepth = 8

var (
	// extSuffix matches an extension module's file name: name.cpython-311-x86_64-linux-gnu.so,
	// name.abi3.so, name.so, name.pyd.
	extSuffix = regexp.MustCompile(`^([^.]+)(\.[A-Za-z0-9_-]+)?\.(so|pyd)$`)
	// taggedExt matches an extension module's file name that carries an interpreter's tag, as
	// build_ext names them: name.cpython-311-x86_64-linux-gnu.so, name.abi3.so, name.cp311-win_amd64.pyd.
	taggedExt = regexp.MustCompile(`^([^.]+)\.(cpython-[A-Za-z0-9_-]+|abi3|pypy[A-Za-z0-9_-]*|cp3[A-Za-z0-9_-]+)\.(so|pyd)$`)
	// oldNamespace matches a pkg_resources- or pkgutil-style namespace package's __init__.py.
	oldNamespace = regexp.MustCompile(`declare_namespace\(\s*__name__\s*\)|extend_path\(\s*__path__\s*,\s*__name__\s*\)`)
	// dataLib maps a wheel's name.data/purelib/ and name.data/platlib/ to site-packages.
	dataLib = regexp.MustCompile(`^[^/]+\.data/(purelib|platlib)/`)
)

// wheelLayout reads the layout of an unpacked wheel: its RECORD and top_level.txt, and the
// files themselves where their content matters (namespace __init__.py, .pth files). A wheel
// without RECORD (a broken or hostile one) is read from its files.
func wheelLayout(root string) Layout {
	var files []string
	records, _ := filepath.Glob(filepath.Join(root, "*.dist-info", "RECORD"))
	if len(records) == 1 {
		if data, err := readCapped(records[0], 64<<20); err == nil {
			files = recordPaths(data)
		}
	}
	if len(files) == 0 {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if rel, err := filepath.Rel(root, p); err == nil {
					files = append(files, filepath.ToSlash(rel))
				}
			}
			return nil
		})
	}
	var topLevel []string
	if tops, _ := filepath.Glob(filepath.Join(root, "*.dist-info", "top_level.txt")); len(tops) == 1 {
		if data, err := readCapped(tops[0], 1<<20); err == nil {
			topLevel = splitLines(string(data))
		}
	}
	read := func(rel string) []byte {
		p := filepath.Join(root, filepath.FromSlash(rel))
		for _, m := range dataLibIn(root, rel) {
			p = m
		}
		data, err := readCapped(p, 1<<20)
		if err != nil {
			return nil
		}
		return data
	}
	return findModules(files, topLevel, read)
}

// dataLibIn finds where a site-packages path rel lies in the unpacked wheel when it came from
// name.data/purelib/ or name.data/platlib/.
func dataLibIn(root, rel string) []string {
	if exists(filepath.Join(root, filepath.FromSlash(rel))) {
		return nil
	}
	matches, _ := filepath.Glob(filepath.Join(root, "*.data", "*lib", filepath.FromSlash(rel)))
	return matches
}

// recordPaths are the file paths of a RECORD (CSV: path, hash, size).
func recordPaths(data []byte) []string {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.LazyQuotes = true
	var out []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			continue
		}
		if len(rec) > 0 && rec[0] != "" {
			out = append(out, rec[0])
		}
	}
	return out
}

// findModules is the layout of the files a wheel installs (paths relative to the wheel's root,
// as RECORD lists them). topLevel are top_level.txt's names; read returns a file's content
// (nil when unreadable).
func findModules(files, topLevel []string, read func(string) []byte) Layout {
	// What lands in site-packages: the root, and name.data/purelib|platlib.
	site := map[string]bool{}
	var paths []string
	for _, f := range files {
		f = strings.TrimPrefix(path.Clean(strings.ReplaceAll(f, `\`, "/")), "./")
		if loc := dataLib.FindStringIndex(f); loc != nil {
			f = f[loc[1]:]
		}
		first, _, _ := strings.Cut(f, "/")
		if f == "." || strings.HasPrefix(f, "../") || strings.HasPrefix(f, "/") || strings.HasSuffix(first, ".dist-info") ||
			strings.HasSuffix(first, ".data") || strings.Contains("/"+f+"/", "/__pycache__/") {
			continue
		}
		if !site[f] {
			site[f] = true
			paths = append(paths, f)
		}
	}
	sort.Strings(paths)
	l := Layout{}
	mods := map[string]bool{}
	byLoc := map[string]bool{}
	subs := map[string]bool{}
	exts := map[string]bool{}
	// Roots: site-packages itself, and the directories .pth files add to sys.path.
	roots := []string{""}
	for _, p := range paths {
		if strings.Contains(p, "/") || !strings.HasSuffix(p, ".pth") {
			continue
		}
		hasImport := false
		for n, line := range splitLines(string(read(p))) {
			if n >= 1000 || len(roots) > 100 {
				break // a hostile .pth: enough
			}
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
			case strings.HasPrefix(line, "import ") || strings.HasPrefix(line, "import\t"):
				hasImport = true
			default:
				dir := path.Clean(strings.TrimSuffix(line, "/"))
				if dir != "." && !strings.HasPrefix(dir, "../") && !path.IsAbs(dir) && hasFileUnder(paths, dir+"/") {
					roots = append(roots, dir+"/")
				}
			}
		}
		if hasImport {
			l.Pth = append(l.Pth, p)
		}
	}
	for i, root := range roots {
		var under []string
		for _, p := range paths {
			if rest, ok := strings.CutPrefix(p, root); ok && (i > 0 || !underOtherRoot(p, roots[1:])) {
				under = append(under, rest)
			}
		}
		scanLevel(under, "", root, 0, read, mods, byLoc, subs, exts)
	}
	// top_level.txt names a module that RECORD's files did not show as such (e.g. a lying RECORD):
	// import it when its files are there.
	for _, name := range topLevel {
		name = strings.TrimSpace(name)
		if !isIdentifier(name) || mods[name] || coveredBy(mods, name) {
			continue
		}
		if site[name+".py"] || site[name+"/__init__.py"] {
			mods[name] = true
		}
	}
	l.Modules = sortedKeys(mods)
	l.Tests = quality.SelectShipped(paths).Tests
	l.ByLocation = sortedKeys(byLoc)
	for _, e := range sortedKeys(exts) {
		if !mods[e] && len(l.Extensions) < maxExtensions {
			l.Extensions = append(l.Extensions, e)
			delete(subs, e)
		}
	}
	for _, s := range sortedKeys(subs) {
		if !mods[s] && len(l.Submodules) < maxSubmodules {
			l.Submodules = append(l.Submodules, s)
		}
	}
	if len(l.Modules) == 0 && len(l.ByLocation) == 0 {
		switch {
		case len(paths) == 0:
			l.Why = "the wheel installs no file into site-packages"
		case len(l.Pth) > 0:
			l.Why = "the wheel ships no module, only .pth files (" + strings.Join(l.Pth, ", ") + "), which run at every interpreter start"
		default:
			l.Why = "the wheel installs no Python module or extension into site-packages (only " + describeFiles(paths) + ")"
		}
	}
	return l
}

// scanLevel classifies the entries of one directory level (rel paths below it in files): modules
// and packages into mods (dotted, under prefix), code not importable by name into byLoc (site
// paths), and the modules inside packages into subs, the extension modules among them into exts too.
func scanLevel(files []string, prefix, site string, depth int, read func(string) []byte, mods, byLoc, subs, exts map[string]bool) {
	children := map[string][]string{} // directory -> files below it
	var dirs []string
	for _, f := range files {
		first, rest, isDir := strings.Cut(f, "/")
		if !isDir {
			switch {
			case strings.HasSuffix(f, ".py"):
				name := strings.TrimSuffix(f, ".py")
				switch {
				case isIdentifier(name) && name != "__init__":
					mods[prefix+name] = true
				case !isIdentifier(name) && depth == 0:
					byLoc[site+f] = true
				}
			case extSuffix.MatchString(f):
				if name := extSuffix.FindStringSubmatch(f)[1]; isIdentifier(name) && name != "__init__" {
					mods[prefix+name] = true
				}
			}
			continue
		}
		if _, ok := children[first]; !ok {
			dirs = append(dirs, first)
		}
		children[first] = append(children[first], rest)
	}
	for _, dir := range dirs {
		below := children[dir]
		if !hasCode(below) {
			continue // data only
		}
		init := ""
		for _, f := range below {
			if f == "__init__.py" || (!strings.Contains(f, "/") && strings.HasPrefix(f, "__init__.") && extSuffix.MatchString(f)) {
				init = f
			}
		}
		if !isIdentifier(dir) {
			if depth > 0 {
				continue // not importable, and not reached by a user either
			}
			if init != "" {
				byLoc[site+dir+"/"] = true
				continue
			}
			for _, f := range below {
				if !strings.Contains(f, "/") && strings.HasSuffix(f, ".py") {
					byLoc[site+dir+"/"+f] = true
				}
			}
			continue
		}
		name := prefix + dir
		namespace := init == "" || (init == "__init__.py" && isOldNamespace(read(site+dir+"/__init__.py")))
		if !namespace || depth >= maxNamespaceDepth {
			mods[name] = true
			packageModules(below, name, subs, exts)
			continue
		}
		// A namespace package: its portions are what a distribution provides.
		before := len(mods)
		scanLevel(below, name+".", site+dir+"/", depth+1, read, mods, byLoc, subs, exts)
		if len(mods) == before && init != "" {
			mods[name] = true // a pkg_resources-style namespace with no portion: its __init__ still runs
		}
	}
}

// isOldNamespace reports whether an __init__.py is a pkg_resources- or pkgutil-style namespace
// declaration: a few lines that declare it (a package that merely mentions declare_namespace,
// as pkg_resources itself does, is a package).
func isOldNamespace(init []byte) bool {
	if !oldNamespace.Match(init) {
		return false
	}
	code := 0
	for _, line := range splitLines(string(init)) {
		if l := strings.TrimSpace(line); l != "" && !strings.HasPrefix(l, "#") {
			code++
		}
	}
	return code <= 10
}

// packageModules adds the modules inside a package (dotted) to subs: every .py and extension
// module whose path is made of identifiers, leaving out tests, __main__ and conftest; the
// extension modules to exts too. An extension module is a file with an interpreter's tag
// (taggedExt): a plain name.so inside a package is as often a library loaded with ctypes
// (llvmlite's libllvmlite.so), which no import reaches.
func packageModules(files []string, pkg string, subs, exts map[string]bool) {
	for _, f := range files {
		dir, base := path.Split(f)
		var name string
		ext := false
		switch {
		case strings.HasSuffix(base, ".py"):
			name = strings.TrimSuffix(base, ".py")
		case taggedExt.MatchString(base):
			name, ext = taggedExt.FindStringSubmatch(base)[1], true
		default:
			continue
		}
		parts := append(strings.Split(strings.TrimSuffix(dir, "/"), "/"), name)
		if dir == "" {
			parts = []string{name}
		}
		if parts[len(parts)-1] == "__init__" {
			parts = parts[:len(parts)-1]
			if len(parts) == 0 {
				continue
			}
		}
		ok := true
		for _, p := range parts {
			if !isIdentifier(p) || p == "__main__" || p == "conftest" || quality.IsTestDir(p) || strings.HasPrefix(p, "test_") {
				ok = false
				break
			}
		}
		if ok {
			subs[pkg+"."+strings.Join(parts, ".")] = true
			if ext {
				exts[pkg+"."+strings.Join(parts, ".")] = true
			}
		}
	}
}

func hasCode(files []string) bool {
	for _, f := range files {
		base := path.Base(f)
		if strings.HasSuffix(base, ".py") || extSuffix.MatchString(base) {
			return true
		}
	}
	return false
}

func hasFileUnder(paths []string, dir string) bool {
	for _, p := range paths {
		if strings.HasPrefix(p, dir) {
			return true
		}
	}
	return false
}

func underOtherRoot(p string, roots []string) bool {
	for _, r := range roots {
		if strings.HasPrefix(p, r) {
			return true
		}
	}
	return false
}

// coveredBy reports whether a dotted name is a module in mods or inside one.
func coveredBy(mods map[string]bool, name string) bool {
	for m := range mods {
		if strings.HasPrefix(name, m+".") || strings.HasPrefix(m, name+".") {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// describeFiles names a few of the files, for a reason.
func describeFiles(paths []string) string {
	if len(paths) > 3 {
		return strings.Join(paths[:3], ", ") + " and " + strconv.Itoa(len(paths)-3) + " more"
	}
	return strings.Join(paths, ", ")
}
