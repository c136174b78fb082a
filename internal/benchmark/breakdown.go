package benchmark

import (
	"sort"
	"time"
)

// TaskStat is one task's median wall and CPU time over the runs of one PYTI variant.
type TaskStat struct {
	Name   string
	Wall   time.Duration
	CPU    time.Duration
	Status string // the status of the last run
}

// MedianTasks aggregates the runs of one variant per task, in the order the tasks first appear.
func MedianTasks(runs [][]TaskTime) []TaskStat {
	var order []string
	walls := map[string][]time.Duration{}
	cpus := map[string][]time.Duration{}
	status := map[string]string{}
	for _, run := range runs {
		for _, t := range run {
			if _, seen := walls[t.Name]; !seen {
				order = append(order, t.Name)
			}
			walls[t.Name] = append(walls[t.Name], ms(t.WallMS))
			cpus[t.Name] = append(cpus[t.Name], ms(t.CPUMS))
			status[t.Name] = t.Status
		}
	}
	out := make([]TaskStat, 0, len(order))
	for _, n := range order {
		out = append(out, TaskStat{Name: n, Wall: median(walls[n]), CPU: median(cpus[n]), Status: status[n]})
	}
	return out
}

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// Cost is one task's share of PYTI's time over all analysis rows.
type Cost struct {
	Task      string
	Wall      time.Duration // sum over the examples of the task's median wall time (traced)
	Untraced  time.Duration // the same without tracing
	Remedy    string
	PerSample int // examples that contributed
}

// BiggestCosts ranks the tasks by their summed median wall time in the traced runs of the rows.
func BiggestCosts(rows []Row) []Cost {
	byTask := map[string]*Cost{}
	var order []string
	for _, r := range rows {
		untraced := map[string]time.Duration{}
		for _, t := range MedianTasks(r.Breakdown["pyti --no-trace"]) {
			untraced[t.Name] = t.Wall
		}
		for _, t := range MedianTasks(r.Breakdown["pyti"]) {
			c, ok := byTask[t.Name]
			if !ok {
				c = &Cost{Task: t.Name, Remedy: remedies[t.Name]}
				byTask[t.Name] = c
				order = append(order, t.Name)
			}
			c.Wall += t.Wall
			c.Untraced += untraced[t.Name]
			c.PerSample++
		}
	}
	out := make([]Cost, 0, len(order))
	for _, n := range order {
		out = append(out, *byTask[n])
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Wall > out[j].Wall })
	return out
}

// remedies say, per task, where its time goes in the current pipeline and what would remove it.
// They describe the design as it is (internal/tasks); the figures beside them come from the run.
var remedies = map[string]string{
	"fetch": "the build requirements first, then the dependencies, the test requirements and the tools, each from the " +
		"host without pip when no resolver could choose otherwise (the newest release each requirement allows, its one wheel " +
		"for this Python, the dependencies from its METADATA), and otherwise with `pip download` in the traced sandbox " +
		"through the index proxy (with the interpreter's -S: pip's resolver no longer reads the metadata of every " +
		"distribution on the system's sys.path). When pyproject.toml declares the dependencies statically (PEP 621; all " +
		"the examples here) they are read from it; otherwise PYTI prepares the sdist's metadata, traced, on the cached " +
		"build environment. The build starts on the build requirements, beside the rest. What is left is that metadata " +
		"preparation, and pip where a release has no single wheel for this Python (an sdist to build, several to rank).",
	"build": "PYTI's own PEP 517 front end calls the backend's get_requires_for_build_wheel and build_wheel hooks, each in " +
		"a fresh interpreter, traced, as pip's build isolation would, on a build environment that pip installed once into " +
		"the cache (named by the interpreter, the requirements and every wheelhouse file pip could pick) and that the " +
		"sandbox binds read-only; pip wheel builds, with its own isolation, only where that cannot give pip's answer. What " +
		"is left is the backend itself, two Python start-ups importing it; it starts before the fetch ends, on a copy " +
		"of the build requirements. Removing more: cache built wheels by the " +
		"sdist's sha256, so that a re-analysis does not rebuild.",
	"test": "pytest under coverage, then `coverage json`, whose reading of every measured file is shared among the CPUs " +
		"(the linters are done by then); it starts beside the import check, which reads a copy of the environment. The " +
		"test dependencies come from a cache directory (pip installed them alone, once) added to the job's venv with a " +
		".pth path line, their own .pth files (pytest-cov's) copied beside it, unless they share a project with the venv " +
		"at another version, when pip installs them into it. What is left is the suite itself under coverage.py's tracer, " +
		"beside the linters on the other CPU.",
	"lint": "pycodestyle, pyflakes and pylint side by side over the modules the wheel installs (tests left out), " +
		"pylint in one process (its parallel mode loses cyclic-import and spends more CPU) with the fetched wheels on " +
		"its sys.path, at a lower CPU priority than the build, install and tests. lint-start starts them once the fetch " +
		"is done, on the sdist's copies of the modules the wheel will most likely ship, beside the build; lint (a task " +
		"that holds none of the analysis' places while it waits) keeps " +
		"those figures when the wheel ships exactly those files, byte for byte, and lints the wheel's files otherwise. " +
		"Its wall time here is the wait, after the build, for that run to end; its CPU time is the whole run's. What is " +
		"left is pylint's inference itself (astroid builds every module the package imports).",
	"lint-start": "lays out the sdist's copies of the modules and starts the linters in the background (see lint); " +
		"small already.",
	"venv": "a copy of the environment `python -m venv` made once in the sandbox, untraced (the interpreter's own venv " +
		"and ensurepip run, none of the package's code), in the same place, kept in the cache by interpreter and seed " +
		"wheels; it runs beside the build, once the fetch has handed the build its requirements, off the critical path.",
	"install": "`pip install --no-index` of the wheel and its dependencies into the venv made beside the build (pip " +
		"runs from an unpacked copy of Debian's pip wheel compiled once per interpreter, through pip_main.py, which spares " +
		"pip's lsb_release and uname probe). Removing the rest: `--no-compile` where the report does not need .pyc files.",
	"import": "one fresh interpreter per top-level module, in the traced sandbox, on a copy of the environment as the " +
		"install left it (hard links), beside the tests: off the critical path but for the copy.",
	"inspect": "the static scanner (Python's ast) in the sandbox, then the rules on the host, each pattern run only on " +
		"the strings that hold one of its words; beside the rest, at a low priority, since only the report waits for it: " +
		"its wall time here is mostly waiting for a CPU.",
	"unpack":   "the safe extractor on the host; small already.",
	"resolve":  "one index request on loopback; small already.",
	"download": "a cache hit after the first run; small already.",
	"report":   "writing report.json; small already.",
}
