// Package report defines PYTI's versioned JSON report: one document per analysed distribution with
// every task's status, reason, timings and resources, the verdict, the findings with their
// evidence, the test, coverage and quality figures, and links to the raw data kept per task.
// The schema is documented in docs/report-schema.md; fields are only ever added within a version.
package report

import (
	"time"

	"github.com/pyti/pyti/internal/buildinfo"
)

// Schema names this version of the report format. v2 keeps a matrix run's per-environment
// results in its cells only; v1 also repeated the first applicable cell in the report's own
// fields.
const Schema = "pyti.report/v2"

// SchemaV1 is the earlier version, which a worker of an older PYTI still sends and the store
// still holds. It decodes into Report unchanged, and Results reads it the same.
const SchemaV1 = "pyti.report/v1"

// Readable says whether PYTI reads reports of the schema s.
func Readable(s string) bool { return s == Schema || s == SchemaV1 }

// Report is the result of one analysis.
type Report struct {
	Schema      string         `json:"schema"`
	ID          string         `json:"id"`
	CreatedAt   time.Time      `json:"created_at"`
	PYTI        buildinfo.Info `json:"pyti"`
	Request     Request        `json:"request"`
	Project     string         `json:"project"`
	Version     string         `json:"version"`
	Verdict     Verdict        `json:"verdict"`
	Reason      string         `json:"reason"`
	Environment Environment    `json:"environment"`
	// Files are the distribution files of the release: the one analysed has Chosen set.
	Files []File `json:"files"`
	// Run is the task graph with every task's status, reason, timings and resources.
	Run      *RunRecord `json:"run,omitempty"`
	Metadata *Metadata  `json:"metadata,omitempty"`
	// Problems are metadata validation results, as an index would check them.
	Problems  []Problem  `json:"metadata_problems,omitempty"`
	Packaging *Packaging `json:"packaging,omitempty"`
	Findings  []Finding  `json:"findings"`
	// TargetResults are the per-environment steps (fetch, build, install, import, test) of a run
	// on one environment. A matrix run keeps them in its cells only, and leaves these empty
	// (pyti.report/v1 repeated the first applicable cell here). Read them with Results.
	TargetResults
	Lint *Lint `json:"lint,omitempty"`
	// Matrix has one cell per image of a matrix run (pyti analyze --image A --image B); empty for
	// a run on one environment.
	Matrix []Cell `json:"matrix,omitempty"`
	// Artifacts are the raw data kept per task, relative to the report's directory.
	Artifacts []Artifact `json:"artifacts"`
}

// Results are the per-environment results that a reader of one environment wants: the report's
// own in a run on one environment, the first applicable cell's in a matrix run. Reports of both
// schema versions read the same.
func (r *Report) Results() TargetResults {
	if len(r.Matrix) == 0 {
		return r.TargetResults
	}
	for _, c := range r.Matrix {
		if c.Verdict != VerdictNotApplicable {
			return c.TargetResults
		}
	}
	return r.Matrix[0].TargetResults
}

// Request is what was asked for.
type Request struct {
	// Spec is a requirement (name, name==1.2, name>=1,<2) or a local path.
	Spec string `json:"spec"`
	// IndexURL is the index asked, with any credentials removed.
	IndexURL string `json:"index_url,omitempty"`
	Local    bool   `json:"local,omitempty"`
}

// TargetResults are what the steps that run per environment did.
type TargetResults struct {
	Fetch   *Fetch   `json:"fetch,omitempty"`
	Build   *Build   `json:"build,omitempty"`
	Install *Install `json:"install,omitempty"`
	Import  *Import  `json:"import,omitempty"`
	Tests   *Tests   `json:"tests,omitempty"`
	// CodeRan says where the package's own code ran (setup.py while pip prepared its metadata
	// and while it was built, its modules when imported, its .pth files).
	CodeRan []string `json:"code_ran,omitempty"`
}

// Cell is one environment of a matrix run: its image, its own verdict, and its steps' results.
type Cell struct {
	Image   ImageRef `json:"image"`
	Verdict Verdict  `json:"verdict"`
	Reason  string   `json:"reason"`
	TargetResults
}

// ImageRef says exactly what a run ran on.
type ImageRef struct {
	// Name is the image's name ("host" for the host system).
	Name string `json:"name"`
	// ID is the image's content hash (sha256 over every path, mode, owner and content); empty for
	// the host system, which PYTI does not hash.
	ID      string `json:"id,omitempty"`
	Release string `json:"release,omitempty"` // the Debian release it was built from
	Python  string `json:"python"`
	OS      string `json:"os"`
}

// Environment is where the analysis ran (the first cell's environment in a matrix run).
type Environment struct {
	Python  string `json:"python"`
	Sandbox string `json:"sandbox"`
	// Image is the image's name and ImageID its content hash; both empty on the host system.
	Image   string `json:"image,omitempty"`
	ImageID string `json:"image_id,omitempty"`
	OS      string `json:"os"`
	Traced  bool   `json:"traced"`
}

// File is one distribution file of the release.
type File struct {
	Filename string `json:"filename"`
	Kind     string `json:"kind"` // sdist or wheel
	SHA256   string `json:"sha256,omitempty"`
	Size     int64  `json:"size,omitempty"`
	URL      string `json:"url,omitempty"`
	Yanked   bool   `json:"yanked,omitempty"`
	Chosen   bool   `json:"chosen,omitempty"`
}

// Metadata is the distribution's core metadata, as shown.
type Metadata struct {
	MetadataVersion        string            `json:"metadata_version,omitempty"`
	Name                   string            `json:"name"`
	Version                string            `json:"version"`
	Summary                string            `json:"summary,omitempty"`
	Description            string            `json:"description,omitempty"`
	DescriptionContentType string            `json:"description_content_type,omitempty"`
	License                string            `json:"license,omitempty"`
	RequiresPython         string            `json:"requires_python,omitempty"`
	RequiresDist           []string          `json:"requires_dist,omitempty"`
	ProvidesExtra          []string          `json:"provides_extra,omitempty"`
	Classifiers            []string          `json:"classifiers,omitempty"`
	Author                 string            `json:"author,omitempty"`
	HomePage               string            `json:"home_page,omitempty"`
	ProjectURLs            map[string]string `json:"project_urls,omitempty"`
}

// Problem is one metadata validation result.
type Problem struct {
	Field    string `json:"field"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

// Packaging is the packaging-quality score with its reasons.
type Packaging struct {
	Score   int      `json:"score"` // 0 to 10
	Max     int      `json:"max"`
	Reasons []Reason `json:"reasons"`
}

// Reason is one packaging check.
type Reason struct {
	Check  string `json:"check"`
	Passed bool   `json:"passed"`
	Weight int    `json:"weight"`
	Detail string `json:"detail"`
}

// How a finding is known: Finding.View.
const (
	ViewRead = "read"
	ViewSeen = "seen"
	ViewBoth = "both"
)

// Finding is one static or behavioural observation with its evidence.
type Finding struct {
	// Source is "static" (read without running) or "behavior" (seen in the trace).
	Source string `json:"source"`
	// View says how PYTI knows it: read (the code says so), seen (the trace showed it) or both
	// (a static finding whose predicted behaviour was also seen, and that behaviour's finding).
	View  string `json:"view,omitempty"`
	Phase string `json:"phase"`
	// Image is the matrix cell whose run showed the behaviour; empty outside a matrix run and
	// for static findings.
	Image    string     `json:"image,omitempty"`
	RuleID   string     `json:"rule_id"`
	Severity Severity   `json:"severity"`
	Title    string     `json:"title"`
	Message  string     `json:"message"`
	Evidence []Evidence `json:"evidence,omitempty"`
	// Count is how many times the rule matched this subject; Evidence is bounded.
	Count int `json:"count"`
	// Outcome, for a behaviour finding, is "done" when at least one of the calls succeeded and
	// "attempted" when every one was refused (only rules for which the attempt is the harm
	// report those: a connect out, a decoy credential opened).
	Outcome string `json:"outcome,omitempty"`
}

// Evidence is one piece of proof: a traced event, or a place in a file.
type Evidence struct {
	Kind string    `json:"kind"`
	Time time.Time `json:"time,omitzero"`
	PID  int       `json:"pid,omitempty"`
	// PPID and Program name the process of a traced event: its parent's pid and the program it
	// runs (inherited from its parent until it executes one of its own).
	PPID    int    `json:"ppid,omitempty"`
	Program string `json:"program,omitempty"`
	Syscall string `json:"syscall,omitempty"`
	Detail  string `json:"detail"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Result  string `json:"result,omitempty"`
}

// Phase is what one sandboxed step did, common to fetch, build, install, import and test.
type Phase struct {
	Outcome    string  `json:"outcome"`
	ExitCode   int     `json:"exit_code"`
	Reason     string  `json:"reason,omitempty"`
	WallMS     float64 `json:"wall_ms"`
	CPUMS      float64 `json:"cpu_ms"`
	PeakMemory int64   `json:"peak_memory_bytes"`
	// Command is the argv that ran inside the sandbox.
	Command  []string  `json:"command,omitempty"`
	Behavior *Behavior `json:"behavior,omitempty"`
}

// Behavior summarises the trace of a phase.
type Behavior struct {
	Events          int      `json:"events"`
	EventsDropped   int64    `json:"events_dropped,omitempty"`
	FilesRead       int      `json:"files_read"`
	FilesWritten    int      `json:"files_written"`
	Processes       int      `json:"processes"`
	Executed        []string `json:"executed,omitempty"`
	NetworkAttempts []string `json:"network_attempts,omitempty"`
	DNSQueries      []string `json:"dns_queries,omitempty"`
	// Contacts are what the code sent to the sandbox's network sinkhole (every name resolves to
	// it); ContactsDropped counts those past the bound.
	Contacts        []Contact `json:"contacts,omitempty"`
	ContactsDropped int64     `json:"contacts_dropped,omitempty"`
}

// Contact is one connection or datagram the sinkhole received: where it went (the DNS name that
// led there, the address and port), what it spoke, and what it carried, with the parts that were
// base64 or hex encoded decoded.
type Contact struct {
	Transport string   `json:"transport"`
	Name      string   `json:"name,omitempty"`
	Address   string   `json:"address,omitempty"`
	Protocol  string   `json:"protocol"`
	Method    string   `json:"method,omitempty"`
	URL       string   `json:"url,omitempty"`
	SNI       string   `json:"sni,omitempty"`
	Headers   []string `json:"headers,omitempty"`
	Data      string   `json:"data,omitempty"`
	Decoded   []string `json:"decoded,omitempty"`
	Size      int64    `json:"size"`
	Truncated bool     `json:"truncated,omitempty"`
}

// Fetch is what the fetch step brought into the job's wheelhouse.
type Fetch struct {
	Phase
	Wheelhouse []File    `json:"wheelhouse"`
	Requests   []Request `json:"-"`
	// IndexRequests counts the requests the sandbox made to PYTI's index proxy.
	IndexRequests int `json:"index_requests"`
	// Tools are the test tools PYTI added because the project does not declare them.
	Tools []string `json:"tools,omitempty"`
	// TestExtras and TestRequirements are what was fetched for the tests: the package's extras
	// for tests, and the other test requirements (of a dependency group, tox.ini's deps, a test
	// requirements file...) as PYTI asked pip for them.
	TestExtras       []string `json:"test_extras,omitempty"`
	TestRequirements []string `json:"test_requirements,omitempty"`
	// MissingTestDeps are the test dependencies the index does not have at all; the tests then
	// ran without them (and without the others, unless OtherTestDepsFetched).
	MissingTestDeps []string `json:"missing_test_dependencies,omitempty"`
	// UnmetTestDeps are test requirements the index has no matching version of.
	UnmetTestDeps []string `json:"unmet_test_dependencies,omitempty"`
	// RelaxedTestDeps are exact pins of test requirements (a lock file's `freezegun==1.1.0`), and
	// requirements on the test tools PYTI installs anyway (`pytest<7`), that the index has no
	// such version of but others: they were fetched at the version pip chose.
	RelaxedTestDeps []string `json:"relaxed_test_dependencies,omitempty"`
	// UnfetchableTestDeps are test requirements the index has that pip could not fetch beside
	// the package, each with pip's last words: a dependency of theirs the index lacks (PyJWT's
	// cryptography, whose pycparser needs ply), or one that conflicts with the package's own.
	UnfetchableTestDeps []string `json:"unfetchable_test_dependencies,omitempty"`
	UnfetchableBecause  []string `json:"unfetchable_because,omitempty"`
	// OtherTestDepsFetched says that, with MissingTestDeps and UnmetTestDeps left out, the
	// project's other test dependencies were fetched and the tests ran with them; false when they
	// were left out too.
	OtherTestDepsFetched bool `json:"other_test_dependencies_fetched,omitempty"`
	// StaticMetadata says the package's own requirements were read from its static
	// pyproject.toml [project] table (PEP 621) and pip resolved them, without preparing the
	// package's metadata (a build environment and the backend run) just to learn them.
	StaticMetadata bool `json:"static_metadata,omitempty"`
	// PreparedMetadata says PYTI prepared the package's metadata itself (the backend's
	// prepare_metadata_for_build_wheel hook, traced in this phase, on the cached build
	// environment the build uses) and pip resolved the requirements it lists, as pip does after
	// preparing it in a build environment it installs for that alone.
	PreparedMetadata bool `json:"prepared_metadata,omitempty"`
	// OnHost names what PYTI fetched on the host, without pip, where no resolver could have
	// chosen otherwise (each requirement's newest release, its one wheel for this Python; the
	// dependencies from its METADATA): "build requirements", or "dependencies" when the whole
	// download was, and no pip ran in this phase to download.
	OnHost []string `json:"on_host,omitempty"`
}

// Build is the wheel build.
type Build struct {
	Phase
	Wheel string `json:"wheel,omitempty"`
	// Skipped explains when nothing was built (a wheel was analysed).
	Skipped string `json:"skipped,omitempty"`
	// Compilers are the compiler invocations seen in the trace.
	Compilers []string `json:"compilers,omitempty"`
	// ErrorLines are the lines of the build log that say why it failed.
	ErrorLines []string `json:"error_lines,omitempty"`
	// Frontend is what called the backend: "pyti" (PYTI's PEP 517 front end on cached build
	// environments) or "pip" (pip wheel with its own build isolation).
	Frontend string `json:"frontend,omitempty"`
	// FrontendNote says why pip built when PYTI's front end could not.
	FrontendNote string `json:"frontend_note,omitempty"`
	// Fallback says, when a compiler failed and the build still made a pure-Python wheel, that
	// the package was built without its compiled extension (MarkupSafe's setup.py retries
	// without _speedups): the build passed, but not what a user with a compiler gets.
	Fallback string `json:"fallback,omitempty"`
}

// Install is the installation into a fresh environment.
type Install struct {
	Phase
	Packages   []Package `json:"packages"`
	ErrorLines []string  `json:"error_lines,omitempty"`
}

// Package is one installed distribution.
type Package struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

// Import is the import of what the installed wheel ships: every module importable by name, code
// whose name is not importable (by its file location), and the packages' other modules.
type Import struct {
	Phase
	Modules []Module `json:"modules"`
	// Nothing says why no module is importable by name, when none is: then the import proved
	// nothing about the package ("nothing-to-import").
	Nothing string `json:"nothing,omitempty"`
	// Pth are the .pth files whose import lines run at every interpreter start.
	Pth []string `json:"pth,omitempty"`
}

// Module is one import attempt.
type Module struct {
	Name  string `json:"name"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
	// Missing names the module an ImportError could not find (an undeclared dependency).
	Missing string `json:"missing_module,omitempty"`
	// How it was imported: "name" (as `import NAME` does), "extension" (an extension module
	// inside a package, by name too), "location" (by its file's location, because its name is
	// not importable, e.g. a my-pkg/ directory) or "sweep" (the package's other modules, one
	// interpreter, stand-ins from the start). Empty means "name".
	How string `json:"how,omitempty"`
	// TimedOut: the import did not end in time. Skipped says why it was not tried.
	TimedOut bool    `json:"timed_out,omitempty"`
	Skipped  string  `json:"skipped,omitempty"`
	Seconds  float64 `json:"seconds,omitempty"`
	// StandIns are the missing modules that got a permissive stand-in in this attempt (location
	// and sweep attempts have them from the start).
	StandIns []string `json:"stand_ins,omitempty"`
	// StandInCalls are the first calls the package made on stand-ins, with their arguments (a
	// URL it would have fetched, a command it would have run through a missing module).
	StandInCalls []string `json:"stand_in_calls,omitempty"`
	// StandInPass is the second import of a module that missed one, with stand-ins for every
	// missing module, so that the code after that import ran as it would for a user who has it.
	StandInPass *StandInPass `json:"stand_in_pass,omitempty"`
	// Background is what the import left running, and how long PYTI waited for it.
	Background *Background `json:"background,omitempty"`
	// Swept is how many modules a sweep imported; SweepFailed the first that did not import
	// (informational: the package itself may never import them); StoppedAt where a sweep hung.
	Swept       int           `json:"swept,omitempty"`
	SweepFailed []ModuleError `json:"sweep_failed,omitempty"`
	StoppedAt   string        `json:"stopped_at,omitempty"`
}

// StandInPass is an import with stand-ins for missing modules.
type StandInPass struct {
	OK       bool     `json:"ok"`
	Error    string   `json:"error,omitempty"`
	StandIns []string `json:"stand_ins,omitempty"`
	// StandInCalls are the first calls made on stand-ins, with their arguments.
	StandInCalls []string `json:"stand_in_calls,omitempty"`
	TimedOut     bool     `json:"timed_out,omitempty"`
	// Background is what this import left running.
	Background *Background `json:"background,omitempty"`
}

// Background is what an import left running: threads of its interpreter and processes it
// started, when the import ended and after PYTI's bounded grace period.
type Background struct {
	Threads        int     `json:"threads"`
	ThreadsLeft    int     `json:"threads_left"`
	ThreadsWaitedS float64 `json:"threads_waited_s"`
	Processes      int     `json:"processes"`
	ProcessesLeft  int     `json:"processes_left"`
	ProcessWaitedS float64 `json:"processes_waited_s"`
}

// ModuleError is a module that did not import, with its error's last line.
type ModuleError struct {
	Name  string `json:"name"`
	Error string `json:"error"`
}

// Tests is the project's own test suite.
type Tests struct {
	Phase
	// Runner is how the suite was run: pytest, unittest (through pytest) or doctest.
	Runner string `json:"runner,omitempty"`
	// Found says where the tests were found, or why there are none.
	Found string `json:"found"`
	// Tested says which copy of the package the tests imported, and why.
	Tested  string   `json:"tested,omitempty"`
	Results *TestRun `json:"results,omitempty"`
	// ConftestMissing names the module a conftest.py could not import when that stopped the
	// whole run: no test ran, for want of a module that no installed distribution provides.
	ConftestMissing string `json:"conftest_missing_module,omitempty"`
	// BrokenPlugin names the module of another distribution (a pytest plugin the test
	// requirements installed) in which pytest's internal error was raised when that stopped the
	// whole run before any test: the test environment broke pytest, not the package.
	BrokenPlugin string `json:"broken_plugin,omitempty"`
	// Skipped groups the skipped tests by their reason, most frequent first.
	Skipped []SkipReason `json:"skipped_by_reason,omitempty"`
	// Coverage of the installed package by the suite.
	Coverage *Coverage `json:"coverage,omitempty"`
	// CoverageNote says why there is no coverage when the tests ran and there is none.
	CoverageNote string `json:"coverage_note,omitempty"`
	// DepsInstall is how the test dependencies joined the environment: "cached" (pip installed
	// them alone, once, into a cache directory added to the environment, because they share no
	// project with it) or "pip" (pip installed them into the environment).
	DepsInstall string `json:"deps_install,omitempty"`
	// DepsNote says why pip installed them into the environment.
	DepsNote string `json:"deps_note,omitempty"`
	// DepsLeftOut are the test requirements pip could not install beside the package, their
	// own dependencies conflicting with it or with the others, left out so that the rest could
	// be installed; DepsConflict is pip's account of each conflict.
	DepsLeftOut  []string `json:"deps_left_out,omitempty"`
	DepsConflict string   `json:"deps_conflict,omitempty"`
}

// Coverage is coverage.py's measurement.
type Coverage struct {
	LinePercent   float64  `json:"line_percent"`
	BranchPercent *float64 `json:"branch_percent,omitempty"`
	Percent       float64  `json:"percent"` // coverage.py's total (lines and branches)
	Statements    int      `json:"statements"`
	Covered       int      `json:"covered_lines"`
	Branches      int      `json:"branches"`
	CoveredBr     int      `json:"covered_branches"`
	// Source names what was measured: the distribution's importable modules, as installed.
	// Test files, conftest.py, documentation and other projects' code are never measured.
	Source []string       `json:"source,omitempty"`
	Files  []FileCoverage `json:"files,omitempty"`
	// TestFilesLeftOut counts the test modules the wheel installs (traitlets/tests/), which are
	// left out of the measure as the tree's test files are.
	TestFilesLeftOut int `json:"test_files_left_out,omitempty"`
	// Excluded counts the lines the project excludes from the measure, as its own `coverage
	// report` would: its pragmas and the exclusions of its coverage configuration (zc.lockfile
	// 3.0's tox.ini excludes 20 lines of fallbacks, the difference between 71.6 % and 100 %).
	Excluded int `json:"excluded_lines,omitempty"`
	// CompiledUnmeasured counts the compiled extension modules of the measured packages, which
	// coverage.py cannot measure (it traces Python code): cytoolz's code is in its five.
	CompiledUnmeasured int `json:"compiled_unmeasured,omitempty"`
	// Note says what of the project's own coverage configuration the figures could not follow:
	// its configurer plugins (covdefaults) not installed, so the exclusions they add are not made.
	Note string `json:"note,omitempty"`
}

// FileCoverage is the coverage of one file.
type FileCoverage struct {
	Path       string  `json:"path"`
	Percent    float64 `json:"percent"`
	Statements int     `json:"statements"`
	Missing    int     `json:"missing"`
}

// Lint is the quality of the Python modules the package ships, as pycodestyle, pyflakes and
// pylint see them.
type Lint struct {
	Phase
	Quality
}

// Quality is what the quality tools found in the linted files.
type Quality struct {
	// Scope says what was linted; Linted lists those files, relative to the install root, and
	// TestsLeftOut the test files the wheel ships, which are counted but not linted. Both lists
	// are bounded; Files and TestFiles count them all.
	Scope        string   `json:"scope,omitempty"`
	Linted       []string `json:"linted,omitempty"`
	TestsLeftOut []string `json:"tests_left_out,omitempty"`
	TestFiles    int      `json:"test_files,omitempty"`
	Files        int      `json:"files"`
	// Lines counts non-blank lines that are not only a comment, in the .py files.
	Lines       int            `json:"lines"`
	Pycodestyle map[string]int `json:"pycodestyle,omitempty"`
	StyleTotal  int            `json:"pycodestyle_total"`
	Pyflakes    []LintMessage  `json:"pyflakes,omitempty"`
	FlakesTotal int            `json:"pyflakes_total"`
	Pylint      *Pylint        `json:"pylint,omitempty"`
	// TooBig are the linted files larger than quality.MaxStyledBytes (a generated table), which
	// pylint and pycodestyle leave out and pyflakes alone lints.
	TooBig []string `json:"too_big,omitempty"`
	// Generated are the linted files whose header says a program wrote them (a parser table,
	// protobuf's _pb2.py): linted, and named, since their style is the generator's.
	Generated []string `json:"generated,omitempty"`
	// PerKLOC normalises the totals per thousand lines.
	PerKLOC PerKLOC `json:"per_kloc"`
}

// PerKLOC are problem densities per thousand lines of code.
type PerKLOC struct {
	Pycodestyle float64 `json:"pycodestyle"`
	Pyflakes    float64 `json:"pyflakes"`
	// Pylint is absent when pylint gave no result (it timed out, or failed): no count is not none.
	Pylint *float64 `json:"pylint,omitempty"`
}

// LintMessage is one located message of a quality tool.
type LintMessage struct {
	Path    string `json:"path"`
	Line    int    `json:"line"`
	Code    string `json:"code,omitempty"`
	Message string `json:"message"`
}

// Pylint is pylint's verdict.
type Pylint struct {
	// Score is pylint's "rated at" figure out of 10; nil when pylint gave none (nothing to rate).
	Score      *float64       `json:"score"`
	ByCategory map[string]int `json:"by_category,omitempty"`
	BySymbol   map[string]int `json:"by_symbol,omitempty"`
	Total      int            `json:"total"`
	Messages   []LintMessage  `json:"messages,omitempty"`
	// Disabled are the checks pylint ran without, which its score leaves out.
	Disabled []string `json:"disabled,omitempty"`
}

// Artifact is one file of raw data.
type Artifact struct {
	Task      string `json:"task"`
	Name      string `json:"name"`
	Path      string `json:"path"`
	Size      int64  `json:"size"`
	SHA256    string `json:"sha256"`
	MediaType string `json:"media_type"`
}
