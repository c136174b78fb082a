package tasks

import (
	"context"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/report"
)

// styleResult is what the style task found: pycodestyle's and pyflakes' counts and phases.
type styleResult struct {
	report   quality.Report
	phase    report.Phase
	problems []string
}

// style runs pycodestyle and pyflakes over the pristine source tree in the sandbox (no network,
// not traced: the tools are PYTI's, not the package's), with the exact command lines the quality
// package documents, so the counts equal the tools run by hand. They need nothing but the tree,
// so they run beside fetch; pylint (the lint task) waits for the wheelhouse.
func (j *job) style(ctx context.Context, d *dag.Data) error {
	src, _ := KSource.Get(d)
	r := styleResult{}
	files, lines, err := quality.CountLines(src.Root)
	if err != nil {
		return err
	}
	r.report.Files, r.report.Lines = files, lines
	if files == 0 {
		r.phase = report.Phase{Outcome: "ok", Reason: "no Python files to check"}
		KStyle.Set(d, r)
		return nil
	}
	style, err := j.lintTool(ctx, src, "pycodestyle", quality.PycodestyleArgs(j.in(src.Root)))
	if err != nil {
		return err
	}
	r.phase = style.phase
	if style.res.Outcome == "ok" || style.res.ExitCode == 1 {
		r.report.Pycodestyle = quality.ParsePycodestyle(string(style.res.Stdout))
	} else {
		r.problems = append(r.problems, "pycodestyle "+describe(style.res))
	}
	flakes, err := j.lintTool(ctx, src, "pyflakes", quality.PyflakesArgs(j.in(src.Root)))
	if err != nil {
		return err
	}
	if flakes.res.Outcome == "ok" || flakes.res.ExitCode == 1 {
		r.report.Pyflakes = quality.ParsePyflakes(string(flakes.res.Stdout))
	} else {
		r.problems = append(r.problems, "pyflakes "+describe(flakes.res))
	}
	r.phase.WallMS += flakes.phase.WallMS
	r.phase.CPUMS += flakes.phase.CPUMS
	KStyle.Set(d, r)
	return nil
}

// lintTool runs one quality tool over the source tree; its raw output is kept under raw/lint/.
func (j *job) lintTool(ctx context.Context, src Source, name string, args []string) (*stepResult, error) {
	return j.run(ctx, step{task: "lint", name: name, dir: j.in(src.Root), wall: j.opts.LintTimeout, argv: append([]string{j.opts.ToolPython}, args...)})
}

// lint runs pylint like the style tools and reports the three tools' figures together. pylint
// sees the project's dependencies as the first target's fetch left them: the wheelhouse's wheels
// on its sys.path (astroid reads a wheel there as an installed package), so it starts beside the
// build instead of after the install.
func (j *job) lint(ctx context.Context, d *dag.Data, first *target) error {
	src, _ := KSource.Get(d)
	wh, hasWheelhouse := first.kWheelhouse.Get(d)
	st, hasStyle := KStyle.Get(d)
	if !hasStyle {
		var err error
		if st.report.Files, st.report.Lines, err = quality.CountLines(src.Root); err != nil {
			return err
		}
		st.phase = report.Phase{Outcome: "skipped"}
		st.problems = []string{"pycodestyle and pyflakes did not run"}
	}
	q := st.report
	l := &report.Lint{Phase: st.phase}
	defer j.edit(func(r *report.Report) { l.Report = q; r.Lint = l })
	if q.Files == 0 {
		KLinted.Set(d, true)
		return nil
	}
	problems := st.problems
	var deps []string
	if hasWheelhouse {
		wheels, _ := filepath.Glob(filepath.Join(wh.Dir, "*.whl"))
		sort.Strings(wheels)
		for _, w := range wheels {
			deps = append(deps, j.in(w))
		}
	}
	pyl, err := j.lintTool(ctx, src, "pylint", quality.PylintArgs(j.in(src.Root), deps...))
	if err != nil {
		return err
	}
	if !hasStyle {
		l.Phase = pyl.phase
	}
	// pylint's exit status is a bit mask of message categories; 32 is a usage error.
	if pyl.res.Outcome == "ok" || (pyl.res.Outcome == "exit" && pyl.res.ExitCode < 32) {
		q.Pylint = quality.ParsePylint(string(pyl.res.Stdout))
	} else {
		problems = append(problems, "pylint "+describe(pyl.res))
	}
	q.Finish()
	if hasStyle {
		l.Phase.WallMS += pyl.phase.WallMS
		l.Phase.CPUMS += pyl.phase.CPUMS
	}
	if len(problems) > 0 {
		l.Phase.Reason = fmt.Sprint(problems)
		if len(problems) == 3 {
			return fmt.Errorf("no quality tool ran: %v", problems)
		}
	}
	KLinted.Set(d, true)
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }
