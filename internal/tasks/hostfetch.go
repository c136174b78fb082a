package tasks

import (
	"bytes"
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
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
// newest its specifier allows among what pip would consider, see pipsView), and that release has
// exactly one wheel that installs here (see pipsRelease), so no resolver could choose otherwise
// and no code runs to learn its dependencies, which its METADATA gives. A pip run in the traced
// sandbox costs half a second, and the fetch is on every analysis' critical path. It returns the
// picks in the order they were found, or why pip must resolve (an sdist to build, wheels to
// rank, one for a glibc newer than PYTI vouches for, a METADATA whose Requires-Python this
// Python fails, two requirements wanting different releases, a marker on the machine's release,
// an index error): then nothing was fetched that matters, and pip's own answer (or error) is
// the one the report shows.
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
		for _, e := range append([]string{""}, slices.Collect(maps.Keys(extras))...) {
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
			page = pipsView(page, py)
			n = &node{page: page, extras: map[string]bool{}, added: map[string]bool{}}
			rel, w, why := pipsRelease(page, r, py)
			if why != "" {
				return nil, why
			}
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

// pipsView is page as pip sees it through the index proxy: without the files the index gave no
// sha256 for (the proxy leaves them out), the wheels that cannot install on py, and the files
// whose Requires-Python py fails (pip skips both, and with them a release left without files).
func pipsView(page *pypi.ProjectPage, py pep440.Version) *pypi.ProjectPage {
	out := *page
	out.Files = nil
	for _, f := range page.Files {
		if f.SHA256() == "" || f.RequiresPython != "" && !specContains(f.RequiresPython, py) {
			continue
		}
		if pf, err := pypi.ParseFilename(f.Filename, page.Name); err == nil && pf.Kind == pypi.KindWheel && wheelFits(pf, py) == fitsNo {
			continue
		}
		out.Files = append(out.Files, f)
	}
	return &out
}

// pipsRelease is the release pip would take for r from page (seen as pipsView shows it), and
// its wheel: the newest release r allows, when exactly one of its wheels installs here and none
// might (pip would rank them); why says otherwise, an sdist without a wheel among it (pip would
// build it).
func pipsRelease(page *pypi.ProjectPage, r pep440.Requirement, py pep440.Version) (*pypi.Release, pypi.File, string) {
	rel, err := pypi.Select(page, r.Specifier, false)
	if err != nil {
		return nil, pypi.File{}, err.Error()
	}
	what := page.Name + " " + rel.VersionString
	if rel.Yanked {
		return nil, pypi.File{}, what + " is yanked"
	}
	var fits []pypi.File
	for _, w := range rel.Wheels {
		pf, err := pypi.ParseFilename(w.Filename, page.Name)
		if err != nil || filepath.Base(w.Filename) != w.Filename {
			return nil, pypi.File{}, what + ": a wheel name PYTI cannot read: " + w.Filename
		}
		if wheelFits(pf, py) == fitsMaybe {
			return nil, pypi.File{}, what + ": a wheel for a glibc PYTI cannot vouch for: " + w.Filename
		}
		fits = append(fits, w)
	}
	if len(fits) != 1 {
		return nil, pypi.File{}, fmt.Sprintf("%s has %d wheels for this Python", what, len(fits))
	}
	return rel, fits[0], ""
}

// Whether a wheel installs on this interpreter: CPython on Linux x86_64 with glibc 2.31 or
// later (Debian bullseye's, the oldest release an image is built from).
const (
	fitsNo = iota
	fitsYes
	fitsMaybe // a manylinux wheel for a later glibc: on some of PYTI's systems only
)

// wheelFits says whether a wheel named pf installs on CPython py: wheelScore's judgement of its
// interpreter, ABI and platform tags, with the glibc its manylinux tags need, which wheelScore
// does not weigh.
func wheelFits(pf pypi.ParsedFilename, py pep440.Version) int {
	rel := py.Release()
	if len(rel) < 2 || wheelScore(pf, fmt.Sprintf("cp%d%d", rel[0], rel[1])) == 0 {
		return fitsNo
	}
	fits := fitsNo
	for _, plat := range strings.Split(pf.PlatformTag, ".") {
		switch platformFits(plat) {
		case fitsYes:
			return fitsYes
		case fitsMaybe:
			fits = fitsMaybe
		}
	}
	return fits
}

// platformFits judges one platform tag for Linux x86_64 with glibc 2.31 or later.
func platformFits(plat string) int {
	switch plat {
	case "any", "linux_x86_64", "manylinux1_x86_64", "manylinux2010_x86_64", "manylinux2014_x86_64":
		return fitsYes
	}
	rest, ok := strings.CutPrefix(plat, "manylinux_2_")
	if !ok {
		return fitsNo
	}
	glibc, ok := strings.CutSuffix(rest, "_x86_64")
	if !ok {
		return fitsNo
	}
	n, err := strconv.Atoi(glibc)
	switch {
	case err != nil:
		return fitsNo
	case n <= 31:
		return fitsYes
	}
	return fitsMaybe
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
