package tasks

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/pyti/pyti/internal/archive"
	"github.com/pyti/pyti/internal/jobfs"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
)

// The test step adds the project's test dependencies (its test extras, its test requirement files
// and the tools PYTI adds) to the environment the import check ran in. pip installing them there
// is a second resolve and install per analysis, traced. When the test dependencies share no
// project with what the environment already holds, pip's answer is what it would install for them
// alone: PYTI then installs them alone, once, with pip, into a cache directory named by
// everything pip reads (see buildEnvKey), and adds that directory to the environment with a .pth
// path line and console-script wrappers, as pip would have written them, and the .pth files the
// test dependencies install themselves (see layerPth). Otherwise pip installs into the
// environment, as before.

// insideTestEnv is where the cached test dependencies appear in the test step's sandbox.
const insideTestEnv = "/run/pyti-test-env"

// testEnvPth is the .pth file that adds the cached test dependencies to the environment.
const testEnvPth = "pyti-test-env.pth"

// errNoTestLayer says why pip installs the test dependencies into the environment.
var errNoTestLayer = errors.New("test dependencies installed by pip")

// testRequirementsOf are the requirements the test install adds beyond the wheel itself: the
// requirements of its test extras (from the built wheel's metadata, markers evaluated for t's
// interpreter), the test requirement files' and the tools, as the pip install of the test step
// names them.
func testRequirementsOf(ctx context.Context, t *target, w Wheel, wh Wheelhouse) ([]string, error) {
	var out []string
	if len(wh.Extras) > 0 {
		_, data, err := archive.ReadMember(ctx, w.Path, archive.DefaultLimits(), archive.IsWheelMetadata, 4<<20)
		if err != nil {
			return nil, fmt.Errorf("%w: reading the wheel's metadata: %w", errNoTestLayer, err)
		}
		md, err := pkgmeta.ParseCoreMetadata(strings.NewReader(string(data)), 4<<20)
		if err != nil {
			return nil, fmt.Errorf("%w: reading the wheel's metadata: %w", errNoTestLayer, err)
		}
		self := pep440.NormalizeName(md.Name)
		env := pep440.DefaultEnvironment(t.pythonVersion)
		for _, rd := range md.RequiresDist {
			r := rd.Parsed
			if r == nil {
				return nil, fmt.Errorf("%w: Requires-Dist %q: %s", errNoTestLayer, rd.Raw, rd.Error)
			}
			if r.Marker == nil {
				continue // a plain dependency: installed already
			}
			if s := r.Marker.String(); strings.Contains(s, "platform_release") || strings.Contains(s, "platform_version") {
				return nil, fmt.Errorf("%w: Requires-Dist %q depends on the kernel", errNoTestLayer, rd.Raw)
			}
			env["extra"] = ""
			base, err := r.Marker.Evaluate(env)
			if err != nil {
				return nil, fmt.Errorf("%w: Requires-Dist %q: %w", errNoTestLayer, rd.Raw, err)
			}
			wanted := false
			for _, e := range wh.Extras {
				env["extra"] = e
				ok, err := r.Marker.Evaluate(env)
				if err != nil {
					return nil, fmt.Errorf("%w: Requires-Dist %q: %w", errNoTestLayer, rd.Raw, err)
				}
				wanted = wanted || ok
			}
			if base || !wanted {
				continue
			}
			if pep440.NormalizeName(r.Name) == self || r.URL != "" {
				return nil, fmt.Errorf("%w: the test extra asks for %q", errNoTestLayer, rd.Raw)
			}
			plain := *r
			plain.Marker = nil
			out = append(out, plain.String())
		}
	}
	return append(append(out, wh.TestRequirements...), testTools...), nil
}

// testLayer installs (or finds) the cached test dependencies for env and adds them to it. It
// returns an error wrapping errNoTestLayer when pip must install them into the environment.
func (j *job) testLayer(ctx context.Context, t *target, w Wheel, wh Wheelhouse, env Environment) (*buildPrefix, error) {
	reqs, err := testRequirementsOf(ctx, t, w, wh)
	if err != nil {
		return nil, err
	}
	if len(reqs) == 0 {
		return nil, fmt.Errorf("%w: nothing to add", errNoTestLayer)
	}
	for _, r := range wh.TestRequirements {
		if strings.HasPrefix(strings.TrimSpace(r), "-") {
			return nil, fmt.Errorf("%w: the test requirement %q is a pip option", errNoTestLayer, r)
		}
	}
	p, err := j.cachedPrefix(ctx, t, "test-env", wh.Dir, reqs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoTestLayer, err)
	}
	layer, err := readDists(p)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errNoTestLayer, err)
	}
	shared, err := sharedDists(installedPackages(env.SitePackages), layer.names)
	if err != nil {
		return nil, err
	}
	if err := splitPackage(env.SitePackages, layer, shared); err != nil {
		return nil, err
	}
	var lines strings.Builder
	for _, l := range p.libDirs {
		lines.WriteString(insideTestEnv + "/" + l + "\n")
	}
	// The layer's own .pth files (pytest-cov's, setuptools' distutils-precedence.pth) must run at
	// start-up as pip would have installed them: each goes into site-packages under its own name,
	// so that it runs in its place among the environment's, after the layer's directories (which
	// its import lines may need) and with its path lines made absolute in the layer.
	pths := make(map[string][]byte, len(layer.pths))
	for _, f := range layer.pths {
		data, err := readCapped(filepath.Join(p.host, f.libDir, f.name), 1<<20)
		if err != nil {
			return nil, fmt.Errorf("%w: reading %s: %w", errNoTestLayer, f.name, err)
		}
		if have, err := readCapped(filepath.Join(env.SitePackages, f.name), 1<<20); err == nil && bytes.Equal(have, data) && shared[f.dist] {
			continue // a shared distribution's own .pth, there already
		}
		if exists(filepath.Join(env.SitePackages, f.name)) || f.name == testEnvPth {
			return nil, fmt.Errorf("%w: the test dependencies bring %s, which the environment has too", errNoTestLayer, f.name)
		}
		pths[f.name] = layerPth(lines.String(), insideTestEnv+"/"+f.libDir, data)
	}
	// The environment is the sandbox's to write: never write through a link it left there.
	if err := j.writeNoLinks(t, "test", filepath.Join(env.SitePackages, testEnvPth), []byte(lines.String()), 0o644); err != nil {
		return nil, err
	}
	for _, name := range slices.Sorted(maps.Keys(pths)) {
		if err := j.writeNoLinks(t, "test", filepath.Join(env.SitePackages, name), pths[name], 0o644); err != nil {
			return nil, err
		}
	}
	if err := j.realDir(t, "test", filepath.Join(env.Venv, "bin")); err != nil {
		return nil, err
	}
	for _, cs := range layer.scripts {
		if shared[cs.dist] {
			continue
		}
		if err := writeConsoleScript(filepath.Join(env.Venv, "bin"), j.in(env.Python), cs); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// testLayerBind is the bind that steps using an environment with the test layer need.
func testLayerBind(p *buildPrefix) []sandbox.Bind {
	if p == nil {
		return nil
	}
	return []sandbox.Bind{{Src: p.host, Dst: insideTestEnv}}
}

// pluginsSetAside are the pytest options that keep the project's own plugins, where its test
// environment has them, from undoing what PYTI measures. pytest-cov (`--cov` in addopts) starts a
// coverage of its own that takes coverage.py's tracer from `coverage run`, which then records
// nothing: it is not loaded (-p no:pytest_cov; PYTI's plugin then accepts its options and its
// no_cover marker and fixture, as when it is not installed; --no-cov would crash every test
// marked no_cover, pytest-cov's issue 590). pytest-xdist (`-n auto`) runs the tests in worker
// processes that `coverage run` does not follow and whose results PYTI's plugin would also see
// there: -n 0 runs them in pytest's own process. Each is given only when its plugin is
// installed, as pytest refuses an option that no plugin defines.
func pluginsSetAside(installed map[string]bool) []string {
	var out []string
	if installed["pytest-cov"] {
		out = append(out, "-p", "no:pytest_cov")
	}
	if installed["pytest-xdist"] {
		out = append(out, "-n", "0")
	}
	return out
}

// installedProjects are the normalised names of the distributions installed in the library
// directories dirs (the venv's site-packages and the test layer's), from their .dist-info
// directories' names ({name}-{version}.dist-info).
func installedProjects(dirs []string) map[string]bool {
	out := map[string]bool{}
	for _, d := range dirs {
		infos, _ := filepath.Glob(filepath.Join(d, "*.dist-info"))
		for _, info := range infos {
			name, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(info), ".dist-info"), "-")
			out[pep440.NormalizeName(name)] = true
		}
	}
	return out
}

// libraryDirs are the host directories the test environment imports from: the venv's
// site-packages, and the test layer's when it is bound.
func libraryDirs(site string, layer *buildPrefix) []string {
	dirs := []string{site}
	if layer != nil {
		for _, l := range layer.libDirs {
			dirs = append(dirs, filepath.Join(layer.host, l))
		}
	}
	return dirs
}

// sharedDists are the projects the environment (installed) and the test dependencies' layer
// (layer: normalised names and versions) both hold. One held at the same version is the same
// distribution (the setuptools and pip a venv is made with, a dependency the package and pytest
// share): the environment's copy, first on sys.path, serves the layer too. One held at another
// version means pip, installing into the environment, could answer otherwise: an error wrapping
// errNoTestLayer.
func sharedDists(installed []report.Package, layer map[string]string) (map[string]bool, error) {
	shared := map[string]bool{}
	for _, pkg := range installed {
		name := pep440.NormalizeName(pkg.Name)
		version, ok := layer[name]
		if ok && version == pkg.Version {
			shared[name] = true
		} else if ok {
			return nil, fmt.Errorf("%w: the environment already holds %s %s, which the test dependencies installed alone would take at %s", errNoTestLayer, name, pkg.Version, version)
		}
	}
	return shared, nil
}

// splitPackage returns an error wrapping errNoTestLayer when a regular package of the layer's own
// distributions (not shared with the environment) has a directory of the same name in site: a
// portion of a namespace package the environment holds too. Python takes a regular package whole
// from one directory, so the layer's would hide the environment's or be hidden by it (PasteDeploy
// 3.0.1's -nspkg.pth makes `paste` from site-packages alone, and a Paste whose paste/__init__.py
// lay in the layer lost paste.fixture), where pip installing both into one directory merges them.
// A package the layer's own -nspkg.pth sets up as a namespace joins the environment's (Debian's
// zope.* wheels ship zope/__init__.py beside it): layerPth makes its line add the layer's portion.
func splitPackage(site string, layer *distSet, shared map[string]bool) error {
	for _, top := range slices.Sorted(maps.Keys(layer.packages)) {
		if layer.namespaces[top] {
			continue
		}
		own := false
		for dist := range layer.packages[top] {
			own = own || !shared[dist]
		}
		if own && isDir(filepath.Join(site, top)) {
			return fmt.Errorf("%w: the test dependencies and the environment both install the package %s", errNoTestLayer, top)
		}
	}
	return nil
}

// distSet is what a set of library directories holds.
type distSet struct {
	names   map[string]string // normalised project names, and their versions
	scripts []consoleScript
	pths    []pthFile // the .pth files found
	// packages are the regular packages (top-level directories with an __init__.py), each with
	// the normalised names of the distributions whose RECORD lists files in it.
	packages map[string]map[string]bool
	// namespaces are the top-level namespace packages the .pth files set up (setuptools'
	// -nspkg.pth: `*('zope',)`), whatever __init__.py their directories hold.
	namespaces map[string]bool
}

// nspkgTop finds the top-level namespace package of a line of setuptools' -nspkg.pth.
var nspkgTop = regexp.MustCompile(`\*\('([A-Za-z_][A-Za-z0-9_]*)',\)`)

// pthFile is a .pth file of a library directory (relative to the prefix), with the normalised
// name of the distribution whose RECORD lists it ("" when none does).
type pthFile struct{ libDir, name, dist string }

// layerPth is a layer's .pth file as the environment's site-packages holds it: the layer's
// directories first (prefix, path lines: already on sys.path, site skips them), then its lines,
// each path line (one that is not an import, a comment or blank) made absolute in the library
// directory it came from (libDir, as the sandbox sees it), as site resolves it there, and the
// site directory an import line reads (setuptools' -nspkg.pth) made that directory too.
// siteDirOfFrame is how setuptools' -nspkg.pth lines name the directory site is reading.
const siteDirOfFrame = "sys._getframe(1).f_locals['sitedir']"

func layerPth(prefix, libDir string, data []byte) []byte {
	var b strings.Builder
	b.WriteString(prefix)
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\n"), "\n") {
		l := strings.TrimRight(line, "\r")
		switch {
		case strings.HasPrefix(l, "import ") || strings.HasPrefix(l, "import\t"):
			// setuptools' -nspkg.pth finds its namespace package in the directory site is
			// reading (the frame's sitedir), which is now the environment's site-packages: it is
			// the library directory's. Left as it was, every Python start printed "Error
			// processing line 2 of ...-nspkg.pth" (testfixtures' tests compare a child's
			// stderr), and the namespace package was not set up.
			l = strings.ReplaceAll(l, siteDirOfFrame, "'"+strings.ReplaceAll(libDir, "'", `\'`)+"'")
		case strings.TrimSpace(l) == "", strings.HasPrefix(l, "#"):
		case path.IsAbs(l):
		default:
			l = path.Join(libDir, l)
		}
		b.WriteString(l + "\n")
	}
	return []byte(b.String())
}

// consoleScript is one [console_scripts] entry point, of the distribution dist (normalised).
type consoleScript struct{ name, module, attr, dist string }

// readDists reads the distributions in p's library directories.
func readDists(p *buildPrefix) (*distSet, error) {
	s := &distSet{names: map[string]string{}, packages: map[string]map[string]bool{}, namespaces: map[string]bool{}}
	for _, l := range p.libDirs {
		dir := filepath.Join(p.host, l)
		owner := map[string]string{}           // a top-level file's distribution, from its RECORD
		within := map[string]map[string]bool{} // a top-level directory's distributions
		infos, _ := filepath.Glob(filepath.Join(dir, "*.dist-info"))
		for _, info := range infos {
			name, version := headerPair(filepath.Join(info, "METADATA"))
			if name == "" {
				return nil, fmt.Errorf("%s has no name in its METADATA", filepath.Base(info))
			}
			norm := pep440.NormalizeName(name)
			s.names[norm] = version
			cs, err := consoleScripts(filepath.Join(info, "entry_points.txt"))
			if err != nil {
				return nil, err
			}
			for i := range cs {
				cs[i].dist = norm
			}
			s.scripts = append(s.scripts, cs...)
			if record, err := readCapped(filepath.Join(info, "RECORD"), 16<<20); err == nil {
				for _, f := range recordPaths(record) {
					if strings.HasSuffix(f, ".pth") && !strings.Contains(f, "/") {
						owner[f] = norm
					}
					if top, _, nested := strings.Cut(f, "/"); nested {
						if within[top] == nil {
							within[top] = map[string]bool{}
						}
						within[top][norm] = true
					}
				}
			}
		}
		inits, _ := filepath.Glob(filepath.Join(dir, "*", "__init__.py"))
		for _, init := range inits {
			top := filepath.Base(filepath.Dir(init))
			if s.packages[top] == nil {
				s.packages[top] = map[string]bool{}
			}
			maps.Copy(s.packages[top], within[top])
		}
		pths, _ := filepath.Glob(filepath.Join(dir, "*.pth"))
		for _, p := range pths {
			s.pths = append(s.pths, pthFile{libDir: l, name: filepath.Base(p), dist: owner[filepath.Base(p)]})
			if data, err := readCapped(p, 1<<20); err == nil {
				for _, m := range nspkgTop.FindAllSubmatch(data, -1) {
					s.namespaces[string(m[1])] = true
				}
			}
		}
		eggs, _ := filepath.Glob(filepath.Join(dir, "*.egg-info"))
		if len(eggs) > 0 {
			return nil, fmt.Errorf("%s is an egg-info installation", filepath.Base(eggs[0]))
		}
	}
	return s, nil
}

// consoleScripts reads the [console_scripts] section of an entry_points.txt.
func consoleScripts(path string) ([]consoleScript, error) {
	f, err := openNoLinks(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []consoleScript
	in := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			in = line == "[console_scripts]"
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !in || !ok || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			continue
		}
		value, _, _ = strings.Cut(value, "[") // extras of an entry point: pip ignores them
		module, attr, ok := strings.Cut(strings.TrimSpace(value), ":")
		name, module, attr = strings.TrimSpace(name), strings.TrimSpace(module), strings.TrimSpace(attr)
		if !ok || !scriptName.MatchString(name) || !dotted.MatchString(module) || !dotted.MatchString(attr) {
			return nil, fmt.Errorf("%s: console script %q is not one PYTI can write", path, line)
		}
		out = append(out, consoleScript{name: name, module: module, attr: attr})
	}
	return out, sc.Err()
}

var (
	scriptName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)
	dotted     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$`)
)

// writeConsoleScript writes the wrapper pip writes for a console script (pip's distlib template),
// unless the environment has one of that name already.
func writeConsoleScript(bin, python string, cs consoleScript) error {
	path := filepath.Join(bin, cs.name)
	if _, err := os.Lstat(path); err == nil {
		return nil
	}
	top, _, _ := strings.Cut(cs.attr, ".")
	script := fmt.Sprintf("#!%s\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom %s import %s\nif __name__ == '__main__':\n"+
		"    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(%s())\n", python, cs.module, top, cs.attr)
	return jobfs.WriteFile(bin, path, []byte(script), 0o755)
}
