package tasks

import (
	"context"
	"slices"
	"sync"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/report"
)

// Tasks return what they produce. A task is a function of its inputs (the graph's data and the
// job's shared environment) returning its typed output: what later tasks need (set into the
// graph's data when the task succeeds) and its part of the report (kept whatever its error). What
// the helpers deep inside a task's run find on the way (findings, raw data kept, the verdict a
// failure means, where the package's code ran) goes into that run's collector. Both land in the
// task's own slot, which no other task writes; the report task assembles the report from the slots
// in one pure step (assembleReport), and the verdict is decided by one pure function
// (decideVerdict).

// produced is what a task's run collected besides its typed output.
type produced struct {
	Findings  []report.Finding
	Artifacts []report.Artifact
	// Hints are the verdicts the task's failure means, when it means more than "task failed".
	Hints []verdictHint
	// CodeRan says where the package's own code ran (a target's tasks only).
	CodeRan []string
}

// verdictHint is a verdict a failure means (not-found, unsafe-archive, a limit...), with its
// reason, for the target of that image name ("" for the shared tasks).
type verdictHint struct {
	Target  string
	Verdict report.Verdict
	Reason  string
}

// slot is one task's output: what it returned (kept whatever its error: a failed build's log
// belongs in the report) and what its run collected.
type slot[O any] struct {
	Out O
	produced
}

// outputs are the slots of a job's tasks, in the order the report lists what they produced.
type outputs struct {
	Resolve  slot[resolved]
	Download slot[downloaded]
	Unpack   slot[unpacked]
	Inspect  slot[*report.Packaging]
	Lint     slot[*report.Lint]
	Targets  []targetOutputs
}

// targetOutputs are the slots of one target's tasks.
type targetOutputs struct {
	Fetch   slot[fetched]
	Build   slot[built]
	Venv    slot[Venv]
	Install slot[installed]
	Import  slot[*report.Import]
	Test    slot[*report.Tests]
}

// collected is what the runs of the shared tasks and of every target's tasks collected, in the
// order the report lists it: the shared tasks as they run, then each target's.
func (o outputs) collected() []produced {
	all := []produced{o.Resolve.produced, o.Download.produced, o.Unpack.produced, o.Inspect.produced, o.Lint.produced}
	for _, t := range o.Targets {
		all = append(all, t.collected()...)
	}
	return all
}

// collected is what the runs of the target's tasks collected, in the order they run.
func (t targetOutputs) collected() []produced {
	return []produced{t.Fetch.produced, t.Build.produced, t.Venv.produced, t.Install.produced, t.Import.produced, t.Test.produced}
}

// resolved is what resolve produces: the release chosen, and for the report its name, version
// and files.
type resolved struct {
	Release          Release
	Project, Version string
	Files            []report.File
}

// downloaded is what download produces: the archive, and for the report the local file (an
// index's files are resolve's).
type downloaded struct {
	Archive Archive
	Files   []report.File
}

// unpacked is what unpack produces: the source tree, and for the report the metadata read and
// its problems, and the name and version they give (Named: they give one; Tree: a local source
// directory, whose metadata names it).
type unpacked struct {
	Source           Source
	Metadata         *report.Metadata
	Problems         []report.Problem
	Named, Tree      bool
	Project, Version string
}

// fetched is what fetch produces: the wheelhouse, and the fetch for the report.
type fetched struct {
	Wheelhouse Wheelhouse
	Fetch      *report.Fetch
}

// built is what the build produces: the wheel (whose metadata names the project in the report
// when its source did not), and the build for the report.
type built struct {
	Wheel Wheel
	Build *report.Build
}

// installed is what install produces: the environment, and the install for the report.
type installed struct {
	Env     Environment
	Install *report.Install
}

// board guards the slots against a task the graph abandoned (it did not return after its
// timeout) writing after the report task read them: the report task seals the board, and later
// writes are dropped. Each slot still has one writer, its task.
type board struct {
	mu     sync.Mutex
	sealed bool
}

// collector is the findings collector of one task's run: it appends to the task's slot.
// A task's run may call it from several goroutines (lint runs its tools side by side).
type collector struct {
	b    *board
	into *produced
}

// add changes the slot under the board's lock, unless the report task has read it. A job without
// a collector (a helper's unit test) records nothing.
func (c *collector) add(f func(p *produced)) {
	if c == nil {
		return
	}
	c.b.mu.Lock()
	defer c.b.mu.Unlock()
	if !c.b.sealed {
		f(c.into)
	}
}

// finding records findings of the task.
func (c *collector) finding(fs ...report.Finding) {
	c.add(func(p *produced) { p.Findings = append(p.Findings, fs...) })
}

// artifact records raw data the task kept.
func (c *collector) artifact(a report.Artifact) {
	c.add(func(p *produced) { p.Artifacts = append(p.Artifacts, a) })
}

// hint records the verdict a failure of t's tasks means (t nil: a shared task's).
func (c *collector) hint(t *target, v report.Verdict, reason string) {
	name := ""
	if t != nil {
		name = t.img.Name
	}
	c.add(func(p *produced) { p.Hints = append(p.Hints, verdictHint{Target: name, Verdict: v, Reason: reason}) })
}

// codeRan records where the package's own code ran, once per description.
func (c *collector) codeRan(what string) {
	c.add(func(p *produced) {
		if !slices.Contains(p.CodeRan, what) {
			p.CodeRan = append(p.CodeRan, what)
		}
	})
}

// produce adapts a task returning its output to the graph: it runs f with a job whose collector
// fills the slot, keeps what f returned in the slot, whatever its error, and when f succeeded
// gives later tasks what they need of it (provide sets the task's Provides).
func produce[O any](e *jobEnv, b *board, s *slot[O], f func(j *job, ctx context.Context, d *dag.Data) (O, error), provide func(d *dag.Data, out O)) func(context.Context, *dag.Data) error {
	return func(ctx context.Context, d *dag.Data) error {
		j := &job{jobEnv: e, out: &collector{b: b, into: &s.produced}}
		out, err := f(j, ctx, d)
		b.mu.Lock()
		if !b.sealed {
			s.Out = out
		}
		b.mu.Unlock()
		if err == nil {
			provide(d, out)
		}
		return err
	}
}

// seal ends the writes to the slots and returns a copy of them, for the report task.
func (b *board) seal(o *outputs) outputs {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.sealed = true
	c := *o
	c.Targets = slices.Clone(o.Targets)
	return c
}

// assembly is where the report task leaves the report: the slots the tasks fill, the slots as
// the report task read them, and the report assembled from those.
type assembly struct {
	board
	outs   outputs
	read   outputs
	report report.Report
	done   bool
}

// assemble seals the slots and assembles the report from them, once.
func (a *assembly) assemble(e *jobEnv) {
	if a.done {
		return
	}
	a.read = a.seal(&a.outs)
	a.report = assembleReport(e.base, e.targetInfo(), a.read)
	a.done = true
}
