package tasks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/behavior"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/jobfs"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/testresult"
	"github.com/pyti/pyti/internal/trace"
)

// indexPort is where the index proxy appears inside the fetch sandbox.
const indexPort = 3141

// Where the job's directories appear inside the sandbox.
const (
	insideWork    = sandbox.WorkPath   // the writable work space
	insideSrc     = "/src"             // the pristine source tree, read-only
	insideScripts = "/run/pyti-python" // PYTI's Python helpers, read-only
	insideDist    = "/run/pyti-dist"   // a distribution file from outside the job, read-only
)

// offlinePip is the environment of a step whose pip installs or builds offline from the
// wheelhouse (wheelhouse, as the sandbox sees it): what pip starts of its own (setuptools'
// setup_requires, which a legacy sdist dependency such as execnet 1.9 declares, runs
// `pip wheel` for them) looks in the wheelhouse too, where the fetch put them, instead of
// reaching for an index the sandbox cannot reach.
func offlinePip(wheelhouse string) []string {
	return []string{"PIP_NO_INDEX=1", "PIP_FIND_LINKS=" + wheelhouse}
}

// in maps a host path below the job's work space or source tree to the path the sandbox sees.
// Other paths (the system's, like the interpreter) are the same inside.
func (j *job) in(host string) string {
	for _, m := range [][2]string{{j.work, insideWork}, {j.src, insideSrc}, {j.scripts, insideScripts}} {
		if host == m[0] {
			return m[1]
		}
		if rel, ok := strings.CutPrefix(host, m[0]+string(filepath.Separator)); ok {
			return m[1] + "/" + filepath.ToSlash(rel)
		}
	}
	return host
}

// step is one command run in the sandbox.
type step struct {
	t     *target // the environment it runs in; nil for the host system (shared tasks)
	task  string  // the task it belongs to: raw data goes to raw/<task>/
	name  string  // the step within the task: file names of its raw data
	phase string  // the behaviour phase judging its trace; "" to not trace it
	// when says, for a finding's message, when its behaviour happened, if the phase's words
	// (phaseWords) do not: the test phase also installs the test dependencies.
	when string
	argv []string
	env  []string
	dir  string
	wall time.Duration
	// cpu is the CPU time the step may use (none when zero); wall then only bounds a starved run.
	cpu time.Duration
	// quiet says the step may print nothing until it ends (pylint over a large package, at a low
	// priority beside the tests): only its wall limit ends it, not the no-output one.
	quiet bool
	// indexSock is the unix socket of an index proxy to bridge into the sandbox ("" for none).
	indexSock string
	// site is the environment's site-packages inside the sandbox, for the rules ($SITE).
	site string
	// testDepsOf is, for the step that installs the test dependencies, the normalised name of
	// the package under test: a .pth that another distribution installed is a test
	// dependency's (see vetPthWrite).
	testDepsOf string
	// dir, argv and env use paths inside the sandbox (see job.in); readOnly are extra binds.
	readOnly []sandbox.Bind
	// over are read-write binds that show a copy in place of a directory of the work space
	// (sandbox.Spec.Over).
	over []sandbox.Bind
}

// stepResult is what a step did.
type stepResult struct {
	res   *sandbox.Result
	phase report.Phase
	execs []trace.Event
	// traced says the step ran traced; then extensions are the base names of the compiled
	// extension modules (.so, .pyd) its processes opened, once each.
	traced     bool
	extensions map[string]bool
	// output is stdout followed by stderr, as kept.
	output string
	// outside are the times at which a traced process connected or sent to another machine's
	// address (see outsideTouches).
	outside []time.Time
	// bound are the ports a traced process bound a socket to, and refused the connections to
	// this machine's servers that failed, once each (see Run.ServicesNotRunning).
	bound   map[int]bool
	refused []testresult.LocalRefusal
}

// A step's timing has one owner, the sandbox: Result.Wall (the supervisor's clock, from the
// launcher's start to the end of the run), Result.CPU and Result.PeakMemory (the run's cgroup).
// run turns them into the step's report.Phase, and a phase made of several steps combines those
// figures (sideBySide); no task starts a clock of its own around a step. The task's own time,
// host work included, is the task graph's (run.tasks[].wall_ms).

// ok reports whether the command ran and exited 0.
func (r *stepResult) ok() bool { return r.res.Outcome == sandbox.OutcomeOK }

// run runs s, keeps its output and trace as raw data, judges the trace and records the findings.
func (j *job) run(ctx context.Context, s step) (*stepResult, error) {
	o := j.opts
	taskRaw := filepath.Join(j.raw, s.task)
	if err := os.MkdirAll(taskRaw, 0o755); err != nil {
		return nil, err
	}
	spec := sandbox.Spec{
		Argv: s.argv,
		// NETRC: pip's own credential lookup must not read the decoy ~/.netrc (code that opens it
		// by name still does, and is reported).
		Env:     append([]string{"NETRC=/dev/null", "PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_CONFIG_FILE=/dev/null", "PIP_NO_INPUT=1", "PIP_CACHE_DIR=" + insideWork + "/pip-cache"}, s.env...),
		Dir:     s.dir,
		WorkDir: j.work,
		ReadOnly: append([]sandbox.Bind{
			{Src: j.src, Dst: insideSrc},
			{Src: j.scripts, Dst: insideScripts},
		}, s.readOnly...),
		Over:   s.over,
		Limits: o.stepLimits(s.wall, s.cpu, s.quiet),
		Trace:  s.phase != "" && !o.NoTrace,
	}
	if spec.Trace {
		spec.TracePath = filepath.Join(taskRaw, s.name+".strace")
	}
	if s.t != nil {
		spec.Image = s.t.img.Root
		if s.t.pipHost != "" {
			spec.ReadOnly = append(spec.ReadOnly, sandbox.Bind{Src: s.t.pipHost, Dst: insidePip})
		}
	}
	if s.indexSock != "" {
		spec.IndexSocket = s.indexSock
		spec.IndexPort = indexPort
	}
	started := time.Now()
	res, err := o.Backend.Run(ctx, spec)
	if err != nil {
		if errors.Is(err, sandbox.ErrInfrastructure) && ctx.Err() == nil {
			// PYTI's sandbox failed, not the package: the verdict is error (retried), never the
			// failure of the task it happened in. A run that was stopped on purpose (the early
			// lint when the wheel differs, the job's end) failed because it was stopped.
			j.out.hint(s.t, report.VerdictError, fmt.Sprintf("%s: %v", s.name, err))
		}
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	dag.AddUsage(ctx, dag.Usage{CPU: res.CPU, PeakRSS: res.PeakMemory})
	out := &stepResult{res: res, output: string(res.Stdout) + string(res.Stderr)}
	out.phase = report.Phase{
		Outcome: string(res.Outcome), ExitCode: res.ExitCode, Reason: res.Reason,
		WallMS: ms(res.Wall), CPUMS: ms(res.CPU), PeakMemory: res.PeakMemory, Command: s.argv,
	}
	j.keep(s.task, s.name+".stdout.txt", res.Stdout, res.StdoutDropped)
	j.keep(s.task, s.name+".stderr.txt", res.Stderr, res.StderrDropped)
	if spec.Trace {
		if err := j.judge(s, spec.TracePath, res, out); err != nil {
			return nil, err
		}
		j.addArtifactFile(s.task, s.name+".strace", spec.TracePath, "text/plain")
	}
	// Where a task's time goes, step by step: the run itself (the sandbox's clock) and, after
	// it, reading its output and judging its trace.
	j.log.Debug("step", "task", s.task, "step", s.name, "outcome", res.Outcome, "traced", spec.Trace,
		"wall_ms", ms(res.Wall), "cpu_ms", ms(res.CPU), "total_ms", ms(time.Since(started)))
	return out, nil
}

// judge parses the trace of a step and applies the behaviour rules to it, with the DNS queries
// PYTI's resolver saw.
func (j *job) judge(s step, tracePath string, res *sandbox.Result, out *stepResult) error {
	ctx := behavior.EvalContext{
		Phase:    s.phase,
		Home:     sandbox.Home,
		WorkDirs: []string{insideWork, insideSrc, insideScripts},
	}
	if s.site != "" {
		ctx.SitePackages = []string{s.site}
	}
	if s.indexSock != "" {
		ctx.IndexBridge = fmt.Sprintf("127.0.0.1:%d", indexPort)
	}
	ev, err := behavior.NewEvaluator(ctx, j.opts.Rules)
	if err != nil {
		return fmt.Errorf("behaviour rules: %w", err)
	}
	f, err := os.Open(tracePath)
	if err != nil {
		return fmt.Errorf("reading the trace: %w", err)
	}
	defer f.Close()
	// The backend says which traced processes are the sandbox's own (res.TraceSetup): the
	// parser leaves them out of the events, the process list and the summary.
	out.traced, out.extensions, out.bound = true, map[string]bool{}, map[int]bool{}
	refused, boundPaths := map[string]testresult.LocalRefusal{}, map[string]bool{}
	tr, err := trace.Parse(f, trace.Options{Cwd: s.dir, Setup: res.TraceSetup, OnEvent: func(e trace.Event) {
		ev.Add(e)
		if e.Kind == trace.KindExec && !e.Failed() && len(out.execs) < 10000 {
			out.execs = append(out.execs, e)
		}
		if e.Kind == trace.KindFileRead && !e.Failed() && isExtensionModule(e.Path) && len(out.extensions) < 10000 {
			out.extensions[filepath.Base(e.Path)] = true
		}
		if (e.Kind == trace.KindConnect || e.Kind == trace.KindSend) && outsideAddress(e) && len(out.outside) < 100000 {
			out.outside = append(out.outside, e.Time)
		}
		if e.Kind == trace.KindBind && !e.Failed() && e.Port > 0 {
			out.bound[e.Port] = true
		}
		if e.Kind == trace.KindBind && !e.Failed() && e.Family == "AF_UNIX" {
			boundPaths[e.Address] = true
		}
		if r, ok := localRefusal(e); ok && len(refused) < 1000 {
			refused[r.Endpoint] = r
		}
	}})
	if err != nil {
		return fmt.Errorf("parsing the trace: %w", err)
	}
	for _, r := range refused {
		if !boundPaths[r.Path] {
			out.refused = append(out.refused, r)
		}
	}
	slices.SortFunc(out.refused, func(a, b testresult.LocalRefusal) int { return strings.Compare(a.Endpoint, b.Endpoint) })
	for _, q := range res.DNSQueries {
		ev.Add(trace.NewDNSEvent(q.Time, 0, q.Name, q.Type, q.Answer))
	}
	// The ioctl calls the sandbox watched outside strace (sandbox.IoctlCall) are the trace's too.
	for _, c := range res.Ioctls {
		ev.Add(c.Event(tr))
	}
	sum := tr.Summary
	beh := &report.Behavior{
		Events: tr.Total + len(res.Ioctls), EventsDropped: int64(tr.Dropped) + res.TraceDropped + res.IoctlsDropped,
		FilesRead: len(sum.FilesRead) + sum.FilesReadMore, FilesWritten: len(sum.FilesWritten) + sum.FilesWrittenMore,
		Processes: len(tr.Processes), Executed: capList(sum.Commands, 200),
	}
	for _, n := range sum.Network {
		beh.NetworkAttempts = append(beh.NetworkAttempts, fmt.Sprintf("%s %s (%d, %d failed)", n.Kind, n.Endpoint, n.Count, n.Failed))
	}
	for _, q := range res.DNSQueries {
		beh.DNSQueries = append(beh.DNSQueries, q.Name+" "+q.Type)
	}
	for _, c := range res.Contacts {
		beh.Contacts = append(beh.Contacts, behavior.Summarize(c))
	}
	beh.ContactsDropped = res.ContactsDropped
	out.phase.Behavior = beh
	var findings []report.Finding
	found := append(ev.Findings(), behavior.ContactFindings(s.phase, res.Contacts, res.ContactsDropped)...)
	for _, f := range append(found, behavior.DNSDataFindings(s.phase, res.DNSQueries)...) {
		if f.RuleID == "pth-file-written" && s.site != "" {
			f = j.vetPthWrite(s.site, s.testDepsOf, f)
		}
		rf := behaviorFinding(s.phase, s.when, f)
		if s.t != nil && s.t.cell >= 0 {
			rf.Image = s.t.img.Name
		}
		findings = append(findings, rf)
	}
	j.out.finding(findings...)
	return nil
}

// behaviorFinding is f as the report shows it, its message led by when it happened: when, or
// the phase's words when that is "".
func behaviorFinding(phase, when string, f behavior.Finding) report.Finding {
	if when == "" {
		when = phaseLead(phase)
	}
	rf := report.Finding{Source: "behavior", Phase: phase, RuleID: f.RuleID, Severity: f.Severity,
		Title: f.Title, Message: led(when, f.Message), Count: f.Count, Outcome: f.Outcome}
	for _, e := range f.Evidence {
		res := e.Result
		if e.Errno != "" {
			res = e.Result + " " + e.Errno
		}
		rf.Evidence = append(rf.Evidence, report.Evidence{Kind: string(e.Kind), Time: e.Time, PID: e.PID,
			PPID: e.PPID, Program: e.Comm, Syscall: e.Syscall, Detail: e.Subject(), Result: strings.TrimSpace(res)})
	}
	return rf
}

// keep writes raw output of a step and records it as an artifact.
func (j *job) keep(task, name string, data []byte, dropped int64) {
	if len(data) == 0 && dropped == 0 {
		return
	}
	path := filepath.Join(j.raw, task, name)
	body := data
	if dropped > 0 {
		body = append(append([]byte(nil), data...), fmt.Sprintf("\n[PYTI: %d bytes of output dropped between head and tail]\n", dropped)...)
	}
	if err := os.WriteFile(path, body, 0o644); err != nil {
		j.log.Warn("keeping raw data", "file", path, "err", err)
		return
	}
	j.addArtifactFile(task, name, path, "text/plain")
}

// addArtifactFile records a file below the job directory as raw data of task.
func (j *job) addArtifactFile(task, name, path, mediaType string) {
	f, err := openNoLinks(path)
	if err != nil {
		return
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return
	}
	rel, err := filepath.Rel(j.dir, path)
	if err != nil {
		return
	}
	j.out.artifact(report.Artifact{Task: task, Name: name, Path: filepath.ToSlash(rel),
		Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), MediaType: mediaType})
}

// copyOut copies a file the sandbox wrote into the task's raw data, without following a link and
// only a regular file up to maxOutputBytes (a refusal is a finding: see refusedOutput).
func (j *job) copyOut(task, name, src, mediaType string) bool {
	_, ok := j.copyOutPath(task, name, src, mediaType)
	return ok
}

// copyOutPath is copyOut returning the copy's path: the file later steps must use, since the
// sandbox can change the original at any time.
func (j *job) copyOutPath(task, name, src, mediaType string) (string, bool) {
	dst := filepath.Join(j.raw, task, name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", false
	}
	if _, err := jobfs.CopyFile("/", src, dst, maxOutputBytes); err != nil {
		phase, _, _ := strings.Cut(task, "@")
		j.refusedOutput(j.targetOf(task), phase, src, err)
		return "", false
	}
	j.addArtifactFile(task, name, dst, mediaType)
	return dst, true
}

// targetOf is the target a task name belongs to (nil for a shared task).
func (j *job) targetOf(task string) *target {
	phase, _, _ := strings.Cut(task, "@")
	for _, t := range j.targets {
		if t.task(phase) == task {
			return t
		}
	}
	return nil
}

// sideBySide is the timing of a phase whose steps ran side by side (started together, as lint
// runs its tools), from the sandbox's figures: the longest wall, the CPU summed and the highest
// peak memory (each step has a cgroup of its own).
func sideBySide(steps []*stepResult) report.Phase {
	var wall, cpu time.Duration
	var peak int64
	for _, s := range steps {
		wall, cpu, peak = max(wall, s.res.Wall), cpu+s.res.CPU, max(peak, s.res.PeakMemory)
	}
	return report.Phase{WallMS: ms(wall), CPUMS: ms(cpu), PeakMemory: peak}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func capList(l []string, n int) []string {
	if len(l) > n {
		return l[:n]
	}
	return l
}

// phaseWords say when a phase's behaviour happened, for a finding's message.
var phaseWords = map[string]string{
	"fetch":   "While pip fetched the dependencies",
	"build":   "While the wheel was built",
	"install": "While the package was installed",
	"import":  "While its modules were imported",
	"test":    "While its tests ran",
}

// whileTestDeps says when the test phase's install of the test dependencies did something.
const whileTestDeps = "While the test dependencies were installed"

// phaseLead is what a finding's message begins with to say in which phase it happened.
func phaseLead(phase string) string {
	if lead, ok := phaseWords[phase]; ok {
		return lead
	}
	return "During " + phase
}

// inPhase makes a finding's message name the phase in which it happened.
func inPhase(phase, message string) string {
	return led(phaseLead(phase), message)
}

// led is message beginning with lead.
func led(lead, message string) string {
	if strings.HasPrefix(message, lead) {
		return message
	}
	return lead + ": " + message
}

// saysWhen reports whether a finding's message begins by saying when it happened.
func saysWhen(message string) bool {
	for _, lead := range phaseWords {
		if strings.HasPrefix(message, lead) {
			return true
		}
	}
	return strings.HasPrefix(message, whileTestDeps) || strings.HasPrefix(message, "During ")
}

// outsideAddress reports whether a connect or send event e went to another machine's address:
// an IPv4 or IPv6 one that is neither loopback nor unspecified (PYTI's sinkhole, where every
// name resolves, is another machine's).
func outsideAddress(e trace.Event) bool {
	if e.Family != "AF_INET" && e.Family != "AF_INET6" {
		return false
	}
	a, err := netip.ParseAddr(e.Address)
	if err != nil {
		return false
	}
	a = a.Unmap()
	return !a.IsLoopback() && !a.IsUnspecified()
}

// localRefusal is the connection to a server on this machine that e failed to make: a loopback
// port that refused it, or a unix socket whose path is not there or refused it, outside the work
// space (where a test's own server would put its socket).
func localRefusal(e trace.Event) (testresult.LocalRefusal, bool) {
	if e.Kind != trace.KindConnect {
		return testresult.LocalRefusal{}, false
	}
	switch e.Family {
	case "AF_INET", "AF_INET6":
		a, err := netip.ParseAddr(e.Address)
		if err != nil || !a.Unmap().IsLoopback() || e.Errno != "ECONNREFUSED" {
			break
		}
		return testresult.LocalRefusal{Endpoint: e.Endpoint(), Port: e.Port}, true
	case "AF_UNIX":
		if (e.Errno != "ENOENT" && e.Errno != "ECONNREFUSED") || !path.IsAbs(e.Address) || e.Address == insideWork || strings.HasPrefix(e.Address, insideWork+"/") {
			break
		}
		return testresult.LocalRefusal{Endpoint: e.Endpoint(), Path: e.Address}, true
	}
	return testresult.LocalRefusal{}, false
}

// outsideTouches are the times at which a process of the step reached for another machine: the
// traced connections and sends to an outside address, the names the sandbox's resolver answered
// with a sinkhole address (not localhost's, nor a name no resolver answers), the records other
// than addresses it was asked for (see sandbox.LooksUpTheInternet), and what reached the
// sinkhole.
func outsideTouches(r *stepResult) []time.Time {
	touches := slices.Clone(r.outside)
	for _, q := range r.res.DNSQueries {
		if a, err := netip.ParseAddr(q.Answer); (err == nil && sandbox.SinkholePrefix.Contains(a)) || sandbox.LooksUpTheInternet(q) {
			touches = append(touches, q.Time)
		}
	}
	for _, c := range r.res.Contacts {
		touches = append(touches, c.Time)
	}
	return touches
}
