package tasks

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
)

// Bounds of the import check (python/import_modules.py).
const (
	// importPerModule bounds one module's import; a module that takes longer is a timeout.
	importPerModule = 120 * time.Second
	// importGrace is how long PYTI waits, after an import, for the threads and processes it
	// started (a payload in a daemon thread or a forked daemon).
	importGrace = 10 * time.Second
	// importSweep bounds the sweep of one package's other modules.
	importSweep = 60 * time.Second
	// importMargin is the step's time kept for the check's own ending.
	importMargin = 10 * time.Second
)

// importModules imports what the wheel ships, each in a fresh interpreter, before any test
// dependency is added to the environment: an undeclared dependency fails here. Every module
// importable by name decides the outcome; code whose name is not importable is imported by its
// location, and the packages' other modules are swept, so that code the package does not import
// itself runs under the trace too. A module that missed another is imported a second time with
// stand-ins for missing modules: the code after that import runs, and the missing declaration
// is still the result.
func (j *job) importModules(ctx context.Context, d *dag.Data, t *target) (*report.Import, error) {
	w, _ := t.kWheel.Get(d)
	env, _ := t.kEnv.Get(d)
	dir := filepath.Join(t.work, "import")
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return nil, err
	}
	l := w.Layout
	if l.Modules == nil && len(w.Modules) > 0 {
		l.Modules = w.Modules
	}
	imp := &report.Import{Modules: []report.Module{}, Pth: l.Pth}
	budget := max(j.opts.ImportTimeout-importMargin, 5*time.Second)
	perModule := min(importPerModule, budget)
	spec, err := json.Marshal(map[string]any{
		"site": j.in(env.SitePackages), "modules": nonNil(l.Modules), "extensions": nonNil(l.Extensions), "by_location": nonNil(l.ByLocation),
		"submodules": nonNil(l.Submodules), "budget": budget.Seconds(), "per_module": perModule.Seconds(),
		"grace": importGrace.Seconds(), "sweep": importSweep.Seconds(),
	})
	if err != nil {
		return imp, err
	}
	// The tests add their dependencies to the environment beside this check, which must not see
	// them: it reads a copy of the environment as the install left it (its files links to the
	// same ones), shown in the environment's place, and hands the environment on once it has
	// it. What the check writes (bytecode, whatever an import writes) goes to the copy.
	over, err := j.importCopy(t, env)
	if err != nil {
		// The check reads the environment itself, and the tests wait for it to end.
		j.log.Warn("the import check reads the environment itself: no copy", "err", err)
	} else {
		t.kEnvReleased.Publish(d, true)
	}
	// Even with nothing to import the interpreter starts: the .pth files run.
	res, err := j.run(ctx, step{t: t, task: t.task("import"), name: "import", phase: "import", dir: j.in(dir), wall: j.opts.ImportTimeout,
		site: j.in(env.SitePackages), over: over, argv: []string{j.in(env.Python), "-I", script("import_modules.py"), string(spec)}})
	if err != nil {
		return imp, err
	}
	imp.Phase = res.phase
	j.limitHint(t, res.res)
	imp.Modules = parseImportLines(res.res.Stdout)
	if ran := importRan(imp.Modules, l.Pth); ran != "" {
		j.out.codeRan(ran)
	}
	if fs := standInFindings(imp.Modules); len(fs) > 0 {
		for i := range fs {
			if t.cell >= 0 {
				fs[i].Image = t.img.Name
			}
		}
		j.out.finding(fs...)
	}
	var requires []string
	if w.Metadata != nil {
		requires = w.Metadata.RequiresDist
	}
	out := judgeImport(l, imp.Modules, perModule, requires)
	if res.res.Outcome == sandbox.OutcomeTimeout || res.res.Outcome == sandbox.OutcomeNoOutputTimeout {
		out.timeout = "import: the import step did not end (" + describe(res.res) + ")"
	}
	if out.timeout != "" {
		j.out.hint(t, report.VerdictTimeout, out.timeout)
		return imp, fmt.Errorf("%s", out.timeout)
	}
	if out.failed != "" {
		return imp, fmt.Errorf("%s", out.failed)
	}
	if got, want := countHow(imp.Modules, "name")+countHow(imp.Modules, "extension"), len(l.Modules)+len(l.Extensions); got < want {
		return imp, fmt.Errorf("the import check ended early (%s) after %d of %d modules", describe(res.res), got, want)
	}
	if out.nothing != "" {
		imp.Nothing = out.nothing
		imp.Phase.Outcome, imp.Phase.Reason = "nothing-to-import", out.nothing
	}
	return imp, nil
}

// importCopy makes the import check's copy of env (see linkTree) and returns the bind that shows
// it in the environment's place.
func (j *job) importCopy(t *target, env Environment) ([]sandbox.Bind, error) {
	cp := filepath.Join(t.work, "import-venv")
	if err := j.realDir(t, "import", env.Venv); err != nil {
		return nil, err
	}
	if err := linkTree(env.Venv, cp); err != nil {
		if rerr := os.RemoveAll(cp); rerr != nil {
			return nil, fmt.Errorf("%w; removing the partial copy: %w", err, rerr)
		}
		return nil, fmt.Errorf("copying the environment for the import check: %w", err)
	}
	return []sandbox.Bind{{Src: cp, Dst: j.in(env.Venv)}}, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// importLine is one line of python/import_modules.py's output.
type importLine struct {
	Name       string               `json:"name"`
	Kind       string               `json:"kind"`
	OK         bool                 `json:"ok"`
	Error      string               `json:"error"`
	Missing    *string              `json:"missing"`
	TimedOut   bool                 `json:"timed_out"`
	Skipped    string               `json:"skipped"`
	Seconds    float64              `json:"seconds"`
	StandIns   []string             `json:"stand_ins"`
	Calls      []string             `json:"stand_in_calls"`
	Imported   int                  `json:"imported"`
	StoppedAt  string               `json:"stopped_at"`
	Failed     []report.ModuleError `json:"failed"`
	StandInRun *importLine          `json:"stand_in_pass"`
	background
}

// background is what an import left running (see python/import_modules.py).
type background struct {
	Threads        int     `json:"threads_after_import"`
	ThreadsLeft    int     `json:"threads_left"`
	ThreadsWaited  float64 `json:"waited_s"`
	Processes      int     `json:"processes_after_import"`
	ProcessesLeft  int     `json:"processes_left"`
	ProcessWaitedS float64 `json:"processes_waited_s"`
}

func (b background) report() *report.Background {
	if b.Threads == 0 && b.Processes == 0 {
		return nil
	}
	return &report.Background{Threads: b.Threads, ThreadsLeft: b.ThreadsLeft, ThreadsWaitedS: b.ThreadsWaited,
		Processes: b.Processes, ProcessesLeft: b.ProcessesLeft, ProcessWaitedS: b.ProcessWaitedS}
}

// parseImportLines reads the check's JSON lines; a line that is not one (the package printed
// something) is skipped.
func parseImportLines(stdout []byte) []report.Module {
	mods := []report.Module{}
	for _, line := range splitLines(string(stdout)) {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var m importLine
		if err := json.Unmarshal([]byte(line), &m); err != nil || m.Name == "" || m.Kind == "" {
			continue
		}
		mod := report.Module{Name: m.Name, OK: m.OK, Error: m.Error, How: m.Kind, TimedOut: m.TimedOut, Skipped: m.Skipped,
			Seconds: m.Seconds, Background: m.background.report(), Swept: m.Imported, SweepFailed: m.Failed, StoppedAt: m.StoppedAt}
		if m.Missing != nil {
			mod.Missing = *m.Missing
		}
		if m.Kind != "name" {
			mod.StandIns, mod.StandInCalls = m.StandIns, m.Calls
		}
		if s := m.StandInRun; s != nil {
			mod.StandInPass = &report.StandInPass{OK: s.OK, Error: s.Error, StandIns: s.StandIns, StandInCalls: s.Calls, TimedOut: s.TimedOut, Background: s.background.report()}
		}
		mods = append(mods, mod)
	}
	return mods
}

// importOutcome is what the import check's results mean.
type importOutcome struct {
	// timeout names the module whose import never ended (the verdict timeout).
	timeout string
	// failed says which module importable by name did not import (the verdict import-failed).
	failed string
	// nothing says why no module is importable by name (the verdict nothing-to-import).
	nothing string
}

// notAModule is Python's refusal of a shared library that defines no module: one the package
// loads with ctypes, which an extension module's file name does not tell apart.
const notAModule = "does not define module export function"

// judgeImport decides what the attempts mean: only modules importable by name decide, the
// extension modules inside the packages among them, unless the file is no module at all
// (notAModule) or not one for this interpreter (a wheel that ships a cpython-38 build alone:
// Python finds no module by that name); code imported by location and the sweep are reported,
// never a failure of the package's import.
func judgeImport(l Layout, mods []report.Module, perModule time.Duration, requires []string) importOutcome {
	var o importOutcome
	failed, total := 0, 0
	first := ""
	// A module that needs what only an extra of the package declares (Paste 3.5.3's
	// paste.flup_session needs flup, its extra `Flup`) is an optional part: installed without
	// the extra, it is expected not to import. Such modules count apart, and fail the import only
	// when no module imported.
	var optional []string
	for _, m := range mods {
		if m.How != "name" && m.How != "" && m.How != "extension" {
			continue
		}
		if m.How == "extension" && !m.OK && (strings.Contains(m.Error, notAModule) || m.Missing == m.Name) {
			continue
		}
		total++
		if m.TimedOut && o.timeout == "" {
			o.timeout = fmt.Sprintf("import: importing %s did not end within %s", m.Name, perModule)
		}
		if !m.OK {
			if extra := extraProviding(m.Missing, requires, nil); m.Missing != "" && extra != "" && !m.TimedOut && m.How == "name" {
				optional = append(optional, fmt.Sprintf("%s needs %s, which only the package's extra `%s` declares", m.Name, m.Missing, extra))
				continue
			}
			failed++
			if first == "" {
				first = importError(m, l.Modules)
			}
		}
	}
	if failed == 0 && len(optional) > 0 && len(optional) == total {
		failed, first, optional = len(optional), optional[0], optional[1:]
	}
	if failed > 0 {
		o.failed = fmt.Sprintf("%d of %d modules do not import: %s", failed, total, first)
		if len(optional) > 0 {
			if len(optional) > 3 {
				optional = append(optional[:3], fmt.Sprintf("%d more", len(optional)-3))
			}
			o.failed += fmt.Sprintf(" (and, as expected without the package's extras: %s)", strings.Join(optional, "; "))
		}
	}
	if len(l.Modules) == 0 {
		o.nothing = l.Why
		if len(l.ByLocation) > 0 {
			var ran []string
			for _, m := range mods {
				if m.How == "location" {
					state := "imported"
					if !m.OK {
						state = "failed: " + lastErrorLine(m.Error)
					}
					ran = append(ran, m.Name+" ("+state+")")
				}
			}
			o.nothing = "no module is importable by name; PYTI imported by file location what a name cannot reach: " + strings.Join(ran, ", ")
		}
		if o.nothing == "" {
			o.nothing = "the wheel provides no importable module"
		}
	}
	return o
}

// importError says why a module did not import, and what its second import with stand-ins did.
func importError(m report.Module, own []string) string {
	msg := m.Name + ": " + lastErrorLine(m.Error)
	if m.Missing != "" {
		msg = fmt.Sprintf("%s needs %s, which is not installed (an undeclared dependency?)", m.Name, m.Missing)
		if dep := failingProject(m.Error, append([]string{m.Name}, own...)); dep != "" {
			// Another installed project's import failed: its metadata lacks the requirement.
			msg = fmt.Sprintf("%s imports %s, which needs %s, which is not installed (a dependency %s does not declare?)", m.Name, dep, m.Missing, dep)
		}
	}
	if s := m.StandInPass; s != nil {
		if !s.OK && len(s.StandIns) == 0 {
			// Stand-ins are given to the package's own imports only, never to other projects'.
			msg += "; no import of its own code was missing, so stand-ins could not help"
		} else if s.OK {
			msg += fmt.Sprintf("; with stand-ins for %s its import ran to the end", strings.Join(s.StandIns, ", "))
		} else {
			msg += fmt.Sprintf("; with stand-ins for %s it still failed: %s", strings.Join(s.StandIns, ", "), lastErrorLine(s.Error))
		}
	}
	return msg
}

// tracebackFile finds the files of a traceback's frames.
var tracebackFile = regexp.MustCompile(`File "([^"]+)", line \d+`)

// failingProject is the package of another project, in site-packages, whose code the
// traceback's last frame ran: "urllib3" for .../site-packages/urllib3/exceptions.py, and, below
// a namespace one of own's modules shares, the portion ("zope.i18nmessageid" for
// .../zope/i18nmessageid/message.py, beside zope.size 5.0). "" when that frame is elsewhere, or
// in one of own's modules (dotted names).
func failingProject(traceback string, own []string) string {
	frames := tracebackFile.FindAllStringSubmatch(traceback, -1)
	if len(frames) == 0 {
		return ""
	}
	_, rest, ok := strings.Cut(frames[len(frames)-1][1], "/site-packages/")
	if !ok {
		return ""
	}
	parts := strings.Split(strings.TrimSuffix(strings.TrimSuffix(rest, ".py"), "/__init__"), "/")
	module := strings.Join(parts, ".")
	for _, o := range own {
		if module == o || strings.HasPrefix(module, o+".") {
			return ""
		}
	}
	// The shortest leading part that is no namespace above one of own's modules.
	for k := 1; k <= len(parts); k++ {
		prefix := strings.Join(parts[:k], ".")
		if !slices.ContainsFunc(own, func(o string) bool { return strings.HasPrefix(o, prefix+".") }) {
			return prefix
		}
	}
	return module
}

func lastErrorLine(s string) string {
	lines := tail(s, 1)
	if len(lines) == 0 {
		return ""
	}
	return lines[0]
}

func countHow(mods []report.Module, how string) int {
	n := 0
	for _, m := range mods {
		if m.How == how {
			n++
		}
	}
	return n
}

// importRan says what of the package's code the import check ran ("" for nothing).
func importRan(mods []report.Module, pth []string) string {
	byName, exts, byLoc, swept, sweptFailed := 0, 0, 0, 0, 0
	var standIns []string
	for _, m := range mods {
		if m.Skipped != "" {
			continue
		}
		switch m.How {
		case "location":
			byLoc++
		case "sweep":
			swept += m.Swept
			sweptFailed += len(m.SweepFailed)
		case "extension":
			exts++
		default:
			byName++
		}
		standIns = append(standIns, m.StandIns...)
		if m.StandInPass != nil {
			standIns = append(standIns, m.StandInPass.StandIns...)
		}
	}
	var parts []string
	if byName > 0 {
		parts = append(parts, fmt.Sprintf("%d by name", byName))
	}
	if exts > 0 {
		parts = append(parts, plural(exts, "extension module")+" inside the packages")
	}
	if byLoc > 0 {
		parts = append(parts, fmt.Sprintf("%d by file location", byLoc))
	}
	if swept+sweptFailed > 0 {
		// The modules that did not import are said too (mkdocs' two under a stand-in for babel,
		// testfixtures' seventeen under one for mock): the count alone read as all of them.
		part := plural(swept, "other module") + " swept"
		if sweptFailed > 0 {
			part += fmt.Sprintf(", %d that did not import", sweptFailed)
		}
		parts = append(parts, part)
	}
	out := ""
	if len(parts) > 0 {
		out = "import (" + strings.Join(parts, ", ") + ")"
		if standIns = outermost(standIns); len(standIns) > 0 {
			out += " with stand-ins for modules not installed: " + strings.Join(standIns, ", ")
		}
	}
	if len(pth) > 0 {
		if out != "" {
			out += "; "
		}
		out += ".pth files at every interpreter start (" + strings.Join(pth, ", ") + ")"
	}
	return out
}

// outermost lists each name once, leaving out a name under another listed one
// ("requests.adapters" under "requests"); a submodule whose parent is not listed stays whole:
// "zope.event", a portion of namespace package zope, is not "zope".
func outermost(names []string) []string {
	var out []string
	for _, n := range names {
		under := slices.Contains(out, n)
		for _, m := range names {
			if strings.HasPrefix(n, m+".") {
				under = true
			}
		}
		if !under {
			out = append(out, n)
		}
	}
	return out
}

// urlArgument finds a URL among the arguments of a call on a stand-in.
var urlArgument = regexp.MustCompile(`(?i)\b(https?|ftp|wss?)://[^\s'",)]+`)

// standInFindings report the URLs that import-time code passed to a missing module's stand-in:
// what it would have fetched or sent to, had the module been installed. The trace cannot show
// those (nothing was sent), so the calls are the evidence.
func standInFindings(mods []report.Module) []report.Finding {
	var out []report.Finding
	for _, m := range mods {
		calls := m.StandInCalls
		if m.StandInPass != nil {
			calls = append(slices.Clone(calls), m.StandInPass.StandInCalls...)
		}
		var ev []report.Evidence
		for _, c := range calls {
			if u := urlArgument.FindString(c); u != "" && len(ev) < 10 {
				ev = append(ev, report.Evidence{Kind: "stand-in-call", Detail: c})
			}
		}
		if len(ev) == 0 {
			continue
		}
		out = append(out, report.Finding{Source: "behavior", Phase: "import", RuleID: "import-url-via-missing-module", Severity: report.SeverityMedium,
			Title: "Import-time call to a URL through a missing module",
			Message: fmt.Sprintf("Importing %s called a module that is not installed with a URL (%s); PYTI gave it a stand-in, so nothing was sent.",
				m.Name, urlArgument.FindString(ev[0].Detail)),
			Count: len(ev), Evidence: ev})
	}
	return out
}
