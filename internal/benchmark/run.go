package benchmark

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/sandbox"
)

// Config says what to measure.
type Config struct {
	Pyti        string   // the pyti binary (bin/pyti)
	ExamplesDir string   // testdata/examples
	WorkDir     string   // scratch space; the index and PYTI's data dir live here
	Examples    []string // example names for the analysis rows (pure, failing, ...)
	// DistDir, when set, is a directory of sdists and wheels of projects from outside the
	// repository (built by the user, never committed), served by a second index; Projects are
	// the projects in it to analyse, each a row like an example's.
	DistDir  string
	Projects []string
	// DistNote says, in BENCHMARKS.md, where DistDir's files came from and how they were built.
	DistNote string
	// Compare, when set, is another pyti binary (the one before a change) measured beside Pyti
	// in every analysis row, interleaved, as the variant "pyti, compared" (traced, warm).
	Compare     string
	EmptyReps   int           // repetitions of the empty-run row
	PipReps     int           // repetitions of the pip-install row
	AnalyzeReps int           // repetitions of each analysis row
	Budget      time.Duration // stop starting repetitions past this (0: none); the first always runs
	StaticRow   bool          // also measure static inspection of a generated 1,000-file sdist
	Backend     sandbox.Backend
	Progress    io.Writer // one line per finished repetition; nil for none
}

// MinReps is how many repetitions the cheap rows (the empty run and the pip install) always run,
// whatever the budget; an analysis always runs once and then as often as the budget allows.
const MinReps = 3

// Row is one measured row: its variants' series, the first being the baseline of the ratios.
type Row struct {
	ID       string   `json:"id"`
	Title    string   `json:"title"`
	Commands []string `json:"commands"`
	Series   []Series `json:"series"`
	Reps     int      `json:"reps"`
	Planned  int      `json:"planned"`
	Skipped  string   `json:"skipped,omitempty"`
	// Breakdown holds, per PYTI variant name, the task times of every run.
	Breakdown map[string][][]TaskTime `json:"breakdown,omitempty"`
}

// Baseline is the row's first series (the direct or manual way).
func (r Row) Baseline() Series {
	if len(r.Series) == 0 {
		return Series{}
	}
	return r.Series[0]
}

// Results is a whole run of the benchmarks.
type Results struct {
	Started      time.Time `json:"started"`
	Finished     time.Time `json:"finished"`
	Machine      Machine   `json:"machine"`
	UptimeBefore string    `json:"uptime_before"`
	UptimeAfter  string    `json:"uptime_after"`
	IndexCommand string    `json:"index_command"`
	// DistIndexCommand serves Config.DistDir, when projects from outside were measured.
	DistIndexCommand string `json:"dist_index_command,omitempty"`
	DistNote         string `json:"dist_note,omitempty"`
	Rows             []Row  `json:"rows"`
}

// Run measures every row in order and returns what it measured. A row whose set-up fails is
// recorded as skipped with the reason; only a cancelled context or an unusable configuration
// ends the run with an error.
func Run(ctx context.Context, cfg Config) (*Results, error) {
	if cfg.Backend == nil {
		return nil, fmt.Errorf("no sandbox backend")
	}
	if cfg.Budget > 0 {
		var cancel context.CancelFunc
		// Hard stop well past the soft budget, so a hung step cannot keep `make bench` forever.
		ctx, cancel = context.WithTimeout(ctx, cfg.Budget*2+10*time.Minute)
		defer cancel()
	}
	res := &Results{Started: time.Now().UTC(), DistNote: cfg.DistNote}
	var err error
	if res.Machine, err = ReadMachine(); err != nil {
		return nil, err
	}
	if res.UptimeBefore, err = Uptime(ctx); err != nil {
		return nil, err
	}
	tmp := filepath.Join(cfg.WorkDir, "tmp")
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return nil, err
	}
	var deadline time.Time
	if cfg.Budget > 0 {
		deadline = time.Now().Add(cfg.Budget)
	}
	// The cheap rows get a small share of the budget; the analyses share the rest.
	share := func(frac float64) time.Time {
		if deadline.IsZero() {
			return deadline
		}
		left := time.Until(deadline)
		return time.Now().Add(time.Duration(float64(left) * frac))
	}
	py, pyErr := FindPython()

	emptyRow := Row{ID: "empty-run", Title: "One empty sandboxed run: /bin/true", Planned: cfg.EmptyReps,
		Commands: []string{"/bin/true (os/exec)",
			`bwrap.New().Run(ctx, sandbox.Spec{Argv: []string{"/bin/true"}})`,
			`bwrap.New().Run(ctx, sandbox.Spec{Argv: []string{"/bin/true"}, Trace: true})`}}
	if err := measure(ctx, cfg, &emptyRow, MinReps, share(0.05), emptyRunVariants(cfg.Backend, tmp)); err != nil {
		return nil, err
	}
	res.Rows = append(res.Rows, emptyRow)

	pipRow := Row{ID: "pip-install", Title: "pip install of Debian's wheel wheel into a fresh venv", Planned: cfg.PipReps}
	if pyErr != nil {
		pipRow.Skipped = pyErr.Error()
	} else {
		cmd := strings.Join(py.pipInstallArgs("venv/bin/python"), " ")
		pipRow.Commands = []string{cmd + "   (venv: /usr/bin/python3 -m venv --without-pip, made before the clock starts)",
			"the same, as sandbox.Spec{Argv: ..., WorkDir: DIR} (venv at /work/venv)",
			"the same with Spec.Trace"}
		if err := measure(ctx, cfg, &pipRow, MinReps, share(0.15), pipInstallVariants(cfg.Backend, py, tmp)); err != nil {
			return nil, err
		}
	}
	res.Rows = append(res.Rows, pipRow)

	rows, err := analyzeRows(ctx, cfg, py, pyErr, tmp, deadline, res)
	res.Rows = append(res.Rows, rows...)
	if err != nil {
		return res, err
	}
	if res.UptimeAfter, err = Uptime(ctx); err != nil {
		return res, err
	}
	res.Finished = time.Now().UTC()
	return res, nil
}

// measure runs a row's variants interleaved and fills the row.
func measure(ctx context.Context, cfg Config, row *Row, minReps int, deadline time.Time, vs []Variant) error {
	if cfg.Progress != nil {
		fmt.Fprintf(cfg.Progress, "bench: %s (%d repetitions planned)\n", row.Title, row.Planned)
		for i := range vs {
			v := vs[i]
			inner := v.Run
			vs[i].Run = func(ctx context.Context, rep int) (time.Duration, error) {
				d, err := inner(ctx, rep)
				if err != nil {
					fmt.Fprintf(cfg.Progress, "bench:   %-22s rep %d: error: %v\n", v.Name, rep+1, err)
				} else {
					fmt.Fprintf(cfg.Progress, "bench:   %-22s rep %d: %s\n", v.Name, rep+1, FormatDuration(d))
				}
				return d, err
			}
		}
	}
	series, ran, err := Interleave(ctx, row.Planned, minReps, deadline, vs)
	row.Series, row.Reps = series, ran
	return err
}

// analyzeRows serves the examples (and the projects of Config.DistDir) as indexes and measures
// each project's analysis, recording the index commands in res.
func analyzeRows(ctx context.Context, cfg Config, py Python, pyErr error, tmp string, deadline time.Time, res *Results) ([]Row, error) {
	type source struct {
		projects []string
		start    func() (*Index, error)
		command  *string
	}
	var examples []string
	for _, e := range cfg.Examples {
		examples = append(examples, "pyti-example-"+e)
	}
	sources := []source{{examples, func() (*Index, error) {
		return StartIndex(ctx, cfg.Pyti, cfg.ExamplesDir, filepath.Join(cfg.WorkDir, "index"), filepath.Join(cfg.WorkDir, "index"))
	}, &res.IndexCommand}}
	if cfg.DistDir != "" && len(cfg.Projects) > 0 {
		sources = append(sources, source{cfg.Projects, func() (*Index, error) {
			return StartIndex(ctx, cfg.Pyti, "", cfg.DistDir, filepath.Join(cfg.WorkDir, "dist-index"))
		}, &res.DistIndexCommand})
	}
	total := 0
	for _, src := range sources {
		total += len(src.projects)
	}
	var rows []Row
	done := 0
	for _, src := range sources {
		if len(src.projects) == 0 {
			continue
		}
		skipAll := func(reason string) {
			for _, p := range src.projects {
				rows = append(rows, Row{ID: rowID(p), Title: "pyti analyze " + p, Planned: cfg.AnalyzeReps, Skipped: reason})
			}
			done += len(src.projects)
		}
		if pyErr != nil {
			skipAll(pyErr.Error())
			continue
		}
		idx, err := src.start()
		if err != nil {
			skipAll(err.Error())
			if ctx.Err() != nil {
				return rows, ctx.Err()
			}
			continue
		}
		*src.command = idx.Command
		s := analyzeSetup{pyti: cfg.Pyti, indexURL: idx.URL, indexDir: idx.Dir, dataDir: filepath.Join(cfg.WorkDir, "data"), py: py, tmp: tmp}
		for _, project := range src.projects {
			// Each remaining project gets an equal share of what is left of the budget.
			d := deadline
			if !d.IsZero() {
				d = time.Now().Add(time.Until(deadline) / time.Duration(total-done))
			}
			done++
			row, err := s.analyzeRow(ctx, cfg, project, filepath.Join(cfg.WorkDir, "wheelhouse", rowID(project)), d)
			rows = append(rows, row)
			if err != nil {
				idx.Close()
				return rows, err
			}
		}
		if cfg.StaticRow && src.command == &res.IndexCommand {
			// The generated sdist builds with the examples' index (setuptools and wheel).
			rows = append(rows, s.staticRow(ctx, cfg, deadline))
		}
		idx.Close()
	}
	return rows, nil
}

// warmUp runs v once, untimed, before a row's repetitions. PYTI caches the build and test
// environments and the fresh venv by the project's requirements, and the previous row's cold
// variant emptied that cache: without it, the first repetition of "pyti" measured cold
// environments, and with one repetition the row said nothing about a warm analysis (pyrsistent
// in the bench of 2026-12-06: 22.1 s reported, 12.8 s warm). A failure is left to the
// repetitions, which record it; only a cancellation ends the row.
func warmUp(ctx context.Context, progress io.Writer, title string, v Variant) error {
	d, err := v.Run(ctx, -1)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if progress != nil {
		if err != nil {
			fmt.Fprintf(progress, "bench: %s: warm-up (%s): error: %v\n", title, v.Name, err)
		} else {
			fmt.Fprintf(progress, "bench: %s: warm-up (%s): %s, untimed\n", title, v.Name, FormatDuration(d))
		}
	}
	return nil
}

// rowID names a project's analysis row: analyze-pure for pyti-example-pure, analyze-toolz.
func rowID(project string) string {
	return "analyze-" + strings.TrimPrefix(project, "pyti-example-")
}

// analyzeRow measures the analysis of one project against the manual way, interleaved.
func (s analyzeSetup) analyzeRow(ctx context.Context, cfg Config, project, wh string, deadline time.Time) (Row, error) {
	row := Row{ID: rowID(project), Title: "pyti analyze " + project, Planned: cfg.AnalyzeReps,
		Breakdown: map[string][][]TaskTime{}}
	if err := manualWheelhouse(s.indexDir, project, wh); err != nil {
		row.Skipped = err.Error()
		return row, nil
	}
	row.Commands = []string{
		strings.Join(s.pytiArgs(project, "OUT", false), " "),
		strings.Join(s.pytiArgs(project, "OUT", true), " "),
		"rm -rf " + filepath.Join(s.dataDir, "cache", "{"+strings.Join(coldEnvDirs, ",")+"}") + "   (untimed), then the first command   (pyti, cold environments)",
	}
	for _, step := range ManualSteps {
		row.Commands = append(row.Commands, strings.ReplaceAll(strings.ReplaceAll(step, "PROJECT", project), "WH", wh))
	}
	row.Commands = append(row.Commands, "(manual + lint: the same, and beside the tests)")
	row.Commands = append(row.Commands, ManualLintSteps...)
	traced, untraced := new([][]TaskTime), new([][]TaskTime)
	warm := s.pytiVariant("pyti", project, false, false, nil)
	vs := []Variant{
		s.manualVariant("manual", project, wh, false),
		s.manualVariant("manual + lint", project, wh, true),
		s.pytiVariant("pyti", project, false, false, traced),
		s.pytiVariant("pyti --no-trace", project, true, false, untraced),
		s.pytiVariant("pyti, cold environments", project, false, true, nil),
	}
	if cfg.Compare != "" {
		other := s
		other.pyti = cfg.Compare
		row.Commands = append(row.Commands, "(pyti, compared: the first command with "+cfg.Compare+")")
		vs = append(vs, other.pytiVariant("pyti, compared", project, false, false, nil))
	}
	row.Commands = append(row.Commands, "(before the repetitions, the first command once, untimed: see warmUp)")
	if err := warmUp(ctx, cfg.Progress, row.Title, warm); err != nil {
		return row, err
	}
	err := measure(ctx, cfg, &row, 1, deadline, vs)
	row.Breakdown["pyti"], row.Breakdown["pyti --no-trace"] = *traced, *untraced
	return row, err
}
