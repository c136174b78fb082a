package dag

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"time"
)

// DefaultGrace is how long a task may keep running after its context ended
// (timeout or cancellation) before the run abandons it, when Runner.Grace
// is zero.
const DefaultGrace = 10 * time.Second

// EventKind tells what an Event reports.
type EventKind string

// The kinds of events.
const (
	EventStarted EventKind = "started"
	EventEnded   EventKind = "ended"
)

// Event tells an observer that a task started or ended. A task that never
// runs (skipped, or cancelled before it started) has only an ended event.
type Event struct {
	Kind EventKind
	// Task is the task's record at that moment: Status is StatusRunning
	// for a started event, the final record for an ended one.
	Task TaskRecord
}

// Runner runs graphs. The zero value is usable.
type Runner struct {
	// Parallel bounds how many tasks run at once, the Light ones aside; 0
	// or less means runtime.NumCPU().
	Parallel int
	// Grace is how long a task may keep running after its context ended
	// before it is abandoned: its outputs and any later writes are
	// discarded and the run goes on without it. 0 means DefaultGrace.
	Grace time.Duration
	// Observe, if set, is called for each task start and end. Calls come
	// one at a time from the goroutine scheduling the run, so Observe need
	// not be safe for concurrent use, and it should return quickly.
	Observe func(Event)
}

// Result is the outcome of a run.
type Result struct {
	// Record is the JSON-ready account of the run.
	Record Record
	// Data holds the initial data and the outputs of every task that
	// succeeded.
	Data *Data
}

// Task returns the record of the task called name.
func (r *Result) Task(name string) (TaskRecord, bool) {
	i := slices.IndexFunc(r.Record.Tasks, func(t TaskRecord) bool { return t.Name == name })
	if i < 0 {
		return TaskRecord{}, false
	}
	return r.Record.Tasks[i], true
}

// OK reports whether every task succeeded.
func (r *Result) OK() bool {
	for _, t := range r.Record.Tasks {
		if t.Status != StatusOK {
			return false
		}
	}
	return true
}

type taskState int

const (
	pending taskState = iota
	running
	done
)

// Run runs every task of g, supplying initial (which must hold a value of
// the declared type for each initial datum given to New). It returns when
// every task has ended or been abandoned. Task failures are results, not
// errors: the returned error is only about the call itself (a nil graph,
// missing initial data).
func (r *Runner) Run(ctx context.Context, g *Graph, initial *Data) (*Result, error) {
	if g == nil {
		return nil, errors.New("dag: nil graph")
	}
	vals := map[string]entry{}
	var problems []string
	for _, name := range g.initial {
		var e entry
		ok := false
		if initial != nil {
			e, ok = initial.lookup(name)
		}
		switch {
		case !ok:
			problems = append(problems, fmt.Sprintf("%q is not supplied", name))
		case e.typ != g.types[name]:
			problems = append(problems, fmt.Sprintf("%q holds %v, not %v", name, e.typ, g.types[name]))
		default:
			vals[name] = e
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrMissingInput, strings.Join(problems, "; "))
	}

	parallel := r.Parallel
	if parallel <= 0 {
		parallel = runtime.NumCPU()
	}
	s := &scheduler{
		runner:    r,
		g:         g,
		vals:      vals,
		recs:      make([]TaskRecord, len(g.tasks)),
		state:     make([]taskState, len(g.tasks)),
		index:     map[string]int{},
		published: map[string]bool{},
		pubs:      make(chan publication),
		stop:      make(chan struct{}),
	}
	defer close(s.stop)
	for i := range g.tasks {
		s.recs[i].TaskSpec = g.spec(i)
		s.index[g.tasks[i].Name] = i
	}

	start := time.Now()
	results := make(chan outcome)
	ctxDone := ctx.Done()
	active, light := 0, 0 // tasks running: all of them, and the Light ones among them
	for {
		for _, i := range g.order {
			if s.state[i] != pending || !s.ready(i) {
				continue
			}
			if ctx.Err() != nil {
				s.finish(i, TaskRecord{Status: StatusCancelled, Reason: "run cancelled before it started"})
				continue
			}
			if rec, blocked := s.blocked(i); blocked {
				s.finish(i, rec)
				continue
			}
			if isLight := g.tasks[i].Light; isLight {
				light++
			} else if active-light >= parallel {
				continue
			}
			active++
			s.start(ctx, i, results)
		}
		if active == 0 {
			break
		}
		select {
		case o := <-results:
			active--
			if g.tasks[o.index].Light {
				light--
			}
			s.complete(o)
		case p := <-s.pubs:
			s.vals[p.name] = p.e
			s.published[p.name] = true
		case <-ctxDone:
			ctxDone = nil
		}
	}
	end := time.Now()

	rec := Record{
		Parallel: parallel,
		Start:    start.Round(0),
		End:      end.Round(0),
		WallMS:   millis(end.Sub(start)),
		Initial:  slices.Clone(g.initial),
		Tasks:    make([]TaskRecord, 0, len(g.order)),
	}
	if rec.Initial == nil {
		rec.Initial = []string{}
	}
	for _, i := range g.order {
		rec.Tasks = append(rec.Tasks, s.recs[i])
	}
	rec.Data = s.dataRecords()
	return &Result{Record: rec, Data: &Data{vals: s.vals}}, nil
}

// scheduler is the state of one run; only the Run goroutine touches it.
type scheduler struct {
	runner *Runner
	g      *Graph
	vals   map[string]entry
	recs   []TaskRecord
	state  []taskState
	index  map[string]int
	// published are the data a running task handed out early (Task.Early); pubs brings them
	// to the Run goroutine, until stop is closed.
	published map[string]bool
	pubs      chan publication
	stop      chan struct{}
}

// publication is a datum a task published before it ended.
type publication struct {
	name string
	e    entry
}

// ready reports whether every datum task i waits for is there: its producer has ended, or
// published it early.
func (s *scheduler) ready(i int) bool {
	for _, e := range s.g.deps[i] {
		if s.state[e.producer] == done {
			continue
		}
		t := s.g.tasks[i]
		for _, k := range slices.Concat(t.Needs, t.Optional) {
			if p, ok := s.g.provider[k.Name()]; ok && p == e.producer && !s.published[k.Name()] {
				return false
			}
		}
	}
	return true
}

// blocked reports whether task i cannot run because a required input was
// not produced, with the record saying why.
func (s *scheduler) blocked(i int) (TaskRecord, bool) {
	for _, k := range s.g.tasks[i].Needs {
		name := k.Name()
		p := s.g.provider[name]
		if p == caller || s.published[name] {
			continue
		}
		pr := s.recs[p]
		switch pr.Status {
		case StatusOK:
			continue
		case StatusFailed:
			return skipped(fmt.Sprintf("needs %q from %q, which failed", name, pr.Name), pr.Name), true
		case StatusTimedOut:
			return skipped(fmt.Sprintf("needs %q from %q, which timed out", name, pr.Name), pr.Name), true
		case StatusSkipped:
			if pr.Cause == "" { // it skipped itself
				return skipped(fmt.Sprintf("needs %q from %q, which was skipped: %s", name, pr.Name, pr.Reason), pr.Name), true
			}
			root := s.recs[s.index[pr.Cause]]
			if root.Status == StatusSkipped {
				return skipped(fmt.Sprintf("needs %q from %q, which was skipped because %q was skipped: %s",
					name, pr.Name, root.Name, root.Reason), root.Name), true
			}
			return skipped(fmt.Sprintf("needs %q from %q, which was skipped because %q %s",
				name, pr.Name, root.Name, pastTense(root.Status)), root.Name), true
		default: // StatusCancelled
			cause := pr.Cause
			if cause == "" {
				cause = pr.Name
			}
			return TaskRecord{
				Status: StatusCancelled,
				Reason: fmt.Sprintf("needs %q from %q, which was cancelled", name, pr.Name),
				Cause:  cause,
			}, true
		}
	}
	return TaskRecord{}, false
}

func skipped(reason, cause string) TaskRecord {
	return TaskRecord{Status: StatusSkipped, Reason: reason, Cause: cause}
}

func pastTense(s Status) string {
	switch s {
	case StatusFailed:
		return "failed"
	case StatusTimedOut:
		return "timed out"
	case StatusCancelled:
		return "was cancelled"
	default:
		return string(s)
	}
}

// start launches task i; its outcome arrives on results.
func (s *scheduler) start(ctx context.Context, i int, results chan<- outcome) {
	s.state[i] = running
	t := s.g.tasks[i]
	in := &Data{
		vals:  map[string]entry{},
		decl:  map[string]reflect.Type{},
		write: map[string]bool{},
	}
	for _, k := range slices.Concat(t.Needs, t.Optional) {
		in.decl[k.Name()] = k.Type()
		if e, ok := s.vals[k.Name()]; ok {
			in.vals[k.Name()] = e
		}
	}
	for _, k := range t.Provides {
		in.decl[k.Name()] = k.Type()
		in.write[k.Name()] = true
	}
	if len(t.Early) > 0 {
		in.early, in.published = map[string]bool{}, map[string]bool{}
		for _, k := range t.Early {
			in.early[k.Name()] = true
		}
		in.onPublish = func(name string, e entry) {
			select {
			case s.pubs <- publication{name: name, e: e}:
			case <-s.stop: // the run has ended (an abandoned task publishing late)
			}
		}
	}
	startAt := time.Now()
	s.recs[i].Status = StatusRunning
	s.recs[i].Start = startAt.Round(0)
	s.notify(EventStarted, i)
	grace := s.runner.Grace
	if grace <= 0 {
		grace = DefaultGrace
	}
	go func() {
		results <- execute(ctx, t, in, i, startAt, grace)
	}()
}

// complete records a task's outcome and keeps its outputs if it succeeded.
func (s *scheduler) complete(o outcome) {
	if o.rec.Status == StatusOK {
		for name, e := range o.outputs {
			if !s.published[name] {
				s.vals[name] = e
			}
		}
	}
	s.finish(o.index, o.rec)
}

// finish stores the final record of task i (keeping its spec) and tells the
// observer.
func (s *scheduler) finish(i int, rec TaskRecord) {
	rec.TaskSpec = s.recs[i].TaskSpec
	s.recs[i] = rec
	s.state[i] = done
	s.notify(EventEnded, i)
}

func (s *scheduler) notify(kind EventKind, i int) {
	if s.runner.Observe != nil {
		s.runner.Observe(Event{Kind: kind, Task: s.recs[i]})
	}
}

func (s *scheduler) dataRecords() []DatumRecord {
	names := make([]string, 0, len(s.g.types))
	for n := range s.g.types {
		names = append(names, n)
	}
	slices.Sort(names)
	recs := make([]DatumRecord, 0, len(names))
	for _, n := range names {
		d := DatumRecord{Name: n, Type: s.g.types[n].String()}
		if p, ok := s.g.provider[n]; ok && p != caller {
			d.Provider = s.g.tasks[p].Name
		}
		_, d.Present = s.vals[n]
		recs = append(recs, d)
	}
	return recs
}
