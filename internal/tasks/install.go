package tasks

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/pyti/pyti/internal/behavior"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
)

// makeVenv creates the fresh environment the install fills, no system site-packages, as a user's
// `python -m venv` makes it: with what the interpreter's ensurepip bundles (pip, and setuptools
// up to Python 3.11), so that a package that imports pkg_resources through a dependency that does
// not declare it (fixtures through pbr) imports as it does for its users. It needs nothing of the
// build, so it runs beside it, untraced: the interpreter's own venv and ensurepip modules run,
// none of the package's code, offline from the wheels the interpreter ships. It is a copy of the
// one they made for an earlier job in the same place (see venvTemplate), when the cache has it.
func (j *job) makeVenv(ctx context.Context, d *dag.Data, t *target) (Venv, error) {
	venv := filepath.Join(t.work, "venv")
	v, err := j.copyVenvTemplate(ctx, t, venv)
	if err == nil {
		return v, nil
	}
	j.log.Debug("no cached environment: python -m venv makes it", "err", err)
	return j.runVenv(ctx, t, venv)
}

// copyVenvTemplate makes venv a copy of the environment `python -m venv` made in the same place
// for an earlier job (see venvTemplate), making that first when the cache lacks it.
func (j *job) copyVenvTemplate(ctx context.Context, t *target, venv string) (Venv, error) {
	tmpl, err := j.venvTemplate(ctx, t, j.in(venv))
	if err != nil {
		return Venv{}, err
	}
	// As it is: links, modes and bytecode included.
	if err := copyTreeWith(tmpl, venv, nil); err != nil {
		if rerr := os.RemoveAll(venv); rerr != nil {
			return Venv{}, fmt.Errorf("%w; removing the partial copy: %w", err, rerr)
		}
		return Venv{}, err
	}
	reason := "a copy of the environment `python -m venv` made in the same place for an earlier analysis (" + tmpl + ")"
	env := Environment{Venv: venv, Python: filepath.Join(venv, "bin", "python"), SitePackages: sitePackages(venv)}
	return Venv{Made: true, Env: env, Phase: report.Phase{Outcome: "ok", Reason: reason}}, nil
}

// runVenv makes venv with `python -m venv`, in the sandbox.
func (j *job) runVenv(ctx context.Context, t *target, venv string) (Venv, error) {
	mk, err := j.run(ctx, step{t: t, task: t.task("install"), name: "venv", dir: j.in(t.work), wall: j.opts.InstallTimeout,
		argv: []string{t.python, "-m", "venv", j.in(venv)}})
	if err != nil {
		return Venv{}, err
	}
	v := Venv{Made: mk.ok(), Phase: mk.phase, Output: mk.output, Result: mk.res}
	v.Env = Environment{Venv: venv, Python: filepath.Join(venv, "bin", "python")}
	v.Env.SitePackages = sitePackages(venv)
	return v, nil
}

// install installs the wheel offline from the wheelhouse, traced, into the environment the venv
// task made. It produces the environment, and for the report the install, whatever became of it.
func (j *job) install(ctx context.Context, d *dag.Data, t *target) (installed, error) {
	w, _ := t.kWheel.Get(d)
	wh, _ := t.kWheelhouse.Get(d)
	mk, _ := t.kVenv.Get(d)
	inst := &report.Install{Phase: mk.Phase}
	if !mk.Made {
		inst.ErrorLines = errorLines(mk.Output, 20)
		return installed{Install: inst}, fmt.Errorf("creating the environment failed (%s): %s", describe(mk.Result), lastLine(mk.Output))
	}
	env := mk.Env
	wheel, binds := j.wheelInSandbox(w)
	// --force-reinstall: what the venv was seeded with (pip, setuptools) never stands in for the
	// wheel under test or for a dependency from the wheelhouse, even at the same version.
	argv := j.pipArgv(ctx, t, j.in(env.Python), "install", "--no-index", "--find-links", j.in(wh.Dir),
		"--progress-bar", "off", "--force-reinstall", wheel)
	if len(wh.Unfetchable) > 0 {
		// Some dependencies are not on the index (the verdict says so): install the package
		// alone, so that its code can still run.
		argv = append(argv, "--no-deps")
	}
	res, err := j.run(ctx, step{t: t, task: t.task("install"), name: "pip-install", phase: "install", dir: j.in(t.work), wall: j.opts.InstallTimeout,
		site: j.in(env.SitePackages), readOnly: binds, argv: argv, env: offlinePip(j.in(wh.Dir))})
	if err != nil {
		return installed{Install: inst}, err
	}
	inst.Phase = res.phase
	j.limitHint(t, res.res)
	inst.Packages = installedPackages(env.SitePackages)
	j.pthFindings(t, env.SitePackages)
	if !res.ok() {
		inst.ErrorLines = errorLines(res.output, 30)
		return installed{Install: inst}, fmt.Errorf("installing failed (%s): %s", describe(res.res), lastLine(res.output))
	}
	return installed{Install: inst, Env: env}, nil
}

// wheelInSandbox returns the path of the wheel inside the sandbox, under its own file name (pip
// reads the tags from it), with the bind it needs when it lives outside the job (a wheel given by
// the user, or the content-addressed cache).
func (j *job) wheelInSandbox(w Wheel) (string, []sandbox.Bind) {
	if strings.HasPrefix(w.Path, j.work+string(filepath.Separator)) && filepath.Base(w.Path) == w.Filename {
		return j.in(w.Path), nil
	}
	inside := insideDist + "/" + w.Filename
	return inside, []sandbox.Bind{{Src: w.Path, Dst: inside}}
}

// sitePackages finds the environment's site-packages directory.
func sitePackages(venv string) string {
	matches, _ := filepath.Glob(filepath.Join(venv, "lib", "python3*", "site-packages"))
	if len(matches) == 0 {
		return filepath.Join(venv, "lib")
	}
	return matches[0]
}

// installedPackages reads name and version of every distribution in site-packages: those pip
// installed from wheels (.dist-info), and those a legacy `setup.py install` put there (an sdist
// without pyproject.toml, when wheel is not installed), whose .egg-info is a directory or a
// single file.
func installedPackages(site string) []report.Package {
	matches, _ := filepath.Glob(filepath.Join(site, "*.dist-info", "METADATA"))
	eggs, _ := filepath.Glob(filepath.Join(site, "*.egg-info"))
	for _, e := range eggs {
		if info, err := os.Lstat(e); err == nil && info.IsDir() {
			matches = append(matches, filepath.Join(e, "PKG-INFO"))
		} else if err == nil && info.Mode().IsRegular() {
			matches = append(matches, e)
		}
	}
	var out []report.Package
	for _, m := range matches {
		name, version := headerPair(m)
		if name != "" {
			out = append(out, report.Package{Name: name, Version: version})
		}
	}
	sort.Slice(out, func(a, b int) bool { return strings.ToLower(out[a].Name) < strings.ToLower(out[b].Name) })
	return out
}

// headerPair reads Name and Version from the first lines of a METADATA file.
func headerPair(path string) (name, version string) {
	f, err := openNoLinks(path)
	if err != nil {
		return "", ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for i := 0; sc.Scan() && i < 50; i++ {
		line := sc.Text()
		if line == "" {
			break
		}
		if v, ok := strings.CutPrefix(line, "Name: "); ok {
			name = strings.TrimSpace(v)
		} else if v, ok := strings.CutPrefix(line, "Version: "); ok {
			version = strings.TrimSpace(v)
		}
	}
	return name, version
}

// pthFindings reports .pth files in the environment that run code at every interpreter start.
func (j *job) pthFindings(t *target, site string) {
	matches, _ := filepath.Glob(filepath.Join(site, "*.pth"))
	var fs []report.Finding
	for _, m := range matches {
		data, err := readCapped(m, 1<<20)
		if err != nil || standardPth(site, filepath.Base(m), data) != "" {
			continue // no code, or setuptools' own file
		}
		fs = append(fs, report.Finding{Source: "behavior", Phase: "install", RuleID: "pth-code-installed", Severity: report.SeverityHigh,
			Title: ".pth file with code installed", Message: fmt.Sprintf("Installing put %s into site-packages; it runs code every time Python starts.", filepath.Base(m)),
			Count: 1, Evidence: []report.Evidence{{Kind: "file", File: filepath.Base(m), Detail: strings.TrimSpace(firstLineOf(string(data)))}}})
		if t.cell >= 0 {
			fs[len(fs)-1].Image = t.img.Name
		}
	}
	j.out.finding(fs...)
}

// vetPthWrite lowers a finding of a .pth file written into the environment's site-packages
// (site, as the sandbox sees it) to info when the file, as the step left it, is one that every
// install of such a package writes (standardPth: zope.interface's and zope.proxy's -nspkg.pth),
// or, while the tests are set up (testDepsOf: the normalised name of the package under test), a
// test dependency's own file: pip installing coloredlogs for humanfriendly's tests writes
// coloredlogs.pth, as any user's does, and no user of the package installs its test
// dependencies. Anything else, or a file that cannot be read, keeps the finding as it is; a .pth
// with code in it is also reported, high, by pthFindings.
func (j *job) vetPthWrite(site, testDepsOf string, f behavior.Finding) behavior.Finding {
	if f.Distinct != 1 || len(f.Evidence) == 0 {
		return f
	}
	inside := f.Evidence[0].Path
	if f.Evidence[0].NewPath != "" {
		inside = f.Evidence[0].NewPath
	}
	name, ok := strings.CutPrefix(inside, site+"/")
	if !ok || strings.Contains(name, "/") {
		return f
	}
	rel, ok := strings.CutPrefix(site, insideWork+"/")
	if !ok {
		return f
	}
	hostSite := filepath.Join(j.work, filepath.FromSlash(rel))
	data, err := readCapped(filepath.Join(hostSite, name), 1<<20)
	if err != nil {
		return f
	}
	what := standardPth(hostSite, name, data)
	if what == "" && testDepsOf != "" {
		if owner := pthOwner(hostSite, name, data); owner != "" && owner != testDepsOf {
			what = "the test dependency " + owner + "'s own " + name + ", as its RECORD lists it"
		}
	}
	if what == "" {
		return f
	}
	f.Severity = report.SeverityInfo
	f.Message += " It holds " + what + "."
	return f
}

// standardPth says what a .pth file named name in site-packages (site, here) holds when it is one
// that every install of such a package writes, or "": a tool's own file (toolPth), byte for byte as
// that tool's RECORD lists it (pthOwner); setuptools' -nspkg.pth of pkg_resources-style namespace
// packages, nothing else in it; or path lines only, which run no code.
func standardPth(site, name string, data []byte) string {
	switch pkgs, isNamespace := behavior.NamespacePth(data); {
	case toolPth[name] != "" && pthOwner(site, name, data) == toolPth[name]:
		return toolPth[name] + "'s own " + name + ", as its RECORD lists it"
	case isNamespace:
		return "setuptools' file for the namespace package " + strings.Join(pkgs, ", ") + ", nothing else"
	case !behavior.PthHasCode(data):
		return "directories for sys.path, and no line that runs code"
	}
	return ""
}

// toolPth names the .pth files with code that well-known tools ship in their own wheels, by the
// project (normalised) that ships each: setuptools' distutils shim, and the hooks with which
// pytest-cov and coverage (7.7 and later) measure subprocesses.
var toolPth = map[string]string{
	"distutils-precedence.pth": "setuptools",
	"pytest-cov.pth":           "pytest-cov",
	"a1_coverage.pth":          "coverage",
}

// pthOwner is the normalised name of the installed distribution whose own RECORD lists the .pth
// file name in site with the hash of data, or "": none does, or the RECORD that does is itself a
// file another distribution installed (a wheel that ships a copy of another project's
// .dist-info to vouch for its own .pth).
func pthOwner(site, name string, data []byte) string {
	sum := sha256.Sum256(data)
	want := "\n" + name + ",sha256=" + base64.RawURLEncoding.EncodeToString(sum[:]) + ","
	records, _ := filepath.Glob(filepath.Join(site, "*.dist-info", "RECORD"))
	var owner string
	others := map[string]string{}
	for _, r := range records {
		rec, err := readCapped(r, 16<<20)
		if err != nil {
			continue
		}
		dir := filepath.Base(filepath.Dir(r))
		if owner == "" && strings.Contains("\n"+string(rec), want) {
			owner = dir
			continue
		}
		others[dir] = "\n" + string(rec)
	}
	if owner == "" {
		return ""
	}
	for _, rec := range others {
		if strings.Contains(rec, "\n"+owner+"/") {
			return ""
		}
	}
	project, _, _ := strings.Cut(strings.TrimSuffix(owner, ".dist-info"), "-")
	return pep440.NormalizeName(project)
}

func firstLineOf(s string) string {
	for _, l := range splitLines(s) {
		if strings.HasPrefix(l, "import") {
			if len(l) > 200 {
				return l[:200] + "…"
			}
			return l
		}
	}
	return ""
}
