package tasks

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pyti/pyti/internal/archive"
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/report"
)

// lint runs pycodestyle, pyflakes and pylint, side by side, over what the package ships: the
// Python modules of the first target's wheel, laid out as they are installed, with the test files
// a wheel may ship counted but left out. The tools run in the sandbox (no network, not traced: they
// are PYTI's, not the package's) with the exact command lines the quality package documents, so
// the counts equal the tools run by hand on the same files. pylint sees the project's
// dependencies as the target's fetch left them: the wheelhouse's wheels, unpacked, on its
// sys.path (see lintDeps), and none of the host's other packages.
//
// The linters are usually done already: lint-start ran them while the wheel was built, on the
// sdist's copies of the modules the wheel was expected to ship (see earlyLint). lint keeps those
// figures only when the wheel installs exactly those files, byte for byte, so that they are the
// figures of what it installs; otherwise it stops that run and lints the wheel's files. Its part of
// the report is the lint, whatever became of it.
func (j *job) lint(ctx context.Context, d *dag.Data, first *target) (*report.Lint, error) {
	early, _ := kEarlyLint.Get(d)
	defer early.stop()
	w, ok := first.kWheel.Get(d)
	if !ok {
		// lint waits for the build, whatever its end, so that it stops the run lint-start began
		// when there is no wheel to compare it with.
		return nil, dag.Skip("no wheel was built")
	}
	wh, hasWheelhouse := first.kWheelhouse.Get(d)
	l := &report.Lint{}
	root := filepath.Join(j.work, "lint")
	source, _ := KSource.Get(d)
	q, err := shippedSources(ctx, w.Path, root, uncollectedModules(source.Root)...)
	if err != nil {
		return l, fmt.Errorf("reading the wheel's modules: %w", err)
	}
	src := filepath.Join(root, "src")
	if q.Files, q.Lines, err = quality.CountLines(src); err != nil {
		return l, err
	}
	if q.TooBig, err = quality.TooBigFiles(src); err != nil {
		return l, err
	}
	if q.Generated, err = quality.GeneratedFiles(src); err != nil {
		return l, err
	}
	if q.Files == 0 {
		l.Quality = reportQuality(q)
		l.Phase = report.Phase{Outcome: "ok", Reason: "the wheel installs no Python source file to lint"}
		return l, nil
	}
	var results []*stepResult
	inside, how := j.in(src), ""
	if same, err := early.lints(src); err != nil {
		j.log.Warn("comparing the sdist's copies with the wheel's modules: linting the wheel's", "err", err)
	} else if same {
		if results, err = early.wait(ctx); err != nil {
			if ctx.Err() != nil {
				return l, err
			}
			j.log.Warn("the lint started on the sdist's copies failed: linting the wheel's", "err", err)
			results = nil
		} else {
			inside = early.inside
			how = fmt.Sprintf("linted while the wheel was built, on the sdist's copies of the %s it installs (the same bytes)", plural(q.Files, "module"))
			var cpu time.Duration
			for _, r := range results {
				cpu += r.res.CPU
			}
			dag.AddUsage(ctx, dag.Usage{CPU: cpu})
		}
	}
	if results == nil {
		early.stop()
		if results, err = j.runLinters(ctx, "", inside, lintDeps(ctx, j, wh, hasWheelhouse), q.TooBig); err != nil {
			return l, err
		}
	}
	return finishLint(l, q, results, inside, how)
}

// lintDeps are the wheels of the target's wheelhouse, each unpacked into a directory of its own
// below the job's lint-deps/ (with the safe extractor: they are fetched, as hostile as the
// package), inside the sandbox: pylint's view of the project's dependencies. astroid reads a wheel
// left as a zip on sys.path too, but slowly: Babel 2.12.1's `from setuptools import Command`,
// resolved in setuptools' wheel, kept pylint busy past its ten minutes, nine seconds unpacked. A
// wheel that cannot be unpacked within the limits is given as it is. A second call (lint after
// lint-start) finds them unpacked.
func lintDeps(ctx context.Context, j *job, wh Wheelhouse, ok bool) []string {
	if !ok {
		return nil
	}
	var deps []string
	wheels, _ := filepath.Glob(filepath.Join(wh.Dir, "*.whl"))
	sort.Strings(wheels)
	root := filepath.Join(j.work, "lint-deps")
	if err := os.MkdirAll(root, 0o755); err != nil {
		j.log.Warn("pylint reads the dependencies' wheels as zips", "err", err)
		root = ""
	}
	for _, w := range wheels {
		if root == "" {
			deps = append(deps, j.in(w))
			continue
		}
		dir := filepath.Join(root, filepath.Base(w))
		if _, err := os.Stat(dir); err != nil {
			tmp := dir + ".part"
			if err := os.RemoveAll(tmp); err != nil {
				deps = append(deps, j.in(w))
				continue
			}
			if _, err := archive.Extract(ctx, w, tmp, archive.DefaultLimits()); err != nil || os.Rename(tmp, dir) != nil {
				j.log.Warn("pylint reads a dependency's wheel as a zip", "wheel", filepath.Base(w), "err", err)
				deps = append(deps, j.in(w))
				continue
			}
		}
		deps = append(deps, j.in(dir))
	}
	return deps
}

// lintTools are the quality tools lint runs, in the order runLinters returns their results.
var lintTools = []struct {
	name string
	args func(inside string, deps, tooBig []string) []string
	// ok reports whether the tool ran to the end: each says "I found messages" with its own
	// exit status, which is a result, not a failure. stderr is what it printed there.
	ok    func(code int, stderr []byte) bool
	parse func(q *quality.Report, out, inside string)
}{
	{"pycodestyle", func(in string, _, tooBig []string) []string { return quality.PycodestyleArgs(in, tooBig) }, func(c int, _ []byte) bool { return c <= 1 },
		func(q *quality.Report, out, _ string) { q.Pycodestyle = quality.ParsePycodestyle(out) }},
	{"pyflakes", func(in string, _, _ []string) []string { return quality.PyflakesArgs(in) }, func(c int, _ []byte) bool { return c <= 1 },
		func(q *quality.Report, out, in string) { q.Pyflakes = relativeMessages(quality.ParsePyflakes(out), in) }},
	// pylint's exit status is a bit mask of message categories; 32 is a usage error. A Python
	// traceback exits 1 too, as a fatal message does: that is pylint crashing, no result.
	// pylint starts with only its own distributions on sys.path, not the host's (see
	// python/pylint_alone.py): the package's imports resolve against its wheelhouse alone. The
	// directory is its source root: a module is named from there, as Python imports it, a
	// namespace package's included (pylint_alone.py gives a pylint older than 2.17 the option).
	{"pylint", func(in string, deps, leftOut []string) []string {
		return append([]string{script("pylint_alone.py"), "--source-roots=" + in}, quality.PylintOptions(in, leftOut, deps...)...)
	}, func(c int, stderr []byte) bool {
		return c < 32 && !bytes.Contains(stderr, []byte("Traceback (most recent call last):"))
	},
		func(q *quality.Report, out, in string) {
			p := quality.ParsePylint(out)
			p.Messages = relativeMessages(p.Messages, in)
			q.Pylint = p
		}},
}

// lowPriority starts a command at a lower CPU priority than the analysis's other steps: the
// linters run beside the build, the install and the tests, which the analysis waits for, while
// the linters are seldom the last to end. Each sandbox is a session of its own, and the kernel
// shares the CPUs between sessions (autogroups) before it looks at a process's nice value, so the
// session's share is lowered too; where that cannot be, only nice applies.
var lowPriority = []string{"/bin/sh", "-c", `{ echo 10 > /proc/self/autogroup; } 2>/dev/null; exec nice -n 10 "$@"`, "lint"}

// runLinters runs lintTools side by side in the sandbox over the directory inside (a path inside
// the sandbox), pylint with deps on its sys.path, pylint and pycodestyle without the files tooBig
// names (see quality.TooBigFiles). prefix starts the names of their raw data. The tools run without
// the user's site-packages and the current directory on sys.path (-s -P), from inside: else
// `python3 -m pyflakes` would import the package being linted when it is named pyflakes (the
// project itself), and write its bytecode there. Not isolated (-I), whose -E would ignore
// PYTHONHASHSEED: pylint's cyclic-import messages follow the order of a set of strings, and
// traitlets 5.9.0 got 4 of them, or 5, and a score of 8.23 or 8.22, from one run to the next.
// The sandbox's environment is PYTI's own, which -E would guard against.
func (j *job) runLinters(ctx context.Context, prefix, inside string, deps, tooBig []string) ([]*stepResult, error) {
	results := make([]*stepResult, len(lintTools))
	errs := make([]error, len(lintTools))
	var wg sync.WaitGroup
	for i, tool := range lintTools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = j.run(ctx, step{task: "lint", name: prefix + tool.name, dir: inside, wall: lintWallFactor * j.opts.LintTimeout, cpu: j.opts.LintTimeout, quiet: true,
				env:  []string{"PYTHONHASHSEED=0"},
				argv: append(append(slices.Clone(lowPriority), j.opts.ToolPython, "-s", "-P"), tool.args(inside, deps, tooBig)...)})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return results, nil
}

// finishLint reads into l the tools' results over the files q describes, laid out at inside (a
// path inside the sandbox); how, when not empty, says how they were linted.
func finishLint(l *report.Lint, q quality.Report, results []*stepResult, inside, how string) (*report.Lint, error) {
	var problems []string
	for i, tool := range lintTools {
		res := results[i]
		if (res.res.Outcome == "ok" || res.res.Outcome == "exit") && tool.ok(res.res.ExitCode, res.res.Stderr) {
			tool.parse(&q, string(res.res.Stdout), inside)
		} else {
			problem := tool.name + " " + describe(res.res)
			if res.res.Outcome == "exit" {
				if why := lastLine(string(res.res.Stderr)); why != "" {
					problem += " (" + why + ")" // pylint_alone.py's KeyError: 'repoze'
				}
			}
			problems = append(problems, problem)
		}
	}
	q.Finish()
	l.Quality = reportQuality(q)
	l.Phase = sideBySide(results)
	l.Phase.Outcome = "ok"
	if n := len(q.TooBig); n > 0 {
		left := fmt.Sprintf("pylint and pycodestyle left out %s larger than %d KiB, a generated table's size (%s), which pyflakes alone linted",
			plural(n, "file"), quality.MaxStyledBytes>>10, strings.Join(capList(q.TooBig, 3), ", ")+morePart(n, 3))
		how = strings.TrimPrefix(how+"; "+left, "; ")
	}
	l.Phase.Reason = how
	if len(problems) > 0 {
		l.Phase.Outcome = "failed"
		l.Phase.Reason = strings.Join(problems, "; ")
		if len(problems) == len(lintTools) {
			return l, fmt.Errorf("no quality tool ran: %s", l.Phase.Reason)
		}
	}
	return l, nil
}

// shippedSources lays out below root/src, as they are installed, the Python modules the wheel at
// wheelPath ships (quality.SelectShipped) and their companions (extension modules, stubs: pylint
// resolves imports of them but never loads them), and says in a quality.Report what was taken and what
// was left out. The wheel is read with the safe extractor into root/wheel first: a built wheel is
// the package's output, as hostile as its sdist.
func shippedSources(ctx context.Context, wheelPath, root string, modules ...string) (quality.Report, error) {
	q := quality.Report{Scope: quality.Scope}
	if err := os.RemoveAll(root); err != nil {
		return q, err
	}
	unpacked, src := filepath.Join(root, "wheel"), filepath.Join(root, "src")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return q, err
	}
	inv, err := archive.Extract(ctx, wheelPath, unpacked, archive.DefaultLimits())
	if err != nil {
		return q, err
	}
	var members []string
	for _, e := range inv.Entries {
		if e.Type == archive.TypeFile && e.Extracted && e.Path != "" {
			members = append(members, e.Path)
		}
	}
	shipped := quality.SelectShipped(members, modules...)
	if err := os.MkdirAll(src, 0o755); err != nil {
		return q, err
	}
	for i, f := range append(slices.Clip(shipped.Lint), shipped.Companions...) {
		dest := filepath.Join(src, filepath.FromSlash(f.Path))
		if _, err := os.Lstat(dest); err == nil {
			continue // purelib and the root both ship it: pip keeps one
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return q, err
		}
		if err := os.Rename(filepath.Join(unpacked, filepath.FromSlash(f.Member)), dest); err != nil {
			return q, err
		}
		if i < len(shipped.Lint) && len(q.Linted) < quality.MaxPaths {
			q.Linted = append(q.Linted, f.Path)
		}
	}
	q.TestFiles = len(shipped.Tests)
	q.TestsLeftOut = shipped.Tests[:min(len(shipped.Tests), quality.MaxPaths)]
	return q, os.RemoveAll(unpacked)
}

// relativeMessages makes the tools' paths relative to the install root they linted.
func relativeMessages(msgs []quality.Message, root string) []quality.Message {
	for i := range msgs {
		if rel, ok := strings.CutPrefix(msgs[i].Path, root+"/"); ok {
			msgs[i].Path = rel
		}
	}
	return msgs
}

func itoa(n int) string { return strconv.Itoa(n) }
