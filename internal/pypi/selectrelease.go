package pypi

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/pep440"
)

// Release is one version of a project with its usable files.
type Release struct {
	Project string         `json:"project"`
	Version pep440.Version `json:"-"`
	// VersionString is Version.String(), for JSON and logs.
	VersionString string `json:"version"`
	// Sdist is the source distribution (preferred for running tests), or nil.
	Sdist *File `json:"sdist,omitempty"`
	// Wheels are the release's wheels, sorted by file name.
	Wheels []File `json:"wheels,omitempty"`
	// Yanked is true when the release was chosen although yanked (only when
	// pinned with == or ===, as PEP 592 says); YankedReason is the index's
	// reason, if any.
	Yanked       bool   `json:"yanked,omitempty"`
	YankedReason string `json:"yanked_reason,omitempty"`
}

// Files returns the sdist (if any) followed by the wheels.
func (r *Release) Files() []File {
	var out []File
	if r.Sdist != nil {
		out = append(out, *r.Sdist)
	}
	return append(out, r.Wheels...)
}

type versionGroup struct {
	v      pep440.Version
	files  []File // non-yanked
	yanked []File
}

// groupByVersion parses every file name on the page; files that are not
// sdists or wheels, or whose version does not parse, are left out and
// counted.
func groupByVersion(page *ProjectPage) (map[string]*versionGroup, int) {
	groups := map[string]*versionGroup{}
	ignored := 0
	for _, f := range page.Files {
		pf, err := ParseFilename(f.Filename, page.Name)
		if err != nil {
			ignored++
			continue
		}
		key := pf.Version.String()
		g := groups[key]
		if g == nil {
			g = &versionGroup{v: pf.Version}
			groups[key] = g
		}
		if f.Yanked {
			g.yanked = append(g.yanked, f)
		} else {
			g.files = append(g.files, f)
		}
	}
	return groups, ignored
}

// pinned reports whether spec pins an exact version (== without a wildcard,
// or ===), which is when PEP 592 lets a yanked release be chosen.
func pinned(spec pep440.SpecifierSet) bool {
	for _, s := range spec {
		if s.Operator() == "===" || (s.Operator() == "==" && !strings.HasSuffix(s.Version(), ".*")) {
			return true
		}
	}
	return false
}

// Select picks the newest release on page that spec contains: yanked files
// are skipped unless spec pins the version exactly, and pre-releases are
// considered when prereleases is set, when spec names one, or when nothing
// else matches (PEP 440). The release carries its sdist and wheels.
func Select(page *ProjectPage, spec pep440.SpecifierSet, prereleases bool) (*Release, error) {
	if page == nil {
		return nil, fmt.Errorf("pypi: Select: no page")
	}
	groups, ignored := groupByVersion(page)
	if len(groups) == 0 {
		return nil, fmt.Errorf("%w: %s has no sdist or wheel with a PEP 440 version (%d files ignored)", ErrNoMatchingFile, page.Name, ignored)
	}
	pin := pinned(spec)
	var candidates []pep440.Version
	for _, g := range groups {
		if len(g.files) > 0 || (pin && len(g.yanked) > 0) {
			candidates = append(candidates, g.v)
		}
	}
	matched := spec.Filter(candidates, prereleases)
	if len(matched) == 0 {
		return nil, noVersionError(page.Name, spec, groups)
	}
	best := matched[0]
	for _, v := range matched[1:] {
		if v.Compare(best) > 0 {
			best = v
		}
	}
	g := groups[best.String()]
	rel := &Release{Project: page.Name, Version: best, VersionString: best.String()}
	files := g.files
	if len(files) == 0 {
		files = g.yanked
		rel.Yanked = true
		for _, f := range files {
			if f.YankedReason != "" {
				rel.YankedReason = f.YankedReason
				break
			}
		}
	}
	for _, f := range files {
		pf, _ := ParseFilename(f.Filename, page.Name)
		switch pf.Kind {
		case KindWheel:
			rel.Wheels = append(rel.Wheels, f)
		case KindSdist:
			if rel.Sdist == nil || sdistRank(f.Filename) < sdistRank(rel.Sdist.Filename) {
				fc := f
				rel.Sdist = &fc
			}
		}
	}
	sort.Slice(rel.Wheels, func(i, j int) bool { return rel.Wheels[i].Filename < rel.Wheels[j].Filename })
	return rel, nil
}

// sdistRank orders sdist formats: .tar.gz (the standard) first.
func sdistRank(name string) int {
	lower := strings.ToLower(name)
	for i, s := range sdistSuffixes {
		if strings.HasSuffix(lower, s) {
			return i
		}
	}
	return len(sdistSuffixes)
}

// noVersionError explains a failed selection: the versions nearest to the
// specifier's bounds, the newest one, and yanked releases that match.
func noVersionError(project string, spec pep440.SpecifierSet, groups map[string]*versionGroup) error {
	var all []pep440.Version
	var yankedMatches []string
	for _, g := range groups {
		if len(g.files) > 0 {
			all = append(all, g.v)
		} else if spec.Contains(g.v, true) {
			yankedMatches = append(yankedMatches, g.v.String())
		}
	}
	slices.SortFunc(all, pep440.Version.Compare)
	near := map[int]bool{}
	if len(all) > 0 {
		near[len(all)-1] = true
	}
	for _, s := range spec {
		b, err := pep440.Parse(strings.TrimSuffix(s.Version(), ".*"))
		if err != nil {
			continue
		}
		i, _ := slices.BinarySearchFunc(all, b, pep440.Version.Compare)
		for j := i - 2; j <= i+1; j++ {
			if j >= 0 && j < len(all) {
				near[j] = true
			}
		}
	}
	idx := make([]int, 0, len(near))
	for i := range near {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var names []string
	for _, i := range idx {
		names = append(names, all[i].String())
	}
	msg := fmt.Sprintf("%v: %s %s", ErrNoSuchVersion, project, spec.String())
	if len(names) > 0 {
		msg += fmt.Sprintf("; nearest available: %s (of %d releases)", strings.Join(names, ", "), len(all))
	} else {
		msg += "; no installable releases"
	}
	if len(yankedMatches) > 0 {
		sort.Strings(yankedMatches)
		msg += fmt.Sprintf("; yanked releases that match: %s (pin one with == to use it)", strings.Join(yankedMatches, ", "))
	}
	return &selectError{msg: msg}
}

type selectError struct{ msg string }

func (e *selectError) Error() string        { return "pypi: " + e.msg }
func (e *selectError) Is(target error) bool { return target == ErrNoSuchVersion }

// Resolve parses a PEP 508 requirement ("name[extras] specifier"), fetches
// the project page and selects the newest matching release.
func (c *Client) Resolve(ctx context.Context, requirement string) (*Release, error) {
	req, err := pep440.ParseRequirement(requirement)
	if err != nil {
		return nil, fmt.Errorf("pypi: requirement %q: %w", requirement, err)
	}
	if req.URL != "" {
		return nil, fmt.Errorf("pypi: requirement %q names a direct URL; only index requirements can be resolved", requirement)
	}
	page, err := c.Project(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	rel, err := Select(page, req.Specifier, false)
	if err != nil {
		return nil, err
	}
	c.log.Debug("resolved", "requirement", requirement, "version", rel.VersionString, "yanked", rel.Yanked)
	return rel, nil
}
