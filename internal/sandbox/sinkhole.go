package sandbox

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"sort"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The sinkhole: inside the sandbox every name resolves to an address of SinkholePrefix, a
// block IANA reserves for benchmarking (RFC 2544) and that is never routed on the Internet. The
// launcher makes the whole block local to the run's network namespace (a "local" route on
// loopback) and installs an nftables rule there that redirects every TCP connection and UDP
// datagram to it, on any port, to PYTI's init, which records what the code sent. Nothing is
// routed anywhere else: the namespace has no device but loopback, and a second rule drops any
// packet that would leave through another device.
var SinkholePrefix = netip.MustParsePrefix("198.18.0.0/15")

// sinkholePort is where the init listens (TCP and UDP, on 127.0.0.1) for what the redirect
// rule sends it. Below 1024, so that the unprivileged code cannot bind it itself.
const sinkholePort = 9

// Bounds of what the sinkhole keeps: hostile code may flood it.
const (
	maxContacts     = 256     // contacts reported; the rest are only counted
	maxContactData  = 4096    // bytes kept of a body or of the first bytes of a stream
	maxContactHead  = 8192    // bytes kept of the HTTP request headers
	maxContactRead  = 1 << 20 // bytes read from one connection before it is closed
	contactIdle     = 3 * time.Second
	contactDeadline = 15 * time.Second
	maxPoolNames    = 60000 // names given their own address; later ones share the last
)

// Contact is one connection (or datagram) the code inside the sandbox sent to the sinkhole, as
// the sinkhole saw it.
type Contact struct {
	Time      time.Time `json:"time"`
	Transport string    `json:"transport"` // tcp or udp
	// Address is the ip:port the code connected to; empty for UDP, whose destination the
	// redirect does not keep.
	Address string `json:"address,omitempty"`
	// Name is the DNS name PYTI's resolver answered with that address.
	Name string `json:"name,omitempty"`
	// Protocol is what the first bytes were: http, tls, other, or none (connected, sent nothing).
	Protocol string `json:"protocol"`
	// HTTP: the request line, the Host, the URL (http://host/path?query) and the headers.
	Method  string   `json:"method,omitempty"`
	URL     string   `json:"url,omitempty"`
	Host    string   `json:"host,omitempty"`
	Headers []string `json:"headers,omitempty"` // "Name: value", sorted, bounded
	// SNI and ALPN come from a TLS ClientHello; the handshake is never completed.
	SNI  string   `json:"sni,omitempty"`
	ALPN []string `json:"alpn,omitempty"`
	// Data is the head of an HTTP body, or the first bytes of any other protocol or datagram.
	Data []byte `json:"data,omitempty"`
	// Size counts the bytes received (up to the read bound); Truncated says Data is a head.
	Size      int64 `json:"size"`
	Truncated bool  `json:"truncated,omitempty"`
}

// Endpoint names where the contact went: the DNS name when known (with the port), else the address.
func (c Contact) Endpoint() string {
	if c.Name == "" {
		if c.Address == "" {
			return c.Transport + " sinkhole"
		}
		return c.Address
	}
	if _, port, err := net.SplitHostPort(c.Address); err == nil {
		return net.JoinHostPort(c.Name, port)
	}
	return c.Name
}

// addrPool gives each name its own sinkhole address, so that a connection names the lookup that
// led to it whatever protocol it speaks. The sandbox's own names (localhost and its subdomains,
// RFC 6761, and the sandbox's host name) stay on loopback, where a test suite's own servers are.
type addrPool struct {
	mu     sync.Mutex
	byName map[string]netip.Addr
	byAddr map[netip.Addr]string
	next   netip.Addr
	self   string // the sandbox's host name, lower case
}

func newAddrPool(hostname string) *addrPool {
	// .0.0 and .0.1 are left out: the network address and the one a person would guess.
	first := SinkholePrefix.Addr().Next().Next()
	return &addrPool{byName: map[string]netip.Addr{}, byAddr: map[netip.Addr]string{}, next: first,
		self: strings.ToLower(hostname)}
}

var loopback = netip.AddrFrom4([4]byte{127, 0, 0, 1})

// addr returns the address for name, giving it a new one the first time, or no address (the
// zero Addr) for a name that no resolver on the internet answers (see unanswered). Code that
// reaches out names a domain.
func (p *addrPool) addr(name string) netip.Addr {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "localhost" || strings.HasSuffix(name, ".localhost") || (name == p.self && p.self != "") {
		return loopback
	}
	if unanswered(name) {
		return netip.Addr{}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if a, ok := p.byName[name]; ok {
		return a
	}
	a := p.next
	if len(p.byName) < maxPoolNames && SinkholePrefix.Contains(a.Next()) {
		p.next = a.Next()
		p.byAddr[a] = name
	} else {
		p.byAddr[a] = "" // shared by several names: none can be named
	}
	p.byName[name] = a
	return a
}

// unanswered reports whether no resolver on the internet answers name (lower case, without
// the final dot): a single label that is not the sandbox's own (a test suite's "ws://example"
// or "http://nonexistent"), or a name under .invalid, which RFC 6761 has every resolver answer
// with NXDOMAIN (urllib3's tests connect to "something.invalid" to see the connection fail).
// Such names are there to see a lookup fail, and it does.
func unanswered(name string) bool {
	return !strings.Contains(name, ".") || name == "invalid" || strings.HasSuffix(name, ".invalid")
}

// LooksUpTheInternet reports whether a query the sandbox's resolver logged asked the internet's
// name service for what a test needs from another machine: a record other than an address (which
// the resolver answers with a sinkhole address, see DNSQuery.Answer) or a reverse lookup, of a
// name some resolver on the internet answers (dnspython's SRV query for
// _mongodb._tcp.test1.test.build.10gen.cc, in pymongo 4.3.3's tests, got no answer here).
func LooksUpTheInternet(q DNSQuery) bool {
	switch strings.ToUpper(q.Type) {
	case "A", "AAAA", "PTR":
		return false
	}
	return !unanswered(strings.ToLower(strings.TrimSuffix(q.Name, ".")))
}

// name returns the name a was given to, or "".
func (p *addrPool) name(a netip.Addr) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.byAddr[a.Unmap()]
}

// sinkhole serves the redirected connections and datagrams and reports them.
type sinkhole struct {
	pool *addrPool
	rep  *reporter
}

// serveSinkhole serves the pre-bound sinkhole sockets.
func serveSinkhole(rep *reporter, pool *addrPool) error {
	ln, err := net.FileListener(os.NewFile(fdSinkTCP, "sinkhole-tcp"))
	if err != nil {
		return fmt.Errorf("sinkhole tcp: %w", err)
	}
	pc, err := net.FilePacketConn(os.NewFile(fdSinkUDP, "sinkhole-udp"))
	if err != nil {
		return fmt.Errorf("sinkhole udp: %w", err)
	}
	s := &sinkhole{pool: pool, rep: rep}
	go acceptLoop(ln, s.serveConn, s.rep.dropContact)
	go s.serveUDP(pc)
	return nil
}

func (s *sinkhole) serveUDP(pc net.PacketConn) {
	buf := make([]byte, 65535)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		c := Contact{Time: time.Now().UTC(), Transport: "udp", Protocol: "other", Size: int64(n)}
		c.Data, c.Truncated = headOf(buf[:n], maxContactData)
		s.rep.contact(c)
	}
}

func (s *sinkhole) serveConn(conn net.Conn) { s.serveConnWith(conn, s.rep.contact) }

// serveConnWith records what one connection sends, answers it, and hands the record to report.
func (s *sinkhole) serveConnWith(conn net.Conn, report func(Contact)) {
	defer conn.Close()
	c := Contact{Time: time.Now().UTC(), Transport: "tcp", Protocol: "none"}
	if dst, err := originalDst(conn); err == nil {
		c.Address = dst.String()
		c.Name = s.pool.name(dst.Addr())
	}
	defer func() { report(c) }()
	// One deadline for the whole connection: a client that drips bytes cannot hold a slot longer.
	end := time.Now().Add(contactDeadline)
	idle := func() time.Time { return minTime(time.Now().Add(contactIdle), end) }
	_ = conn.SetDeadline(end)
	counted := &countReader{r: io.LimitReader(conn, maxContactRead)}
	br := bufio.NewReaderSize(counted, 16<<10)
	_ = conn.SetReadDeadline(idle())
	first, err := br.Peek(1)
	if err != nil || len(first) == 0 {
		return
	}
	_ = conn.SetReadDeadline(end)
	peek, _ := br.Peek(min(br.Buffered(), 16))
	switch {
	case first[0] == 0x16: // a TLS handshake record
		c.Protocol = "tls"
		rec, err := readTLSRecord(br)
		if err == nil {
			c.SNI, c.ALPN = parseClientHello(rec)
		}
		c.Size = counted.n
		// No certificate the client trusts can be made: record the hello and close.
	case looksHTTP(peek):
		c.Protocol = "http"
		serveHTTP(conn, br, &c)
		c.Size = counted.n
	default:
		c.Protocol = "other"
		var got bytes.Buffer
		for got.Len() <= maxContactData {
			_ = conn.SetReadDeadline(idle())
			b := make([]byte, 4096)
			n, err := br.Read(b)
			got.Write(b[:n])
			if err != nil {
				break
			}
		}
		_, _ = io.Copy(io.Discard, br) // the rest is only counted, until idle or the bound
		c.Data, c.Truncated = headOf(got.Bytes(), maxContactData)
		c.Size = counted.n
	}
}

// serveHTTP reads one request, records it, and answers 200 with a one-byte body so that the code
// goes on.
func serveHTTP(conn net.Conn, br *bufio.Reader, c *Contact) {
	req, err := http.ReadRequest(br)
	if err != nil {
		c.Data, c.Truncated = headOf(peekAll(br), maxContactData)
		return
	}
	c.Method, c.Host = req.Method, req.Host
	host := req.Host
	if host == "" {
		host = c.Endpoint()
	}
	c.URL = "http://" + host + req.RequestURI
	if req.URL != nil && req.URL.IsAbs() { // a request meant for a proxy names the whole URL
		c.URL = req.URL.String()
	}
	c.Headers = boundedHeaders(req.Header, maxContactHead)
	if strings.EqualFold(req.Header.Get("Expect"), "100-continue") {
		_, _ = io.WriteString(conn, "HTTP/1.1 100 Continue\r\n\r\n")
	}
	body, _ := io.ReadAll(io.LimitReader(req.Body, maxContactData+1))
	_, _ = io.Copy(io.Discard, req.Body)
	c.Data, c.Truncated = headOf(body, maxContactData)
	if req.Method == http.MethodConnect {
		_, _ = io.WriteString(conn, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		return
	}
	_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 1\r\nConnection: close\r\n\r\n\n")
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func peekAll(br *bufio.Reader) []byte {
	b, _ := br.Peek(br.Buffered())
	return b
}

// boundedHeaders lists the headers as "Name: value", sorted, up to max bytes in all.
func boundedHeaders(h http.Header, max int) []string {
	var out []string
	total := 0
	for _, k := range sortedKeys(h) {
		for _, v := range h[k] {
			line := k + ": " + v
			if total+len(line) > max {
				return append(out, "[more headers dropped]")
			}
			total += len(line)
			out = append(out, line)
		}
	}
	return out
}

func sortedKeys(h http.Header) []string {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// looksHTTP says whether b starts like an HTTP/1 request line: an upper-case method and a space.
func looksHTTP(b []byte) bool {
	for _, m := range []string{"GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "} {
		if bytes.HasPrefix(b, []byte(m)) || (len(b) < len(m) && bytes.HasPrefix([]byte(m), b) && len(b) >= 3) {
			return true
		}
	}
	return false
}

// headOf returns at most max bytes of b (a copy) and whether it cut.
func headOf(b []byte, max int) ([]byte, bool) {
	if len(b) > max {
		return append([]byte(nil), b[:max]...), true
	}
	if len(b) == 0 {
		return nil, false
	}
	return append([]byte(nil), b...), false
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readTLSRecord reads one TLS record and returns its fragment (a handshake message, possibly cut).
func readTLSRecord(br *bufio.Reader) ([]byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(br, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(hdr[3:5]))
	if n > 1<<14+2048 {
		return nil, errors.New("tls record too long")
	}
	frag := make([]byte, n)
	got, err := io.ReadFull(br, frag)
	return frag[:got], err
}

// parseClientHello returns the server name and the ALPN protocols of a TLS ClientHello
// handshake message; what cannot be parsed is left empty.
func parseClientHello(b []byte) (sni string, alpn []string) {
	r := tlsReader(b)
	if t, ok := r.u8(); !ok || t != 1 { // client_hello
		return "", nil
	}
	if _, ok := r.bytes(3); !ok { // length
		return "", nil
	}
	if _, ok := r.bytes(2 + 32); !ok { // version, random
		return "", nil
	}
	if _, ok := r.vec8(); !ok { // session id
		return "", nil
	}
	if _, ok := r.vec16(); !ok { // cipher suites
		return "", nil
	}
	if _, ok := r.vec8(); !ok { // compression methods
		return "", nil
	}
	exts, ok := r.vec16()
	if !ok {
		return "", nil
	}
	er := tlsReader(exts)
	for len(er) >= 4 {
		typ, _ := er.u16()
		data, ok := er.vec16()
		if !ok {
			break
		}
		dr := tlsReader(data)
		switch typ {
		case 0: // server_name
			list, _ := dr.vec16()
			lr := tlsReader(list)
			for len(lr) > 0 {
				kind, _ := lr.u8()
				name, ok := lr.vec16()
				if !ok {
					break
				}
				if kind == 0 && sni == "" {
					sni = string(name)
				}
			}
		case 16: // application_layer_protocol_negotiation
			list, _ := dr.vec16()
			lr := tlsReader(list)
			for len(lr) > 0 {
				p, ok := lr.vec8()
				if !ok {
					break
				}
				alpn = append(alpn, string(p))
			}
		}
	}
	return sni, alpn
}

type tlsReader []byte

func (r *tlsReader) bytes(n int) ([]byte, bool) {
	if len(*r) < n {
		return nil, false
	}
	b := (*r)[:n]
	*r = (*r)[n:]
	return b, true
}

func (r *tlsReader) u8() (int, bool) {
	b, ok := r.bytes(1)
	if !ok {
		return 0, false
	}
	return int(b[0]), true
}

func (r *tlsReader) u16() (int, bool) {
	b, ok := r.bytes(2)
	if !ok {
		return 0, false
	}
	return int(binary.BigEndian.Uint16(b)), true
}

func (r *tlsReader) vec8() ([]byte, bool) {
	n, ok := r.u8()
	if !ok {
		return nil, false
	}
	return r.bytes(n)
}

func (r *tlsReader) vec16() ([]byte, bool) {
	n, ok := r.u16()
	if !ok {
		return nil, false
	}
	return r.bytes(n)
}

// originalDst returns where a redirected connection was going (SO_ORIGINAL_DST).
func originalDst(conn net.Conn) (netip.AddrPort, error) {
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return netip.AddrPort{}, errors.New("not a socket")
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return netip.AddrPort{}, err
	}
	var ap netip.AddrPort
	var gerr error
	err = raw.Control(func(fd uintptr) {
		// SO_ORIGINAL_DST (80) at SOL_IP returns a sockaddr_in; IPv6Mreq is 20 bytes, enough.
		m, err := unix.GetsockoptIPv6Mreq(int(fd), unix.SOL_IP, unix.SO_ORIGINAL_DST)
		if err != nil {
			gerr = err
			return
		}
		port := binary.BigEndian.Uint16(m.Multiaddr[2:4])
		ap = netip.AddrPortFrom(netip.AddrFrom4([4]byte(m.Multiaddr[4:8])), port)
	})
	if err != nil {
		return netip.AddrPort{}, err
	}
	return ap, gerr
}
