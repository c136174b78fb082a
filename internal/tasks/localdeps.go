package tasks

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pyti/pyti/internal/pkgmeta"
)

// localTestProjects are the projects inside the tree that its test environment installs from a
// path: a line of tox.ini's [testenv] deps, or of a requirements file they name or of the tree's
// test or development requirements file, that names a directory of the tree holding a setup.py
// or a pyproject.toml (cloudpickle 2.2.1's dev-requirements.txt installs
// ./tests/cloudpickle_testpkg, whose _cloudpickle_testpkg its tests import). They are
// slash-separated and relative to root, which is where tox and pip, run from the project's
// directory, resolve them. The project itself (`.`, `-e .[test]`) is not one, nor is a path
// that leaves the tree, a URL or a file.
func localTestProjects(root string) []string {
	var lines []string
	read := map[string]bool{}
	if data, err := readToxConfig(root); err == nil {
		for _, line := range toxValue(string(data), "testenv", "deps") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "-r") {
				lines = append(lines, requirementsFileLines(root, strings.TrimSpace(strings.TrimPrefix(toxExpand(line, nil, 0), "-r")), read)...)
				continue
			}
			lines = append(lines, line)
		}
	}
	for _, name := range append(append([]string(nil), testRequirementsFiles...), devRequirementsFiles(root)...) {
		lines = append(lines, requirementsFileLines(root, name, read)...)
	}
	var out []string
	for _, l := range lines {
		if dir := localProject(root, l); dir != "" && !slices.Contains(out, dir) {
			out = append(out, dir)
		}
	}
	return out
}

// requirementsFileLines are the raw lines (editable ones without their -e) of the
// requirements file name (relative to root) and of the files it includes with -r that install a
// path or URL, each file once (read).
func requirementsFileLines(root, name string, read map[string]bool) []string {
	var out []string
	walkRequirementsFiles(root, strings.TrimPrefix(name, "{toxinidir}/"), read, func(rf *pkgmeta.RequirementsFile) {
		for _, l := range rf.Requirements {
			if l.Editable || l.Direct {
				out = append(out, l.Raw)
			}
		}
	})
	return out
}

// localPathTail is what follows a local path in a requirement line: extras, a marker, options.
var localPathTail = regexp.MustCompile(`(\[[^\]]*\])?\s*(;.*)?$`)

// localProject is the directory (slash-separated, relative to root) of the project that a
// requirement line installs from a path inside the tree, or "".
func localProject(root, line string) string {
	line = strings.TrimSpace(line)
	for _, p := range []string{"-e ", "--editable ", "--editable=", "-e"} {
		if strings.HasPrefix(line, p) {
			line = strings.TrimSpace(strings.TrimPrefix(line, p))
			break
		}
	}
	line = strings.TrimPrefix(line, "{toxinidir}/")
	if rest, ok := strings.CutPrefix(line, "file:"); ok {
		if strings.HasPrefix(rest, "//") {
			return "" // file:///abs: outside the tree
		}
		line = rest
	}
	if line == "" || strings.Contains(line, "://") || strings.HasPrefix(line, "#") || strings.HasPrefix(line, "-") {
		return ""
	}
	if f := strings.Fields(line); len(f) > 0 {
		line = f[0]
	}
	line, _, _ = strings.Cut(line, "#")
	line = localPathTail.ReplaceAllString(line, "")
	if !strings.HasPrefix(line, ".") && !strings.Contains(line, "/") {
		return "" // a project's name, not a path
	}
	rel := filepath.Clean(filepath.FromSlash(line))
	if rel == "." || filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return ""
	}
	dir := filepath.Join(root, rel)
	if info, err := os.Lstat(dir); err != nil || !info.IsDir() {
		return ""
	}
	if !isFile(filepath.Join(dir, "setup.py")) && !isFile(filepath.Join(dir, "pyproject.toml")) {
		return ""
	}
	return filepath.ToSlash(rel)
}
