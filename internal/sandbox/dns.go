package sandbox

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

// answerNXDOMAIN parses one DNS query and returns the NXDOMAIN answer to send back with the
// question it asked. A message that is not a parseable query gets a FORMERR answer (when it
// carries at least an id) and an error.
func answerNXDOMAIN(msg []byte) (resp []byte, name, qtype string, err error) {
	var p dnsmessage.Parser
	h, err := p.Start(msg)
	if err != nil {
		return formErr(msg), "", "", fmt.Errorf("dns header: %w", err)
	}
	if h.Response {
		return nil, "", "", errors.New("dns: got a response, not a query")
	}
	q, err := p.Question()
	if err != nil {
		return formErr(msg), "", "", fmt.Errorf("dns question: %w", err)
	}
	b := dnsmessage.NewBuilder(make([]byte, 0, 512), dnsmessage.Header{
		ID: h.ID, Response: true, OpCode: h.OpCode, RecursionDesired: h.RecursionDesired,
		RecursionAvailable: true, RCode: dnsmessage.RCodeNameError,
	})
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, "", "", fmt.Errorf("dns build: %w", err)
	}
	if err := b.Question(q); err != nil {
		return nil, "", "", fmt.Errorf("dns build: %w", err)
	}
	resp, err = b.Finish()
	if err != nil {
		return nil, "", "", fmt.Errorf("dns build: %w", err)
	}
	return resp, strings.TrimSuffix(q.Name.String(), "."), typeName(q.Type), nil
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
