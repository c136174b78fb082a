package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type settings struct {
	Index   string
	Jobs    int
	Timeout time.Duration
	JSON    bool
}

func newSet(s *settings) *flag.FlagSet {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.StringVar(&s.Index, "index-url", "https://pypi.org/simple/", "")
	fs.IntVar(&s.Jobs, "jobs", 2, "")
	fs.DurationVar(&s.Timeout, "timeout", time.Minute, "")
	fs.BoolVar(&s.JSON, "json", false, "")
	return fs
}

func TestPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(path, []byte("index_url = \"http://file/simple/\"\njobs = 7\ntimeout = \"3m\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
		file bool
		want settings
	}{
		{"defaults", nil, nil, false, settings{"https://pypi.org/simple/", 2, time.Minute, false}},
		{"file over default", nil, nil, true, settings{"http://file/simple/", 7, 3 * time.Minute, false}},
		{"env over file", nil, map[string]string{"PYTI_JOBS": "9", "PYTI_JSON": "true"}, true, settings{"http://file/simple/", 9, 3 * time.Minute, true}},
		{"flag over env", []string{"--jobs", "1", "--index-url", "http://flag/"}, map[string]string{"PYTI_JOBS": "9", "PYTI_INDEX_URL": "http://env/"}, true, settings{"http://flag/", 1, 3 * time.Minute, false}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s settings
			fs := newSet(&s)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatal(err)
			}
			var f *File
			if tc.file {
				var err error
				if f, err = LoadFile(path, true); err != nil {
					t.Fatal(err)
				}
			}
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			if err := Apply(fs, lookup, f); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, s); d != "" {
				t.Errorf("settings (-want +got):\n%s", d)
			}
		})
	}
}

func TestBadValuesNameTheSetting(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.toml")
	if err := os.WriteFile(path, []byte("timeout = \"soon\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := LoadFile(path, true)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		file *File
		want []string
	}{
		{"env", map[string]string{"PYTI_JOBS": "many"}, nil, []string{"PYTI_JOBS", `"many"`}},
		{"file", nil, f, []string{path, `"timeout"`, `"soon"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s settings
			fs := newSet(&s)
			_ = fs.Parse(nil)
			err := Apply(fs, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }, tc.file)
			if err == nil {
				t.Fatal("no error for a bad value")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %s", err, w)
				}
			}
		})
	}
}

func TestFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := LoadFile(filepath.Join(dir, "missing.toml"), true); err == nil {
		t.Error("a named config file that does not exist must be an error")
	}
	if f, err := LoadFile(filepath.Join(dir, "missing.toml"), false); err != nil || len(f.Values) != 0 {
		t.Errorf("the default config file may be missing: %v", err)
	}
	bad := filepath.Join(dir, "bad.toml")
	_ = os.WriteFile(bad, []byte("jobs = = 3"), 0o644)
	if _, err := LoadFile(bad, true); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("a malformed file must be an error naming it, got %v", err)
	}
	typo := filepath.Join(dir, "typo.toml")
	_ = os.WriteFile(typo, []byte("job = 3"), 0o644)
	f, err := LoadFile(typo, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.CheckKeys(map[string]bool{"jobs": true}); err == nil || !strings.Contains(err.Error(), `"job"`) {
		t.Errorf("an unknown key must be named, got %v", err)
	}
}

func TestEnvName(t *testing.T) {
	if got := EnvName("index-url"); got != "PYTI_INDEX_URL" {
		t.Errorf("EnvName = %q", got)
	}
}
