package behavior

import (
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox"
)

func TestDecodedParts(t *testing.T) {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	tests := []struct {
		name string
		c    sandbox.Contact
		want []string
	}{
		{"hex in the query", sandbox.Contact{URL: "http://h.example/c?id=" + hex.EncodeToString([]byte("user=alice"))}, []string{"user=alice"}},
		{"base64 in a form body", sandbox.Contact{URL: "http://h.example/", Data: []byte("d=" + strings.ReplaceAll(b64("hostname=box1"), "=", "%3D"))}, []string{"hostname=box1"}},
		{"url-safe base64 in the path", sandbox.Contact{URL: "http://h.example/" + base64.RawURLEncoding.EncodeToString([]byte("secret?>value>"))}, []string{"secret?>value>"}},
		{"base64 twice", sandbox.Contact{Data: []byte(b64(b64("nested secret")))}, []string{b64("nested secret"), "nested secret"}},
		{"a header", sandbox.Contact{Headers: []string{"Cookie: " + b64("session for bob")}}, []string{"session for bob"}},
		{"raw first bytes", sandbox.Contact{Data: []byte("\x00\x01" + hex.EncodeToString([]byte("whoami output")))}, []string{"whoami output"}},
		{"nothing encoded", sandbox.Contact{URL: "http://h.example/simple/index.html?page=2", Data: []byte("plain words only")}, nil},
		{"binary does not count", sandbox.Contact{Data: []byte(b64("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09"))}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, decodedParts(tc.c)); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}

func TestContactFindings(t *testing.T) {
	post := sandbox.Contact{Transport: "tcp", Address: "198.18.0.2:80", Name: "collect.example", Protocol: "http",
		Method: "POST", Host: "collect.example", URL: "http://collect.example/u",
		Data: []byte("k=" + base64.StdEncoding.EncodeToString([]byte("aws_secret_access_key = "+sandbox.Canary+"-aws-secret")))}
	hostData := sandbox.Contact{Transport: "tcp", Address: "198.18.0.3:80", Name: "h.example", Protocol: "http",
		Method: "GET", Host: "h.example", URL: "http://h.example/?n=" + hex.EncodeToString([]byte("pyti-sandbox"))}
	get := sandbox.Contact{Transport: "tcp", Address: "198.18.0.4:80", Name: "dl.example", Protocol: "http",
		Method: "GET", Host: "dl.example", URL: "http://dl.example/stage2.py"}
	tlsC := sandbox.Contact{Transport: "tcp", Address: "198.18.0.5:443", Name: "api.example", Protocol: "tls", SNI: "api.example"}
	index := sandbox.Contact{Transport: "tcp", Address: "198.18.0.7:443", Name: "pypi.org", Protocol: "tls", SNI: "pypi.org"}
	raw := sandbox.Contact{Transport: "tcp", Address: "198.18.0.6:4444", Name: "c2.example", Protocol: "other", Data: []byte("bash-5.2$ "), Size: 10}
	type row struct {
		Rule     string
		Severity report.Severity
		Title    string
		Detail   string
		Count    int
	}
	tests := []struct {
		name     string
		phase    string
		contacts []sandbox.Contact
		want     []row
		mention  []string // each must appear in some message
	}{
		{"install", "install", []sandbox.Contact{post, hostData, get, get, tlsC, raw}, []row{
			{RuleSinkholeCredentials, report.SeverityCritical, "Credentials sent out", "http://collect.example/u", 1},
			{RuleSinkholeRequest, report.SeverityHigh, "Data sent to collect.example", "http://collect.example/u", 1},
			{RuleSinkholeExfiltration, report.SeverityHigh, "Host data sent out", "http://h.example/?n=" + hex.EncodeToString([]byte("pyti-sandbox")), 1},
			{RuleSinkholeRequest, report.SeverityHigh, "Download from h.example", "http://h.example/?n=" + hex.EncodeToString([]byte("pyti-sandbox")), 1},
			{RuleSinkholeRequest, report.SeverityHigh, "Download from dl.example", "http://dl.example/stage2.py", 2},
			{RuleSinkholeRequest, report.SeverityHigh, "TLS connection to api.example", "tls://api.example:443", 1},
			{RuleSinkholeRequest, report.SeverityHigh, "Data sent to c2.example:4444", "tcp://c2.example:4444", 1},
		}, []string{"aws_secret_access_key = " + sandbox.Canary, "decoded: \"pyti-sandbox\"", "for server name api.example", "\"bash-5.2$ \"", "looked up c2.example (PYTI's sinkhole answered 198.18.0.6:4444)"}},
		{"a build fetching its requirements", "build", []sandbox.Contact{index}, []row{
			{RuleSinkholeIndex, report.SeverityMedium, "Package index reached during build", "tls://pypi.org:443", 1},
		}, nil},
		{"tests use the network", "test", []sandbox.Contact{get, tlsC}, []row{
			{RuleSinkholeRequestTest, report.SeverityLow, "Test reached out to dl.example", "http://dl.example/stage2.py", 1},
			{RuleSinkholeRequestTest, report.SeverityLow, "Test reached out to api.example", "tls://api.example:443", 1},
		}, nil},
		{"tests sending the host name", "test", []sandbox.Contact{hostData}, []row{
			{RuleSinkholeRequestTest, report.SeverityLow, "Test reached out to h.example", "http://h.example/?n=" + hex.EncodeToString([]byte("pyti-sandbox")), 1},
		}, nil},
		{"tests sending a credential", "test", []sandbox.Contact{post}, []row{
			{RuleSinkholeCredentials, report.SeverityCritical, "Credentials sent out", "http://collect.example/u", 1},
			{RuleSinkholeRequestTest, report.SeverityLow, "Test reached out to collect.example", "http://collect.example/u", 1},
		}, nil},
		{"nothing", "build", nil, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := ContactFindings(tc.phase, tc.contacts, 0)
			var got []row
			var msgs strings.Builder
			for _, f := range fs {
				got = append(got, row{f.RuleID, f.Severity, f.Title, f.Evidence[0].Subject(), f.Count})
				msgs.WriteString(f.Message + "\n")
				// When it happened is the report's to say, by the step it happened in (the test
				// phase also installs the test dependencies): "While its tests ran: While the
				// test suite ran, …" was said twice.
				if strings.HasPrefix(f.Message, "While ") || strings.HasPrefix(f.Message, "During ") {
					t.Errorf("the message says when itself: %q", f.Message)
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			for _, m := range tc.mention {
				if !strings.Contains(msgs.String(), m) {
					t.Errorf("no message mentions %q:\n%s", m, msgs.String())
				}
			}
		})
	}
}

func TestContactFindingsBounded(t *testing.T) {
	var cs []sandbox.Contact
	for i := range 100 {
		cs = append(cs, sandbox.Contact{Transport: "tcp", Protocol: "http", Method: "GET", Host: "x.example",
			URL: "http://x.example/" + strings.Repeat("a", i)})
	}
	fs := ContactFindings("build", cs, 7)
	if len(fs) != maxContactFindings || fs[len(fs)-1].More != 100-maxContactFindings+7 {
		t.Errorf("%d findings, the last with %d more", len(fs), fs[len(fs)-1].More)
	}
}

func TestDNSDataFindings(t *testing.T) {
	hexq := func(s, parent string) sandbox.DNSQuery {
		return sandbox.DNSQuery{Name: hex.EncodeToString([]byte(s)) + "." + parent, Type: "A"}
	}
	type row struct {
		Rule     string
		Severity report.Severity
		Count    int
		Decoded  string
	}
	tests := []struct {
		name    string
		phase   string
		queries []sandbox.DNSQuery
		want    []row
	}{
		{"chunks of host data", "install", []sandbox.DNSQuery{hexq("user;pyti-sa", "x1.collect.example"), hexq("ndbox;/tmp/b", "x1.collect.example"), {Name: "pypi.org", Type: "A"}},
			[]row{{RuleSinkholeExfiltration, report.SeverityHigh, 2, "user;pyti-sandbox;/tmp/b"}}},
		{"base64 label", "build", []sandbox.DNSQuery{{Name: "dXNlcm5hbWU9YWxpY2U.t.example", Type: "A"}},
			[]row{{RuleDNSData, report.SeverityHigh, 1, "username=alice"}}},
		{"a credential", "import", []sandbox.DNSQuery{hexq("k="+sandbox.Canary, "c.example")},
			[]row{{RuleSinkholeCredentials, report.SeverityCritical, 1, "k=" + sandbox.Canary}}},
		{"tests", "test", []sandbox.DNSQuery{hexq("some test data", "t.example")},
			[]row{{RuleDNSData, report.SeverityLow, 1, "some test data"}}},
		{"ordinary names", "install", []sandbox.DNSQuery{
			{Name: "d1a2b3c4e5f60718.cloudfront.net"}, {Name: "files.pythonhosted.org"},
			{Name: "abcdefabcdef0123456789.example.com"}, {Name: "internationalization.example.org"},
		}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []row
			for _, f := range DNSDataFindings(tc.phase, tc.queries) {
				_, dec, _ := strings.Cut(f.Message, "decode to ")
				dec, _, _ = strings.Cut(dec, ". Exfiltration")
				got = append(got, row{f.RuleID, f.Severity, f.Count, strings.Trim(dec, `"`)})
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}
}
