package dag

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// caller marks a datum supplied by the caller rather than by a task.
const caller = -1

// Graph is a validated set of tasks with the order their data imposes.
// It is immutable and may be run any number of times.
type Graph struct {
	tasks    []Task
	initial  []string
	types    map[string]reflect.Type
	provider map[string]int // datum name -> task index, or caller
	deps     [][]edge       // per task: the producers it waits for
	order    []int          // deterministic topological order
}

// edge says that a task waits for producer because it uses datum.
type edge struct {
	producer int
	datum    string
}

// New validates tasks and builds their graph. initial lists the data the
// caller supplies to Runner.Run. All problems found are returned joined;
// each wraps one of ErrCycle, ErrDuplicateTask, ErrDuplicateProvide,
// ErrMissingProvider, ErrTypeConflict or ErrInvalidTask.
func New(initial []AnyKey, tasks ...Task) (*Graph, error) {
	g := &Graph{
		tasks:    slices.Clone(tasks),
		types:    map[string]reflect.Type{},
		provider: map[string]int{},
	}
	var errs []error
	fail := func(sentinel error, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%w: %s", sentinel, fmt.Sprintf(format, args...)))
	}

	// Task names and functions.
	byName := map[string]int{}
	for i, t := range tasks {
		switch j, dup := byName[t.Name]; {
		case t.Name == "":
			fail(ErrInvalidTask, "task #%d has no name", i+1)
		case dup:
			fail(ErrDuplicateTask, "%q names both task #%d and task #%d", t.Name, j+1, i+1)
		default:
			byName[t.Name] = i
		}
		if t.Run == nil {
			fail(ErrInvalidTask, "task %s has no Run function", g.label(i))
		}
		if t.Timeout < 0 {
			fail(ErrInvalidTask, "task %s has a negative timeout %v", g.label(i), t.Timeout)
		}
	}

	// Data declarations and their types.
	typeFrom := map[string]string{}
	declare := func(k AnyKey, who string) (string, bool) {
		if k == nil {
			fail(ErrInvalidTask, "%s declares a nil key", who)
			return "", false
		}
		name := k.Name()
		if name == "" {
			fail(ErrInvalidTask, "%s declares a datum with no name", who)
			return "", false
		}
		if prev, ok := g.types[name]; ok && prev != k.Type() {
			fail(ErrTypeConflict, "datum %q is %v for %s but %v for %s", name, prev, typeFrom[name], k.Type(), who)
			return name, false
		}
		if _, ok := g.types[name]; !ok {
			g.types[name] = k.Type()
			typeFrom[name] = who
		}
		return name, true
	}
	providerLabel := func(p int) string {
		if p == caller {
			return "the caller"
		}
		return g.label(p)
	}
	provide := func(k AnyKey, p int) {
		name, ok := declare(k, providerLabel(p))
		if name == "" {
			return
		}
		if prev, dup := g.provider[name]; dup {
			fail(ErrDuplicateProvide, "datum %q is provided by both %s and %s", name, providerLabel(prev), providerLabel(p))
			return
		}
		if ok {
			g.provider[name] = p
		}
	}
	for _, k := range initial {
		provide(k, caller)
		if k != nil && k.Name() != "" {
			g.initial = append(g.initial, k.Name())
		}
	}
	for i, t := range tasks {
		if dup := firstDuplicate(t.Needs, t.Optional, t.Provides); dup != "" {
			fail(ErrInvalidTask, "task %s lists datum %q more than once in Needs, Optional and Provides", g.label(i), dup)
		}
		for _, k := range t.Provides {
			provide(k, i)
		}
		for _, k := range t.Early {
			if k == nil || !slices.ContainsFunc(t.Provides, func(p AnyKey) bool { return p != nil && p.Name() == k.Name() }) {
				name := "<nil>"
				if k != nil {
					name = k.Name()
				}
				fail(ErrInvalidTask, "task %s publishes datum %q early, which it does not provide", g.label(i), name)
			}
		}
	}

	// Needs: every required datum must have a provider.
	neededBy := map[string][]string{}
	var missing []string
	g.deps = make([][]edge, len(tasks))
	for i, t := range tasks {
		for li, list := range [][]AnyKey{t.Needs, t.Optional} {
			required := li == 0
			for _, k := range list {
				name, _ := declare(k, g.label(i))
				if name == "" {
					continue
				}
				p, ok := g.provider[name]
				if !ok {
					if required {
						if neededBy[name] == nil {
							missing = append(missing, name)
						}
						neededBy[name] = append(neededBy[name], g.label(i))
					}
					continue
				}
				if p != caller && !slices.ContainsFunc(g.deps[i], func(e edge) bool { return e.producer == p }) {
					g.deps[i] = append(g.deps[i], edge{producer: p, datum: name})
				}
			}
		}
	}
	for _, name := range missing {
		fail(ErrMissingProvider, "datum %q is needed by %s but no task provides it and the caller does not supply it",
			name, strings.Join(neededBy[name], ", "))
	}

	if err := g.sort(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return g, nil
}

// firstDuplicate returns the first datum name that appears twice across lists.
func firstDuplicate(lists ...[]AnyKey) string {
	seen := map[string]bool{}
	for _, l := range lists {
		for _, k := range l {
			if k == nil {
				continue
			}
			if seen[k.Name()] {
				return k.Name()
			}
			seen[k.Name()] = true
		}
	}
	return ""
}

// label is the quoted name of task i, for messages.
func (g *Graph) label(i int) string {
	if g.tasks[i].Name == "" {
		return fmt.Sprintf("#%d", i+1)
	}
	return fmt.Sprintf("%q", g.tasks[i].Name)
}

// sort computes g.order: a topological order that, among tasks ready at the
// same time, keeps the order in which they were given. It returns an error
// wrapping ErrCycle, naming one cycle, if there is none.
func (g *Graph) sort() error {
	n := len(g.tasks)
	waiting := make([]int, n)
	users := make([][]int, n)
	for i, ds := range g.deps {
		waiting[i] = len(ds)
		for _, e := range ds {
			users[e.producer] = append(users[e.producer], i)
		}
	}
	placed := make([]bool, n)
	g.order = make([]int, 0, n)
	for len(g.order) < n {
		next := -1
		for i := range n {
			if !placed[i] && waiting[i] == 0 {
				next = i
				break
			}
		}
		if next < 0 {
			return g.cycleError(placed)
		}
		placed[next] = true
		g.order = append(g.order, next)
		for _, u := range users[next] {
			waiting[u]--
		}
	}
	return nil
}

// cycleError names one cycle among the tasks not placed. Every such task
// waits for at least one other such task, so walking producers must loop.
func (g *Graph) cycleError(placed []bool) error {
	start := slices.Index(placed, false)
	pos := map[int]int{}
	var path []edge // path[k]: task visited at step k and the edge it follows
	cur := start
	for {
		if k, seen := pos[cur]; seen {
			path = path[k:]
			break
		}
		pos[cur] = len(path)
		var next edge
		for _, e := range g.deps[cur] {
			if !placed[e.producer] {
				next = e
				break
			}
		}
		path = append(path, edge{producer: cur, datum: next.datum})
		cur = next.producer
	}
	// Rotate so the message starts at the earliest declared task.
	low := 0
	for k := range path {
		if path[k].producer < path[low].producer {
			low = k
		}
	}
	path = append(path[low:], path[:low]...)
	parts := make([]string, len(path))
	for k, step := range path {
		from := path[(k+1)%len(path)].producer
		parts[k] = fmt.Sprintf("%s needs %q from %s", g.label(step.producer), step.datum, g.label(from))
	}
	return fmt.Errorf("%w: %s", ErrCycle, strings.Join(parts, ", "))
}

// Order returns the task names in the deterministic topological order used
// for display and records: producers before their users, and otherwise the
// order in which the tasks were given to New.
func (g *Graph) Order() []string {
	names := make([]string, len(g.order))
	for k, i := range g.order {
		names[k] = g.tasks[i].Name
	}
	return names
}

// Specs returns the description of every task, in Order.
func (g *Graph) Specs() []TaskSpec {
	specs := make([]TaskSpec, len(g.order))
	for k, i := range g.order {
		specs[k] = g.spec(i)
	}
	return specs
}

func (g *Graph) spec(i int) TaskSpec {
	t := g.tasks[i]
	return TaskSpec{
		Name:      t.Name,
		Needs:     keyNames(t.Needs),
		Optional:  keyNames(t.Optional),
		Provides:  keyNames(t.Provides),
		TimeoutMS: millis(t.Timeout),
	}
}

func keyNames(keys []AnyKey) []string {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name())
	}
	return names
}
