package cli

import (
	"fmt"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/dag"
)

// progress shows one line per task while an analysis runs: redrawn in place on a terminal, one
// line per start and end otherwise (only with --log-level debug).
type progress struct {
	env     *Env
	spec    string
	start   time.Time
	order   []string
	state   map[string]dag.TaskRecord
	started map[string]time.Time
	drawn   int
	done    chan struct{}
	events  chan dag.Event
}

func newProgress(env *Env, spec string) *progress {
	p := &progress{env: env, spec: spec, start: time.Now(), state: map[string]dag.TaskRecord{}, started: map[string]time.Time{},
		done: make(chan struct{}), events: make(chan dag.Event, 64)}
	go p.loop()
	return p
}

func (p *progress) observe(e dag.Event) { p.events <- e }

func (p *progress) stop() {
	close(p.events)
	<-p.done
}

func (p *progress) loop() {
	defer close(p.done)
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case e, ok := <-p.events:
			if !ok {
				if p.env.Terminal {
					p.draw()
				}
				return
			}
			if _, seen := p.state[e.Task.Name]; !seen {
				p.order = append(p.order, e.Task.Name)
			}
			p.state[e.Task.Name] = e.Task
			if e.Kind == dag.EventStarted {
				p.started[e.Task.Name] = time.Now()
			}
			if p.env.Terminal {
				p.draw()
			} else {
				p.env.Logger.Debug("task", "task", e.Task.Name, "status", e.Task.Status, "wall_ms", e.Task.WallMS)
			}
		case <-tick.C:
			if p.env.Terminal {
				p.draw()
			}
		}
	}
}

// draw rewrites the task lines in place.
func (p *progress) draw() {
	var b strings.Builder
	if p.drawn > 0 {
		fmt.Fprintf(&b, "\x1b[%dA", p.drawn)
	}
	lines := 0
	fmt.Fprintf(&b, "\x1b[2K%s  %.0fs\n", p.spec, time.Since(p.start).Seconds())
	lines++
	for _, name := range p.order {
		t := p.state[name]
		elapsed := t.WallMS / 1000
		if t.Status == dag.StatusRunning {
			elapsed = time.Since(p.started[name]).Seconds()
		}
		fmt.Fprintf(&b, "\x1b[2K  %-14s %-9s %6.1fs\n", name, t.Status, elapsed)
		lines++
	}
	p.drawn = lines
	fmt.Fprint(p.env.Stderr, b.String())
}
