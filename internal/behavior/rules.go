// Package behavior turns trace events into findings: each a severity, a sentence a person
// understands and the events that are its evidence. The rules are data (rules.toml, embedded,
// plus any file a user adds with LoadRules), matched against event kinds, path globs, programs
// and command lines, addresses and ports, with exclusions for the noise every build makes.
package behavior

import (
	_ "embed"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strings"
	"text/template"

	"github.com/BurntSushi/toml"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/trace"
)

//go:embed rules.toml
var defaultRulesTOML []byte

// Phases a rule can apply to.
var Phases = []string{"fetch", "build", "install", "import", "test"}

// Rule is one behaviour rule as written in TOML. An event matches when every condition that is
// set holds; the lists within a condition are alternatives. See rules.toml for examples.
type Rule struct {
	ID       string          `toml:"id"`
	Severity report.Severity `toml:"severity"`
	Title    string          `toml:"title"`
	// Message is a text/template over the first evidence event: {{.Path}}, {{.NewPath}},
	// {{.Endpoint}}, {{.Command}}, {{.Program}}, {{.Name}}, {{.Request}}, {{.Syscall}},
	// {{.Family}}, {{.Detail}}, {{.Signal}}, {{.PID}}, {{.Outcome}}, {{.Phase}}, {{.Count}},
	// {{.Subjects}}.
	Message string `toml:"message"`
	// Phases the rule applies to; empty means every phase.
	Phases []string `toml:"phases"`
	// Disabled turns off a rule of the same id from an earlier file.
	Disabled bool `toml:"disabled"`

	Kinds    []trace.Kind `toml:"kinds"`
	Syscalls []string     `toml:"syscalls"`
	// Result says which calls the rule judges, and every rule must say it: "success" (a call
	// that failed did nothing: a write refused with EROFS modified nothing), "attempt" (success
	// or failure: the attempt itself is the harm, as a connect out or the opening of a decoy
	// credential) or "failure" (only refused calls). ExcludeErrnos are failures that are no
	// attempt at all (a mkdir -p meeting an existing directory: EEXIST).
	Result        string   `toml:"result"`
	ExcludeErrnos []string `toml:"exclude_errnos"`
	// Paths are globs on the event's path (and a rename's destination): "*" within a segment,
	// "**" across segments, and a leading "~", "$WORK", "$SITE" or "$TMP" for the sandbox HOME,
	// the job's directories, its site-packages and the temporary directories.
	Paths        []string `toml:"paths"`
	ExcludePaths []string `toml:"exclude_paths"`
	// Programs are globs on the base name of an executed program.
	Programs []string `toml:"programs"`
	// Argv are regular expressions on the command line, arguments joined by spaces.
	Argv        []string `toml:"argv"`
	ExcludeArgv []string `toml:"exclude_argv"`
	// Families are socket families (AF_INET, AF_PACKET); Addresses are prefixes (10.0.0.0/8) or
	// addresses; Ports are port numbers, and ExcludePorts those never reported.
	Families         []string `toml:"families"`
	Addresses        []string `toml:"addresses"`
	ExcludeAddresses []string `toml:"exclude_addresses"`
	Ports            []int    `toml:"ports"`
	ExcludePorts     []int    `toml:"exclude_ports"`
	// ExcludeEndpoints are "address:port" (or "unix:/path" globs) never reported; "$RESOLVER" is
	// the sandbox's own resolver and "$INDEX" the index bridge (only in the fetch phase).
	ExcludeEndpoints []string `toml:"exclude_endpoints"`
	// Requests are ioctl or ptrace request names.
	Requests []string `toml:"requests"`
	// Details are regular expressions on the event detail (socket type, syscall arguments).
	Details []string `toml:"details"`
	// Names are regular expressions on a looked-up DNS name or a memfd name.
	Names []string `toml:"names"`
	// GroupBy is "subject" (default: one finding per rule and path, address or command), "top"
	// (one per top directory of the path: ~/.config, /etc/cron.d, /usr/lib), "pid" (one per
	// process) or "rule" (one in all).
	GroupBy string `toml:"group_by"`
	// MinDistinct is how many distinct subjects a group needs to become a finding (default 1).
	MinDistinct int `toml:"min_distinct"`

	c *compiled
}

type compiled struct {
	msg                *template.Template
	argv, exArgv       []*regexp.Regexp
	details, names     []*regexp.Regexp
	programs           []glob
	addrs, exAddrs     []netip.Prefix
	kinds              map[trace.Kind]bool
	syscalls, families map[string]bool
	requests, phases   map[string]bool
	exErrnos           map[string]bool
	ports, exPorts     map[int]bool
	paths, exPaths     []string // still holding variables: expanded per evaluation
	exEndpoints        []string
}

type ruleFile struct {
	Rule []Rule `toml:"rule"`
}

// DefaultRules returns the rules PYTI ships (rules.toml).
func DefaultRules() ([]Rule, error) {
	return ParseRules(defaultRulesTOML, "rules.toml (embedded)")
}

// LoadRules reads a user's rule file.
func LoadRules(path string) ([]Rule, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading rules: %w", err)
	}
	return ParseRules(b, path)
}

// ParseRules parses and checks rules written in TOML ([[rule]] tables); source names them in
// errors.
func ParseRules(data []byte, source string) ([]Rule, error) {
	var f ruleFile
	md, err := toml.Decode(string(data), &f)
	if err != nil {
		return nil, fmt.Errorf("rules %s: %w", source, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		return nil, fmt.Errorf("rules %s: unknown field %q", source, und[0].String())
	}
	seen := map[string]bool{}
	for i := range f.Rule {
		r := &f.Rule[i]
		if seen[r.ID] {
			return nil, fmt.Errorf("rules %s: rule %q defined twice", source, r.ID)
		}
		seen[r.ID] = true
		if err := r.Compile(); err != nil {
			return nil, fmt.Errorf("rules %s: %w", source, err)
		}
	}
	return f.Rule, nil
}

// MergeRules returns base with extra added; a rule of extra with the id of a rule of base
// replaces it (and removes it, if disabled).
func MergeRules(base, extra []Rule) []Rule {
	idx := map[string]int{}
	out := make([]Rule, 0, len(base)+len(extra))
	for _, r := range base {
		idx[r.ID] = len(out)
		out = append(out, r)
	}
	for _, r := range extra {
		if i, ok := idx[r.ID]; ok {
			out[i] = r
			continue
		}
		idx[r.ID] = len(out)
		out = append(out, r)
	}
	kept := out[:0]
	for _, r := range out {
		if !r.Disabled {
			kept = append(kept, r)
		}
	}
	return kept
}

// Compile checks the rule and prepares its patterns. Evaluate compiles rules that were not.
func (r *Rule) Compile() error {
	if r.Disabled {
		r.c = &compiled{}
		return nil
	}
	fail := func(format string, a ...any) error {
		return fmt.Errorf("rule %q: %s", r.ID, fmt.Sprintf(format, a...))
	}
	if r.ID == "" {
		return fmt.Errorf("rule without id (title %q)", r.Title)
	}
	if r.Severity.Rank() == 0 {
		return fail("unknown severity %q (want info, low, medium, high or critical)", r.Severity)
	}
	if r.Title == "" || r.Message == "" {
		return fail("needs a title and a message")
	}
	if len(r.Kinds) == 0 {
		return fail("needs at least one event kind")
	}
	c := &compiled{kinds: map[trace.Kind]bool{}, syscalls: set(r.Syscalls), families: set(r.Families),
		requests: set(r.Requests), phases: set(r.Phases), ports: map[int]bool{}, exPorts: map[int]bool{},
		exErrnos: set(r.ExcludeErrnos)}
	known := map[trace.Kind]bool{}
	for _, k := range trace.Kinds {
		known[k] = true
	}
	for _, k := range r.Kinds {
		if !known[k] {
			return fail("unknown event kind %q", k)
		}
		c.kinds[k] = true
	}
	for _, p := range r.Phases {
		if !contains(Phases, p) {
			return fail("unknown phase %q (want one of %s)", p, strings.Join(Phases, ", "))
		}
	}
	switch r.Result {
	case ResultSuccess, ResultFailure:
	case ResultAttempt:
		// A finding may then be about a call that failed: its message must say so.
		if !strings.Contains(r.Message, ".Outcome") && !onlyKinds(r.Kinds, trace.KindDNS) {
			return fail(`result "attempt": the message must say whether it was done or only attempted ({{.Outcome}})`)
		}
	case "", "any":
		return fail(`result %q: say "success" (a failed call did nothing) or "attempt" (a failed attempt is the harm too)`, r.Result)
	default:
		return fail("result %q: want success, attempt or failure", r.Result)
	}
	switch r.GroupBy {
	case "", "subject", "top", "pid", "rule":
	default:
		return fail("group_by %q: want subject, top, pid or rule", r.GroupBy)
	}
	for _, p := range r.Ports {
		c.ports[p] = true
	}
	for _, p := range r.ExcludePorts {
		c.exPorts[p] = true
	}
	var err error
	tmpl := template.New(r.ID).Option("missingkey=error")
	if c.msg, err = tmpl.Parse(r.Message); err != nil {
		return fail("message: %v", err)
	}
	if err := c.msg.Execute(discard{}, sampleData()); err != nil {
		return fail("message: %v", err)
	}
	for _, lists := range []struct {
		in  []string
		out *[]*regexp.Regexp
	}{{r.Argv, &c.argv}, {r.ExcludeArgv, &c.exArgv}, {r.Details, &c.details}, {r.Names, &c.names}} {
		for _, s := range lists.in {
			re, err := regexp.Compile(s)
			if err != nil {
				return fail("pattern %q: %v", s, err)
			}
			*lists.out = append(*lists.out, re)
		}
	}
	for _, s := range r.Programs {
		g, err := newGlob(s)
		if err != nil || strings.Contains(s, "/") {
			return fail("program pattern %q: a base-name glob", s)
		}
		c.programs = append(c.programs, g)
	}
	for _, lists := range []struct {
		in  []string
		out *[]string
	}{{r.Paths, &c.paths}, {r.ExcludePaths, &c.exPaths}} {
		for _, s := range lists.in {
			if _, err := newGlob(s); err != nil {
				return fail("path pattern %q: %v", s, err)
			}
			*lists.out = append(*lists.out, s)
		}
	}
	for _, lists := range []struct {
		in  []string
		out *[]netip.Prefix
	}{{r.Addresses, &c.addrs}, {r.ExcludeAddresses, &c.exAddrs}} {
		for _, s := range lists.in {
			p, err := parsePrefix(s)
			if err != nil {
				return fail("address %q: %v", s, err)
			}
			*lists.out = append(*lists.out, p)
		}
	}
	c.exEndpoints = r.ExcludeEndpoints
	r.c = c
	return nil
}

// The values of Rule.Result.
const (
	ResultSuccess = "success"
	ResultAttempt = "attempt"
	ResultFailure = "failure"
)

// onlyKinds reports whether every kind of list is k.
func onlyKinds(list []trace.Kind, k trace.Kind) bool {
	for _, x := range list {
		if x != k {
			return false
		}
	}
	return len(list) > 0
}

func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func set(list []string) map[string]bool {
	m := make(map[string]bool, len(list))
	for _, s := range list {
		m[s] = true
	}
	return m
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
