package dag

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// outcomes maps each task to "status: reason" for compact diffs.
func outcomes(res *Result) map[string]string {
	m := map[string]string{}
	for _, t := range res.Record.Tasks {
		s := string(t.Status)
		if t.Reason != "" {
			s += ": " + t.Reason
		}
		m[t.Name] = s
	}
	return m
}

func mustGraph(t *testing.T, initial []AnyKey, tasks ...Task) *Graph {
	t.Helper()
	g, err := New(initial, tasks...)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func mustRun(t *testing.T, r *Runner, ctx context.Context, g *Graph, in *Data) *Result {
	t.Helper()
	res, err := r.Run(ctx, g, in)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// appendTo returns a task body that sets out to in's value (or "") + suffix.
func appendTo(in, out Key[string], suffix string) func(context.Context, *Data) error {
	return func(_ context.Context, d *Data) error {
		v, _ := in.Get(d)
		out.Set(d, v+suffix)
		return nil
	}
}

func TestChainRunsInDataOrder(t *testing.T) {
	kD, kE := NewKey[string]("d"), NewKey[string]("e")
	var mu sync.Mutex
	var events []string
	r := &Runner{Parallel: 4, Observe: func(e Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, string(e.Kind)+" "+e.Task.Name+" "+string(e.Task.Status))
	}}
	g := mustGraph(t, nil,
		Task{Name: "A", Needs: keys(kD), Run: func(_ context.Context, d *Data) error {
			if v, ok := kD.Get(d); !ok || v != "CB" {
				return errors.New("A got " + v)
			}
			return nil
		}},
		Task{Name: "B", Needs: keys(kE), Provides: keys(kD), Run: appendTo(kE, kD, "B")},
		Task{Name: "C", Provides: keys(kE), Run: appendTo(kE, kE, "C")},
	)
	res := mustRun(t, r, context.Background(), g, nil)
	want := map[string]string{"A": "ok", "B": "ok", "C": "ok"}
	if diff := cmp.Diff(want, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	wantEvents := []string{
		"started C running", "ended C ok",
		"started B running", "ended B ok",
		"started A running", "ended A ok",
	}
	if diff := cmp.Diff(wantEvents, events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if v, ok := kD.Get(res.Data); !ok || v != "CB" {
		t.Errorf("result datum d = %q, %v; want \"CB\", true", v, ok)
	}
	if !res.OK() {
		t.Error("OK() = false for an all-ok run")
	}
}

func TestFailureSkipsDependents(t *testing.T) {
	src := NewKey[string]("source")
	wheel := NewKey[string]("wheel")
	env := NewKey[string]("environment")
	lint := NewKey[int]("lint")
	in := NewData()
	src.Set(in, "/src")
	g := mustGraph(t, keys(src),
		Task{Name: "build", Needs: keys(src), Provides: keys(wheel), Run: func(_ context.Context, d *Data) error {
			wheel.Set(d, "half-built.whl") // discarded: the task fails
			return errors.New("compiler exploded")
		}},
		Task{Name: "install", Needs: keys(wheel), Provides: keys(env), Run: appendTo(wheel, env, "")},
		Task{Name: "test", Needs: keys(env, src), Run: nop},
		Task{Name: "lint", Needs: keys(src), Provides: keys(lint), Run: func(_ context.Context, d *Data) error {
			lint.Set(d, 3)
			return nil
		}},
	)
	res := mustRun(t, &Runner{Parallel: 2}, context.Background(), g, in)
	want := map[string]string{
		"build":   "failed: compiler exploded",
		"install": `skipped: needs "wheel" from "build", which failed`,
		"test":    `skipped: needs "environment" from "install", which was skipped because "build" failed`,
		"lint":    "ok",
	}
	if diff := cmp.Diff(want, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	for name, cause := range map[string]string{"install": "build", "test": "build", "build": ""} {
		if rec, _ := res.Task(name); rec.Cause != cause {
			t.Errorf("%s: cause %q, want %q", name, rec.Cause, cause)
		}
	}
	if b, _ := res.Task("build"); b.Error != "compiler exploded" {
		t.Errorf("build error %q", b.Error)
	}
	if res.Data.Has("wheel") {
		t.Error("a failed task's output was kept")
	}
	if n, ok := lint.Get(res.Data); !ok || n != 3 {
		t.Errorf("lint = %d, %v", n, ok)
	}
	if res.OK() {
		t.Error("OK() = true with a failed task")
	}
}

// TestNotApplicableSkips: a task that finds it has nothing to do ends skipped with its reason, not
// failed, and its dependents are skipped naming it.
func TestNotApplicableSkips(t *testing.T) {
	src := NewKey[string]("source")
	wheel := NewKey[string]("wheel")
	env := NewKey[string]("environment")
	in := NewData()
	src.Set(in, "/src")
	g := mustGraph(t, keys(src),
		Task{Name: "build", Needs: keys(src), Provides: keys(wheel), Run: func(context.Context, *Data) error {
			return fmt.Errorf("checking: %w", Skip("requires Python >=3.12"))
		}},
		Task{Name: "install", Needs: keys(wheel), Provides: keys(env), Run: appendTo(wheel, env, "")},
		Task{Name: "test", Needs: keys(env), Run: nop},
	)
	res := mustRun(t, &Runner{Parallel: 2}, context.Background(), g, in)
	want := map[string]string{
		"build":   "skipped: requires Python >=3.12",
		"install": `skipped: needs "wheel" from "build", which was skipped: requires Python >=3.12`,
		"test":    `skipped: needs "environment" from "install", which was skipped because "build" was skipped: requires Python >=3.12`,
	}
	if diff := cmp.Diff(want, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if b, _ := res.Task("build"); b.Error != "" || b.Cause != "" {
		t.Errorf("build: error %q, cause %q; want neither", b.Error, b.Cause)
	}
	if i, _ := res.Task("install"); i.Cause != "build" {
		t.Errorf("install: cause %q, want build", i.Cause)
	}
}

func TestDiamond(t *testing.T) {
	top, left, right, out := NewKey[string]("top"), NewKey[string]("left"), NewKey[string]("right"), NewKey[string]("out")
	g := mustGraph(t, nil,
		Task{Name: "bottom", Needs: keys(left, right), Provides: keys(out), Run: func(_ context.Context, d *Data) error {
			l, _ := left.Get(d)
			r, _ := right.Get(d)
			out.Set(d, l+"+"+r)
			return nil
		}},
		Task{Name: "left", Needs: keys(top), Provides: keys(left), Run: appendTo(top, left, "L")},
		Task{Name: "right", Needs: keys(top), Provides: keys(right), Run: appendTo(top, right, "R")},
		Task{Name: "top", Provides: keys(top), Run: appendTo(top, top, "T")},
	)
	res := mustRun(t, &Runner{Parallel: 2}, context.Background(), g, nil)
	if v, _ := out.Get(res.Data); v != "TL+TR" {
		t.Errorf("out = %q, want TL+TR; outcomes %v", v, outcomes(res))
	}
}

// TestParallelOverlap proves two independent tasks run at the same time:
// each waits for the other to have started, which only works if they overlap.
func TestParallelOverlap(t *testing.T) {
	arrived := map[string]chan struct{}{"p": make(chan struct{}), "q": make(chan struct{})}
	barrier := func(me, other string) func(context.Context, *Data) error {
		return func(ctx context.Context, _ *Data) error {
			close(arrived[me])
			select {
			case <-arrived[other]:
				return nil
			case <-ctx.Done():
				return errors.New("never overlapped with " + other)
			}
		}
	}
	g := mustGraph(t, nil,
		Task{Name: "p", Timeout: 10 * time.Second, Run: barrier("p", "q")},
		Task{Name: "q", Timeout: 10 * time.Second, Run: barrier("q", "p")},
	)
	res := mustRun(t, &Runner{Parallel: 2}, context.Background(), g, nil)
	if diff := cmp.Diff(map[string]string{"p": "ok", "q": "ok"}, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

// TestLightTaskBeside: a Light task runs beside the Parallel others, not in one of their
// places: with Parallel 1, it waits for a task that can start only beside it, while two other
// tasks still never overlap.
func TestLightTaskBeside(t *testing.T) {
	var c concurrency
	started := make(chan struct{})
	heavy := func(context.Context, *Data) error {
		c.enter()
		defer c.leave()
		select {
		case <-started:
		default:
			close(started)
		}
		time.Sleep(5 * time.Millisecond)
		return nil
	}
	for _, light := range []bool{true, false} {
		t.Run(map[bool]string{true: "light", false: "not light"}[light], func(t *testing.T) {
			c = concurrency{}
			started = make(chan struct{})
			g := mustGraph(t, nil,
				Task{Name: "waiter", Light: light, Timeout: time.Second, Run: func(ctx context.Context, _ *Data) error {
					select {
					case <-started:
						return nil
					case <-ctx.Done():
						return errors.New("no other task started beside it")
					}
				}},
				Task{Name: "a", Run: heavy}, Task{Name: "b", Run: heavy},
			)
			res := mustRun(t, &Runner{Parallel: 1}, context.Background(), g, nil)
			want := map[string]string{"waiter": "ok", "a": "ok", "b": "ok"}
			if !light {
				want["waiter"] = "timed_out: exceeded its 1s timeout"
			}
			if diff := cmp.Diff(want, outcomes(res)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if p := c.peak.Load(); p != 1 {
				t.Errorf("peak concurrency of the other tasks %d with Parallel=1", p)
			}
		})
	}
}

// TestEarlyData: a task that publishes a datum early lets the tasks needing it run beside it
// (the fetch hands the build its build requirements and goes on fetching the rest); what it
// published is kept whatever becomes of it; a datum it may not publish fails it.
func TestEarlyData(t *testing.T) {
	kHouse, kRest, kWheel, kEnv := NewKey[string]("build-house"), NewKey[string]("wheelhouse"), NewKey[string]("wheel"), NewKey[string]("env")
	for _, tc := range []struct {
		name    string
		fail    bool        // the producer fails after publishing
		publish Key[string] // what the producer publishes
		want    map[string]string
		wheel   string // the build's output, "" when it did not run
	}{
		{"the consumer runs beside the producer", false, kHouse,
			map[string]string{"fetch": "ok", "build": "ok", "install": "ok"}, "wheel from build-reqs"},
		{"the published datum outlives a failure", true, kHouse,
			map[string]string{"fetch": "failed: the rest could not be fetched", "build": "ok",
				"install": `skipped: needs "wheelhouse" from "fetch", which failed`}, "wheel from build-reqs"},
		{"only what Early names is published", false, kRest,
			map[string]string{"fetch": `failed: published datum "wheelhouse", which it does not declare in Early`,
				"build":   `skipped: needs "build-house" from "fetch", which failed`,
				"install": `skipped: needs "wheel" from "build", which was skipped because "fetch" failed`}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			buildRan := make(chan struct{})
			g := mustGraph(t, nil,
				Task{Name: "fetch", Provides: []AnyKey{kHouse, kRest}, Early: []AnyKey{kHouse}, Timeout: 10 * time.Second,
					Run: func(ctx context.Context, d *Data) error {
						tc.publish.Publish(d, "build-reqs")
						if tc.publish == kRest {
							return nil
						}
						select { // the build must run while the fetch goes on
						case <-buildRan:
						case <-ctx.Done():
							return errors.New("the build did not run beside the fetch")
						}
						kHouse.Set(d, "changed") // ignored: a published datum keeps its value
						kRest.Set(d, "everything")
						if tc.fail {
							return errors.New("the rest could not be fetched")
						}
						return nil
					}},
				Task{Name: "build", Needs: []AnyKey{kHouse}, Provides: []AnyKey{kWheel}, Run: func(_ context.Context, d *Data) error {
					h, _ := kHouse.Get(d)
					kWheel.Set(d, "wheel from "+h)
					close(buildRan)
					return nil
				}},
				Task{Name: "install", Needs: []AnyKey{kWheel, kRest}, Provides: []AnyKey{kEnv}, Run: appendTo(kRest, kEnv, "+env")},
			)
			res := mustRun(t, &Runner{Parallel: 2}, context.Background(), g, nil)
			if diff := cmp.Diff(tc.want, outcomes(res)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			wheel, _ := kWheel.Get(res.Data)
			house, _ := kHouse.Get(res.Data)
			if wheel != tc.wheel || (tc.wheel != "" && house != "build-reqs") {
				t.Errorf("wheel %q, build house %q; want %q and the published value", wheel, house, tc.wheel)
			}
		})
	}
}

func TestEarlyMustBeProvided(t *testing.T) {
	kA, kB := NewKey[string]("a"), NewKey[string]("b")
	_, err := New(nil, Task{Name: "t", Provides: []AnyKey{kA}, Early: []AnyKey{kB}, Run: nop})
	if err == nil || !strings.Contains(err.Error(), `task "t" publishes datum "b" early, which it does not provide`) {
		t.Errorf("New: %v", err)
	}
}

// concurrency counts the tasks running at once and the most that ever did.
type concurrency struct{ now, peak atomic.Int32 }

func (c *concurrency) enter() {
	n := c.now.Add(1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (c *concurrency) leave() { c.now.Add(-1) }

func TestParallelOneNeverOverlaps(t *testing.T) {
	var c concurrency
	body := func(context.Context, *Data) error {
		c.enter()
		defer c.leave()
		time.Sleep(5 * time.Millisecond) // give an overlap the chance to show
		return nil
	}
	var tasks []Task
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		tasks = append(tasks, Task{Name: n, Run: body})
	}
	res := mustRun(t, &Runner{Parallel: 1}, context.Background(), mustGraph(t, nil, tasks...), nil)
	if !res.OK() {
		t.Fatalf("outcomes %v", outcomes(res))
	}
	if p := c.peak.Load(); p != 1 {
		t.Errorf("peak concurrency %d with Parallel=1", p)
	}
	if res.Record.Parallel != 1 {
		t.Errorf("record parallel %d", res.Record.Parallel)
	}
}

func TestTaskTimeout(t *testing.T) {
	wheel := NewKey[string]("wheel")
	g := mustGraph(t, nil,
		Task{Name: "build", Provides: keys(wheel), Timeout: 20 * time.Millisecond, Run: func(ctx context.Context, _ *Data) error {
			<-ctx.Done()
			return ctx.Err()
		}},
		Task{Name: "install", Needs: keys(wheel), Run: nop},
		Task{Name: "lint", Run: nop},
	)
	res := mustRun(t, &Runner{}, context.Background(), g, nil)
	want := map[string]string{
		"build":   "timed_out: exceeded its 20ms timeout",
		"install": `skipped: needs "wheel" from "build", which timed out`,
		"lint":    "ok",
	}
	if diff := cmp.Diff(want, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if b, _ := res.Task("build"); b.Error != context.DeadlineExceeded.Error() {
		t.Errorf("build error %q", b.Error)
	}
}

// TestAbandonIgnoringTask: a task that ignores its context is abandoned
// after the grace period and its late writes are discarded.
func TestAbandonIgnoringTask(t *testing.T) {
	wheel := NewKey[string]("wheel")
	release := make(chan struct{})
	wrote := make(chan struct{})
	g := mustGraph(t, nil,
		Task{Name: "stuck", Provides: keys(wheel), Timeout: 10 * time.Millisecond, Run: func(_ context.Context, d *Data) error {
			<-release
			wheel.Set(d, "late")
			close(wrote)
			return nil
		}},
	)
	res := mustRun(t, &Runner{Grace: 10 * time.Millisecond}, context.Background(), g, nil)
	close(release)
	<-wrote
	want := map[string]string{"stuck": "timed_out: exceeded its 10ms timeout and did not return within 10ms; abandoned"}
	if diff := cmp.Diff(want, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if res.Data.Has("wheel") {
		t.Error("abandoned task's late write reached the result")
	}
}

func TestCancelRun(t *testing.T) {
	wheel := NewKey[string]("wheel")
	started := make(chan struct{})
	g := mustGraph(t, nil,
		Task{Name: "build", Provides: keys(wheel), Run: func(ctx context.Context, _ *Data) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		}},
		Task{Name: "lint", Run: nop},
		Task{Name: "install", Needs: keys(wheel), Run: nop},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-started
		cancel()
	}()
	res := mustRun(t, &Runner{Parallel: 1}, ctx, g, nil)
	want := map[string]string{
		"build":   "cancelled: run cancelled while it was running",
		"lint":    "cancelled: run cancelled before it started",
		"install": "cancelled: run cancelled before it started",
	}
	if diff := cmp.Diff(want, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	if l, _ := res.Task("lint"); !l.Start.IsZero() || !l.End.IsZero() {
		t.Errorf("task that never ran has times %v..%v", l.Start, l.End)
	}
}

func TestPanickingTask(t *testing.T) {
	wheel := NewKey[string]("wheel")
	g := mustGraph(t, nil,
		Task{Name: "build", Provides: keys(wheel), Run: func(context.Context, *Data) error {
			panic("boom")
		}},
		Task{Name: "install", Needs: keys(wheel), Run: nop},
		Task{Name: "lint", Run: nop},
	)
	res := mustRun(t, &Runner{}, context.Background(), g, nil)
	want := map[string]string{
		"build":   "failed: panicked: boom",
		"install": `skipped: needs "wheel" from "build", which failed`,
		"lint":    "ok",
	}
	if diff := cmp.Diff(want, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
	b, _ := res.Task("build")
	if b.Error != "panic: boom" {
		t.Errorf("error %q", b.Error)
	}
	if !strings.Contains(b.PanicStack, "TestPanickingTask") {
		t.Errorf("panic stack does not show the panicking function:\n%s", b.PanicStack)
	}
}

func TestGoexitTask(t *testing.T) {
	g := mustGraph(t, nil, Task{Name: "quits", Run: func(context.Context, *Data) error {
		runtime.Goexit()
		return nil
	}})
	res := mustRun(t, &Runner{}, context.Background(), g, nil)
	want := map[string]string{"quits": "failed: called runtime.Goexit instead of returning"}
	if diff := cmp.Diff(want, outcomes(res)); diff != "" {
		t.Errorf("outcomes (-want +got):\n%s", diff)
	}
}

func TestOptionalNeeds(t *testing.T) {
	wheel := NewKey[string]("wheel")
	lint := NewKey[int]("lint")
	tests := []struct {
		name      string
		buildErr  error
		wantWheel string
		wantBuild string
	}{
		{name: "producer ok", wantWheel: "w.whl", wantBuild: "ok"},
		{name: "producer failed", buildErr: errors.New("no compiler"), wantWheel: "<absent>", wantBuild: "failed: no compiler"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen string
			g := mustGraph(t, nil,
				Task{Name: "report", Optional: keys(wheel, lint), Run: func(_ context.Context, d *Data) error {
					seen = "<absent>"
					if w, ok := wheel.Get(d); ok {
						seen = w
					}
					if _, ok := lint.Get(d); ok {
						return errors.New("lint has no provider but is present")
					}
					return nil
				}},
				Task{Name: "build", Provides: keys(wheel), Run: func(_ context.Context, d *Data) error {
					wheel.Set(d, "w.whl")
					return tt.buildErr
				}},
			)
			res := mustRun(t, &Runner{}, context.Background(), g, nil)
			want := map[string]string{"build": tt.wantBuild, "report": "ok"}
			if diff := cmp.Diff(want, outcomes(res)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
			if seen != tt.wantWheel {
				t.Errorf("report saw wheel %q, want %q", seen, tt.wantWheel)
			}
		})
	}
}

func TestContractViolations(t *testing.T) {
	a, b, c := NewKey[string]("a"), NewKey[string]("b"), NewKey[string]("c")
	aInt := NewKey[int]("a")
	tests := []struct {
		name string
		task Task
		want string
	}{
		{
			name: "does not provide",
			task: Task{Name: "t", Provides: keys(a, c), Run: func(_ context.Context, d *Data) error {
				a.Set(d, "x")
				return nil
			}},
			want: `failed: did not provide "c"`,
		},
		{
			name: "reads undeclared",
			task: Task{Name: "t", Run: func(_ context.Context, d *Data) error {
				if _, ok := a.Get(d); ok {
					return errors.New("undeclared read succeeded")
				}
				return nil
			}},
			want: `failed: read undeclared datum "a"`,
		},
		{
			name: "writes undeclared",
			task: Task{Name: "t", Needs: keys(b), Run: func(_ context.Context, d *Data) error {
				b.Set(d, "mine now")
				return nil
			}},
			want: `failed: wrote datum "b", which it does not provide`,
		},
		{
			name: "wrong key type",
			task: Task{Name: "t", Provides: keys(a), Run: func(_ context.Context, d *Data) error {
				aInt.Set(d, 1)
				a.Set(d, "fine")
				return nil
			}},
			want: `failed: wrote datum "a" as int, but it is declared as string`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := NewData()
			b.Set(in, "given")
			g := mustGraph(t, keys(b), tt.task)
			res := mustRun(t, &Runner{}, context.Background(), g, in)
			if diff := cmp.Diff(map[string]string{"t": tt.want}, outcomes(res)); diff != "" {
				t.Errorf("outcomes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRunInputErrors(t *testing.T) {
	req := NewKey[string]("request")
	g := mustGraph(t, keys(req), Task{Name: "resolve", Needs: keys(req), Run: nop})
	wrongType := NewData()
	NewKey[int]("request").Set(wrongType, 1)
	tests := []struct {
		name string
		in   *Data
		msg  string
	}{
		{name: "nil data", in: nil, msg: `initial datum missing: "request" is not supplied`},
		{name: "empty data", in: NewData(), msg: `initial datum missing: "request" is not supplied`},
		{name: "wrong type", in: wrongType, msg: `initial datum missing: "request" holds int, not string`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := (&Runner{}).Run(context.Background(), g, tt.in)
			if !errors.Is(err, ErrMissingInput) {
				t.Fatalf("error %v, want ErrMissingInput", err)
			}
			if diff := cmp.Diff(tt.msg, err.Error()); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := (&Runner{}).Run(context.Background(), nil, nil); err == nil {
		t.Error("nil graph accepted")
	}
}

// TestGraphReusable: a graph holds no run state, so two runs are independent.
func TestGraphReusable(t *testing.T) {
	req, out := NewKey[string]("request"), NewKey[string]("out")
	g := mustGraph(t, keys(req), Task{Name: "echo", Needs: keys(req), Provides: keys(out), Run: appendTo(req, out, "!")})
	for _, v := range []string{"one", "two"} {
		in := NewData()
		req.Set(in, v)
		res := mustRun(t, &Runner{}, context.Background(), g, in)
		if got, _ := out.Get(res.Data); got != v+"!" {
			t.Errorf("run with %q gave %q", v, got)
		}
	}
}
