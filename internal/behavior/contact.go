package behavior

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/pyti/pyti/internal/report"
	"net"
	"net/netip"
	"net/url"
	"os/user"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/trace"
)

// The rules that judge what the code sent to the sandbox's network sinkhole. They are fixed
// here rather than in rules.toml: they read what was sent, not the trace.
const (
	// RuleSinkholeRequest: a download or an upload while the package was fetched, built,
	// installed or imported (high), with the URL, server name or first bytes.
	RuleSinkholeRequest = "sinkhole-request"
	// RuleSinkholeIndex: the same, to a Python package index (medium: a build that fetches its
	// own requirements, as setup_requires does).
	RuleSinkholeIndex = "sinkhole-package-index"
	// RuleSinkholeRequestTest: the same while its tests ran (low: test suites use the network).
	RuleSinkholeRequestTest = "sinkhole-request-test"
	// RuleSinkholeExfiltration: what was sent carries host data (the sandbox's host name, HOME,
	// an account database line), as sent or once decoded, outside the tests (high).
	RuleSinkholeExfiltration = "sinkhole-exfiltration"
	// RuleSinkholeCredentials: what was sent carries a decoy credential, in any phase (critical).
	RuleSinkholeCredentials = "sinkhole-credentials"
)

// maxContactFindings bounds the findings of one phase; the rest are counted in the last.
const maxContactFindings = 20

// packageIndexHosts are the hosts of the Python package index: reaching them while building is
// fetching requirements, not downloading from an unknown host.
var packageIndexHosts = []string{"pypi.org", "files.pythonhosted.org", "pypi.python.org", "test.pypi.org", "test-files.pythonhosted.org", "upload.pypi.org"}

// hostDataMarkers are strings that only the sandbox's own host data contains: its host name, its
// HOME, an account database's first line, and the name the system gives the sandbox's user id
// (the code sees it as its user name), when it is long enough not to be a common word.
var hostDataMarkers = func() []string {
	m := []string{"pyti-sandbox", sandbox.Home, "root:x:0:0:"}
	if u, err := user.LookupId(strconv.Itoa(sandbox.SandboxUID)); err == nil && len(u.Username) >= 5 {
		m = append(m, u.Username)
	}
	return m
}()

// Summarize renders a contact for the report: where it went and what it carried, the binary
// parts escaped and encoded data decoded.
func Summarize(c sandbox.Contact) report.Contact {
	s := report.Contact{Transport: c.Transport, Name: c.Name, Address: c.Address, Protocol: c.Protocol,
		Method: c.Method, URL: c.URL, SNI: c.SNI, Headers: c.Headers, Data: printable(c.Data),
		Size: c.Size, Truncated: c.Truncated}
	s.Decoded = decodedParts(c)
	return s
}

// ContactFindings judges the contacts of one phase: every distinct destination is a finding
// (high outside the tests, medium to PyPI's own hosts, low in the tests); data that carries a
// decoy credential, as sent or decoded, is a critical finding in any phase, and host data a high
// one outside the tests.
func ContactFindings(phase string, contacts []sandbox.Contact, dropped int64) []Finding {
	var out []Finding
	groups := map[string]int{}
	add := func(key string, f Finding, ev trace.Event) {
		if i, ok := groups[key]; ok {
			out[i].Count++
			if len(out[i].Evidence) < 5 {
				out[i].Evidence = append(out[i].Evidence, ev)
			}
			return
		}
		if len(out) >= maxContactFindings {
			out[len(out)-1].More++
			return
		}
		f.Count, f.Distinct, f.Evidence = 1, 1, []trace.Event{ev}
		groups[key] = len(out)
		out = append(out, f)
	}
	for _, c := range contacts {
		ev := contactEvent(c)
		key := ev.Path
		what, dest := describeContact(c)
		decoded := decodedParts(c)
		sent := sentText(c, decoded)
		if len(decoded) > 0 {
			what += "; decoded: " + strings.Join(quoteAll(decoded), ", ")
		}
		switch {
		case strings.Contains(sent, sandbox.Canary):
			add(RuleSinkholeCredentials+" "+key, Finding{RuleID: RuleSinkholeCredentials, Severity: report.SeverityCritical,
				Title: "Credentials sent out", Subject: dest,
				Message: "The code sent a decoy credential (PYTI's canary) to " + dest + " during " + phase + ": " + what + "."}, ev)
		case phase != "test" && containsAny(sent, hostDataMarkers):
			// A test suite may well send the host name (a logging handler's test does); only
			// credentials raise a test's contact.
			add(RuleSinkholeExfiltration+" "+key, Finding{RuleID: RuleSinkholeExfiltration, Severity: report.SeverityHigh,
				Title: "Host data sent out", Subject: dest,
				Message: "The code sent data about the machine it runs on to " + dest + " during " + phase + ": " + what + "."}, ev)
		}
		if phase == "test" {
			add(RuleSinkholeRequestTest+" "+key, Finding{RuleID: RuleSinkholeRequestTest, Severity: report.SeverityLow,
				Title: "Test reached out to " + dest, Subject: dest,
				Message: what + ". PYTI's sinkhole recorded it; nothing leaves the sandbox."}, ev)
			continue
		}
		if slices.Contains(packageIndexHosts, strings.ToLower(dest)) {
			add(RuleSinkholeIndex+" "+key, Finding{RuleID: RuleSinkholeIndex, Severity: report.SeverityMedium,
				Title: "Package index reached during " + phase, Subject: dest,
				Message: what + ". A build that fetches its own requirements (setup_requires) does this; nothing left the sandbox."}, ev)
			continue
		}
		add(RuleSinkholeRequest+" "+key, Finding{RuleID: RuleSinkholeRequest, Severity: report.SeverityHigh,
			Title: titleOf(c, dest), Subject: dest,
			Message: what + ". Nothing left the sandbox, but a package that reaches out while it is " + phaseVerb(phase) + " downloads or uploads something."}, ev)
	}
	if dropped > 0 && len(out) > 0 {
		out[len(out)-1].More += int(dropped)
	}
	return out
}

func phaseVerb(phase string) string {
	switch phase {
	case "fetch":
		return "fetched"
	case "build":
		return "built"
	case "install":
		return "installed"
	case "import":
		return "imported"
	}
	return "used"
}

func titleOf(c sandbox.Contact, dest string) string {
	switch {
	case c.Protocol == "http" && (c.Method == "GET" || c.Method == "HEAD") && len(c.Data) == 0:
		return "Download from " + dest
	case c.Protocol == "http":
		return "Data sent to " + dest
	case c.Protocol == "tls":
		return "TLS connection to " + dest
	case c.Protocol == "none":
		return "Connection to " + dest
	}
	return "Data sent to " + dest
}

// describeContact says in words what the contact did (starting with the lookup that led there),
// and names its destination.
func describeContact(c sandbox.Contact) (what, dest string) {
	lead := "the code "
	port := c.Address
	if _, p, err := net.SplitHostPort(c.Address); err == nil {
		port = "port " + p
	}
	if c.Name != "" {
		lead = "the code looked up " + c.Name + " (PYTI's sinkhole answered " + c.Address + ") and "
	} else if c.Address != "" {
		port = c.Address
	}
	switch c.Protocol {
	case "http":
		dest = hostOnly(c.Host)
		if dest == "" {
			dest = c.Endpoint()
		}
		what = lead + "sent " + c.Method + " " + c.URL
		if len(c.Data) > 0 {
			what += " with body " + strconv.Quote(printable(c.Data))
			if c.Truncated {
				what += " (cut)"
			}
		}
	case "tls":
		dest = c.SNI
		if dest == "" {
			dest = c.Endpoint()
		}
		what = lead + "opened TLS to " + port
		if c.SNI != "" {
			what += " for server name " + c.SNI
		}
		what += "; only the server name is known, as no handshake the client would trust can be made"
	case "none":
		dest = c.Endpoint()
		what = lead + "connected to " + port + " and sent nothing"
	default:
		dest = c.Endpoint()
		to := port
		if c.Address == "" {
			to = "the sinkhole"
		}
		what = lead + "sent " + strconv.Itoa(int(c.Size)) + " bytes over " + strings.ToUpper(c.Transport) + " to " + to
		if len(c.Data) > 0 {
			what += ", starting " + strconv.Quote(printable(c.Data))
		}
	}
	return what, dest
}

func hostOnly(hostport string) string {
	if h, _, ok := strings.Cut(hostport, ":"); ok && !strings.Contains(h, "]") {
		return h
	}
	return hostport
}

// KindContact is the kind of the evidence of a contact: its Path (the event's subject) is the
// URL, or tls://server-name:port, or tcp://name:port.
const KindContact trace.Kind = "contact"

// contactEvent is the evidence of a contact, in the form the other findings' evidence has.
func contactEvent(c sandbox.Contact) trace.Event {
	ev := trace.Event{Time: c.Time, Kind: KindContact, Syscall: "sinkhole", Name: c.Name, Result: "recorded", Path: contactURL(c)}
	if ap, err := netip.ParseAddrPort(c.Address); err == nil {
		ev.Family, ev.Address, ev.Port = "AF_INET", ap.Addr().String(), int(ap.Port())
	}
	return ev
}

// contactURL names a contact as a URL: the HTTP one, or scheme://name:port.
func contactURL(c sandbox.Contact) string {
	switch {
	case c.URL != "":
		return c.URL
	case c.Protocol == "tls" && c.SNI != "":
		_, port, _ := strings.Cut(c.Address, ":")
		return "tls://" + c.SNI + ":" + port
	case c.Address == "":
		return c.Transport + "://sinkhole"
	}
	return c.Transport + "://" + c.Endpoint()
}

// sentText is everything the contact carried, as text, with its decoded parts.
func sentText(c sandbox.Contact, decoded []string) string {
	var b strings.Builder
	for _, s := range []string{c.Name, c.URL, c.SNI, strings.Join(c.Headers, "\n"), string(c.Data)} {
		b.WriteString(s)
		b.WriteByte('\n')
	}
	if u, err := url.QueryUnescape(c.URL + "\n" + string(c.Data)); err == nil {
		b.WriteString(u)
	}
	for _, d := range decoded {
		b.WriteString(d)
		b.WriteByte('\n')
	}
	return b.String()
}

// tokenRe finds runs that may be base64 or hex encoded data.
var tokenRe = regexp.MustCompile(`[A-Za-z0-9+/_=-]{8,}`)

// decodedParts finds base64 or hex encoded text in what the contact sent (the URL's path and
// query, the headers, the body or first bytes, the first labels of the name) and returns it
// decoded, when it decodes to readable text. At most 8 parts of at most 512 bytes each.
func decodedParts(c sandbox.Contact) []string {
	var sources []string
	if u, err := url.Parse(c.URL); err == nil {
		sources = append(sources, u.Path)
		for _, vs := range u.Query() {
			sources = append(sources, vs...)
		}
	}
	for _, h := range c.Headers {
		if _, v, ok := strings.Cut(h, ": "); ok {
			sources = append(sources, v)
		}
	}
	body := string(c.Data)
	if vals, err := url.ParseQuery(body); err == nil && strings.Contains(body, "=") {
		for _, vs := range vals {
			sources = append(sources, vs...)
		}
	}
	sources = append(sources, body)
	if c.Name != "" {
		labels := strings.Split(c.Name, ".")
		if len(labels) > 2 {
			sources = append(sources, strings.Join(labels[:len(labels)-2], ""))
		}
	}
	seen := map[string]bool{}
	var out []string
	var walk func(s string, depth int)
	walk = func(s string, depth int) {
		var toks []string
		for _, tok := range tokenRe.FindAllString(s, 64) {
			// A '/' is base64 but also a path separator: try the pieces too.
			toks = append(toks, tok)
			if strings.Contains(strings.Trim(tok, "/"), "/") || strings.HasPrefix(tok, "/") {
				toks = append(toks, strings.Split(tok, "/")...)
			}
		}
		for _, tok := range toks {
			d, ok := decodeToken(tok)
			if !ok || seen[d] || len(out) >= 8 {
				continue
			}
			seen[d] = true
			if len(d) > 512 {
				d = d[:512]
			}
			out = append(out, d)
			if depth < 2 {
				walk(d, depth+1)
			}
		}
	}
	for _, s := range sources {
		walk(s, 0)
	}
	return out
}

// decodeToken decodes tok as hex or base64 and keeps the result when it is readable text.
func decodeToken(tok string) (string, bool) {
	if len(tok)%2 == 0 && len(tok) >= 8 && isHex(tok) {
		if b, err := hex.DecodeString(tok); err == nil && readable(b) {
			return string(b), true
		}
		return "", false
	}
	if len(tok) < 12 {
		return "", false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(tok); err == nil && readable(b) {
			return string(b), true
		}
	}
	return "", false
}

func isHex(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// readable says whether b is UTF-8 text with at least 4 letters or digits and almost nothing
// unprintable.
func readable(b []byte) bool {
	if len(b) < 4 || !utf8.Valid(b) {
		return false
	}
	alnum, bad := 0, 0
	for _, r := range string(b) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			alnum++
		case r == '\n' || r == '\t' || r == '\r' || unicode.IsPrint(r):
		default:
			bad++
		}
	}
	return alnum >= 4 && bad*20 <= len(b) && alnum*3 >= len([]rune(string(b)))
}

// printable shows bytes as text, escaping what is not printable.
func printable(b []byte) string {
	if utf8.Valid(b) {
		ok := true
		for _, r := range string(b) {
			if !unicode.IsPrint(r) && r != '\n' && r != '\t' && r != '\r' {
				ok = false
				break
			}
		}
		if ok {
			return string(b)
		}
	}
	q := strconv.QuoteToASCII(string(b))
	return q[1 : len(q)-1]
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strconv.Quote(s)
	}
	return out
}

func containsAny(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// RuleDNSData: lookups whose labels decode (hex or base64) to readable text: data carried out
// in the names themselves, as DNS exfiltration chunks it. High outside the tests, low in them;
// RuleSinkholeExfiltration or RuleSinkholeCredentials when the text is host data or a decoy
// credential.
const RuleDNSData = "dns-data"

// DNSDataFindings decodes the names looked up during phase: the first label of each name, as
// exfiltration through DNS puts a chunk of data there, joined in order per parent domain.
func DNSDataFindings(phase string, queries []sandbox.DNSQuery) []Finding {
	type chunked struct {
		parent string
		parts  []string
		names  []string
		first  sandbox.DNSQuery
	}
	var order []string
	groups := map[string]*chunked{}
	seen := map[string]bool{}
	for _, q := range queries {
		label, parent, ok := strings.Cut(q.Name, ".") // base64 is case-sensitive: keep the label as asked
		parent = strings.ToLower(parent)
		if !ok || len(label) < 16 || seen[q.Name] {
			continue
		}
		d, ok := decodeToken(label)
		if !ok {
			continue
		}
		seen[q.Name] = true
		g := groups[parent]
		if g == nil {
			g = &chunked{parent: parent, first: q}
			groups[parent] = g
			order = append(order, parent)
		}
		g.parts = append(g.parts, d)
		g.names = append(g.names, q.Name)
	}
	var out []Finding
	for _, parent := range order {
		if len(out) >= maxContactFindings {
			break
		}
		g := groups[parent]
		text := strings.Join(g.parts, "")
		if len(text) > 2048 {
			text = text[:2048]
		}
		ev := trace.NewDNSEvent(g.first.Time, 0, g.first.Name, g.first.Type, g.first.Answer)
		what := strings.Join(g.names[:min(len(g.names), 3)], ", ")
		if len(g.names) > 3 {
			what += fmt.Sprintf(" and %d more", len(g.names)-3)
		}
		f := Finding{RuleID: RuleDNSData, Severity: report.SeverityHigh, Title: "Data sent out in DNS names under " + parent, Subject: parent,
			Evidence: []trace.Event{ev}, Count: len(g.names), Distinct: len(g.names)}
		switch {
		case strings.Contains(text, sandbox.Canary):
			f.RuleID, f.Severity, f.Title = RuleSinkholeCredentials, report.SeverityCritical, "Credentials sent out in DNS names under "+parent
		case phase != "test" && containsAny(text, hostDataMarkers):
			f.RuleID, f.Title = RuleSinkholeExfiltration, "Host data sent out in DNS names under "+parent
		case phase == "test":
			f.Severity = report.SeverityLow
		}
		f.Message = fmt.Sprintf("the code looked up %s: the first labels decode to %s. Exfiltration through DNS carries data in the names themselves.",
			what, strconv.Quote(text))
		out = append(out, f)
	}
	return out
}
