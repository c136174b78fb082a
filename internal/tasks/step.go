package tasks

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/behavior"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
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
	argv  []string
	env   []string
	dir   string
	wall  time.Duration
	// indexSock is the unix socket of an index proxy to bridge into the sandbox ("" for none).
	indexSock string
	// site is the environment's site-packages inside the sandbox, for the rules ($SITE).
	site string
	// dir, argv and env use paths inside the sandbox (see job.in); readOnly are extra binds.
	readOnly []sandbox.Bind
}

// stepResult is what a step did.
type stepResult struct {
	res   *sandbox.Result
	phase report.Phase
	execs []trace.Event
	// output is stdout followed by stderr, as kept.
	output string
}

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
		Limits: sandbox.Limits{
			Wall:        s.wall,
			NoOutput:    o.NoOutputTimeout,
			MemoryBytes: o.MemoryBytes,
			Pids:        o.Pids,
		},
		Trace: s.phase != "" && !o.NoTrace,
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
	res, err := o.Backend.Run(ctx, spec)
	if err != nil {
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
	own := newSandboxFilter()
	tr, err := trace.Parse(f, trace.Options{Cwd: s.dir, OnEvent: func(e trace.Event) {
		if own.sandboxSetup(e) {
			return
		}
		ev.Add(e)
		if e.Kind == trace.KindExec && !e.Failed() && len(out.execs) < 10000 {
			out.execs = append(out.execs, e)
		}
	}})
	if err != nil {
		return fmt.Errorf("parsing the trace: %w", err)
	}
	for _, q := range res.DNSQueries {
		ev.Add(trace.NewDNSEvent(q.Time, 0, q.Name, q.Type, "NXDOMAIN"))
	}
	sum := tr.Summary
	beh := &report.Behavior{
		Events: tr.Total, EventsDropped: int64(tr.Dropped) + res.TraceDropped,
		FilesRead: len(sum.FilesRead) + sum.FilesReadMore, FilesWritten: len(sum.FilesWritten) + sum.FilesWrittenMore,
		Processes: len(tr.Processes), Executed: capList(sum.Commands, 200),
	}
	for _, n := range sum.Network {
		beh.NetworkAttempts = append(beh.NetworkAttempts, fmt.Sprintf("%s %s (%d, %d failed)", n.Kind, n.Endpoint, n.Count, n.Failed))
	}
	for _, q := range res.DNSQueries {
		beh.DNSQueries = append(beh.DNSQueries, q.Name+" "+q.Type)
	}
	out.phase.Behavior = beh
	var findings []report.Finding
	for _, f := range ev.Findings() {
		rf := behaviorFinding(s.phase, f)
		if s.t != nil && s.t.cell >= 0 {
			rf.Image = s.t.img.Name
		}
		findings = append(findings, rf)
	}
	j.edit(func(r *report.Report) { r.Findings = append(r.Findings, findings...) })
	return nil
}

func behaviorFinding(phase string, f behavior.Finding) report.Finding {
	rf := report.Finding{Source: "behavior", Phase: phase, RuleID: f.RuleID, Severity: report.Severity(f.Severity),
		Title: f.Title, Message: inPhase(phase, f.Message), Count: f.Count}
	for _, e := range f.Evidence {
		res := e.Result
		if e.Errno != "" {
			res = e.Result + " " + e.Errno
		}
		rf.Evidence = append(rf.Evidence, report.Evidence{Kind: string(e.Kind), Time: e.Time, PID: e.PID,
			Syscall: e.Syscall, Detail: e.Subject(), Result: strings.TrimSpace(res)})
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
	f, err := os.Open(path)
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
	j.edit(func(r *report.Report) {
		r.Artifacts = append(r.Artifacts, report.Artifact{Task: task, Name: name, Path: filepath.ToSlash(rel),
			Size: n, SHA256: hex.EncodeToString(h.Sum(nil)), MediaType: mediaType})
	})
}

// copyOut copies a file the sandbox wrote into the task's raw data.
func (j *job) copyOut(task, name, src, mediaType string) bool {
	data, err := readCapped(src, 256<<20)
	if err != nil {
		return false
	}
	dst := filepath.Join(j.raw, task, name)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return false
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return false
	}
	j.addArtifactFile(task, name, dst, mediaType)
	return true
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func capList(l []string, n int) []string {
	if len(l) > n {
		return l[:n]
	}
	return l
}

// sandboxFilter tells the sandbox's own set-up (bwrap mounting, PYTI's init) from what the
// package's processes do: a process counts from the moment it executes something other than
// bwrap or PYTI's init, and its children inherit that.
type sandboxFilter struct{ prog map[int]string }

func newSandboxFilter() *sandboxFilter { return &sandboxFilter{prog: map[int]string{}} }

// setupPrograms are the programs of the sandbox itself.
var setupPrograms = map[string]bool{"": true, "/usr/bin/bwrap": true, "bwrap": true, "/.pyti/init": true}

// sandboxSetup reports whether e belongs to the sandbox's own machinery.
func (f *sandboxFilter) sandboxSetup(e trace.Event) bool {
	if e.Kind == trace.KindProcess && e.ChildPID > 0 {
		f.prog[e.ChildPID] = f.prog[e.PID]
	}
	if e.Kind == trace.KindExec && !e.Failed() {
		f.prog[e.PID] = e.Path
	}
	p := f.prog[e.PID]
	// On an image, PYTI's init may be started through the host's loader in /.pyti/lib.
	return setupPrograms[p] || strings.HasPrefix(p, "/.pyti/")
}

// phaseWords say when a phase's behaviour happened, for a finding's message.
var phaseWords = map[string]string{
	"fetch":   "While pip fetched the dependencies",
	"build":   "While the wheel was built",
	"install": "While the package was installed",
	"import":  "While its modules were imported",
	"test":    "While its tests ran",
}

// inPhase makes a finding's message name the phase in which it happened.
func inPhase(phase, message string) string {
	lead, ok := phaseWords[phase]
	if !ok {
		lead = "During " + phase
	}
	if strings.HasPrefix(message, lead) {
		return message
	}
	return lead + ": " + message
}
