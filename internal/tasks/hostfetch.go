package tasks

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/archive"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/pypi"
)

// hostIndex is what resolving on the host asks of the index: *pypi.Client.
type hostIndex interface {
	Project(ctx context.Context, name string) (*pypi.ProjectPage, error)
	Download(ctx context.Context, file pypi.File) (string, error)
}

// hostPick is one distribution resolveOnHost chose: the wheel pip would download for it, and
// where the verified copy lies in the download cache.
type hostPick struct {
	Project  string `json:"project"`
	Version  string `json:"version"`
	Filename string `json:"filename"`
	SHA256   string `json:"sha256,omitempty"`
	path     string
}

// maxHostPicks bounds the distributions one host resolution fetches; more goes to pip.
const maxHostPicks = 48

// resolveOnHost answers `pip download reqs` on the host, without pip, when the answer is
// certain to be pip's own: every requirement on a project wants the same release of it (the
// newest its specifier allows, not yanked), and that release has one wheel, pure Python and
// for this Python, so no resolver could choose otherwise and no code runs to learn its
// dependencies, which its METADATA gives. A pip run in the traced sandbox costs half a second
// for two or three wheels, and the build's requirements are on every analysis' critical path.
// It returns the picks in the order they were found, or why pip must resolve (an sdist, a
// platform wheel, a Requires-Python this Python fails, two requirements wanting different
// releases, a marker on the host machine's release, an index error): then nothing was fetched
// that matters, and pip's own answer (or error) is the one the report shows.
func resolveOnHost(ctx context.Context, idx hostIndex, pythonVersion string, reqs []string) ([]hostPick, string) {
	py, err := pep440.Parse(pythonVersion)
	if err != nil {
		return nil, fmt.Sprintf("python version %q: %v", pythonVersion, err)
	}
	env := pep440.DefaultEnvironment(pythonVersion)
	type node struct {
		page   *pypi.ProjectPage
		pick   hostPick
		md     *pkgmeta.CoreMetadata
		extras map[string]bool
		added  map[string]bool
	}
	nodes := map[string]*node{}
	var order []string
	// wanted says whether a requirement applies here, for one of extras when its marker names one.
	wanted := func(r pep440.Requirement, extras map[string]bool) (bool, string) {
		if r.URL != "" {
			return false, "a direct URL: " + r.String()
		}
		if r.Marker == nil {
			return true, ""
		}
		if m := r.Marker.String(); strings.Contains(m, "platform_release") || strings.Contains(m, "platform_version") {
			return false, "a marker on the machine's release: " + m
		}
		for _, e := range append([]string{""}, keys(extras)...) {
			env["extra"] = e
			ok, err := r.Marker.Evaluate(env)
			if err != nil {
				return false, fmt.Sprintf("marker %s: %v", r.Marker, err)
			}
			if ok {
				return true, ""
			}
		}
		return false, ""
	}
	var queue []pep440.Requirement
	for _, raw := range reqs {
		r, err := pep440.ParseRequirement(raw)
		if err != nil {
			return nil, fmt.Sprintf("requirement %q: %v", raw, err)
		}
		ok, why := wanted(r, nil)
		if why != "" {
			return nil, why
		}
		if ok {
			queue = append(queue, r)
		}
	}
	for len(queue) > 0 {
		r := queue[0]
		queue = queue[1:]
		name := pep440.NormalizeName(r.Name)
		n := nodes[name]
		if n == nil {
			if len(nodes) >= maxHostPicks {
				return nil, fmt.Sprintf("more than %d distributions", maxHostPicks)
			}
			page, err := idx.Project(ctx, name)
			if err != nil {
				return nil, fmt.Sprintf("%s: %v", name, err)
			}
			page = hashedOnly(page)
			n = &node{page: page, extras: map[string]bool{}, added: map[string]bool{}}
			rel, why := pipsRelease(page, r, py)
			if why != "" {
				return nil, why
			}
			w := rel.Wheels[0]
			p, err := idx.Download(ctx, w)
			if err != nil {
				return nil, fmt.Sprintf("%s: %v", w.Filename, err)
			}
			md, err := wheelMetadata(ctx, p)
			if err != nil {
				return nil, fmt.Sprintf("%s: %v", w.Filename, err)
			}
			if pep440.NormalizeName(md.Name) != name {
				return nil, fmt.Sprintf("%s: its METADATA names %q", w.Filename, md.Name)
			}
			if md.RequiresPython != "" && !specContains(md.RequiresPython, py) {
				return nil, fmt.Sprintf("%s: Requires-Python %s", w.Filename, md.RequiresPython)
			}
			n.md, n.pick = md, hostPick{Project: page.Name, Version: rel.VersionString, Filename: w.Filename, SHA256: w.SHA256(), path: p}
			nodes[name] = n
			order = append(order, name)
		} else if rel, err := pypi.Select(n.page, r.Specifier, false); err != nil || rel.VersionString != n.pick.Version {
			return nil, fmt.Sprintf("%s: two requirements want different releases (%s, and %s)", name, n.pick.Version, r.String())
		}
		for _, e := range r.Extras {
			n.extras[pep440.NormalizeName(e)] = true
		}
		for _, rd := range n.md.RequiresDist {
			if n.added[rd.Raw] {
				continue
			}
			dep, err := pep440.ParseRequirement(rd.Raw)
			if err != nil {
				return nil, fmt.Sprintf("%s requires %q: %v", name, rd.Raw, err)
			}
			ok, why := wanted(dep, n.extras)
			if why != "" {
				return nil, why
			}
			if ok {
				n.added[rd.Raw] = true
				queue = append(queue, dep)
			}
		}
	}
	picks := make([]hostPick, 0, len(order))
	for _, name := range order {
		picks = append(picks, nodes[name].pick)
	}
	return picks, ""
}

// hashedOnly is page as the index proxy shows it to pip: without the files the index gave no
// sha256 for.
func hashedOnly(page *pypi.ProjectPage) *pypi.ProjectPage {
	out := *page
	out.Files = nil
	for _, f := range page.Files {
		if f.SHA256() != "" {
			out.Files = append(out.Files, f)
		}
	}
	return &out
}

// pipsRelease is the release of page pip would take for r: the newest r allows, when it has a
// single wheel, pure Python for py, and no file of it excludes py; why says otherwise.
func pipsRelease(page *pypi.ProjectPage, r pep440.Requirement, py pep440.Version) (*pypi.Release, string) {
	rel, err := pypi.Select(page, r.Specifier, false)
	if err != nil {
		return nil, err.Error()
	}
	what := page.Name + " " + rel.VersionString
	if rel.Yanked {
		return nil, what + " is yanked"
	}
	for _, f := range rel.Files() {
		if f.RequiresPython != "" && !specContains(f.RequiresPython, py) {
			return nil, fmt.Sprintf("%s: Requires-Python %s", f.Filename, f.RequiresPython)
		}
	}
	if len(rel.Wheels) != 1 {
		return nil, fmt.Sprintf("%s has %d wheels", what, len(rel.Wheels))
	}
	w := rel.Wheels[0]
	pf, err := pypi.ParseFilename(w.Filename, page.Name)
	if err != nil || pf.ABITag != "none" || pf.PlatformTag != "any" || !pureFor(pf.PythonTag, py) || filepath.Base(w.Filename) != w.Filename {
		return nil, what + ": no pure-Python wheel for this Python: " + w.Filename
	}
	return rel, ""
}

// pureFor says a pure wheel's python tag (py3, py2.py3, py39) installs on py.
func pureFor(tag string, py pep440.Version) bool {
	rel := py.Release()
	if len(rel) < 2 {
		return false
	}
	major := fmt.Sprintf("py%d", rel[0])
	for _, t := range strings.Split(tag, ".") {
		if t == major {
			return true
		}
		if minor, err := strconv.Atoi(strings.TrimPrefix(t, major)); err == nil && strings.HasPrefix(t, major) && minor <= rel[1] {
			return true
		}
	}
	return false
}

func specContains(spec string, v pep440.Version) bool {
	s, err := pep440.ParseSpecifiers(spec)
	return err == nil && s.Contains(v, true)
}

// wheelMetadata reads the METADATA of the wheel at p, with the archive checks an unpacked
// distribution gets.
func wheelMetadata(ctx context.Context, p string) (*pkgmeta.CoreMetadata, error) {
	_, data, err := archive.ReadMember(ctx, p, archive.DefaultLimits(), archive.IsWheelMetadata, 4<<20)
	if err != nil {
		return nil, err
	}
	return pkgmeta.ParseCoreMetadata(bytes.NewReader(data), 4<<20)
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
