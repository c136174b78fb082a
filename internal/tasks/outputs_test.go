package tasks

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCopyOutRefusesHostileOutputs: what a package's code leaves where PYTI expects its results
// (a link to a host canary, a link to a directory above it, a FIFO) is never followed or opened:
// the result is missing, a finding says why, and the canary's content is nowhere in the report or
// the raw data.
func TestCopyOutRefusesHostileOutputs(t *testing.T) {
	host := t.TempDir()
	canary := filepath.Join(host, "secret")
	const secret = "HOST-CANARY-7f3a"
	if err := os.WriteFile(canary, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	j, collected := collecting(&jobEnv{dir: dir, raw: filepath.Join(dir, "raw"), work: filepath.Join(dir, "work")})
	test := filepath.Join(j.work, testDirName)
	for _, d := range []string{j.raw, test} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(test, "coverage.json"), []byte(`{"totals":{}}`), 0o644))
	must(os.Symlink(canary, filepath.Join(test, "junit.xml")))
	must(os.Symlink(host, filepath.Join(j.work, "dist")))
	must(syscall.Mkfifo(filepath.Join(test, "pytest.jsonl"), 0o644))

	got := map[string]bool{}
	for _, c := range []struct{ name, src string }{
		{"coverage.json", filepath.Join(test, "coverage.json")},
		{"junit.xml", filepath.Join(test, "junit.xml")},
		{"pytest.jsonl", filepath.Join(test, "pytest.jsonl")},
		{"secret", filepath.Join(j.work, "dist", "secret")},
	} {
		got[c.name] = j.copyOut("test", c.name, c.src, "text/plain")
	}
	if d := cmp.Diff(map[string]bool{"coverage.json": true, "junit.xml": false, "pytest.jsonl": false, "secret": false}, got); d != "" {
		t.Errorf("copied (-want +got)\n%s", d)
	}
	if _, err := j.openOut(nil, "test", filepath.Join(test, "junit.xml")); err == nil {
		t.Errorf("openOut followed a link")
	}
	var rules []string
	for _, f := range collected.Findings {
		rules = append(rules, f.RuleID+" "+string(f.Severity)+" "+f.Evidence[0].File)
	}
	want := []string{"output-link high work/pyti/junit.xml", "output-not-regular medium work/pyti/pytest.jsonl", "output-link high work/dist/secret"}
	if d := cmp.Diff(want, rules); d != "" {
		t.Errorf("findings (-want +got)\n%s", d)
	}
	var names []string
	for _, a := range collected.Artifacts {
		names = append(names, a.Path)
	}
	if d := cmp.Diff([]string{"raw/test/coverage.json"}, names); d != "" {
		t.Errorf("artifacts (-want +got)\n%s", d)
	}
	// The canary is nowhere in the raw data.
	_ = filepath.WalkDir(j.raw, func(p string, d os.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if data, _ := os.ReadFile(p); strings.Contains(string(data), secret) {
				t.Errorf("%s holds the host canary", p)
			}
		}
		return nil
	})
}

// TestWritesIntoTheWorkSpaceNeverFollowLinks: links the sandbox planted where PYTI later writes
// (a copy's destination, the environment's site-packages file, its bin directory) are refused or
// replaced, never written through: the host files they name are unchanged.
func TestWritesIntoTheWorkSpaceNeverFollowLinks(t *testing.T) {
	host := t.TempDir()
	canary := filepath.Join(host, "passwd")
	if err := os.WriteFile(canary, []byte("root:x:0:0"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	j, collected := collecting(&jobEnv{dir: dir, raw: filepath.Join(dir, "raw"), work: filepath.Join(dir, "work")})
	site := filepath.Join(j.work, "venv", "site-packages")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(site, 0o755))
	must(os.MkdirAll(filepath.Join(j.work, "build"), 0o755))
	must(os.Symlink(canary, filepath.Join(site, "pyti-test-env.pth")))
	must(os.Symlink(host, filepath.Join(j.work, "venv", "bin")))
	must(os.Symlink(host, filepath.Join(j.work, "build", "tree")))
	must(os.Symlink(host, filepath.Join(j.work, "test")))

	if err := j.writeNoLinks(nil, "test", filepath.Join(site, "pyti-test-env.pth"), []byte("/x\n"), 0o644); err == nil {
		t.Error("wrote through a link to a host file")
	}
	if err := j.realDir(nil, "test", filepath.Join(j.work, "venv", "bin")); err == nil {
		t.Error("a linked bin directory was taken as real")
	}
	if err := j.freshDir(nil, "test", filepath.Join(j.work, "test", "tree")); err == nil {
		t.Error("a tree was made below a linked directory")
	}
	// A linked destination itself is removed (the link, not what it names) and made anew.
	tree := filepath.Join(j.work, "build", "tree")
	must(j.freshDir(nil, "build", tree))
	if fi, err := os.Lstat(tree); err != nil || !fi.IsDir() {
		t.Errorf("fresh tree: %v %v", fi, err)
	}
	if data, _ := os.ReadFile(canary); string(data) != "root:x:0:0" {
		t.Errorf("the host canary changed: %q", data)
	}
	if entries, _ := os.ReadDir(host); len(entries) != 1 {
		t.Errorf("the host directory changed: %v", entries)
	}
	links := 0
	for _, f := range collected.Findings {
		if f.RuleID == "output-link" {
			links++
		}
	}
	if links != 3 {
		t.Errorf("%d output-link findings, want 3: %+v", links, collected.Findings)
	}
}
