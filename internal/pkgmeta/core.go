package pkgmeta

import (
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pyti/pyti/internal/pep440"
)

// Header is one raw header field of core metadata, in file order. Value is
// the text after the colon with its continuation lines kept as they were
// (joined by "\n", leading whitespace intact).
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// RequirementEntry is one requirement string (Requires-Dist, a dependency
// list entry, a requirements file line) with its parse. When Raw is a valid
// PEP 508 requirement, Parsed is set and Name, Extras, Specifier, URL and
// Marker repeat it in a JSON-friendly form; otherwise Error says why not.
type RequirementEntry struct {
	Raw       string              `json:"raw"`
	Name      string              `json:"name,omitempty"`
	Extras    []string            `json:"extras,omitempty"`
	Specifier string              `json:"specifier,omitempty"`
	URL       string              `json:"url,omitempty"`
	Marker    string              `json:"marker,omitempty"`
	Error     string              `json:"error,omitempty"`
	Parsed    *pep440.Requirement `json:"-"`
}

// ProjectURL is one labelled URL (Project-URL header or [project.urls]).
type ProjectURL struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// CoreMetadata is the content of a PKG-INFO or METADATA file. Typed fields
// hold the processed values (continuation lines unfolded, the Description
// indentation convention undone); Headers keeps every header as written.
// Problems holds what was found malformed while reading; Validate adds the
// rest.
type CoreMetadata struct {
	MetadataVersion        string             `json:"metadata_version"`
	Name                   string             `json:"name"`
	Version                string             `json:"version"`
	Summary                string             `json:"summary,omitempty"`
	Description            string             `json:"description,omitempty"`
	DescriptionContentType string             `json:"description_content_type,omitempty"`
	Keywords               []string           `json:"keywords,omitempty"`
	Homepage               string             `json:"homepage,omitempty"`
	DownloadURL            string             `json:"download_url,omitempty"`
	Author                 string             `json:"author,omitempty"`
	AuthorEmail            string             `json:"author_email,omitempty"`
	Maintainer             string             `json:"maintainer,omitempty"`
	MaintainerEmail        string             `json:"maintainer_email,omitempty"`
	License                string             `json:"license,omitempty"`
	LicenseExpression      string             `json:"license_expression,omitempty"`
	LicenseFiles           []string           `json:"license_files,omitempty"`
	Classifiers            []string           `json:"classifiers,omitempty"`
	RequiresDist           []RequirementEntry `json:"requires_dist,omitempty"`
	RequiresPython         string             `json:"requires_python,omitempty"`
	RequiresExternal       []string           `json:"requires_external,omitempty"`
	ProvidesExtra          []string           `json:"provides_extra,omitempty"`
	ProvidesDist           []string           `json:"provides_dist,omitempty"`
	ObsoletesDist          []string           `json:"obsoletes_dist,omitempty"`
	Requires               []string           `json:"requires,omitempty"`
	Provides               []string           `json:"provides,omitempty"`
	Obsoletes              []string           `json:"obsoletes,omitempty"`
	ProjectURLs            []ProjectURL       `json:"project_urls,omitempty"`
	Platform               []string           `json:"platform,omitempty"`
	SupportedPlatform      []string           `json:"supported_platform,omitempty"`
	Dynamic                []string           `json:"dynamic,omitempty"`
	// DescriptionInBody is true when the description came from the message
	// body (Metadata 2.1+) rather than a Description header.
	DescriptionInBody bool      `json:"description_in_body,omitempty"`
	Headers           []Header  `json:"headers"`
	Problems          []Problem `json:"problems,omitempty"`
}

// multiUse lists the header fields that may appear more than once, by
// lower-case name.
var multiUse = map[string]bool{
	"classifier": true, "requires-dist": true, "provides-extra": true,
	"project-url": true, "license-file": true, "dynamic": true,
	"platform": true, "supported-platform": true, "requires-external": true,
	"provides-dist": true, "obsoletes-dist": true, "requires": true,
	"provides": true, "obsoletes": true,
}

// ParseCoreMetadata reads core metadata (PKG-INFO or METADATA) from r. It
// refuses, with an error wrapping ErrTooLarge, input longer than max bytes
// (DefaultMaxMetadataBytes when max <= 0), with more than MaxHeaders
// headers, or with a line longer than MaxLineBytes; it stops reading as soon
// as a limit is crossed. Other malformations are recorded in Problems. The
// only other error is a read error from r.
func ParseCoreMetadata(r io.Reader, max int64) (*CoreMetadata, error) {
	if max <= 0 {
		max = DefaultMaxMetadataBytes
	}
	lr := newLineReader(r, max, MaxLineBytes)
	m := &CoreMetadata{Headers: []Header{}}
	badUTF8 := false
	clean := func(b []byte) string {
		if !utf8.Valid(b) {
			badUTF8 = true
			return strings.ToValidUTF8(string(b), "\uFFFD")
		}
		return string(b)
	}

	var (
		body     []byte // the message body, grown by doubling
		inBody   bool
		haveBody bool
		cur      = -1   // index in m.Headers of the header being continued
		curValue []byte // its value so far, continuation lines joined by "\n"
	)
	flushCurr := func() {
		if cur >= 0 {
			m.Headers[cur].Value = clean(curValue)
		}
	}
	for {
		line, err := lr.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if inBody {
			if haveBody {
				body = appendDoubling(body, '\n')
			}
			body = appendDoubling(body, line...)
			haveBody = true
			continue
		}
		switch {
		case len(line) == 0:
			inBody = true
		case line[0] == ' ' || line[0] == '\t':
			if cur < 0 {
				m.Problems = append(m.Problems, warnf("headers", "continuation line before any header is ignored"))
				continue
			}
			curValue = appendDoubling(curValue, '\n')
			curValue = appendDoubling(curValue, line...)
		default:
			name, value, ok := splitHeader(line)
			if !ok {
				// Like Python's email parser: a line that is not a header
				// ends the headers and starts the body.
				m.Problems = append(m.Problems, warnf("headers", "line %d is not a header; no blank line separates headers from body", lr.lines))
				inBody = true
				body = appendDoubling(body, line...)
				haveBody = true
				continue
			}
			if len(m.Headers) >= MaxHeaders {
				return nil, tooLarge("more than %d headers", MaxHeaders)
			}
			flushCurr()
			m.Headers = append(m.Headers, Header{Name: clean(name)})
			cur = len(m.Headers) - 1
			curValue = append(curValue[:0], value...)
		}
	}
	flushCurr()
	if badUTF8 {
		m.Problems = append(m.Problems, errorf("encoding", "metadata is not valid UTF-8; invalid bytes replaced"))
	}
	m.fill()
	if b := clean(body); strings.TrimSpace(b) != "" {
		if m.Description != "" {
			m.Problems = append(m.Problems, warnf("Description", "description given both as a header and as the message body; the body is used"))
		}
		m.Description = b
		m.DescriptionInBody = true
	}
	return m, nil
}

// appendDoubling appends like append but doubles the capacity when it must
// grow, so that building a value of n bytes allocates about 2n bytes in all
// (append's gentler growth for large slices allocates several times n).
func appendDoubling(dst []byte, b ...byte) []byte {
	if need := len(dst) + len(b); need > cap(dst) {
		grown := make([]byte, len(dst), max(2*cap(dst), need, 512))
		copy(grown, dst)
		dst = grown
	}
	return append(dst, b...)
}

// splitHeader splits "Name: value". The name must be printable ASCII without
// spaces or colons, as RFC 822 (and Python's email parser) require.
func splitHeader(line []byte) (name, value []byte, ok bool) {
	for i, c := range line {
		if c == ':' {
			if i == 0 {
				return nil, nil, false
			}
			v := line[i+1:]
			for len(v) > 0 && (v[0] == ' ' || v[0] == '\t') {
				v = v[1:]
			}
			return line[:i], v, true
		}
		if c < 33 || c > 126 {
			return nil, nil, false
		}
	}
	return nil, nil, false
}

// fill sets the typed fields from m.Headers.
func (m *CoreMetadata) fill() {
	seen := map[string]int{}
	for _, h := range m.Headers {
		key := strings.ToLower(h.Name)
		seen[key]++
		if !multiUse[key] && seen[key] > 1 {
			if seen[key] == 2 {
				m.Problems = append(m.Problems, errorf(h.Name, "single-use field appears more than once; the first value is used"))
			}
			continue
		}
		v := unfold(h.Value)
		switch key {
		case "metadata-version":
			m.MetadataVersion = v
		case "name":
			m.Name = v
		case "version":
			m.Version = v
		case "summary":
			m.Summary = v
		case "description":
			m.Description = unfoldPreserving(h.Value)
		case "description-content-type":
			m.DescriptionContentType = v
		case "keywords":
			m.Keywords = splitKeywords(v)
		case "home-page":
			m.Homepage = v
		case "download-url":
			m.DownloadURL = v
		case "author":
			m.Author = v
		case "author-email":
			m.AuthorEmail = v
		case "maintainer":
			m.Maintainer = v
		case "maintainer-email":
			m.MaintainerEmail = v
		case "license":
			m.License = unfoldPreserving(h.Value)
		case "license-expression":
			m.LicenseExpression = v
		case "license-file":
			m.LicenseFiles = append(m.LicenseFiles, v)
		case "classifier":
			m.Classifiers = append(m.Classifiers, v)
		case "requires-dist":
			m.RequiresDist = append(m.RequiresDist, parseRequirementEntry(v))
		case "requires-python":
			m.RequiresPython = v
		case "requires-external":
			m.RequiresExternal = append(m.RequiresExternal, v)
		case "provides-extra":
			m.ProvidesExtra = append(m.ProvidesExtra, v)
		case "provides-dist":
			m.ProvidesDist = append(m.ProvidesDist, v)
		case "obsoletes-dist":
			m.ObsoletesDist = append(m.ObsoletesDist, v)
		case "requires":
			m.Requires = append(m.Requires, v)
		case "provides":
			m.Provides = append(m.Provides, v)
		case "obsoletes":
			m.Obsoletes = append(m.Obsoletes, v)
		case "project-url":
			label, url, ok := strings.Cut(v, ",")
			if !ok {
				m.Problems = append(m.Problems, errorf("Project-URL", "%q is not of the form \"label, url\"", v))
				m.ProjectURLs = append(m.ProjectURLs, ProjectURL{URL: strings.TrimSpace(v)})
				continue
			}
			m.ProjectURLs = append(m.ProjectURLs, ProjectURL{Label: strings.TrimSpace(label), URL: strings.TrimSpace(url)})
		case "platform":
			m.Platform = append(m.Platform, v)
		case "supported-platform":
			m.SupportedPlatform = append(m.SupportedPlatform, v)
		case "dynamic":
			m.Dynamic = append(m.Dynamic, v)
		}
	}
}

// parseRequirementEntry parses one requirement string, keeping the raw text.
func parseRequirementEntry(s string) RequirementEntry {
	e := RequirementEntry{Raw: s}
	req, err := pep440.ParseRequirement(s)
	if err != nil {
		e.Error = err.Error()
		return e
	}
	e.Parsed = &req
	e.Name = req.Name
	e.Extras = req.Extras
	e.Specifier = req.Specifier.String()
	e.URL = req.URL
	if req.Marker != nil {
		e.Marker = req.Marker.String()
	}
	return e
}

// unfold joins a folded header value into one line: each line trimmed, the
// non-empty ones joined by single spaces.
func unfold(v string) string {
	if !strings.Contains(v, "\n") {
		return strings.TrimSpace(v)
	}
	var parts []string
	for _, l := range strings.Split(v, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " ")
}

// unfoldPreserving undoes the folding of a multi-line value (Description,
// License) while keeping its lines: continuation lines written with the
// core metadata convention of seven spaces and a "|", or eight spaces, lose
// those eight characters; other continuation lines lose their common
// indentation.
func unfoldPreserving(v string) string {
	lines := strings.Split(v, "\n")
	if len(lines) == 1 {
		return strings.TrimSpace(v)
	}
	rest := lines[1:]
	common := -1
	for _, l := range rest {
		if strings.HasPrefix(l, "       |") || strings.TrimSpace(l) == "" {
			continue
		}
		n := len(l) - len(strings.TrimLeft(l, " \t"))
		if common < 0 || n < common {
			common = n
		}
	}
	out := make([]string, 0, len(lines))
	if first := strings.TrimSpace(lines[0]); first != "" {
		out = append(out, first)
	}
	for _, l := range rest {
		switch {
		case strings.HasPrefix(l, "       |"):
			l = l[8:]
		case strings.TrimSpace(l) == "":
			l = ""
		case common > 0:
			l = l[common:]
		}
		out = append(out, l)
	}
	return strings.TrimRight(strings.Join(out, "\n"), " \t\n")
}

// splitKeywords splits a Keywords value: comma-separated in current
// metadata, whitespace-separated in old metadata.
func splitKeywords(v string) []string {
	var parts []string
	if strings.Contains(v, ",") {
		parts = strings.Split(v, ",")
	} else {
		parts = strings.Fields(v)
	}
	var out []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
