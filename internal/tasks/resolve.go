package tasks

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
)

// resolve chooses the release and the file to analyse: the newest release matching the request on
// the index (its sdist, preferred for tests, else a wheel this interpreter can install), or the
// local file or directory the user named.
func (j *job) resolve(ctx context.Context, d *dag.Data) (resolved, error) {
	req, _ := KRequest.Get(d)
	if req.Path != "" {
		rel, err := localRelease(req.Path)
		if err != nil {
			return resolved{}, err
		}
		if rel.Version != "" { // a file: its name says which release it is, until metadata says better
			return resolved{Release: rel, Project: rel.Project, Version: rel.Version}, nil
		}
		return resolved{Release: rel}, nil
	}
	rel, err := j.opts.Client.Resolve(ctx, req.Spec)
	if err != nil {
		if errors.Is(err, pypi.ErrNoSuchProject) || errors.Is(err, pypi.ErrNoSuchVersion) || errors.Is(err, pypi.ErrNoMatchingFile) {
			j.out.hint(nil, report.VerdictNotFound, err.Error())
		}
		// The index sent PYTI to an address the policy refuses (a redirect to another host, the
		// cloud metadata address, a private range): a result about that index, which a retry
		// would only repeat.
		if errors.Is(err, pypi.ErrRefusedAddress) {
			j.out.hint(nil, report.VerdictFetch, "the index led to an address PYTI does not contact: "+err.Error())
		}
		return resolved{}, err
	}
	chosen := rel.Sdist
	if chosen == nil {
		chosen = bestWheel(rel.Wheels, j.targets[0].pythonTag)
	}
	out := resolved{Project: rel.Project, Version: rel.VersionString}
	for _, f := range rel.Files() {
		kind := "sdist"
		if strings.HasSuffix(strings.ToLower(f.Filename), ".whl") {
			kind = "wheel"
		}
		out.Files = append(out.Files, report.File{Filename: f.Filename, Kind: kind, SHA256: f.SHA256(), Size: f.Size,
			URL: pypi.Redact(f.URL), Yanked: f.Yanked, Chosen: chosen != nil && f.Filename == chosen.Filename})
	}
	if chosen == nil {
		j.out.hint(nil, report.VerdictNotFound, "no sdist and no wheel for this interpreter")
		return out, fmt.Errorf("%s %s has no sdist and no wheel installable on Python %s (%d wheels)", rel.Project, rel.VersionString, j.targets[0].pythonVersion, len(rel.Wheels))
	}
	out.Release = Release{Project: rel.Project, Version: rel.VersionString, Index: rel, Chosen: chosen}
	return out, nil
}

// localRelease names a local sdist, wheel or source directory.
func localRelease(path string) (Release, error) {
	info, err := os.Stat(path)
	if err != nil {
		return Release{}, fmt.Errorf("local distribution: %w", err)
	}
	if info.IsDir() {
		return Release{Project: filepath.Base(path)}, nil
	}
	pf, err := pypi.ParseFilename(filepath.Base(path), "")
	if err != nil {
		if distSuffix(path) != "" {
			// An sdist or wheel whose name does not parse (an invalid version): it is still
			// analysed, named from its own metadata (PKG-INFO, METADATA) once unpacked.
			return Release{}, nil
		}
		return Release{}, fmt.Errorf("local distribution %s: not an sdist or wheel name: %w", path, err)
	}
	return Release{Project: pf.Name, Version: pf.Version.String()}, nil
}

// distSuffix is the sdist or wheel suffix of a file name ("" for none).
func distSuffix(name string) string {
	lower := strings.ToLower(name)
	for _, s := range []string{".whl", ".tar.gz", ".tar.bz2", ".tar.xz", ".tar.zst", ".tgz", ".tbz", ".tar", ".zip"} {
		if strings.HasSuffix(lower, s) {
			return name[len(name)-len(s):]
		}
	}
	return ""
}

// bestWheel picks the wheel an interpreter with the given CPython tag (e.g. "cp311") installs on
// Linux x86_64: a pure wheel last resort order is py3-none-any.
func bestWheel(wheels []pypi.File, pyTag string) *pypi.File {
	best, bestScore := -1, 0
	for i, w := range wheels {
		pf, err := pypi.ParseFilename(w.Filename, "")
		if err != nil {
			continue
		}
		if s := wheelScore(pf, pyTag); s > bestScore {
			best, bestScore = i, s
		}
	}
	if best < 0 {
		return nil
	}
	return &wheels[best]
}

// wheelScore is 0 for a wheel the interpreter cannot install, higher for a more specific match.
func wheelScore(pf pypi.ParsedFilename, pyTag string) int {
	ours, _ := cpMinor(pyTag)
	abi3 := false
	abiOK := false
	for _, t := range strings.Split(pf.ABITag, ".") {
		switch t {
		case "none", pyTag:
			abiOK = true
		case "abi3":
			abiOK, abi3 = true, true
		}
	}
	if !abiOK {
		return 0
	}
	score := 0
	for _, t := range strings.Split(pf.PythonTag, ".") {
		switch {
		case t == pyTag:
			score = max(score, 30)
		case abi3 && strings.HasPrefix(t, "cp3"):
			if n, ok := cpMinor(t); ok && n <= ours {
				score = max(score, 20) // a stable-ABI wheel built for an older CPython
			}
		case t == "py3":
			score = max(score, 10)
		case strings.HasPrefix(t, "py3"):
			if n, ok := cpMinor("cp" + t[2:]); ok && n <= ours {
				score = max(score, 10) // a pure wheel for this or an older Python 3 (py39 on 3.11)
			}
		}
	}
	if score == 0 {
		return 0
	}
	for _, t := range strings.Split(pf.PlatformTag, ".") {
		switch {
		case t == "any":
			return score
		case strings.HasSuffix(t, "_x86_64") && (strings.HasPrefix(t, "manylinux") || strings.HasPrefix(t, "linux")):
			return score + 5
		}
	}
	return 0
}

// cpMinor reads the minor version of a CPython 3 tag: 11 for "cp311".
func cpMinor(tag string) (int, bool) {
	if !strings.HasPrefix(tag, "cp3") {
		return 0, false
	}
	n, err := strconv.Atoi(tag[3:])
	return n, err == nil
}
