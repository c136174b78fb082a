package behavior

import (
	"fmt"
	"net/netip"
	"path"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/trace"
)

// EvalContext describes the job whose events are judged.
type EvalContext struct {
	// Phase is the task the events come from: fetch, build, install, import or test.
	Phase string
	// Home is the sandbox HOME (where the decoys live): "~" in rules.
	Home string
	// WorkDirs are the job's own directories (work dir, source tree, build dir, environment):
	// "$WORK" in rules.
	WorkDirs []string
	// SitePackages are the site-packages directories of the job's environment: "$SITE".
	SitePackages []string
	// TempDirs are "$TMP"; empty means /tmp, /var/tmp and /dev/shm.
	TempDirs []string
	// Resolver is the sandbox's own DNS resolver, "$RESOLVER"; empty means 127.0.0.1:53.
	Resolver string
	// IndexBridge is the address of the index proxy bridged into the sandbox, "$INDEX"; only
	// excluded in the fetch phase.
	IndexBridge string
	// MaxEvidence is how many events a finding keeps; 0 means 5.
	MaxEvidence int
}

func (c *EvalContext) tempDirs() []string {
	if len(c.TempDirs) > 0 {
		return c.TempDirs
	}
	return []string{"/tmp", "/var/tmp", "/dev/shm"}
}

// Finding is what a rule concluded, with the events that show it.
type Finding struct {
	RuleID   string          `json:"rule_id"`
	Severity report.Severity `json:"severity"`
	Title    string          `json:"title"`
	Message  string          `json:"message"`
	// Subject is what the finding is about: the path, address, command line or name.
	Subject string `json:"subject"`
	// Evidence holds the first MaxEvidence matching events; Count counts them all, and
	// Distinct the distinct subjects among them.
	Evidence []trace.Event `json:"evidence"`
	Count    int           `json:"count"`
	More     int           `json:"more,omitempty"`
	Distinct int           `json:"distinct"`
	// Outcome is OutcomeDone when at least one matching call did not fail, else
	// OutcomeAttempted (every one was refused: only a rule whose result is "attempt" or
	// "failure" fires on those).
	Outcome string `json:"outcome"`
}

// The values of Finding.Outcome.
const (
	OutcomeDone      = "done"
	OutcomeAttempted = "attempted"
)

// Evaluate applies rules to events and returns the findings, most severe first.
func Evaluate(events []trace.Event, ctx EvalContext, rules []Rule) ([]Finding, error) {
	ev, err := NewEvaluator(ctx, rules)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		ev.Add(e)
	}
	return ev.Findings(), nil
}

// Evaluator judges events one at a time, so that a trace too large to keep (see
// trace.Options.OnEvent) is still judged whole.
type Evaluator struct {
	ctx    EvalContext
	rules  []activeRule
	groups map[groupKey]*group
	order  []groupKey
}

type activeRule struct {
	r              *Rule
	paths, exPaths []glob
	exEndpoints    []string
	// exSockets are the exclude_endpoints of Unix sockets given as path patterns with a
	// variable ("unix:$TMP/**"), expanded.
	exSockets []glob
}

type groupKey struct {
	rule string
	key  string
}

type group struct {
	rule     *Rule
	subject  string
	evidence []trace.Event
	count    int
	subjects map[string]bool
	// done is the first matching call that did not fail, if any.
	done *trace.Event
}

// maxSubjects caps the distinct subjects a group remembers.
const maxSubjects = 1000

// NewEvaluator prepares rules for one job. Rules that do not apply to ctx.Phase are left out.
func NewEvaluator(ctx EvalContext, rules []Rule) (*Evaluator, error) {
	if ctx.MaxEvidence <= 0 {
		ctx.MaxEvidence = 5
	}
	if ctx.Resolver == "" {
		ctx.Resolver = "127.0.0.1:53"
	}
	e := &Evaluator{ctx: ctx, groups: map[groupKey]*group{}}
	for i := range rules {
		r := &rules[i]
		if r.Disabled {
			continue
		}
		if r.c == nil {
			if err := r.Compile(); err != nil {
				return nil, err
			}
		}
		if len(r.c.phases) > 0 && !r.c.phases[ctx.Phase] {
			continue
		}
		ar := activeRule{r: r}
		var err error
		if ar.paths, err = expandGlobs(r.c.paths, &ctx); err != nil {
			return nil, fmt.Errorf("rule %q: %w", r.ID, err)
		}
		if ar.exPaths, err = expandGlobs(r.c.exPaths, &ctx); err != nil {
			return nil, fmt.Errorf("rule %q: %w", r.ID, err)
		}
		if len(r.c.paths) > 0 && len(ar.paths) == 0 {
			continue // its paths name directories this job does not have
		}
		for _, s := range r.c.exEndpoints {
			switch s {
			case "$RESOLVER":
				ar.exEndpoints = append(ar.exEndpoints, ctx.Resolver)
			case "$INDEX":
				if ctx.Phase == "fetch" && ctx.IndexBridge != "" {
					ar.exEndpoints = append(ar.exEndpoints, ctx.IndexBridge)
				}
			default:
				if p, ok := strings.CutPrefix(s, "unix:"); ok && strings.HasPrefix(p, "$") {
					globs, err := expandGlobs([]string{p}, &ctx)
					if err != nil {
						return nil, fmt.Errorf("rule %q: %w", r.ID, err)
					}
					ar.exSockets = append(ar.exSockets, globs...)
					continue
				}
				ar.exEndpoints = append(ar.exEndpoints, s)
			}
		}
		e.rules = append(e.rules, ar)
	}
	return e, nil
}

func expandGlobs(patterns []string, ctx *EvalContext) ([]glob, error) {
	var out []glob
	for _, p := range patterns {
		for _, x := range expandPattern(p, ctx) {
			g, err := newGlob(x)
			if err != nil {
				return nil, fmt.Errorf("path pattern %q: %w", x, err)
			}
			out = append(out, g)
		}
	}
	return out, nil
}

// Add judges one event.
func (e *Evaluator) Add(ev trace.Event) {
	for i := range e.rules {
		ar := &e.rules[i]
		subject, ok := e.match(ar, ev)
		if !ok {
			continue
		}
		key := groupKey{rule: ar.r.ID}
		switch ar.r.GroupBy {
		case "pid":
			key.key = strconv.Itoa(ev.PID)
		case "top":
			key.key = topDir(subject, e.ctx.Home)
		case "rule":
		default:
			key.key = subject
		}
		if c := ar.r.c; e.ctx.Phase == "test" && !c.kinds[trace.KindFileWrite] && !c.kinds[trace.KindFileCreate] && !c.kinds[trace.KindRename] {
			// A test suite starts its processes by the dozen (setproctitle's tests run ps in
			// each): what one rule sees while the tests run is one finding, with its count and
			// distinct subjects, not one per process or path. A file written stays one finding
			// per file: each written .pth is vetted on its own (a test tool's, or not).
			key.key = ""
		}
		g := e.groups[key]
		if g == nil {
			g = &group{rule: ar.r, subject: subject, subjects: map[string]bool{}}
			e.groups[key] = g
			e.order = append(e.order, key)
		}
		g.count++
		if g.done == nil && !ev.Failed() {
			e := ev
			g.done = &e
		}
		if len(g.subjects) < maxSubjects {
			g.subjects[subject] = true
		}
		if len(g.evidence) < e.ctx.MaxEvidence {
			g.evidence = append(g.evidence, ev)
		}
	}
}

// Findings returns what the events so far show, most severe first, then in order of first
// evidence.
func (e *Evaluator) Findings() []Finding {
	var out []Finding
	for _, k := range e.order {
		g := e.groups[k]
		min := g.rule.MinDistinct
		if min < 1 {
			min = 1
		}
		if len(g.subjects) < min {
			continue
		}
		subject := g.subject
		if len(g.subjects) > 1 {
			subject = fmt.Sprintf("%s (and %d more)", g.subject, len(g.subjects)-1)
		}
		sev := g.rule.Severity
		if e.ctx.Phase == "test" && sev.Rank() > report.SeverityMedium.Rank() {
			// What a test suite does runs only where its tests run, never where the package is
			// installed or imported: a test of psutil reads other processes' environments, as
			// psutil does, and distlib's read ~/.pypirc through its upload API. It is shown, at
			// medium. Credentials sent out stay critical in every phase (sinkhole-credentials,
			// judged apart from these rules).
			sev = report.SeverityMedium
		}
		f := Finding{
			RuleID: g.rule.ID, Severity: sev, Title: g.rule.Title, Subject: subject,
			Evidence: g.evidence, Count: g.count, More: g.count - len(g.evidence), Distinct: len(g.subjects),
			Outcome: OutcomeAttempted,
		}
		if g.done != nil {
			f.Outcome = OutcomeDone
		}
		f.Message = e.message(g)
		out = append(out, f)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Severity.Rank() > out[j].Severity.Rank() })
	return out
}

// message fills the rule's template from the first evidence, or from the first call that was
// done when an earlier one failed: the message says the most that happened.
func (e *Evaluator) message(g *group) string {
	first := g.evidence[0]
	if g.done != nil && first.Failed() {
		first = *g.done
	}
	d := newMessageData(first, e.ctx.Phase, g.count, len(g.subjects))
	var b strings.Builder
	if err := g.rule.c.msg.Execute(&b, d); err != nil {
		// Compile ran the template on sample data; fall back to the title all the same.
		return g.rule.Title + ": " + g.subject
	}
	return b.String()
}

// match tests one event against one rule and returns the subject it is about.
func (e *Evaluator) match(ar *activeRule, ev trace.Event) (string, bool) {
	r, c := ar.r, ar.r.c
	if !c.kinds[ev.Kind] {
		return "", false
	}
	if len(c.syscalls) > 0 && !c.syscalls[ev.Syscall] {
		return "", false
	}
	switch r.Result {
	case ResultSuccess:
		if ev.Failed() {
			return "", false
		}
	case ResultFailure:
		if !ev.Failed() {
			return "", false
		}
	}
	if ev.Errno != "" && c.exErrnos[ev.Errno] {
		return "", false
	}
	subject := ev.Subject()
	if len(ar.paths) > 0 || len(ar.exPaths) > 0 {
		p, ok := matchPath(ar, ev)
		if !ok {
			return "", false
		}
		if p != "" {
			subject = p
		}
	}
	if len(c.programs) > 0 && !matchAny(c.programs, ev.Program()) {
		return "", false
	}
	if len(c.argv) > 0 || len(c.exArgv) > 0 {
		cmd := strings.Join(ev.Argv, " ")
		if len(c.argv) > 0 && !anyRegexp(c.argv, cmd) {
			return "", false
		}
		if anyRegexp(c.exArgv, cmd) {
			return "", false
		}
	}
	if len(c.families) > 0 && !c.families[ev.Family] {
		return "", false
	}
	if len(c.addrs) > 0 || len(c.exAddrs) > 0 {
		a, err := netip.ParseAddr(ev.Address)
		if len(c.addrs) > 0 && (err != nil || !inPrefixes(c.addrs, a)) {
			return "", false
		}
		if err == nil && inPrefixes(c.exAddrs, a) {
			return "", false
		}
	}
	if (len(c.ports) > 0 && !c.ports[ev.Port]) || c.exPorts[ev.Port] {
		return "", false
	}
	if len(ar.exEndpoints) > 0 && excludedEndpoint(ar.exEndpoints, ev) {
		return "", false
	}
	if ev.Family == "AF_UNIX" && slices.ContainsFunc(ar.exSockets, func(g glob) bool { return g.match(ev.Address) }) {
		return "", false
	}
	if len(c.requests) > 0 && !c.requests[ev.Request] {
		return "", false
	}
	if len(c.details) > 0 && !anyRegexp(c.details, ev.Detail) {
		return "", false
	}
	if len(c.names) > 0 && !anyRegexp(c.names, ev.Name) {
		return "", false
	}
	return subject, true
}

// matchPath checks the event's path and, for a rename or a link, its destination: one of them
// must match the rule's paths (if any) without matching its exclusions.
func matchPath(ar *activeRule, ev trace.Event) (string, bool) {
	cands := []string{ev.Path}
	if ev.NewPath != "" {
		cands = []string{ev.NewPath, ev.Path}
	}
	for _, p := range cands {
		if p == "" {
			continue
		}
		if ev.Unresolved && len(ar.paths) == 0 {
			// Where a relative path lies is unknown: it cannot be said to be outside.
			continue
		}
		if !ev.Unresolved {
			p = path.Clean(p)
		}
		if len(ar.paths) > 0 && !matchAny(ar.paths, p) {
			continue
		}
		if matchAny(ar.exPaths, p) {
			continue
		}
		return p, true
	}
	return "", false
}

func matchAny(gs []glob, s string) bool {
	for _, g := range gs {
		if g.match(s) {
			return true
		}
	}
	return false
}

func inPrefixes(ps []netip.Prefix, a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func excludedEndpoint(list []string, ev trace.Event) bool {
	ep := ev.Endpoint()
	alt := ""
	if a, err := netip.ParseAddr(ev.Address); err == nil && a.Is4In6() {
		alt = netip.AddrPortFrom(a.Unmap(), uint16(ev.Port)).String()
	}
	for _, x := range list {
		if x == ep || x == alt {
			return true
		}
		if strings.HasPrefix(x, "unix:") {
			if ok, _ := path.Match(x, ep); ok {
				return true
			}
		}
	}
	return false
}

func anyRegexp(res []*regexp.Regexp, s string) bool {
	for _, re := range res {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// topDir is the directory a "top" group gathers: the first level below HOME for a path inside
// it, otherwise the first two levels ("/etc/cron.d", "/usr/lib").
func topDir(p, home string) string {
	home = strings.TrimRight(home, "/")
	if home != "" && strings.HasPrefix(p, home+"/") {
		first, _, _ := strings.Cut(p[len(home)+1:], "/")
		return home + "/" + first
	}
	parts := strings.SplitN(strings.TrimPrefix(p, "/"), "/", 3)
	if len(parts) > 2 {
		parts = parts[:2]
	}
	return "/" + strings.Join(parts, "/")
}
