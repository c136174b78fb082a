package trace

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
)

// Options bound and shape what a Parser keeps.
type Options struct {
	// MaxEvents is how many events the trace keeps: the first half and the last half, counting
	// the rest as dropped. 0 means DefaultMaxEvents.
	MaxEvents int
	// MaxLineBytes caps one line; the rest of a longer line is skipped (and counted). 0 means
	// DefaultMaxLineBytes.
	MaxLineBytes int
	// MaxDistinct caps each distinct list of the summary. 0 means DefaultMaxDistinct.
	MaxDistinct int
	// Cwd is the working directory of the first traced process, used to resolve relative
	// paths when strace did not print the directory itself (no -y).
	Cwd string
	// Year completes the dates of a gVisor log, which have none; 0 means the current year.
	Year int
	// OnEvent, if set, sees every event as it is made, before any is dropped: evaluate rules
	// here to judge a trace too large to keep. It sees the job's events only (see Setup).
	OnEvent func(Event)
	// Setup, when set, says which processes of a sandboxed run's trace are the sandbox's own;
	// their events are counted (Trace.SetupEvents) and nothing else. Nil: every traced process
	// is the job's.
	Setup *Setup
}

// Setup tells a sandbox's own processes from the job it runs, by the structure of the process
// tree rather than by what the processes call themselves: every traced process is the sandbox's
// until one of them executes the sandbox's init (Init); each process that init or one of its
// threads creates (not a thread) starts the job, and everything a job process creates is the
// job's too, whatever it executes. A job process that executes the init program stays the job's,
// except a process the init itself creates that executes it as its first program: a helper of
// the sandbox (the package's code is never the init's child).
type Setup struct {
	// Init are the paths of the sandbox's init program, and of the loader that starts it when it
	// is started through one, as they appear in the traced execve.
	Init []string `json:"init"`
}

func (s *Setup) isInit(path string) bool {
	for _, p := range s.Init {
		if p == path {
			return true
		}
	}
	return false
}

// Defaults for Options.
const (
	DefaultMaxEvents    = 20000
	DefaultMaxLineBytes = 1 << 20
	DefaultMaxDistinct  = 2000
)

// Trace is the parsed result.
type Trace struct {
	// Events kept: the head and the tail of the trace, in order.
	Events []Event `json:"events"`
	// Total is the number of events made; Dropped how many of them are not in Events.
	Total   int `json:"total"`
	Dropped int `json:"dropped"`
	// Processes is the process tree, by pid.
	Processes map[int]*Process `json:"processes"`
	// Roots are the pids whose parent was not traced.
	Roots   []int   `json:"roots"`
	Summary Summary `json:"summary"`
	// Lines read; BadLines not understood; LongLines cut at MaxLineBytes.
	Lines     int `json:"lines"`
	BadLines  int `json:"bad_lines"`
	LongLines int `json:"long_lines"`
	// OtherLines are the lines of a gVisor debug log that are not its strace.
	OtherLines int `json:"other_lines"`
	// SetupProcesses and SetupEvents count the sandbox's own processes (threads included) and
	// their events (see Options.Setup); neither is in Processes, Events or Summary.
	SetupProcesses int `json:"setup_processes,omitempty"`
	SetupEvents    int `json:"setup_events,omitempty"`

	byNSPID map[int][]*Process // Processes by NSPID, ordered by start (see TracerPID)
}

// Parser turns strace output into events, one line at a time.
type Parser struct {
	opts  Options
	pids  map[int]*pidState
	order []int
	head  []Event
	tail  []Event // ring buffer
	tpos  int
	sum   *summarizer
	tr    Trace
}

// NewParser returns a parser with the given options.
func NewParser(opts Options) *Parser {
	if opts.MaxEvents <= 0 {
		opts.MaxEvents = DefaultMaxEvents
	}
	if opts.MaxLineBytes <= 0 {
		opts.MaxLineBytes = DefaultMaxLineBytes
	}
	if opts.MaxDistinct <= 0 {
		opts.MaxDistinct = DefaultMaxDistinct
	}
	return &Parser{opts: opts, pids: map[int]*pidState{}, sum: newSummarizer(opts.MaxDistinct)}
}

// Parse reads a whole strace output file.
func Parse(r io.Reader, opts Options) (*Trace, error) {
	p := NewParser(opts)
	if err := p.Consume(r); err != nil {
		return p.Finish(), err
	}
	return p.Finish(), nil
}

// Consume feeds every line of r to the parser, cutting lines longer than MaxLineBytes.
func (p *Parser) Consume(r io.Reader) error {
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	long := false
	for {
		chunk, isPrefix, err := br.ReadLine()
		if len(chunk) > 0 || (err == nil && !isPrefix) {
			if room := p.opts.MaxLineBytes - len(buf); room > 0 {
				if len(chunk) > room {
					chunk, long = chunk[:room], true
				}
				buf = append(buf, chunk...)
			} else if len(chunk) > 0 {
				long = true
			}
		}
		if err != nil {
			if len(buf) > 0 {
				p.feed(string(buf), long)
			}
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("reading strace output: %w", err)
		}
		if isPrefix {
			continue
		}
		p.feed(string(buf), long)
		buf, long = buf[:0], false
	}
}

// Feed parses one line.
func (p *Parser) Feed(line string) { p.feed(line, false) }

func (p *Parser) feed(line string, long bool) {
	p.tr.Lines++
	if long {
		p.tr.LongLines++
	}
	if strings.TrimSpace(line) == "" {
		return
	}
	if isGVisorLine(line) {
		year := p.opts.Year
		if year == 0 {
			year = time.Now().Year()
		}
		ln, ok := parseGVisorLine(line, year)
		if !ok {
			p.tr.OtherLines++
			return
		}
		if ln.Type != LineOther {
			p.handle(ln)
		}
		return
	}
	ln, err := ParseLine(line)
	if err != nil && long {
		// A call cut by the line cap: keep what its beginning says.
		if l2, err2 := ParseLine(line + unfinishedMark); err2 == nil && l2.Type == LineUnfinished {
			l2.Type, l2.Result = LineSyscall, "?"
			ln, err = l2, nil
		}
	}
	if err != nil {
		p.tr.BadLines++
		return
	}
	p.handle(ln)
}

// Add puts an event made elsewhere (a DNS lookup from the resolver log) into the trace.
func (p *Parser) Add(ev Event) { p.emit(ev) }

func (p *Parser) state(pid int, ln Line) *pidState {
	if st, ok := p.pids[pid]; ok {
		return st
	}
	st := &pidState{proc: &Process{PID: pid, Start: ln.Time}}
	// A child can be seen before its parent's fork returns: adopt it provisionally into the
	// one pid that is inside a fork right now.
	if parent := p.forkingParent(); parent != nil {
		p.link(parent, st, parent.pending.Name, parent.pending.Args)
	} else {
		st.cwd = &cwdRef{dir: ""}
		if len(p.pids) == 0 {
			st.cwd.dir = p.opts.Cwd
		}
		st.fds = &fdTable{m: map[int]string{}}
		switch {
		case p.opts.Setup == nil:
			st.role = roleJob
		case len(p.pids) == 0:
			st.role = roleSetup // the first traced process: the sandbox itself
		default:
			// Its creator is not known yet (two processes were inside a fork): hold its
			// events until the fork returns and names it.
			st.role = roleUndecided
		}
	}
	p.pids[pid] = st
	p.order = append(p.order, pid)
	return st
}

func (p *Parser) forkingParent() *pidState {
	var found *pidState
	for _, st := range p.pids {
		if st.pending != nil && isForkCall(st.pending.Name) && !st.proc.Exited {
			if found != nil {
				return nil // ambiguous
			}
			found = st
		}
	}
	return found
}

func isForkCall(name string) bool {
	switch name {
	case "clone", "clone3", "fork", "vfork":
		return true
	}
	return false
}

// link makes child a child of parent, sharing or copying cwd and descriptors as the clone
// flags say.
func (p *Parser) link(parent, child *pidState, call, args string) {
	if child.proc.PPID == parent.proc.PID {
		return
	}
	child.proc.PPID = parent.proc.PID
	child.proc.Comm = parent.proc.Comm
	parent.proc.Children = append(parent.proc.Children, child.proc.PID)
	child.proc.Thread = strings.Contains(args, "CLONE_THREAD")
	p.decide(child, childRole(parent.role, child.proc.Thread))
	if (call == "clone" || call == "clone3") && strings.Contains(args, "CLONE_FS") {
		child.cwd = parent.cwd
	} else {
		child.cwd = &cwdRef{dir: parent.cwd.dir}
	}
	if (call == "clone" || call == "clone3") && strings.Contains(args, "CLONE_FILES") {
		child.fds = parent.fds
	} else {
		child.fds = parent.fds.clone()
	}
}

func (p *Parser) handle(ln Line) {
	st := p.state(ln.PID, ln)
	switch ln.Type {
	case LineUnfinished:
		l := ln
		st.pending = &l
		return
	case LineResumed:
		if st.pending != nil && st.pending.Name == ln.Name {
			full := *st.pending
			full.Type = LineSyscall
			full.Args = st.pending.Args + ln.Args
			full.Result = ln.Result
			st.pending = nil
			p.syscall(st, full)
			return
		}
		st.pending = nil
		ln.Type = LineSyscall
		p.syscall(st, ln)
	case LineSyscall:
		if st.pending != nil && st.pending.Name == ln.Name {
			st.pending = nil // gVisor: the exit line repeats the whole call
		}
		p.syscall(st, ln)
	case LineSignal:
		if ln.Name == "SIGCHLD" {
			return
		}
		p.emit(Event{Time: ln.Time, PID: ln.PID, Kind: KindSignal, Signal: ln.Name, Detail: "received"})
	case LineExited, LineKilled:
		st.pending = nil
		pr := st.proc
		pr.Exited, pr.End = true, ln.Time
		ev := Event{Time: ln.Time, PID: ln.PID, Kind: KindExit}
		if ln.Type == LineExited {
			code := ln.Status
			pr.ExitCode, ev.ExitCode = code, &code
		} else {
			pr.Signal, ev.Signal = ln.Name, ln.Name
			ev.Detail = strings.TrimSpace(ln.Text)
		}
		p.emit(ev)
	}
}

// emit fills in the parent, hands the event to OnEvent, counts it and keeps it if there is room.
// Events of the sandbox's own processes are only counted; those of a process whose creator is
// not known yet are held until it is.
func (p *Parser) emit(ev Event) {
	if st, ok := p.pids[ev.PID]; ok {
		switch st.role {
		case roleSetup, roleInit:
			p.tr.SetupEvents++
			return
		case roleUndecided:
			if len(st.held) < maxHeld {
				st.held = append(st.held, ev)
			} else {
				p.tr.Total++
				p.tr.Dropped++
			}
			return
		}
		if ev.PPID == 0 {
			ev.PPID = st.proc.PPID
		}
		if ev.Comm == "" {
			ev.Comm = st.proc.Comm
		}
	}
	if p.opts.OnEvent != nil {
		p.opts.OnEvent(ev)
	}
	p.sum.add(ev)
	p.tr.Total++
	headCap := p.opts.MaxEvents - p.opts.MaxEvents/2
	if len(p.head) < headCap {
		p.head = append(p.head, ev)
		return
	}
	tailCap := p.opts.MaxEvents / 2
	if tailCap == 0 {
		p.tr.Dropped++
		return
	}
	if len(p.tail) < tailCap {
		p.tail = append(p.tail, ev)
		return
	}
	p.tail[p.tpos] = ev
	p.tpos = (p.tpos + 1) % tailCap
	p.tr.Dropped++
}

// Finish ends the trace: calls still unfinished are dropped, parents learnt late are filled in.
func (p *Parser) Finish() *Trace {
	// A process whose creator never showed (its fork did not return before the trace ended)
	// is counted as the job's: nothing of what a package does may go unseen.
	for _, pid := range p.order {
		if st := p.pids[pid]; st.role == roleUndecided {
			p.decide(st, roleJob)
		}
	}
	tr := p.tr
	tr.Events = make([]Event, 0, len(p.head)+len(p.tail))
	tr.Events = append(tr.Events, p.head...)
	tr.Events = append(tr.Events, p.tail[p.tpos:]...)
	tr.Events = append(tr.Events, p.tail[:p.tpos]...)
	tr.Processes = make(map[int]*Process, len(p.pids))
	for _, pid := range p.order {
		if st := p.pids[pid]; st.role != roleJob {
			tr.SetupProcesses++
			continue
		}
		pr := p.pids[pid].proc
		tr.Processes[pid] = pr
	}
	for _, pid := range p.order {
		pr, ok := tr.Processes[pid]
		if !ok {
			continue
		}
		if _, ok := tr.Processes[pr.PPID]; !ok {
			tr.Roots = append(tr.Roots, pid)
		}
	}
	for i := range tr.Events {
		if ev := &tr.Events[i]; ev.PPID == 0 {
			if pr, ok := tr.Processes[ev.PID]; ok {
				ev.PPID = pr.PPID
			}
		}
	}
	tr.Summary = p.sum.summary()
	return &tr
}

// maxHeld bounds the events held for one process whose creator is not known yet.
const maxHeld = 4096

// parentRole is the role of st's creator; roleJob when it is not known.
func (p *Parser) parentRole(st *pidState) role {
	if parent, ok := p.pids[st.proc.PPID]; ok && st.proc.PPID != 0 {
		return parent.role
	}
	return roleJob
}

// childRole is the role of a process created by one of role parent.
func childRole(parent role, thread bool) role {
	switch parent {
	case roleInit:
		if thread {
			return roleInit // the init's threads: any of them may start the command
		}
		return roleJob
	case roleSetup, roleUndecided:
		return parent
	}
	return roleJob
}

// decide gives st its role and, once it is known, passes on the events held for it and decides
// its children that waited on it.
func (p *Parser) decide(st *pidState, r role) {
	was := st.role
	st.role = r
	if r == roleUndecided || was != roleUndecided {
		return
	}
	held := st.held
	st.held = nil
	for _, ev := range held {
		p.emit(ev)
	}
	for _, c := range st.proc.Children {
		if cst, ok := p.pids[c]; ok && cst.role == roleUndecided {
			p.decide(cst, childRole(r, cst.proc.Thread))
		}
	}
}

// resolve makes a path argument absolute against a directory descriptor or the cwd.
func (p *Parser) resolve(st *pidState, dir fdArg, name string) (string, bool) {
	if name == "" {
		if dir.hasPath {
			return dir.path, true
		}
		if dir.ok && dir.fd >= 0 {
			if d, ok := st.fds.m[dir.fd]; ok {
				return d, true
			}
		}
		return "", false
	}
	if strings.HasPrefix(name, "/") {
		return path.Clean(name), true
	}
	base := ""
	switch {
	case dir.hasPath:
		base = dir.path
	case !dir.ok || dir.fd == atFDCWD:
		base = st.cwd.dir
	default:
		base = st.fds.m[dir.fd]
	}
	if base == "" {
		return name, false
	}
	return path.Join(base, name), true
}

var cwdFD = fdArg{fd: atFDCWD, ok: true}
