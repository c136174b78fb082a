package archive

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// plan is the result of the first pass over an archive: the inventory and,
// for every member in archive order, what extraction will do with it.
// Nothing is written until the whole archive has been checked.
type plan struct {
	inv   *Inventory
	items []planItem
}

type planItem struct {
	path    string
	typ     EntryType
	extract bool
	perm    fs.FileMode
	// target is a symlink's target; src a hard link's source path.
	target string
	src    string
}

// scan reads the whole archive once, enforcing every limit and refusing
// every unsafe or malformed member, and decides what to extract.
func scan(ctx context.Context, src *source, format Format, lim Limits) (*plan, error) {
	inv := &Inventory{Format: format, ArchiveBytes: src.size}
	pl := &plan{inv: inv}
	first := map[string]int{}
	dups := map[string]bool{}
	var written int64
	buf := make([]byte, 32<<10)
	err := walk(ctx, src, format.Container, lim, func(m *member, body bodyReader) error {
		i := len(inv.Entries)
		e := Entry{Name: m.name, DisplayName: DisplayName(m.name), Type: m.typ, Mode: fmt.Sprintf("%04o", m.mode)}
		if m.typ == typeOther {
			return unsafeErr(m.name, "member is a %s", m.kind)
		}
		if (m.typ == TypeFile || m.typ == TypeHardlink) && m.mode&0o6000 != 0 {
			return unsafeErr(m.name, "setuid or setgid file (mode %04o)", m.mode)
		}
		p, why, err := cleanName(m.name, lim)
		if err != nil {
			return err
		}
		if p == "" {
			if m.typ != TypeDir {
				return malformedErr(m.name, "a non-directory member names the archive root")
			}
			why = "archive root directory"
		}
		if why == "" {
			e.Path = p
		}
		it := planItem{path: p, typ: m.typ, perm: 0o644}
		if m.mode&0o111 != 0 {
			it.perm = 0o755
		}
		switch m.typ {
		case TypeFile:
			sum, n, err := hashBody(body, buf)
			if err != nil {
				return err
			}
			e.Size, e.SHA256 = n, sum
			inv.TotalBytes += n
		case TypeSymlink:
			target := m.link
			if m.linkInBody {
				b, err := io.ReadAll(io.LimitReader(body, int64(lim.MaxNameBytes)+1))
				if err != nil {
					return err
				}
				target = string(b)
			}
			e.LinkTarget, it.target = DisplayName(target), target
			reason, err := checkSymlinkTarget(m.name, target, lim)
			if err != nil {
				return err
			}
			if why == "" {
				why = reason
			}
		case TypeHardlink:
			e.LinkTarget = DisplayName(m.link)
			lp, lwhy, err := cleanName(m.link, lim)
			if err != nil {
				return unsafeErr(m.name, "hard link target %q is outside the extraction directory", m.link)
			}
			j, ok := first[lp]
			if !ok || lp == "" || inv.Entries[j].Type != TypeFile {
				return unsafeErr(m.name, "hard link target %q is not an earlier regular file of the archive", m.link)
			}
			if why == "" && (lwhy != "" || !pl.items[j].extract) {
				why = "hard link target is not extracted"
			}
			e.Size, e.SHA256, it.src = inv.Entries[j].Size, inv.Entries[j].SHA256, lp
		}
		if k, dup := first[p]; dup && p != "" {
			// pip, tar and Python's zipfile take the last copy of a name, PYTI the first: a
			// second copy that differs would make the steps run a tree PYTI never checked.
			if !sameMember(inv.Entries[k], e) {
				return unsafeErr(m.name, "member appears twice with different content (tar, pip and zipfile would use the later copy, not the one checked)")
			}
			if !dups[p] {
				dups[p] = true
				inv.Duplicates = append(inv.Duplicates, DisplayName(p))
			}
			why = "duplicate of an earlier member"
		} else if p != "" {
			first[p] = i
		}
		it.extract = why == ""
		e.NotExtracted = why
		if it.extract && (m.typ == TypeFile || m.typ == TypeHardlink) {
			written += e.Size
			if written > lim.MaxTotalBytes {
				return limitErr(m.name, "extracted files would exceed %d bytes", lim.MaxTotalBytes)
			}
		}
		inv.Entries = append(inv.Entries, e)
		pl.items = append(pl.items, it)
		return nil
	})
	if err != nil {
		return nil, err
	}
	inv.TotalEntries = len(inv.Entries)
	if err := checkTree(pl, first); err != nil {
		return nil, err
	}
	inv.CaseCollisions = caseCollisions(pl, first)
	for _, e := range inv.Entries {
		if e.NotExtracted != "" {
			inv.Skipped = append(inv.Skipped, Skipped{DisplayName: e.DisplayName, Reason: e.NotExtracted})
		}
	}
	return pl, nil
}

func hashBody(body io.Reader, buf []byte) (string, int64, error) {
	h := sha256.New()
	n, err := io.CopyBuffer(h, body, buf)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// sameMember says whether a repeated member is the same as its first copy: both directories,
// or the same kind of file with the same content and mode.
func sameMember(a, b Entry) bool {
	if a.Type == TypeDir || b.Type == TypeDir {
		return a.Type == b.Type
	}
	return a.Type == b.Type && a.SHA256 == b.SHA256 && a.LinkTarget == b.LinkTarget && a.Mode == b.Mode
}

// checkSymlinkTarget refuses targets that can never stay inside the tree
// and returns a reason to keep the link as data only, or "".
func checkSymlinkTarget(name, target string, lim Limits) (string, error) {
	switch {
	case target == "":
		return "", malformedErr(name, "symlink has an empty target")
	case len(target) > lim.MaxNameBytes:
		return "", limitErr(name, "symlink target is longer than %d bytes", lim.MaxNameBytes)
	case target[0] == '/':
		return "", unsafeErr(name, "symlink target %q is absolute", target)
	case strings.ContainsRune(target, '\\'):
		return "", unsafeErr(name, "symlink target %q contains a backslash", target)
	case hasDrivePrefix(target):
		return "", unsafeErr(name, "symlink target %q has a drive prefix", target)
	}
	if why := hostPathProblem(target); why != "" {
		return "symlink target: " + why, nil
	}
	return "", nil
}

// checkTree applies the rules that need the whole archive: no member under
// a symlink or inside a non-directory, and every symlink resolving inside
// the tree, following the archive's other symlinks.
func checkTree(pl *plan, first map[string]int) error {
	links := map[string]string{}
	for i, it := range pl.items {
		if it.typ == TypeSymlink && it.path != "" && first[it.path] == i {
			links[it.path] = it.target
		}
	}
	for i, it := range pl.items {
		p := it.path
		for k := 0; k < len(p); k++ {
			if p[k] != '/' {
				continue
			}
			anc := p[:k]
			if _, ok := links[anc]; ok {
				return unsafeErr(pl.inv.Entries[i].Name, "member is under the symlink %q", anc)
			}
			if j, ok := first[anc]; ok && pl.items[j].typ != TypeDir {
				return malformedErr(pl.inv.Entries[i].Name, "member is inside the non-directory member %q", anc)
			}
		}
	}
	for i, it := range pl.items {
		if it.typ != TypeSymlink || it.path == "" || first[it.path] != i {
			continue
		}
		if reason := resolveInside(links, it.path, it.target); reason != "" {
			return unsafeErr(pl.inv.Entries[i].Name, "symlink target %q %s", it.target, reason)
		}
	}
	return nil
}

// resolveInside resolves target, the target of the symlink at linkPath,
// against the archive's symlinks and returns "" when it stays inside the
// tree, or why not.
func resolveInside(links map[string]string, linkPath, target string) string {
	var stack []string
	if k := strings.LastIndexByte(linkPath, '/'); k >= 0 {
		stack = strings.Split(linkPath[:k], "/")
	}
	todo := strings.Split(target, "/")
	hops := 0
	for len(todo) > 0 {
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(stack) == 0 {
				return "escapes the extraction directory"
			}
			stack = stack[:len(stack)-1]
			continue
		}
		next := strings.Join(append(stack[:len(stack):len(stack)], c), "/")
		if t, ok := links[next]; ok {
			hops++
			if hops > 40 {
				return "loops through too many symlinks"
			}
			if strings.HasPrefix(t, "/") {
				return "escapes the extraction directory through the absolute symlink " + next
			}
			todo = append(strings.Split(t, "/"), todo...)
			continue
		}
		stack = append(stack, c)
	}
	return ""
}

// caseCollisions groups the paths (and their parent directories) that
// differ only by case.
func caseCollisions(pl *plan, first map[string]int) [][]string {
	seen := map[string]bool{}
	groups := map[string][]string{}
	var order []string
	add := func(p string) {
		if seen[p] {
			return
		}
		seen[p] = true
		k := strings.ToLower(p)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], p)
	}
	for i, it := range pl.items {
		if it.path == "" || first[it.path] != i {
			continue
		}
		for k := 0; k < len(it.path); k++ {
			if it.path[k] == '/' {
				add(it.path[:k])
			}
		}
		add(it.path)
	}
	var out [][]string
	for _, k := range order {
		if g := groups[k]; len(g) > 1 {
			d := make([]string, len(g))
			for i, p := range g {
				d[i] = DisplayName(p)
			}
			out = append(out, d)
		}
	}
	return out
}
