// Package deptest checks, in a package's own tests, which packages it depends on, as tailscale's
// tstest/deptest does: a package that must stay apart from others (the public report schema from
// the pipeline that fills it, the web UI from everything but the report and the store) says so
// in a test, and an import that breaks the layering fails that test.
package deptest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Module is PYTI's module path.
const Module = "github.com/pyti/pyti"

// Pipeline are the packages that run an analysis and PYTI's services, each with what it is:
// the report schema and the web UI must not depend on any of them, so that the report's JSON
// is its own and a reader of reports needs none of the machinery that wrote them.
var Pipeline = map[string]string{}

func init() {
	for name, what := range map[string]string{
		"archive":     "the archive reader",
		"behavior":    "the behaviour rules",
		"benchmark":   "the benchmark",
		"cli":         "the command line",
		"config":      "the configuration",
		"dag":         "the task graph runner",
		"debwheel":    "Debian's wheels",
		"detectbench": "the detection benchmark",
		"follow":      "the follower",
		"image":       "the images",
		"inspection":  "static inspection",
		"jobfs":       "the job's files",
		"localindex":  "the local index",
		"master":      "the master",
		"pkgmeta":     "the metadata parser",
		"pypi":        "the index client",
		"quality":     "the quality tools' parsers",
		"queue":       "the queue",
		"sandbox":     "the sandbox",
		"tasks":       "the analysis's tasks",
		"testresult":  "the pytest result parser",
		"trace":       "the tracer",
		"worker":      "the worker",
	} {
		Pipeline[Module+"/internal/"+name] = what + ", part of the pipeline: convert its output into report types where the report is filled"
	}
}

// Checker says what a package may depend on.
type Checker struct {
	// Package is the import path checked, e.g. Module+"/internal/report".
	Package string
	// BadDeps are packages it must not depend on, directly or not, each with the reason.
	BadDeps map[string]string
	// Internal, when not nil, are the only packages of this module under internal/ that it may
	// depend on (itself aside): a new one must be added here, on purpose.
	Internal []string
}

// Check fails t when Package depends on a package it must not.
func (c Checker) Check(t testing.TB) {
	t.Helper()
	deps, err := Deps(c.Package)
	if err != nil {
		t.Fatal(err)
	}
	for _, problem := range c.problems(deps) {
		t.Error(problem)
	}
}

// problems are the reasons deps break c's rules.
func (c Checker) problems(deps []string) []string {
	var out []string
	for _, d := range deps {
		if why, bad := c.BadDeps[d]; bad {
			out = append(out, fmt.Sprintf("%s depends on %s: %s", c.Package, d, why))
			continue
		}
		if c.Internal != nil && d != c.Package && strings.HasPrefix(d, Module+"/internal/") && !slices.Contains(c.Internal, d) {
			out = append(out, fmt.Sprintf("%s depends on %s, which is not among the internal packages it may use (%s)",
				c.Package, d, strings.Join(c.Internal, ", ")))
		}
	}
	return out
}

// Deps lists every package pkg depends on, directly or not, its tests left out, as go list says.
func Deps(pkg string) ([]string, error) {
	cmd := exec.Command("go", "list", "-deps", "-json=ImportPath", pkg)
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return nil, fmt.Errorf("go list -deps %s: %w: %s", pkg, err, ee.Stderr)
		}
		return nil, fmt.Errorf("go list -deps %s: %w", pkg, err)
	}
	var deps []string
	dec := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p struct{ ImportPath string }
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("reading go list's output: %w", err)
		}
		deps = append(deps, p.ImportPath)
	}
	return deps, nil
}
