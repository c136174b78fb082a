package cli

import (
	"flag"

	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// run calls Main the way cmd/pyti does, with its own environment.
func run(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	if env == nil {
		env = map[string]string{}
	}
	if _, ok := env["PYTI_CONFIG"]; !ok {
		env["PYTI_CONFIG"] = filepath.Join(t.TempDir(), "none.toml")
		// An explicitly named config that does not exist is an error; point at an empty one.
		_ = os.WriteFile(env["PYTI_CONFIG"], nil, 0o644)
	}
	code = Main(context.Background(), args, &Env{
		Stdin:     strings.NewReader(""),
		Stdout:    &out,
		Stderr:    &errb,
		LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
	})
	return code, out.String(), errb.String()
}

func TestExitCodesAndMessages(t *testing.T) {
	tests := []struct {
		name       string
		env        map[string]string
		args       []string
		wantCode   int
		wantOut    string
		wantStderr string
	}{
		{"no command", nil, nil, ExitUsage, "", "Usage: pyti"},
		{"unknown command", nil, []string{"frobnicate"}, ExitUsage, "", `unknown command "frobnicate"`},
		{"help", nil, []string{"help"}, ExitOK, "Commands:", ""},
		{"help of a command", nil, []string{"help", "version"}, ExitOK, "--json", ""},
		{"help of an unknown command", nil, []string{"help", "nope"}, ExitUsage, "", `unknown command "nope"`},
		{"-h", nil, []string{"-h"}, ExitOK, "Commands:", ""},
		{"command -h", nil, []string{"version", "-h"}, ExitOK, "Usage: pyti version", ""},
		{"bad flag", nil, []string{"version", "--nope"}, ExitUsage, "", "flag provided but not defined: -nope"},
		{"stray argument", nil, []string{"version", "extra"}, ExitUsage, "", "version takes no arguments"},
		{"version", nil, []string{"version"}, ExitOK, "pyti ", ""},
		{"version json from env", map[string]string{"PYTI_JSON": "true"}, []string{"version"}, ExitOK, `"version":`, ""},
		{"bad env value names the variable", map[string]string{"PYTI_JSON": "maybe"}, []string{"version"}, ExitUsage, "", "PYTI_JSON"},
		{"bad log format", nil, []string{"--log-format", "xml", "version"}, ExitUsage, "", "log-format"},
		{"missing named config", map[string]string{"PYTI_CONFIG": "/nonexistent/pyti.toml"}, []string{"version"}, ExitUsage, "", "/nonexistent/pyti.toml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := run(t, tc.env, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code = %d, want %d (stderr %q)", code, tc.wantCode, errOut)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout %q does not contain %q", out, tc.wantOut)
			}
			if !strings.Contains(errOut, tc.wantStderr) {
				t.Errorf("stderr %q does not contain %q", errOut, tc.wantStderr)
			}
		})
	}
}

func TestConfigFileUnknownKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(path, []byte("jsn = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, map[string]string{"PYTI_CONFIG": path}, "version")
	if code != ExitUsage || !strings.Contains(errOut, `"jsn"`) {
		t.Errorf("code %d, stderr %q: want a usage error naming the unknown key", code, errOut)
	}
}

func TestConfigFileSetsFlag(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.toml")
	if err := os.WriteFile(path, []byte("json = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, map[string]string{"PYTI_CONFIG": path}, "version")
	if code != ExitOK || !strings.Contains(out, `"go":`) {
		t.Errorf("code %d, out %q, err %q: the file's json=true must apply", code, out, errOut)
	}
	code, out, _ = run(t, map[string]string{"PYTI_CONFIG": path}, "version", "--json=false")
	if code != ExitOK || strings.Contains(out, `"go":`) {
		t.Errorf("a flag must win over the file, got %q", out)
	}
}

func TestParseInterspersed(t *testing.T) {
	tests := []struct {
		args     []string
		wantPos  []string
		wantJSON bool
	}{
		{[]string{"a", "--json", "b"}, []string{"a", "b"}, true},
		{[]string{"--json", "a"}, []string{"a"}, true},
		{[]string{"a", "--", "--json"}, []string{"a", "--json"}, false},
		{nil, nil, false},
	}
	for _, tc := range tests {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		j := fs.Bool("json", false, "")
		pos, err := parseInterspersed(fs, tc.args)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.wantPos, pos); d != "" || *j != tc.wantJSON {
			t.Errorf("%q: positional diff %s, json=%v", tc.args, d, *j)
		}
	}
}

// TestAnalyzeUserMistakes: each mistake a user can make gets one clear line and a non-zero exit.
func TestAnalyzeUserMistakes(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"nothing to analyse", []string{"analyze"}, ExitUsage, "name a distribution"},
		{"bad requirement", []string{"analyze", "foo>>>1"}, ExitUsage, "neither a path nor a requirement"},
		{"missing path", []string{"analyze", "./nope/pkg-1.0.tar.gz"}, ExitUsage, "no such file or directory"},
		{"bad severity", []string{"analyze", "--fail-on", "dire", "foo"}, ExitUsage, "--fail-on"},
		{"unknown sandbox", []string{"analyze", "--sandbox", "docker", "foo"}, ExitUsage, "--sandbox"},
		{"direct URL", []string{"analyze", "foo @ https://example.org/foo.tar.gz"}, ExitUsage, "direct URLs"},
		{"interpreter outside the sandbox's view", []string{"analyze", "--no-store", "--python", "/opt/py/bin/python3", "foo"}, ExitError, "under /usr"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := run(t, nil, tc.args...)
			if code != tc.wantCode || !strings.Contains(errOut, tc.want) {
				t.Errorf("code %d, stderr %q: want %d and %q", code, errOut, tc.wantCode, tc.want)
			}
		})
	}
}
