package pep440

import (
	"errors"
	"fmt"
	"strings"
)

// ErrInvalidMarker is wrapped by every error ParseMarker returns.
var ErrInvalidMarker = errors.New("invalid marker")

// Marker is a parsed PEP 508 environment marker, such as
// `python_version < "3.8" and extra == "test"`.
type Marker struct {
	expr markerList
}

// markerList is a sequence of atoms joined by boolean operators, kept flat
// as written (packaging's representation): "and" binds tighter than "or"
// at evaluation time, and parentheses are nested lists.
type markerList []markerElem

// markerElem is exactly one of: a boolean operator, a comparison, or a
// parenthesised group.
type markerElem struct {
	boolOp string // "and" or "or"
	cmp    *markerCmp
	group  markerList
}

// markerCmp is one comparison `lhs op rhs`.
type markerCmp struct {
	lhs, rhs markerValue
	op       string // a version operator, "in" or "not in"
}

// markerValue is an environment variable name or a string literal.
type markerValue struct {
	variable bool
	text     string
}

// markerVariables maps every accepted spelling of a marker variable to its
// canonical name (dotted and legacy spellings included, as packaging does).
var markerVariables = map[string]string{
	"python_version":                 "python_version",
	"python_full_version":            "python_full_version",
	"os_name":                        "os_name",
	"os.name":                        "os_name",
	"sys_platform":                   "sys_platform",
	"sys.platform":                   "sys_platform",
	"platform_release":               "platform_release",
	"platform_system":                "platform_system",
	"platform_version":               "platform_version",
	"platform.version":               "platform_version",
	"platform_machine":               "platform_machine",
	"platform.machine":               "platform_machine",
	"platform_python_implementation": "platform_python_implementation",
	"platform.python_implementation": "platform_python_implementation",
	"python_implementation":          "platform_python_implementation",
	"implementation_name":            "implementation_name",
	"implementation_version":         "implementation_version",
	"extra":                          "extra",
}

// ParseMarker parses a PEP 508 marker expression.
func ParseMarker(s string) (*Marker, error) {
	p := &markerParser{src: s}
	list, err := p.parseList()
	if err != nil {
		return nil, err
	}
	p.skipWS()
	if !p.eof() {
		return nil, p.errorf("expected 'and', 'or' or end of marker")
	}
	return &Marker{expr: list}, nil
}

// markerParser is a hand-written recursive descent parser over a marker,
// which may be embedded in a requirement (then it stops at the first
// character it cannot use).
type markerParser struct {
	src   string
	pos   int
	depth int
}

// maxMarkerDepth bounds parenthesis nesting so hostile input cannot exhaust the stack.
const maxMarkerDepth = 100

func (p *markerParser) eof() bool { return p.pos >= len(p.src) }

func (p *markerParser) skipWS() {
	for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.src[p.pos] == '\t') {
		p.pos++
	}
}

func (p *markerParser) errorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s at position %d: %s", ErrInvalidMarker, quote(p.src), p.pos, fmt.Sprintf(format, args...))
}

// word returns the run of identifier characters at the current position.
func (p *markerParser) word() string {
	end := p.pos
	for end < len(p.src) {
		c := p.src[end]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' {
			end++
			continue
		}
		break
	}
	return p.src[p.pos:end]
}

// parseList is `marker = atom (BOOLOP atom)*`.
func (p *markerParser) parseList() (markerList, error) {
	var list markerList
	for {
		atom, err := p.parseAtom()
		if err != nil {
			return nil, err
		}
		list = append(list, atom)
		p.skipWS()
		w := p.word()
		if w != "and" && w != "or" {
			return list, nil
		}
		p.pos += len(w)
		list = append(list, markerElem{boolOp: w})
	}
}

// parseAtom is `atom = '(' marker ')' | var op var`.
func (p *markerParser) parseAtom() (markerElem, error) {
	p.skipWS()
	if p.pos < len(p.src) && p.src[p.pos] == '(' {
		if p.depth >= maxMarkerDepth {
			return markerElem{}, p.errorf("parentheses nested too deeply")
		}
		p.depth++
		p.pos++
		list, err := p.parseList()
		if err != nil {
			return markerElem{}, err
		}
		p.skipWS()
		if p.pos >= len(p.src) || p.src[p.pos] != ')' {
			return markerElem{}, p.errorf("expected ')'")
		}
		p.pos++
		p.depth--
		return markerElem{group: list}, nil
	}
	lhs, err := p.parseValue()
	if err != nil {
		return markerElem{}, err
	}
	p.skipWS()
	op, err := p.parseOp()
	if err != nil {
		return markerElem{}, err
	}
	p.skipWS()
	rhs, err := p.parseValue()
	if err != nil {
		return markerElem{}, err
	}
	return markerElem{cmp: &markerCmp{lhs: lhs, op: op, rhs: rhs}}, nil
}

func (p *markerParser) parseValue() (markerValue, error) {
	if p.eof() {
		return markerValue{}, p.errorf("expected a marker variable or a quoted string")
	}
	if q := p.src[p.pos]; q == '\'' || q == '"' {
		end := strings.IndexByte(p.src[p.pos+1:], q)
		if end < 0 {
			return markerValue{}, p.errorf("unterminated string")
		}
		v := markerValue{text: p.src[p.pos+1 : p.pos+1+end]}
		p.pos += end + 2
		return v, nil
	}
	w := p.word()
	name, ok := markerVariables[w]
	if !ok {
		if w == "" {
			return markerValue{}, p.errorf("expected a marker variable or a quoted string")
		}
		return markerValue{}, p.errorf("unknown marker variable %s", quote(w))
	}
	p.pos += len(w)
	return markerValue{variable: true, text: name}, nil
}

func (p *markerParser) parseOp() (string, error) {
	for _, op := range operators {
		if strings.HasPrefix(p.src[p.pos:], op) {
			p.pos += len(op)
			return op, nil
		}
	}
	switch p.word() {
	case "in":
		p.pos += 2
		return "in", nil
	case "not":
		p.pos += 3
		start := p.pos
		p.skipWS()
		if p.pos == start || p.word() != "in" {
			return "", p.errorf("expected 'in' after 'not'")
		}
		p.pos += 2
		return "not in", nil
	}
	return "", p.errorf("expected a marker operator (<, <=, ==, !=, >=, >, ~=, ===, in, not in)")
}

// String returns the marker in packaging's normalised form: canonical
// variable names, double-quoted strings, single spaces, and the
// parentheses as written (except around the whole marker).
func (m *Marker) String() string {
	if m == nil {
		return ""
	}
	var b strings.Builder
	writeMarkerList(&b, unwrap(m.expr), true)
	return b.String()
}

// unwrap removes parentheses around the whole marker, "(a)" being "a".
func unwrap(l markerList) markerList {
	for len(l) == 1 && l[0].group != nil {
		l = l[0].group
	}
	return l
}

func writeMarkerList(b *strings.Builder, l markerList, top bool) {
	if !top {
		b.WriteByte('(')
	}
	for i, e := range l {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch {
		case e.boolOp != "":
			b.WriteString(e.boolOp)
		case e.cmp != nil:
			writeMarkerValue(b, e.cmp.lhs)
			b.WriteByte(' ')
			b.WriteString(e.cmp.op)
			b.WriteByte(' ')
			writeMarkerValue(b, e.cmp.rhs)
		default:
			writeMarkerList(b, e.group, false)
		}
	}
	if !top {
		b.WriteByte(')')
	}
}

func writeMarkerValue(b *strings.Builder, v markerValue) {
	switch {
	case v.variable:
		b.WriteString(v.text)
	case strings.Contains(v.text, `"`):
		b.WriteString("'" + v.text + "'")
	default:
		b.WriteString(`"` + v.text + `"`)
	}
}

// Equal reports whether two markers have the same normalised form.
func (m *Marker) Equal(o *Marker) bool {
	if m == nil || o == nil {
		return m == nil && o == nil
	}
	return m.String() == o.String()
}

// ForExtras returns the marker with every comparison of the extra variable to one of extras
// (names compared normalised) made a comparison to "", and whether the marker compares extra at
// all. A requirement of a distribution's metadata given on pip's command line has its marker
// evaluated with extra "": rewritten so, the requirements of the chosen extras hold there and
// those of the others still do not.
func (m *Marker) ForExtras(extras []string) (out *Marker, mentions bool) {
	if m == nil {
		return nil, false
	}
	want := map[string]bool{}
	for _, e := range extras {
		want[NormalizeName(e)] = true
	}
	var rewrite func(l markerList) markerList
	rewrite = func(l markerList) markerList {
		c := make(markerList, len(l))
		for i, e := range l {
			switch {
			case e.cmp != nil:
				cmp := *e.cmp
				for _, side := range []*markerValue{&cmp.lhs, &cmp.rhs} {
					other := cmp.rhs
					if side == &cmp.rhs {
						other = cmp.lhs
					}
					if side.variable || !other.variable || other.text != "extra" {
						continue
					}
					mentions = true
					if want[NormalizeName(side.text)] && (cmp.op == "==" || cmp.op == "!=") {
						side.text = ""
					}
				}
				e.cmp = &cmp
			case e.group != nil:
				e.group = rewrite(e.group)
			}
			c[i] = e
		}
		return c
	}
	return &Marker{expr: rewrite(m.expr)}, mentions
}
