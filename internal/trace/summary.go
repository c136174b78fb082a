package trace

import (
	"sort"
	"strings"
)

// Summary counts what a trace holds, over every event made (kept or dropped).
type Summary struct {
	Counts map[Kind]int `json:"counts"`
	// Distinct absolute paths read successfully, and written, created, deleted, renamed, chmod'ed
	// or made (directories), sorted; *More counts those past the cap.
	FilesRead        []string `json:"files_read"`
	FilesReadMore    int      `json:"files_read_more,omitempty"`
	FilesWritten     []string `json:"files_written"`
	FilesWrittenMore int      `json:"files_written_more,omitempty"`
	// Commands are the distinct command lines executed successfully, in order of first run.
	Commands     []string `json:"commands"`
	CommandsMore int      `json:"commands_more,omitempty"`
	// Network lists every distinct connect, bind or send with its endpoint, and DNS names.
	Network     []NetworkAttempt `json:"network"`
	NetworkMore int              `json:"network_more,omitempty"`
}

// NetworkAttempt is one distinct endpoint a process tried to reach, bind or ask about.
type NetworkAttempt struct {
	Kind     Kind   `json:"kind"`
	Endpoint string `json:"endpoint"`
	// Count of attempts; Failed of those that returned an error (the last errno in Errno).
	Count  int    `json:"count"`
	Failed int    `json:"failed"`
	Errno  string `json:"errno,omitempty"`
}

type distinct struct {
	max   int
	seen  map[string]bool
	order []string
	more  int
}

func (d *distinct) add(s string) {
	if d.seen[s] {
		return
	}
	if len(d.order) >= d.max {
		d.more++
		return
	}
	d.seen[s] = true
	d.order = append(d.order, s)
}

type summarizer struct {
	counts                       map[Kind]int
	read, written, commands, net distinct
	netIdx                       map[string]int
	netList                      []NetworkAttempt
}

func newSummarizer(max int) *summarizer {
	mk := func() distinct { return distinct{max: max, seen: map[string]bool{}} }
	return &summarizer{counts: map[Kind]int{}, read: mk(), written: mk(), commands: mk(), net: mk(), netIdx: map[string]int{}}
}

func (s *summarizer) add(ev Event) {
	s.counts[ev.Kind]++
	switch ev.Kind {
	case KindFileRead:
		if !ev.Failed() && !ev.Unresolved {
			s.read.add(ev.Path)
		}
	case KindFileWrite, KindFileCreate, KindFileDelete, KindChmod, KindMkdir:
		if !ev.Failed() {
			s.written.add(ev.Path)
		}
	case KindRename:
		if !ev.Failed() {
			s.written.add(ev.Path)
			s.written.add(ev.NewPath)
		}
	case KindExec:
		if !ev.Failed() {
			s.commands.add(strings.Join(ev.Argv, " "))
		}
	case KindConnect, KindBind, KindSend, KindDNS:
		key := string(ev.Kind) + " " + ev.Subject()
		i, ok := s.netIdx[key]
		if !ok {
			if len(s.netList) >= s.net.max {
				s.net.more++
				return
			}
			i = len(s.netList)
			s.netIdx[key] = i
			s.netList = append(s.netList, NetworkAttempt{Kind: ev.Kind, Endpoint: ev.Subject()})
		}
		na := &s.netList[i]
		na.Count++
		if ev.Failed() {
			na.Failed++
			na.Errno = ev.Errno
		}
	}
}

func (s *summarizer) summary() Summary {
	counts := make(map[Kind]int, len(s.counts))
	for k, v := range s.counts {
		counts[k] = v
	}
	sorted := func(d distinct) []string {
		out := append([]string(nil), d.order...)
		sort.Strings(out)
		return out
	}
	return Summary{
		Counts:    counts,
		FilesRead: sorted(s.read), FilesReadMore: s.read.more,
		FilesWritten: sorted(s.written), FilesWrittenMore: s.written.more,
		Commands: append([]string(nil), s.commands.order...), CommandsMore: s.commands.more,
		Network: append([]NetworkAttempt(nil), s.netList...), NetworkMore: s.net.more,
	}
}
