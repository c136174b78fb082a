package pep440

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// ErrInvalidRequirement is wrapped by every error ParseRequirement returns.
var ErrInvalidRequirement = errors.New("invalid requirement")

// Requirement is a parsed PEP 508 dependency specification such as
// `name[fred,bar] >=1.0, <2 ; python_version < "3.8"` or
// `name @ https://host/name.whl ; extra == "x"`.
type Requirement struct {
	Name      string       // as written; compare with NormalizeName
	Extras    []string     // as written, sorted, without duplicates
	Specifier SpecifierSet // empty when none or when URL is set
	URL       string       // the "name @ url" form, "" otherwise
	Marker    *Marker      // nil if none
}

// ParseRequirement parses one PEP 508 requirement, following packaging's
// grammar: white space (spaces and tabs) is allowed between parts, the
// version list may be parenthesised, and after a URL a marker needs white
// space before its ";".
func ParseRequirement(s string) (Requirement, error) {
	p := &reqParser{markerParser{src: s}}
	r, err := p.parse()
	if err != nil {
		if errors.Is(err, ErrInvalidMarker) || errors.Is(err, ErrInvalidSpecifier) {
			return Requirement{}, fmt.Errorf("%w: %w", ErrInvalidRequirement, err)
		}
		return Requirement{}, err
	}
	return r, nil
}

// reqParser shares the marker parser's scanner.
type reqParser struct {
	markerParser
}

func (p *reqParser) fail(format string, args ...any) error {
	return fmt.Errorf("%w: %s at position %d: %s", ErrInvalidRequirement, quote(p.src), p.pos, fmt.Sprintf(format, args...))
}

func (p *reqParser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.pos]
}

// name reads a PEP 508 name (letters, digits, and ._- inside).
func (p *reqParser) name() string {
	end := p.pos
	for end < len(p.src) {
		c := p.src[end]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' {
			end++
			continue
		}
		break
	}
	n := p.src[p.pos:end]
	if !ValidName(n) {
		return ""
	}
	p.pos = end
	return n
}

func (p *reqParser) parse() (Requirement, error) {
	var r Requirement
	p.skipWS()
	if r.Name = p.name(); r.Name == "" {
		return r, p.fail("expected a package name")
	}
	p.skipWS()
	if p.peek() == '[' {
		extras, err := p.extras()
		if err != nil {
			return r, err
		}
		r.Extras = extras
		p.skipWS()
	}
	if p.peek() == '@' {
		p.pos++
		p.skipWS()
		start := p.pos
		for p.pos < len(p.src) && p.src[p.pos] != ' ' && p.src[p.pos] != '\t' {
			p.pos++
		}
		r.URL = p.src[start:p.pos]
		if err := checkURL(r.URL); err != nil {
			p.pos = start
			return r, p.fail("%v", err)
		}
		if p.eof() {
			return r, nil
		}
		p.skipWS()
	} else {
		set, err := p.specifiers()
		if err != nil {
			return r, err
		}
		r.Specifier = set
		p.skipWS()
	}
	if p.eof() {
		return r, nil
	}
	if p.peek() != ';' {
		return r, p.fail("expected end or ';' before a marker")
	}
	p.pos++
	list, err := p.parseList()
	if err != nil {
		return r, err
	}
	p.skipWS()
	if !p.eof() {
		return r, p.fail("expected end of requirement")
	}
	r.Marker = &Marker{expr: list}
	return r, nil
}

// extras reads `'[' name (',' name)* ']'`, allowing "[]".
func (p *reqParser) extras() ([]string, error) {
	p.pos++ // '['
	var extras []string
	p.skipWS()
	if p.peek() == ']' {
		p.pos++
		return nil, nil
	}
	for {
		p.skipWS()
		n := p.name()
		if n == "" {
			return nil, p.fail("expected an extra name")
		}
		extras = append(extras, n)
		p.skipWS()
		switch p.peek() {
		case ',':
			p.pos++
		case ']':
			p.pos++
			slices.Sort(extras)
			return slices.Compact(extras), nil
		default:
			return nil, p.fail("expected ',' or ']' in extras")
		}
	}
}

// specifiers reads a version list, optionally in parentheses.
func (p *reqParser) specifiers() (SpecifierSet, error) {
	paren := p.peek() == '('
	if paren {
		p.pos++
		p.skipWS()
	}
	var set SpecifierSet
	seen := map[string]bool{}
	for p.peek() != 0 && strings.IndexByte("<>=!~", p.peek()) >= 0 {
		start := p.pos
		for p.pos < len(p.src) && strings.IndexByte("<>=!~", p.src[p.pos]) >= 0 {
			p.pos++
		}
		arbitrary := p.src[start:p.pos] == "==="
		p.skipWS()
		for p.pos < len(p.src) {
			c := p.src[p.pos]
			if c == ' ' || c == '\t' || c == ';' || c == ')' || (c == ',' && !arbitrary) {
				break
			}
			p.pos++
		}
		sp, err := ParseSpecifier(p.src[start:p.pos])
		if err != nil {
			p.pos = start
			return nil, p.fail("%v", err)
		}
		set = set.add(sp, seen)
		p.skipWS()
		if p.peek() != ',' {
			break
		}
		p.pos++
		p.skipWS()
	}
	if paren {
		if p.peek() != ')' {
			return nil, p.fail("expected ')' after the version list")
		}
		p.pos++
	}
	return set, nil
}

// checkURL applies packaging's check: a "file://" URL, or one with a scheme and a host.
func checkURL(s string) error {
	if s == "" {
		return errors.New("expected a URL after '@'")
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid URL %s: %w", quote(s), err)
	}
	if u.Scheme == "file" && strings.HasPrefix(strings.ToLower(s), "file://") {
		return nil
	}
	if u.Scheme != "file" && u.Scheme != "" && u.Host != "" {
		return nil
	}
	return fmt.Errorf("invalid URL %s: needs a scheme and a host, or file://", quote(s))
}

// String returns the requirement in packaging's normalised form, e.g.
// `name[bar,fred]<2,>=1; python_version < "3.8"` or
// `name[bar,fred] @ http://foo.com ; python_version == "2.7"`.
func (r Requirement) String() string {
	var b strings.Builder
	b.WriteString(r.Name)
	if len(r.Extras) > 0 {
		ex := slices.Clone(r.Extras)
		slices.Sort(ex)
		b.WriteString("[" + strings.Join(ex, ",") + "]")
	}
	b.WriteString(r.Specifier.String())
	if r.URL != "" {
		b.WriteString(" @ " + r.URL)
		if r.Marker != nil {
			b.WriteByte(' ')
		}
	}
	if r.Marker != nil {
		b.WriteString("; " + r.Marker.String())
	}
	return b.String()
}
