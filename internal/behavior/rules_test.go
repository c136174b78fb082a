package behavior

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/trace"
)

func at(sec int) time.Time { return time.Unix(int64(1700000000+sec), 0).UTC() }

func testCtx(phase string) EvalContext {
	return EvalContext{Phase: phase, Home: "/home/pyti", WorkDirs: []string{"/job/work", "/job/env"},
		SitePackages: []string{"/job/env/lib/python3.11/site-packages"}, IndexBridge: "127.0.0.1:3141"}
}

func mustDefault(t *testing.T) []Rule {
	t.Helper()
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	return rules
}

// TestEveryRuleTested fails when a shipped rule has no test that makes it fire.
func TestEveryRuleTested(t *testing.T) {
	tested := map[string]bool{}
	for _, c := range realCases {
		for _, id := range c.want {
			tested[id] = true
		}
	}
	for _, c := range syntheticCases {
		for _, id := range c.want {
			tested[id] = true
		}
	}
	for _, r := range mustDefault(t) {
		if !tested[r.ID] {
			t.Errorf("rule %q has no test", r.ID)
		}
	}
}

// syntheticCases judge hand-made events: what a test must not really do (touch the system
// Python) or cannot (the resolver log belongs to the sandbox).
var syntheticCases = []struct {
	name  string
	phase string
	ev    trace.Event
	want  []string
}{
	{"dns", "install", trace.NewDNSEvent(at(1), 0, "example.com.", "A", ""), []string{"dns-lookup"}},
	{"dns exfil", "install", trace.NewDNSEvent(at(1), 0, "6b6579206964206973204141414141414141.x.test", "TXT", ""), []string{"dns-exfiltration-shaped", "dns-lookup"}},
	{"system site-packages", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindFileCreate, Syscall: "openat", Result: "3", Path: "/usr/lib/python3/dist-packages/evil.pth"},
		[]string{"pth-file-written", "system-site-packages-write", "write-outside-job"}},
	// A write the system refused modified nothing (pytest's cache under a read-only directory).
	{"system site-packages refused", "test", trace.Event{Time: at(1), PID: 9, Kind: trace.KindMkdir, Syscall: "mkdir", Result: "-1", Errno: "EROFS", Path: "/usr/lib/python3/dist-packages/.pytest_cache"}, nil},
	{"raw IP socket", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindSocket, Syscall: "socket", Result: "3", Family: "AF_INET", Detail: "SOCK_RAW"}, []string{"raw-socket"}},
	// glibc's getifaddrs() asks the kernel for the interfaces over netlink (psutil's net_if_addrs).
	{"netlink socket", "import", trace.Event{Time: at(1), PID: 9, Kind: trace.KindSocket, Syscall: "socket", Result: "3", Family: "AF_NETLINK", Detail: "SOCK_RAW|SOCK_CLOEXEC"}, nil},
	{"packet socket", "test", trace.Event{Time: at(1), PID: 9, Kind: trace.KindSocket, Syscall: "socket", Result: "3", Family: "AF_PACKET", Detail: "SOCK_DGRAM"}, []string{"packet-socket"}},
	{"index bridge during fetch", "fetch", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "0", Family: "AF_INET", Address: "127.0.0.1", Port: 3141}, nil},
	{"index bridge after fetch", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "0", Family: "AF_INET", Address: "127.0.0.1", Port: 3141}, []string{"network-loopback"}},
	// glibc's getaddrinfo sorts what it found by connecting a UDP socket to each, port 0
	// (portend 3.1.0's tests, resolving localhost): no service is reached.
	{"address sorting probe", "test", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "0", Family: "AF_INET6", Address: "::1", Port: 0}, nil},
	{"resolver", "test", trace.Event{Time: at(1), PID: 9, Kind: trace.KindSend, Syscall: "sendto", Result: "30", Family: "AF_INET", Address: "127.0.0.1", Port: 53}, nil},
	{"v4-mapped outside", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "-1", Errno: "ENETUNREACH", Family: "AF_INET6", Address: "::ffff:203.0.113.9", Port: 80}, []string{"network-attempt"}},
	// A test suite reaching for the network is a test that needs it, not an attack: low severity.
	{"network in tests", "test", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "-1", Errno: "ENETUNREACH", Family: "AF_INET", Address: "192.0.2.1", Port: 80}, []string{"network-attempt-test"}},
	{"dns in tests", "test", trace.NewDNSEvent(at(1), 0, "example.org.", "A", ""), []string{"dns-lookup-test"}},
	{"write in job", "build", trace.Event{Time: at(1), PID: 9, Kind: trace.KindFileCreate, Path: "/job/work/build/x.o"}, nil},
	{"write in job site-packages", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindFileCreate, Path: "/job/env/lib/python3.11/site-packages/pkg/__init__.py"}, nil},
	{"rename out of the job", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindRename, Path: "/job/work/x", NewPath: "/etc/cron.d/x"}, []string{"persistence", "write-outside-job"}},
	{"gcc in build", "build", trace.Event{Time: at(1), PID: 9, Kind: trace.KindExec, Path: "/usr/bin/gcc", Argv: []string{"gcc", "-c", "x.c"}}, nil},
	{"benign reads", "import", trace.Event{Time: at(1), PID: 9, Kind: trace.KindFileRead, Path: "/etc/ld.so.cache"}, nil},
	{"known_hosts is not a credential", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindFileRead, Path: "/home/pyti/.ssh/known_hosts"}, nil},
	// A Unix socket in the sandbox's private /tmp or the job's directories is one the run made
	// itself (waitress's tests serve on one); a service's socket is not.
	{"own socket in /tmp", "test", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "0", Family: "AF_UNIX", Address: "/tmp/waitress.test-428.sock"}, nil},
	{"own socket deep in the job", "test", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "0", Family: "AF_UNIX", Address: "/job/work/tmp/pytest-0/s/sock"}, nil},
	{"libuuid's uuidd", "import", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "-1", Errno: "ENOENT", Family: "AF_UNIX", Address: "/run/uuidd/request"}, nil},
	{"docker's socket", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "-1", Errno: "ENOENT", Family: "AF_UNIX", Address: "/var/run/docker.sock"}, []string{"unix-socket-connect"}},
	{"a socket beside /tmp", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindConnect, Syscall: "connect", Result: "-1", Errno: "ENOENT", Family: "AF_UNIX", Address: "/tmpx/s.sock"}, []string{"unix-socket-connect"}},
	{"unresolved sitecustomize", "install", trace.Event{Time: at(1), PID: 9, Kind: trace.KindFileWrite, Path: "sitecustomize.py", Unresolved: true}, []string{"sitecustomize-written"}},
}

func TestSyntheticRules(t *testing.T) {
	rules := mustDefault(t)
	tests := syntheticCases
	for _, tt := range tests {
		fs, err := Evaluate([]trace.Event{tt.ev}, testCtx(tt.phase), rules)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tt.want, ruleIDs(fs)); diff != "" {
			t.Errorf("%s: rules fired (-want +got):\n%s", tt.name, diff)
		}
	}
}

func TestDedupAndEvidenceBound(t *testing.T) {
	var events []trace.Event
	for i := 0; i < 12; i++ {
		path := "/home/pyti/.aws/credentials"
		if i%4 == 3 {
			path = "/home/pyti/.netrc"
		}
		events = append(events, trace.Event{Time: at(i), PID: 100 + i, Comm: "python3", Kind: trace.KindFileRead, Syscall: "openat", Result: "3", Path: path})
	}
	fs, err := Evaluate(events, testCtx("install"), mustDefault(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 {
		t.Fatalf("findings = %+v, want two", fs)
	}
	f := fs[0]
	if f.Subject != "/home/pyti/.aws/credentials" || f.Count != 9 || len(f.Evidence) != 5 || f.More != 4 || f.Severity != report.SeverityCritical {
		t.Errorf("finding = %+v", f)
	}
	want := "python3 (pid 100) opened /home/pyti/.aws/credentials, a planted fake credential; it succeeded."
	if !strings.HasPrefix(f.Message, want) {
		t.Errorf("message = %q, want prefix %q", f.Message, want)
	}
	if fs[1].Subject != "/home/pyti/.netrc" || fs[1].Count != 3 {
		t.Errorf("second finding = %+v", fs[1])
	}
}

func TestGroupTopAndMinDistinct(t *testing.T) {
	rules := mustDefault(t)
	var events []trace.Event
	for _, p := range []string{"/home/pyti/.config", "/home/pyti/.config/x", "/home/pyti/.config/x/y.conf", "/etc/hosts.allow"} {
		events = append(events, trace.Event{Time: at(1), PID: 5, Kind: trace.KindFileCreate, Path: p})
	}
	for pid := 1; pid <= 2; pid++ {
		events = append(events, trace.Event{Time: at(2), PID: 7, Kind: trace.KindFileRead, Path: "/proc/" + string(rune('0'+pid)) + "/cmdline"})
	}
	fs, err := Evaluate(events, testCtx("install"), rules)
	if err != nil {
		t.Fatal(err)
	}
	// Two processes' command lines are not a scan (min_distinct = 3).
	if diff := cmp.Diff([]string{"write-outside-job", "write-outside-job"}, ruleIDs(fs)); diff != "" {
		t.Fatalf("(-want +got):\n%s", diff)
	}
	if fs[0].Subject != "/home/pyti/.config (and 2 more)" || fs[0].Distinct != 3 || fs[1].Subject != "/etc/hosts.allow" {
		t.Errorf("findings = %+v", fs)
	}
	events = append(events, trace.Event{Time: at(3), PID: 7, Kind: trace.KindFileRead, Path: "/proc/3/cmdline"})
	fs, _ = Evaluate(events, testCtx("install"), rules)
	if diff := cmp.Diff([]string{"process-scan", "write-outside-job", "write-outside-job"}, ruleIDs(fs)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestTestPhaseGroupsByRule: while the tests run, what one rule sees is one finding however many
// processes and paths it spans; at import, each process's read of another's environment is its own.
func TestTestPhaseGroupsByRule(t *testing.T) {
	var events []trace.Event
	for pid := 1; pid <= 3; pid++ {
		events = append(events, trace.Event{Time: at(pid), PID: 40 + pid, Comm: "ps", Kind: trace.KindFileRead, Syscall: "openat", Result: "-1", Errno: "EACCES",
			Path: fmt.Sprintf("/proc/%d/environ", pid+1)})
	}
	for _, tc := range []struct {
		phase    string
		want     []string
		distinct int
	}{
		{"test", []string{"process-environ-read"}, 3},
		{"import", []string{"process-environ-read", "process-environ-read", "process-environ-read"}, 1},
	} {
		fs, err := Evaluate(events, testCtx(tc.phase), mustDefault(t))
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.want, ruleIDs(fs)); d != "" {
			t.Errorf("phase %s (-want +got):\n%s", tc.phase, d)
			continue
		}
		if fs[0].Distinct != tc.distinct || fs[0].Count != 3/len(tc.want) {
			t.Errorf("phase %s: finding = %+v, want %d distinct", tc.phase, fs[0], tc.distinct)
		}
	}
}

func TestPhases(t *testing.T) {
	rules, err := ParseRules([]byte(`
[[rule]]
id = "build-only"
severity = "low"
title = "t"
message = "{{.Command}}"
kinds = ["exec"]
result = "success"
phases = ["build"]
`), "test")
	if err != nil {
		t.Fatal(err)
	}
	ev := []trace.Event{{Time: at(1), PID: 1, Kind: trace.KindExec, Path: "/bin/x", Argv: []string{"x", "a b"}}}
	for phase, want := range map[string]int{"build": 1, "install": 0, "test": 0} {
		fs, err := Evaluate(ev, testCtx(phase), rules)
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != want {
			t.Errorf("phase %s: %d findings, want %d", phase, len(fs), want)
		}
		if want == 1 && fs[0].Message != `x "a b"` {
			t.Errorf("message = %q", fs[0].Message)
		}
	}
}

func TestLoadRulesMerge(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.toml")
	user := `
[[rule]]
id = "passwd-read"
disabled = true

[[rule]]
id = "decoy-credential-read"
severity = "high"
title = "Secret read"
message = "{{.Path}} read"
kinds = ["file-read"]
result = "success"
paths = ["~/secrets/*"]

[[rule]]
id = "company-proxy"
severity = "info"
title = "Proxy"
message = "to {{.Endpoint}}"
kinds = ["connect"]
result = "success"
addresses = ["10.0.0.0/8"]
ports = [3128]
`
	if err := os.WriteFile(path, []byte(user), 0o644); err != nil {
		t.Fatal(err)
	}
	extra, err := LoadRules(path)
	if err != nil {
		t.Fatal(err)
	}
	rules := MergeRules(mustDefault(t), extra)
	events := []trace.Event{
		{Time: at(1), PID: 1, Kind: trace.KindFileRead, Path: "/etc/passwd", Result: "3"},
		{Time: at(2), PID: 1, Kind: trace.KindFileRead, Path: "/home/pyti/secrets/k", Result: "3"},
		{Time: at(3), PID: 1, Kind: trace.KindFileRead, Path: "/home/pyti/.ssh/id_rsa", Result: "3"},
		{Time: at(4), PID: 1, Kind: trace.KindConnect, Family: "AF_INET", Address: "10.1.2.3", Port: 3128, Result: "0"},
		{Time: at(5), PID: 1, Kind: trace.KindConnect, Family: "AF_INET", Address: "10.1.2.3", Port: 80, Result: "0"},
	}
	fs, err := Evaluate(events, testCtx("install"), rules)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.RuleID+": "+f.Message)
	}
	want := []string{
		"decoy-credential-read: /home/pyti/secrets/k read",
		"network-attempt: pid 1 tried to reach 10.1.2.3:3128 (); it succeeded. The sandbox has no network: a package that needs it at install time either downloads something or sends something out.",
		"network-attempt: pid 1 tried to reach 10.1.2.3:80 (); it succeeded. The sandbox has no network: a package that needs it at install time either downloads something or sends something out.",
		"company-proxy: to 10.1.2.3:3128",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if _, err := LoadRules(filepath.Join(t.TempDir(), "missing.toml")); err == nil {
		t.Error("LoadRules of a missing file: no error")
	}
}

func TestParseRulesErrors(t *testing.T) {
	base := "[[rule]]\nid = \"r\"\nseverity = \"low\"\ntitle = \"t\"\nmessage = \"m\"\nkinds = [\"exec\"]\nresult = \"success\"\n"
	tests := map[string]string{
		"bad severity":   strings.Replace(base, `"low"`, `"severe"`, 1),
		"unknown kind":   strings.Replace(base, `"exec"`, `"exek"`, 1),
		"no kind":        strings.Replace(base, `kinds = ["exec"]`, "", 1),
		"bad regexp":     base + "argv = ['(']\n",
		"bad glob":       base + "paths = ['/a/[']\n",
		"bad address":    base + "addresses = ['10.0.0.0/99']\n",
		"unknown field":  base + "pathz = ['/x']\n",
		"unknown phase":  base + "phases = ['deploy']\n",
		"template field": strings.Replace(base, `"m"`, `"{{.Nope}}"`, 1),
		"template":       strings.Replace(base, `"m"`, `"{{.Path"`, 1),
		"duplicate":      base + base,
		"program path":   base + "programs = ['/bin/sh']\n",
		"bad result":     strings.Replace(base, `"success"`, `"maybe"`, 1),
		"no result":      strings.Replace(base, `result = "success"`, "", 1),
		"old any result": strings.Replace(base, `"success"`, `"any"`, 1),
		// A rule that fires on failed calls must say in its message which it was.
		"attempt without outcome": strings.Replace(base, `"success"`, `"attempt"`, 1),
		"no id":                   strings.Replace(base, `id = "r"`, "", 1),
		"not toml":                "[[rule]\n",
	}
	for name, src := range tests {
		if _, err := ParseRules([]byte(src), "test.toml"); err == nil {
			t.Errorf("%s: no error", name)
		} else if !strings.Contains(err.Error(), "test.toml") {
			t.Errorf("%s: error %q does not name the file", name, err)
		}
	}
	if _, err := ParseRules([]byte(base), "test.toml"); err != nil {
		t.Errorf("valid rule: %v", err)
	}
}

func TestPthHasCode(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"/opt/lib\n../shared\n", false},
		{"# import os\n", false},
		{"  import os\n", false},
		{"importlib_path\n", false},
		{"import os; os.system('id')\n", true},
		{"/x\r\nimport\tsys\r\n", true},
		{"\xef\xbb\xbfimport os\n", true},
		{"", false},
	}
	for _, tt := range tests {
		if got := PthHasCode([]byte(tt.in)); got != tt.want {
			t.Errorf("PthHasCode(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// TestNamespacePth: setuptools' -nspkg.pth for pkg_resources-style namespace packages is told
// apart from any other .pth with code, to the byte. The lines are what setuptools 66's
// Installer._gen_nspkg_line writes for "acme" and "acme.sub".
func TestNamespacePth(t *testing.T) {
	const acme = `import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('acme',));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and sys.modules.setdefault('acme', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('acme', [os.path.dirname(p)])));m = m or sys.modules.setdefault('acme', types.ModuleType('acme'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p)`
	const acmeSub = `import sys, types, os;has_mfs = sys.version_info > (3, 5);p = os.path.join(sys._getframe(1).f_locals['sitedir'], *('acme', 'sub'));importlib = has_mfs and __import__('importlib.util');has_mfs and __import__('importlib.machinery');m = has_mfs and sys.modules.setdefault('acme.sub', importlib.util.module_from_spec(importlib.machinery.PathFinder.find_spec('acme.sub', [os.path.dirname(p)])));m = m or sys.modules.setdefault('acme.sub', types.ModuleType('acme.sub'));mp = (m or []) and m.__dict__.setdefault('__path__',[]);(p not in mp) and mp.append(p);m and setattr(sys.modules['acme'], 'sub', m)`
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"one namespace", acme + "\n", []string{"acme"}},
		{"a nested namespace and its parent", acme + "\n" + acmeSub + "\n", []string{"acme", "acme.sub"}},
		{"code appended to the line", acme + ";import os;os.system('id')\n", nil},
		{"another line of code", acme + "\nimport os; os.system('id')\n", nil},
		{"the template with another call in it", strings.Replace(acme, "mp.append(p)", "mp.append(__import__('os').getcwd())", 1) + "\n", nil},
		{"a name that is no dotted identifier", strings.ReplaceAll(acme, "'acme'", "'a'+__import__('os').name") + "\n", nil},
		{"a parent's setattr for another package", strings.Replace(acmeSub, "sys.modules['acme']", "sys.modules['os']", 1) + "\n", nil},
		{"no line at all", "", nil},
		{"paths only", "/opt/lib\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := NamespacePth([]byte(tt.in))
			if diff := cmp.Diff(tt.want, got); diff != "" || ok != (tt.want != nil) {
				t.Errorf("NamespacePth = %v, %v (-want +got):\n%s", got, ok, diff)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"/home/u/.ssh/*", "/home/u/.ssh/id_rsa", true},
		{"/home/u/.ssh/*", "/home/u/.ssh/sub/id_rsa", false},
		{"/home/u/**", "/home/u", true},
		{"/home/u/**", "/home/u/a/b/c", true},
		{"/home/u/**", "/home/uv", false},
		{"**/site-packages/**/*.pth", "/e/lib/python3.11/site-packages/a.pth", true},
		{"**/site-packages/**/*.pth", "/e/lib/python3.11/site-packages/pkg/a.pth", true},
		{"**/sitecustomize.py", "sitecustomize.py", true},
		{"/proc/[0-9]*/environ", "/proc/123/environ", true},
		{"/proc/[0-9]*/environ", "/proc/self/environ", false},
		{"/etc/cron*/**", "/etc/cron.d/job", true},
	}
	for _, tt := range tests {
		g, err := newGlob(tt.pat)
		if err != nil {
			t.Fatal(err)
		}
		if got := g.match(tt.name); got != tt.want {
			t.Errorf("glob %q match %q = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
	ctx := EvalContext{Home: "/h[1]", WorkDirs: []string{"/w1", "/w2"}}
	if diff := cmp.Diff([]string{`/h\[1]/.netrc`}, expandPattern("~/.netrc", &ctx)); diff != "" {
		t.Error(diff)
	}
	if diff := cmp.Diff([]string{"/w1/**", "/w2/**"}, expandPattern("$WORK/**", &ctx)); diff != "" {
		t.Error(diff)
	}
	if got := expandPattern("$SITE/*.pth", &ctx); len(got) != 0 {
		t.Errorf("no site-packages: %v", got)
	}
}

func TestEvaluatorStreamsWithTrace(t *testing.T) {
	// OnEvent sees events the bounded trace drops: the evaluator still judges them.
	var b strings.Builder
	for i := 0; i < 50; i++ {
		b.WriteString("1 1.000001 openat(AT_FDCWD, \"/usr/lib/python3.11/os.py\", O_RDONLY) = 3\n")
		if i == 25 {
			b.WriteString("1 1.000002 openat(AT_FDCWD, \"/home/pyti/.pypirc\", O_RDONLY) = 3\n")
		}
	}
	ev, err := NewEvaluator(testCtx("install"), mustDefault(t))
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trace.Parse(strings.NewReader(b.String()), trace.Options{MaxEvents: 10, OnEvent: ev.Add})
	if err != nil {
		t.Fatal(err)
	}
	if tr.Dropped == 0 {
		t.Fatal("nothing dropped: the test proves nothing")
	}
	fs := ev.Findings()
	if len(fs) != 1 || fs[0].RuleID != "decoy-credential-read" {
		t.Errorf("findings = %+v", fs)
	}
}

// TestOutcome: a rule on "success" ignores refused calls; a rule on "attempt" fires on them too
// and its finding says whether it was done or only attempted, in its outcome and its message.
func TestOutcome(t *testing.T) {
	rules := mustDefault(t)
	connect := func(sec int, errno string) trace.Event {
		e := trace.Event{Time: at(sec), PID: 9, Comm: "python3", Kind: trace.KindConnect, Syscall: "connect", Result: "0", Family: "AF_INET", Address: "203.0.113.5", Port: 443}
		if errno != "" {
			e.Result, e.Errno = "-1", errno
		}
		return e
	}
	write := func(sec int, errno string) trace.Event {
		e := trace.Event{Time: at(sec), PID: 9, Comm: "python3", Kind: trace.KindFileCreate, Syscall: "openat", Result: "3", Path: "/usr/lib/python3/dist-packages/x.py"}
		if errno != "" {
			e.Result, e.Errno = "-1", errno
		}
		return e
	}
	type out struct{ Rule, Outcome, Says string }
	tests := []struct {
		name   string
		phase  string
		events []trace.Event
		want   []out
	}{
		{"connect refused", "install", []trace.Event{connect(1, "ENETUNREACH")},
			[]out{{"network-attempt", "attempted", "it failed with ENETUNREACH"}}},
		{"connect made", "install", []trace.Event{connect(1, "")},
			[]out{{"network-attempt", "done", "it succeeded"}}},
		{"refused then made", "import", []trace.Event{connect(1, "ECONNREFUSED"), connect(2, "")},
			[]out{{"network-attempt", "done", "it succeeded"}}},
		{"write refused (EROFS)", "test", []trace.Event{write(1, "EROFS")}, nil},
		{"write refused (EACCES)", "install", []trace.Event{write(1, "EACCES")}, nil},
		{"write done", "install", []trace.Event{write(1, "")},
			[]out{{"system-site-packages-write", "done", "it succeeded"}, {"write-outside-job", "done", "it succeeded"}}},
		{"decoy credential probed", "import", []trace.Event{{Time: at(1), PID: 9, Comm: "python3", Kind: trace.KindFileRead, Syscall: "openat", Result: "-1", Errno: "ENOENT", Path: "/home/pyti/.ssh/id_ed25519"}},
			[]out{{"decoy-credential-read", "attempted", "it failed with ENOENT"}}},
		{"downloader missing", "build", []trace.Event{{Time: at(1), PID: 9, Kind: trace.KindExec, Syscall: "execve", Result: "-1", Errno: "ENOENT", Path: "/usr/bin/curl", Argv: []string{"curl", "http://x.test/"}}},
			[]out{{"downloader-run", "attempted", "it failed with ENOENT"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs, err := Evaluate(tc.events, testCtx(tc.phase), rules)
			if err != nil {
				t.Fatal(err)
			}
			var got []out
			for _, f := range fs {
				o := out{Rule: f.RuleID, Outcome: f.Outcome}
				for _, w := range tc.want {
					if w.Rule == f.RuleID && strings.Contains(f.Message, w.Says) {
						o.Says = w.Says
					}
				}
				got = append(got, o)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
		})
	}
}

// TestTestPhaseSeverity: what only the test suite did is at most medium (psutil's tests read
// other processes' environments, as psutil does; distlib's read ~/.pypirc, as distlib does); the
// same call while the package is installed or imported is high, and a planted credential's read
// critical.
func TestTestPhaseSeverity(t *testing.T) {
	rules := mustDefault(t)
	environ := trace.Event{Time: at(1), PID: 9, Kind: trace.KindFileRead, Syscall: "openat", Result: "3", Path: "/proc/4242/environ"}
	decoy := trace.Event{Time: at(1), PID: 9, Kind: trace.KindFileRead, Syscall: "openat", Result: "3", Path: "/home/pyti/.aws/credentials"}
	for _, tc := range []struct {
		phase string
		ev    trace.Event
		want  map[string]report.Severity
	}{
		{"import", environ, map[string]report.Severity{"process-environ-read": report.SeverityHigh}},
		{"test", environ, map[string]report.Severity{"process-environ-read": report.SeverityMedium}},
		{"import", decoy, map[string]report.Severity{"decoy-credential-read": report.SeverityCritical}},
		{"test", decoy, map[string]report.Severity{"decoy-credential-read": report.SeverityMedium}},
	} {
		fs, err := Evaluate([]trace.Event{tc.ev}, testCtx(tc.phase), rules)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]report.Severity{}
		for _, f := range fs {
			got[f.RuleID] = f.Severity
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s %s (-want +got):\n%s", tc.phase, tc.ev.Path, d)
		}
	}
}
