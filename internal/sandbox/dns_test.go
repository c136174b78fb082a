package sandbox

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/dns/dnsmessage"
)

func query(t *testing.T, name string, typ dnsmessage.Type) []byte {
	t.Helper()
	b := dnsmessage.NewBuilder(nil, dnsmessage.Header{ID: 0x1234, RecursionDesired: true})
	if err := b.StartQuestions(); err != nil {
		t.Fatal(err)
	}
	if err := b.Question(dnsmessage.Question{Name: dnsmessage.MustNewName(name), Type: typ, Class: dnsmessage.ClassINET}); err != nil {
		t.Fatal(err)
	}
	msg, err := b.Finish()
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestAnswerNXDOMAIN(t *testing.T) {
	resp, name, qt, err := answerNXDOMAIN(query(t, "x.exfil.example.", dnsmessage.TypeAAAA))
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"x.exfil.example", "AAAA"}, []string{name, qt}); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	var p dnsmessage.Parser
	h, err := p.Start(resp)
	if err != nil {
		t.Fatal(err)
	}
	if h.ID != 0x1234 || !h.Response || h.RCode != dnsmessage.RCodeNameError || !h.RecursionDesired {
		t.Errorf("header %+v", h)
	}
	q, err := p.Question()
	if err != nil || q.Name.String() != "x.exfil.example." {
		t.Errorf("question %v %v", q, err)
	}
}

func TestAnswerMalformed(t *testing.T) {
	tests := []struct {
		name    string
		msg     []byte
		wantRes bool
	}{
		{"empty", nil, false},
		{"id only", []byte{1, 2}, true},
		{"truncated question", query(t, "a.example.", dnsmessage.TypeA)[:15], true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, _, _, err := answerNXDOMAIN(tc.msg)
			if err == nil {
				t.Errorf("no error")
			}
			if (resp != nil) != tc.wantRes {
				t.Errorf("response %v", resp)
			}
		})
	}
}
