package benchmark

import (
	_ "embed"
	"fmt"
	"strings"
	"time"
)

// Target is the project's goal for an analysis (issue 14): PYTI, sandboxed and traced, within this
// factor of the manual way (venv, pip install, coverage run -m pytest).
const Target = 1.15

// Table renders the results as a plain-text table for the terminal.
func Table(res *Results) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-40s %-16s %5s %10s %10s %9s\n", "ROW", "VARIANT", "REPS", "MEDIAN", "MIN", "RATIO")
	for _, r := range res.Rows {
		if r.Skipped != "" {
			fmt.Fprintf(&b, "%-40s not measured: %s\n", r.Title, r.Skipped)
			continue
		}
		base := r.Baseline()
		for i, s := range r.Series {
			title := ""
			if i == 0 {
				title = r.Title
			}
			ratio := "baseline"
			if i > 0 {
				ratio = FormatRatio(s.Median(), base.Median())
			}
			fmt.Fprintf(&b, "%-40s %-16s %5d %10s %10s %9s%s\n", clip(title, 40), s.Name, len(s.Samples),
				FormatDuration(s.Median()), FormatDuration(s.Min()), ratio, failureNote(s))
		}
	}
	return b.String()
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n-1] + "…"
	}
	return s
}

func failureNote(s Series) string {
	if s.Failures == 0 {
		return ""
	}
	return fmt.Sprintf("  (%d failed: %s)", s.Failures, s.LastError)
}

// Markdown renders BENCHMARKS.md from a run: how it was measured, on which machine under which
// load, one table per row, the per-task breakdown of the analyses, the biggest costs, and the two
// sections other benchmarks fill.
func Markdown(res *Results) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	w("# PYTI benchmarks\n\n")
	w("Speed is measured here, never asserted by tests: each row times PYTI against the fastest manual way to do\n")
	w("the same work, on the same machine in the same run, the two interleaved (repetition *r* starts with a\n")
	w("different variant each time) and repeated. Times are wall clock; *ratio* is PYTI's median over the\n")
	w("baseline's median. This file is written by `make bench` (`scripts/bench.sh`, the harness is\n")
	w("`internal/benchmark` and `cmd/pyti-bench`); re-run it rather than editing the tables.\n\n")

	w("## This run\n\n")
	w("- date: %s to %s (UTC)\n", res.Started.Format("2006-01-02 15:04"), res.Finished.Format("15:04"))
	w("- machine: %s\n", res.Machine)
	w("- load before (`uptime`): `%s`\n", res.UptimeBefore)
	w("- load after (`uptime`): `%s`\n", res.UptimeAfter)
	w("- load average above the CPU count means other work shared the machine: every time below is inflated by it,\n")
	w("  though not alike: PYTI runs two tasks at once where the manual way runs one process at a time, so under load\n")
	w("  PYTI takes a larger share of the CPUs and its ratios look better than on an idle machine. Compare ratios\n")
	w("  between runs at a similar load.\n")
	if res.IndexCommand != "" {
		w("- example index: `%s`\n", res.IndexCommand)
	}
	if res.DistIndexCommand != "" {
		w("- index of the projects from outside the repository (built locally, not committed): `%s`\n", res.DistIndexCommand)
		if res.DistNote != "" {
			w("  %s\n", res.DistNote)
		}
	}
	w("\n")

	w("## Summary\n\n")
	w("| row | variant | reps | median | min | ratio of medians | median CPU |\n|---|---|---:|---:|---:|---:|---:|\n")
	for _, r := range res.Rows {
		if r.Skipped != "" {
			w("| %s | not measured: %s | | | | | |\n", r.Title, mdEscape(r.Skipped))
			continue
		}
		base := r.Baseline()
		for i, s := range r.Series {
			ratio := "baseline"
			if i > 0 {
				ratio = FormatRatio(s.Median(), base.Median())
			}
			title := ""
			if i == 0 {
				title = r.Title
			}
			cpu := "-"
			if c := s.MedianCPU(); c > 0 {
				cpu = FormatDuration(c)
			}
			w("| %s | %s | %d | %s | %s | %s | %s |\n", title, s.Name, len(s.Samples), FormatDuration(s.Median()), FormatDuration(s.Min()), ratio, cpu)
		}
	}
	w("\n*median CPU* is the processor time (user and system) of every process a repetition started, wherever it ran:\n")
	w("what the work cost the machine, beside how long it took.\n\n")
	writeVerdict(&b, res)
	writeStaticVerdict(&b, res)
	writeFailures(&b, res)

	w("## Commands\n\n")
	for _, r := range res.Rows {
		if len(r.Commands) == 0 {
			continue
		}
		w("%s (%d of %d planned repetitions ran):\n\n```\n", r.Title, r.Reps, r.Planned)
		for _, c := range r.Commands {
			w("%s\n", c)
		}
		w("```\n\n")
	}
	w("Every pip run has `PIP_CONFIG_FILE=/dev/null PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1`;\n")
	w("the direct and manual runs get the sandbox's clean environment (PATH, HOME, LANG, TMPDIR), nothing inherited.\n")
	w("The manual wheelhouse links every file of the index except the project's own wheel, so pip builds\n")
	w("the project from its sdist as PYTI does. *manual* is what PYTI does minus the sandbox, tracing, fetching\n")
	w("through the index proxy, the static inspection, the import check, linting and reporting; *manual + lint* adds the\n")
	w("linting back (the three tools side by side, beside the tests, as PYTI runs them).\n\n")

	writeBreakdown(&b, res)

	// Measurements made by other harnesses, kept by hand in services.md.
	b.WriteString(servicesMarkdown)
	return b.String()
}

// servicesMarkdown holds the web, master/worker and image figures, measured by their own
// harnesses (see the file) and kept here so that make bench keeps them in BENCHMARKS.md.
//
//go:embed services.md
var servicesMarkdown string

// writeVerdict states plainly how far each analysis is from the target, against the manual way
// and against the manual way with lint.
func writeVerdict(b *strings.Builder, res *Results) {
	type line struct {
		title          string
		ratio, withLnt float64
		hasLint        bool
		floor          float64 // PYTI's CPU time over the machine's CPUs, against the manual wall time
		hasFloor       bool
	}
	var lines []line
	for _, r := range res.Rows {
		if !strings.HasPrefix(r.ID, "analyze-") || r.Skipped != "" {
			continue
		}
		pyti := seriesNamed(r, "pyti").Median()
		ratio, ok := Ratio(pyti, r.Baseline().Median())
		if !ok {
			continue
		}
		l := line{title: r.Title, ratio: ratio}
		l.withLnt, l.hasLint = Ratio(pyti, seriesNamed(r, "manual + lint").Median())
		if cpus := res.Machine.CPUs; cpus > 0 {
			l.floor, l.hasFloor = Ratio(seriesNamed(r, "pyti").MedianCPU()/time.Duration(cpus), r.Baseline().Median())
		}
		lines = append(lines, l)
	}
	fmt.Fprintf(b, "## Against the target\n\n")
	fmt.Fprintf(b, "The target (issue 14) is `pyti analyze`, sandboxed and traced, within %.2fx of the manual way: a venv, pip\n"+
		"install, `coverage run -m pytest`. PYTI lints too (pycodestyle, pyflakes and pylint over the modules the wheel\n"+
		"installs), which the manual way does not: *manual + lint* runs the same three tools with PYTI's command lines over the\n"+
		"same files, beside the tests, and compares like with like. The bundled examples are small, so fixed costs (sandbox\n"+
		"start-ups, tracing, pip's start-up) weigh more there than on a real project; *realistic* is shaped like one (hundreds\n"+
		"of tests inside the package, doctests, a C extension).\n\n", Target)
	if len(lines) == 0 {
		fmt.Fprintf(b, "No analysis row was measured in this run, so there is no ratio to hold against the target.\n\n")
		return
	}
	fmt.Fprintf(b, "| analysis | PYTI / manual | within %.2fx | PYTI / (manual + lint) | floor: PYTI's CPU / %d CPUs / manual |\n|---|---:|---|---:|---:|\n", Target, res.Machine.CPUs)
	within := 0
	for _, l := range lines {
		ok := "no"
		if l.ratio <= Target {
			ok, within = "yes", within+1
		}
		lint := "-"
		if l.hasLint {
			lint = fmt.Sprintf("%.2fx", l.withLnt)
		}
		floor := "-"
		if l.hasFloor {
			floor = fmt.Sprintf("%.2fx", l.floor)
		}
		fmt.Fprintf(b, "| %s | %.2fx | %s | %s | %s |\n", strings.TrimPrefix(l.title, "pyti analyze "), l.ratio, ok, lint, floor)
	}
	fmt.Fprintf(b, "\n*floor* is the lowest ratio this machine allows for PYTI's work: a run cannot take less wall time than its\n"+
		"CPU time spread over every CPU. Where the floor is above the target, no scheduling meets it: only less work does\n"+
		"(the linting, the static inspection, the import check and the fetch are work the manual way does not do).\n")
	fmt.Fprintf(b, "\n%d of %d analyses are within the target in this run.", within, len(lines))
	if within < len(lines) {
		fmt.Fprintf(b, " The breakdown below shows where the time goes and what would remove it.")
	}
	fmt.Fprintf(b, "\n\n*pyti, cold environments* is the same analysis with the cached build and test environments, and the\n"+
		"fresh environment the install fills, removed first: what the first analysis needing them pays (pip installs\n"+
		"them, as its build isolation and a test install would, `python -m venv` makes the fresh one, and PYTI keeps them\n"+
		"for the next analyses with the same interpreter, requirements and wheels). *pyti* and *pyti --no-trace* find them\n"+
		"kept: before a row's repetitions PYTI analyses the project once, untimed, since the previous row's cold run\n"+
		"emptied the cache.\n\n")
}

// writeFailures lists repetitions that failed, so a missing sample is never silent.
func writeFailures(b *strings.Builder, res *Results) {
	var lines []string
	for _, r := range res.Rows {
		for _, s := range r.Series {
			if s.Failures > 0 {
				lines = append(lines, fmt.Sprintf("- %s, %s: %d failed repetitions; last: `%s`", r.Title, s.Name, s.Failures, mdEscape(clip(s.LastError, 300))))
			}
		}
		if r.Skipped == "" && r.Reps < r.Planned {
			lines = append(lines, fmt.Sprintf("- %s: %d of %d planned repetitions ran (the time budget was spent, or the run was stopped)", r.Title, r.Reps, r.Planned))
		}
	}
	if len(lines) == 0 {
		return
	}
	fmt.Fprintf(b, "## Incomplete measurements\n\n%s\n\n", strings.Join(lines, "\n"))
}

// writeBreakdown writes the per-task medians of every analysis row and the ranked biggest costs.
func writeBreakdown(b *strings.Builder, res *Results) {
	var rows []Row
	for _, r := range res.Rows {
		if strings.HasPrefix(r.ID, "analyze-") && r.Skipped == "" && len(r.Breakdown["pyti"]) > 0 {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return
	}
	fmt.Fprintf(b, "## Where PYTI's time goes\n\n")
	fmt.Fprintf(b, "Median wall (and CPU) time per task, from `run.tasks[].wall_ms` and `cpu_ms` of each report.json. Tasks run\n"+
		"two at a time (inspect beside fetch, venv beside build, lint beside install, import and test), so the task times add up\n"+
		"to more than the total.\n\n")
	for _, r := range rows {
		traced := MedianTasks(r.Breakdown["pyti"])
		untraced := map[string]TaskStat{}
		for _, t := range MedianTasks(r.Breakdown["pyti --no-trace"]) {
			untraced[t.Name] = t
		}
		fmt.Fprintf(b, "### %s\n\n| task | status | wall, traced | CPU, traced | wall, --no-trace | CPU, --no-trace |\n|---|---|---:|---:|---:|---:|\n", r.Title)
		for _, t := range traced {
			u := untraced[t.Name]
			fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", t.Name, t.Status, FormatDuration(t.Wall), FormatDuration(t.CPU), FormatDuration(u.Wall), FormatDuration(u.CPU))
		}
		fmt.Fprintf(b, "| **whole analysis** | | %s | | %s | |\n| manual way | | %s | | | |\n| manual way + lint | | %s | | | |\n\n",
			FormatDuration(seriesNamed(r, "pyti").Median()), FormatDuration(seriesNamed(r, "pyti --no-trace").Median()), FormatDuration(r.Baseline().Median()),
			FormatDuration(seriesNamed(r, "manual + lint").Median()))
	}
	costs := BiggestCosts(rows)
	var total time.Duration
	for _, c := range costs {
		total += c.Wall
	}
	fmt.Fprintf(b, "### The biggest costs, and what would remove them\n\n")
	fmt.Fprintf(b, "Ranked by the task's median wall time summed over the %d measured examples (traced; --no-trace in brackets).\n\n", len(rows))
	for i, c := range costs {
		if i == 5 || c.Wall <= 0 {
			break
		}
		share := 100 * float64(c.Wall) / float64(total)
		fmt.Fprintf(b, "%d. **%s**: %s (%s), %.0f%% of the summed task time. %s\n", i+1, c.Task, FormatDuration(c.Wall), FormatDuration(c.Untraced), share, c.Remedy)
	}
	emptyRow, pipRow := rowByID(res, "empty-run"), rowByID(res, "pip-install")
	fmt.Fprintf(b, "\nAcross all tasks: every sandboxed step pays the empty-run cost above (%s per run without trace, %s\n"+
		"with trace, against %s for /bin/true itself) and an analysis runs about a dozen of them; tracing a real pip\n"+
		"install costs %s of the untraced sandboxed install (pip-install row).\n\n",
		FormatDuration(seriesNamed(emptyRow, "sandbox").Median()), FormatDuration(seriesNamed(emptyRow, "sandbox+trace").Median()),
		FormatDuration(emptyRow.Baseline().Median()),
		FormatRatio(seriesNamed(pipRow, "sandbox+trace").Median(), seriesNamed(pipRow, "sandbox").Median()))
}

func rowByID(res *Results, id string) Row {
	for _, r := range res.Rows {
		if r.ID == id {
			return r
		}
	}
	return Row{}
}

func seriesNamed(r Row, name string) Series {
	for _, s := range r.Series {
		if s.Name == name {
			return s
		}
	}
	return Series{}
}

// mdEscape keeps text from breaking a table row or a code span.
func mdEscape(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "|", "\\|")
	return strings.ReplaceAll(s, "`", "'")
}
