package report

import (
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// WriteSummary writes the few lines a person reads in ten seconds: the verdict and why, each
// step's outcome and time, tests, coverage, quality, packaging and the findings.
func (r *Report) WriteSummary(w io.Writer) error {
	var b strings.Builder
	name := r.Project
	if name == "" {
		name = r.Request.Spec
	}
	if m := r.Metadata; m != nil && sameName(m.Name, name) {
		name = m.Name // as the project spells it (zope.proxy), not as the index normalises it
	}
	fmt.Fprintf(&b, "%s %s: %s", oneLine(name, 100), oneLine(r.Version, 40), strings.ToUpper(string(r.Verdict)))
	if r.Reason != "" {
		fmt.Fprintf(&b, " (%s)", oneLine(r.Reason, sentenceMax))
	}
	b.WriteString("\n")
	if r.Run != nil {
		width := 9
		for _, t := range r.Run.Tasks {
			width = max(width, min(len(t.Name), 40))
		}
		for _, t := range r.Run.Tasks {
			line := fmt.Sprintf("  %-*s %-9s %8s", width, oneLine(t.Name, 40), t.Status, seconds(t.WallMS))
			if t.Reason != "" && t.Status != "ok" {
				line += "  " + oneLine(t.Reason, 110)
			} else if t.Error != "" {
				line += "  " + oneLine(t.Error, 110)
			}
			b.WriteString(line + "\n")
		}
	}
	for _, c := range r.Matrix {
		line := fmt.Sprintf("  on %-12s Python %-8s %s", oneLine(c.Image.Name, 40), oneLine(c.Image.Python, 20), strings.ToUpper(string(c.Verdict)))
		if c.Reason != "" {
			line += " (" + oneLine(c.Reason, 110) + ")"
		}
		b.WriteString(line + "\n")
	}
	res := r.Results()
	for _, lines := range [][]string{buildErrors(res), installErrors(res)} {
		for i, l := range lines {
			if i == 6 {
				break
			}
			fmt.Fprintf(&b, "            | %s\n", oneLine(l, 120))
		}
	}
	if bd := res.Build; bd != nil && bd.Fallback != "" {
		fmt.Fprintf(&b, "  build     %s\n", oneLine(bd.Fallback, sentenceMax))
	}
	if len(res.CodeRan) > 0 {
		fmt.Fprintf(&b, "  code ran  the package's own code ran: %s\n", oneLine(strings.Join(res.CodeRan, "; "), sentenceMax))
	}
	if t := res.Tests; t != nil {
		noTests := t.Results == nil && r.Verdict == VerdictNoTests
		if t.Results != nil {
			c := t.Results.Counts
			fmt.Fprintf(&b, "  tests     %d passed, %d failed, %d %s, %d skipped, %d xfailed, %d xpassed%s (%s)\n",
				c.Passed, c.Failed, c.Errors, errorsWord(c.Errors), c.Skipped, c.XFailed, c.XPassed, subtestsPart(c.Subtests), t.Runner)
			for i, f := range t.Results.Failing() {
				if i == 5 {
					fmt.Fprintf(&b, "            … and %d more\n", len(t.Results.Failing())-5)
					break
				}
				// No trailing space where the failure has no message (python-gnupg 0.5.0's
				// test_search_keys, an assertion of its own).
				line := strings.TrimRight(fmt.Sprintf("            %s %s [%s] %s", f.Outcome, oneLine(f.NodeID, 100), classWord(f.Class), oneLine(f.Message, 80)), " ")
				fmt.Fprintln(&b, line)
			}
			for i, s := range t.Skipped {
				if i == 3 && len(t.Skipped) > 4 {
					// One more reason is shown, not counted ("… and 1 more skip reasons").
					fmt.Fprintf(&b, "            … and %d more skip reasons\n", len(t.Skipped)-3)
					break
				}
				fmt.Fprintf(&b, "            %d skipped: %s\n", s.Count, oneLine(s.Reason, 100))
			}
		} else {
			fmt.Fprintf(&b, "  tests     %s\n", oneLine(t.Found, sentenceMax))
		}
		if f := res.Fetch; f != nil && len(f.TestExtras)+len(f.TestRequirements) > 0 && !noTests {
			var what []string
			if len(f.TestExtras) > 0 {
				what = append(what, "extras ["+strings.Join(f.TestExtras, ",")+"]")
			}
			if n := len(f.TestRequirements); n > 0 {
				what = append(what, strings.Join(capStrings(f.TestRequirements, 8), ", ")+moreOf(n, 8))
			}
			fmt.Fprintf(&b, "  test deps %s\n", oneLine(strings.Join(what, "; "), 160))
		}
		if f := res.Fetch; f != nil && len(f.MissingTestDeps)+len(f.UnmetTestDeps) > 0 && !noTests {
			// Whatever the verdict, when there are tests: the tests that need them did not run,
			// or ran less than they would (attrs' test_slots skip their memory checks without
			// pympler). Without tests (rsa 4.9's sdist), they matter to nothing.
			left := append(append([]string(nil), f.MissingTestDeps...), f.UnmetTestDeps...)
			fmt.Fprintf(&b, "  left out  test dependencies the index cannot satisfy: %s\n", oneLine(strings.Join(left, ", "), 160))
		}
		if f := res.Fetch; f != nil && len(f.RelaxedTestDeps) > 0 && !noTests {
			fmt.Fprintf(&b, "  relaxed   test dependencies the index has no such version of, run at the version pip chose: %s\n",
				oneLine(strings.Join(f.RelaxedTestDeps, ", "), 160))
		}
		if f := res.Fetch; f != nil && len(f.UnfetchableTestDeps) > 0 && !noTests {
			fmt.Fprintf(&b, "  left out  test dependencies pip could not fetch beside the package: %s\n", oneLine(strings.Join(f.UnfetchableBecause, "; "), 200))
		}
		if len(t.DepsLeftOut) > 0 {
			fmt.Fprintf(&b, "  left out  test dependencies pip could not install beside the package: %s (%s)\n",
				oneLine(strings.Join(t.DepsLeftOut, ", "), 80), oneLine(t.DepsConflict, 120))
		}
		if t.Tested != "" && t.Results != nil && t.Results.Counts.Total() > 0 {
			// Which copy the tests imported: said of tests that were collected, not of a run
			// that stopped before any was (jaraco.classes 3.2.3's pytest-flake8 without flake8).
			fmt.Fprintf(&b, "  tested    %s\n", oneLine(t.Tested, sentenceMax))
		}
		if c := t.Coverage; c != nil {
			br := "n/a"
			if c.BranchPercent != nil {
				br = fmt.Sprintf("%.2f%%", *c.BranchPercent)
			}
			left := ""
			paths := make([]string, len(c.Files))
			for i, f := range c.Files {
				paths[i] = f.Path
			}
			left = vendoredPart(paths)
			if n := c.TestFilesLeftOut; n > 0 {
				left += fmt.Sprintf(", %d test %s left out", n, filesWord(n))
			}
			if n := c.Excluded; n > 0 {
				left += fmt.Sprintf(", %d %s the project excludes", n, map[bool]string{true: "line", false: "lines"}[n == 1])
			}
			if n := c.CompiledUnmeasured; n > 0 {
				word := "modules"
				if n == 1 {
					word = "module"
				}
				left += fmt.Sprintf(", %d compiled extension %s that coverage.py cannot measure", n, word)
			}
			// Two decimals, as the report keeps them: rounding those to one would err in the last
			// digit (dateutil 2.8.2's lines, 88.353 % kept as 88.35, shown as 88.3).
			fmt.Fprintf(&b, "  coverage  %.2f%% (lines %.2f%%, branches %s) of %s: %d %s%s\n", c.Percent, c.LinePercent, br,
				oneLine(strings.Join(c.Source, ", "), 80), len(c.Files), filesWord(len(c.Files)), left)
			if c.Note != "" {
				fmt.Fprintf(&b, "  coverage  %s\n", oneLine(c.Note, sentenceMax))
			}
		} else if t.CoverageNote != "" && t.Results != nil {
			fmt.Fprintf(&b, "  coverage  none: %s\n", oneLine(t.CoverageNote, sentenceMax))
		}
	}
	if l := r.Lint; l != nil && l.Lines > 0 {
		score := "n/a"
		if l.Pylint != nil && l.Pylint.Score != nil {
			score = fmt.Sprintf("%.2f/10", *l.Pylint.Score)
			if len(l.Pylint.Disabled) > 0 {
				// Markdown 3.4.1: 7.61 where a plain run gives 7.59, with 4 duplicate-code messages.
				score += " (without its " + strings.Join(l.Pylint.Disabled, ", ") + " check)"
			}
		}
		vendored := ""
		if len(l.Linted) == l.Files {
			vendored = vendoredPart(l.Linted)
		}
		if n := len(l.Generated); n > 0 {
			// pycparser 2.21's yacctab.py, a parser table, holds nearly all of its pycodestyle
			// messages: the reader learns which files are a generator's.
			vendored += fmt.Sprintf(" (%d generated: %s)", n, strings.Join(capStrings(l.Generated, 3), ", ")+moreOf(n, 3))
		}
		left := ""
		if l.TestFiles > 0 {
			left = fmt.Sprintf(", %d test %s left out", l.TestFiles, filesWord(l.TestFiles))
		}
		fmt.Fprintf(&b, "  quality   %d %s%s, %d lines of code%s: pycodestyle %d (%.1f/kLOC), pyflakes %d, pylint %s\n",
			l.Files, filesWord(l.Files), vendored, l.Lines, left, l.StyleTotal, l.PerKLOC.Pycodestyle, l.FlakesTotal, score)
		if l.Outcome == "failed" && l.Reason != "" {
			// A tool that gave no result: its count above is not one (Mako 1.2.4's pylint, starved
			// past its time limit on a loaded machine, "pylint n/a").
			fmt.Fprintf(&b, "  quality   without a result of: %s\n", oneLine(l.Reason, sentenceMax))
		}
	} else if l != nil && l.Reason != "" {
		// mmh3 3.0.0 installs a compiled module alone: nothing to lint, and the summary says so.
		fmt.Fprintf(&b, "  quality   none: %s\n", oneLine(l.Reason, sentenceMax))
	}
	if p := r.Packaging; p != nil {
		fmt.Fprintf(&b, "  packaging %d/%d\n", p.Score, p.Max)
	}
	if len(r.Findings) == 0 {
		b.WriteString("  findings  none\n")
	} else {
		fmt.Fprintf(&b, "  findings  %d\n", len(r.Findings))
		for i, f := range r.Findings {
			if i == 8 {
				fmt.Fprintf(&b, "            … and %d more in the report\n", len(r.Findings)-8)
				break
			}
			detail := ""
			if len(f.Evidence) > 0 {
				detail = ": " + oneLine(evidenceLine(f.Evidence[0]), 90)
			}
			where := f.Phase
			if f.Outcome != "" {
				where += ", " + f.Outcome
			}
			fmt.Fprintf(&b, "            %-8s %s (%s)%s\n", f.Severity, oneLine(f.Title, 80), where, detail)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// evidenceLine is a piece of evidence in a line: its file (and line) first, when it has one the
// detail does not name, so that a cut line still says where (pycodestyle 2.10.0's nine Python 2
// fixtures, each "File read by a token scan", told apart only by their files).
func evidenceLine(e Evidence) string {
	if e.File == "" || strings.Contains(e.Detail, e.File) {
		return e.Detail
	}
	where := e.File
	if e.Line > 0 {
		where += fmt.Sprintf(":%d", e.Line)
	}
	return where + ": " + e.Detail
}

func seconds(ms float64) string {
	if ms == 0 {
		return "-"
	}
	return fmt.Sprintf("%.1fs", ms/1000)
}

// vendorDirs are the names of directories that hold other projects' code a package ships inside
// its own (bleach's _vendor/html5lib, pip's _vendor, setuptools' _vendor and extern).
var vendorDirs = map[string]bool{"_vendor": true, "vendor": true, "_vendored": true, "vendored": true, "extern": true, "_extern": true,
	"third_party": true, "_third_party": true, "thirdparty": true}

// vendoredPart says how many of paths (relative to site-packages) lie in a vendoring directory,
// and which: " (35 of them vendored, under bleach/_vendor)"; "" when none do. The figures are of
// all the files, the vendored ones included, as a run of the tools over the installed package
// gives them: the reader learns how much is not the project's own code.
func vendoredPart(paths []string) string {
	n := 0
	var dirs []string
	for _, p := range paths {
		parts := strings.Split(p, "/")
		for i, d := range parts[:len(parts)-1] {
			if vendorDirs[d] {
				n++
				if dir := strings.Join(parts[:i+1], "/"); !slices.Contains(dirs, dir) {
					dirs = append(dirs, dir)
				}
				break
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d of them vendored, under %s)", n, strings.Join(capStrings(dirs, 3), ", ")+moreOf(len(dirs), 3))
}

// sentenceMax bounds a line that is one of PYTI's sentences (the verdict's reason, which copy
// was tested, a coverage note): long enough that a terminal wraps it whole instead of the summary
// cutting it mid-word ("… import what wa…"), bounded because it may quote the package's output.
const sentenceMax = 400

// oneLine shows package-controlled text on one line: control characters escaped, cut at n runes.
func oneLine(s string, n int) string {
	var b strings.Builder
	count := 0
	for _, r := range s {
		if count >= n {
			b.WriteString("…")
			break
		}
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069):
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
		count++
	}
	return b.String()
}

func buildErrors(r TargetResults) []string {
	if r.Build == nil {
		return nil
	}
	return r.Build.ErrorLines
}

func installErrors(r TargetResults) []string {
	if r.Install == nil {
		return nil
	}
	return r.Install.ErrorLines
}

// errorsWord is "error" or "errors", for n of them.
func errorsWord(n int) string {
	if n == 1 {
		return "error"
	}
	return "errors"
}

// filesWord is "file" or "files", for n of them.
func filesWord(n int) string {
	if n == 1 {
		return "file"
	}
	return "files"
}

// sameName reports whether two project names are the same once normalised as PEP 503 does.
func sameName(a, b string) bool {
	return a != "" && nameSeparators.ReplaceAllString(strings.ToLower(a), "-") == nameSeparators.ReplaceAllString(strings.ToLower(b), "-")
}

// nameSeparators are the runs PEP 503's normalisation makes one "-".
var nameSeparators = regexp.MustCompile(`[-_.]+`)

// capStrings is at most n of list.
func capStrings(list []string, n int) []string {
	if len(list) > n {
		return list[:n]
	}
	return list
}

// moreOf says how many of total a list capped at n left out: "", or " and 3 more".
func moreOf(total, n int) string {
	if total <= n {
		return ""
	}
	return fmt.Sprintf(" and %d more", total-n)
}

// subtestsPart counts the subtests per outcome after the tests' ("…, and 597 subtests passed"),
// in pytest's order of outcomes; "" without subtests.
func subtestsPart(subtests map[string]int) string {
	var parts []string
	order := []string{"passed", "failed", "skipped", "xfailed", "xpassed"}
	for _, k := range slices.Sorted(maps.Keys(subtests)) {
		if !slices.Contains(order, k) {
			order = append(order, k)
		}
	}
	for _, k := range order {
		if n := subtests[k]; n > 0 {
			word := "subtests"
			if n == 1 {
				word = "subtest"
			}
			parts = append(parts, fmt.Sprintf("%d %s %s", n, word, k))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ", and " + strings.Join(parts, ", ")
}

// classWord is a failure's class as the summary shows it: the class an exception other than an
// assertion's has, `error` in the report, is "exception" there, apart from pytest's errors (a
// failing set-up), which the counts beside it name so (gunicorn 20.1.0's "failed … [error]
// ImportError" beside "0 errors").
func classWord(c FailureClass) string {
	if c == ClassException {
		return "exception"
	}
	return string(c)
}
