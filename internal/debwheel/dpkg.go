package debwheel

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// dpkgPackage is one stanza of dpkg's status file.
type dpkgPackage struct {
	Name, Version, Architecture, Status string
	Depends                             string // Pre-Depends and Depends, comma-separated
}

// dpkgDB is the status file of a root: package name -> its stanzas (one per architecture).
type dpkgDB map[string][]*dpkgPackage

const statusPath = "/var/lib/dpkg/status"

// openDpkg opens the root file system root and reads its dpkg database; the caller closes rfs.
func openDpkg(root string) (*rootFS, dpkgDB, error) {
	rfs, err := openRoot(root)
	if err != nil {
		return nil, nil, err
	}
	db, err := readStatus(rfs)
	if err != nil {
		rfs.Close()
		return nil, nil, err
	}
	return rfs, db, nil
}

func readStatus(rfs *rootFS) (dpkgDB, error) {
	data, err := rfs.readFile(statusPath, maxMetaFile)
	if err != nil {
		return nil, fmt.Errorf("reading dpkg's database in %s: %w", rfs.dir, err)
	}
	return parseStatus(data), nil
}

// parseStatus parses dpkg's status file (RFC 822-like stanzas separated by blank lines).
func parseStatus(data []byte) dpkgDB {
	db := dpkgDB{}
	var cur *dpkgPackage
	var field string
	flush := func() {
		if cur != nil && cur.Name != "" {
			db[cur.Name] = append(db[cur.Name], cur)
		}
		cur, field = nil, ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), maxMetaFile)
	for sc.Scan() {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			flush()
			continue
		}
		if cur == nil {
			cur = &dpkgPackage{}
		}
		if line[0] == ' ' || line[0] == '\t' {
			if field == "Depends" || field == "Pre-Depends" {
				cur.Depends += " " + strings.TrimSpace(line)
			}
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		field, v = k, strings.TrimSpace(v)
		switch k {
		case "Package":
			cur.Name = v
		case "Version":
			cur.Version = v
		case "Architecture":
			cur.Architecture = v
		case "Status":
			cur.Status = v
		case "Depends", "Pre-Depends":
			if cur.Depends != "" {
				cur.Depends += ", "
			}
			cur.Depends += v
		}
	}
	flush()
	return db
}

// installed returns the installed stanza of the package name ("NAME" or "NAME:ARCH"), or nil.
func (db dpkgDB) installed(name string) *dpkgPackage {
	name, arch, _ := strings.Cut(name, ":")
	for _, p := range db[name] {
		if arch != "" && arch != "any" && p.Architecture != arch {
			continue
		}
		if f := strings.Fields(p.Status); len(f) == 3 && f[2] == "installed" {
			return p
		}
	}
	return nil
}

// dependencies returns the first alternative of each of p's dependencies that is installed.
func (db dpkgDB) dependencies(p *dpkgPackage) []*dpkgPackage {
	var out []*dpkgPackage
	for _, group := range strings.Split(p.Depends, ",") {
		for _, alt := range strings.Split(group, "|") {
			name := strings.TrimSpace(alt)
			if i := strings.IndexAny(name, " ([<"); i >= 0 {
				name = name[:i]
			}
			if name == "" {
				continue
			}
			if d := db.installed(name); d != nil {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// listFile reads the list of paths that package p installed.
func listFile(rfs *rootFS, p *dpkgPackage) ([]byte, error) {
	var firstErr error
	for _, name := range []string{p.Name, p.Name + ":" + p.Architecture} {
		data, err := rfs.readFile("/var/lib/dpkg/info/"+name+".list", maxMetaFile)
		if err == nil {
			return data, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return nil, fmt.Errorf("dpkg's file list of %s: %w", p.Name, firstErr)
}

// payloadFile is one file of a wheel: its name in the wheel (relative to dist-packages) and the
// resolved path of the file in the root.
type payloadFile struct {
	name, resolved string
}

// packageFiles lists the files a Debian package installed below DistPackages, by their names in
// the wheel. A symbolic link to a directory (python3-coverage's coverage/htmlfiles) brings in the
// files of that directory, as an installation from PyPI would have them.
func packageFiles(rfs *rootFS, p *dpkgPackage) ([]payloadFile, error) {
	list, err := listFile(rfs, p)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var files []payloadFile
	var size int64
	add := func(name, resolved string) error {
		if seen[name] || skipFile(name) {
			return nil
		}
		if len(files) >= maxWheelFiles {
			return fmt.Errorf("more than %d files", maxWheelFiles)
		}
		seen[name] = true
		files = append(files, payloadFile{name: name, resolved: resolved})
		return nil
	}
	for _, line := range strings.Split(string(list), "\n") {
		rel, ok := strings.CutPrefix(line, DistPackages+"/")
		if !ok || !safeName(rel) {
			continue
		}
		resolved, fi, err := rfs.stat(line)
		if errors.Is(err, fs.ErrNotExist) {
			continue // listed but gone, or a dangling link
		}
		if err != nil {
			return nil, err
		}
		switch {
		case fi.Mode().IsRegular():
			size += fi.Size()
			if err := add(rel, resolved); err != nil {
				return nil, err
			}
		case fi.IsDir():
			// Only a link to a directory brings files that the list does not name itself.
			if !isLink(rfs, line) {
				continue
			}
			err := rfs.walkFiles(resolved, func(sub, res string) error {
				return add(rel+"/"+sub, res)
			})
			if err != nil {
				return nil, fmt.Errorf("%s: %w", line, err)
			}
		}
	}
	if size > maxWheelBytes {
		return nil, fmt.Errorf("more than %d bytes of files", maxWheelBytes)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	if len(files) == 0 {
		return nil, fmt.Errorf("installs no Python 3 distribution in %s", DistPackages)
	}
	return files, nil
}

// isLink reports whether the last component of the absolute path p is a symbolic link.
func isLink(rfs *rootFS, p string) bool {
	parent, err := rfs.resolve(path.Dir(p))
	if err != nil {
		return false
	}
	fi, err := rfs.r.Lstat(path.Join(parent, path.Base(p)))
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

// skipFile is true for byte code, which pip compiles anew.
func skipFile(name string) bool {
	return strings.Contains(name, "__pycache__") || strings.HasSuffix(name, ".pyc")
}

// safeName is true for a clean relative path that can be a wheel member.
func safeName(rel string) bool {
	if rel == "" || path.Clean(rel) != rel || strings.HasPrefix(rel, "/") || strings.ContainsAny(rel, "\\\x00\r") {
		return false
	}
	for _, c := range strings.Split(rel, "/") {
		if c == ".." || c == "." {
			return false
		}
	}
	return true
}

// Dependencies returns packages followed by the packages installed in root that they depend on,
// directly or not, and that ship a Python 3 distribution (python3-pluggy, python3-iniconfig, ...
// for python3-pytest): what an index needs to serve so that pip can install packages there. For
// each dependency with alternatives the first installed one counts. Packages not installed in
// root are kept in the answer (BuildFrom reports them as missing).
func Dependencies(root string, packages []string) ([]string, error) {
	rfs, db, err := openDpkg(root)
	if err != nil {
		return nil, err
	}
	defer rfs.Close()
	out := append([]string(nil), packages...)
	seen := map[string]bool{}
	var queue []*dpkgPackage
	for _, name := range packages {
		seen[strings.SplitN(name, ":", 2)[0]] = true
		if p := db.installed(name); p != nil {
			queue = append(queue, p)
		}
	}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, d := range db.dependencies(p) {
			if seen[d.Name] {
				continue
			}
			seen[d.Name] = true
			if !strings.HasPrefix(d.Name, "python3-") || !shipsDistribution(rfs, d) {
				continue
			}
			out = append(out, d.Name)
			queue = append(queue, d)
		}
	}
	return out, nil
}

// shipsDistribution reports whether p installed a dist-info or egg-info directory in
// DistPackages.
func shipsDistribution(rfs *rootFS, p *dpkgPackage) bool {
	list, err := listFile(rfs, p)
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(list), "\n") {
		if rel, ok := strings.CutPrefix(line, DistPackages+"/"); ok && metaDirRe.MatchString(rel+"/") {
			return true
		}
	}
	return false
}
