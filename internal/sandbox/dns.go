package sandbox

import (
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// answerNXDOMAIN parses one DNS query and returns the NXDOMAIN answer to send back with the
// question it asked. A message that is not a parseable query gets a FORMERR answer (when it
// carries at least an id) and an error.
func answerNXDOMAIN(msg []byte) (resp []byte, name, qtype string, err error) {
	resp, name, qtype, _, err = answerQuery(msg, nil)
	return resp, name, qtype, err
}

// answerQuery parses one DNS query and answers it: with NXDOMAIN when addr is nil or gives the
// name no address, else an A query gets the address addr gives the name (TTL 60 s) and any
// other type an empty NOERROR answer, so that a client asking for AAAA first falls back to
// the A record. It returns the question asked and the answer given ("NXDOMAIN", "198.18.0.7", "NODATA"). A message that is
// not a parseable query gets a FORMERR answer (when it carries at least an id) and an error.
func answerQuery(msg []byte, addr func(name string) netip.Addr) (resp []byte, name, qtype, answer string, err error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return formErr(msg), "", "", "", fmt.Errorf("dns header: %w", err)
	}
	if h.Response {
		return nil, "", "", "", errors.New("dns: got a response, not a query")
	}
	q, err := p.Question()
	if err != nil {
		return formErr(msg), "", "", "", fmt.Errorf("dns question: %w", err)
	}
	name = strings.TrimSuffix(q.Name.String(), ".")
	rcode, answer := dnsmessage.RCodeNameError, "NXDOMAIN"
	var a netip.Addr
	if addr != nil {
		rcode, answer = dnsmessage.RCodeSuccess, "NODATA"
		if unanswered(strings.ToLower(name)) && !addr(name).IsValid() {
			// A name no resolver answers (a single label that is not the sandbox's own, a
			// name under .invalid): no such name, whatever the type.
			rcode, answer = dnsmessage.RCodeNameError, "NXDOMAIN"
		} else if q.Type == dnsmessage.TypeA && q.Class == dnsmessage.ClassINET {
			a = addr(name)
			answer = a.String()
		}
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), dnsmessage.Header{
		ID: h.ID, Response: true, OpCode: h.OpCode, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true, RCode: rcode,
	})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, "", "", "", fmt.Errorf("dns build: %w", err)
	}
	if err := b.Question(q); err != nil {
		return nil, "", "", "", fmt.Errorf("dns build: %w", err)
	}
	if a.Is4() {
		if err := b.StartAnswers(); err != nil {
			return nil, "", "", "", fmt.Errorf("dns build: %w", err)
		}
		hdr := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 60}
		if err := b.AResource(hdr, dnsmessage.AResource{A: a.As4()}); err != nil {
			return nil, "", "", "", fmt.Errorf("dns build: %w", err)
		}
	}
	resp, err = b.Finish()
	if err != nil {
		return nil, "", "", "", fmt.Errorf("dns build: %w", err)
	}
	return resp, name, typeName(q.Type), answer, nil
}

func typeName(t dnsmessage.Type) string {
	s := t.String()
	if rest, ok := strings.CutPrefix(s, "Type"); ok {
		return rest
	}
	return s
}

// formErr answers a malformed message with FORMERR, keeping its id.
func formErr(msg []byte) []byte {
	if len(msg) < 2 {
		return nil
	}
	return []byte{msg[0], msg[1], 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0, 0}
}
