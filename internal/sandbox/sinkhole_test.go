package sandbox

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"
)

// clientHello returns the first TLS record a real client (crypto/tls) sends for cfg.
func clientHello(t *testing.T, cfg *tls.Config) []byte {
	t.Helper()
	a, b := net.Pipe()
	defer b.Close()
	go func() {
		_ = tls.Client(a, cfg).Handshake()
		a.Close()
	}()
	_ = b.SetReadDeadline(time.Now().Add(5 * time.Second))
	rec, err := readTLSRecord(bufio.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestParseClientHello(t *testing.T) {
	tests := []struct {
		name     string
		cfg      *tls.Config
		wantSNI  string
		wantALPN []string
	}{
		{"sni and alpn", &tls.Config{ServerName: "files.example.org", NextProtos: []string{"h2", "http/1.1"}}, "files.example.org", []string{"h2", "http/1.1"}},
		{"sni only", &tls.Config{ServerName: "c2.example"}, "c2.example", nil},
		{"no sni (an IP address)", &tls.Config{ServerName: "198.18.0.9", InsecureSkipVerify: true}, "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sni, alpn := parseClientHello(clientHello(t, tc.cfg))
			if d := cmp.Diff([]any{tc.wantSNI, tc.wantALPN}, []any{sni, alpn}); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestParseClientHelloGarbage(t *testing.T) {
	hello := clientHello(t, &tls.Config{ServerName: "x.example"})
	for n := 0; n < len(hello); n++ { // every cut must parse without a panic
		parseClientHello(hello[:n])
	}
	if sni, _ := parseClientHello([]byte{2, 0, 0, 1, 0}); sni != "" {
		t.Errorf("a server hello gave %q", sni)
	}
}

func TestLooksHTTP(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"GET / HTTP/1.1\r\n", true},
		{"POST /x", true},
		{"CONNECT host:443 HTTP/1.1", true},
		{"GE", false},
		{"PUT", true},
		{"get / HTTP/1.1", false},
		{"\x16\x03\x01", false},
		{"SSH-2.0-OpenSSH", false},
		{"", false},
	}
	for _, tc := range tests {
		if got := looksHTTP([]byte(tc.in)); got != tc.want {
			t.Errorf("looksHTTP(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestAddrPool(t *testing.T) {
	p := newAddrPool("Box1")
	a := p.addr("Files.Example.org.")
	b := p.addr("c2.example")
	got := []any{a.String(), b.String(), p.addr("files.example.org") == a, p.name(a), p.name(b), p.name(netip.MustParseAddr("198.18.200.1")),
		p.addr("localhost").String(), p.addr("db.localhost.").String(), p.addr("box1").String(), p.addr("example").IsValid(), p.addr("nonexistent.").IsValid(),
		p.addr("Something.Invalid.").IsValid(), p.addr("invalid").IsValid(), p.addr("invalid.example").IsValid()}
	want := []any{"198.18.0.2", "198.18.0.3", true, "files.example.org", "c2.example", "", "127.0.0.1", "127.0.0.1", "127.0.0.1", false, false,
		false, false, true}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestAddrPoolFull(t *testing.T) {
	p := newAddrPool("")
	var last netip.Addr
	for i := 0; i < maxPoolNames+3; i++ {
		last = p.addr(fmt.Sprintf("n%d.example", i))
	}
	if !SinkholePrefix.Contains(last) {
		t.Fatalf("address %s outside the sinkhole", last)
	}
	if n := p.name(last); n != "" {
		t.Errorf("a shared address is named %q", n)
	}
}

func TestAnswerQuerySinkhole(t *testing.T) {
	p := newAddrPool("")
	tests := []struct {
		name     string
		typ      dnsmessage.Type
		wantAns  string
		wantRRs  int
		wantCode dnsmessage.RCode
	}{
		{"dl.example.", dnsmessage.TypeA, "198.18.0.2", 1, dnsmessage.RCodeSuccess},
		{"dl.example.", dnsmessage.TypeAAAA, "NODATA", 0, dnsmessage.RCodeSuccess},
		{"dl.example.", dnsmessage.TypeTXT, "NODATA", 0, dnsmessage.RCodeSuccess},
		{"other.example.", dnsmessage.TypeA, "198.18.0.3", 1, dnsmessage.RCodeSuccess},
		// A single label no resolver answers (websocket-client's test of "ws://example").
		{"example.", dnsmessage.TypeA, "NXDOMAIN", 0, dnsmessage.RCodeNameError},
		{"example.", dnsmessage.TypeAAAA, "NXDOMAIN", 0, dnsmessage.RCodeNameError},
		{"localhost.", dnsmessage.TypeA, "127.0.0.1", 1, dnsmessage.RCodeSuccess},
		// RFC 6761's .invalid (urllib3's tests connect to "something.invalid" to see it fail).
		{"something.invalid.", dnsmessage.TypeA, "NXDOMAIN", 0, dnsmessage.RCodeNameError},
		{"Something.INVALID.", dnsmessage.TypeAAAA, "NXDOMAIN", 0, dnsmessage.RCodeNameError},
	}
	for _, tc := range tests {
		resp, _, _, ans, err := answerQuery(query(t, tc.name, tc.typ), p.addr)
		if err != nil {
			t.Fatal(err)
		}
		var ps dnsmessage.Parser
		h, err := ps.Start(resp)
		if err != nil {
			t.Fatal(err)
		}
		_ = ps.SkipAllQuestions()
		rrs, err := ps.AllAnswers()
		if err != nil {
			t.Fatal(err)
		}
		var got string
		if len(rrs) == 1 {
			a := rrs[0].Body.(*dnsmessage.AResource).A
			got = netip.AddrFrom4(a).String()
		}
		if d := cmp.Diff([]any{tc.wantAns, tc.wantRRs, tc.wantCode}, []any{ans, len(rrs), h.RCode}); d != "" {
			t.Errorf("%s %v: (-want +got)\n%s", tc.name, tc.typ, d)
		}
		if tc.wantRRs == 1 && got != tc.wantAns {
			t.Errorf("%s: record %s, reported %s", tc.name, got, tc.wantAns)
		}
	}
}

// TestServeConn feeds the sinkhole's connection handler what clients send and checks the
// record and the answer.
func TestServeConn(t *testing.T) {
	tests := []struct {
		name   string
		send   string
		want   Contact
		answer string
	}{
		{
			name: "http post",
			send: "POST /u?a=1 HTTP/1.1\r\nHost: up.example:8080\r\nContent-Length: 5\r\nX-K: v\r\n\r\nhello",
			want: Contact{Transport: "tcp", Protocol: "http", Method: "POST", Host: "up.example:8080",
				URL: "http://up.example:8080/u?a=1", Headers: []string{"Content-Length: 5", "X-K: v"}, Data: []byte("hello")},
			answer: "HTTP/1.1 200 OK",
		},
		{
			name:   "proxy request",
			send:   "GET http://dl.example/p.sh HTTP/1.1\r\nHost: dl.example\r\n\r\n",
			want:   Contact{Transport: "tcp", Protocol: "http", Method: "GET", Host: "dl.example", URL: "http://dl.example/p.sh"},
			answer: "HTTP/1.1 200 OK",
		},
		{
			name: "other",
			send: "\x00\x01binary",
			want: Contact{Transport: "tcp", Protocol: "other", Data: []byte("\x00\x01binary")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []Contact
			rep := &reporter{f: nil}
			s := &sinkhole{pool: newAddrPool(""), rep: rep}
			a, b := net.Pipe()
			done := make(chan struct{})
			go func() {
				defer close(done)
				s.serveConnWith(b, func(c Contact) { got = append(got, c) })
			}()
			go func() { _, _ = a.Write([]byte(tc.send)) }()
			var answer bytes.Buffer
			_ = a.SetReadDeadline(time.Now().Add(10 * time.Second))
			_, _ = answer.ReadFrom(a)
			<-done
			if len(got) != 1 {
				t.Fatalf("%d contacts", len(got))
			}
			got[0].Time = time.Time{}
			tc.want.Size = int64(len(tc.send)) // all of it was read
			if d := cmp.Diff(tc.want, got[0]); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			if !strings.HasPrefix(answer.String(), tc.answer) {
				t.Errorf("answer %q, want it to start with %q", answer.String(), tc.answer)
			}
		})
	}
}

// TestLooksUpTheInternet: a query for a record other than an address or a reverse lookup, of a
// name the internet answers, is a test's reach for another machine; one for an address (answered
// with a sinkhole address), a reverse lookup (getfqdn's of loopback) or a name no resolver answers
// is not.
func TestLooksUpTheInternet(t *testing.T) {
	for _, tc := range []struct {
		q    DNSQuery
		want bool
	}{
		{DNSQuery{Name: "_mongodb._tcp.test1.test.build.10gen.cc", Type: "SRV", Answer: "NODATA"}, true},
		{DNSQuery{Name: "example.org.", Type: "txt", Answer: "NODATA"}, true},
		{DNSQuery{Name: "example.org", Type: "MX", Answer: "NXDOMAIN"}, true},
		{DNSQuery{Name: "example.org", Type: "A", Answer: "198.18.0.7"}, false},
		{DNSQuery{Name: "example.org", Type: "AAAA", Answer: "NODATA"}, false},
		{DNSQuery{Name: "1.0.0.127.in-addr.arpa", Type: "PTR", Answer: "NXDOMAIN"}, false},
		{DNSQuery{Name: "something.invalid", Type: "SRV", Answer: "NXDOMAIN"}, false},
		{DNSQuery{Name: "nonexistent", Type: "TXT", Answer: "NXDOMAIN"}, false},
	} {
		if got := LooksUpTheInternet(tc.q); got != tc.want {
			t.Errorf("LooksUpTheInternet(%s %s) = %v, want %v", tc.q.Name, tc.q.Type, got, tc.want)
		}
	}
}
