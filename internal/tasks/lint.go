package tasks

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

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
// dependencies as the target's fetch left them: the wheelhouse's wheels on its sys.path (astroid
// reads a wheel there as an installed package), so lint starts once the wheel is built, beside
// the install and the tests. Its part of the report is the lint, whatever became of it.
func (j *job) lint(ctx context.Context, d *dag.Data, first *target) (*report.Lint, error) {
	w, _ := first.kWheel.Get(d)
	wh, hasWheelhouse := first.kWheelhouse.Get(d)
	l := &report.Lint{}
	root := filepath.Join(j.work, "lint")
	q, err := shippedSources(ctx, w.Path, root)
	if err != nil {
		return l, fmt.Errorf("reading the wheel's modules: %w", err)
	}
	src := filepath.Join(root, "src")
	if q.Files, q.Lines, err = quality.CountLines(src); err != nil {
		return l, err
	}
	if q.Files == 0 {
		l.Quality = reportQuality(q)
		l.Phase = report.Phase{Outcome: "ok", Reason: "the wheel installs no Python source file to lint"}
		return l, nil
	}
	var deps []string
	if hasWheelhouse {
		wheels, _ := filepath.Glob(filepath.Join(wh.Dir, "*.whl"))
		sort.Strings(wheels)
		for _, w := range wheels {
			deps = append(deps, j.in(w))
		}
	}
	inside := j.in(src)
	tools := []struct {
		name string
		args []string
		// ok reports whether the tool ran to the end: each says "I found messages" with its own
		// exit status, which is a result, not a failure.
		ok    func(code int) bool
		parse func(out string)
	}{
		{"pycodestyle", quality.PycodestyleArgs(inside), func(c int) bool { return c <= 1 },
			func(out string) { q.Pycodestyle = quality.ParsePycodestyle(out) }},
		{"pyflakes", quality.PyflakesArgs(inside), func(c int) bool { return c <= 1 },
			func(out string) { q.Pyflakes = relativeMessages(quality.ParsePyflakes(out), inside) }},
		// pylint's exit status is a bit mask of message categories; 32 is a usage error.
		{"pylint", quality.PylintArgs(inside, deps...), func(c int) bool { return c < 32 },
			func(out string) {
				p := quality.ParsePylint(out)
				p.Messages = relativeMessages(p.Messages, inside)
				q.Pylint = p
			}},
	}
	results := make([]*stepResult, len(tools))
	errs := make([]error, len(tools))
	var wg sync.WaitGroup
	for i, tool := range tools {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = j.run(ctx, step{task: "lint", name: tool.name, dir: inside, wall: j.opts.LintTimeout,
				argv: append([]string{j.opts.ToolPython}, tool.args...)})
		}()
	}
	wg.Wait()
	var problems []string
	for i, tool := range tools {
		if errs[i] != nil {
			return l, errs[i]
		}
		res := results[i]
		if res.res.Outcome == "ok" || (res.res.Outcome == "exit" && tool.ok(res.res.ExitCode)) {
			tool.parse(string(res.res.Stdout))
		} else {
			problems = append(problems, tool.name+" "+describe(res.res))
		}
	}
	q.Finish()
	l.Quality = reportQuality(q)
	l.Phase = sideBySide(results)
	l.Phase.Outcome = "ok"
	if len(problems) > 0 {
		l.Phase.Outcome = "failed"
		l.Phase.Reason = strings.Join(problems, "; ")
		if len(problems) == len(tools) {
			return l, fmt.Errorf("no quality tool ran: %s", l.Phase.Reason)
		}
	}
	return l, nil
}

// shippedSources lays out below root/src, as they are installed, the Python modules the wheel at
// wheelPath ships (quality.SelectShipped), and says in a quality.Report what was taken and what
// was left out. The wheel is read with the safe extractor into root/wheel first: a built wheel is
// the package's output, as hostile as its sdist.
func shippedSources(ctx context.Context, wheelPath, root string) (quality.Report, error) {
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
	shipped := quality.SelectShipped(members)
	if err := os.MkdirAll(src, 0o755); err != nil {
		return q, err
	}
	for _, f := range shipped.Lint {
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
		if len(q.Linted) < quality.MaxPaths {
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
