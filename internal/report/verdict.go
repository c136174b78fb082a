package report

import "fmt"

// Verdict is the one-word answer of an analysis.
type Verdict string

// The verdicts, from the package's point of view. Only VerdictError is PYTI's own failure.
const (
	VerdictPassed      Verdict = "passed"       // built, installed, imported, and its tests passed
	VerdictTestsFailed Verdict = "tests-failed" // its tests failed on their own (assertions, errors)
	// The test run could not show whether the package works, and says why: crater's
	// separation of the package's fault from an incomplete environment.
	VerdictTestDeps       Verdict = "test-deps-missing"  // tests need a module, a program, a locale or a service the environment lacks (a test dependency not on the index, one not declared, a program not installed, a server not running)
	VerdictTestsNetwork   Verdict = "tests-need-network" // tests reach for the network, which the sandbox does not have
	VerdictTestData       Verdict = "test-data-missing"  // tests open files the sdist does not ship
	VerdictTestCollection Verdict = "collection-error"   // test modules that pytest could not collect (syntax, import errors of the package's own), or tests it could not call (arguments no fixture gives)
	VerdictNoTests        Verdict = "no-tests"           // it works but ships no tests to run
	VerdictImportFailed   Verdict = "import-failed"      // installed but a module does not import
	// VerdictNothingToImport: installed, but it provides no module importable by name, so the
	// import check proved nothing (the reason says why and what ran instead).
	VerdictNothingToImport Verdict = "nothing-to-import"
	VerdictInstall         Verdict = "install-failed"
	VerdictBuild           Verdict = "build-failed"
	VerdictFetch           Verdict = "unresolvable" // it or a dependency could not be fetched
	VerdictNotFound        Verdict = "not-found"    // no such project, version or file on the index
	VerdictHarmful         Verdict = "harmful"      // a high or critical finding
	VerdictUnsafe          Verdict = "unsafe-archive"
	VerdictLimits          Verdict = "archive-limits"
	VerdictMalformed       Verdict = "malformed-archive"
	VerdictTimeout         Verdict = "timeout"
	VerdictOOM             Verdict = "out-of-memory"
	VerdictPids            Verdict = "too-many-processes"
	VerdictNoSpace         Verdict = "no-space"
	VerdictError           Verdict = "error" // PYTI itself failed; retried by a master
	// VerdictNotApplicable is a matrix cell whose interpreter the release says it does not
	// support (Requires-Python), or for which it has no installable file.
	VerdictNotApplicable Verdict = "not-applicable"
)

// Severity orders findings.
type Severity string

// The severities, least to most serious.
const (
	SeverityInfo     Severity = "info"
	SeverityLow      Severity = "low"
	SeverityMedium   Severity = "medium"
	SeverityHigh     Severity = "high"
	SeverityCritical Severity = "critical"
)

var severityRank = map[Severity]int{SeverityInfo: 1, SeverityLow: 2, SeverityMedium: 3, SeverityHigh: 4, SeverityCritical: 5}

// Rank orders severities: 0 for an unknown one.
func (s Severity) Rank() int { return severityRank[s] }

// ParseSeverity reads a severity name, for --fail-on.
func ParseSeverity(s string) (Severity, error) {
	if _, ok := severityRank[Severity(s)]; !ok {
		return "", fmt.Errorf("%q is not a severity: want info, low, medium, high or critical", s)
	}
	return Severity(s), nil
}

// MaxSeverity is the highest severity among the findings, "" when there are none.
func (r *Report) MaxSeverity() Severity {
	var top Severity
	for _, f := range r.Findings {
		if f.Severity.Rank() > top.Rank() {
			top = f.Severity
		}
	}
	return top
}
