package tasks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/pyti/pyti/internal/archive"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/trace"
)

// compilers are the programs whose execution during a build is recorded as a compiler call.
var compilers = map[string]bool{"gcc": true, "cc": true, "g++": true, "c++": true, "clang": true, "clang++": true,
	"x86_64-linux-gnu-gcc": true, "x86_64-linux-gnu-g++": true, "ld": true, "gfortran": true, "rustc": true, "cargo": true, "cython": true}

// build makes a wheel from the source tree with pip's PEP 517 front end, offline (build
// dependencies come from the wheelhouse) and traced. A wheel was given: nothing to build.
func (j *job) build(ctx context.Context, d *dag.Data, t *target) (built, error) {
	a, _ := KArchive.Get(d)
	src, _ := KSource.Get(d)
	wh, _ := t.kBuildHouse.Get(d)
	if a.Kind == "wheel" {
		l := wheelLayout(src.Root)
		w := Wheel{Path: a.Path, Filename: a.Filename, Modules: l.Modules, Layout: l}
		return built{Wheel: w, Build: &report.Build{Phase: report.Phase{Outcome: "ok"}, Wheel: a.Filename, Skipped: "a wheel was analysed: nothing to build"}}, nil
	}
	// Build from a copy: in-tree builds write build/ and *.egg-info, which must not reach the
	// pristine tree that lint and the tests read.
	tree := filepath.Join(t.work, "build", "tree")
	if err := j.copySource(t, "build", src.Root, tree); err != nil {
		return built{}, err
	}
	if err := makeWritable(filepath.Join(t.work, "build")); err != nil {
		return built{}, err
	}
	dist := filepath.Join(t.work, "dist")
	if err := j.freshDir(t, "build", dist); err != nil {
		return built{}, err
	}
	res, err := j.buildCached(ctx, t, src, tree, dist, wh)
	frontend, note := "pyti", ""
	if errors.Is(err, errNoCachedEnv) {
		j.log.Info("pip builds the wheel", "reason", err)
		frontend, note = "pip", err.Error()
		// --use-pep517: pip's build isolation also for a project without pyproject.toml, whose
		// setup.py pip 23.0 would otherwise run in the interpreter running pip, the system's,
		// with every package of its dist-packages importable (the host's Cython compiled
		// fonttools' extensions). pip 23.1 and later do so whenever setuptools is not importable
		// where pip runs, as in a fresh virtualenv of Python 3.12; the cached environments
		// (buildCached) are always isolated.
		res, err = j.run(ctx, step{t: t, task: t.task("build"), name: "pip-wheel", phase: "build", dir: j.in(tree), wall: j.opts.BuildTimeout,
			argv: j.pipArgv(ctx, t, t.python, "wheel", "--use-pep517", "--no-deps", "--no-index",
				"--find-links", j.in(wh.Dir), "--wheel-dir", j.in(dist), "--progress-bar", "off", "--verbose", j.in(tree)),
			env: offlinePip(j.in(wh.Dir))})
	}
	if err != nil {
		return built{}, err
	}
	for _, c := range buildCode(src) {
		j.out.codeRan(c + " during build")
	}
	b := &report.Build{Phase: res.phase, Compilers: compilerCalls(res.execs), Frontend: frontend, FrontendNote: note}
	j.limitHint(t, res.res)
	if !res.ok() {
		b.ErrorLines = errorLines(res.output, 30)
		return built{Build: b}, fmt.Errorf("the build failed (%s): %s", describe(res.res), lastLine(res.output))
	}
	wheels, _ := filepath.Glob(filepath.Join(dist, "*.whl"))
	if len(wheels) != 1 {
		return built{Build: b}, fmt.Errorf("the build made %d wheels, want 1", len(wheels))
	}
	b.Wheel = filepath.Base(wheels[0])
	b.Fallback = extensionFallback(b.Wheel, b.Compilers, res.output)
	// Every later step uses PYTI's copy, taken without following a link (the sandbox can change
	// dist/ at any time, or leave a link to a host file there).
	wheel, ok := j.copyOutPath(t.task("build"), b.Wheel, wheels[0], "application/zip")
	if !ok {
		return built{Build: b}, fmt.Errorf("the built wheel %s could not be taken out of the sandbox: not a regular file, or larger than %d bytes", b.Wheel, maxOutputBytes)
	}
	j.checkRecord(ctx, t, "build", wheel, b.Wheel)
	unpacked := filepath.Join(t.work, "build", "wheel-contents")
	if err := j.freshDir(t, "build", unpacked); err != nil {
		return built{Build: b}, err
	}
	layout, err := wheelLayoutOf(ctx, wheel, unpacked)
	if err != nil {
		return built{Build: b}, err
	}
	w := Wheel{Path: wheel, Filename: b.Wheel, Modules: layout.Modules, Layout: layout, Metadata: metadataFromWheel(unpacked)}
	return built{Build: b, Wheel: w}, nil
}

// extensionFallback says, when the build's compilers ran (compilers) and one failed (its error
// in the build's output) while the wheel is still pure Python (abi none, platform any), that
// the package was built without its compiled extension; "" otherwise.
func extensionFallback(wheel string, compilers []string, output string) string {
	if len(compilers) == 0 {
		return ""
	}
	d, err := pkgmeta.ParseDistFilename(wheel)
	if err != nil || !slices.Equal(d.ABITags, []string{"none"}) || !slices.Equal(d.PlatformTags, []string{"any"}) {
		return ""
	}
	for _, line := range splitLines(output) {
		if compilerError.MatchString(line) {
			return fmt.Sprintf("a compiler failed (%s), and the wheel is pure Python (%s): the package was built without its compiled extension", oneLineOf(line), wheel)
		}
	}
	return ""
}

// buildCode is the package's own code that building it (or preparing its metadata) runs: its
// setup.py, unless the backend is one that never runs it (a flit_core project may ship the
// setup.py `flit build --setup-py` wrote for older installers: more-itertools 10.1.0), the
// build hooks file hatchling runs for a custom hook (hatch_build.py), and the build backend it
// ships itself (pyproject.toml's backend-path: frozenlist's packaging/pep517_backend).
func buildCode(src Source) []string {
	var out []string
	backend, _, _ := backendOf(src)
	if exists(filepath.Join(src.Root, "setup.py")) && !noSetupPy[strings.SplitN(backend, ":", 2)[0]] {
		out = append(out, "setup.py")
	}
	if hook := hatchCustomHook(src); hook != "" && backend == "hatchling.build" {
		out = append(out, hook)
	}
	if pp := src.Pyproject; pp != nil && pp.BuildSystem != nil && len(pp.BuildSystem.BackendPath) > 0 {
		out = append(out, fmt.Sprintf("its own build backend %s (backend-path %s)", pp.BuildSystem.BuildBackend, strings.Join(pp.BuildSystem.BackendPath, ", ")))
	}
	if backend == "flit_core.buildapi" || backend == "flit.buildapi" {
		if m, why := flitImports(src); m != "" {
			out = append(out, fmt.Sprintf("%s, with what it imports (flit_core imports it for its %s)", m, why))
		}
	}
	if backend == "setuptools.build_meta" || backend == "setuptools.build_meta:__legacy__" {
		if m, attr := setuptoolsAttrImports(src); m != "" {
			// With what it imports: wrapt 1.15.0's __init__.py imports four modules of the
			// package, which the build's trace shows run.
			out = append(out, fmt.Sprintf("%s, with what it imports (setuptools imports it for its version, `attr: %s`)", m, attr))
		}
	}
	return out
}

// setuptoolsAttrImports is the module file setuptools imports to read the project's version from
// an attribute (setup.cfg's `version = attr: pkg.__version__`, pyproject.toml's
// [tool.setuptools.dynamic] version = {attr = ...}), with that attribute: it reads a literal
// assigned at the module's top from its source, and imports the module when it finds none there
// (distro 1.8.0's `__version__ = __version__`, bound by an import, so the build runs the
// package). "" when it imports nothing.
func setuptoolsAttrImports(src Source) (module, attr string) {
	if data, err := readCapped(filepath.Join(src.Root, "setup.cfg"), 1<<20); err == nil {
		if v := iniValue(string(data), "metadata", "version"); len(v) > 0 {
			attr, _ = strings.CutPrefix(v[0], "attr:")
			if attr == v[0] {
				attr = ""
			}
		}
	}
	if data, err := readCapped(filepath.Join(src.Root, "pyproject.toml"), 1<<20); err == nil && attr == "" {
		var doc struct {
			Tool struct {
				Setuptools struct {
					Dynamic struct {
						Version struct {
							Attr string `toml:"attr"`
						} `toml:"version"`
					} `toml:"dynamic"`
				} `toml:"setuptools"`
			} `toml:"tool"`
		}
		if _, err := toml.Decode(string(data), &doc); err == nil {
			attr = doc.Tool.Setuptools.Dynamic.Version.Attr
		}
	}
	attr = strings.TrimSpace(attr)
	dot := strings.LastIndex(attr, ".")
	if dot <= 0 || dot == len(attr)-1 {
		return "", ""
	}
	mod, name := attr[:dot], attr[dot+1:]
	rel := strings.ReplaceAll(mod, ".", "/")
	for _, cand := range []string{rel + "/__init__.py", rel + ".py", "src/" + rel + "/__init__.py", "src/" + rel + ".py", "lib/" + rel + "/__init__.py", "lib/" + rel + ".py"} {
		text, err := readCapped(filepath.Join(src.Root, filepath.FromSlash(cand)), 4<<20)
		if err != nil {
			continue
		}
		if literalAssignment(name).Match(text) {
			return "", ""
		}
		return cand, attr
	}
	return "", ""
}

// literalAssignment matches a top-level assignment of name to a literal that Python's
// ast.literal_eval reads, as setuptools' StaticModule does before it falls back to importing: a
// string, a number, or a tuple or list of them on one line.
func literalAssignment(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(name) + `\s*(?::[^=\n]*)?=\s*(?:[rRuU]?(?:"[^"\n]*"|'[^'\n]*')|\([^()\n]*\)|\[[^\[\]\n]*\]|[0-9][0-9.]*)\s*(?:#.*)?$`)
}

// flitImports is the module file flit_core imports to read the project's version or summary,
// and which of them: it reads them from the module's source (a literal __version__, the
// docstring), and imports the module when they are dynamic and it finds none there (pathspec
// 0.11.1's __version__ comes from its _meta module, so the build runs the package). "" when it
// imports nothing.
func flitImports(src Source) (module, why string) {
	wantVersion, wantSummary := true, true // the old [tool.flit.metadata]: both from the module
	name := ""
	if pp := src.Pyproject; pp != nil && pp.Project != nil {
		name = pp.Project.Name
		wantVersion, wantSummary = slices.Contains(pp.Project.Dynamic, "version"), slices.Contains(pp.Project.Dynamic, "description")
	}
	data, err := readCapped(filepath.Join(src.Root, "pyproject.toml"), 1<<20)
	if err != nil || !(wantVersion || wantSummary) {
		return "", ""
	}
	var doc struct {
		Tool struct {
			Flit struct {
				Module struct {
					Name string `toml:"name"`
				} `toml:"module"`
				Metadata struct {
					Module string `toml:"module"`
				} `toml:"metadata"`
			} `toml:"flit"`
		} `toml:"tool"`
	}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return "", ""
	}
	mod := strings.ReplaceAll(firstNonEmpty(doc.Tool.Flit.Module.Name, doc.Tool.Flit.Metadata.Module, name), "-", "_")
	if mod == "" {
		return "", ""
	}
	for _, rel := range []string{mod + "/__init__.py", mod + ".py", "src/" + mod + "/__init__.py", "src/" + mod + ".py"} {
		text, err := readCapped(filepath.Join(src.Root, filepath.FromSlash(rel)), 4<<20)
		if err != nil {
			continue
		}
		switch {
		case wantVersion && !literalVersion.Match(text):
			return rel, "version"
		case wantSummary && !leadingDocstring.Match(text):
			return rel, "summary"
		}
		return "", ""
	}
	return "", ""
}

// literalVersion is a module's top-level __version__ given as a string literal, as flit_core
// reads it without importing the module.
var literalVersion = regexp.MustCompile(`(?m)^__version__\s*(?::\s*[\w.]+\s*)?=\s*[rRuU]?["']`)

// leadingDocstring is a module that starts, after comments and blank lines, with a string: its
// docstring.
var leadingDocstring = regexp.MustCompile(`^\x{FEFF}?(?:\s*#[^\n]*\n|\s*\n)*\s*[rRuU]?["']`)

// noSetupPy are build backends that never run a setup.py the sdist holds.
var noSetupPy = map[string]bool{
	"flit_core.buildapi": true, "flit.buildapi": true, "hatchling.build": true, "poetry.core.masonry.api": true,
	"poetry.masonry.api": true, "pdm.backend": true, "pdm.pep517.api": true, "maturin": true,
	"scikit_build_core.build": true, "mesonpy": true, "sipbuild.api": true, "whey": true,
}

// hatchCustomHook is the file of the custom build hook pyproject.toml configures for hatchling
// ([tool.hatch.build.hooks.custom] or a target's, at its path, hatch_build.py by default) when
// the sdist holds it; "" otherwise.
func hatchCustomHook(src Source) string {
	data, err := readCapped(filepath.Join(src.Root, "pyproject.toml"), 1<<20)
	if err != nil {
		return ""
	}
	var doc struct {
		Tool struct {
			Hatch struct {
				Build struct {
					Hooks   map[string]map[string]any `toml:"hooks"`
					Targets map[string]struct {
						Hooks map[string]map[string]any `toml:"hooks"`
					} `toml:"targets"`
				} `toml:"build"`
			} `toml:"hatch"`
		} `toml:"tool"`
	}
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return ""
	}
	custom := []map[string]any{doc.Tool.Hatch.Build.Hooks["custom"]}
	for _, name := range slices.Sorted(maps.Keys(doc.Tool.Hatch.Build.Targets)) {
		custom = append(custom, doc.Tool.Hatch.Build.Targets[name].Hooks["custom"])
	}
	for _, c := range custom {
		if c == nil {
			continue
		}
		file := "hatch_build.py"
		if p, ok := c["path"].(string); ok && p != "" {
			file = p
		}
		if clean := filepath.Clean(filepath.FromSlash(file)); !filepath.IsAbs(clean) && !strings.HasPrefix(clean, "..") && exists(filepath.Join(src.Root, clean)) {
			return filepath.ToSlash(clean)
		}
	}
	return ""
}

// metadataFromWheel reads the built wheel's metadata, which names the project in the report when
// the source said nothing (a setup.py project without PKG-INFO, e.g. a repository's tarball).
func metadataFromWheel(unpacked string) *report.Metadata {
	matches, _ := filepath.Glob(filepath.Join(unpacked, "*.dist-info", "METADATA"))
	if len(matches) != 1 {
		return nil
	}
	f, err := openNoLinks(matches[0])
	if err != nil {
		return nil
	}
	defer f.Close()
	m, err := pkgmeta.ParseCoreMetadata(f, maxMetadataBytes)
	if err != nil {
		return nil
	}
	return reportMetadata(m)
}

// compilerCalls lists the compiler invocations among the executed programs.
func compilerCalls(execs []trace.Event) []string {
	var out []string
	for _, e := range execs {
		if compilers[e.Program()] || strings.HasPrefix(e.Program(), "x86_64-linux-gnu-gcc") {
			cmd := strings.Join(e.Argv, " ")
			if len(cmd) > 500 {
				cmd = cmd[:500] + "…"
			}
			out = append(out, cmd)
			if len(out) >= 200 {
				break
			}
		}
	}
	return out
}

// describe says how a sandboxed run ended, for an error message.
func describe(r *sandbox.Result) string {
	switch r.Outcome {
	case sandbox.OutcomeExit:
		return fmt.Sprintf("exit status %d", r.ExitCode)
	case sandbox.OutcomeKilled:
		return fmt.Sprintf("killed by signal %d", r.Signal)
	default:
		if r.Reason != "" {
			return string(r.Outcome) + ": " + r.Reason
		}
		return string(r.Outcome)
	}
}

// limitHint turns a limit the package hit into the task's verdict hint.
func (j *job) limitHint(t *target, r *sandbox.Result) {
	switch r.Outcome {
	case sandbox.OutcomeTimeout, sandbox.OutcomeNoOutputTimeout:
		j.out.hint(t, report.VerdictTimeout, describe(r))
	case sandbox.OutcomeOOM:
		j.out.hint(t, report.VerdictOOM, describe(r))
	case sandbox.OutcomePids:
		j.out.hint(t, report.VerdictPids, describe(r))
	case sandbox.OutcomeNoSpace:
		j.out.hint(t, report.VerdictNoSpace, describe(r))
	}
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// wheelLayoutOf extracts a built wheel (safely, like any archive) and reads its layout.
func wheelLayoutOf(ctx context.Context, wheel, dest string) (Layout, error) {
	if _, err := archive.Extract(ctx, wheel, dest, archive.DefaultLimits()); err != nil {
		return Layout{}, fmt.Errorf("reading the built wheel: %w", err)
	}
	return wheelLayout(dest), nil
}

// buildCached builds the wheel with PYTI's PEP 517 front end (python/build_wheel.py) on cached
// build environments (see buildEnv). It returns an error wrapping errNoCachedEnv when pip must
// build instead.
func (j *job) buildCached(ctx context.Context, t *target, src Source, tree, dist string, wh Wheelhouse) (*stepResult, error) {
	call := frontendCall{task: t.task("build"), phase: "build", name: "pep517-build", tree: tree, out: dist, wall: j.opts.BuildTimeout}
	if wh.BackendAsked {
		call.asked, call.missing = true, wh.BackendMissing
	}
	res, _, _, err := j.runHooks(ctx, t, src, call, wh.Dir, nil)
	return res, err
}

// frontendCall is one use of PYTI's PEP 517 front end: a wheel built into out, or (metadata) the
// metadata prepared there, in the task's raw data under name, its trace judged as phase.
type frontendCall struct {
	task, phase, name string
	tree, out         string
	metadata          bool
	wall              time.Duration
	// asked: the backend was already asked what it needs (get_requires_for_build_wheel), and
	// missing is what of that the build requirements lack; it is not asked again.
	asked   bool
	missing []string
}

// runHooks runs the front end for call on cached build environments: the build requirements',
// and, when the backend asks for more (get_requires_for_build_wheel), a second one with that, as
// pip installs it into a second prefix. fetchMore, when not nil, first brings what the backend
// asked for into the wheelhouse wh. The result is the backend's answer, success or failure, and
// what it asked for that the build requirements lack (missing); an error wrapping errNoCachedEnv
// means pip must do it instead.
func (j *job) runHooks(ctx context.Context, t *target, src Source, call frontendCall, wh string, fetchMore func([]string) error) (res *stepResult, ans frontendAnswer, missing []string, err error) {
	backend, backendPath, ok := backendOf(src)
	if !ok {
		return nil, ans, nil, fmt.Errorf("%w: pyproject.toml could not be read or its [build-system] has no requires", errNoCachedEnv)
	}
	overlay, err := j.buildEnv(ctx, t, wh, buildRequirements(src))
	if err != nil {
		return nil, ans, nil, err
	}
	prefixes := []*buildPrefix{overlay}
	requiresMet := false
	if call.asked {
		requiresMet, missing = true, call.missing
		if len(missing) > 0 {
			normal, err := j.buildEnv(ctx, t, wh, missing)
			if err != nil {
				return nil, ans, nil, err
			}
			prefixes = append(prefixes, normal)
		}
	}
	for round := 1; ; round++ {
		res, ans, err = j.runFrontend(ctx, t, call, wh, backend, backendPath, prefixes, round, requiresMet)
		if err != nil {
			return nil, ans, nil, err
		}
		switch {
		case ans.Wheel != "" || ans.Metadata != "" || res.res.Outcome != sandbox.OutcomeExit || res.res.ExitCode != 3:
			return res, ans, missing, nil // done, or failed: either way the backend's answer
		case len(ans.Missing) > 0 && len(ans.Conflicting) == 0 && !requiresMet:
			// The backend asked for more (get_requires_for_build_wheel): pip installs that into
			// a second prefix, and so does PYTI.
			if fetchMore != nil {
				if err := fetchMore(ans.Missing); err != nil {
					return nil, ans, nil, err
				}
			}
			normal, err := j.buildEnv(ctx, t, wh, ans.Missing)
			if err != nil {
				return nil, ans, nil, err
			}
			prefixes = append(prefixes, normal)
			requiresMet, missing = true, ans.Missing
		case len(ans.Conflicting) > 0:
			return nil, ans, nil, fmt.Errorf("%w: the backend asks for %s, which conflicts with the build requirements", errNoCachedEnv, strings.Join(ans.Conflicting, ", "))
		case ans.Unsupported != "":
			return nil, ans, nil, fmt.Errorf("%w: %s", errNoCachedEnv, ans.Unsupported)
		default:
			return nil, ans, nil, fmt.Errorf("%w: the front end gave no answer (%s)", errNoCachedEnv, lastLine(res.output))
		}
	}
}

// frontendAnswer is what python/build_wheel.py writes to its result file.
type frontendAnswer struct {
	Wheel       string   `json:"wheel"`
	Metadata    string   `json:"metadata"`
	Missing     []string `json:"missing"`
	Conflicting []string `json:"conflicting"`
	Unsupported string   `json:"unsupported"`
	// TestsRequire is setup.py's tests_require, as the metadata's preparation read it.
	TestsRequire []string `json:"tests_require"`
}

// runFrontend runs python/build_wheel.py once, traced, with the given environments bound, and
// pip's own runs offline from the wheelhouse (see offlinePip).
func (j *job) runFrontend(ctx context.Context, t *target, call frontendCall, wheelhouse, backend string, backendPath []string, prefixes []*buildPrefix, round int, requiresMet bool) (*stepResult, frontendAnswer, error) {
	type prefixSpec struct {
		LibDirs []string `json:"lib_dirs"`
		BinDir  string   `json:"bin_dir"`
	}
	result := filepath.Join(t.work, call.phase, fmt.Sprintf("frontend-%d.json", round))
	spec := struct {
		Pip         string       `json:"pip"`
		Source      string       `json:"source"`
		WheelDir    string       `json:"wheel_dir,omitempty"`
		MetadataDir string       `json:"metadata_dir,omitempty"`
		Backend     string       `json:"backend"`
		BackendPath []string     `json:"backend_path"`
		Prefixes    []prefixSpec `json:"prefixes"`
		// RequiresMet: the backend was asked what it needs (an earlier round, or the
		// metadata's preparation) and that environment is added; it is not asked again (pip
		// asks once).
		RequiresMet bool   `json:"requires_met"`
		Result      string `json:"result"`
	}{Pip: j.pip(ctx, t), Source: j.in(call.tree), Backend: backend, BackendPath: backendPath,
		RequiresMet: requiresMet, Result: j.in(result)}
	if call.metadata {
		spec.MetadataDir = j.in(call.out)
	} else {
		spec.WheelDir = j.in(call.out)
	}
	var binds []sandbox.Bind
	for i, p := range prefixes {
		inside := insideBuildEnv + "/" + []string{"overlay", "normal"}[i]
		ps := prefixSpec{BinDir: inside + "/" + p.binDir}
		for _, l := range p.libDirs {
			ps.LibDirs = append(ps.LibDirs, inside+"/"+l)
		}
		spec.Prefixes = append(spec.Prefixes, ps)
		binds = append(binds, sandbox.Bind{Src: p.host, Dst: inside})
	}
	data, err := json.Marshal(spec)
	if err != nil {
		return nil, frontendAnswer{}, err
	}
	name := call.name
	if round > 1 {
		name = fmt.Sprintf("%s-%d", call.name, round)
	}
	res, err := j.run(ctx, step{t: t, task: call.task, name: name, phase: call.phase, dir: j.in(call.tree), wall: call.wall,
		readOnly: binds, argv: []string{t.python, "-I", script("build_wheel.py"), string(data)}, env: offlinePip(j.in(wheelhouse))})
	if err != nil {
		return nil, frontendAnswer{}, err
	}
	var ans frontendAnswer
	if raw, err := j.readOut(t, call.phase, result, 1<<20); err == nil {
		_ = json.Unmarshal(raw, &ans) // no answer: the front end failed, and its output says why
	}
	return res, ans, nil
}
