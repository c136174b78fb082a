package tasks

import (
	"context"
	"fmt"
	"strconv"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/report"
)

// lint runs pycodestyle, pyflakes and pylint over the pristine source tree in the sandbox (no
// network, not traced: the tools are PYTI's, not the package's), with the exact command lines the
// quality package documents, so the counts equal the tools run by hand. pylint sees the installed
// environment when there is one.
func (j *job) lint(ctx context.Context, d *dag.Data, first *target) error {
	src, _ := KSource.Get(d)
	env, hasEnv := first.kEnv.Get(d)
	q := quality.Report{}
	files, lines, err := quality.CountLines(src.Root)
	if err != nil {
		return err
	}
	q.Files, q.Lines = files, lines
	l := &report.Lint{}
	defer j.edit(func(r *report.Report) { l.Report = q; r.Lint = l })
	if files == 0 {
		l.Phase = report.Phase{Outcome: "ok", Reason: "no Python files to check"}
		KLinted.Set(d, true)
		return nil
	}
	py := j.opts.ToolPython
	tool := func(name string, args []string) (*stepResult, error) {
		return j.run(ctx, step{task: "lint", name: name, dir: j.in(src.Root), wall: j.opts.LintTimeout, argv: append([]string{py}, args...)})
	}
	style, err := tool("pycodestyle", quality.PycodestyleArgs(j.in(src.Root)))
	if err != nil {
		return err
	}
	l.Phase = style.phase
	var problems []string
	if style.res.Outcome == "ok" || style.res.ExitCode == 1 {
		q.Pycodestyle = quality.ParsePycodestyle(string(style.res.Stdout))
	} else {
		problems = append(problems, "pycodestyle "+describe(style.res))
	}
	flakes, err := tool("pyflakes", quality.PyflakesArgs(j.in(src.Root)))
	if err != nil {
		return err
	}
	if flakes.res.Outcome == "ok" || flakes.res.ExitCode == 1 {
		q.Pyflakes = quality.ParsePyflakes(string(flakes.res.Stdout))
	} else {
		problems = append(problems, "pyflakes "+describe(flakes.res))
	}
	site := ""
	if hasEnv {
		site = j.in(env.SitePackages)
	}
	pyl, err := tool("pylint", quality.PylintArgs(j.in(src.Root), site))
	if err != nil {
		return err
	}
	// pylint's exit status is a bit mask of message categories; 32 is a usage error.
	if pyl.res.Outcome == "ok" || (pyl.res.Outcome == "exit" && pyl.res.ExitCode < 32) {
		q.Pylint = quality.ParsePylint(string(pyl.res.Stdout))
	} else {
		problems = append(problems, "pylint "+describe(pyl.res))
	}
	q.Finish()
	l.Phase.WallMS = style.phase.WallMS + flakes.phase.WallMS + pyl.phase.WallMS
	l.Phase.CPUMS = style.phase.CPUMS + flakes.phase.CPUMS + pyl.phase.CPUMS
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
