package tasks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/archive"
	"github.com/pyti/pyti/internal/jobfs"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/sandbox"
)

// A build environment is what pip's build isolation installs before it runs a backend: the
// build-system requirements (pip's "overlay" prefix) and, when the backend asks for more, those
// (the "normal" prefix). pip installs them afresh for every build, which is most of a build's
// time, and under strace most of its cost. PYTI installs each one once, with the very pip command
// pip's isolation runs, into a cache directory named by everything that command reads: the
// interpreter, the pip, the requirements and every wheelhouse file pip could choose from. A build
// then binds it read-only and calls the backend's hooks itself (python/build_wheel.py), as pip
// calls them. When that cannot be done (an sdist among the candidates, a wheel that cannot be
// read, a backend conflict) the build falls back to pip wheel, which decides as it always has.

// insideBuildEnv is where the build environments appear in the build's sandbox: .../overlay and
// .../normal.
const insideBuildEnv = "/run/pyti-build-env"

// buildPrefix is a ready build environment.
type buildPrefix struct {
	host string // the cache directory (the install prefix)
	// libDirs and binDir are relative to the prefix.
	libDirs []string
	binDir  string
}

// errNoCachedEnv says why a build cannot use a cached environment; the build falls back to pip.
var errNoCachedEnv = errors.New("no cached build environment")

// buildEnvKey names the environment pip would install for reqs from the wheelhouse dir on t's
// interpreter: the requirements, the interpreter and its pip, and the name and hash of every
// wheelhouse file of every project the requirements can reach through any file's Requires-Dist
// (markers, extras and versions ignored, so the set holds whatever pip could pick); and the
// files it names with the sha256 of each, as it read them.
func (j *job) buildEnvKey(ctx context.Context, t *target, kind, dir string, reqs []string) (string, map[string]string, error) {
	files, err := os.ReadDir(dir)
	if err != nil {
		return "", nil, err
	}
	byName := map[string][]string{}
	for _, f := range files {
		if !f.Type().IsRegular() {
			continue
		}
		fn, err := pkgmeta.ParseDistFilename(f.Name())
		if err != nil {
			continue // not a distribution: pip ignores it too
		}
		n := pep440.NormalizeName(fn.Name)
		if fn.Kind != "wheel" {
			// pip would build it from source, running its code: that stays pip's, traced.
			byName[n] = append(byName[n], "sdist:"+f.Name())
			continue
		}
		byName[n] = append(byName[n], f.Name())
	}
	seen := map[string]bool{}
	var queue []string
	add := func(s string) error {
		r, err := pep440.ParseRequirement(s)
		if err != nil {
			return fmt.Errorf("%w: requirement %q: %w", errNoCachedEnv, s, err)
		}
		if r.URL != "" {
			return fmt.Errorf("%w: requirement %q names a URL", errNoCachedEnv, s)
		}
		if n := pep440.NormalizeName(r.Name); !seen[n] {
			seen[n] = true
			queue = append(queue, n)
		}
		return nil
	}
	for _, r := range reqs {
		if err := add(r); err != nil {
			return "", nil, err
		}
	}
	h := sha256.New()
	fmt.Fprintf(h, "pyti %s v1\npython %s %s %s\nimage %s %s\n", kind, t.python, t.pythonVersion, t.pythonTag, t.img.Name, t.img.ID)
	pipSum, err := fileSHA256(filepath.Join(t.img.Root, t.pipWheel))
	if err != nil {
		return "", nil, err
	}
	fmt.Fprintf(h, "pip %s\n", pipSum)
	for _, r := range reqs {
		fmt.Fprintf(h, "requirement %s\n", r)
	}
	var used []string
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		for _, f := range byName[n] {
			if name, ok := strings.CutPrefix(f, "sdist:"); ok {
				return "", nil, fmt.Errorf("%w: %s is a source distribution", errNoCachedEnv, name)
			}
			used = append(used, f)
			_, data, err := archive.ReadMember(ctx, filepath.Join(dir, f), archive.DefaultLimits(), archive.IsWheelMetadata, 4<<20)
			if err != nil {
				return "", nil, fmt.Errorf("%w: reading %s: %w", errNoCachedEnv, f, err)
			}
			md, err := pkgmeta.ParseCoreMetadata(strings.NewReader(string(data)), 4<<20)
			if err != nil {
				return "", nil, fmt.Errorf("%w: reading %s: %w", errNoCachedEnv, f, err)
			}
			for _, rd := range md.RequiresDist {
				if rd.Name == "" {
					return "", nil, fmt.Errorf("%w: %s: Requires-Dist %q: %s", errNoCachedEnv, f, rd.Raw, rd.Error)
				}
				if err := add(rd.Name); err != nil {
					return "", nil, err
				}
			}
		}
	}
	sort.Strings(used)
	sums := make(map[string]string, len(used))
	for _, f := range used {
		sum, err := fileSHA256(filepath.Join(dir, f))
		if err != nil {
			return "", nil, err
		}
		sums[f] = sum
		fmt.Fprintf(h, "file %s %s\n", f, sum)
	}
	return hex.EncodeToString(h.Sum(nil))[:32], sums, nil
}

// buildEnv returns the cached build environment holding reqs for t, installing it first when
// missing.
func (j *job) buildEnv(ctx context.Context, t *target, wh string, reqs []string) (*buildPrefix, error) {
	return j.cachedPrefix(ctx, t, "build-env", wh, reqs)
}

// cachedPrefix returns the cache directory of kind ("build-env", "test-env") in which pip
// installed reqs for t from the wheelhouse wh, installing it first when missing.
func (j *job) cachedPrefix(ctx context.Context, t *target, kind, wh string, reqs []string) (*buildPrefix, error) {
	cache := j.opts.Client.CacheDir()
	if cache == "" {
		return nil, fmt.Errorf("%w: no cache directory", errNoCachedEnv)
	}
	key, sums, err := j.buildEnvKey(ctx, t, kind, wh, reqs)
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(cache, kind, key)
	ready := func(d string) bool { _, err := readBuildPrefix(d); return err == nil }
	err = fillCacheDir(dir, ready, func(tmp string) (string, error) {
		// The cache serves every later job: pip installs from copies of the very files the key
		// names, made where no job's sandbox writes, never from the job's wheelhouse, which
		// the package's code running beside this (the import check's, a dependency's setup.py
		// in the fetch) could change after it was read.
		private, err := privateWheels(j.dir, wh, filepath.Join(tmp, "wheels"), sums)
		if err != nil {
			return "", err
		}
		// pip's own command for an isolated build's requirements (build_env.py), offline from
		// those copies. Installing wheels runs none of their code, so the run is not traced.
		const insideWheelhouse = "/run/pyti-wheelhouse"
		argv := append([]string{t.python, filepath.Join(j.pip(ctx, t), "pip"), "install", "--ignore-installed", "--no-user",
			"--prefix", insideWork + "/prefix", "--no-warn-script-location", "--no-index", "--find-links", insideWheelhouse,
			"--progress-bar", "off", "--"}, reqs...)
		spec := sandbox.Spec{
			Argv:     argv,
			Env:      []string{"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_CONFIG_FILE=/dev/null", "PIP_NO_INPUT=1", "PIP_NO_CACHE_DIR=1"},
			WorkDir:  tmp,
			Image:    t.img.Root,
			ReadOnly: []sandbox.Bind{{Src: private, Dst: insideWheelhouse}},
			Limits:   j.opts.stepLimits(j.opts.InstallTimeout, 0, false),
		}
		if t.pipHost != "" {
			spec.ReadOnly = append(spec.ReadOnly, sandbox.Bind{Src: t.pipHost, Dst: insidePip})
		}
		res, err := j.opts.Backend.Run(ctx, spec)
		if err != nil {
			return "", err
		}
		if res.Outcome != sandbox.OutcomeOK {
			return "", fmt.Errorf("installing %s: %s: %s", strings.Join(reqs, " "), res.Outcome, lastLine(string(res.Stdout)+string(res.Stderr)))
		}
		prefix := filepath.Join(tmp, "prefix")
		p, err := findBuildPrefix(prefix)
		if err != nil {
			return "", err
		}
		data, err := json.Marshal(buildPrefixFile{LibDirs: p.libDirs, BinDir: p.binDir})
		if err != nil {
			return "", err
		}
		return prefix, os.WriteFile(filepath.Join(prefix, buildPrefixMeta), data, 0o644)
	})
	if err != nil {
		// Whatever stopped the cache (a full disk, a read-only cache, pip refusing), pip building
		// with its own isolation is still the answer, and says what is wrong if it fails too.
		return nil, fmt.Errorf("%w: %w", errNoCachedEnv, err)
	}
	return readBuildPrefix(dir)
}

// privateWheels copies the wheelhouse files sums names from wh (below root, no link followed)
// into dst, and checks each copy has the sha256 the key was made with: a file changed since is
// an error, and the environment is not cached.
func privateWheels(root, wh, dst string, sums map[string]string) (string, error) {
	if err := os.Mkdir(dst, 0o755); err != nil {
		return "", err
	}
	for name, want := range sums {
		to := filepath.Join(dst, name)
		if _, err := jobfs.CopyFile(root, filepath.Join(wh, name), to, 1<<30); err != nil {
			return "", fmt.Errorf("copying %s out of the wheelhouse: %w", name, err)
		}
		got, err := fileSHA256(to)
		if err != nil {
			return "", err
		}
		if got != want {
			return "", fmt.Errorf("%s changed in the wheelhouse while PYTI read it (sha256 %s, then %s)", name, want, got)
		}
	}
	return dst, nil
}

// buildPrefixMeta is the file in a cached environment that says where its lib and bin
// directories are; it is written last, so a directory without it is not ready.
const buildPrefixMeta = "pyti-build-env.json"

type buildPrefixFile struct {
	LibDirs []string `json:"lib_dirs"`
	BinDir  string   `json:"bin_dir"`
}

func readBuildPrefix(dir string) (*buildPrefix, error) {
	data, err := os.ReadFile(filepath.Join(dir, buildPrefixMeta))
	if err != nil {
		return nil, err
	}
	var f buildPrefixFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", dir, err)
	}
	return &buildPrefix{host: dir, libDirs: f.LibDirs, binDir: f.BinDir}, nil
}

// findBuildPrefix finds where pip put the libraries and scripts under prefix: the scheme depends
// on the interpreter (lib/python3.X/site-packages, Debian's local/lib/python3.X/dist-packages, ...).
func findBuildPrefix(prefix string) (*buildPrefix, error) {
	p := &buildPrefix{host: prefix, binDir: "bin"}
	for _, pat := range []string{"lib*/python3*/site-packages", "lib*/python3*/dist-packages", "local/lib*/python3*/site-packages", "local/lib*/python3*/dist-packages"} {
		m, _ := filepath.Glob(filepath.Join(prefix, pat))
		for _, d := range m {
			if fi, err := os.Lstat(d); err == nil && fi.IsDir() {
				rel, _ := filepath.Rel(prefix, d)
				p.libDirs = append(p.libDirs, filepath.ToSlash(rel))
			}
		}
	}
	if len(p.libDirs) == 0 {
		return nil, errors.New("pip installed no library directory under the prefix")
	}
	if fi, err := os.Stat(filepath.Join(prefix, "local", "bin")); err == nil && fi.IsDir() {
		p.binDir = "local/bin"
	}
	return p, nil
}

// backendOf is the build backend and its in-tree path pip would use for src: PEP 517's, or
// setuptools' legacy backend for a project without one. ok is false when pyproject.toml is there
// but could not be read, or has a [build-system] without requires (pip's error to report).
func backendOf(src Source) (backend string, path []string, ok bool) {
	pp := src.Pyproject
	if pp == nil {
		if exists(filepath.Join(src.Root, "pyproject.toml")) {
			return "", nil, false
		}
		return "setuptools.build_meta:__legacy__", nil, true
	}
	if pp.BuildSystem == nil {
		return "setuptools.build_meta:__legacy__", nil, true
	}
	if len(pp.BuildSystem.Requires) == 0 {
		return "", nil, false
	}
	if pp.BuildSystem.BuildBackend == "" {
		return "setuptools.build_meta:__legacy__", nil, true
	}
	return pp.BuildSystem.BuildBackend, slices.Clone(pp.BuildSystem.BackendPath), true
}
